"""The health app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    # The health record (actions/records.py).
    "health.record.read": _("read an elder's health record"),
    "health.condition.add": _("added a chronic condition"),
    "health.condition.remove": _("removed a chronic condition"),
    "health.medication.add": _("added a medicine"),
    "health.medication.stop": _("recorded a medicine stopped"),
    "health.disability.set": _("recorded a disability"),
    "health.disability.remove": _("removed a disability"),
    "health.allergies": _("changed the allergies"),
    "health.alerts_to_family": _("recorded the consent to tell the family of health alerts"),
}
FIELDS = {
    "conditions": _("chronic conditions"),
    "medications": _("medications"),
    "disabilities": _("disabilities"),
    "allergies": _("allergies"),
    "alerts_to_family": _("tell the family of health alerts"),
}
