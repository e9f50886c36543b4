"""The regions app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

from kangyang.regions.models import Compound, Region


def region_names(codes) -> dict:
    """12-digit region codes → their names."""
    return dict(Region.objects.filter(code__in=[c for c in codes if isinstance(c, str)]).values_list("code", "name"))


def compound_names(ids) -> dict:
    return dict(Compound.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list("pk", "name"))


VERBS = {
    "regions.import": _("imported region codes"),
    "compounds.import": _("imported compounds"),
}
VALUES = {
    "region": region_names, "community": region_names, "registered_community": region_names,
    "compound": compound_names,
}
