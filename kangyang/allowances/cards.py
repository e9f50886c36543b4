"""The home-screen card of allowances (issue 14): what was paid to the elder, what is left on
her vouchers, her applications and where they stand, and the survival certification."""

from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.allowances import queries
from kangyang.lib.cards import Card

PAYMENTS_SHOWN = 4


def allowances_card(user, elder) -> dict | None:
    if not scope.is_own_elder(user, elder):
        return None
    return {
        "elder": elder,
        "payments": list(queries.payments_for(user, elder=elder)[:PAYMENTS_SHOWN]),
        "balances": queries.voucher_balances(elder),
        "applications": queries.own_applications_of(user, elder),
    }


CARDS = [
    Card(code="allowances.paid", title=_("Allowances"), template="allowances/cards/allowances.html",
         context=allowances_card, order=30),
]
