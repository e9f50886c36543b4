"""The health app's audit codes in words (kangyang/audit/labels.py). Each topic appends its block."""

from django.utils.translation import gettext_lazy as _

VERBS = {}
FIELDS = {}

# -- checkups --
VERBS.update({
    "checkup.record": _("recorded a yearly check-up"),
    "checkup.ehr": _("changed the health record number"),
    "checkup.read": _("read an elder's check-ups"),
    "checkup.list": _("read a list of check-ups"),
    "checkup.due_list": _("read who is due for the yearly check-up"),
    "checkup.due_export": _("downloaded who is due for the yearly check-up"),
})
FIELDS.update({
    "year": _("year"),
    "parts": _("parts done"),
    "complete": _("complete"),
    "ehr_number": _("health record number"),
    "ehr_opened_on": _("health record opened on"),
})

# -- alerts and readings (actions/alerts.py, actions/reviews.py, views and API of readings) --
VERBS.update({
    "health_alert.raise": _("raised a health alert"),
    "health_alert.family_told": _("told the family of a health alert"),
    "health_alert.acknowledge": _("acknowledged a health alert"),
    "health_alert.close": _("closed a health alert"),
    "health_alert.escalate": _("escalated a health alert nobody acknowledged"),
    "health_alert.read": _("read a health alert"),
    "health_alert.list": _("read health alerts"),
    "reading.enter": _("entered a reading by hand"),
    "reading.review": _("marked a reading looked at"),
    "reading.read": _("read an elder's readings"),
})
FIELDS.update({
    "escalation_level": _("escalation level"),
    "family_told": _("family told"),
    "rule": _("rule"),
    "reviewed": _("looked at"),
})
