"""Every change to payments. The rules:

* only the elder or a family member bound to her starts a payment (accounts/scope.py:
  pays_share_of), of an order not cancelled whose own share is above zero and not yet paid;
* the amount is the order's own share, read from the order, never from the request;
* an order has at most one live payment (waiting or paid): a unique constraint. Starting
  again while the same payer's payment waits returns it (back to the checkout); another
  payer's waiting payment is cancelled first, so an abandoned checkout never blocks the share;
* the provider's word (a callback) is checked by the provider (its signature), then must
  name a known reference and the payment's exact amount; paying twice (a repeated callback)
  changes nothing; a cancelled or failed payment is never paid afterwards;
* every change is audited.
"""

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.payments import queries
from kangyang.payments.models import Payment
from kangyang.payments.providers import CallbackRefused, current_provider, provider_named
from kangyang.services.models import Order

log = logging.getLogger("kangyang.payments")
S = Payment.Status


@transaction.atomic
def start_payment(order: Order, *, by, now: dt.datetime | None = None) -> tuple[Payment, str]:
    """The payer starts paying the order's own share; returns the payment and the address
    of the provider's checkout to send them to."""
    now = now or timezone.now()
    if not scope.pays_share_of(by, order.elder):
        raise PermissionDenied
    order = Order.objects.get(pk=order.pk)  # the amount as stored now, not as the caller had it
    problem = queries.refusal(order)
    if problem:
        raise ValidationError(problem, code="not_payable")
    provider = current_provider()
    waiting = order.payments.filter(status=S.CREATED).first()
    if waiting is not None:
        if waiting.payer_id == by.pk and waiting.provider == provider.name and waiting.amount == order.self_amount:
            return waiting, provider.checkout_url(waiting)
        _close(waiting, S.CANCELLED, by=by, now=now, verb="payment.superseded")
    payment = Payment(order=order, region_code=order.region_code, payer=by, amount=order.self_amount,
                      provider=provider.name, created_at=now)
    started = provider.start(payment)
    payment.provider_ref = started.ref
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        raise ValidationError(_("A payment of this share has just been started. Try again in a moment."),
                              code="busy") from None
    record(by, AuditEntry.Action.CREATE, payment, verb="payment.start")
    return payment, started.redirect_url


def _close(payment: Payment, status: str, *, by, now: dt.datetime, verb: str) -> bool:
    """Waiting → cancelled or failed, by a conditional UPDATE; False when it was no longer waiting."""
    closed = Payment.objects.filter(pk=payment.pk, status=S.CREATED).update(status=status, closed_at=now)
    payment.refresh_from_db()
    if closed:
        record(by, AuditEntry.Action.CHANGE, payment, verb=verb)
    return bool(closed)


@transaction.atomic
def complete_payment(payment: Payment, *, amount: Decimal, by=None, now: dt.datetime | None = None) -> Payment:
    """The provider says the payment is paid, for `amount`. Paid twice changes nothing; a
    different amount, or a payment cancelled or failed meanwhile, is refused."""
    now = now or timezone.now()
    if amount != payment.amount:
        log.warning("payment %d: the provider's amount differs; refused", payment.pk)
        raise ValidationError(_("The amount paid is not the amount due; the payment is not accepted."),
                              code="amount")
    claimed = Payment.objects.filter(pk=payment.pk, status=S.CREATED).update(status=S.PAID, paid_at=now,
                                                                             closed_at=now)
    payment.refresh_from_db()
    if not claimed:
        if payment.status == S.PAID:
            return payment  # the same notice again
        raise ValidationError(_("This payment was cancelled; it cannot be paid now. Start the payment again."),
                              code="closed")
    record(by, AuditEntry.Action.CHANGE, payment, verb="payment.paid")
    return payment


@transaction.atomic
def cancel_payment(payment: Payment, *, by=None, now: dt.datetime | None = None) -> Payment:
    """The payer left the checkout. Cancelling twice changes nothing; a paid payment stays paid."""
    if payment.status == S.PAID:
        raise ValidationError(_("This share is paid already."), code="paid")
    _close(payment, S.CANCELLED, by=by, now=now or timezone.now(), verb="payment.cancel")
    return payment


@transaction.atomic
def fail_payment(payment: Payment, *, by=None, now: dt.datetime | None = None) -> Payment:
    """The provider could not take the money (declined). Nothing changes on a closed payment."""
    _close(payment, S.FAILED, by=by, now=now or timezone.now(), verb="payment.fail")
    return payment


def handle_callback(*, provider: str, ref: str, data: Mapping[str, str], by=None,
                    now: dt.datetime | None = None) -> Payment:
    """A provider's notice about the payment `ref`: verified by the provider, then applied.
    Unknown reference: Payment.DoesNotExist. Forged or altered: ValidationError("refused")."""
    payment = Payment.objects.get(provider=provider, provider_ref=ref[:64])
    try:
        verdict = provider_named(provider).verify(payment.provider_ref, data)
    except CallbackRefused as e:
        log.warning("payment %d: callback refused (%s)", payment.pk, e)
        raise ValidationError(_("This payment notice is not valid."), code="refused") from None
    if verdict.outcome == "paid":
        return complete_payment(payment, amount=verdict.amount, by=by, now=now)
    if verdict.outcome == "failed":
        return fail_payment(payment, by=by, now=now)
    return cancel_payment(payment, by=by, now=now)
