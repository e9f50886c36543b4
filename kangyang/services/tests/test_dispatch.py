"""Dispatch you can trust (issue 12 §1): the caregivers offered with reasons, overrides with a
reason that leave a warning, never two visits at once (the action and the database), the
planner keeping accepted and hand-given orders, the phone list in time order, the check-in
time flags, planning in the background, and the messages of an order's steps."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from kangyang.lib import residentid
from kangyang.notify.models import Delivery
from kangyang.registry.actions import create_elder
from kangyang.services import actions, planning, queries
from kangyang.services.actions import Fix
from kangyang.services.models import Order, RoutePlan, RoutePlanRun, ServiceVisitFlag, Skill
from kangyang.services.tests.conftest import ALL_DAY, HOME, local, metres_north

S = Order.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def late_starter(home_provider):
    """A caregiver with every skill whose shift starts at 11:00 (every day), living by the compound."""
    lat, lng = metres_north(HOME, 300)
    c = actions.add_caregiver(home_provider, by=None, name="晚班护理员", skills=Skill.values, home_lat=lat, home_lng=lng)
    return actions.set_shifts(c, by=None, shifts={d: (dt.time(11), dt.time(20)) for d in range(1, 8)})


@pytest.fixture
def ten_oclock(worker_a, funded_elder, catalogue, carer, tomorrow):
    """Cleaning tomorrow 10:00–10:30, dispatched automatically (to the caregiver on shift)."""
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                window_start=local(tomorrow, 10))
    assert order.caregiver == carer
    return order


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


# -- who is offered ----------------------------------------------------------------------------
def test_only_caregivers_who_fit_are_offered_with_reasons_and_the_off_shift_one_by_override(
        ten_oclock, carer, far_carer, late_starter):
    options = planning.options_for(ten_oclock)
    fitting = [o.caregiver for o in options if o.ok]
    assert fitting == [carer, far_carer]  # the nearer first: least added travel
    with translation.override("en"):
        assert options[0].reason() == "on shift 07:00–20:00, 2.6 km added, 0 visits today"  # there and back
        off = next(o for o in options if o.caregiver == late_starter)
        assert off.allowed and not off.ok
        assert off.reason() == "off shift (shift 11:00–20:00)"


def test_automatic_dispatch_never_gives_an_order_to_a_caregiver_off_shift(worker_a, funded_elder, catalogue,
                                                                          late_starter, tomorrow):
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                window_start=local(tomorrow, 9))
    assert order.status == S.CREATED and order.caregiver is None
    assert order.events.filter(kind="not_dispatched").exists()
    later = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                window_start=local(tomorrow, 12))
    assert later.caregiver == late_starter


def test_an_off_shift_caregiver_needs_a_reason_and_the_order_keeps_the_warning(provider, ten_oclock, late_starter):
    with pytest.raises(ValidationError) as refused:
        actions.assign_order(ten_oclock, by=provider, caregiver=late_starter)
    assert refused.value.error_dict["override_reason"][0].code == "override_needed"
    assert fresh(ten_oclock).caregiver != late_starter
    order = actions.assign_order(ten_oclock, by=provider, caregiver=late_starter, override_reason="老人指定")
    assert order.caregiver == late_starter and order.warning_codes == ["off_shift"]
    assert order.override_reason == "老人指定" and order.assigned_by_hand
    with translation.override("en"):
        assert order.warning_text() == "Dispatched against the rules: off shift (shift 11:00–20:00)."
    assert order.events.filter(kind="reassigned", note__contains="老人指定").exists()


def test_reassigning_to_someone_who_fits_clears_the_warning(provider, ten_oclock, late_starter, far_carer):
    actions.assign_order(ten_oclock, by=provider, caregiver=late_starter, override_reason="老人指定")
    order = actions.assign_order(fresh(ten_oclock), by=provider, caregiver=far_carer)
    assert order.warning == {} and order.override_reason == ""


def test_no_reason_lets_a_caregiver_without_the_skill_or_booked_at_once_take_it(
        provider, worker_a, funded_elder, catalogue, carer, far_carer, home_provider, tomorrow):
    cook = actions.add_caregiver(home_provider, by=provider, name="只会助餐", skills=[Skill.MEALS])
    actions.set_shifts(cook, by=provider, shifts=ALL_DAY)
    first = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 15))
    second = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 15))
    assert {first.caregiver, second.caregiver} == {carer, far_carer}  # never both to one caregiver
    with pytest.raises(ValidationError) as e:
        actions.assign_order(second, by=provider, caregiver=cook, override_reason="试试")
    assert e.value.error_dict["caregiver"][0].code == "skill"
    with pytest.raises(ValidationError) as e:
        actions.assign_order(second, by=provider, caregiver=first.caregiver, override_reason="老人指定")
    assert e.value.error_dict["caregiver"][0].code == "overlap"


def test_the_database_refuses_a_caregiver_booked_twice_at_once(worker_a, funded_elder, catalogue, carer, far_carer,
                                                               tomorrow):
    first = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 15))
    second = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 15))
    assert first.busy_from == local(tomorrow, 15, 30) and first.busy_until == local(tomorrow, 16)
    with pytest.raises(IntegrityError), transaction.atomic():  # as a second dispatcher racing the first would
        Order.objects.filter(pk=second.pk).update(caregiver=first.caregiver)
    Order.objects.filter(pk=first.pk).update(status=S.CANCELLED)  # a cancelled order holds nobody's time
    Order.objects.filter(pk=second.pk).update(caregiver=first.caregiver)
    assert fresh(second).caregiver == first.caregiver


# -- the board, the order page, the API --------------------------------------------------------
def test_the_board_offers_the_fitting_with_reasons_and_the_others_behind_an_override(
        client, provider, ten_oclock, carer, late_starter, tomorrow):
    client.force_login(provider)
    with translation.override("en"):
        page = client.get("/services/board/", {"day": tomorrow.isoformat()}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    fitting = page.split("data-fitting>")[1].split("</select>")[0]
    others = page.split("data-others>")[1].split("</select>")[0]
    assert "熊秀梅 · on shift 07:00–20:00" in fitting and late_starter.name not in fitting
    assert f'value="{late_starter.pk}">晚班护理员 · off shift (shift 11:00–20:00)' in others
    assert 'name="override_reason" required' in page
    r = client.post(f"/services/orders/{ten_oclock.pk}/assign/", {
        "caregiver": late_starter.pk, "from": "board", "day": tomorrow.isoformat()}, **HTMX)
    assert "flash refused" in r.content.decode() and fresh(ten_oclock).caregiver == carer
    r = client.post(f"/services/orders/{ten_oclock.pk}/assign/", {
        "caregiver": late_starter.pk, "override_reason": "老人指定", "from": "board", "day": tomorrow.isoformat()}, **HTMX)
    assert 'data-warning="off_shift"' in r.content.decode() and fresh(ten_oclock).caregiver == late_starter
    detail = client.get(f"/services/orders/{ten_oclock.pk}/").content.decode()
    assert 'data-warning="off_shift"' in detail and "老人指定" in detail


def test_the_api_lists_the_choices_and_needs_an_override_reason(client, api_token, provider, ten_oclock, carer,
                                                                late_starter):
    headers = api_token(provider)
    r = client.get(f"/api/v1/orders/{ten_oclock.pk}/caregivers", **headers)
    assert r.status_code == 200
    rows = {row["caregiver"]: row for row in r.json()}
    assert rows[carer.pk]["fits"] and rows[carer.pk]["visits_today"] == 0
    assert rows[late_starter.pk]["problems"] == ["off_shift"] and rows[late_starter.pk]["allowed"]
    url = f"/api/v1/orders/{ten_oclock.pk}/assign"
    r = client.post(url, {"caregiver": late_starter.pk}, content_type="application/json", **headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "override_needed"
    assert list(r.json()["error"]["fields"]) == ["override_reason"]
    r = client.post(url, {"caregiver": late_starter.pk, "override_reason": "老人指定"}, content_type="application/json",
                    **headers)
    assert r.status_code == 200
    warning = r.json()["warning"]
    assert warning["codes"] == ["off_shift"] and warning["reason"] == "老人指定" and warning["text"]
    assert client.get(f"/api/v1/orders/{ten_oclock.pk}", **headers).json()["warning"]["codes"] == ["off_shift"]


# -- the planner and the phone list ---------------------------------------------------------
def test_the_planner_keeps_an_accepted_and_a_hand_given_order_with_their_caregiver(
        provider, caregiver, worker_a, funded_elder, catalogue, carer, late_starter, tomorrow):
    accepted = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                   window_start=local(tomorrow, 10))
    accepted = actions.accept_order(accepted, by=caregiver)
    given = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"],
                                window_start=local(tomorrow, 9), dispatch=False)
    given = actions.assign_order(given, by=provider, caregiver=late_starter, override_reason="老人指定")
    plan = actions.plan_routes(accepted.provider, day=tomorrow, by=provider, seconds=0.5)
    assert plan.unassigned == []
    assert fresh(accepted).caregiver == carer and plan.stops.get(order=accepted).caregiver == carer
    stop = plan.stops.get(order=given)
    assert stop.caregiver == late_starter and stop.start == local(tomorrow, 9)  # off shift, as the manager chose
    assert fresh(given).warning_codes == ["off_shift"]


def test_the_phone_list_is_in_time_order_with_a_plan_and_an_order_added_after_it(
        provider, worker_a, funded_elder, catalogue, carer, tomorrow):
    orders = [actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                  window_start=local(tomorrow, h)) for h in (15, 10)]
    actions.plan_routes(carer.provider, day=tomorrow, by=provider, seconds=0.5)
    added = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 8))
    assert added.caregiver == carer
    listed = list(queries.caregiver_day(carer, tomorrow))
    assert [o.pk for o in listed] == [added.pk, orders[1].pk, orders[0].pk]
    assert [o.stop.start for o in listed] == sorted(o.stop.start for o in listed)


# -- check-in time -----------------------------------------------------------------------------
@pytest.mark.parametrize("minutes, code", [(-150, "early_check_in"), (-90, None), (15, None), (45, "late_check_in")])
def test_a_check_in_long_before_or_after_the_window_is_flagged_not_refused(
        settings, minutes, code, caregiver, ten_oclock, tomorrow):
    settings.EARLY_CHECK_IN = dt.timedelta(hours=2)
    actions.accept_order(ten_oclock, by=caregiver)
    at = local(tomorrow, 10) + dt.timedelta(minutes=minutes)
    visit = actions.check_in(fresh(ten_oclock), by=caregiver, fix=Fix(*HOME, accuracy_m=10), now=at)
    flags = list(visit.flags.values_list("code", flat=True))
    assert fresh(ten_oclock).status == S.CHECKED_IN
    assert flags == ([code] if code else [])
    if code:
        flag = visit.flags.get()
        with translation.override("en"):
            expected = "150 minutes before the window" if minutes < 0 else "15 minutes after the window"
            assert flag.describe() == expected
        assert str(ServiceVisitFlag.Code(code).label)


# -- planning in the background ----------------------------------------------------------------
def test_planning_is_asked_for_once_and_done_by_the_task(settings, provider, ten_oclock, tomorrow,
                                                         django_capture_on_commit_callbacks):
    settings.ROUTE_SECONDS = 0.5
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run = actions.request_route_plan(ten_oclock.provider, day=tomorrow, by=provider)
        again = actions.request_route_plan(ten_oclock.provider, day=tomorrow, by=provider)
    assert again == run and len(queued) == 1 and run.status == RoutePlanRun.Status.QUEUED and run.progress() == 0
    assert not RoutePlan.objects.exists()
    queued[0]()  # the worker
    run.refresh_from_db()
    assert run.status == RoutePlanRun.Status.DONE and run.planned == 1 and run.progress() == 100
    assert actions.run_route_plan(run).status == RoutePlanRun.Status.DONE  # claimed once
    with pytest.raises(ValidationError):
        actions.request_route_plan(ten_oclock.provider, day=tomorrow - dt.timedelta(days=3), by=provider)


# -- messages ----------------------------------------------------------------------------------
@pytest.fixture
def elder_with_phone(worker_a, community_a):
    return create_elder(by=worker_a, name="邹桂兰", id_number=residentid.make("360103", dt.date(1944, 3, 2), 31),
                        community=community_a, compound=community_a.compounds.first(), phone="13979100777",
                        address="桃花小区2栋202")


def test_the_caregiver_is_told_on_dispatch_and_the_elder_on_the_way_and_at_check_in(
        worker_a, caregiver, elder_with_phone, catalogue, carer, tomorrow):
    order = actions.place_order(by=worker_a, elder=elder_with_phone, item=catalogue["cleaning"],
                                window_start=local(tomorrow, 10))
    assert order.caregiver == carer
    told = Delivery.objects.get(template="order.dispatched")
    assert told.audience == "caregiver" and told.kind == "order" and told.key.endswith(f"caregiver:{carer.pk}")
    order = actions.accept_order(order, by=caregiver)
    actions.start_travel(order, by=caregiver)
    actions.check_in(fresh(order), by=caregiver, fix=Fix(*HOME, accuracy_m=10))
    to_elder = Delivery.objects.filter(audience="elder")
    assert sorted(to_elder.values_list("template", flat=True)) == ["order.checked_in", "order.on_the_way"]
    assert all(d.address_masked.startswith("139") for d in to_elder)


def test_a_step_recorded_long_after_it_happened_tells_nobody(provider, worker_a, elder_with_phone, catalogue,
                                                             carer, far_carer, tomorrow):
    order = actions.place_order(by=worker_a, elder=elder_with_phone, item=catalogue["cleaning"],
                                window_start=local(tomorrow, 10), dispatch=False)
    actions.assign_order(order, by=provider, caregiver=far_carer, now=local(tomorrow, 10) - dt.timedelta(days=3))
    assert not Delivery.objects.exists()
