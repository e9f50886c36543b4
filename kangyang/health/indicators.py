"""Health services' indicators for the dashboard (issue 17 §7), with the plans' codes
(plan-targets.yaml): the 65+ health management rate, the family-doctor contract rates, electronic
health record coverage, follow-up rates and the share of readings in range. Each topic's block
below says how it counts."""

from kangyang.indicators.registry import Indicator  # noqa: F401 - the topics' blocks below use it

INDICATORS: list = []


# -- screening --
# The cognitive screening rate of the 65+: elders aged 65 or over on the day who were screened (Mini-Cog
# or AD8) from 1 January of the period's year to the period's day, of the elders aged 65 or over on
# the registry. plan-targets.yaml has no code for Alzheimer's or cognitive screening, so this is an
# operational indicator without a target.
from django.db.models import Q  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from kangyang.indicators.registry import PERCENT  # noqa: E402
from kangyang.registry.indicators import ON_THE_DAY, aged, elders  # noqa: E402


def _screened_this_year(q) -> Q:
    import datetime as dt

    from kangyang.health.models import Screening

    screened = Screening.objects.filter(screened_on__gte=dt.date(q.period.year, 1, 1), screened_on__lte=q.as_of)
    return aged(65)(q) & Q(pk__in=screened.values("elder_id"))


INDICATORS.append(Indicator(
    code="cognitive_screening_rate", name=_("cognitive screening rate of the 65+"), unit=PERCENT, group="health",
    sensitivity="health",
    numerator=elders, numerator_where=_screened_this_year,
    numerator_text=_("elders aged 65 or over screened for cognitive impairment (Mini-Cog or AD8) "
                     "in the period's year up to its last day"),
    denominator=elders, denominator_where=aged(65), denominator_text=_("elders aged 65 or over"),
    as_of_text=ON_THE_DAY,
))
