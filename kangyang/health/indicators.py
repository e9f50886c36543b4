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
