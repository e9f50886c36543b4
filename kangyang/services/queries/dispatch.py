"""Reads of dispatch and route plans: a provider's and a caregiver's day, loads and stops."""

import datetime as dt

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce

from kangyang.services.models import Caregiver, Order, Provider, RoutePlan, RoutePlanRun
from kangyang.services.queries._common import S, day_bounds


def is_caregiver_of(user, order: Order) -> bool:
    return user.is_authenticated and order.caregiver_id is not None and order.caregiver.user_id == user.pk


def orders_of_day(provider: Provider, day: dt.date):
    start, end = day_bounds(day)
    return (Order.objects.filter(provider=provider, window_start__gte=start, window_start__lt=end)
            .select_related("elder__household", "elder__compound", "item", "caregiver"))


# Orders that take a place in a caregiver's day (planned, not yet done or closed).
IN_PLAN = (S.CREATED, S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE, S.CHECKED_IN)


# …of which these stay with their caregiver when the day is planned again.
FIXED = (S.ACCEPTED, S.EN_ROUTE, S.CHECKED_IN)


def caregiver_day(caregiver: Caregiver, day: dt.date):
    """A caregiver's orders of a day in time order: by the planned start where the day's
    plan has one, else by the window's start (one clock for both, so an order added after
    planning takes its place in time, on SQLite and PostgreSQL alike)."""
    start, end = day_bounds(day)
    return (
        Order.objects.filter(caregiver=caregiver, window_start__gte=start, window_start__lt=end)
        .exclude(status__in=[S.CANCELLED])
        .select_related("elder__household", "elder__compound", "item", "stop", "service_visit")
        .annotate(starts_at=Coalesce("stop__start", "window_start"))
        .order_by("starts_at", "window_start", "id")
    )


def plan_of(provider: Provider, day: dt.date) -> RoutePlan | None:
    return RoutePlan.objects.filter(provider=provider, day=day).first()


def caregiver_loads(provider: Provider, day: dt.date) -> dict[int, dict]:
    """Per caregiver: the orders of the day they hold (not cancelled or no-show) and their
    planned minutes at the homes."""
    start, end = day_bounds(day)
    rows = (Order.objects.filter(provider=provider, caregiver__isnull=False, window_start__gte=start,
                                 window_start__lt=end)
            .exclude(status__in=[S.CANCELLED, S.NO_SHOW])
            .values("caregiver_id")
            .annotate(orders=Count("id"), minutes=Sum(F("item__duration_minutes") * F("quantity"))))
    return {r["caregiver_id"]: {"orders": r["orders"], "minutes": r["minutes"] or 0} for r in rows}


def route_stops(plan: RoutePlan):
    """A plan's stops by caregiver and position, with what a route page shows of each."""
    return plan.stops.select_related(
        "caregiver", "order__elder__household", "order__elder__compound", "order__elder__community", "order__item",
    ).order_by("caregiver__name", "caregiver_id", "position")


def latest_plan_run(provider: Provider, day: dt.date) -> RoutePlanRun | None:
    """The latest request to plan the provider's day, if any."""
    return RoutePlanRun.objects.filter(provider=provider, day=day).order_by("-requested_at", "-id").first()
