"""The assessment app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

VERBS = {
    "assessment.start": _("started an assessment"),
    "assessment.save": _("saved assessment answers"),
    "assessment.sign": _("signed an assessment"),
    "assessment.discard": _("discarded an assessment"),
    "assessment.request": _("requested a re-assessment"),
    "assessment.import": _("imported an earlier assessment"),
    "demo.seed": _("seeded the demo data"),
}


def _assessment(a) -> str:
    return _("Assessment of %(elder)s on %(date)s") % {
        "elder": a.elder.name, "date": date_format(a.assessed_on, "Y-m-d") if a.assessed_on else "—"}


def _request(r) -> str:
    return _("Re-assessment request for %(elder)s") % {"elder": r.elder.name}


TARGETS = {"assessment.assessment": _assessment, "assessment.reassessmentrequest": _request}
