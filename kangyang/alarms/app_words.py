"""An alarm told in words for the elder and her family in the app (issue 14): where her call
for help stands ("the hotline took it at 10:02") and what was done, never a colour alone.
Read by the alarms card of the home screen and by the portal's SOS pages."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from kangyang.alarms.models import Alarm, AlarmEvent

S = Alarm.Status
K = AlarmEvent.Kind


def hhmm(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


def short_state(alarm: Alarm) -> str:
    return {S.RAISED: _("waiting for the hotline"), S.ACKNOWLEDGED: _("the hotline is on it"),
            S.RESOLVED: _("handled")}[alarm.status]


def state(alarm: Alarm) -> str:
    """Where the alarm stands, in one sentence."""
    if alarm.status == S.RAISED:
        return _("Received at %(time)s. The hotline is being told.") % {"time": hhmm(alarm.received_at)}
    if alarm.status == S.ACKNOWLEDGED:
        return _("The hotline took the call for help at %(time)s and will call back.") % {
            "time": hhmm(alarm.acknowledged_at)}
    if alarm.outcome:
        return _("Handled at %(time)s: %(outcome)s.") % {
            "time": hhmm(alarm.resolved_at), "outcome": Alarm.Outcome(alarm.outcome).label}
    return _("Handled at %(time)s.") % {"time": hhmm(alarm.resolved_at)}


WORDS = {
    K.RAISED: gettext_lazy("The call for help was received."),
    K.ACKNOWLEDGED: gettext_lazy("The hotline took the call for help."),
    K.ESCALATED: gettext_lazy("Passed on to the officer on duty."),
    K.CALLED_ELDER: gettext_lazy("The hotline called the elder."),
    K.CALLED_CONTACT: gettext_lazy("The hotline called a family member."),
    K.SENT_WORKER: gettext_lazy("The community worker was sent."),
    K.SENT_CAREGIVER: gettext_lazy("The nearest caregiver was sent."),
    K.SENT_VOLUNTEER: gettext_lazy("A volunteer was sent."),
    K.CALLED_120: gettext_lazy("An ambulance (120) was called."),
    K.CALLED_110: gettext_lazy("The police (110) were called."),
    K.CALLED_119: gettext_lazy("The fire service (119) was called."),
    K.DOOR_VISIT: gettext_lazy("Someone was asked to knock at the door."),
    K.REPEATED: gettext_lazy("The button was pressed again."),
    K.RESOLVED: gettext_lazy("Handled."),
}


def steps(alarm: Alarm) -> list[tuple[dt.datetime, str]]:
    """What was done, oldest first (the operator's own notes are left out)."""
    return [(e.at, str(WORDS[e.kind])) for e in alarm.events.order_by("at", "id") if e.kind in WORDS]
