"""Health services' indicators for the dashboard (issue 17 §7), with the plans' codes
(plan-targets.yaml): the 65+ health management rate, the family-doctor contract rates, electronic
health record coverage, follow-up rates and the share of readings in range. Each topic's block
below says how it counts."""

from kangyang.indicators.registry import Indicator  # noqa: F401 - the topics' blocks below use it

INDICATORS: list = []
