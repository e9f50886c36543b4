"""Reads for the standards check: the bureau's list of shortfalls."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from kangyang.institutions import standards as S
from kangyang.institutions.models import Institution
from kangyang.regions.models import Region

# The kinds some rule applies to (standards.check).
CHECKED_KINDS = ("subdistrict_centre", "embedded_home", "day_care_centre", "township_home", "care_home")


@dataclass(frozen=True)
class Shortfall:
    institution: Institution
    checks: list  # the failing or unrecorded checks


def checked(user, *, kind: str = "", subdistrict: str = "", on=None):
    """The open institutions the user sees that some rule applies to, filtered."""
    on = on or timezone.localdate()
    qs = (Institution.objects.visible_to(user).open(on).filter(kind__in=CHECKED_KINDS)
          .select_related("community", "community__parent")
          .only("id", "name", "kind", "construction", "region_code", "complete_community", "floor_area_m2",
                "beds_total", "beds_nursing", "community__name", "community__code", "community__parent__name"))
    if kind:
        qs = qs.filter(kind=kind)
    if subdistrict:
        qs = qs.filter(region_code__startswith=subdistrict[:9])
    return qs.order_by("region_code", "name", "id")


def shortfalls(user, *, kind: str = "", subdistrict: str = "", missing: bool = True, on=None) -> list[Shortfall]:
    """Each visible open institution that fails a rule (or, with `missing`, lacks the data
    for one), with those rules."""
    book = S.Book()
    found = []
    for institution in checked(user, kind=kind, subdistrict=subdistrict, on=on):
        checks = [c for c in S.check(institution, book.for_region(institution.region_code))
                  if c.passed is False or (missing and c.passed is None)]
        if checks:
            found.append(Shortfall(institution, checks))
    return found


def subdistricts_for(user):
    """The subdistricts a supervisor may filter by."""
    from kangyang.accounts import scope

    prefix = scope.supervision_prefix(user)
    if prefix is None:
        return Region.objects.none()
    return Region.objects.filter(level="subdistrict", code__startswith=prefix).order_by("code")
