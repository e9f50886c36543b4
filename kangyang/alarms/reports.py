"""The alarm centre's figures, as alarm-centre standards measure them: time to acknowledge
and to resolve each alarm; the share answered within 60 s and within 180 s per day and per
month against the standard; false alarms per device model; offline devices per community.

Every figure is one aggregate query over the alarms (or devices) the user may see: nothing
here loops over alarms in Python. Times are counted from `received_at` (when the centre got
the alarm, not the device's own clock), as Alarm.seconds_to_acknowledge does.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from kangyang.alarms import constants
from kangyang.alarms.models import Alarm, Device
from kangyang.regions.models import Region

WITHIN_TARGET = dt.timedelta(seconds=constants.ANSWER_TARGET_SECONDS)
WITHIN_LATE = dt.timedelta(seconds=constants.ANSWER_LATE_SECONDS)


def period_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month and of the next, in the installation's time zone."""
    tz = timezone.get_default_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=tz)
    return start, following


def months_back(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count - 1` months before `month` (a window of `count`)."""
    index = month.year * 12 + month.month - 1 - (count - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def alarms_in(user, *, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """The alarms the user may see that the centre received in [start, end)."""
    return Alarm.objects.visible_to(user).filter(received_at__gte=start, received_at__lt=end)


def alarm_times(user, *, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """Each alarm with `to_acknowledge` and `to_resolve` (durations; None while not yet
    done), oldest first."""
    return (
        alarms_in(user, start=start, end=end)
        .annotate(
            to_acknowledge=ExpressionWrapper(F("acknowledged_at") - F("received_at"), output_field=DurationField()),
            to_resolve=ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField()),
        )
        .select_related("elder", "device", "acknowledged_by")
        .order_by("received_at", "id")
    )


@dataclass(frozen=True)
class AnswerShare:
    """One day's or one month's answering: how many calls, how many answered in time."""

    period: dt.date
    total: int
    within_target: int
    within_late: int
    unanswered: int

    @property
    def share_target(self) -> float | None:
        return 100 * self.within_target / self.total if self.total else None

    @property
    def share_late(self) -> float | None:
        return 100 * self.within_late / self.total if self.total else None

    @property
    def misses_target(self) -> bool:
        return self.total > 0 and self.share_target < constants.ANSWER_TARGET_SHARE

    @property
    def misses_late(self) -> bool:
        return self.total > 0 and self.share_late < constants.ANSWER_LATE_SHARE


def answered_calls(user, *, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None) -> QuerySet:
    """The alarms the answering standard counts. Left out: the passive rule's "check on"
    alarms, which nobody called in, and alarms received less than 180 s ago that are not
    yet acknowledged, which cannot be judged yet. An alarm never acknowledged counts as
    answered late."""
    return alarms_in(user, start=start, end=end).filter(judged(now or timezone.now()))


def judged(now: dt.datetime) -> Q:
    """The alarms the answering standard counts, as a condition (answered_calls says which)."""
    return ~Q(source=Alarm.Source.RULE) & ~Q(acknowledged_at__isnull=True, received_at__gt=now - WITHIN_LATE)


def answered_within(limit: dt.timedelta) -> Q:
    """Acknowledged at most `limit` after the centre received it (the limit itself counts as within)."""
    return Q(acknowledged_at__lte=F("received_at") + limit)


def answer_shares(
    user, *, start: dt.datetime, end: dt.datetime, by: str = "day", now: dt.datetime | None = None
) -> list[AnswerShare]:
    """Share answered within 60 s and within 180 s (60 s exactly counts as within), per day
    or per month (`by`), in the installation's time zone."""
    tz = timezone.get_default_timezone()
    trunc = TruncDate("received_at", tzinfo=tz) if by == "day" else TruncMonth("received_at", tzinfo=tz)
    rows = (
        answered_calls(user, start=start, end=end, now=now)
        .annotate(period=trunc)
        .values("period")
        .annotate(
            total=Count("id"),
            within_target=Count("id", filter=answered_within(WITHIN_TARGET)),
            within_late=Count("id", filter=answered_within(WITHIN_LATE)),
            unanswered=Count("id", filter=Q(acknowledged_at__isnull=True)),
        )
        .order_by("period")
    )
    return [
        AnswerShare(
            period=r["period"].date() if isinstance(r["period"], dt.datetime) else r["period"],
            total=r["total"], within_target=r["within_target"], within_late=r["within_late"],
            unanswered=r["unanswered"],
        )
        for r in rows
    ]


def answer_total(shares: list[AnswerShare], *, period: dt.date) -> AnswerShare:
    """The sum of several periods' rows (the month's line under its days)."""
    return AnswerShare(
        period=period,
        total=sum(s.total for s in shares),
        within_target=sum(s.within_target for s in shares),
        within_late=sum(s.within_late for s in shares),
        unanswered=sum(s.unanswered for s in shares),
    )


def false_alarms_by_model(user, *, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Per device vendor and model, of the resolved device alarms received in the period:
    how many, how many were false alarms, how many were tests, and the false-alarm rate
    (false alarms among those that were not tests)."""
    rows = (
        alarms_in(user, start=start, end=end)
        .filter(device__isnull=False, status=Alarm.Status.RESOLVED)
        .values("device__vendor", "device__model")
        .annotate(
            resolved=Count("id"),
            false_alarms=Count("id", filter=Q(outcome=Alarm.Outcome.FALSE_ALARM)),
            tests=Count("id", filter=Q(outcome=Alarm.Outcome.TEST)),
        )
        .order_by("device__vendor", "device__model")
    )
    result = []
    for r in rows:
        counted = r["resolved"] - r["tests"]
        result.append({
            "vendor": r["device__vendor"], "model": r["device__model"], "resolved": r["resolved"],
            "false_alarms": r["false_alarms"], "tests": r["tests"],
            "rate": 100 * r["false_alarms"] / counted if counted else None,
        })
    return result


def offline_devices_by_community(user) -> list[dict]:
    """Per community, the devices in service now (not retired), how many are offline and
    how many have a low battery; communities with an offline device first."""
    rows = (
        Device.objects.visible_to(user)
        .exclude(status=Device.Status.RETIRED)
        .values("region_code")
        .annotate(
            devices=Count("id"),
            offline=Count("id", filter=Q(status=Device.Status.OFFLINE)),
            low_battery=Count("id", filter=Q(battery__lte=constants.LOW_BATTERY_PERCENT)),
        )
        .order_by("-offline", "region_code")
    )
    rows = list(rows)
    names = dict(Region.objects.filter(code__in=[r["region_code"] for r in rows]).values_list("code", "name"))
    return [{**r, "community": names.get(r["region_code"], r["region_code"])} for r in rows]
