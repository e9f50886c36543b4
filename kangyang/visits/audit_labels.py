"""The care-visits app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    # Visit records and follow-ups.
    "care_visit.record": _("recorded a care visit"),
    "follow_up.open": _("opened a follow-up of a care visit"),
    "follow_up.close": _("closed a follow-up of a care visit"),
    # Care calls (issue 15 §4).
    "care_call.take": _("took a care call"),
    "care_call.record": _("recorded the outcome of a care call"),
    "care_call.schedule": _("scheduled care calls"),
    "visit_due.after_call": _("made a home visit due after a care call"),
}
FIELDS = {
    "settled": _("visits due settled"),
    "concerns": _("concerns found"),
    "location_flag": _("location check"),
    "finding": _("finding"),
}
