"""/api/v1/providers and /api/v1/service-items: the providers, their service areas and
prices, and the catalogue."""

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from kangyang.lib.pagination import Page
from kangyang.services import queries
from kangyang.services.api._common import (
    AllowanceKind, CODE_PATTERN, Category, Money, SkillCode, Unit, items_router, providers_router,
)
from kangyang.services.models import Provider, ServiceItem


class ServiceAreaOut(Schema):
    code: str = Field(..., alias="region_code", description="12-digit code of a region served.")
    name: str = Field(..., alias="region.name")
    level: str = Field(..., alias="region.level", description="district, subdistrict or community.")


class ProviderOut(Schema):
    """A home-service provider (服务商) with where and when it works."""

    id: int
    name: str
    region_code: str = Field(..., description="Where the provider is registered.")
    phone: str = Field(..., description="The provider's service phone.")
    address: str
    licence_number: str
    licence_valid_until: dt.date | None
    opens_at: dt.time
    closes_at: dt.time
    open_days: str = Field(..., description='ISO weekdays it works, "1234567" = every day.')
    areas: list[ServiceAreaOut] = Field(..., description="The regions it serves.")
    takes_orders: bool = Field(..., description="Active and not blacklisted: new orders may go to it.")

    @staticmethod
    def resolve_areas(obj: Provider):
        return list(obj.areas.all())

    @staticmethod
    def resolve_takes_orders(obj: Provider) -> bool:
        return obj.active and not obj.is_blacklisted


class ProviderFilter(Schema):
    community: str | None = Field(
        None, pattern=CODE_PATTERN, description="A community's code: providers whose service areas cover it.")
    takes_orders: bool | None = Field(None, description="Only providers that take (or do not take) new orders.")


class ServiceItemOut(Schema):
    """An entry of the home-service catalogue (服务项目)."""

    id: int
    code: str
    name: str
    category: Category
    category_label: str
    unit: Unit = Field(..., description="What one unit of quantity is.")
    minutes: int = Field(..., alias="duration_minutes", description="Minutes at the elder's home per unit.")
    skill: SkillCode | Literal[""] = Field(..., description="The skill a caregiver needs; empty for none.")
    payable_by: list[AllowanceKind] = Field(..., description="The allowances that may pay for it.")
    description: str
    active: bool = Field(..., description="Still offered in the catalogue.")

    @staticmethod
    def resolve_category_label(obj: ServiceItem) -> str:
        return str(obj.get_category_display())


class ServiceItemFilter(Schema):
    category: Category | None = None
    skill: SkillCode | None = None
    active: bool | None = Field(None, description="Only items still offered (true) or withdrawn (false).")


class ProviderPriceOut(Schema):
    item: ServiceItemOut
    price: Money = Field(..., description="Yuan per unit.")


@providers_router.get("", response=list[ProviderOut], summary="List providers")
@paginate(Page)
def list_providers(request, filters: Query[ProviderFilter]):
    """Providers the caller may see: all of them for area staff, those serving their
    community for elders and family, their own for a provider's manager and caregivers."""
    return queries.providers_for(request.auth, community=filters.community or "",
                                 taking_orders=filters.takes_orders)


@providers_router.get("/{provider_id}", response=ProviderOut, summary="One provider")
def provider_detail(request, provider_id: int):
    """A provider with its service areas, hours and whether it takes orders; 404 outside
    the caller's view."""
    return queries.get_provider_for(request.auth, provider_id)


@providers_router.get("/{provider_id}/prices", response=list[ProviderPriceOut], summary="A provider's prices")
@paginate(Page)
def provider_prices(request, provider_id: int):
    """What the provider charges now for each item it offers, in catalogue order."""
    provider = queries.get_provider_for(request.auth, provider_id)
    return queries.prices_of(provider)


@items_router.get("", response=list[ServiceItemOut], summary="The service catalogue")
@paginate(Page)
def list_items(request, filters: Query[ServiceItemFilter]):
    """Every item of the catalogue (the same for everyone signed in), in catalogue order."""
    items = ServiceItem.objects.all()
    if filters.category:
        items = items.filter(category=filters.category)
    if filters.skill:
        items = items.filter(skill=filters.skill)
    if filters.active is not None:
        items = items.filter(active=filters.active)
    return items


@items_router.get("/{item_id}", response=ServiceItemOut, summary="One service item")
def item_detail(request, item_id: int):
    found = ServiceItem.objects.filter(pk=item_id).first()
    if found is None:
        raise Http404
    return found
