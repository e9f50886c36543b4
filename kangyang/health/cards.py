"""The home-screen cards of health services (kangyang/lib/cards.py): a link to the elder's (or
her family's) own health page in the app, with her latest readings."""

from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.health.queries import records as queries
from kangyang.lib.cards import Card


def my_health_card(user, elder) -> dict | None:
    """Shown when health services know something of her (readings, a condition, a contract)."""
    if not scope.is_own_elder(user, elder) or not scope.reads_health(user, elder):
        return None
    readings = queries.latest_readings(user, elder)[:3]
    if not readings and not queries.has_health_record(user, elder):
        return None
    return {"elder": elder, "readings": readings}


CARDS = [
    Card(code="health.mine", title=_("My health"), template="health/cards/mine.html",
         context=my_health_card, order=50),
]
