"""Between the database and the route planner (services/routing): orders and caregivers of
a provider's day become routing.Visit and routing.Worker values, and planned routes come
back as times. Reads only; the writes are in actions/dispatch.py."""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils import timezone

from kangyang.services import queries
from kangyang.services.models import Caregiver, Order, Shift
from kangyang.services.routing import TravelModel, Visit, Worker

DAY_SECONDS = 24 * 3600


def travel_model() -> TravelModel:
    return TravelModel(speed_kmh=settings.ROUTE_SPEED_KMH, detour=settings.ROUTE_DETOUR)


def seconds_of_day(moment: dt.datetime, day: dt.date) -> int:
    """Seconds from the local midnight of `day` to `moment`, clipped to that day."""
    start, _end = queries.day_bounds(day)
    return int(min(max((moment - start).total_seconds(), 0), DAY_SECONDS - 1))


def at_seconds(day: dt.date, seconds: int) -> dt.datetime:
    start, _end = queries.day_bounds(day)
    return start + dt.timedelta(seconds=seconds)


def location_of(order: Order) -> tuple[float, float] | None:
    """Where the service happens, for travel: the elder's home, else the centre of their
    community (good enough to plan with; the visit check needs the home itself)."""
    home = queries.home_of(order.elder)
    if home is not None:
        return home
    community = order.elder.community
    if community.lat is not None and community.lng is not None:
        return community.lat, community.lng
    return None


def visit_of(order: Order, day: dt.date, *, fixed: bool | None = None) -> Visit | None:
    """The order as a stop to plan; None when nothing says where it is. `fixed` keeps it with
    its caregiver (by default: once the caregiver has accepted it)."""
    place = location_of(order)
    if place is None:
        return None
    if fixed is None:
        fixed = order.status in queries.FIXED
    return Visit(
        key=order.pk, lat=place[0], lng=place[1],
        earliest=seconds_of_day(order.window_start, day),
        latest=seconds_of_day(order.window_end, day),
        duration=order.planned_minutes * 60,
        skill=order.item.skill,
        caregiver=order.caregiver_id if fixed and order.caregiver_id else None,
    )


def shifts_on(day: dt.date, caregivers: Iterable[Caregiver]) -> dict[int, Shift]:
    weekday = day.isoweekday()
    return {s.caregiver_id: s for s in Shift.objects.filter(caregiver__in=list(caregivers), weekday=weekday)}


def worker_of(caregiver: Caregiver, shift: Shift, day: dt.date) -> Worker | None:
    """The caregiver on shift, starting and ending at their home base (or the provider's
    office when none is recorded)."""
    lat, lng = caregiver.home_lat, caregiver.home_lng
    if lat is None or lng is None:
        lat, lng = caregiver.provider.lat, caregiver.provider.lng
    if lat is None or lng is None:
        return None
    start, _end = queries.day_bounds(day)
    return Worker(
        key=caregiver.pk, lat=lat, lng=lng,
        shift_start=seconds_of_day(timezone.make_aware(dt.datetime.combine(day, shift.starts_at)), day),
        shift_end=seconds_of_day(timezone.make_aware(dt.datetime.combine(day, shift.ends_at)), day),
        skills=frozenset(caregiver.skills),
    )


def workers_on(day: dt.date, caregivers: Sequence[Caregiver]) -> dict[int, Worker]:
    """Caregivers with a shift that day, as workers, by caregiver id."""
    shifts = shifts_on(day, caregivers)
    workers = {}
    for c in caregivers:
        if c.pk in shifts and (w := worker_of(c, shifts[c.pk], day)) is not None:
            workers[c.pk] = w
    return workers
