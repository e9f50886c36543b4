"""Getting an order to a caregiver: automatic dispatch, manual reassignment, the caregiver
accepting or declining, and planning a provider's day as routes (PyVRP, services/routing).

Automatic dispatch puts an order with the caregiver of its provider who has the skill, is
on shift that day and can fit it into their day with the least added travel (routing.
best_insertion over their current route). When the day has a route plan, the order is
inserted into that caregiver's route at that place — which is how an urgent order joins
today's plan. Blacklisted or inactive providers never receive orders.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.services import constants, planning, queries
from kangyang.services.actions._common import K, S, add_event, invalid, transition
from kangyang.services.models import Caregiver, Order, OrderEvent, Provider, RoutePlan, RouteStop
from kangyang.services.routing import best_insertion, plan_day
from kangyang.services.routing.day import schedule_route

# Orders whose caregiver the dispatcher or the planner may still change…
REASSIGNABLE = (S.CREATED, S.DISPATCHED)
# …and the provider's manager, who may also take one from a caregiver who accepted it.
ASSIGNABLE = REASSIGNABLE + (S.ACCEPTED,)


def _local_day(order: Order) -> dt.date:
    return timezone.localdate(order.window_start)


def _routes_of(caregivers, day: dt.date, *, leaving_out: Order):
    """Each caregiver's planned visits of the day in route order, as routing visits."""
    routes = {c.pk: [] for c in caregivers}
    orders = (
        Order.objects.filter(caregiver__in=list(routes), status__in=queries.IN_PLAN)
        .filter(window_start__gte=queries.day_bounds(day)[0], window_start__lt=queries.day_bounds(day)[1])
        .exclude(pk=leaving_out.pk)
        .select_related("elder__household", "elder__compound", "elder__community", "item")
        .order_by("stop__position", "window_start", "id")
    )
    for o in orders:
        if (v := planning.visit_of(o, day, fixed=True)) is not None:
            routes[o.caregiver_id].append(v)
    return routes


def _insert_into_plan(order: Order, caregiver: Caregiver, index: int, day: dt.date) -> None:
    """Put the order into the day's plan (if there is one) at `index` of the caregiver's
    route, and work out the times of that route again."""
    plan = queries.plan_of(order.provider, day)
    if plan is None:
        return
    RouteStop.objects.filter(order=order).delete()
    stops = list(plan.stops.filter(caregiver=caregiver).select_related(
        "order__elder__household", "order__elder__compound", "order__elder__community", "order__item"))
    orders = [s.order for s in stops]
    orders.insert(min(index, len(orders)), order)
    _write_route(plan, caregiver, orders, day)


def _write_route(plan: RoutePlan, caregiver: Caregiver, orders: list[Order], day: dt.date) -> None:
    worker = planning.workers_on(day, [caregiver]).get(caregiver.pk)
    visits = [v for o in orders if (v := planning.visit_of(o, day, fixed=True)) is not None]
    RouteStop.objects.filter(plan=plan, caregiver=caregiver).delete()
    if worker is None:
        return
    by_key = {o.pk: o for o in orders}
    timed = schedule_route(worker, visits, travel=planning.travel_model()).stops
    RouteStop.objects.bulk_create([
        RouteStop(plan=plan, caregiver=caregiver, order=by_key[s.key], position=i,
                  arrival=planning.at_seconds(day, s.arrival), start=planning.at_seconds(day, s.start),
                  travel_seconds=s.travel_seconds, travel_metres=s.travel_metres)
        for i, s in enumerate(timed)
    ])


def _assign(order: Order, caregiver: Caregiver, *, by, event: str, now: dt.datetime, note: str = "",
            travel_minutes: int | None = None) -> Order:
    before = order.caregiver_id
    order = transition(order, S.DISPATCHED, by=by, allowed=ASSIGNABLE, event=event, now=now, note=note,
                       travel_minutes=travel_minutes, changes={"caregiver": [before, caregiver.pk]}, caregiver=caregiver)
    return order


@transaction.atomic
def dispatch_order(order: Order, *, by=None, exclude: tuple[int, ...] = (), now: dt.datetime | None = None) -> Order:
    """Give the order to the best caregiver of its provider (see the module docstring). When
    nobody can take it, it stays `created` on the provider's board, with a timeline note."""
    now = now or timezone.now()
    if order.status != S.CREATED:
        raise ValidationError(_("Only a new order is dispatched automatically."), code="wrong_status")
    provider = order.provider
    if provider.is_blacklisted or not provider.active:
        raise ValidationError(_("This provider does not take orders."), code="provider_closed")
    day = _local_day(order)
    visit = planning.visit_of(order, day, fixed=False)
    caregivers = list(provider.caregivers.filter(active=True).with_skill(order.item.skill).exclude(pk__in=exclude))
    workers = planning.workers_on(day, caregivers)
    choice = None
    if visit is not None and workers:
        routes = _routes_of([c for c in caregivers if c.pk in workers], day, leaving_out=order)
        choice = best_insertion(visit, list(workers.values()), routes, travel=planning.travel_model())
    if choice is None:
        last = order.events.order_by("-at", "-id").values_list("kind", flat=True).first()
        if last != OrderEvent.Kind.NOT_DISPATCHED:
            add_event(order, K.NOT_DISPATCHED, at=now)
        return order
    caregiver_id, index, added = choice
    caregiver = next(c for c in caregivers if c.pk == caregiver_id)
    order = _assign(order, caregiver, by=by, event=K.DISPATCHED, now=now, travel_minutes=round(added / 60))
    _insert_into_plan(order, caregiver, index, day)
    return order


@transaction.atomic
def assign_order(order: Order, *, by, caregiver: Caregiver, note: str = "", now: dt.datetime | None = None) -> Order:
    """The provider's manager gives the order to a caregiver of theirs by hand (also to take
    it from one who accepted it). The caregiver must have the skill the service needs."""
    if not queries.manages(by, order.provider_id):
        raise PermissionDenied
    if caregiver.provider_id != order.provider_id or not caregiver.active:
        raise invalid("caregiver", _("Choose an active caregiver of this provider."), "caregiver")
    if order.item.skill and order.item.skill not in caregiver.skills:
        raise invalid("caregiver", _("%(name)s is not qualified for this service.") % {"name": caregiver.name}, "skill")
    if order.caregiver_id == caregiver.pk and order.status != S.CREATED:
        return order
    now = now or timezone.now()
    order = _assign(order, caregiver, by=by, event=K.REASSIGNED, now=now, note=note.strip())
    day = _local_day(order)
    plan = queries.plan_of(order.provider, day)
    if plan is not None:
        routes = _routes_of([caregiver], day, leaving_out=order)
        visit = planning.visit_of(order, day, fixed=True)
        worker = planning.workers_on(day, [caregiver]).get(caregiver.pk)
        choice = best_insertion(visit, [worker], routes, travel=planning.travel_model()) if visit and worker else None
        _insert_into_plan(order, caregiver, choice[1] if choice else len(routes.get(caregiver.pk, [])), day)
    return order


@transaction.atomic
def accept_order(order: Order, *, by, now: dt.datetime | None = None) -> Order:
    """The caregiver takes the order on; from now on the planner keeps it with them."""
    if not queries.is_caregiver_of(by, order):
        raise PermissionDenied
    return transition(order, S.ACCEPTED, by=by, allowed=[S.DISPATCHED], event=K.ACCEPTED, now=now)


@transaction.atomic
def decline_order(order: Order, *, by, reason: str, now: dt.datetime | None = None) -> Order:
    """The caregiver cannot take it (with a reason): it is dispatched again, to someone else."""
    if not queries.is_caregiver_of(by, order):
        raise PermissionDenied
    if len(reason.strip()) < 2:
        raise invalid("reason", _("Say why you cannot take the order."), "reason")
    now = now or timezone.now()
    declined_by = order.caregiver_id
    order = transition(order, S.CREATED, by=by, allowed=[S.DISPATCHED, S.ACCEPTED], event=K.DECLINED, now=now,
                       note=reason.strip(), caregiver=None)
    RouteStop.objects.filter(order=order).delete()
    earlier = set(order.events.filter(kind=K.DECLINED).values_list("caregiver_id", flat=True)) | {declined_by}
    return dispatch_order(order, exclude=tuple(c for c in earlier if c), now=now)


@transaction.atomic
def start_travel(order: Order, *, by, now: dt.datetime | None = None) -> Order:
    """The caregiver sets off to the elder (the elder's app can show "on the way")."""
    if not queries.is_caregiver_of(by, order):
        raise PermissionDenied
    return transition(order, S.EN_ROUTE, by=by, allowed=[S.ACCEPTED], event=K.EN_ROUTE, now=now)


# -- route planning --------------------------------------------------------------------------
@transaction.atomic
def plan_routes(provider: Provider, *, day: dt.date, by=None, seconds: float | None = None) -> RoutePlan:
    """Plan the day of the provider's caregivers with PyVRP: every order of the day not yet
    done, with its window, duration and skill, over the caregivers on shift (each from and
    back to their home base). Orders a caregiver has accepted stay theirs; the others go to
    whoever the plan gives them. What nobody can take is listed as unassigned and left for
    the manager. Planning the day again replaces its plan."""
    if by is not None and not queries.manages(by, provider.pk) and not queries.supervises(by, provider.region_code):
        raise PermissionDenied
    orders = list(queries.orders_of_day(provider, day).filter(status__in=queries.IN_PLAN)
                  .select_related("elder__community"))
    caregivers = list(provider.caregivers.filter(active=True))
    workers = planning.workers_on(day, caregivers)
    visits, unplaceable = [], []
    for o in orders:
        v = planning.visit_of(o, day)
        if v is None or (v.caregiver is not None and v.caregiver not in workers):
            unplaceable.append(o.pk)
        else:
            visits.append(v)
    result = plan_day(visits, list(workers.values()), travel=planning.travel_model(),
                      seconds=seconds or settings.ROUTE_SECONDS)
    now = timezone.now()
    plan, _created = RoutePlan.objects.update_or_create(
        provider=provider, day=day,
        defaults={"region_code": provider.region_code, "planned_at": now, "planned_by": by,
                  "solve_seconds": round(result.solve_seconds, 2), "travel_seconds": result.travel_seconds,
                  "travel_metres": result.travel_metres, "unassigned": sorted(result.unassigned + unplaceable)},
    )
    plan.stops.all().delete()
    by_id = {o.pk: o for o in orders}
    by_caregiver = {c.pk: c for c in caregivers}
    stops = []
    for caregiver_id, route in result.routes.items():
        for position, s in enumerate(route):
            order = by_id[s.key]
            if order.caregiver_id != caregiver_id:
                if order.status not in REASSIGNABLE:  # the solver kept fixed orders fixed; never move one
                    raise RuntimeError(f"planner moved a fixed order {order.pk}")
                order = _assign(order, by_caregiver[caregiver_id], by=by, event=K.PLANNED, now=now)
            elif order.status == S.CREATED:
                order = _assign(order, by_caregiver[caregiver_id], by=by, event=K.PLANNED, now=now)
            stops.append(RouteStop(plan=plan, caregiver_id=caregiver_id, order=order, position=position,
                                   arrival=planning.at_seconds(day, s.arrival), start=planning.at_seconds(day, s.start),
                                   travel_seconds=s.travel_seconds, travel_metres=s.travel_metres))
    RouteStop.objects.bulk_create(stops, batch_size=1000)
    record(by, AuditEntry.Action.CHANGE, plan, verb="route_plan.plan", changes={
        "day": day.isoformat(), "orders": len(orders), "planned": len(stops), "unassigned": len(plan.unassigned),
        "caregivers": len(result.routes), "travel_seconds": result.travel_seconds})
    return plan


def plan_next_day(*, now: dt.datetime | None = None, seconds: float | None = None) -> int:
    """From PLAN_NEXT_DAY_FROM local time on, plan tomorrow for every provider that takes
    orders, has orders tomorrow and no plan for it yet (the sweep calls this; a manager may
    plan again by hand). Returns the number of days planned."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.time() < constants.PLAN_NEXT_DAY_FROM:
        return 0
    tomorrow = local.date() + dt.timedelta(days=1)
    start, end = queries.day_bounds(tomorrow)
    providers = (Provider.objects.receiving_orders()
                 .filter(orders__window_start__gte=start, orders__window_start__lt=end,
                         orders__status__in=queries.IN_PLAN)
                 .exclude(plans__day=tomorrow).distinct())
    planned = 0
    for provider in providers:
        plan_routes(provider, day=tomorrow, seconds=seconds)
        planned += 1
    return planned
