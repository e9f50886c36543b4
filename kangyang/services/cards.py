"""The home-screen card of home services (issue 14): the elder's next orders with the
caregiver on the way or arrived, those to confirm, the recent ones, and the button to order."""

from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.lib.cards import Card
from kangyang.services import app_words, queries
from kangyang.services.models import Order

S = Order.Status
NEXT_SHOWN = 3
RECENT_SHOWN = 3


def orders_card(user, elder) -> dict | None:
    if not scope.is_own_elder(user, elder):
        return None
    orders = queries.elder_orders_for(user, elder).select_related("caregiver")
    coming = list(orders.filter(status__in=app_words.COMING).order_by("window_start", "id")[:NEXT_SHOWN])
    to_confirm = list(orders.filter(status=S.CHECKED_OUT).order_by("-window_start", "-id"))
    recent = list(orders.exclude(status__in=(*app_words.COMING, S.CHECKED_OUT))[:RECENT_SHOWN])
    rows = lambda found: [{"order": o, "state": app_words.state(o), "short": app_words.short_state(o),  # noqa: E731
                           "when": app_words.when(o)} for o in found]
    return {"elder": elder, "coming": rows(coming), "to_confirm": rows(to_confirm), "recent": rows(recent),
            "may_order": queries.can_order_for(user, elder)}


CARDS = [
    Card(code="services.orders", title=_("Home services"), template="services/cards/orders.html",
         context=orders_card, order=20),
]
