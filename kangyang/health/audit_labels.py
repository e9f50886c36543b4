"""The health app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    # Screening and referral (actions/screening.py, queries/screening.py).
    "health.screening.record": _("recorded a cognitive screening"),
    "health.screening.elder": _("read an elder's screenings, referrals and home sickbeds"),
    "health.screening.panel": _("read the doctor's screening and referral panel"),
    "health.screening.list": _("read a list of cognitive screenings"),
    "health.referral.send": _("referred an elder to a medical institution"),
    "health.referral.receive": _("marked a referral received"),
    "health.referral.return": _("recorded a referral's return to the community"),
    "health.referral.cancel": _("cancelled a referral"),
    "health.referral.list": _("read a list of referrals"),
    "health.sickbed.open": _("opened a home sickbed"),
    "health.sickbed.close": _("closed a home sickbed"),
    "health.sickbed.list": _("read a list of home sickbeds"),
}
FIELDS = {
    "tool": _("screening tool"),
    "score": _("score"),
    "positive": _("positive"),
    "urgent": _("urgent"),
    "diagnosis": _("diagnosis"),
    "institution": _("medical institution"),
}
