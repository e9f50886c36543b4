"""/api/v1/visits/due (the plan's lines) and /api/v1/visits/rate (the monthly visit rate);
the list of care visits, /api/v1/visits, is records.py's.

Scope. Care visits are listed by accounts.scope.care_visit_filter: the planning staff (community
worker, subdistrict officer, bureau admin) their area's, anyone who visits (a community worker,
a volunteer) also their own visits; nobody else sees any. Plan lines and the rate are for the
planning staff of the area: another role gets 403, a region outside the caller's area 404.

Formats. `month` is a month of Asia/Shanghai as "YYYY-MM" (a day of it, "YYYY-MM-DD", is
read as its month); datetimes are answered in UTC with "Z". The rate is a percentage with two
decimals as a string ("87.50"), or null when no elder is due; `visited` and `due` are the counts
it divides (the rule: kangyang/visits/queries/rate.py, README "Care visits").
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from kangyang.accounts import scope
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, Month, UtcDatetime
from kangyang.regions import codes
from kangyang.regions.models import Region
from kangyang.visits import queries
from kangyang.visits.api import router
from kangyang.visits.actions.plans import month_start
from kangyang.visits.models import VisitDue

CODE_PATTERN = r"^\d{12}$"


def _one_of(values):
    return Literal[tuple(values)]  # type: ignore[valid-type]


DueStatus = _one_of(VisitDue.Status.values)
DueReason = _one_of(VisitDue.Reason.values)


def _planner(user) -> None:
    if not scope.sees_visit_plans(user):
        raise PermissionDenied


def _region(user, code: str | None) -> Region:
    """The region asked for (by default the caller's own area); 404 outside it or unknown."""
    if not code:
        if user.region_id is None:
            raise Http404
        return user.region
    region = Region.objects.filter(code=code).first()
    if region is None or not scope.in_area(user, region.code):
        raise Http404
    return region


class DueFilter(Schema):
    month: Month | None = Field(None, description="The plan's month (default: this month).")
    region: str | None = Field(None, pattern=CODE_PATTERN, description="A region's 12-digit code.")
    status: DueStatus | None = None
    reason: DueReason | None = None
    visitor: int | None = Field(None, ge=1, le=DB_INT_MAX, description="A visitor's user id.")
    overdue: bool = Field(False, description="Only open lines past their time, of any month.")


class VisitDueOut(Schema):
    """A line of the month's plan, or a visit an event made due."""

    id: int
    elder: int = Field(..., alias="elder_id")
    elder_name: str = Field(..., alias="elder.name")
    region_code: str
    tier: str | None
    month: str
    reason: DueReason
    due_by: UtcDatetime
    proposed_visitor: int | None = Field(None, alias="proposed_visitor_id")
    visitor: int | None = Field(None, alias="visitor_id")
    visitor_name: str | None
    status: DueStatus
    visit: int | None = Field(None, alias="visit_id", description="The care visit that settled it.")
    note: str

    @staticmethod
    def resolve_tier(obj: VisitDue) -> str | None:
        return obj.tier.code if obj.tier_id else None

    @staticmethod
    def resolve_month(obj: VisitDue) -> str:
        return obj.month.strftime("%Y-%m")

    @staticmethod
    def resolve_visitor_name(obj: VisitDue) -> str | None:
        return (obj.visitor.full_name or obj.visitor.username) if obj.visitor_id else None


@router.get("/due", response=list[VisitDueOut], summary="List the plan's visits due")
@paginate(Page)
def list_due(request, filters: Query[DueFilter]):
    """The lines of a month's plan in the caller's area (or of a region in it), by due time;
    with `overdue=true`, the open lines past their time of any month."""
    _planner(request.auth)
    region = _region(request.auth, filters.region)
    if filters.overdue:
        qs = queries.overdue_for(request.auth, region_code=region.code)
        if filters.visitor is not None:
            qs = qs.filter(visitor_id=filters.visitor)
        return qs
    return queries.plan_for(request.auth, month=filters.month or timezone.localdate(), region_code=region.code,
                            status=filters.status or "", visitor=filters.visitor, reason=filters.reason or "")


class RateFilter(Schema):
    region: str | None = Field(None, pattern=CODE_PATTERN, description="A region's 12-digit code (default: "
                                                                       "the caller's area).")
    month: Month | None = Field(None, description="The month (default: this month).")


class RateLine(Schema):
    region: str
    name: str
    rate: str | None
    visited: int
    due: int


class RateOut(Schema):
    region: str
    name: str
    level: str
    month: str
    rate: str | None = Field(..., description="Visited ÷ due × 100, two decimals; null when nobody is due.")
    visited: int
    due: int
    target: str = Field("100.00", description="The plans' target (特殊困难老年人月探访率 100%).")
    breakdown: list[RateLine] = Field(..., description="Each region one level down that has elders due.")


def _pct(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@router.get("/rate", response=RateOut, summary="The monthly visit rate")
def visit_rate(request, filters: Query[RateFilter]):
    """The monthly visit rate of a region (its communities… added up), and of each region one
    level down (the rule: README "Care visits: the monthly visit rate")."""
    _planner(request.auth)
    region = _region(request.auth, filters.region)
    month = month_start(filters.month or timezone.localdate())
    if not dt.date(2000, 1, 1) <= month <= dt.date(2100, 12, 1):
        raise Http404
    level = codes.level_of(region.code)
    tree = queries.rate_tree(region.code, month)
    whole = tree.get(region.code)
    lines = []
    if level != "community":
        below = codes.LEVELS[codes.LEVELS.index(level) + 1]
        figures = {code: f for code, f in tree.items() if codes.level_of(code) == below}
        names = dict(Region.objects.filter(code__in=list(figures)).values_list("code", "name"))
        lines = [RateLine(region=code, name=names.get(code, code), rate=_pct(f.value), visited=int(f.numerator or 0),
                          due=int(f.denominator or 0)) for code, f in sorted(figures.items())]
    return RateOut(region=region.code, name=region.name, level=level, month=month.strftime("%Y-%m"),
                   rate=_pct(whole.value) if whole else None, visited=int(whole.numerator or 0) if whole else 0,
                   due=int(whole.denominator or 0) if whole else 0, breakdown=lines)
