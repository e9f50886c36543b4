"""Getting an order to a caregiver: automatic dispatch, manual reassignment, the caregiver
accepting or declining, and planning a provider's day as routes (PyVRP, services/routing).

Both kinds of dispatch decide with the same rules (services/dispatch_rules.py, over the
database in planning.options_for): skill held, no other visit booked at once, on shift for
the whole window, and a day whose visits all still start in their windows, travel included.
Automatic dispatch puts an order with the caregiver who fits with the least added travel;
when nobody fits it stays `created` on the board. The manager may choose someone who does
not fit only with a reason (an override), and the order keeps a warning saying what rule it
breaks; nobody may give an order to a caregiver without the skill or booked at once (the
database refuses the latter too). When the day has a route plan, the caregiver's route in
it is timed again with the order — which is how an urgent order joins today's plan.
Blacklisted or inactive providers never receive orders.

Planning the day keeps every order a caregiver accepted, and every order the manager gave by
hand, with that caregiver: what the solver cannot fit is put into her route all the same,
in time order, and warned when it would start late — never listed as unassigned.
"""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.services import constants, dispatch_rules, notifications, planning, queries
from kangyang.services.actions._common import K, S, add_event, invalid, transition
from kangyang.services.models import Caregiver, Order, OrderEvent, Provider, RoutePlan, RoutePlanRun, RouteStop
from kangyang.services.routing import Worker, plan_day
from kangyang.services.routing.day import schedule_route

P = dispatch_rules.Problem
log = logging.getLogger(__name__)

# Orders whose caregiver the dispatcher or the planner may still change…
REASSIGNABLE = (S.CREATED, S.DISPATCHED)
# …and the provider's manager, who may also take one from a caregiver who accepted it.
ASSIGNABLE = REASSIGNABLE + (S.ACCEPTED,)


def _local_day(order: Order) -> dt.date:
    return timezone.localdate(order.window_start)


def _worker(caregiver: Caregiver, day: dt.date, visits=()) -> Worker | None:
    """The caregiver as the route timer takes her: on her shift, or — given a visit off
    shift, by override — all day (as dispatch_rules.assess times her)."""
    worker = planning.workers_on(day, [caregiver]).get(caregiver.pk)
    if worker is not None and all(dispatch_rules.on_shift(v, (worker.shift_start, worker.shift_end)) for v in visits):
        return worker
    home = planning.home_base(caregiver)
    if home is None:
        return None
    return Worker(key=caregiver.pk, lat=home[0], lng=home[1], shift_start=0, shift_end=dispatch_rules.DAY_END,
                  skills=frozenset(caregiver.skills))


def _retime_route(order: Order, caregiver: Caregiver, index: int, day: dt.date) -> None:
    """Put the order into the day's plan (if there is one) at `index` of the caregiver's day
    in time order, and work out the times of her route again."""
    plan = queries.plan_of(order.provider, day)
    if plan is None:
        return
    RouteStop.objects.filter(order=order).delete()
    home = planning.home_base(caregiver) or (0.0, 0.0)
    others = list(planning.booked_orders([caregiver], day, leaving_out=order))
    by_key = {o.pk: o for o in others}
    in_order = [by_key[v.key] for v in planning.day_of(caregiver, others, day, fallback=home)]
    in_order.insert(min(index, len(in_order)), order)
    _write_route(plan, caregiver, in_order, day)


def _write_route(plan: RoutePlan, caregiver: Caregiver, orders: list[Order], day: dt.date) -> list:
    """Her stops in the plan, in this order, timed; returns the timed stops."""
    RouteStop.objects.filter(plan=plan, caregiver=caregiver).delete()
    RouteStop.objects.filter(plan=plan, order__in=orders).delete()
    home = planning.home_base(caregiver)
    if home is None:
        return []
    visits = [planning.rules_visit(o, day, fallback=home) for o in orders]
    worker = _worker(caregiver, day, visits)
    by_key = {o.pk: o for o in orders}
    timed = schedule_route(worker, visits, travel=planning.travel_model()).stops
    RouteStop.objects.bulk_create([
        RouteStop(plan=plan, caregiver=caregiver, order=by_key[s.key], position=i,
                  arrival=planning.at_seconds(day, s.arrival), start=planning.at_seconds(day, s.start),
                  travel_seconds=s.travel_seconds, travel_metres=s.travel_metres)
        for i, s in enumerate(timed)
    ])
    return list(zip(timed, visits))


def _assign(order: Order, caregiver: Caregiver, *, by, event: str, now: dt.datetime, note: str = "",
            travel_minutes: int | None = None, warning: dict | None = None, override_reason: str = "",
            by_hand: bool = False) -> Order:
    """Give the order to the caregiver (its timeline, audit, and her message). The database
    refuses a caregiver booked at once for another order (migration 0006), should two
    dispatchers choose her in the same moment."""
    before = order.caregiver_id
    changes = {"caregiver": [before, caregiver.pk]}
    if override_reason:  # the warning itself is on the order, in the reader's language
        changes["override_reason"] = override_reason
    try:
        with transaction.atomic():
            order = transition(order, S.DISPATCHED, by=by, allowed=ASSIGNABLE, event=event, now=now, note=note,
                               travel_minutes=travel_minutes, changes=changes, caregiver=caregiver,
                               warning=warning or {}, override_reason=override_reason, assigned_by_hand=by_hand)
    except IntegrityError:
        raise invalid("caregiver", _("%(name)s is booked at the same time for another order.") % {
            "name": caregiver.name}, "overlap") from None
    notifications.tell_caregiver_dispatched(order, at=now)
    return order


@transaction.atomic
def dispatch_order(order: Order, *, by=None, exclude: tuple[int, ...] = (), now: dt.datetime | None = None) -> Order:
    """Give the order to the caregiver of its provider who fits it with the least added
    travel (see the module docstring). When nobody fits, it stays `created` on the
    provider's board, with a timeline note."""
    now = now or timezone.now()
    if order.status != S.CREATED:
        raise ValidationError(_("Only a new order is dispatched automatically."), code="wrong_status")
    provider = order.provider
    if provider.is_blacklisted or not provider.active:
        raise ValidationError(_("This provider does not take orders."), code="provider_closed")
    caregivers = list(provider.caregivers.filter(active=True).with_skill(order.item.skill).exclude(pk__in=exclude)
                      .select_related("provider").order_by("name", "id"))
    options = planning.options_for(order, caregivers=caregivers) if planning.location_of(order) else []
    choice = options[0] if options and options[0].ok else None
    if choice is None:
        last = order.events.order_by("-at", "-id").values_list("kind", flat=True).first()
        if last != OrderEvent.Kind.NOT_DISPATCHED:
            add_event(order, K.NOT_DISPATCHED, at=now)
        return order
    order = _assign(order, choice.caregiver, by=by, event=K.DISPATCHED, now=now,
                    travel_minutes=round(choice.fit.added_seconds / 60))
    _retime_route(order, choice.caregiver, choice.fit.index, _local_day(order))
    return order


@transaction.atomic
def assign_order(order: Order, *, by, caregiver: Caregiver, note: str = "", override_reason: str = "",
                 now: dt.datetime | None = None) -> Order:
    """The provider's manager gives the order to a caregiver of theirs by hand (also to take
    it from one who accepted it). She must have the skill and no other visit booked at once;
    one who does not fit otherwise (off shift, late, past the shift's end) needs a reason,
    and the order keeps a warning. The route planner keeps the order with her."""
    if not queries.manages(by, order.provider_id):
        raise PermissionDenied
    if caregiver.provider_id != order.provider_id or not caregiver.active:
        raise invalid("caregiver", _("Choose an active caregiver of this provider."), "caregiver")
    option = planning.options_for(order, caregivers=[caregiver])[0]
    fit, day = option.fit, _local_day(order)
    if P.SKILL in fit.problems:
        raise invalid("caregiver", _("%(name)s is not qualified for this service.") % {"name": caregiver.name}, "skill")
    if P.OVERLAP in fit.problems:
        raise invalid("caregiver", _("%(name)s is booked at the same time for order %(orders)s.") % {
            "name": caregiver.name, "orders": ", ".join(f"#{k}" for k in fit.overlaps)}, "overlap")
    reason = override_reason.strip()
    if not fit.ok and len(reason) < 2:
        raise invalid("override_reason", _("%(name)s does not fit this order: %(problems)s. Give a reason to "
                                           "dispatch it to her all the same.") % {
            "name": caregiver.name, "problems": option.reason()}, "override_needed")
    if order.caregiver_id == caregiver.pk and order.status != S.CREATED:
        return order
    now = now or timezone.now()
    warning = planning.warning_of(fit, day)
    order = _assign(order, caregiver, by=by, event=K.REASSIGNED, now=now, by_hand=True, warning=warning,
                    override_reason=reason if warning else "",
                    note=" · ".join(x for x in (note.strip(), reason if warning else "") if x))
    for key, start in fit.late_starts:  # what the override makes late is warned too
        other = Order.objects.get(pk=key)
        Order.objects.filter(pk=key).update(warning=_late_warning(other, True, planning.clock(day, start)))
    _retime_route(order, caregiver, fit.index, day)
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
                       note=reason.strip(), caregiver=None, warning={}, override_reason="", assigned_by_hand=False)
    RouteStop.objects.filter(order=order).delete()
    earlier = set(order.events.filter(kind=K.DECLINED).values_list("caregiver_id", flat=True)) | {declined_by}
    return dispatch_order(order, exclude=tuple(c for c in earlier if c), now=now)


@transaction.atomic
def start_travel(order: Order, *, by, now: dt.datetime | None = None) -> Order:
    """The caregiver sets off to the elder (the elder's app can show "on the way")."""
    if not queries.is_caregiver_of(by, order):
        raise PermissionDenied
    order = transition(order, S.EN_ROUTE, by=by, allowed=[S.ACCEPTED], event=K.EN_ROUTE, now=now)
    notifications.tell_elder(order, template="order.on_the_way", at=now)
    return order


# -- route planning --------------------------------------------------------------------------
def _late_warning(order: Order, late: bool, start: str) -> dict:
    """The order's warning with the planner's "late" put in or taken out."""
    warning = dict(order.warning or {})
    codes = [c for c in warning.get("codes", []) if c != P.LATE]
    if late:
        codes.append(P.LATE)
        warning.update(start=start, starts_late=True, late=warning.get("late", []))
    if not codes:
        return {}
    warning["codes"] = codes
    return warning


@transaction.atomic
def plan_routes(provider: Provider, *, day: dt.date, by=None, seconds: float | None = None) -> RoutePlan:
    """Plan the day of the provider's caregivers with PyVRP: every order of the day not yet
    done, with its window, duration and skill, over the caregivers on shift (each from and
    back to their home base). Orders a caregiver has accepted, and those the manager gave by
    hand, stay theirs — in their route even when the solver cannot fit them (off shift by
    override, say), warned when late; the others go to whoever the plan gives them. What
    nobody can take is listed as unassigned and left for the manager. Planning the day
    again replaces its plan."""
    if by is not None and not queries.manages(by, provider.pk) and not queries.supervises(by, provider.region_code):
        raise PermissionDenied
    orders = list(queries.orders_of_day(provider, day).filter(status__in=queries.IN_PLAN)
                  .select_related("elder__community", "caregiver__provider"))
    caregivers = list(provider.caregivers.filter(active=True).select_related("provider"))
    by_caregiver = {c.pk: c for c in caregivers}
    workers = planning.workers_on(day, caregivers)
    visits, unplaceable, kept = [], [], []
    for o in orders:
        v = planning.visit_of(o, day)
        fixed = planning.is_fixed(o) and o.caregiver_id in by_caregiver
        if fixed and (v is None or v.caregiver not in workers):
            kept.append(o)  # hers all the same, timed into her route below
        elif v is None:
            unplaceable.append(o.pk)
        else:
            visits.append(v)
    result = plan_day(visits, list(workers.values()), travel=planning.travel_model(),
                      seconds=seconds or settings.ROUTE_SECONDS)
    by_id = {o.pk: o for o in orders}
    routes: dict[int, list[Order]] = {k: [by_id[s.key] for s in r] for k, r in result.routes.items()}
    starts = {s.key: s.start for r in result.routes.values() for s in r}
    unassigned = []
    for key in result.unassigned:
        o = by_id[key]
        if planning.is_fixed(o) and o.caregiver_id in by_caregiver:
            kept.append(o)
        else:
            unassigned.append(key)
            if o.status == S.DISPATCHED:  # not accepted: back on the board rather than in nobody's route
                by_id[key] = transition(o, S.CREATED, by=by, allowed=[S.DISPATCHED], event=K.NOT_DISPATCHED,
                                        now=timezone.now(), caregiver=None, warning={}, override_reason="",
                                        assigned_by_hand=False)
    for o in kept:  # in time order among the solver's stops
        routes.setdefault(o.caregiver_id, []).append(o)
        day_visit = planning.rules_visit(o, day, fallback=(0.0, 0.0))
        for other in list(routes[o.caregiver_id]):  # what cannot be done beside it goes back to the board
            if other.pk != o.pk and not planning.is_fixed(other) and dispatch_rules.at_once(
                    day_visit, planning.rules_visit(other, day, fallback=(0.0, 0.0))):
                routes[o.caregiver_id].remove(other)
                unassigned.append(other.pk)
                if other.status == S.DISPATCHED:
                    by_id[other.pk] = transition(other, S.CREATED, by=by, allowed=[S.DISPATCHED],
                                                 event=K.NOT_DISPATCHED, now=timezone.now(), caregiver=None,
                                                 warning={}, override_reason="", assigned_by_hand=False)
    now = timezone.now()
    plan, _created = RoutePlan.objects.update_or_create(
        provider=provider, day=day,
        defaults={"region_code": provider.region_code, "planned_at": now, "planned_by": by,
                  "solve_seconds": round(result.solve_seconds, 2), "travel_seconds": 0,
                  "travel_metres": 0, "unassigned": sorted(unassigned + unplaceable)},
    )
    plan.stops.all().delete()
    # Orders changing hands are let go first, so that no two meet in one caregiver's day
    # (which the database refuses) while they move; each is then given as planned.
    moving = [o.pk for k, route in routes.items() for o in route if o.caregiver_id not in (None, k)]
    Order.objects.filter(pk__in=moving, status=S.DISPATCHED).update(caregiver=None)
    travel_s = travel_m = 0
    for caregiver_id, route in routes.items():
        caregiver = by_caregiver[caregiver_id]
        if any(o.pk not in starts for o in route):
            route.sort(key=lambda o: (starts.get(o.pk, planning.seconds_of_day(o.window_start, day)), o.pk))
        for o in route:
            if o.caregiver_id != caregiver_id:
                if planning.is_fixed(o):  # the solver kept fixed orders fixed; never move one
                    raise RuntimeError(f"planner moved a fixed order {o.pk}")
                by_id[o.pk] = _assign(o, caregiver, by=by, event=K.PLANNED, now=now)
            elif o.status == S.CREATED:
                by_id[o.pk] = _assign(o, caregiver, by=by, event=K.PLANNED, now=now)
        timed = _write_route(plan, caregiver, [by_id[o.pk] for o in route], day)
        worker = _worker(caregiver, day, [v for _s, v in timed])
        for stop, visit in timed:
            travel_s, travel_m = travel_s + stop.travel_seconds, travel_m + stop.travel_metres
            o = by_id[stop.key]
            warning = _late_warning(o, stop.start > visit.latest, planning.clock(day, stop.start))
            if warning != (o.warning or {}):
                Order.objects.filter(pk=o.pk).update(warning=warning)
        if timed and worker is not None:
            last_stop, last_visit = timed[-1]
            back_m = planning.travel_model().metres(last_visit.point, worker.point)
            travel_s, travel_m = travel_s + planning.travel_model().seconds_for(back_m), travel_m + back_m
    RoutePlan.objects.filter(pk=plan.pk).update(travel_seconds=travel_s, travel_metres=travel_m)
    plan.refresh_from_db()
    planned = plan.stops.count()
    record(by, AuditEntry.Action.CHANGE, plan, verb="route_plan.plan", changes={
        "day": day.isoformat(), "orders": len(orders), "planned": planned, "unassigned": len(plan.unassigned),
        "caregivers": len([r for r in routes.values() if r]), "travel_seconds": travel_s})
    return plan


@transaction.atomic
def request_route_plan(provider: Provider, *, day: dt.date, by, now: dt.datetime | None = None) -> RoutePlanRun:
    """Ask for the day to be planned (plan_routes) in the background (tasks.plan_day), not
    while the page waits: the routes page shows the run's progress. A day already waiting
    or being planned is not asked for twice."""
    from kangyang.services import tasks

    if not queries.manages(by, provider.pk) and not queries.supervises(by, provider.region_code):
        raise PermissionDenied
    now = now or timezone.now()
    if day < timezone.localdate(now):
        raise invalid("day", _("A day that has passed is not planned."), "past")
    busy = RoutePlanRun.objects.filter(provider=provider, day=day, status__in=RoutePlanRun.BUSY).first()
    if busy is not None:
        return busy
    run = RoutePlanRun.objects.create(provider=provider, region_code=provider.region_code, day=day, requested_by=by,
                                      requested_at=now, seconds=settings.ROUTE_SECONDS)
    record(by, AuditEntry.Action.CREATE, run, verb="route_plan.request", changes={"day": day.isoformat()})
    transaction.on_commit(partial(tasks.plan_day.enqueue, run.pk))
    return run


def run_route_plan(run: RoutePlanRun) -> RoutePlanRun:
    """Do a requested planning (the background task). A run is claimed once: a second
    worker, or a second call, finds it taken and does nothing."""
    claimed = RoutePlanRun.objects.filter(pk=run.pk, status=RoutePlanRun.Status.QUEUED).update(
        status=RoutePlanRun.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        run.refresh_from_db()
        return run
    try:
        plan = plan_routes(run.provider, day=run.day, by=run.requested_by, seconds=run.seconds or None)
    except (ValidationError, PermissionDenied, DatabaseError) as e:
        log.exception("planning %s failed", run.pk)
        message = "; ".join(e.messages) if isinstance(e, ValidationError) else str(e) or type(e).__name__
        RoutePlanRun.objects.filter(pk=run.pk).update(status=RoutePlanRun.Status.FAILED, finished_at=timezone.now(),
                                                      message=message[:2000])
    else:
        RoutePlanRun.objects.filter(pk=run.pk).update(status=RoutePlanRun.Status.DONE, finished_at=timezone.now(),
                                                      planned=plan.stops.count(), unassigned=len(plan.unassigned))
    run.refresh_from_db()
    return run


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
