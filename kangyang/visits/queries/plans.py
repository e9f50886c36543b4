"""Reads of the visit policy and plans: the gates for views and the API (outside the reader's
area → 404), a community's plan for a month, overdue lines, an elder's profile page, the care
visits a user may list."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.registry.models import Elder
from kangyang.visits.actions.plans import month_start, visitors_of
from kangyang.visits.models import CareVisit, Pairing, VisitDue

S = VisitDue.Status


def get_elder_for(user, elder_id: int, *, write: bool = False) -> Elder:
    """An elder as the visit pages load her: the planning staff of her area; 404 otherwise."""
    elder = get_object_or_404(Elder.objects.filter(scope.visit_plan_filter(user)).select_related("community"),
                              pk=elder_id)
    if write and not scope.plans_visits_of(user, elder.region_code):
        raise PermissionDenied
    return elder


def get_visit_due_for(user, due_id: int, *, write: bool = False) -> VisitDue:
    due = get_object_or_404(VisitDue.objects.filter(scope.visit_plan_filter(user))
                            .select_related("elder", "tier", "visitor", "proposed_visitor"), pk=due_id)
    if write and not scope.plans_visits_of(user, due.region_code):
        raise PermissionDenied
    return due


def get_pairing_for(user, pairing_id: int, *, write: bool = False) -> Pairing:
    pairing = get_object_or_404(Pairing.objects.filter(scope.visit_plan_filter(user)).select_related("elder", "helper"),
                                pk=pairing_id)
    if write and not scope.plans_visits_of(user, pairing.region_code):
        raise PermissionDenied
    return pairing


def plan_for(user, *, month: dt.date, region_code: str = "", status: str = "", visitor: int | None = None,
             reason: str = "") -> QuerySet:
    """The lines of a month's plan (and the event visits of the month) the user may see."""
    qs = VisitDue.objects.filter(scope.visit_plan_filter(user), month=month_start(month))
    if region_code:
        qs = qs.filter(region_code__startswith=_prefix(region_code))
    if status:
        qs = qs.filter(status=status)
    if visitor is not None:
        qs = qs.filter(visitor_id=visitor)
    if reason:
        qs = qs.filter(reason=reason)
    return qs.select_related("elder", "tier", "visitor", "proposed_visitor").order_by("due_by", "elder__name", "pk")


def overdue_for(user, *, region_code: str = "", now: dt.datetime | None = None) -> QuerySet:
    """Open lines past their time, whatever their month, the user may see; oldest first."""
    now = now or timezone.now()
    qs = VisitDue.objects.filter(scope.visit_plan_filter(user), status=S.OPEN, due_by__lt=now)
    if region_code:
        qs = qs.filter(region_code__startswith=_prefix(region_code))
    return qs.select_related("elder", "tier", "visitor").order_by("due_by", "pk")


def plan_counts(lines: QuerySet, *, now: dt.datetime | None = None) -> dict[str, int]:
    """{open, done, cancelled, overdue, total} of some plan lines."""
    now = now or timezone.now()
    found = lines.order_by().aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status=S.OPEN)), done=Count("pk", filter=Q(status=S.DONE)),
        cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
        overdue=Count("pk", filter=Q(status=S.OPEN, due_by__lt=now)))
    return {k: v or 0 for k, v in found.items()}


def visitor_loads(lines: QuerySet) -> list[tuple[int, int]]:
    """[(visitor id, open lines)] of some plan lines, busiest first."""
    return list(lines.filter(status=S.OPEN, visitor__isnull=False).order_by().values_list("visitor")
                .annotate(n=Count("pk")).order_by("-n"))


def visitor_choices(due: VisitDue):
    """Whom a line may be given to: the visitors of the elder's community."""
    return visitors_of(due.region_code)


def profile_page(elder: Elder) -> dict:
    """What the elder's visit profile page shows: tier, why, pairings, recent visits, open lines."""
    from kangyang.visits.actions.tiers import derive_tier, facts_of, profile_of, why
    from kangyang.visits.models import Tier

    profile = profile_of(elder)
    facts = facts_of(elder)
    tiers = list(Tier.objects.order_by("rank", "pk"))
    derived = derive_tier(tiers, facts)
    return {
        "profile": profile, "facts": facts, "derived_now": derived, "reasons": why(derived, facts),
        "pairings": list(elder.pairings.select_related("helper").order_by("-started_on", "-pk")),
        "visits": list(elder.care_visits.select_related("visitor").order_by("-started_at")[:10]),
        "dues": list(elder.visits_due.filter(status=S.OPEN).select_related("visitor", "tier").order_by("due_by")[:20]),
    }


def care_visits_for(user, *, elder: int | None = None, month: dt.date | None = None) -> QuerySet:
    """Care visits the user may list (accounts.scope.care_visit_filter), latest first; of one
    elder, of one Asia/Shanghai month."""
    from kangyang.visits.actions.plans import local, next_month

    qs = CareVisit.objects.filter(scope.care_visit_filter(user))
    if elder is not None:
        qs = qs.filter(elder_id=elder)
    if month is not None:
        month = month_start(month)
        qs = qs.filter(started_at__gte=local(month), started_at__lt=local(next_month(month)))
    return qs.select_related("elder", "visitor").order_by("-started_at", "-pk")


def _prefix(region_code: str) -> str:
    from kangyang.regions import codes

    return codes.prefix(region_code)
