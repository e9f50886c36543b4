"""What an elder or a family member sees on their own page: for each elder they may see
(the elder: their own record; family: every elder who lists them as a contact), the latest
orders, alarms and allowance payments. Every read goes through the owning app's query, so
the scope rules are those of accounts/scope.py, unchanged."""

from dataclasses import dataclass

from kangyang.alarms.queries import alarms_for
from kangyang.registry.models import Elder
from kangyang.services.queries import elder_orders_for
from kangyang.allowances.queries import payments_for

SHOWN = 10  # rows of each kind per elder; the full lists come with the elder app


@dataclass(frozen=True)
class ElderSummary:
    elder: Elder
    orders: list
    alarms: list
    payments: list


def own_page_for(user) -> list[ElderSummary]:
    """One summary per elder the user may see, by name."""
    summaries = []
    for elder in Elder.objects.visible_to(user).order_by("name", "pk"):
        summaries.append(ElderSummary(
            elder=elder,
            orders=list(elder_orders_for(user, elder)[:SHOWN]),
            alarms=list(alarms_for(user, elder=elder.pk)[:SHOWN]),
            payments=list(payments_for(user, elder=elder)[:SHOWN]),
        ))
    return summaries
