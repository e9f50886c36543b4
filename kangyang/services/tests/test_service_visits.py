"""Verified visits, called directly: the radius check in every coordinate system, the flags
(far, imprecise, no location, too short, overlap, impossible travel, no check-out), the
review, and the sweep that finds missing check-outs."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from kangyang.lib import coords
from kangyang.services import actions
from kangyang.services.actions import Fix
from kangyang.services.models import Order, ServiceVisit, ServiceVisitFlag
from kangyang.services.tests.conftest import HOME, local, metres_north
from kangyang.allowances import queries as allowance_queries

F = ServiceVisitFlag.Code
S = Order.Status


@pytest.fixture
def order_for(worker_a, funded_elder, catalogue, carer, caregiver, tomorrow):
    """A function: (item code, hour) → an order of the funded elder accepted by the caregiver."""

    def make(code: str = "cleaning", hour: int = 9, quantity: int = 1) -> Order:
        order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue[code], quantity=quantity,
                                    window_start=local(tomorrow, hour))
        return actions.accept_order(order, by=caregiver)

    return make


def flags(service_visit) -> set[str]:
    return set(ServiceVisitFlag.objects.filter(service_visit=service_visit).values_list("code", flat=True))


def visit_at(order, caregiver, point, *, minutes: int, start: dt.datetime, accuracy=15, system="wgs84"):
    if system == "gcj02":
        lng, lat = coords.wgs84_to_gcj02(point[1], point[0])
    elif system == "bd09":
        lng, lat = coords.wgs84_to_bd09(point[1], point[0])
    else:
        lat, lng = point
    fix = Fix(lat, lng, accuracy_m=accuracy, system=system)
    actions.check_in(order, by=caregiver, fix=fix, now=start)
    return actions.check_out(Order.objects.get(pk=order.pk), by=caregiver, fix=fix, notes="已完成",
                             now=start + dt.timedelta(minutes=minutes))


@pytest.mark.parametrize("system", ["wgs84", "gcj02", "bd09"])
def test_a_check_in_at_home_passes_in_any_coordinate_system(order_for, caregiver, system, today):
    order = order_for()
    service_visit = visit_at(order, caregiver, metres_north(HOME, 50), minutes=60, start=local(today, 9), system=system)
    assert service_visit.check_in_ok is True and service_visit.check_out_ok is True
    assert 45 <= service_visit.check_in_distance_m <= 55
    assert service_visit.review == ServiceVisit.Review.NOT_NEEDED and not flags(service_visit)


def test_gcj02_taken_as_wgs84_would_be_hundreds_of_metres_off(order_for, caregiver, today):
    """Why the conversion matters: the GCJ-02 offset in Nanchang is several hundred metres."""
    lng, lat = coords.wgs84_to_gcj02(HOME[1], HOME[0])
    order = order_for()
    actions.check_in(order, by=caregiver, fix=Fix(lat, lng, accuracy_m=10, system="wgs84"), now=local(today, 9))
    service_visit = ServiceVisit.objects.get(order=order)
    assert service_visit.check_in_distance_m > 300 and F.FAR_AT_CHECK_IN in flags(service_visit)


def test_a_check_in_2_km_away_is_recorded_and_flagged_not_refused(order_for, caregiver, today):
    order = order_for()
    service_visit = visit_at(order, caregiver, metres_north(HOME, 2000), minutes=60, start=local(today, 9))
    assert Order.objects.get(pk=order.pk).status == S.CHECKED_OUT
    assert 1990 <= service_visit.check_in_distance_m <= 2010 and service_visit.check_in_ok is False
    assert {F.FAR_AT_CHECK_IN, F.FAR_AT_CHECK_OUT} <= flags(service_visit)
    assert service_visit.review == ServiceVisit.Review.PENDING
    flag = ServiceVisitFlag.objects.get(service_visit=service_visit, code=F.FAR_AT_CHECK_IN)
    assert 1990 <= flag.facts["distance_m"] <= 2010 and flag.facts["accuracy_m"] == 15
    assert str(flag.facts["distance_m"]) in flag.describe()


def test_an_imprecise_fix_near_home_is_imprecise_not_far(order_for, caregiver, today):
    order = order_for()
    actions.check_in(order, by=caregiver, fix=Fix(*metres_north(HOME, 500), accuracy_m=400), now=local(today, 9))
    assert flags(ServiceVisit.objects.get(order=order)) == {F.IMPRECISE}


def test_no_location_still_checks_in_and_is_flagged(order_for, caregiver, today):
    order = order_for()
    service_visit = actions.check_in(order, by=caregiver, fix=None, now=local(today, 9))
    assert service_visit.check_in_ok is None and flags(service_visit) == {F.NO_LOCATION}


def test_too_short_is_flagged(order_for, caregiver, today):
    order = order_for("cleaning", quantity=2)  # 120 planned minutes
    service_visit = visit_at(order, caregiver, HOME, minutes=50, start=local(today, 9))
    assert flags(service_visit) == {F.TOO_SHORT}


def test_overlapping_visits_of_one_caregiver_are_flagged(order_for, caregiver, today):
    first, second = order_for("cleaning", 9), order_for("bathing", 14)
    actions.check_in(first, by=caregiver, fix=Fix(*HOME, accuracy_m=10), now=local(today, 9))
    service_visit = actions.check_in(second, by=caregiver, fix=Fix(*HOME, accuracy_m=10), now=local(today, 9, 20))
    assert F.OVERLAP in flags(service_visit)


def test_impossible_travel_between_two_homes_is_flagged(order_for, caregiver, provider, worker_a, elder_in_a, catalogue, today, tomorrow):
    first = order_for("cleaning", 9)
    visit_at(first, caregiver, HOME, minutes=60, start=local(today, 9))
    # A second elder 10 km away, checked in 5 minutes after the first check-out.
    from kangyang.regions.models import Compound, Household

    Compound.objects.filter(pk=elder_in_a.compound_id).update(lat=HOME[0] + 0.09)
    Household.objects.filter(pk=elder_in_a.household_id).update(lat=HOME[0] + 0.09)
    second = actions.place_order(by=worker_a, elder=elder_in_a, item=catalogue["meal"], window_start=local(tomorrow, 11))
    second = actions.assign_order(second, by=provider, caregiver=first.caregiver)
    assert second.caregiver == first.caregiver
    actions.accept_order(second, by=caregiver)
    service_visit = actions.check_in(second, by=caregiver, fix=Fix(HOME[0] + 0.09, HOME[1], accuracy_m=10),
                             now=local(today, 10, 5))
    assert flags(service_visit) == {F.IMPOSSIBLE_TRAVEL}


def test_only_the_assigned_caregiver_checks_in(order_for, provider, today):
    with pytest.raises(PermissionDenied):
        actions.check_in(order_for(), by=provider, fix=Fix(*HOME), now=local(today, 9))


def test_a_bad_coordinate_system_or_point_is_refused(order_for, caregiver, today):
    order = order_for()
    with pytest.raises(ValidationError):
        actions.check_in(order, by=caregiver, fix=Fix(*HOME, system="utm"), now=local(today, 9))
    with pytest.raises(ValidationError):
        actions.check_in(order, by=caregiver, fix=Fix(200, 115), now=local(today, 9))
    assert not ServiceVisit.objects.exists()


def test_a_queued_check_in_keeps_its_time_within_limits(worker_a, funded_elder, catalogue, carer, caregiver, tomorrow):
    now = timezone.now()
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"],
                                window_start=local(tomorrow, 11), now=now - dt.timedelta(hours=2))
    order = actions.accept_order(order, by=caregiver, now=now - dt.timedelta(hours=1))
    for too_early in (now - dt.timedelta(hours=13), now - dt.timedelta(hours=3)):  # the limit; before the order
        with pytest.raises(ValidationError):
            actions.check_in(order, by=caregiver, fix=Fix(*HOME), at=too_early, now=now)
    service_visit = actions.check_in(order, by=caregiver, fix=Fix(*HOME), at=now - dt.timedelta(minutes=40), now=now)
    assert service_visit.checked_in_at == now - dt.timedelta(minutes=40)
    event = order.events.get(kind="checked_in")
    assert event.at == service_visit.checked_in_at  # the timeline says when it happened


def test_a_visit_left_open_is_flagged_by_the_sweep(order_for, caregiver, today):
    order = order_for("cleaning", 9)
    actions.check_in(order, by=caregiver, fix=Fix(*HOME, accuracy_m=10), now=local(today, 9))
    assert actions.flag_missing_check_outs(now=local(today, 11)) == 0  # 60 min + 2 h grace
    assert actions.flag_missing_check_outs(now=local(today, 12, 5)) == 1
    assert actions.flag_missing_check_outs(now=local(today, 13)) == 0  # once
    assert flags(ServiceVisit.objects.get(order=order)) == {F.MISSING_CHECK_OUT}


def test_the_sweep_command_runs_one_round(order_for, caregiver):
    from io import StringIO

    order = order_for("cleaning", 9)
    actions.check_in(order, by=caregiver, fix=Fix(*HOME, accuracy_m=10),
                     now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=5))
    out = StringIO()
    call_command("orders", "sweep", "--once", stdout=out)
    assert F.MISSING_CHECK_OUT in flags(ServiceVisit.objects.get(order=order))
    assert "1" in out.getvalue()


# -- review ----------------------------------------------------------------------------------
def test_a_supervisor_rejects_a_far_visit_and_the_allowance_goes_back(order_for, caregiver, provider, subdistrict, funded_elder, today):
    before = allowance_queries.voucher_balance(funded_elder)
    order = order_for()
    paid = Order.objects.get(pk=order.pk).allowance_amount
    service_visit = visit_at(order, caregiver, metres_north(HOME, 2000), minutes=60, start=local(today, 9))
    assert allowance_queries.voucher_balance(funded_elder) == before - paid
    with pytest.raises(PermissionDenied):
        actions.review_service_visit(service_visit, by=caregiver, accept=True, note="我在")
    service_visit = actions.review_service_visit(service_visit, by=subdistrict, accept=False, note="老人说没人来过")
    assert service_visit.review == ServiceVisit.Review.REJECTED
    order = Order.objects.get(pk=order.pk)
    assert order.status == S.CANCELLED
    assert allowance_queries.voucher_balance(funded_elder) == before
    with pytest.raises(ValidationError):
        actions.review_service_visit(service_visit, by=provider, accept=True, note="again")


def test_the_provider_accepts_a_flagged_visit(order_for, caregiver, provider, today):
    service_visit = visit_at(order_for(), caregiver, metres_north(HOME, 2000), minutes=60, start=local(today, 9))
    service_visit = actions.review_service_visit(service_visit, by=provider, accept=True, note="老人临时在女儿家，已电话核实")
    assert service_visit.review == ServiceVisit.Review.ACCEPTED and service_visit.reviewed_by == provider
    assert Order.objects.get(pk=service_visit.order_id).status == S.CHECKED_OUT

