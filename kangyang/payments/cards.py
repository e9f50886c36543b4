"""The home screen's card of the elder's own shares (kangyang/lib/cards.py): those still to pay,
with the pay button, and the latest paid."""

from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.payments import queries
from kangyang.lib.cards import Card


def shares_context(user, elder) -> dict | None:
    """Shown to the elder and her bound family only, when there is a share to pay or paid."""
    if not scope.pays_share_of(user, elder):
        return None
    shares = queries.shares_of(user, elder)
    if not shares.to_pay and not shares.paid:
        return None
    return {"elder": elder, "to_pay": shares.to_pay, "paid": shares.paid}


CARDS = [
    Card(code="payments.shares", title=_("Your share to pay"), template="payments/cards/shares.html",
         context=shares_context, order=40),
]
