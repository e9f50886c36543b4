"""Reads of the public disclosure pages (/public/institutions/, issue 16 §9): no sign-in, so
nothing here may carry anything personal — no elder, resident or staff name, no contact
person or phone of the organisation, no inspector, no ID number, no note written by a person
(an inspection's summary, a review's note, a blacklist's reason may name people).

Occupancy is the register's one definition (queries.register.with_occupancy).

Price bands go by the lowest monthly fee (`Fee` with unit "month") an institution publishes:
under ¥2,000, ¥2,000–3,999, ¥4,000–5,999 and ¥6,000 or more. An institution without a monthly
fee (a meal point, a day-care centre charging by the day) is in no band: it is left out when
a band is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.institutions.models import Fee, Institution
from kangyang.institutions.queries.register import with_occupancy
from kangyang.regions.models import Region

# code → (label, lowest fee included, first fee excluded), yuan per month.
PRICE_BANDS: dict[str, tuple] = {
    "lt2000": (_("under ¥2,000 a month"), None, Decimal(2000)),
    "2000_3999": (_("¥2,000–3,999 a month"), Decimal(2000), Decimal(4000)),
    "4000_5999": (_("¥4,000–5,999 a month"), Decimal(4000), Decimal(6000)),
    "ge6000": (_("¥6,000 a month or more"), Decimal(6000), None),
}


# -- the register ------------------------------------------------------------------------------
def with_min_fee(qs: QuerySet) -> QuerySet:
    """`min_monthly_fee`: the lowest monthly fee an institution publishes (None without one)."""
    lowest = Fee.objects.filter(institution=OuterRef("pk"), unit=Fee.Unit.MONTH).order_by("price").values("price")[:1]
    return qs.annotate(min_monthly_fee=Subquery(lowest))


def public_institutions() -> QuerySet:
    """Every institution the public sees: those operating today."""
    return Institution.objects.open(timezone.localdate())


def subdistricts() -> list[Region]:
    """The subdistricts one may filter by: those with an operating institution, with their district."""
    codes = {code[:9] for code in public_institutions().values_list("region_code", flat=True).distinct()}
    return list(Region.objects.filter(level=Region.Level.SUBDISTRICT, code__in=[c + "000" for c in codes])
                .select_related("parent").order_by("code"))


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    subdistrict: str = ""  # a subdistrict's 12-digit code
    beds: bool = False  # at least one bed available
    stars: int = 0  # at least that many stars
    band: str = ""  # a key of PRICE_BANDS


def directory(filters: Filters, *, with_fee: bool = True) -> QuerySet:
    """The directory's institutions with `beds_occupied`, `beds_available` and (unless
    `with_fee` is false and no price band is asked for) `min_monthly_fee`, filtered; one query."""
    qs = with_occupancy(public_institutions())
    if with_fee or filters.band:
        qs = with_min_fee(qs)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.subdistrict:
        qs = qs.filter(region_code__startswith=filters.subdistrict[:9])
    if filters.beds:
        qs = qs.filter(beds_available__gte=1)
    if filters.stars:
        qs = qs.filter(stars__gte=filters.stars)
    if filters.band:
        _label, low, high = PRICE_BANDS[filters.band]
        fee = Q(min_monthly_fee__isnull=False)
        if low is not None:
            fee &= Q(min_monthly_fee__gte=low)
        if high is not None:
            fee &= Q(min_monthly_fee__lt=high)
        qs = qs.filter(fee)
    return qs.order_by("region_code", "name", "pk")


def directory_page_rows(qs: QuerySet) -> QuerySet:
    """The columns the directory's table shows (nothing else leaves the database)."""
    return qs.select_related("community__parent").only(
        "pk", "name", "kind", "region_code", "beds_total", "stars",
        "community__name", "community__parent__name", "community__parent__code")


def map_points(filters: Filters) -> list[dict]:
    """The markers of the directory's map: public fields only, institutions with a location."""
    qs = directory(filters, with_fee=False).filter(lat__isnull=False, lng__isnull=False)
    return list(qs.values("pk", "name", "kind", "lat", "lng", "beds_available", "stars"))


# -- one institution ---------------------------------------------------------------------------
def institution(pk: int) -> Institution | None:
    """An operating institution with its occupancy and organisation, or None."""
    return (with_occupancy(public_institutions()).select_related("organisation", "community__parent")
            .filter(pk=pk).first())


def fees(inst: Institution) -> list[Fee]:
    return list(inst.fees.order_by("unit", "price", "id").only("item", "unit", "price", "note"))


def credit_status(inst: Institution) -> dict:
    """The organisation's credit status and whether it is blacklisted today (no reason: a
    reason may name people)."""
    org = inst.organisation
    return {"status": org.credit_status, "label": org.get_credit_status_display(),
            "blacklisted": org.is_barred(timezone.localdate()), "blacklisted_until": org.blacklisted_until}
