"""The visits app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {}

# Care calls (issue 15 §4).
VERBS.update({
    "care_call.take": _("took a care call"),
    "care_call.record": _("recorded the outcome of a care call"),
    "care_call.schedule": _("scheduled care calls"),
    "visit_due.after_call": _("made a home visit due after a care call"),
})
