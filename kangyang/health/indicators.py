"""Health services' indicators for the dashboard (issue 17 §7), with the plans' codes
(plan-targets.yaml): the 65+ health management rate, the family-doctor contract rates, electronic
health record coverage, follow-up rates and the share of readings in range. Each topic's block
below says how it counts."""

from kangyang.indicators.registry import Indicator  # noqa: F401 - the topics' blocks below use it

INDICATORS: list = []


# -- readings --
# The share of readings in range: of the readings measured in the period that have a class
# (urgent, uncontrolled or controlled; weight has no rule and no class), those "controlled".
# By the elder's community (the reading's elder's region code). No plan target: an operational
# indicator of the platform.
from django.utils.translation import gettext_lazy as _readings_  # noqa: E402

from kangyang.indicators.registry import PERCENT as _PERCENT  # noqa: E402


def _classified_readings(q):
    from kangyang.health.models import Reading

    return Reading.objects.filter(measured_at__gte=q.start, measured_at__lt=q.end,
                                  classification__in=("urgent", "uncontrolled", "controlled"))


INDICATORS += [
    Indicator(
        code="readings_in_range_share", name=_readings_("share of home-device readings in range"), unit=_PERCENT,
        group="health",
        numerator=lambda q: _classified_readings(q).filter(classification="controlled"),
        numerator_text=_readings_("readings classed controlled by the follow-up rules"),
        denominator=_classified_readings,
        denominator_text=_readings_("readings with a class (urgent, not controlled or controlled)"),
        as_of_text=_readings_("readings measured from the first to the last day of the period, by the elder's "
                              "community"),
        region_field="elder__region_code", sensitivity="health",
    ),
]
