"""The home-screen cards of care visits (issue 15): for the elder and her family, "your
visits" (the last visit: when, how, who came; the next one due); for a visitor (volunteer,
community worker) in the app, how many elders wait for a visit today."""

from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.lib.cards import Card
from kangyang.visits import queries


def elder_visits_card(user, elder) -> dict | None:
    if elder is None or not scope.is_own_elder(user, elder):
        return None
    summary = queries.elder_visits_summary(user, elder)
    if summary["last"] is None and summary["next_due"] is None:
        return None  # not visited under the policy: no card
    return summary


def visitor_today_card(user, elder) -> dict | None:
    if elder is not None or not scope.uses_visitor_board(user):
        return None
    return {"count": queries.today_count(user), "visited": len(queries.visitor_day(user)["visited"])}


CARDS = [
    Card(code="visits.elder", title=_("Your visits"), template="visits/cards/elder.html",
         context=elder_visits_card, order=40),
    Card(code="visits.today", title=_("Today's visits"), template="visits/cards/today.html",
         context=visitor_today_card, order=10, audience="staff"),
]
