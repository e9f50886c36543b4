"""The home-screen card of alarms (issue 14): the elder's recent calls for help and how they
were handled, in words; shown while she has had one in the last RECENT_DAYS days."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.alarms import app_words
from kangyang.alarms.queries import alarms_for
from kangyang.lib.cards import Card

RECENT_DAYS = 30
SHOWN = 3


def alarms_card(user, elder) -> dict | None:
    if not scope.is_own_elder(user, elder):
        return None
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    recent = list(alarms_for(user, elder=elder.pk, since=since)[:SHOWN])
    if not recent:
        return None
    return {"elder": elder, "alarms": [
        {"alarm": a, "state": app_words.state(a), "short": app_words.short_state(a),
         "open": a.status != a.Status.RESOLVED} for a in recent]}


CARDS = [
    Card(code="alarms.recent", title=_("Calls for help"), template="alarms/cards/alarms.html",
         context=alarms_card, order=10),
]
