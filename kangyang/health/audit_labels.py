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
