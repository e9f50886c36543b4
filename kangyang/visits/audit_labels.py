"""The care-visits app's audit codes in words (kangyang/audit/labels.py).
(visitrec: records and follow-ups; the plans and care calls add theirs here.)"""

from django.utils.translation import gettext_lazy as _

VERBS = {
    "care_visit.record": _("recorded a care visit"),
    "follow_up.open": _("opened a follow-up of a care visit"),
    "follow_up.close": _("closed a follow-up of a care visit"),
}
FIELDS = {
    "settled": _("visits due settled"),
    "concerns": _("concerns found"),
    "location_flag": _("location check"),
    "finding": _("finding"),
}
