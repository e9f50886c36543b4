"""The care-visits app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

VERBS = {
    # The visit policy, plans and pairings (actions/tiers.py, actions/plans.py, admin.py).
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
    # Visit records and follow-ups (actions/records.py, actions/follow_ups.py).
    "care_visit.record": _("recorded a care visit"),
    "follow_up.open": _("opened a follow-up of a care visit"),
    "follow_up.close": _("closed a follow-up of a care visit"),
    # Care calls (actions/calls.py).
    "care_call.take": _("took a care call"),
    "care_call.record": _("recorded the outcome of a care call"),
    "care_call.schedule": _("scheduled care calls"),
    "visit_due.after_call": _("made a home visit due after a care call"),
}
FIELDS = {
    "tier": _("visit tier"),
    "visitor": _("visitor"),
    "helper": _("helper"),
    "ended_on": _("until"),
    "settled": _("visits due settled"),
    "concerns": _("concerns found"),
    "location_flag": _("location check"),
    "finding": pgettext_lazy("care visit", "finding"),
    "call": _("care call"),
}


def _findings(values) -> dict:
    """The checklist items a visit found of concern ("concerns"), in words."""
    from kangyang.visits.models import Finding

    return {value: str(Finding(value).label) for value in values if value in Finding.values}


VALUES = {"concerns": _findings, "finding": _findings}
