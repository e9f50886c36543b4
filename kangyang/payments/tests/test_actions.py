"""Paying the elder's share (issue 14 §3), through the actions: the amount is the order's, an
order is paid once, the provider's notice is checked, and only the elder and her bound family
pay."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from kangyang.audit.models import AuditEntry
from kangyang.payments import actions, queries
from kangyang.payments.models import Payment
from kangyang.payments.providers import FakeProvider
from kangyang.services import actions as services
from kangyang.services.models import Order

S = Payment.Status


def _notice(payment: Payment, outcome: str = "paid", amount: str | None = None) -> dict:
    """The fake provider's signed notice, as its checkout page posts it."""
    fields = FakeProvider().form(payment, outcome)
    if amount is not None:  # signed for another amount, as a provider would sign what it took
        fields = {"outcome": outcome, "amount": amount,
                  "signature": FakeProvider.signature(payment.provider_ref, outcome, amount)}
    return fields


def _settle(payment, data, **kw):
    return actions.handle_callback(provider="fake", ref=payment.provider_ref, data=data, **kw)


def test_the_daughter_starts_paying_her_mothers_share_for_the_orders_amount(order, family):
    payment, url = actions.start_payment(order, by=family)
    assert (payment.status, payment.amount, payment.payer, payment.provider) == (S.CREATED, order.self_amount, family, "fake")
    assert url == f"/app/pay/fake/{payment.provider_ref}/" and len(payment.provider_ref) >= 20
    assert AuditEntry.objects.filter(verb="payment.start", target_id=str(payment.pk), actor=family).exists()


def test_starting_again_returns_the_waiting_payment(order, family):
    first, _url = actions.start_payment(order, by=family)
    again, _url = actions.start_payment(order, by=family)
    assert again.pk == first.pk and Payment.objects.count() == 1


def test_the_elder_starting_after_her_daughter_left_the_checkout_replaces_it(order, family, elder):
    abandoned, _url = actions.start_payment(order, by=family)
    mine, _url = actions.start_payment(order, by=elder)
    abandoned.refresh_from_db()
    assert abandoned.status == S.CANCELLED and mine.payer == elder and mine.status == S.CREATED
    with pytest.raises(ValidationError) as e:
        _settle(abandoned, _notice(abandoned))  # the old checkout cannot pay any more
    assert e.value.code == "closed"


def test_the_providers_notice_pays_it_once_and_a_repeated_notice_changes_nothing(order, family):
    payment, _url = actions.start_payment(order, by=family)
    paid = _settle(payment, _notice(payment))
    assert paid.status == S.PAID and paid.paid_at is not None
    again = _settle(payment, _notice(payment))
    assert again.status == S.PAID and again.paid_at == paid.paid_at
    assert AuditEntry.objects.filter(verb="payment.paid", target_id=str(payment.pk)).count() == 1
    assert queries.paid_payment_of(order) == paid


def test_a_paid_share_cannot_be_started_again(order, family, elder):
    payment, _url = actions.start_payment(order, by=family)
    _settle(payment, _notice(payment))
    with pytest.raises(ValidationError) as e:
        actions.start_payment(order, by=elder)
    assert e.value.code == "not_payable" and Payment.objects.count() == 1


def test_a_notice_for_another_amount_is_refused_and_the_payment_still_waits(order, family):
    payment, _url = actions.start_payment(order, by=family)
    with pytest.raises(ValidationError) as e:
        _settle(payment, _notice(payment, amount="0.01"))
    assert e.value.code == "amount"
    payment.refresh_from_db()
    assert payment.status == S.CREATED


@pytest.mark.parametrize("tamper", [
    {"signature": "0" * 64},  # forged
    {"amount": "0.01"},  # altered after signing
    {"outcome": "refunded"},  # not an outcome
    {"amount": "NaN"}, {"amount": "1e999999"}, {"amount": "\x00"}, {"signature": ""},
])
def test_a_forged_or_altered_notice_is_refused(order, family, tamper):
    payment, _url = actions.start_payment(order, by=family)
    with pytest.raises(ValidationError) as e:
        _settle(payment, {**_notice(payment), **tamper})
    assert e.value.code == "refused"
    payment.refresh_from_db()
    assert payment.status == S.CREATED


def test_a_notice_for_an_unknown_reference_finds_nothing(order, family):
    payment, _url = actions.start_payment(order, by=family)
    with pytest.raises(Payment.DoesNotExist):
        actions.handle_callback(provider="fake", ref="forged-" + payment.provider_ref, data=_notice(payment))


def test_cancelled_at_the_checkout_nothing_is_paid_and_the_share_can_be_paid_later(order, family):
    payment, _url = actions.start_payment(order, by=family)
    assert _settle(payment, _notice(payment, "cancelled")).status == S.CANCELLED
    with pytest.raises(ValidationError):
        _settle(payment, _notice(payment))  # a paid notice after the cancel
    retry, _url = actions.start_payment(order, by=family)
    assert retry.pk != payment.pk and _settle(retry, _notice(retry)).status == S.PAID


def test_a_cancelled_order_cannot_be_paid(order, family):
    services.cancel_order(order, by=family, reason="不需要了")
    with pytest.raises(ValidationError) as e:
        actions.start_payment(order, by=family)
    assert e.value.code == "not_payable" and not Payment.objects.exists()


def test_an_order_the_allowance_pays_whole_has_nothing_to_pay(order, family):
    Order.objects.filter(pk=order.pk).update(allowance_amount=F("price"), voucher_amount=0, self_amount=0)
    with pytest.raises(ValidationError):
        actions.start_payment(order, by=family)
    assert not Payment.objects.exists()


def test_the_amount_is_read_from_the_order_not_from_the_caller(order, family):
    order.self_amount = Decimal("0.01")  # a caller's stale or altered copy
    payment, _url = actions.start_payment(order, by=family)
    assert payment.amount == Order.objects.get(pk=order.pk).self_amount != Decimal("0.01")


def test_a_stranger_or_staff_cannot_pay_her_share(order, stranger, operator, worker_a):
    for user in (stranger, operator, worker_a):
        with pytest.raises(PermissionDenied):
            actions.start_payment(order, by=user)
    assert not Payment.objects.exists()


def test_payments_are_seen_by_the_elder_and_her_family_only(order, family, elder, stranger, operator):
    payment, _url = actions.start_payment(order, by=family)
    assert list(queries.payments_for(family)) == [payment] == list(queries.payments_for(elder))
    assert not queries.payments_for(stranger).exists() and not queries.payments_for(operator).exists()
