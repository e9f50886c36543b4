"""Reads of payments: who may see which, what an order's share stands at, and the shares of
an elder to pay and paid."""

from dataclasses import dataclass
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.payments.models import Payment
from kangyang.services.models import Order
from kangyang.services.queries import elder_orders_for

# An order in one of these has nothing to pay: cancelled, or nobody was there.
NOT_PAYABLE = (Order.Status.CANCELLED, Order.Status.NO_SHOW)


def payments_for(user):
    return Payment.objects.visible_to(user).select_related("order__item", "order__elder", "payer")


def get_payment_for(user, payment_id: int) -> Payment:
    """The only way views load a payment. Outside scope → 404."""
    return get_object_or_404(payments_for(user), pk=payment_id)


def get_checkout_for(user, *, provider: str, ref: str) -> Payment:
    """The payment at the provider's checkout: only its payer opens it (404 otherwise)."""
    return get_object_or_404(Payment.objects.select_related("order__item", "order__elder"),
                             provider=provider, provider_ref=ref[:64], payer=user)


def paid_payment_of(order: Order) -> Payment | None:
    return order.payments.filter(status=Payment.Status.PAID).first()


def refusal(order: Order) -> str | None:
    """Why the order's share cannot be paid now, in words; None when it can."""
    if order.status in NOT_PAYABLE:
        return _("This order is cancelled: there is nothing to pay.")
    if order.self_amount is None or order.self_amount <= Decimal("0"):
        return _("The elder has nothing to pay for this order.")
    if paid_payment_of(order) is not None:
        return _("This share is paid already.")
    return None


@dataclass(frozen=True)
class ShareState:
    """What the pay button of an order shows to this user."""

    amount: Decimal
    may_pay: bool  # the user pays for this elder and the share is due
    paid: Payment | None
    due: bool  # a share is due (whoever pays it)


def share_state(order: Order, user) -> ShareState:
    paid = paid_payment_of(order)
    due = paid is None and order.status not in NOT_PAYABLE and order.self_amount > 0
    return ShareState(amount=order.self_amount, may_pay=due and scope.pays_share_of(user, order.elder),
                      paid=paid, due=due)


@dataclass(frozen=True)
class Shares:
    to_pay: list  # orders
    paid: list  # payments


def shares_of(user, elder, *, shown: int = 5) -> Shares:
    """The elder's orders with a share still to pay, and her latest paid shares, as the user
    may see them."""
    orders = elder_orders_for(user, elder).filter(self_amount__gt=0).exclude(status__in=NOT_PAYABLE)
    to_pay = list(orders.exclude(payments__status=Payment.Status.PAID)[:shown])
    paid = list(payments_for(user).filter(order__elder=elder, status=Payment.Status.PAID)
                .order_by("-paid_at", "-pk")[:shown])
    return Shares(to_pay=to_pay, paid=paid)
