"""What the home-service pages share: who is looking at which provider's back office, the
status groups of the board, and how a refusal is shown."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.services import queries
from kangyang.services.actions import dispatch, orders
from kangyang.services.models import Order, Provider

R = queries.R
S = Order.Status

# The board's columns, in the order an order moves through them.
STATUS_GROUPS = [
    ("new", _("New, not dispatched"), (S.CREATED,)),
    ("dispatched", _("Dispatched"), (S.DISPATCHED,)),
    ("accepted", _("Accepted"), (S.ACCEPTED,)),
    ("en_route", _("On the way"), (S.EN_ROUTE,)),
    ("in_visit", _("In the visit"), (S.CHECKED_IN,)),
    ("done", _("Done"), (S.CHECKED_OUT, S.CONFIRMED, S.SETTLED)),
    ("closed", _("Cancelled or no-show"), (S.CANCELLED, S.NO_SHOW)),
]
# Statuses in which the manager may still give the order to another caregiver, and in which
# it may still be cancelled: the actions' own rules.
ASSIGNABLE = dispatch.ASSIGNABLE
CANCELLABLE = orders.CANCELLABLE


def is_fragment(request: HttpRequest) -> bool:
    """An htmx swap (or the caregiver page's own sender) wants the fragment; htmx restoring
    history after a cache miss wants the page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def refusal(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def form_errors(form) -> str:
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


@dataclass
class Office:
    """The back office as one user sees it: the provider on screen and the ones they may
    switch to (a supervisor oversees several; a manager has their own)."""

    provider: Provider | None
    providers: list[Provider] = field(default_factory=list)
    manager: bool = False

    @property
    def supervisor(self) -> bool:
        return not self.manager

    def query(self, **params) -> str:
        """A query string that keeps the chosen provider for a supervisor."""
        if self.supervisor and self.provider is not None:
            params = {"provider": self.provider.pk, **params}
        params = {k: v for k, v in params.items() if v not in ("", None)}
        return urlencode(params)


def back_office(request: HttpRequest, data=None) -> Office:
    """The provider manager works on their organisation's provider; bureau staff and
    subdistrict officers read (and where the rules let them, act on) the providers of their
    area, chosen with ?provider=. Anyone else: 403. A provider outside the area: 404."""
    user = request.user
    data = request.GET if data is None else data
    if user.role == R.PROVIDER_MANAGER:
        provider = queries.provider_of(user)
        if provider is None:
            raise PermissionDenied
        return Office(provider=provider, providers=[provider], manager=True)
    if scope.supervises_services(user):
        providers = list(queries.providers_supervised_by(user))
        chosen = str(data.get("provider") or "")
        if chosen:
            provider = next((p for p in providers if str(p.pk) == chosen), None)
            if provider is None:
                raise Http404
        else:
            provider = providers[0] if providers else None
        return Office(provider=provider, providers=providers, manager=False)
    raise PermissionDenied


def office_context(office: Office, tab: str) -> dict:
    return {"office": office, "provider": office.provider, "tab": tab}
