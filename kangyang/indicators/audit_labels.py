"""The audit log in words for the indicators' entries."""

from django.utils.translation import gettext_lazy as _

from kangyang.indicators import targets

VERBS = {
    "targets.save": _("saved a version of the bureau's targets"),
    "indicator_value.enter": _("entered an indicator figure"),
    "indicator_value.download": _("downloaded the document of an entered figure"),
    "indicators.report": _("downloaded the indicators report"),
    "demo.indicator_history": _("computed the demo's indicator history"),
}


def _entered(entry) -> str:
    plan = targets.shipped().get(entry.code)
    return _("entered figure “%(name)s”, %(year)s") % {"name": plan.name_zh if plan else entry.code, "year": entry.year}


TARGETS = {
    "indicators.targetset": lambda s: _("targets, version %(v)s") % {"v": s.version},
    "indicators.manualvalue": _entered,
}

FIELDS = {
    "version": _("version"), "note": _("what changed"), "year": _("year"), "value": _("value"),
    "source": _("source"), "as_of": _("as of"), "periods": _("periods"), "figures": _("figures"),
    "format": _("format"), "period": _("period"),
}
