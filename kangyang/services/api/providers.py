"""/api/v1/providers and /api/v1/service-items: the providers, their service areas and
prices, and the catalogue.

The register. The bureau admin of the city or a district registers an organisation of her
area as a provider (`POST /providers`), with the regions it serves, all inside her area
(else 403, accounts/scope.py), and changes its areas, hours, licence and contact
(`PATCH /providers/{id}`); she or the provider's manager sets its price for an item of the
catalogue (`PUT /providers/{id}/prices/{item}`). The blacklist is held on the organisation
(`POST /organisations/{id}/blacklist`): a barred organisation's provider takes no new orders."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.accounts import scope
from kangyang.accounts.models import Organisation
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, StrictDate
from kangyang.regions.models import Region
from kangyang.services import actions, queries
from kangyang.services.api._common import (
    AllowanceKind, CODE_PATTERN, Category, Money, SkillCode, Unit, _item, _referenced, items_router,
    providers_router,
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


RegionRef = Annotated[int | str, Field(description="A region's 12-digit code (or its id).")]
OPEN_DAYS = r"^[1-7]{1,7}$"


class ProviderIn(Schema):
    """An organisation registered as a provider, with where and when it works."""

    organisation: int = Field(..., ge=1, le=DB_INT_MAX, description="The organisation's id (GET /organisations).")
    areas: list[RegionRef] = Field(..., min_length=1, max_length=200,
                                   description="The districts, subdistricts or communities it serves.")
    opens_at: dt.time = Field(dt.time(7), description="Local time.")
    closes_at: dt.time = Field(dt.time(20), description="Local time.")
    open_days: str = Field("1234567", pattern=OPEN_DAYS, description='ISO weekdays it works, "12345" = Monday to Friday.')
    licence_number: str = Field("", max_length=60)
    licence_valid_until: StrictDate | None = None
    phone: str = Field("", max_length=20, description="The service phone.")
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90, description="WGS-84.")
    lng: float | None = Field(None, ge=-180, le=180, description="WGS-84.")


class ProviderPatch(Schema):
    """Only the fields sent change; `areas` replaces every area."""

    areas: list[RegionRef] | None = Field(None, min_length=1, max_length=200)
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    open_days: str | None = Field(None, pattern=OPEN_DAYS)
    licence_number: str | None = Field(None, max_length=60)
    licence_valid_until: StrictDate | None = None
    phone: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=200)
    active: bool | None = Field(None, description="False: the provider takes no new orders (not a blacklisting).")


class PriceIn(Schema):
    price: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2, description="Yuan per unit.")
    active: bool = Field(True, description="False: the provider stops offering the item.")


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


def _areas(refs: list[int | str]) -> list[Region]:
    """The regions a body names by code or id; an unknown one is a 422 on `areas`."""
    ids = {r for r in refs if isinstance(r, int)}
    codes = {r.strip() for r in refs if isinstance(r, str)}
    found = list(Region.objects.filter(Q(pk__in=ids) | Q(code__in=codes)))
    missing = (ids - {r.pk for r in found}) | (codes - {r.code for r in found})
    if missing:
        raise ValidationError({"areas": ValidationError(
            _("There is no region %(refs)s.") % {"refs": ", ".join(sorted(map(str, missing)))}, code="unknown")})
    return found


def _provider_in_view(request, provider_id: int) -> Provider:
    return queries.get_provider_for(request.auth, provider_id)


@providers_router.post("", response={201: ProviderOut}, summary="Register a provider")
def register_provider(request, payload: ProviderIn):
    """The bureau admin registers an organisation of her area as a provider serving regions
    of her area (403 for a region outside it; 409 `duplicate` if it is a provider already)."""
    organisation = _referenced(Organisation.objects.filter(scope.organisation_filter(request.auth)), Organisation,
                               payload.organisation, "organisation", _("There is no such organisation."))
    provider = actions.register_provider(
        by=request.auth, organisation=organisation, areas=_areas(payload.areas), opens_at=payload.opens_at,
        closes_at=payload.closes_at, open_days=payload.open_days, licence_number=payload.licence_number,
        licence_valid_until=payload.licence_valid_until, phone=payload.phone, address=payload.address,
        lat=payload.lat, lng=payload.lng,
    )
    return Status(201, queries.get_provider_for(request.auth, provider.pk))


@providers_router.patch("/{provider_id}", response=ProviderOut, summary="Change a provider")
def update_provider(request, provider_id: int, payload: ProviderPatch):
    """The bureau admin of the provider's area changes its service areas, hours, licence,
    contact or whether it is active; fields not sent stay as they are."""
    provider = _provider_in_view(request, provider_id)
    changes = payload.dict(exclude_unset=True)
    areas = changes.pop("areas", None)
    # Only the licence's expiry may be cleared with null.
    if empty := [key for key, value in changes.items() if value is None and key != "licence_valid_until"]:
        raise ValidationError({key: ValidationError(_("This field cannot be empty."), code="required") for key in empty})
    if areas is not None:
        actions.set_service_areas(provider, by=request.auth, areas=_areas(areas))
    if changes:
        actions.update_provider(provider, by=request.auth, **changes)
    return queries.get_provider_for(request.auth, provider.pk)


@providers_router.put("/{provider_id}/prices/{item}", response=ProviderPriceOut, summary="Set a price")
def set_provider_price(request, provider_id: int, item: str, payload: PriceIn):
    """The provider's price for one item of the catalogue (by id or code), or that it stops
    offering it: the bureau of the provider's area or the provider's manager."""
    provider = _provider_in_view(request, provider_id)
    found = _item(int(item) if item.isdigit() else item)
    return actions.set_price(provider, by=request.auth, item=found, price=payload.price, active=payload.active)


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
