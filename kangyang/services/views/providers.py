"""The bureau's provider register: the providers of its area, registering an organisation as
a provider with its service areas and hours, changing them, and its prices. Who may is
accounts/scope.py (can_register_providers, can_register_provider, bureau_of), enforced again
by the actions; the blacklist is on the organisation's page (accounts)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kangyang.accounts import scope
from kangyang.lib.forms import add_errors
from kangyang.services import actions, queries
from kangyang.services.forms import PricesForm, ProviderForm
from kangyang.services.models import ProviderPrice, ServiceItem


@login_required
@require_safe
def provider_list(request: HttpRequest) -> HttpResponse:
    """The providers the bureau admin or subdistrict officer oversees, with whether each takes
    orders; the bureau admin registers new ones from here."""
    user = request.user
    if not scope.supervises_services(user):
        raise PermissionDenied
    providers = queries.providers_supervised_by(user).prefetch_related("areas__region")
    return render(request, "services/providers.html", {
        "providers": providers, "may_register": scope.can_register_providers(user),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def provider_create(request: HttpRequest) -> HttpResponse:
    """Register an organisation of the bureau's area as a provider (?organisation= chooses it)."""
    user = request.user
    if not scope.can_register_providers(user):
        raise PermissionDenied
    choices = {"regions": queries.service_area_choices(user), "organisations": queries.organisations_to_register(user)}
    if request.method == "POST":
        form = ProviderForm(request.POST, **choices)
        if form.is_valid():
            try:
                provider = actions.register_provider(
                    by=user, organisation=form.cleaned_data["organisation"], areas=form.cleaned_data["areas"],
                    **form.values())
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("%(name)s is registered as a provider.") % {"name": provider.name})
                return redirect("services:provider", provider_id=provider.pk)
    else:
        form = ProviderForm(initial={"organisation": request.GET.get("organisation")}, **choices)
    return render(request, "services/provider_form.html", {"form": form, "provider": None})


def _editable(request: HttpRequest, provider_id: int):
    """The provider, for the bureau of its area: 404 outside the user's view, 403 for
    anyone else who sees it."""
    provider = queries.get_provider_for(request.user, provider_id)
    if not scope.bureau_of(request.user, provider.region_code):
        raise PermissionDenied
    return provider


def _prices_form(provider, data=None) -> PricesForm:
    return PricesForm(data, items=ServiceItem.objects.filter(active=True),
                      prices=ProviderPrice.objects.filter(provider=provider))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Change where and when the provider works, its licence and contact; its prices below."""
    user = request.user
    provider = _editable(request, provider_id)
    regions = queries.service_area_choices(user)
    if request.method == "POST":
        form = ProviderForm(request.POST, regions=regions, editing=True)
        if form.is_valid():
            try:
                with transaction.atomic():  # the areas and the rest, or neither
                    actions.set_service_areas(provider, by=user, areas=form.cleaned_data["areas"])
                    actions.update_provider(provider, by=user, **form.values())
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("%(name)s is saved.") % {"name": provider.name})
                return redirect("services:provider", provider_id=provider.pk)
    else:
        form = ProviderForm(initial=ProviderForm.initial_for(provider), regions=regions, editing=True)
    return render(request, "services/provider_form.html", {
        "form": form, "provider": provider, "prices": _prices_form(provider),
    })


@login_required
@require_POST
def provider_prices(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Set the provider's prices: a price offers the item, an emptied one withdraws it."""
    user = request.user
    provider = _editable(request, provider_id)
    prices = _prices_form(provider, request.POST)
    if prices.is_valid():
        try:
            with transaction.atomic():
                for item, price in prices.changes():
                    offer = prices.offered.get(item.pk)
                    actions.set_price(provider, by=user, item=item, price=price if price is not None else offer.price,
                                      active=price is not None)
        except ValidationError as e:
            add_errors(prices, e)
        else:
            messages.success(request, _("The prices of %(name)s are saved.") % {"name": provider.name})
            return redirect("services:provider", provider_id=provider.pk)
    form = ProviderForm(initial=ProviderForm.initial_for(provider), regions=queries.service_area_choices(user),
                        editing=True)
    return render(request, "services/provider_form.html", {"form": form, "provider": provider, "prices": prices},
                  status=422)
