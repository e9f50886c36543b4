"""The pay pages of the app (issue 14 §3): start, the fake provider's checkout, the result;
the pay button and the card; who may open them; hostile input."""

import pytest
from django.template.loader import render_to_string

from kangyang.payments import actions
from kangyang.payments.cards import shares_context
from kangyang.payments.models import Payment
from kangyang.payments.providers import FakeProvider

S = Payment.Status


def _start(client, user, order):
    client.force_login(user)
    return client.post(f"/app/orders/{order.pk}/pay/")


def test_the_daughter_pays_through_the_demo_checkout_and_sees_it_paid(client, family, order):
    page = (client.force_login(family), client.get(f"/app/orders/{order.pk}/pay/"))[1]
    assert page.status_code == 200 and f'action="/app/orders/{order.pk}/pay/"' in page.text
    r = client.post(f"/app/orders/{order.pk}/pay/", {"amount": "0.01"})  # an amount sent is ignored
    payment = Payment.objects.get()
    assert payment.amount == order.self_amount
    assert r.status_code == 302 and r["Location"] == f"/app/pay/fake/{payment.provider_ref}/"
    checkout = client.get(r["Location"])
    assert checkout.status_code == 200 and 'class="demo-payment"' in checkout.text
    fields = FakeProvider().form(payment, "paid")
    done = client.post(r["Location"], fields, follow=True)
    assert done.redirect_chain[-1][0] == f"/app/pay/{payment.pk}/"
    assert 'data-status="paid"' in done.text
    payment.refresh_from_db()
    assert payment.status == S.PAID
    # The checkout of a paid payment goes to its result.
    assert client.get(r["Location"])["Location"] == f"/app/pay/{payment.pk}/"


def test_cancelling_at_the_checkout_leaves_the_share_to_pay(client, family, order):
    r = _start(client, family, order)
    payment = Payment.objects.get()
    done = client.post(r["Location"], FakeProvider().form(payment, "cancelled"), follow=True)
    assert 'data-status="cancelled"' in done.text and f'action="/app/orders/{order.pk}/pay/"' in done.text


def test_a_forged_notice_is_refused_in_words_and_pays_nothing(client, family, order):
    r = _start(client, family, order)
    payment = Payment.objects.get()
    done = client.post(r["Location"], {**FakeProvider().form(payment, "paid"), "amount": "0.01"}, follow=True)
    assert done.status_code == 200 and 'data-status="created"' in done.text
    payment.refresh_from_db()
    assert payment.status == S.CREATED


def test_a_stranger_gets_404_for_her_order_her_checkout_and_her_payment(client, family, stranger, order):
    _start(client, family, order)
    payment = Payment.objects.get()
    client.force_login(stranger)
    assert client.get(f"/app/orders/{order.pk}/pay/").status_code == 404
    assert client.post(f"/app/orders/{order.pk}/pay/").status_code == 404
    assert client.get(f"/app/pay/fake/{payment.provider_ref}/").status_code == 404
    assert client.get(f"/app/pay/{payment.pk}/").status_code == 404
    assert Payment.objects.count() == 1


def test_staff_who_see_the_order_may_not_pay_it(client, operator, order):
    assert _start(client, operator, order).status_code == 403
    assert not Payment.objects.exists()


def test_a_cancelled_order_shows_why_it_cannot_be_paid(client, family, order):
    from kangyang.services import actions as services

    services.cancel_order(order, by=family, reason="不需要了")
    r = _start(client, family, order)
    assert r.status_code == 200 and not Payment.objects.exists()
    assert 'class="pay-share"' in r.text and "portal:pay_order" not in r.text
    assert f'action="/app/orders/{order.pk}/pay/"' not in r.text


@pytest.mark.parametrize("path", [
    "/app/pay/fake/%00/", "/app/pay/fake/" + "x" * 5000 + "/", "/app/pay/99999999999999999999/",
    "/app/orders/99999999999999999999/pay/", "/app/pay/fake/'%3Bdrop/",
])
def test_hostile_addresses_answer_without_an_error(client, family, order, path):
    client.force_login(family)
    assert client.get(path).status_code in (400, 404)
    assert client.post(path, {"outcome": "paid", "amount": "\x00", "signature": "x" * 10000}).status_code in (400, 404)


def test_anonymous_visitors_are_sent_to_sign_in(client, order):
    assert client.post(f"/app/orders/{order.pk}/pay/").status_code == 302
    assert Payment.objects.count() == 0


def test_the_pay_button_and_the_card(family, elder, stranger, order, rf):
    html = render_to_string("payments/order_pay.html", {"order": order, "user": family})
    assert f'action="/app/orders/{order.pk}/pay/"' in html and 'class="button main"' in html
    assert "action=" not in render_to_string("payments/order_pay.html", {"order": order, "user": stranger})
    card = shares_context(family, order.elder)
    assert card["to_pay"] == [order] and card["paid"] == []
    payment, _url = actions.start_payment(order, by=family)
    actions.complete_payment(payment, amount=payment.amount)
    card = shares_context(elder, order.elder)
    assert card["to_pay"] == [] and card["paid"] == [payment]
    html = render_to_string("payments/order_pay.html", {"order": order, "user": family})
    assert "action=" not in html and 'class="state"' in html
    assert shares_context(stranger, order.elder) is None


def test_the_home_screen_shows_the_card_with_its_pay_button_then_the_paid_share(client, family, order):
    """The card as the home screen renders it (portal/home.html gives the card's context as
    `card`): the pay form while the share is due, the paid share's link after."""
    client.force_login(family)
    part = client.get("/app/").text.split('data-card="payments.shares"')[1]
    assert f'action="/app/orders/{order.pk}/pay/"' in part
    payment, _url = actions.start_payment(order, by=family)
    actions.complete_payment(payment, amount=payment.amount)
    part = client.get("/app/").text.split('data-card="payments.shares"')[1]
    assert f'href="/app/pay/{payment.pk}/"' in part and f'action="/app/orders/{order.pk}/pay/"' not in part
