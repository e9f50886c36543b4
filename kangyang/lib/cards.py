"""The cards of the elder's home screen in the app (/app/), declared by the apps that own
their data.

Each installed app may have a `cards` module with a `CARDS` list of `Card`s (found the way
Django's admin finds `admin.py`, and the indicators app finds `indicators.py`): the portal
(kangyang/portal, the app above them all) never names the apps whose cards it shows, and the
apps import this registry from lib, never from the portal (which imports them). The visits,
health and time-bank modules add their cards to the home screen by writing their own
`cards.py`.

A card is for an elder's home screen (`audience` "elder", the default), or for the app's home
of a staff member who works in the app (`audience` "staff": a visitor's visits of the day),
whose `context(user, None)` has no elder.

A card's `context(user, elder)` returns what its template needs, or None when the card has
nothing to show for this elder (the module is not used for her, or the user may not see it).
Its template renders inside the home screen's <section> for the card; it reads through the
owning app's queries, so scope rules stay those of accounts/scope.py.
"""

import importlib
from dataclasses import dataclass, field
from typing import Callable

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import module_has_submodule


@dataclass(frozen=True)
class Card:
    code: str  # unique, e.g. "services.orders"
    title: str  # lazy-translated heading
    template: str  # e.g. "services/cards/orders.html"
    context: Callable  # (user, elder) -> dict | None
    order: int = 100  # lower comes first
    audience: str = "elder"  # "elder": an elder's home screen; "staff": a staff member's app home
    app_label: str = field(default="", compare=False)


@dataclass(frozen=True)
class ShownCard:
    card: Card
    context: dict


class CardSite:
    def __init__(self) -> None:
        self._cards: list[Card] | None = None

    def discover(self) -> None:
        from django.apps import apps

        found: dict[str, Card] = {}
        for config in apps.get_app_configs():
            if not module_has_submodule(config.module, "cards"):
                continue
            module = importlib.import_module(f"{config.name}.cards")
            for card in getattr(module, "CARDS", ()):
                if card.code in found:
                    raise ImproperlyConfigured(f"home-screen card {card.code} is declared twice")
                object.__setattr__(card, "app_label", config.label)
                found[card.code] = card
        self._cards = sorted(found.values(), key=lambda c: (c.order, c.code))

    def all(self) -> list[Card]:
        if self._cards is None:
            self.discover()
        return list(self._cards)

    def shown_for(self, user, elder) -> list[ShownCard]:
        """The cards with something to show for this elder to this user, in order."""
        shown = []
        for card in self.all():
            if card.audience != "elder":
                continue
            context = card.context(user, elder)
            if context is not None:
                shown.append(ShownCard(card, context))
        return shown

    def shown_to_staff(self, user) -> list[ShownCard]:
        """The staff cards with something to show to this user (no elder), in order."""
        shown = []
        for card in self.all():
            if card.audience == "staff" and (context := card.context(user, None)) is not None:
                shown.append(ShownCard(card, context))
        return shown


site = CardSite()
