"""The alarm centre's indicators: alarms received, the share answered within 60 s (as alarm
centres promise), the median and 95th-percentile time to answer, and the devices online.

Times are counted as the alarm centre's own report counts them (reports.py): from when the
centre received the alarm (`received_at`, not the device's clock) to an operator's
acknowledgement; an alarm is "of the period" when the centre received it within the period in
Asia/Shanghai (until now while it runs). The answering standard counts the calls
(reports.judged): not the passive rule's "check on" alarms, which nobody called in, nor an
alarm received less than 180 s ago that nobody has acknowledged yet; an alarm never
acknowledged counts as not answered within 60 s. 60 s exactly is within.

Region: the alarm's (and the device's) own `region_code`: the community of the elder or the
household it came from.

Queries: one grouped over the alarms (count and share), one per response-time figure (a median
and a percentile are not sums), one grouped over the devices.
"""

from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.alarms import reports
from kangyang.alarms.models import Alarm, Device
from kangyang.alarms.queries import offline_filter, with_seen
from kangyang.indicators.registry import (
    COUNT, PERCENT, SECONDS, Figure, Indicator, Query, durations_per_region, lazy_format,
)

ALARMS_AS_OF = _("alarms the centre received in the period (up to now while it runs), in the community of the "
                 "elder or household they came from")
ANSWERED_AS_OF = _("alarms the centre received in the period (up to now while it runs) that the answering standard "
                   "counts: not the passive rule's “check on” alarms, nor one received less than 180 s ago that is "
                   "not acknowledged yet; in the community of the elder or household they came from")


def alarms(q: Query):
    """Alarms the centre received in the query's period."""
    return Alarm.objects.filter(received_at__gte=q.start, received_at__lt=q.end)


def _judged(q: Query) -> Q:
    return reports.judged(timezone.now())


def _answered_in_time(q: Query) -> Q:
    return reports.judged(timezone.now()) & reports.answered_within(reports.WITHIN_TARGET)


def _answered(q: Query):
    """The period's alarms that the answering standard counts and an operator acknowledged."""
    return alarms(q).filter(reports.judged(timezone.now()), acknowledged_at__isnull=False)


WAIT = F("acknowledged_at") - F("received_at")


def _median_response(q: Query, by: str) -> dict[str, Figure]:
    return durations_per_region(q, by, _answered(q), "region_code", WAIT, fraction=Decimal("0.5"), exact=False)


def _p95_response(q: Query, by: str) -> dict[str, Figure]:
    return durations_per_region(q, by, _answered(q), "region_code", WAIT, fraction=Decimal("0.95"), exact=True)


def devices(q: Query):
    """Devices in service now: bound to an elder or a household, not retired. A device's state
    has no history: this is the state now, whatever the period (a month's snapshot, taken
    as the month ends, keeps the state at its end)."""
    return with_seen(Device.objects.exclude(status=Device.Status.RETIRED).exclude(
        elder__isnull=True, household__isnull=True))


def _online(q: Query) -> Q:
    """Online as the devices page says: marked online and heard from within its heartbeat
    interval plus the grace (queries.offline_filter)."""
    return Q(status=Device.Status.ONLINE) & ~offline_filter(timezone.now())


RESPONSE_TEXT = _("the seconds from the centre receiving an alarm to an operator acknowledging it, of the alarms "
                  "acknowledged (an alarm never acknowledged has no time and is left out; it counts against the "
                  "share answered within 60 s)")

INDICATORS = [
    Indicator(
        code="alarms", name=_("alarms received"), unit=COUNT, group="alarms",
        numerator=alarms, numerator_text=_("alarms from devices, the hotline, the app and the passive rule"),
        as_of_text=ALARMS_AS_OF),
    Indicator(
        code="alarms_answered_60s_rate", name=_("alarms answered within 60 s"), unit=PERCENT, group="alarms",
        numerator=alarms, numerator_where=_answered_in_time,
        numerator_text=_("of those, alarms an operator acknowledged at most 60 seconds after the centre received "
                         "them"),
        denominator=alarms, denominator_where=_judged,
        denominator_text=_("alarms the answering standard counts"),
        as_of_text=ANSWERED_AS_OF),
    Indicator(
        code="alarm_response_median_seconds", name=_("median time to answer an alarm"), unit=SECONDS,
        group="alarms", compute=_median_response, lower_is_better=True,
        numerator_text=lazy_format(
            _("the middle value (for an even count, the mean of the two middle ones) of %(times)s"),
            times=RESPONSE_TEXT),
        as_of_text=ANSWERED_AS_OF),
    Indicator(
        code="alarm_response_p95_seconds", name=_("95th percentile of the time to answer an alarm"), unit=SECONDS,
        group="alarms", compute=_p95_response, lower_is_better=True,
        numerator_text=lazy_format(_("the time within which 95%% of the alarms were answered (nearest rank: the "
                                     "smallest value at least 95%% of them do not exceed) of %(times)s"),
                                   times=RESPONSE_TEXT),
        as_of_text=ANSWERED_AS_OF),
    Indicator(
        code="alarm_devices_online_rate", name=_("alarm devices online"), unit=PERCENT, group="alarms",
        numerator=devices, numerator_where=_online,
        numerator_text=_("of those, devices online: marked online and heard from within their heartbeat interval "
                         "plus the grace period"),
        denominator=devices, denominator_text=_("devices in service: bound to an elder or a household, not retired"),
        as_of_text=_("devices as they are now, whatever the period (a device's state has no history; a month's "
                     "snapshot, taken as it ends, keeps the state at its end), in their own community")),
]
