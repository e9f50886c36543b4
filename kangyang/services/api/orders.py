"""/api/v1/orders: the menu, quotes, placing, listing and closing orders, standing orders and
complaints."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import Count
from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.lib.pagination import Page
from kangyang.lib.schemas import StrictAwareDatetime, StrictDate, UtcDatetime
from kangyang.registry.queries import get_elder_for
from kangyang.services import actions, queries
from kangyang.services.api._common import (
    Category, ChannelValue, ComplaintStatus, EventKind, ItemRef, Money, NoShowParty, OrderStatus,
    Unit, _detail, _item, _name, _orderer_for, _provider, router,
)
from kangyang.services.api.providers import ServiceItemOut
from kangyang.services.api.service_visits import ServiceVisitOut, _service_visit_of
from kangyang.services.models import Order, OrderEvent, Recurrence


class MenuOfferOut(Schema):
    """One thing the elder can order: an item at one provider's price."""

    item: ServiceItemOut
    provider: int = Field(..., alias="provider_id")
    provider_name: str = Field(..., alias="provider.name")
    price: Money = Field(..., description="Yuan per unit.")


class MenuFilter(Schema):
    elder: int = Field(..., description="The elder's id.")
    category: Category | None = None


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
    allowance first (the consumption voucher, then the service allowance), then the elder."""

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


WarningCode = Literal["skill", "overlap", "off_shift", "late", "overtime"]


class DispatchWarningOut(Schema):
    """Dispatched against the rules (by the manager's override, or kept late by the route planner)."""

    codes: list[WarningCode] = Field(..., description="The rules broken: off_shift, late, overtime.")
    text: str = Field(..., description="The warning in words, in the caller's language.")
    reason: str = Field(..., description="The manager's reason for the override (\"\" when the planner warned).")


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
    window_start: UtcDatetime
    window_end: UtcDatetime
    flexible: bool
    urgent: bool
    note: str
    unit_price: Money
    price: Money = Field(..., description="Always allowance + voucher + own.")
    allowance: Money = Field(..., alias="allowance_amount", description="Paid from the service allowance.")
    voucher: Money = Field(..., alias="voucher_amount", description="Paid from the consumption voucher.")
    own: Money = Field(..., alias="self_amount", description="Paid by the elder.")
    created_at: UtcDatetime
    updated_at: UtcDatetime
    cancel_reason: str
    no_show_party: NoShowParty | Literal[""]
    rating: int | None
    rating_comment: str
    confirmed_at: UtcDatetime | None
    settled: bool = Field(..., description="Paid to the provider in a monthly settlement.")
    warning: DispatchWarningOut | None = Field(None, description="Set when the order's dispatch breaks a rule.")

    @staticmethod
    def resolve_warning(obj: Order) -> dict | None:
        if not obj.warning_codes:
            return None
        return {"codes": obj.warning_codes, "text": obj.warning_text(), "reason": obj.override_reason}

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
    at: UtcDatetime
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


class OrderDetailOut(OrderOut):
    events: list[OrderEventOut] = Field(..., description="The timeline, oldest first.")
    visit: ServiceVisitOut | None

    @staticmethod
    def resolve_events(obj: Order):
        return list(obj.events.select_related("by", "caregiver"))

    @staticmethod
    def resolve_visit(obj: Order):
        return _service_visit_of(obj)


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
    created_at: UtcDatetime
    generated_until: dt.date | None = Field(None, description="Orders are placed up to this day.")
    stopped_at: UtcDatetime | None
    orders_placed: int

    @staticmethod
    def resolve_orders_placed(obj: Recurrence) -> int:
        counted = getattr(obj, "orders_placed", None)  # annotated by the list
        return counted if counted is not None else obj.orders.count()


class RecurrenceFilter(Schema):
    elder: int | None = None
    active: bool | None = Field(None, description="Only standing orders not stopped (true) or stopped (false).")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class ConfirmIn(Schema):
    rating: int | None = Field(None, ge=1, le=5, description="1 to 5 stars; 2 or fewer opens a complaint.")
    comment: str = Field("", max_length=2000)


class NoShowIn(Schema):
    party: NoShowParty = Field(..., description='"elder": nobody at the door; "caregiver": nobody came.')
    reason: str = Field("", max_length=2000)


class ComplaintIn(Schema):
    text: str = Field(..., max_length=4000)


class ComplaintOut(Schema):
    id: int
    order: int = Field(..., alias="order_id")
    text: str
    status: ComplaintStatus
    created_at: UtcDatetime
    follow_up: str
    closed_at: UtcDatetime | None


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
    hotline and the community worker for elders of their area. The allowance shares are
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


@router.get("/{order_id}", response=OrderDetailOut, summary="One order")
def detail(request, order_id: int):
    """One order with its timeline and its verified visit; 404 outside the caller's scope."""
    return queries.get_order_for(request.auth, order_id)


@router.post("/{order_id}/confirm", response=OrderDetailOut, summary="Confirm the service (elder, family, hotline)")
def confirm(request, order_id: int, payload: ConfirmIn):
    """The elder or family confirms the service was delivered (or the hotline on a
    callback), with an optional rating; from `checked_out`."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.confirm_order(order, by=request.auth, rating=payload.rating, comment=payload.comment))


@router.post("/{order_id}/cancel", response=OrderDetailOut, summary="Cancel an order")
def cancel(request, order_id: int, payload: ReasonIn):
    """The ordering side or the provider's manager cancels, with a reason, until the
    caregiver checks in; the allowance shares go back to the elder's balances."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.cancel_order(order, by=request.auth, reason=payload.reason))


@router.post("/{order_id}/no-show", response=OrderDetailOut, summary="Report a no-show")
def no_show(request, order_id: int, payload: NoShowIn):
    """Party "elder": the caregiver (or their manager) found nobody at the door. Party
    "caregiver": the ordering side (or the manager) reports that nobody came. Nothing is
    paid; the allowance shares go back."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.report_no_show(order, by=request.auth, party=payload.party, reason=payload.reason))


@router.post("/{order_id}/complaints", response={201: ComplaintOut}, summary="Complain about an order")
def complain(request, order_id: int, payload: ComplaintIn):
    """The ordering side complains; the provider and the area follow it up."""
    order = queries.get_order_for(request.auth, order_id)
    return Status(201, actions.file_complaint(order, by=request.auth, text=payload.text))
