"""/api/v1/providers, /api/v1/service-items and /api/v1/orders: home services over HTTP,
for the elder's and family's app, the hotline, community workers, provider managers and
the caregiver app.

Scope. Orders are loaded through services.queries (`orders_for`, `get_order_for`), by the
rule of models.service_filter: a provider manager sees their organisation's orders, a
caregiver their own, an elder or family member their elder's, area staff their area's.
Anything else is a 404 and never listed. Seeing an order is not enough to act on it: each
step is refused with 403 by its action unless the caller is the one who takes it (only the
assigned caregiver accepts, checks in and out; the ordering side cancels and confirms; the
provider's manager assigns). An elder named in a body is loaded with registry's
`get_elder_for` (404 outside scope); ordering, quoting and the menu then need someone who
may order for that elder (the elder, family, the hotline, the community worker), else 403.

References in a body. An item is named by id or code; an unknown one is a 422 on `item`. A
provider or caregiver named by id that does not exist is a 422 on that field; one that
exists but lies outside the caller's view is a 404, as every record outside scope is.

Conflicts. A step the order's status does not allow is 409 `wrong_status`; an order whose
price split changed since the quote (`expected_own_share`) is 409 `price_changed`.

Formats. Money is a decimal string in yuan with two decimals ("15.00"), never a float.
Datetimes are RFC 3339 with the offset of the installation's time zone
(KANGYANG_TIME_ZONE, e.g. "2026-12-02T11:00:00+08:00"); a datetime sent without an offset
is refused. A `day` is a local date. Visits carry the distance from the elder's home and
whether it was within the radius, never the location sent.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import PlainSerializer, WithJsonSchema

from kangyang.lib.pagination import Page
from kangyang.lib.schemas import StrictAwareDatetime, StrictDate
from kangyang.lib import coords
from kangyang.registry.queries import get_elder_for
from kangyang.services import actions, queries
from kangyang.services.models import (
    Caregiver, Channel, Complaint, Order, OrderEvent, Provider, Recurrence, RouteStop, ServiceItem, Skill, Visit,
    VisitFlag,
)
from kangyang.allowances.models import VOUCHER_KINDS

providers_router = Router(tags=["providers"])
items_router = Router(tags=["service-items"])
router = Router(tags=["orders"])

CODE_PATTERN = r"^\d{12}$"
FEN = Decimal("0.01")


def _one_of(values):
    """A Literal of the allowed values, inlined in the OpenAPI document (so that our
    `Status` never clashes with another app's as a component name)."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


OrderStatus = _one_of(Order.Status.values)
EventKind = _one_of(OrderEvent.Kind.values)
FlagCode = _one_of(VisitFlag.Code.values)
Review = _one_of(Visit.Review.values)
Category = _one_of(ServiceItem.Category.values)
Unit = _one_of(ServiceItem.Unit.values)
SkillCode = _one_of(Skill.values)
AllowanceKind = _one_of(VOUCHER_KINDS)
ChannelValue = _one_of(Channel.values)
NoShowParty = _one_of(Order.NoShowParty.values)
ComplaintStatus = _one_of(Complaint.Status.values)
CoordSystem = _one_of(coords.SYSTEMS)


def _fen(value: Decimal) -> str:
    return str(Decimal(value).quantize(FEN))


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat()


# Outputs: money as "15.00", datetimes in local time with their offset.
Money = Annotated[Decimal, PlainSerializer(_fen, return_type=str),
                  WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["15.00"]})]
LocalDateTime = Annotated[dt.datetime, PlainSerializer(_local, return_type=str),
                          WithJsonSchema({"type": "string", "format": "date-time"})]


def _name(user) -> str | None:
    return str(user) if user is not None else None


# -- schemas: providers and the catalogue ----------------------------------------------------
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


class MenuOfferOut(Schema):
    """One thing the elder can order: an item at one provider's price."""

    item: ServiceItemOut
    provider: int = Field(..., alias="provider_id")
    provider_name: str = Field(..., alias="provider.name")
    price: Money = Field(..., description="Yuan per unit.")


class MenuFilter(Schema):
    elder: int = Field(..., description="The elder's id.")
    category: Category | None = None


# -- schemas: quotes and orders --------------------------------------------------------------
ItemRef = Annotated[int | str, Field(description="The service item's id or code, e.g. 3 or \"meal\".")]


class QuoteIn(Schema):
    elder: int
    item: ItemRef
    provider: int | None = Field(None, description="A provider's id; by default the cheapest serving the elder.")
    quantity: int = Field(1, ge=1, le=99)
    window_start: StrictAwareDatetime | None = Field(
        None, description="When the service would start; the voucher's share follows the policy of that month. "
                          "Default: now.")


class QuoteOut(Schema):
    """What the order would cost and who would pay, as the elder's balances stand now:
    subsidy first (the consumption voucher, then the service allowance), then the elder."""

    elder: int
    item: int
    item_code: str
    item_name: str
    provider: int
    provider_name: str
    quantity: int
    unit_price: Money
    price: Money = Field(..., description="unit_price × quantity; always allowance + voucher + own.")
    allowance: Money = Field(..., description="Paid from the elder's service allowance (服务补贴).")
    voucher: Money = Field(..., description="Paid from the elder-care consumption voucher (养老服务消费补贴).")
    own: Money = Field(..., description="What the elder pays; send it back as `expected_own_share`.")


class OrderIn(Schema):
    """An order from the menu. Without `window_end` it is a fixed time (a 30-minute window)."""

    elder: int
    item: ItemRef
    provider: int | None = Field(None, description="A provider's id; by default the cheapest serving the elder.")
    quantity: int = Field(1, ge=1, le=99)
    window_start: StrictAwareDatetime = Field(..., description="The service starts from this time.")
    window_end: StrictAwareDatetime | None = Field(None, description="…and by this time, the same day.")
    flexible: bool = Field(False, description="Any time in the window suits the elder.")
    urgent: bool = Field(False, description="Urgent help: outside the provider's hours, and now.")
    note: str = Field("", max_length=2000, description="For the caregiver.")
    expected_own_share: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2,
        description="The elder's share the orderer was shown (QuoteOut.own): if it changed, 409 price_changed.")


class OrderFilter(Schema):
    elder: int | None = None
    status: OrderStatus | None = None
    provider: int | None = None
    caregiver: int | None = None
    item: str | None = Field(None, max_length=40, description="A service item's id or code.")
    day: StrictDate | None = Field(None, description="Local date of the start of the window.")


class OrderOut(Schema):
    """A home-service order (工单)."""

    id: int
    status: OrderStatus
    status_label: str
    elder: int = Field(..., alias="elder_id")
    elder_name: str = Field(..., alias="elder.name")
    elder_address: str = Field(..., alias="elder.address", description="Where the service is delivered.")
    region_code: str = Field(..., description="The elder's community.")
    item: int = Field(..., alias="item_id")
    item_code: str = Field(..., alias="item.code")
    item_name: str = Field(..., alias="item.name")
    unit: Unit = Field(..., alias="item.unit")
    quantity: int
    provider: int = Field(..., alias="provider_id")
    provider_name: str = Field(..., alias="provider.name")
    caregiver: int | None = Field(None, alias="caregiver_id")
    caregiver_name: str | None
    recurrence: int | None = Field(None, alias="recurrence_id", description="The standing order that placed it.")
    channel: ChannelValue
    window_start: LocalDateTime
    window_end: LocalDateTime
    flexible: bool
    urgent: bool
    note: str
    unit_price: Money
    price: Money = Field(..., description="Always allowance + voucher + own.")
    allowance: Money = Field(..., alias="allowance_amount", description="Paid from the service allowance.")
    voucher: Money = Field(..., alias="voucher_amount", description="Paid from the consumption voucher.")
    own: Money = Field(..., alias="self_amount", description="Paid by the elder.")
    created_at: LocalDateTime
    updated_at: LocalDateTime
    cancel_reason: str
    no_show_party: NoShowParty | Literal[""]
    rating: int | None
    rating_comment: str
    confirmed_at: LocalDateTime | None
    settled: bool = Field(..., description="Paid to the provider in a monthly settlement.")

    @staticmethod
    def resolve_status_label(obj: Order) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_caregiver_name(obj: Order) -> str | None:
        return obj.caregiver.name if obj.caregiver_id else None

    @staticmethod
    def resolve_settled(obj: Order) -> bool:
        return obj.settlement_id is not None


class OrderEventOut(Schema):
    kind: EventKind
    label: str
    at: LocalDateTime
    by: str | None
    caregiver: str | None = Field(None, description="The caregiver the step concerned.")
    detail: str = Field(..., description="What the event adds, in words: the flag raised, the review decision, "
                                         "the travel a dispatch added.")
    note: str

    @staticmethod
    def resolve_label(obj: OrderEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_detail(obj: OrderEvent) -> str:
        return obj.detail()

    @staticmethod
    def resolve_by(obj: OrderEvent) -> str | None:
        return _name(obj.by)

    @staticmethod
    def resolve_caregiver(obj: OrderEvent) -> str | None:
        return obj.caregiver.name if obj.caregiver_id else None


class VisitFlagOut(Schema):
    code: FlagCode
    label: str
    detail: str = Field(..., description="The figures behind the flag in words, e.g. \"2013 m from home\".")
    facts: dict = Field(..., description="The same figures as data: distance_m, accuracy_m, minutes, planned, km, order, since.")
    created_at: LocalDateTime

    @staticmethod
    def resolve_label(obj: VisitFlag) -> str:
        return str(obj.get_code_display())

    @staticmethod
    def resolve_detail(obj: VisitFlag) -> str:
        return obj.describe()


class OrderVisitOut(Schema):
    """The verified visit: distances from the elder's home and whether each check was
    within the radius (null when it could not be told), never the location itself."""

    checked_in_at: LocalDateTime
    check_in_distance_m: int | None = Field(None, description="Metres from the elder's home at check-in.")
    check_in_accuracy_m: int | None = Field(None, description="The phone's accuracy radius at check-in.")
    check_in_within_radius: bool | None = Field(None, alias="check_in_ok")
    checked_out_at: LocalDateTime | None
    check_out_distance_m: int | None
    check_out_accuracy_m: int | None
    check_out_within_radius: bool | None = Field(None, alias="check_out_ok")
    minutes: int | None = Field(None, description="At the home, from check-in to check-out.")
    notes: str = Field(..., description="The caregiver's notes at check-out.")
    review: Review = Field(..., description="Flagged visits wait for review before they are paid.")
    held_back: bool = Field(..., description="Not settled until a supervisor has reviewed the flags.")
    flags: list[VisitFlagOut]

    @staticmethod
    def resolve_flags(obj: Visit):
        return list(obj.flags.all())


def _visit_of(order: Order) -> Visit | None:
    try:
        return order.visit
    except Visit.DoesNotExist:
        return None


class OrderDetailOut(OrderOut):
    events: list[OrderEventOut] = Field(..., description="The timeline, oldest first.")
    visit: OrderVisitOut | None

    @staticmethod
    def resolve_events(obj: Order):
        return list(obj.events.select_related("by", "caregiver"))

    @staticmethod
    def resolve_visit(obj: Order):
        return _visit_of(obj)


class RouteOrderOut(OrderOut):
    """An order of the caregiver's day, in route order."""

    position: int | None = Field(None, description="Place in the planned route (0 first); null if unplanned.")
    planned_start: LocalDateTime | None = Field(None, description="When the plan expects the service to start.")
    visit: OrderVisitOut | None

    @staticmethod
    def resolve_position(obj: Order) -> int | None:
        stop = _stop_of(obj)
        return stop.position if stop else None

    @staticmethod
    def resolve_planned_start(obj: Order) -> dt.datetime | None:
        stop = _stop_of(obj)
        return stop.start if stop else None

    @staticmethod
    def resolve_visit(obj: Order):
        return _visit_of(obj)


def _stop_of(order: Order) -> RouteStop | None:
    try:
        return order.stop
    except RouteStop.DoesNotExist:
        return None


class RecurrenceIn(Schema):
    """A standing order, e.g. lunch every weekday."""

    elder: int
    item: ItemRef
    provider: int | None = None
    quantity: int = Field(1, ge=1, le=99)
    weekdays: str = Field(..., pattern=r"^[1-7]{1,7}$", description='ISO weekdays, "12345" = Monday to Friday.')
    time_from: dt.time = Field(..., description="Local time the window starts.")
    time_to: dt.time | None = Field(None, description="…and ends; default a 30-minute window.")
    starts_on: StrictDate
    ends_on: StrictDate | None = None
    flexible: bool = False
    note: str = Field("", max_length=2000)


class RecurrenceOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    elder_name: str = Field(..., alias="elder.name")
    item: int = Field(..., alias="item_id")
    item_code: str = Field(..., alias="item.code")
    item_name: str = Field(..., alias="item.name")
    provider: int = Field(..., alias="provider_id")
    provider_name: str = Field(..., alias="provider.name")
    quantity: int
    weekdays: str
    time_from: dt.time
    time_to: dt.time
    flexible: bool
    starts_on: dt.date
    ends_on: dt.date | None
    note: str
    channel: ChannelValue
    created_at: LocalDateTime
    generated_until: dt.date | None = Field(None, description="Orders are placed up to this day.")
    stopped_at: LocalDateTime | None
    orders_placed: int

    @staticmethod
    def resolve_orders_placed(obj: Recurrence) -> int:
        counted = getattr(obj, "orders_placed", None)  # annotated by the list
        return counted if counted is not None else obj.orders.count()


class RecurrenceFilter(Schema):
    elder: int | None = None
    active: bool | None = Field(None, description="Only standing orders not stopped (true) or stopped (false).")


# -- schemas: the steps ----------------------------------------------------------------------
class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class PointIn(Schema):
    """Where the phone is. Latitude and longitude are optional: a phone without a location
    still checks in, and the visit is flagged `no_location`."""

    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=100_000, description="The phone's accuracy radius in metres.")
    coord: CoordSystem = Field("wgs84", description="gcj02 for AMap and Tencent, bd09 for Baidu.")
    at: StrictAwareDatetime | None = Field(
        None, description="When the check was made, for a check queued while the phone was offline (≤ 12 h ago).")


class CheckInIn(PointIn):
    pass


class CheckOutIn(PointIn):
    notes: str = Field("", max_length=4000, description="What was done, for the record.")


class CheckOut(Schema):
    """The result of a check-in or check-out, for the caregiver app to show."""

    order: int
    status: OrderStatus
    radius_m: int = Field(..., description="The radius around the elder's home a check must be within.")
    distance_m: int | None = Field(None, description="Metres from the elder's home at this check; null if unknown.")
    within_radius: bool | None = Field(None, description="Null when there was no location or no known home.")
    raised: list[FlagCode] = Field(..., description="Flags this check raised (the visit goes to review).")
    visit: OrderVisitOut


class ConfirmIn(Schema):
    rating: int | None = Field(None, ge=1, le=5, description="1 to 5 stars; 2 or fewer opens a complaint.")
    comment: str = Field("", max_length=2000)


class NoShowIn(Schema):
    party: NoShowParty = Field(..., description='"elder": nobody at the door; "caregiver": nobody came.')
    reason: str = Field("", max_length=2000)


class AssignIn(Schema):
    caregiver: int = Field(..., description="A caregiver's id, of the order's provider.")
    note: str = Field("", max_length=2000)


class ComplaintIn(Schema):
    text: str = Field(..., max_length=4000)


class ComplaintOut(Schema):
    id: int
    order: int = Field(..., alias="order_id")
    text: str
    status: ComplaintStatus
    created_at: LocalDateTime
    follow_up: str
    closed_at: LocalDateTime | None


# -- parsing helpers (no decisions here) -----------------------------------------------------
def _item(ref: int | str, *, field: str = "item") -> ServiceItem:
    """The catalogue item a body names by id or code; an unknown one is a 422 on the field."""
    found = (ServiceItem.objects.filter(pk=ref) if isinstance(ref, int)
             else ServiceItem.objects.filter(code=ref.strip())).first()
    if found is None:
        raise ValidationError({field: ValidationError(_("There is no such service item."), code="unknown_item")})
    return found


def _referenced(visible, model, pk: int, field: str, message: str):
    """A record a body names by id: 422 on the field if there is none, 404 if the caller
    cannot see it (see the module docstring)."""
    found = visible.filter(pk=pk).first()
    if found is not None:
        return found
    if model.objects.filter(pk=pk).exists():
        raise Http404
    raise ValidationError({field: ValidationError(message, code="unknown")})


def _provider(user, provider_id: int | None) -> Provider | None:
    if provider_id is None:
        return None
    return _referenced(Provider.objects.visible_to(user), Provider, provider_id, "provider",
                       _("There is no such provider."))


def _orderer_for(user, elder_id: int):
    """The elder, for a caller who may order for them: 404 outside scope, else 403."""
    elder = get_elder_for(user, elder_id)
    if not queries.can_order_for(user, elder):
        raise PermissionDenied
    return elder


def _fix(point: PointIn) -> actions.Fix | None:
    if point.lat is None and point.lng is None:
        return None
    if point.lat is None or point.lng is None:
        missing = "lat" if point.lat is None else "lng"
        raise ValidationError({missing: ValidationError(
            _("Send both latitude and longitude, or neither."), code="coord")})
    return actions.Fix(lat=point.lat, lng=point.lng, accuracy_m=point.accuracy, system=point.coord)


def _detail(order: Order) -> Order:
    """The order as it stands after a step, with what OrderDetailOut reads."""
    return (Order.objects.select_related("elder", "item", "provider__organisation", "caregiver")
            .get(pk=order.pk))


def _check_result(order: Order, visit: Visit, *, before: set[str], checking_out: bool) -> dict:
    visit = Visit.objects.prefetch_related("flags").get(pk=visit.pk)
    return {
        "order": order.pk, "status": order.status, "radius_m": settings.VISIT_RADIUS_M,
        "distance_m": visit.check_out_distance_m if checking_out else visit.check_in_distance_m,
        "within_radius": visit.check_out_ok if checking_out else visit.check_in_ok,
        "raised": [f.code for f in visit.flags.all() if f.code not in before],
        "visit": visit,
    }


# -- providers -------------------------------------------------------------------------------
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


# -- the catalogue ---------------------------------------------------------------------------
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


# -- the menu, quotes and orders -------------------------------------------------------------
@router.get("/menu", response=list[MenuOfferOut], summary="What an elder can order")
@paginate(Page)
def menu(request, filters: Query[MenuFilter]):
    """The items and provider prices the elder can order (providers serving their community
    that take orders), cheapest first per item. For a caller who may order for the elder."""
    elder = _orderer_for(request.auth, filters.elder)
    offers = queries.menu_for(elder)
    if filters.category:
        offers = offers.filter(item__category=filters.category)
    return offers


@router.post("/quote", response=QuoteOut, summary="Price an order before placing it")
def quote(request, payload: QuoteIn):
    """The price and who pays it (service allowance, consumption voucher, the elder), as
    the elder's balances stand now. Nothing is held; show it, then place the order with
    `expected_own_share`."""
    elder = _orderer_for(request.auth, payload.elder)
    item = _item(payload.item)
    provider = _provider(request.auth, payload.provider)
    on = timezone.localdate(payload.window_start) if payload.window_start else None
    q = actions.quote_order(elder=elder, item=item, provider=provider, quantity=payload.quantity, on=on)
    return {
        "elder": elder.pk, "item": item.pk, "item_code": item.code, "item_name": item.name,
        "provider": q.provider.pk, "provider_name": q.provider.name, "quantity": q.quantity,
        "unit_price": q.unit_price, "price": q.split.price, "allowance": q.split.allowance,
        "voucher": q.split.voucher, "own": q.split.own,
    }


@router.post("", response={201: OrderDetailOut}, summary="Place an order")
def place(request, payload: OrderIn):
    """Place an order for an elder: the elder for herself and family in the app, the
    hotline and the community worker for elders of their area. The subsidy shares are
    taken from the elder's balances at once, and the order is dispatched to a caregiver
    when one can take it (status `dispatched`; else it waits as `created`)."""
    elder = get_elder_for(request.auth, payload.elder)
    item = _item(payload.item)
    provider = _provider(request.auth, payload.provider)
    order = actions.place_order(
        by=request.auth, elder=elder, item=item, provider=provider, quantity=payload.quantity,
        window_start=payload.window_start, window_end=payload.window_end, flexible=payload.flexible,
        urgent=payload.urgent, note=payload.note, expected_own_share=payload.expected_own_share,
    )
    return Status(201, _detail(order))


@router.get("", response=list[OrderOut], summary="List orders")
@paginate(Page)
def list_orders(request, filters: Query[OrderFilter]):
    """Orders the caller may see, latest window first."""
    item = None
    if filters.item:
        ref = int(filters.item) if filters.item.isdigit() else filters.item
        item = _item(ref)
    return queries.orders_matching(
        request.auth, elder=filters.elder, status=filters.status or "", provider=filters.provider,
        caregiver=filters.caregiver, day=filters.day, item=item,
    ).order_by("-window_start", "-id")


@router.get("/today", response=list[RouteOrderOut], summary="The caregiver's route today")
@paginate(Page)
def today(request):
    """For the caregiver app: the caller's own orders of today (local date) in route order —
    the day's plan where there is one, then by window. Only caregivers (403 for others)."""
    user = request.auth
    if user.role != queries.R.CAREGIVER:
        raise PermissionDenied
    caregiver = queries.caregiver_of(user)
    if caregiver is None:
        return Order.objects.none()
    return (queries.caregiver_day(caregiver, timezone.localdate())
            .select_related("provider__organisation", "caregiver").prefetch_related("visit__flags"))


# -- standing orders -------------------------------------------------------------------------
@router.get("/recurring", response=list[RecurrenceOut], summary="List standing orders")
@paginate(Page)
def list_recurrences(request, filters: Query[RecurrenceFilter]):
    """Standing orders the caller may see (as orders, without caregivers), newest first."""
    recurrences = queries.recurrences_for(request.auth).annotate(orders_placed=Count("orders", distinct=True))
    if filters.elder is not None:
        recurrences = recurrences.filter(elder_id=filters.elder)
    if filters.active is not None:
        recurrences = recurrences.filter(stopped_at__isnull=filters.active)
    return recurrences


@router.post("/recurring", response={201: RecurrenceOut}, summary="Create a standing order")
def create_recurring(request, payload: RecurrenceIn):
    """A standing order, e.g. lunch every weekday: its orders are placed a few days ahead
    (the first ones at once), each priced and dispatched like any order."""
    elder = get_elder_for(request.auth, payload.elder)
    item = _item(payload.item)
    provider = _provider(request.auth, payload.provider)
    recurrence = actions.create_recurrence(
        by=request.auth, elder=elder, item=item, provider=provider, quantity=payload.quantity,
        weekdays=payload.weekdays, time_from=payload.time_from, time_to=payload.time_to,
        starts_on=payload.starts_on, ends_on=payload.ends_on, flexible=payload.flexible, note=payload.note,
    )
    return Status(201, recurrence)


@router.get("/recurring/{recurrence_id}", response=RecurrenceOut, summary="One standing order")
def recurrence_detail(request, recurrence_id: int):
    return queries.get_recurrence_for(request.auth, recurrence_id)


@router.post("/recurring/{recurrence_id}/stop", response=RecurrenceOut, summary="Stop a standing order")
def stop_recurring(request, recurrence_id: int):
    """No more orders from it; those already placed stay and can be cancelled one by one.
    The ordering side or the provider's manager."""
    recurrence = queries.get_recurrence_for(request.auth, recurrence_id)
    return actions.stop_recurrence(recurrence, by=request.auth)


# -- one order and its steps -----------------------------------------------------------------
@router.get("/{order_id}", response=OrderDetailOut, summary="One order")
def detail(request, order_id: int):
    """One order with its timeline and its verified visit; 404 outside the caller's scope."""
    return queries.get_order_for(request.auth, order_id)


@router.post("/{order_id}/accept", response=OrderDetailOut, summary="Accept (caregiver)")
def accept(request, order_id: int):
    """The assigned caregiver takes the order on (from `dispatched`)."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.accept_order(order, by=request.auth))


@router.post("/{order_id}/decline", response={204: None}, summary="Decline (caregiver)")
def decline(request, order_id: int, payload: ReasonIn):
    """The assigned caregiver cannot take it, with a reason: it is dispatched again to
    someone else, so it leaves their list (204)."""
    order = queries.get_order_for(request.auth, order_id)
    actions.decline_order(order, by=request.auth, reason=payload.reason)
    return Status(204, None)


@router.post("/{order_id}/en-route", response=OrderDetailOut, summary="On the way (caregiver)")
def en_route(request, order_id: int):
    """The assigned caregiver sets off to the elder (from `accepted`)."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.start_travel(order, by=request.auth))


@router.post("/{order_id}/check-in", response=CheckOut, summary="Check in at the home (caregiver)")
def check_in(request, order_id: int, payload: CheckInIn):
    """The assigned caregiver arrives. The answer says how far from the elder's home the
    phone was, whether that was within the radius, and the flags the visit got (far,
    imprecise, no location, overlap, impossible travel); a failed check never refuses."""
    order = queries.get_order_for(request.auth, order_id)
    fix = _fix(payload)
    visit = actions.check_in(order, by=request.auth, fix=fix, at=payload.at)
    return _check_result(visit.order, visit, before=set(), checking_out=False)


@router.post("/{order_id}/check-out", response=CheckOut, summary="Check out (caregiver)")
def check_out(request, order_id: int, payload: CheckOutIn):
    """The assigned caregiver leaves, with notes. As for check-in, plus a visit much
    shorter than planned is flagged."""
    order = queries.get_order_for(request.auth, order_id)
    fix = _fix(payload)
    visit = _visit_of(order)
    before = set(visit.flags.values_list("code", flat=True)) if visit else set()
    visit = actions.check_out(order, by=request.auth, fix=fix, notes=payload.notes, at=payload.at)
    return _check_result(visit.order, visit, before=before, checking_out=True)


@router.post("/{order_id}/confirm", response=OrderDetailOut, summary="Confirm the service (elder, family, hotline)")
def confirm(request, order_id: int, payload: ConfirmIn):
    """The elder or family confirms the service was delivered (or the hotline on a
    callback), with an optional rating; from `checked_out`."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.confirm_order(order, by=request.auth, rating=payload.rating, comment=payload.comment))


@router.post("/{order_id}/cancel", response=OrderDetailOut, summary="Cancel an order")
def cancel(request, order_id: int, payload: ReasonIn):
    """The ordering side or the provider's manager cancels, with a reason, until the
    caregiver checks in; the subsidy shares go back to the elder's balances."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.cancel_order(order, by=request.auth, reason=payload.reason))


@router.post("/{order_id}/no-show", response=OrderDetailOut, summary="Report a no-show")
def no_show(request, order_id: int, payload: NoShowIn):
    """Party "elder": the caregiver (or their manager) found nobody at the door. Party
    "caregiver": the ordering side (or the manager) reports that nobody came. Nothing is
    paid; the subsidy shares go back."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.report_no_show(order, by=request.auth, party=payload.party, reason=payload.reason))


@router.post("/{order_id}/assign", response=OrderDetailOut, summary="Assign a caregiver (provider manager)")
def assign(request, order_id: int, payload: AssignIn):
    """The provider's manager gives the order to one of their caregivers who has the skill
    (also to take it from one who accepted it)."""
    user = request.auth
    order = queries.get_order_for(user, order_id)
    if not queries.manages(user, order.provider_id):  # before naming a caregiver they cannot see
        raise PermissionDenied
    caregiver = _referenced(Caregiver.objects.visible_to(user), Caregiver, payload.caregiver, "caregiver",
                            _("There is no such caregiver."))
    return _detail(actions.assign_order(order, by=user, caregiver=caregiver, note=payload.note))


@router.post("/{order_id}/complaints", response={201: ComplaintOut}, summary="Complain about an order")
def complain(request, order_id: int, payload: ComplaintIn):
    """The ordering side complains; the provider and the area follow it up."""
    order = queries.get_order_for(request.auth, order_id)
    return Status(201, actions.file_complaint(order, by=request.auth, text=payload.text))

