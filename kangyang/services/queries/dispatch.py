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


# Shown as done on the caregiver's route: nothing more to do today.
DONE_FOR_THE_DAY = (S.CHECKED_OUT, S.CONFIRMED, S.SETTLED, S.NO_SHOW)


def navigation_to(place: tuple[float, float] | None) -> dict | None:
    """How the caregiver's phone finds its way to a stop: a geo: URI (RFC 5870, WGS-84) that
    opens whichever map app the phone has, online or not; the coordinates as text, to copy
    into any other; and a web map's directions only where the bureau configured that map's
    tiles (lib/maps.py: web_navigation). Coordinates only, never the address."""
    if place is None:
        return None
    from django.conf import settings
    from django.utils.translation import gettext

    from kangyang.lib.maps import web_navigation

    lat, lng = place
    return {"geo": f"geo:{lat:.6f},{lng:.6f}?q={lat:.6f},{lng:.6f}", "text": f"{lat:.6f}, {lng:.6f}",
            "web": web_navigation(settings.MAP_TILES, lat, lng, label=gettext("Visit location"))}


def caregiver_route(caregiver: Caregiver | None, day: dt.date) -> dict:
    """A caregiver's day as their route page shows it (the services page and the app's):
    every stop in order, the done ones too, each with its planned start, its visit, the way
    there, and whether it is done; and how many are still to go."""
    from kangyang.services.planning import location_of  # planning reads through these queries

    orders = list(caregiver_day(caregiver, day).select_related("elder__community")) if caregiver else []
    for o in orders:
        o.planned = getattr(o, "stop", None)  # RelatedObjectDoesNotExist is an AttributeError
        o.the_visit = getattr(o, "service_visit", None)
        o.starts = o.planned.start if o.planned else o.window_start
        o.navigate = navigation_to(location_of(o))
        o.done = o.status in DONE_FOR_THE_DAY
    return {"orders": orders, "open_count": sum(1 for o in orders if not o.done)}


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
