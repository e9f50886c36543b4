"""The health app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {}

# -- followups --
VERBS.update({
    "health.rule_set.publish": _("published a version of the follow-up rules"),
    "health.follow_up.record": _("recorded a chronic-disease follow-up"),
    "health.follow_ups.read": _("read an elder's follow-ups"),
    "health.follow_ups.due": _("read who is due for a follow-up"),
    "health.follow_ups.list": _("read a list of follow-ups"),
})
