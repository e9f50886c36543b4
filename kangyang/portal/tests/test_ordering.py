"""Ordering in the app (点菜式, issue 14 §2): the menu of providers near her home, the price
split shown on a confirm page before anything is placed and stored as shown, simple time
choices, the services rules' refusals as form errors, hostile input as form errors; her
orders followed in words, confirmed and rated, complained about, cancelled while allowed;
only the user's own elders' (404 otherwise); family order for a bound elder."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from kangyang.accounts.models import User
from kangyang.registry.actions import add_contact
from kangyang.services import actions
from kangyang.services.actions import Fix
from kangyang.services.models import Complaint, Order, ProviderPrice
from kangyang.services.tests.conftest import HOME, local

ORDER = "/app/order/"


@pytest.fixture
def zhou(funded_elder):
    """周淑英's own account: her service allowance and consumption voucher pay part of a price."""
    user = User.objects.create_user("zhou", password="kangyang-demo", role="elder", region=funded_elder.community)
    funded_elder.user = user
    funded_elder.save(update_fields=["user"])
    return user


def offer_of(code: str) -> ProviderPrice:
    return ProviderPrice.objects.get(item__code=code, active=True)


def choice(elder, code="meal", **extra) -> dict:
    return {"step": "quote", "elder": elder.pk, "offer": offer_of(code).pk, "quantity": 2, "day": "tomorrow",
            "window": "noon", "note": "少盐", **extra}


def shares(page: str) -> dict[str, Decimal]:
    return {k: Decimal(v.replace("¥", "").replace(",", ""))
            for k, v in re.findall(r'data-share="(\w+)">([^<]+)<', page)}


def test_the_price_split_shown_before_placing_is_what_place_order_stores(client, zhou, funded_elder, carer,
                                                                        tomorrow):
    client.force_login(zhou)
    menu = client.get(ORDER).content.decode()
    assert "助餐" in menu and 'name="offer"' in menu and 'type="date"' not in menu  # choices, no free date
    r = client.post(ORDER, choice(funded_elder))
    page = r.content.decode()
    shown = shares(page)
    assert r.status_code == 200 and not Order.objects.exists()  # nothing placed before she confirms
    assert shown["price"] == Decimal("30.00") and shown["voucher"] > 0
    assert shown["price"] == shown["allowance"] + shown["voucher"] + shown["own"]
    placed = client.post(ORDER, {**choice(funded_elder), "step": "place",
                                 "expected_own_share": str(shown["own"])})
    order = Order.objects.get()
    assert placed.status_code == 302 and placed["Location"] == f"/app/orders/{order.pk}/"
    assert (order.price, order.allowance_amount, order.voucher_amount, order.self_amount) == (
        shown["price"], shown["allowance"], shown["voucher"], shown["own"])
    assert (order.channel, order.created_by, order.quantity, order.flexible, order.note) == (
        "app", zhou, 2, True, "少盐")
    assert (timezone.localtime(order.window_start), timezone.localtime(order.window_end)) == (
        local(tomorrow, 11), local(tomorrow, 13))
    detail = client.get(placed["Location"])
    assert detail.status_code == 200 and shares(detail.content.decode()) == shown
    assert list(detail.context["messages"])  # the spoken success message


def test_a_changed_price_refuses_the_order_and_says_so(client, zhou, funded_elder, carer):
    client.force_login(zhou)
    r = client.post(ORDER, {**choice(funded_elder), "step": "place", "expected_own_share": "0.01"})
    assert r.status_code == 200 and "价格" in r.content.decode() and not Order.objects.exists()


def test_the_family_orders_for_her_bound_elder(client, family, elder_in_a, carer):
    client.force_login(family)
    assert "助洁" in client.get(f"{ORDER}?elder={elder_in_a.pk}").content.decode()
    shown = shares(client.post(ORDER, choice(elder_in_a, "cleaning", quantity=1)).content.decode())
    assert shown["own"] == shown["price"] == Decimal("40.00")  # no allowance of her own: she pays it all
    client.post(ORDER, {**choice(elder_in_a, "cleaning", quantity=1), "step": "place",
                        "expected_own_share": str(shown["own"])})
    order = Order.objects.get()
    assert (order.elder, order.created_by, order.channel) == (elder_in_a, family, "app")


def test_a_family_member_of_several_elders_chooses_whom_she_orders_for(client, family, elder_in_a, funded_elder,
                                                                      worker_a, carer):
    add_contact(funded_elder, by=worker_a, name="王芳", relation="other", phone="13607915555", user=family)
    client.force_login(family)
    page = client.get(ORDER).content.decode()
    assert f"?elder={elder_in_a.pk}" in page and f"?elder={funded_elder.pk}" in page and 'name="offer"' not in page


@pytest.mark.parametrize("bad", [
    {"quantity": "99999999999999999999999"},
    {"quantity": "-1"},
    {"quantity": "abc"},
    {"offer": "1e309"},
    {"offer": "999999"},
    {"day": "yesterday"},
    {"day": "2026-01-01"},
    {"window": "midnight"},
    {"note": "长" * 5000},
    {"step": "place", "expected_own_share": "NaN"},
    {"step": "place", "expected_own_share": "9" * 40},
])
def test_hostile_input_is_a_form_error_and_nothing_is_placed(client, zhou, funded_elder, carer, bad):
    client.force_login(zhou)
    data = {**choice(funded_elder), **bad}
    r = client.post(ORDER, data)
    assert r.status_code == 200 and 'class="errorlist' in r.content.decode()
    assert not Order.objects.exists()


def test_a_nul_byte_is_refused_before_the_form(client, zhou, funded_elder, carer):
    client.force_login(zhou)
    assert client.post(ORDER, choice(funded_elder, note="少\x00盐")).status_code == 400
    assert not Order.objects.exists()


def test_the_services_rules_refusals_are_shown_in_chinese(client, zhou, funded_elder, carer, home_provider):
    home_provider.opens_at, home_provider.closes_at = dt.time(14), dt.time(18)
    home_provider.save(update_fields=["opens_at", "closes_at"])  # closed at lunchtime
    client.force_login(zhou)
    r = client.post(ORDER, {**choice(funded_elder), "step": "place", "expected_own_share": "0"})
    assert r.status_code == 200 and "营业时间为 14:00 至 18:00" in r.content.decode()
    chosen = choice(funded_elder)
    ProviderPrice.objects.update(active=False)  # nobody offers anything near her any more
    page = client.get(ORDER).content.decode()
    assert 'name="offer"' not in page
    r = client.post(ORDER, chosen)
    assert r.status_code == 200 and 'class="errorlist' in r.content.decode() and not Order.objects.exists()


@pytest.fixture
def placed(elder, elder_in_a, carer, tomorrow):
    return actions.place_order(by=elder, elder=elder_in_a, item=carer.provider.prices.get(item__code="meal").item,
                               window_start=local(tomorrow, 11), window_end=local(tomorrow, 13), flexible=True)


def test_only_orders_of_the_user_s_own_elders_are_found(client, placed, elder_in_b, worker_b, family, zhou,
                                                      funded_elder):
    stranger = User.objects.create_user("stranger", password="kangyang-demo", role="family")
    add_contact(elder_in_b, by=worker_b, name="李四", relation="son", phone="13607917777", user=stranger)
    client.force_login(stranger)
    for url in (f"/app/orders/{placed.pk}/",):
        assert client.get(url).status_code == 404
    for action in ("rate", "complain", "cancel"):
        assert client.post(f"/app/orders/{placed.pk}/{action}/", {"rating": 5, "text": "不好", "reason": "plans"}).status_code == 404
    assert client.get(f"{ORDER}?elder=0").status_code == 404
    assert client.post(ORDER, choice(placed.elder)).status_code == 404  # not her elder
    assert f'data-order="{placed.pk}"' not in client.get("/app/orders/").content.decode()
    client.force_login(zhou)  # another elder: not hers either
    assert client.get(f"/app/orders/{placed.pk}/").status_code == 404
    assert client.get(f"{ORDER}?elder={placed.elder_id}").status_code == 404
    client.force_login(family)  # her daughter: yes
    assert client.get(f"/app/orders/{placed.pk}/").status_code == 200
    assert f'data-order="{placed.pk}"' in client.get("/app/orders/").content.decode()


def deliver(order, caregiver_user, *, arrive: dt.datetime, leave: dt.datetime | None = None):
    order = Order.objects.get(pk=order.pk)
    if order.status == Order.Status.DISPATCHED:
        order = actions.accept_order(order, by=caregiver_user)
    actions.check_in(order, by=caregiver_user, fix=Fix(*HOME, accuracy_m=10), now=arrive)
    if leave is not None:
        actions.check_out(Order.objects.get(pk=order.pk), by=caregiver_user, fix=Fix(*HOME, accuracy_m=10), now=leave)
    return Order.objects.get(pk=order.pk)


def test_she_follows_the_caregiver_then_confirms_and_rates(client, elder, placed, caregiver, carer):
    client.force_login(elder)
    order = actions.accept_order(placed, by=caregiver)
    order = actions.start_travel(order, by=caregiver)
    page = client.get(f"/app/orders/{order.pk}/").content.decode()
    set_off = timezone.localtime(order.events.get(kind="en_route").at).strftime("%H:%M")
    assert 'data-status="en_route"' in page and "熊秀梅" in page and set_off in page
    assert 'hx-trigger="every 20s"' in page and 'name="rating"' not in page
    arrive = timezone.now()
    order = deliver(order, caregiver, arrive=arrive)
    state = client.get(f"/app/orders/{order.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="checked_in"' in state and timezone.localtime(arrive).strftime("%H:%M") in state
    actions.check_out(order, by=caregiver, fix=Fix(*HOME, accuracy_m=10), now=arrive + dt.timedelta(minutes=20))
    page = client.get(f"/app/orders/{order.pk}/").content.decode()
    assert page.count('name="rating"') == 5 and 'data-status="checked_out"' in page
    assert client.post(f"/app/orders/{order.pk}/rate/", {"rating": "6"}).status_code == 200  # not a rating
    assert client.post(f"/app/orders/{order.pk}/rate/", {"rating": "abc"}).status_code == 200
    r = client.post(f"/app/orders/{order.pk}/rate/", {"rating": "5", "comment": "很好，谢谢"})
    order.refresh_from_db()
    assert r.status_code == 302 and (order.status, order.rating, order.rating_comment, order.confirmed_by) == (
        "confirmed", 5, "很好，谢谢", elder)
    assert 'name="rating"' not in client.get(f"/app/orders/{order.pk}/").content.decode()


def test_a_low_rating_and_a_complaint_are_followed_up(client, family, placed, caregiver, carer):
    order = deliver(placed, caregiver, arrive=timezone.now(), leave=timezone.now() + dt.timedelta(minutes=30))
    client.force_login(family)
    client.post(f"/app/orders/{order.pk}/rate/", {"rating": "1"})
    assert Complaint.objects.filter(order=order).count() == 1  # a low rating opens one
    r = client.post(f"/app/orders/{order.pk}/complain/", {"text": "饭菜是凉的"})
    assert r.status_code == 302 and Complaint.objects.filter(order=order, text="饭菜是凉的").exists()
    assert client.post(f"/app/orders/{order.pk}/complain/", {"text": ""}).status_code == 200
    assert "饭菜是凉的" in client.get(f"/app/orders/{order.pk}/").content.decode()


def test_she_cancels_while_allowed_and_not_once_the_caregiver_is_in(client, elder, elder_in_a, placed, caregiver,
                                                                   carer, tomorrow):
    client.force_login(elder)
    assert client.post(f"/app/orders/{placed.pk}/cancel/", {"reason": "whatever"}).status_code == 200
    r = client.post(f"/app/orders/{placed.pk}/cancel/", {"reason": "plans"})
    placed.refresh_from_db()
    assert r.status_code == 302 and placed.status == "cancelled" and placed.cancel_reason
    other = actions.place_order(by=elder, elder=elder_in_a, item=placed.item, window_start=local(tomorrow, 15))
    other = deliver(other, caregiver, arrive=timezone.now())
    assert "/cancel/" not in client.get(f"/app/orders/{other.pk}/").content.decode()
    r = client.post(f"/app/orders/{other.pk}/cancel/", {"reason": "plans"})
    other.refresh_from_db()
    assert r.status_code == 200 and other.status == "checked_in"
