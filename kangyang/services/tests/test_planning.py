"""Planning a provider's day from the database (actions.plan_routes on PyVRP), inserting an
urgent order into today's plan, and the evening planning of the next day."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from kangyang.services import actions, planning
from kangyang.services.models import Order, RoutePlan, RouteStop, Skill
from kangyang.services.tests.conftest import ALL_DAY, HOME, local

S = Order.Status


@pytest.fixture
def day_of_orders(worker_a, funded_elder, elder_in_a, catalogue, carer, far_carer, tomorrow):
    """Tomorrow: six orders of two elders in community A, with flexible windows."""
    orders = []
    for elder, code, hour, end in [
        (funded_elder, "meal", 11, 12), (elder_in_a, "meal", 11, 12), (funded_elder, "cleaning", 8, 12),
        (elder_in_a, "housekeeping", 14, 17), (funded_elder, "health_check", 16, 18), (elder_in_a, "bathing", 9, 10),
    ]:
        orders.append(actions.place_order(by=worker_a, elder=elder, item=catalogue[code], window_start=local(tomorrow, hour),
                                          window_end=local(tomorrow, end), flexible=True))
    return orders


def test_the_day_is_planned_with_every_order_once_in_its_window(provider, day_of_orders, home_provider, tomorrow):
    plan = actions.plan_routes(home_provider, day=tomorrow, by=provider, seconds=1)
    stops = list(RouteStop.objects.filter(plan=plan).select_related("order"))
    assert sorted(s.order_id for s in stops) == sorted(o.pk for o in day_of_orders)
    assert plan.unassigned == []
    for s in stops:
        assert s.order.window_start <= s.start <= s.order.window_end
        assert s.order.caregiver_id == s.caregiver_id
        assert s.order.status == S.DISPATCHED
    for caregiver_id in {s.caregiver_id for s in stops}:
        route = sorted((s for s in stops if s.caregiver_id == caregiver_id), key=lambda s: s.position)
        for a, b in zip(route, route[1:]):  # one visit ends before the next starts
            assert a.start + dt.timedelta(minutes=a.order.planned_minutes) <= b.arrival
    assert plan.travel_metres > 0


def test_planning_keeps_accepted_orders_with_their_caregiver(provider, caregiver, day_of_orders, home_provider, carer, tomorrow):
    mine = [o for o in day_of_orders if o.caregiver == carer]
    actions.accept_order(mine[0], by=caregiver)
    actions.plan_routes(home_provider, day=tomorrow, by=provider, seconds=1)
    assert Order.objects.get(pk=mine[0].pk).caregiver == carer
    assert Order.objects.get(pk=mine[0].pk).status == S.ACCEPTED


def test_a_skill_nobody_on_shift_has_stays_unassigned(provider, worker_a, funded_elder, catalogue, home_provider, tomorrow):
    cook = actions.add_caregiver(home_provider, by=provider, name="厨师", skills=[Skill.MEALS],
                                 home_lat=HOME[0], home_lng=HOME[1])
    actions.set_shifts(cook, by=provider, shifts=ALL_DAY)
    bath = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 9))
    lunch = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 11))
    plan = actions.plan_routes(home_provider, day=tomorrow, by=provider, seconds=1)
    assert plan.unassigned == [bath.pk]
    assert list(plan.stops.values_list("order_id", flat=True)) == [lunch.pk]


def test_only_the_manager_or_a_supervisor_plans(worker_b, caregiver, home_provider, tomorrow):
    for user in (worker_b, caregiver):
        with pytest.raises(PermissionDenied):
            actions.plan_routes(home_provider, day=tomorrow, by=user, seconds=1)


def test_an_urgent_order_is_inserted_into_todays_plan(provider, operator, worker_a, funded_elder, catalogue, carer,
                                                       home_provider, today):
    # Every hour of today works: the provider opens all day and the caregiver's shift lasts all day.
    actions.set_shifts(carer, by=provider, shifts={d: (dt.time(0, 0), dt.time(23, 59)) for d in range(1, 8)})
    now = local(today, 6)
    routine = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], urgent=True,
                                  window_start=local(today, 20), window_end=local(today, 21), now=now)
    plan = actions.plan_routes(home_provider, day=today, by=provider, seconds=1)
    assert plan.stops.count() == 1
    urgent = actions.place_order(by=operator, elder=funded_elder, item=catalogue["urgent"], urgent=True,
                                 window_start=local(today, 7), window_end=local(today, 8), now=now)
    assert urgent.status == S.DISPATCHED and urgent.caregiver == carer
    route = list(RouteStop.objects.filter(plan=plan, caregiver=carer).order_by("position"))
    assert [s.order_id for s in route] == [urgent.pk, routine.pk]
    assert local(today, 7) <= route[0].start <= local(today, 8)


def test_the_evening_sweep_plans_tomorrow_once(day_of_orders, home_provider, today, tomorrow):
    assert actions.plan_next_day(now=local(today, 17), seconds=1) == 0
    assert actions.plan_next_day(now=local(today, 18, 30), seconds=1) == 1
    assert actions.plan_next_day(now=local(today, 19), seconds=1) == 0
    assert RoutePlan.objects.get(provider=home_provider, day=tomorrow).stops.count() == len(day_of_orders)


def test_a_caregiver_without_a_home_base_starts_from_the_provider(home_provider, tomorrow):
    c = actions.add_caregiver(home_provider, by=None, name="无住址", skills=[Skill.MEALS])
    actions.set_shifts(c, by=None, shifts=ALL_DAY)
    worker = planning.workers_on(tomorrow, [c])[c.pk]
    assert (worker.lat, worker.lng) == (home_provider.lat, home_provider.lng)
    assert worker.shift_start == 7 * 3600 and worker.shift_end == 20 * 3600

