"""Reads of the public disclosure pages (/public/institutions/, issue 16 §9): no sign-in, so
nothing here may carry anything personal — no elder, resident or staff name, no contact
person or phone of the organisation, no inspector, no ID number, no note written by a person
(an inspection's summary, a review's note, a blacklist's reason may name people).

Each read is one small function, so the topic queries (queries.register.with_occupancy,
queries.rating.public_history, queries.inspections.published_results) can replace it one by one.

Price bands go by the lowest monthly fee (`Fee` with unit "month") an institution publishes:
under ¥2,000, ¥2,000–3,999, ¥4,000–5,999 and ¥6,000 or more. An institution without a monthly
fee (a meal point, a day-care centre charging by the day) is in no band: it is left out when
a band is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.institutions.models import Answer, Fee, Inspection, Institution, RatingReview, Resident
from kangyang.regions.models import Region

# code → (label, lowest fee included, first fee excluded), yuan per month.
PRICE_BANDS: dict[str, tuple] = {
    "lt2000": (_("under ¥2,000 a month"), None, Decimal(2000)),
    "2000_3999": (_("¥2,000–3,999 a month"), Decimal(2000), Decimal(4000)),
    "4000_5999": (_("¥4,000–5,999 a month"), Decimal(4000), Decimal(6000)),
    "ge6000": (_("¥6,000 a month or more"), Decimal(6000), None),
}


# -- the register ------------------------------------------------------------------------------
def with_occupancy(qs: QuerySet) -> QuerySet:
    """`beds_occupied`: the open stays (Resident.left_on is null) of each institution; and
    `beds_available`: beds_total less those, never below zero. (queries.register has its own.)"""
    # COUNT without GROUP BY: one index-only probe of resident_inst_open_idx per institution.
    open_stays = (Resident.objects.filter(institution=OuterRef("pk"), left_on__isnull=True)
                  .order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n"))
    return qs.annotate(beds_occupied=Coalesce(Subquery(open_stays, output_field=IntegerField()), Value(0))).annotate(
        beds_available=Greatest(F("beds_total") - F("beds_occupied"), Value(0)))


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


def rating_history(inst: Institution) -> list[dict]:
    """The assessors' decided reviews, newest first: date, stars, the card and whether the card
    is an example (not the official weights). (queries.rating.public_history is the topic's.)"""
    reviews = (RatingReview.objects.filter(institution=inst, kind=RatingReview.Kind.ASSESSORS,
                                           status=RatingReview.Status.DECIDED)
               .select_related("scorecard").order_by("-decided_on", "-id"))
    return [{"decided_on": r.decided_on, "stars": r.stars, "veto_failed": r.veto_failed,
             "scorecard": f"{r.scorecard.name} v{r.scorecard.version}", "is_example": r.scorecard.is_example}
            for r in reviews]


AREA_SEPARATORS = (".", ":", "/", "-", "_")


def area_of(item: str) -> str:
    """The area of a checklist item: its code up to the first separator ("fire.exits" → "fire")."""
    cut = min((i for i in (item.find(s) for s in AREA_SEPARATORS) if i > 0), default=len(item))
    return item[:cut]


def published_results(inst: Institution) -> list[dict]:
    """Inspections whose results are published, newest first: date, on site or not, outcome, and
    the problems found counted by checklist area. No summary or note (they may name people).
    (queries.inspections.published_results is the topic's.)"""
    inspections = list(Inspection.objects.filter(institution=inst, published_at__isnull=False)
                       .order_by("-done_on", "-id").only("pk", "done_on", "on_site", "outcome", "published_at"))
    problems: dict[int, dict[str, int]] = {}
    for inspection_id, item in (Answer.objects.filter(inspection__in=inspections, result=Answer.Result.PROBLEM)
                                .values_list("inspection_id", "item")):
        by_area = problems.setdefault(inspection_id, {})
        by_area[area_of(item)] = by_area.get(area_of(item), 0) + 1
    return [{"done_on": i.done_on or timezone.localtime(i.published_at).date(), "on_site": i.on_site,
             "outcome": i.get_outcome_display() if i.outcome else "",
             "problems": sorted(problems.get(i.pk, {}).items()),
             "problem_count": sum(problems.get(i.pk, {}).values())} for i in inspections]


def credit_status(inst: Institution) -> dict:
    """The organisation's credit status and whether it is blacklisted today (no reason: a
    reason may name people)."""
    org = inst.organisation
    return {"status": org.credit_status, "label": org.get_credit_status_display(),
            "blacklisted": org.is_barred(timezone.localdate()), "blacklisted_until": org.blacklisted_until}
