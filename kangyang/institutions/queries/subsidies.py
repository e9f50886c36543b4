"""Reads for operating subsidies: rolls and rates a bureau admin sees, the rates in force for a
district and month, and the one place occupancy is counted for the rolls (`occupied_bed_days`).

Bed-days are counted from `Resident` stays by the register's rule of an open stay (admitted,
not left, not dead by the registry: queries.register.stays_open), day by day over the month,
which a count on one day (`with_occupancy`) cannot give."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import get_object_or_404

from kangyang.accounts import scope
from kangyang.institutions.models import RESIDENTIAL_KINDS, Institution, Resident, SubsidyRate, SubsidyRoll
from kangyang.regions import codes
from kangyang.regions.models import Region
from kangyang.registry.models import Elder

# The institutions with beds people live in (as the indicators count them).
RESIDENTIAL = RESIDENTIAL_KINDS


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date, int]:
    """(first day, last day, days) of the calendar month of `month`."""
    days = calendar.monthrange(month.year, month.month)[1]
    first = month.replace(day=1)
    return first, first.replace(day=days), days


@dataclass(frozen=True)
class Stay:
    institution_id: int
    bed: str
    level: int | None
    days: int


def occupied_bed_days(district_code: str, month: dt.date) -> list[Stay]:
    """Every stay in the district's residential institutions that overlaps the month, with the
    days it occupied a bed in it: from the admission day (counted) to the leaving day (not
    counted: the bed is free that night), clipped to the month; a death the registry recorded
    ends the stay as leaving does (queries.register.stays_open: the same rule for occupancy).
    The elder's capability level is the one of their latest valid assessment on the month's
    last day (None: not assessed)."""
    from kangyang.assessment.queries import current_level_subquery

    first, last, _days = month_bounds(month)
    rows = (Resident.objects
            .filter(institution__region_code__startswith=codes.prefix(district_code),
                    institution__kind__in=RESIDENTIAL, admitted_on__lte=last)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=first))
            .annotate(level=current_level_subquery(last, elder_ref="elder_id"))
            .values_list("institution_id", "bed", "level", "admitted_on", "left_on", "elder__status",
                         "elder__status_date"))
    found = []
    for institution_id, bed, level, admitted_on, left_on, status, died_on in rows.iterator(chunk_size=2000):
        if status == Elder.Status.DECEASED:
            # A death without a date counts as before the stay (as queries.register has it).
            left_on = min(left_on or died_on or admitted_on, died_on or admitted_on)
        start = max(admitted_on, first)
        end = min(left_on, last + dt.timedelta(days=1)) if left_on else last + dt.timedelta(days=1)
        days = (end - start).days
        if days > 0:
            found.append(Stay(institution_id, bed, level, days))
    return found


def rates_in_force(district_code: str, month: dt.date) -> dict[tuple, SubsidyRate]:
    """{(kind, care_level, nursing_only): rate} in force on the month's first day for the
    district: a rate of the district itself before one of the city above it; of one region
    the latest valid_from."""
    first, _last, _days = month_bounds(month)
    chain = [district_code]
    while (parent := codes.parent_code_of(chain[-1])) is not None:
        chain.append(parent)
    depth = {code: n for n, code in enumerate(chain)}
    rates = (SubsidyRate.objects.filter(region_code__in=chain, valid_from__lte=first)
             .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first)))
    chosen: dict[tuple, SubsidyRate] = {}
    for rate in sorted(rates, key=lambda r: (depth[r.region_code], -r.valid_from.toordinal(), -r.pk)):
        chosen.setdefault((rate.kind, rate.care_level, rate.nursing_only), rate)
    return chosen


def operating_rate(rates: dict[tuple, SubsidyRate], *, level: int | None, nursing: bool) -> SubsidyRate | None:
    """The most specific operating rate for a resident: of their level before one for any
    level; of nursing beds (for a nursing bed) before one for any bed."""
    kind = SubsidyRate.Kind.OPERATING
    for key in ((kind, level, True), (kind, level, False), (kind, None, True), (kind, None, False)):
        if key[2] and not nursing:
            continue
        if key in rates:
            return rates[key]
    return None


def opened_new(district_code: str, month: dt.date):
    """Newly built residential institutions of the district that opened in the month."""
    first, last, _days = month_bounds(month)
    return Institution.objects.filter(
        region_code__startswith=codes.prefix(district_code), kind__in=RESIDENTIAL,
        construction=Institution.Construction.NEW, opened_on__gte=first, opened_on__lte=last)


# -- what a user sees -------------------------------------------------------------------------

def rolls_for(user):
    return SubsidyRoll.objects.filter(scope.subsidy_filter(user)).select_related("region")


def get_roll_for(user, roll_id: int) -> SubsidyRoll:
    """A roll the user may read, else 404."""
    return get_object_or_404(rolls_for(user).select_related("approved_by"), pk=roll_id)


def rates_for(user):
    return SubsidyRate.objects.filter(scope.subsidy_filter(user)).select_related("region")


def districts_for(user):
    """The districts whose rolls the user may generate."""
    prefix = scope.supervision_prefix(user)
    if prefix is None:
        return Region.objects.none()
    qs = Region.objects.filter(level=Region.Level.DISTRICT, code__startswith=prefix).order_by("code")
    return [r for r in qs if scope.manages_subsidies_of(user, r.code)]


def rate_regions_for(user):
    """Where the user may set rates: the districts of their area, and their city when it is one."""
    prefix = scope.supervision_prefix(user)
    if prefix is None:
        return []
    qs = Region.objects.filter(level__in=(Region.Level.CITY, Region.Level.DISTRICT), code__startswith=prefix)
    return [r for r in qs.order_by("code") if scope.manages_subsidies_of(user, r.code)]


def lines_of(roll: SubsidyRoll):
    return roll.lines.select_related("institution", "institution__community", "rate").order_by(
        "institution__region_code", "institution__name", "institution_id", "kind", "care_level", "id")


def totals_by_kind(roll: SubsidyRoll) -> dict[str, object]:
    sums = defaultdict(lambda: 0)
    for kind, amount in roll.lines.values_list("kind", "amount"):
        sums[kind] += amount
    return dict(sums)
