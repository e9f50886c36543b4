"""Orders, called directly: the price split, holds and refunds, dispatch, the caregiver's
steps, cancellation, no-shows, confirmation, complaints and standing orders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kangyang.accounts.organisations import blacklist_organisation
from kangyang.audit.models import AuditEntry
from kangyang.services import actions, rules
from kangyang.services.models import Complaint, Order, OrderEvent, Recurrence
from kangyang.services.tests.conftest import ALL_DAY, local
from kangyang.allowances import queries as allowance_queries
from kangyang.allowances.models import Policy

S = Order.Status
SERVICE, VOUCHER = Policy.Kind.SERVICE, Policy.Kind.CONSUMPTION_VOUCHER


def balances(elder):
    return (allowance_queries.voucher_balance(elder, kind=SERVICE),
            allowance_queries.voucher_balance(elder, kind=VOUCHER))


# -- the split -------------------------------------------------------------------------------
def test_split_pays_the_voucher_share_first_then_the_allowance_then_the_elder():
    s = rules.split_price(Decimal("80.00"), voucher_cover=Decimal("40.00"), allowance_balance=Decimal("30.00"))
    assert (s.voucher, s.allowance, s.own) == (Decimal("40.00"), Decimal("30.00"), Decimal("10.00"))


def test_split_never_pays_more_than_the_price():
    s = rules.split_price(Decimal("15.00"), voucher_cover=Decimal("7.50"), allowance_balance=Decimal("100.00"))
    assert (s.voucher, s.allowance, s.own) == (Decimal("7.50"), Decimal("7.50"), Decimal("0.00"))


def test_split_without_allowance_is_all_self_pay():
    s = rules.split_price(Decimal("33.33"), voucher_cover=Decimal("0"), allowance_balance=Decimal("0"))
    assert (s.voucher, s.allowance, s.own) == (Decimal("0.00"), Decimal("0.00"), Decimal("33.33"))


def test_quote_shows_the_split_from_the_elders_balances(funded_elder, catalogue, home_provider):
    quote = actions.quote_order(elder=funded_elder, item=catalogue["bathing"], quantity=1)
    assert quote.provider == home_provider
    # ¥80: the voucher pays 50% (¥40 of its ¥800), the service allowance the other ¥40 (of ¥100).
    assert (quote.split.voucher, quote.split.allowance, quote.split.own) == (
        Decimal("40.00"), Decimal("40.00"), Decimal("0.00"))


def test_an_item_no_allowance_pays_is_all_self_pay(funded_elder, catalogue, home_provider):
    quote = actions.quote_order(elder=funded_elder, item=catalogue["adaptation"])
    assert quote.split.own == quote.split.price == Decimal("300.00")


def test_no_provider_serves_community_b(elder_in_b, catalogue, home_provider):
    with pytest.raises(ValidationError) as e:
        actions.quote_order(elder=elder_in_b, item=catalogue["meal"])
    assert "item" in e.value.error_dict


# -- placing ---------------------------------------------------------------------------------
def test_placing_takes_the_allowance_shares_and_dispatches_to_the_nearest_caregiver(
    worker_a, funded_elder, catalogue, carer, far_carer, tomorrow,
):
    before = balances(funded_elder)
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"], quantity=2,
                                window_start=local(tomorrow, 9), window_end=local(tomorrow, 11), flexible=True)
    assert order.status == S.DISPATCHED
    assert order.caregiver == carer  # 1 km away rather than 5 km
    assert order.price == Decimal("80.00") and order.channel == "community"
    after = balances(funded_elder)
    assert before[0] - after[0] == order.allowance_amount == Decimal("40.00")
    assert before[1] - after[1] == order.voucher_amount == Decimal("40.00")
    assert AuditEntry.objects.filter(verb="order.create", target_id=str(order.pk)).exists()
    assert AuditEntry.objects.filter(verb="order.dispatched", target_id=str(order.pk)).exists()


def test_two_orders_cannot_spend_the_same_allowance(worker_a, funded_elder, catalogue, carer, tomorrow):
    first = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 9))
    second = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 14))
    assert first.allowance_amount == Decimal("40.00") and second.allowance_amount == Decimal("40.00")
    third = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 16))
    # ¥100 of allowance: 40 + 40 + what is left (20); the voucher still pays its half.
    assert (third.voucher_amount, third.allowance_amount, third.self_amount) == (
        Decimal("40.00"), Decimal("20.00"), Decimal("20.00"))
    assert balances(funded_elder)[0] == Decimal("0.00")


def test_a_changed_price_refuses_the_order(worker_a, funded_elder, catalogue, carer, tomorrow):
    with pytest.raises(ValidationError) as e:
        actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 11),
                            expected_own_share=Decimal("5.00"))
    assert e.value.code == "price_changed"
    assert not Order.objects.exists()


def test_worker_b_cannot_order_for_an_elder_of_community_a(worker_b, funded_elder, catalogue, carer, tomorrow):
    with pytest.raises(PermissionDenied):
        actions.place_order(by=worker_b, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 11))


def test_a_provider_closed_at_that_hour_refuses(worker_a, funded_elder, catalogue, carer, tomorrow):
    with pytest.raises(ValidationError) as e:
        actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 22))
    assert e.value.error_dict["window_start"][0].code == "closed"


def test_a_blacklisted_provider_never_receives_orders(worker_a, funded_elder, catalogue, carer, home_provider, tomorrow):
    blacklist_organisation(home_provider.organisation, by=None, reason="重大服务事故")
    with pytest.raises(ValidationError):
        actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 11))
    with pytest.raises(ValidationError):
        actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], provider=home_provider,
                            window_start=local(tomorrow, 11))


def test_without_a_qualified_caregiver_the_order_waits_on_the_board(worker_a, funded_elder, catalogue, home_provider, tomorrow):
    from kangyang.services.models import Skill

    c = actions.add_caregiver(home_provider, by=None, name="只会助餐", skills=[Skill.MEALS], home_lat=28.66, home_lng=115.89)
    actions.set_shifts(c, by=None, shifts={d: (dt.time(7), dt.time(20)) for d in range(1, 8)})
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 9))
    assert order.status == S.CREATED and order.caregiver is None
    assert order.events.filter(kind=OrderEvent.Kind.NOT_DISPATCHED).exists()


def test_a_caregiver_off_shift_is_not_dispatched(worker_a, funded_elder, catalogue, carer, far_carer, tomorrow):
    actions.set_shifts(carer, by=None, shifts={})  # a day off every day
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 11))
    assert order.caregiver == far_carer


# -- the caregiver's steps -------------------------------------------------------------------
def test_the_caregiver_declines_and_it_goes_to_the_next(worker_a, caregiver, funded_elder, catalogue, carer, far_carer, tomorrow):
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 11))
    assert order.caregiver == carer
    order = actions.decline_order(order, by=caregiver, reason="身体不适")
    assert order.status == S.DISPATCHED and order.caregiver == far_carer


def test_only_the_assigned_caregiver_accepts(worker_a, provider, funded_elder, catalogue, far_carer, carer, tomorrow):
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 11))
    with pytest.raises(PermissionDenied):
        actions.accept_order(order, by=provider)


def test_the_manager_reassigns_only_to_a_qualified_caregiver(worker_a, provider, funded_elder, catalogue, carer, home_provider, tomorrow):
    from kangyang.services.models import Skill

    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 9))
    cook = actions.add_caregiver(home_provider, by=provider, name="只会助餐", skills=[Skill.MEALS])
    with pytest.raises(ValidationError):
        actions.assign_order(order, by=provider, caregiver=cook)
    bather = actions.add_caregiver(home_provider, by=provider, name="助浴员", skills=[Skill.BATHING])
    actions.set_shifts(bather, by=provider, shifts=ALL_DAY)
    order = actions.assign_order(order, by=provider, caregiver=bather, note="熟悉老人")
    assert order.caregiver == bather and order.status == S.DISPATCHED
    assert order.events.filter(kind=OrderEvent.Kind.REASSIGNED).exists()


# -- closing ---------------------------------------------------------------------------------
def test_cancelling_refunds_the_shares_once(worker_a, funded_elder, catalogue, carer, tomorrow):
    before = balances(funded_elder)
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["bathing"], window_start=local(tomorrow, 9))
    order = actions.cancel_order(order, by=worker_a, reason="老人住院")
    assert order.status == S.CANCELLED and order.cancel_reason == "老人住院"
    assert balances(funded_elder) == before
    with pytest.raises(ValidationError) as e:
        actions.cancel_order(order, by=worker_a, reason="again")
    assert e.value.code == "wrong_status"
    assert balances(funded_elder) == before


def test_no_show_of_the_elder_refunds_and_says_who(worker_a, caregiver, funded_elder, catalogue, carer, tomorrow):
    before = balances(funded_elder)
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], window_start=local(tomorrow, 11))
    order = actions.accept_order(order, by=caregiver)
    order = actions.report_no_show(order, by=caregiver, party="elder", reason="敲门无人应答")
    assert order.status == S.NO_SHOW and order.no_show_party == "elder"
    assert balances(funded_elder) == before


def test_the_elder_cannot_report_their_own_no_show(elder, worker_a, elder_in_a, catalogue, carer, tomorrow):
    order = actions.place_order(by=worker_a, elder=elder_in_a, item=catalogue["meal"], window_start=local(tomorrow, 11))
    with pytest.raises(PermissionDenied):
        actions.report_no_show(order, by=elder, party="elder")
    order = actions.report_no_show(order, by=elder, party="caregiver", reason="没人来")
    assert order.no_show_party == "caregiver"


def test_a_low_rating_opens_a_complaint(family, caregiver, provider, elder_in_a, catalogue, carer, tomorrow):
    from kangyang.services.actions import Fix
    from kangyang.services.tests.conftest import HOME

    order = actions.place_order(by=family, elder=elder_in_a, item=catalogue["meal"], window_start=local(tomorrow, 11))
    assert order.channel == "app"
    actions.accept_order(order, by=caregiver)
    actions.check_in(order, by=caregiver, fix=Fix(*HOME, accuracy_m=10))
    actions.check_out(order, by=caregiver, fix=Fix(*HOME, accuracy_m=10), notes="饭菜已送到")
    order = actions.confirm_order(Order.objects.get(pk=order.pk), by=family, rating=1, comment="饭是凉的")
    assert order.status == S.CONFIRMED and order.rating == 1
    complaint = Complaint.objects.get(order=order)
    assert complaint.text == "饭是凉的"
    with pytest.raises(PermissionDenied):
        actions.close_complaint(complaint, by=family, follow_up="x")
    closed = actions.close_complaint(complaint, by=provider, follow_up="已致电道歉，改进保温箱")
    assert closed.status == Complaint.Status.CLOSED and closed.closed_by == provider


# -- standing orders -------------------------------------------------------------------------
def test_a_standing_order_places_weekday_lunches_a_few_days_ahead_once(worker_a, funded_elder, catalogue, carer, today):
    recurrence = actions.create_recurrence(
        by=worker_a, elder=funded_elder, item=catalogue["meal"], weekdays="12345",
        time_from=dt.time(11), time_to=dt.time(12), starts_on=today,
        now=local(today, 6),
    )
    days = {today + dt.timedelta(days=i) for i in range(4)}
    expected = {d for d in days if d.isoweekday() <= 5}
    placed = {o.window_start.astimezone(local(today, 0).tzinfo).date() for o in recurrence.orders.all()}
    assert placed == expected
    assert actions.place_recurring_orders(now=local(today, 7)) == 0  # once each
    actions.stop_recurrence(recurrence, by=worker_a)
    assert Recurrence.objects.get(pk=recurrence.pk).stopped_at is not None
