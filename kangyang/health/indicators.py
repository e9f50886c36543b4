"""Health services' indicators for the dashboard (issue 17 §7), with the plans' codes
(plan-targets.yaml): the 65+ health management rate, the family-doctor contract rates, electronic
health record coverage, follow-up rates and the share of readings in range. Each topic's block
below says how it counts."""

from kangyang.indicators.registry import Indicator  # noqa: F401 - the topics' blocks below use it

INDICATORS: list = []


# -- checkups --
# The yearly health management of the 65+ (老年人健康管理, queries/checkups.py) and the coverage of
# kept-up electronic health records. Both count the registry's elders on the period's as-of day
# (its last day, today while it runs: registry/indicators.py `elders`), in one grouped query.
import datetime as _dt  # noqa: E402

from django.db.models import Exists as _Exists, OuterRef as _OuterRef, Q as _Q  # noqa: E402
from django.utils.translation import gettext_lazy as _lazy  # noqa: E402

from kangyang.indicators.registry import PERCENT as _PERCENT  # noqa: E402
from kangyang.registry.indicators import ON_THE_DAY as _ON_THE_DAY, aged as _aged, elders as _elders  # noqa: E402

EHR_KEPT_UP_DAYS = 365


def _complete_checkup_of_year(q) -> _Q:
    """A complete check-up (every part of the service) of the period's year, examined by the as-of day."""
    from kangyang.health.models import Checkup

    return _Q(_Exists(Checkup.objects.filter(elder_id=_OuterRef("pk"), year=q.period.year, complete=True,
                                             examined_on__lte=q.as_of)))


def _ehr_kept_up(q) -> _Q:
    """A health record number opened by the as-of day, and a check-up or a follow-up in the 365
    days up to it (the record kept up to date)."""
    from kangyang.health.models import Checkup, FollowUp

    since = q.as_of - _dt.timedelta(days=EHR_KEPT_UP_DAYS)
    recent_checkup = Checkup.objects.filter(elder_id=_OuterRef("pk"), examined_on__gt=since, examined_on__lte=q.as_of)
    recent_follow_up = FollowUp.objects.filter(elder_id=_OuterRef("pk"), followed_on__gt=since,
                                               followed_on__lte=q.as_of)
    return (~_Q(health__ehr_number="") & _Q(health__ehr_opened_on__lte=q.as_of)
            & (_Q(_Exists(recent_checkup)) | _Q(_Exists(recent_follow_up))))


INDICATORS += [
    Indicator(
        code="elder_health_management_rate", name=_lazy("health management rate of the 65+"), unit=_PERCENT,
        group="health", sensitivity="health",
        numerator=_elders, numerator_where=lambda q: _aged(65)(q) & _complete_checkup_of_year(q),
        numerator_text=_lazy("elders aged 65 or over with a complete yearly check-up of the period's year (every "
                             "part of the national service: assessment, physical examination, the tests, guidance), "
                             "examined on or before the day"),
        denominator=_elders, denominator_where=_aged(65), denominator_text=_lazy("elders aged 65 or over"),
        as_of_text=_ON_THE_DAY),
    Indicator(
        code="elder_ehr_coverage", name=_lazy("kept-up electronic health records of elders"), unit=_PERCENT,
        group="health", sensitivity="health",
        numerator=_elders, numerator_where=lambda q: _aged(60)(q) & _ehr_kept_up(q),
        numerator_text=_lazy("elders aged 60 or over whose health record has a number in the health centre's "
                             "system opened on or before the day, and a check-up or a follow-up in the 365 days "
                             "up to the day"),
        denominator=_elders, denominator_where=_aged(60), denominator_text=_lazy("elders aged 60 or over"),
        as_of_text=_ON_THE_DAY),
]
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
