"""The home-screen card of the time bank (issue 15): an elder with a time-bank account (hours
transferred by her family or donated to her) sees her balance in words and the latest
movements; her bound family sees the same card on her part of their home screen."""

from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.lib.cards import Card
from kangyang.timebank import app_words, queries
from kangyang.timebank.models import Account

RECENT_SHOWN = 3


def balance_card(user, elder) -> dict | None:
    if not scope.is_own_elder(user, elder):
        return None
    account = Account.objects.visible_to(user).filter(elder=elder).first()
    if account is None:
        return None
    minutes = queries.balance(account)
    return {
        "elder": elder, "account": account, "minutes": minutes, "hours": app_words.hours_figure(minutes),
        "balance_words": app_words.balance_words(minutes),
        "lines": app_words.describe(queries.history(account)[:RECENT_SHOWN]),
    }


CARDS = [
    Card(code="timebank.balance", title=_("Time bank"), template="timebank/cards/balance.html",
         context=balance_card, order=60),
]
