"""Reads of providers, their caregivers, service areas and prices, and who manages them."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from kangyang.accounts import scope
from kangyang.accounts.models import Organisation
from kangyang.regions.models import Region
from kangyang.services.models import Caregiver, Provider, ProviderPrice, ServiceArea, ServiceItem, serving_filter
from kangyang.services.queries._common import R


def manages(user, provider_id: int | None) -> bool:
    """The provider's manager."""
    return (
        user.is_authenticated and user.role == R.PROVIDER_MANAGER and provider_id is not None
        and user.organisation_id is not None
        and Provider.objects.filter(pk=provider_id, organisation_id=user.organisation_id).exists()
    )


def get_provider_for(user, provider_id: int) -> Provider:
    return get_object_or_404(Provider.objects.visible_to(user).select_related("organisation"), pk=provider_id)


def get_caregiver_for(user, caregiver_id: int) -> Caregiver:
    return get_object_or_404(Caregiver.objects.visible_to(user).select_related("provider__organisation"), pk=caregiver_id)


def provider_of(user) -> Provider | None:
    """The provider a manager or caregiver works for."""
    if user.organisation_id is None:
        return None
    return Provider.objects.filter(organisation_id=user.organisation_id).select_related("organisation").first()


def price_of(provider: Provider, item: ServiceItem) -> ProviderPrice | None:
    return ProviderPrice.objects.filter(provider=provider, item=item, active=True).first()


def serves(provider: Provider, region_code: str) -> bool:
    return Provider.objects.filter(pk=provider.pk).filter(serving_filter([region_code])).exists()


def providers_for(user, *, community: str = "", taking_orders: bool | None = None):
    """Providers the user may see; `community` keeps those whose service areas cover it."""
    providers = (Provider.objects.visible_to(user).select_related("organisation")
                 .prefetch_related("areas__region"))
    if community:
        providers = providers.filter(serving_filter([community])).distinct()
    if taking_orders is True:
        providers = providers.receiving_orders()
    elif taking_orders is False:
        providers = providers.not_receiving_orders()
    return providers


def prices_of(provider: Provider):
    """What the provider offers now, in catalogue order."""
    return (ProviderPrice.objects.filter(provider=provider, active=True, item__active=True)
            .select_related("item").order_by("item__position", "item__code"))


def caregiver_of(user) -> Caregiver | None:
    """A caregiver account's profile with its provider (None for anyone else)."""
    if not user.is_authenticated or user.role != R.CAREGIVER:
        return None
    return Caregiver.objects.filter(user=user).select_related("provider").first()


def providers_supervised_by(user):
    """Providers whose work a bureau admin or subdistrict officer oversees: registered in
    their area, or serving a region inside it or covering it. Nobody else supervises any."""
    if not user.is_authenticated or not (scope.supervises_services(user)):
        return Provider.objects.none()
    prefix = scope.area_prefix(user)
    if prefix is None:
        return Provider.objects.none()
    providers = Provider.objects.select_related("organisation").order_by("organisation__name", "id")
    if not prefix:
        return providers
    full = prefix.ljust(12, "0")
    covering = {full, full[:9] + "000", full[:6] + "000000"}
    return providers.filter(
        Q(region_code__startswith=prefix) | Q(areas__region_code__startswith=prefix)
        | Q(areas__region_code__in=covering)
    ).distinct()


def can_manage_caregivers(user, provider: Provider) -> bool:
    """Caregivers are added and edited by the provider's manager or by bureau staff of its
    area (the rule actions/providers.py enforces)."""
    return manages(user, provider.pk) or scope.bureau_of(user, provider.region_code)


def qualified_caregivers(provider: Provider, skill: str):
    """Active caregivers of the provider who have the skill (any, when none is needed)."""
    return provider.caregivers.filter(active=True).with_skill(skill).order_by("name", "id")


def caregivers_of(provider: Provider):
    return provider.caregivers.select_related("user").prefetch_related("shifts").order_by("-active", "name", "id")


def unlinked_caregiver_accounts(provider: Provider):
    """Caregiver sign-in accounts of the provider's organisation without a caregiver profile."""
    from kangyang.accounts.models import User

    return User.objects.filter(role=R.CAREGIVER, organisation_id=provider.organisation_id, is_active=True,
                               caregiver__isnull=True).order_by("username")


def organisations_to_register(user):
    """Organisations the user may register as providers: of her area, of a kind that
    delivers home services, not a provider yet."""
    if not scope.can_register_providers(user):
        return Organisation.objects.none()
    return (Organisation.objects.filter(scope.organisation_filter(user), provider__isnull=True,
                                        kind__in=[Organisation.Kind.PROVIDER, Organisation.Kind.INSTITUTION,
                                                  Organisation.Kind.MEAL_POINT])
            .order_by("name", "id"))


def service_area_choices(user):
    """The regions of the user's area a provider may serve (districts, subdistricts, communities)."""
    return Region.objects.filter(scope.region_filter(user, field="code"), level__in=ServiceArea.LEVELS).order_by("code")
