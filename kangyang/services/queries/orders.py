"""Reads of orders, standing orders and complaints, the menu, and who may order, cancel,
confirm and complain."""

import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404

from kangyang.accounts import scope
from kangyang.registry.models import Elder
from kangyang.services.models import (
    Complaint, Order, Provider, ProviderPrice, Recurrence, ServiceItem, service_filter, serving_filter,
)
from kangyang.services.queries._common import R, day_bounds, supervises
from kangyang.services.queries.providers import manages


def can_order_for(user, elder: Elder) -> bool:
    """Elders order for themselves, family for their elder, the hotline and community workers
    for elders of their area."""
    if not scope.may_order(user):
        return False
    return Elder.objects.visible_to(user).filter(pk=elder.pk).exists()


def can_cancel(user, order: Order) -> bool:
    """The ordering side (anyone who may order for the elder) and the provider's manager."""
    return can_order_for(user, order.elder) or manages(user, order.provider_id)


def can_confirm(user, order: Order) -> bool:
    """The elder or their family in the app; the hotline by phone callback."""
    if scope.is_personal(user):
        return Elder.objects.visible_to(user).filter(pk=order.elder_id).exists()
    return scope.hotline_of(user, order.region_code)


def can_complain(user, order: Order) -> bool:
    return can_order_for(user, order.elder)


def can_follow_up(user, complaint: Complaint) -> bool:
    return (manages(user, complaint.provider_id) or supervises(user, complaint.region_code)
            or scope.hotline_of(user, complaint.region_code))


def orders_for(user):
    return Order.objects.visible_to(user).select_related("elder", "item", "provider__organisation", "caregiver")


def get_order_for(user, order_id: int) -> Order:
    """The only way views and API handlers load an order. Outside scope → 404."""
    return get_object_or_404(orders_for(user), pk=order_id)


def menu_for(elder: Elder):
    """What the elder can order: active items with the prices of providers that serve their
    community and receive orders, cheapest first."""
    return (
        ProviderPrice.objects.filter(active=True, item__active=True)
        .filter(provider__in=Provider.objects.receiving_orders().filter(serving_filter([elder.region_code])))
        .select_related("item", "provider__organisation")
        .order_by("item__position", "item__code", "price", "provider_id")
        .distinct()
    )


def open_complaints_for(user):
    q = Q(provider__organisation_id=user.organisation_id) if user.role == R.PROVIDER_MANAGER else (
        scope.region_filter(user, field="region_code") if scope.area_prefix(user) is not None else scope.NOTHING)
    return Complaint.objects.filter(q, status=Complaint.Status.OPEN).select_related("order__item", "elder", "provider__organisation")


def orders_matching(user, *, elder: int | None = None, status: str = "", provider: int | None = None,
                    caregiver: int | None = None, day: dt.date | None = None, item: ServiceItem | None = None):
    """Orders the user may see (orders_for), narrowed by the filters given; `day` is a local
    date and matches the start of the order's window."""
    orders = orders_for(user)
    if elder is not None:
        orders = orders.filter(elder_id=elder)
    if status:
        orders = orders.filter(status=status)
    if provider is not None:
        orders = orders.filter(provider_id=provider)
    if caregiver is not None:
        orders = orders.filter(caregiver_id=caregiver)
    if item is not None:
        orders = orders.filter(item=item)
    if day is not None:
        start, end = day_bounds(day)
        orders = orders.filter(window_start__gte=start, window_start__lt=end)
    return orders


def recurrences_for(user):
    """Standing orders by the rules of service_filter; caregivers have none (a standing
    order has no caregiver, only the orders it places do)."""
    if user.is_authenticated and user.role == R.CAREGIVER:
        return Recurrence.objects.none()
    return (Recurrence.objects.filter(service_filter(user))
            .select_related("elder", "item", "provider__organisation"))


def get_recurrence_for(user, recurrence_id: int) -> Recurrence:
    return get_object_or_404(recurrences_for(user), pk=recurrence_id)


def board_orders(user, provider: Provider, day: dt.date):
    """The provider's orders of a local day that the user may see, by the start of their window."""
    start, end = day_bounds(day)
    return (orders_for(user).filter(provider=provider, window_start__gte=start, window_start__lt=end)
            .select_related("elder__community").order_by("window_start", "id"))


def elder_orders_for(user, elder: Elder):
    """An elder's orders that the user may see, the latest first."""
    return orders_for(user).filter(elder=elder).select_related("service_visit").order_by("-window_start", "-id")


def timeline(order: Order):
    return order.events.select_related("by", "caregiver").order_by("at", "id")


def complaints_for(user):
    """Complaints by the rules of service_filter (orders' who-sees-what)."""
    return Complaint.objects.filter(service_filter(user)).select_related(
        "order__item", "elder", "provider__organisation", "caregiver")


def get_complaint_for(user, complaint_id: int) -> Complaint:
    return get_object_or_404(complaints_for(user), pk=complaint_id)
