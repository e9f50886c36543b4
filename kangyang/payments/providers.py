"""Payment providers: how the app hands a payment to a provider and hears back from it.

A provider (KANGYANG_PAYMENT_PROVIDER; only "fake" exists now, no real integration) has:

* ``start(payment) -> Started``: register the payment with the provider; returns the
  provider's reference and the address the payer is sent to (its checkout page);
* ``verify(ref, data) -> Verdict``: check a callback from the provider (signed: a forged or
  altered one raises CallbackRefused) and say what it reports: the outcome and the amount.

Refunds are not part of the interface yet: a paid share of an order cancelled afterwards is
given back outside the platform.

The fake provider stands in for a real one in the demo and the tests: its checkout page is
in the app (/app/pay/fake/<ref>/), clearly labelled as a demo, and its "callback" is that
page's form, signed with an HMAC of the site's secret as a real provider signs its notices.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Mapping, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


class CallbackRefused(Exception):
    """A callback that is not the provider's word: a bad signature, an unknown outcome, a
    malformed amount. Never shown to the payer in detail."""


@dataclass(frozen=True)
class Started:
    ref: str
    redirect_url: str


@dataclass(frozen=True)
class Verdict:
    ref: str
    outcome: str  # "paid", "failed" or "cancelled"
    amount: Decimal


OUTCOMES = ("paid", "failed", "cancelled")


class PaymentProvider(Protocol):
    name: str

    def start(self, payment) -> Started: ...

    def checkout_url(self, payment) -> str: ...

    def verify(self, ref: str, data: Mapping[str, str]) -> Verdict: ...


class FakeProvider:
    """The demo's provider: no money moves. Its checkout page posts a signed form back."""

    name = "fake"

    def start(self, payment) -> Started:
        ref = secrets.token_urlsafe(18)
        return Started(ref=ref, redirect_url=reverse("portal:pay_fake", args=[ref]))

    def checkout_url(self, payment) -> str:
        return reverse("portal:pay_fake", args=[payment.provider_ref])

    @staticmethod
    def signature(ref: str, outcome: str, amount: str) -> str:
        message = f"fake-payment|{ref}|{outcome}|{amount}".encode()
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()

    def form(self, payment, outcome: str) -> dict[str, str]:
        """The hidden fields the checkout page's button for `outcome` posts (the provider's
        signed notice)."""
        amount = f"{payment.amount:.2f}"
        return {"outcome": outcome, "amount": amount,
                "signature": self.signature(payment.provider_ref, outcome, amount)}

    def verify(self, ref: str, data: Mapping[str, str]) -> Verdict:
        outcome, amount, signature = (str(data.get(k, "")) for k in ("outcome", "amount", "signature"))
        if outcome not in OUTCOMES:
            raise CallbackRefused("unknown outcome")
        if not hmac.compare_digest(self.signature(ref, outcome, amount), signature):
            raise CallbackRefused("bad signature")
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise CallbackRefused("malformed amount") from None
        if not value.is_finite():
            raise CallbackRefused("malformed amount")
        return Verdict(ref=ref, outcome=outcome, amount=value)


PROVIDERS: dict[str, type] = {"fake": FakeProvider}


def provider_named(name: str) -> PaymentProvider:
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise ImproperlyConfigured(f"unknown payment provider {name!r}") from None


def current_provider() -> PaymentProvider:
    """The provider the settings name (KANGYANG_PAYMENT_PROVIDER)."""
    return provider_named(settings.PAYMENT_PROVIDER)
