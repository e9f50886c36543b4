"""The demo's payments (ops/demo.py's hooks): the `family` account has paid her mother's
share of one order through the fake provider, and another share is still to pay."""

import random

from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.payments import actions, queries
from kangyang.payments.models import Payment
from kangyang.registry.models import Elder
from kangyang.services.models import Order


def seed_demo_accounts(*, accounts: dict, district, rng: random.Random) -> str:
    """Of the `elder` account's orders with a share to pay, the earliest is paid by her
    daughter (unless one is paid already) and the others are left to pay. Does nothing that
    is done already, nor in the second district (no `family` there)."""
    if "family" not in accounts or "elder" not in accounts:
        return ""
    family = accounts["family"]
    elder = Elder.objects.filter(user=accounts["elder"]).first()
    if elder is None:
        return ""
    shares = (Order.objects.filter(elder=elder, self_amount__gt=0).exclude(status__in=queries.NOT_PAYABLE)
              .order_by("window_start", "pk"))
    if not shares.exists():
        return _("no order of the elder has a share to pay")
    if shares.count() >= 2 and not Payment.objects.filter(order__elder=elder, status=Payment.Status.PAID).exists():
        # The earliest (delivered) order, paid when it was confirmed or now; the rest to pay.
        order = shares.exclude(payments__status=Payment.Status.PAID).first()
        when = order.confirmed_at or timezone.now()
        payment, _url = actions.start_payment(order, by=family, now=when)
        actions.complete_payment(payment, amount=payment.amount, by=family, now=when)
    due = shares.exclude(payments__status=Payment.Status.PAID).count()
    return _("the daughter paid one share of her mother's orders; %(due)d to pay") % {"due": due}
