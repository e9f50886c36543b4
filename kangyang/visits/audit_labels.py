"""The care-visit app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

# The visit policy, plans and pairings (actions/tiers.py, actions/plans.py, admin.py).
PLAN_VERBS = {
    "visit_profile.override": _("set an elder's visit tier by hand"),
    "visit_profile.clear_override": _("cleared an elder's visit tier set by hand"),
    "visit_plan.make": _("made the month's visit plan"),
    "visit_due.assign": _("gave a planned visit to a visitor"),
    "visit_due.cancel": _("cancelled a planned visit"),
    "visit_due.event": _("made a visit due after an event"),
    "pairing.create": _("paired a helper with an elder"),
    "pairing.end": _("ended a pairing"),
    "tier.create": _("added a visit tier"),
    "tier.change": _("changed a visit tier"),
}

VERBS = {**PLAN_VERBS}
FIELDS = {"tier": _("visit tier"), "visitor": _("visitor"), "helper": _("helper"), "ended_on": _("until")}
