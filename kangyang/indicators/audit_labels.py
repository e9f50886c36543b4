"""The indicators app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    "targets.save": _("saved the bureau's targets"),
    "indicator_value.enter": _("entered an indicator's figure"),
    "indicators.report": _("downloaded the indicators report"),
}

FIELDS = {
    "version": _("version"),
    "note": _("note"),
    "year": _("year"),
    "value": _("value"),
    "source": _("source"),
    "as_of": _("as of"),
    "format": _("format"),
    "period": _("period"),
}


def _target_set(s) -> str:
    return _("Targets of %(region)s, version %(version)s") % {"region": s.region_code, "version": s.version}


def _entered(v) -> str:
    return _("%(code)s of %(region)s for %(year)s") % {"code": v.code, "region": v.region_code, "year": v.year}


TARGETS = {"indicators.targetset": _target_set, "indicators.manualvalue": _entered}
