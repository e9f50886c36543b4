"""What an elder or a family member sees on their own page: for each elder they may see
(the elder: their own record; family: every elder who lists them as a contact), the latest
orders, alarms and allowance payments. Every read goes through the owning app's query, so
the scope rules are those of accounts/scope.py, unchanged."""

from dataclasses import dataclass

from django.http import Http404

from kangyang.accounts import scope
from kangyang.alarms.queries import alarms_for
from kangyang.lib.cards import ShownCard, site
from kangyang.registry.models import Elder
from kangyang.services.models import ProviderPrice
from kangyang.services.queries import elder_orders_for, menu_for
from kangyang.allowances.models import SurvivalCheck
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


def own_elders(user) -> list[Elder]:
    """The elders whose page the user has: herself, or the relatives who list her as a contact."""
    return list(Elder.objects.visible_to(user).order_by("name", "pk"))


def survival_checks_of(user, elders: list[Elder], *, shown: int = 5) -> list[tuple[Elder, list]]:
    """(elder, latest survival certifications) for each of the user's elders: status and
    the worker's note, never the photo itself."""
    found: dict[int, list] = {e.pk: [] for e in elders}
    checks = SurvivalCheck.objects.filter(elder__in=elders).order_by("-checked_on", "-pk")
    for check in checks.only("elder_id", "method", "checked_on", "status", "review_note", "recorded_at"):
        if len(found[check.elder_id]) < shown:
            found[check.elder_id].append(check)
    return [(e, found[e.pk]) for e in elders]


# -- issue 14 (elder app): what the family was told ------------------------------------------------
@dataclass(frozen=True)
class Notice:
    """One message a person was told, as their notifications page shows it."""

    delivery: object
    subject: str
    body: str
    link: str


def notices_for(user, *, shown: int = 50) -> list[Notice]:
    """The messages sent to the user (notify's delivery log, their own only), newest first,
    rendered in the language they were sent in, each with a link into the app."""
    import json

    from django.urls import reverse

    from kangyang.lib import crypto
    from kangyang.notify import messages as notify_messages
    from kangyang.notify.queries import deliveries_to

    notices = []
    for delivery in deliveries_to(user)[:shown]:
        try:
            subject, body = notify_messages.render(delivery.template, json.loads(crypto.decrypt(delivery.context_encrypted)),
                                                   language=delivery.language)
        except (KeyError, ValueError):
            continue  # a template since removed, or a context that no longer fits it
        notices.append(Notice(delivery=delivery, subject=subject, body=body, link=reverse("portal:home")))
    return notices


# -- issue 14 (elder app): the home screen, SOS and ordering --------------------------------------


@dataclass(frozen=True)
class ElderHome:
    """One elder's part of the home screen: her cards, in order."""

    elder: Elder
    cards: list[ShownCard]


def home_for(user) -> list[ElderHome]:
    """The elder's own cards, or one part per elder for a family member (by name)."""
    return [ElderHome(elder, site.shown_for(user, elder)) for elder in own_elders(user)]


def sos_elder_of(user) -> Elder | None:
    """The elder record whose SOS this user presses: only an elder account's own record."""
    if not scope.has_own_page(user):
        return None
    elder = Elder.objects.visible_to(user).filter(user=user).first()
    return elder if scope.presses_sos_for(user, elder) else None


def get_own_elder(user, elder_id) -> Elder:
    """One of the user's own elders (accounts.scope.is_own_elder); anyone else's → 404."""
    try:
        pk = int(elder_id)
    except (TypeError, ValueError):
        raise Http404 from None
    elder = next((e for e in own_elders(user) if e.pk == pk), None)
    if elder is None or not scope.is_own_elder(user, elder):
        raise Http404
    return elder


@dataclass(frozen=True)
class MenuGroup:
    label: str
    offers: list[ProviderPrice]


def menu_of(elder: Elder) -> tuple[list[ProviderPrice], list[MenuGroup]]:
    """(every offer she may order, the menu shown: the cheapest offer of each service near
    her home, grouped by the national service category, in the catalogue's order)."""
    offers = list(menu_for(elder))
    cheapest: dict[int, ProviderPrice] = {}
    for offer in offers:  # cheapest first within an item
        cheapest.setdefault(offer.item_id, offer)
    groups: dict[str, MenuGroup] = {}
    for offer in cheapest.values():
        label = offer.item.get_category_display()
        groups.setdefault(label, MenuGroup(str(label), [])).offers.append(offer)
    return offers, list(groups.values())
