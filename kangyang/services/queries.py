"""Reads of home services, and the rules of who may do what with them. Views, the API,
exports and the actions' permission checks start here."""

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.registry.models import Elder
from kangyang.services.models import (
    Caregiver, Complaint, Order, Provider, ProviderPrice, Recurrence, RoutePlan, ServiceItem, Settlement,
    Visit, service_filter, serving_filter,
)

R = scope.R
S = Order.Status

# The role sets of home services are in accounts/scope.py (ORDERER_ROLES, SERVICE_SUPERVISOR_ROLES).


# -- the rules -------------------------------------------------------------------------------
def can_order_for(user, elder: Elder) -> bool:
    """Elders order for themselves, family for their elder, the hotline and community workers
    for elders of their area."""
    if not scope.may_order(user):
        return False
    return Elder.objects.visible_to(user).filter(pk=elder.pk).exists()


def manages(user, provider_id: int | None) -> bool:
    """The provider's manager."""
    return (
        user.is_authenticated and user.role == R.PROVIDER_MANAGER and provider_id is not None
        and user.organisation_id is not None
        and Provider.objects.filter(pk=provider_id, organisation_id=user.organisation_id).exists()
    )


def supervises(user, region_code: str) -> bool:
    """Bureau staff and subdistrict officers whose area covers the record."""
    return scope.supervises_services_of(user, region_code)


def is_caregiver_of(user, order: Order) -> bool:
    return user.is_authenticated and order.caregiver_id is not None and order.caregiver.user_id == user.pk


def can_cancel(user, order: Order) -> bool:
    """The ordering side (anyone who may order for the elder) and the provider's manager."""
    return can_order_for(user, order.elder) or manages(user, order.provider_id)


def can_confirm(user, order: Order) -> bool:
    """The elder or their family in the app; the hotline by phone callback."""
    if scope.is_personal(user):
        return Elder.objects.visible_to(user).filter(pk=order.elder_id).exists()
    return scope.hotline_of(user, order.region_code)


def can_review(user, visit: Visit) -> bool:
    """A flagged visit is reviewed by its provider's manager or by a supervisor of the area."""
    return manages(user, visit.provider_id) or supervises(user, visit.region_code)


def can_manage_settlement(user, provider: Provider) -> bool:
    """Statements are issued by the provider's manager or by bureau staff of its area."""
    return manages(user, provider.pk) or scope.bureau_of(user, provider.region_code)


def can_complain(user, order: Order) -> bool:
    return can_order_for(user, order.elder)


def can_follow_up(user, complaint: Complaint) -> bool:
    return (manages(user, complaint.provider_id) or supervises(user, complaint.region_code)
            or scope.hotline_of(user, complaint.region_code))


# -- gates -----------------------------------------------------------------------------------
def orders_for(user):
    return Order.objects.visible_to(user).select_related("elder", "item", "provider__organisation", "caregiver")


def get_order_for(user, order_id: int) -> Order:
    """The only way views and API handlers load an order. Outside scope → 404."""
    return get_object_or_404(orders_for(user), pk=order_id)


def get_visit_for(user, visit_id: int) -> Visit:
    visits = Visit.objects.filter(service_filter(user)).select_related("order__item", "elder", "caregiver", "provider")
    return get_object_or_404(visits, pk=visit_id)


def get_provider_for(user, provider_id: int) -> Provider:
    return get_object_or_404(Provider.objects.visible_to(user).select_related("organisation"), pk=provider_id)


def get_caregiver_for(user, caregiver_id: int) -> Caregiver:
    return get_object_or_404(Caregiver.objects.visible_to(user).select_related("provider__organisation"), pk=caregiver_id)


def get_settlement_for(user, settlement_id: int) -> Settlement:
    return get_object_or_404(Settlement.objects.visible_to(user).select_related("provider__organisation"), pk=settlement_id)


def provider_of(user) -> Provider | None:
    """The provider a manager or caregiver works for."""
    if user.organisation_id is None:
        return None
    return Provider.objects.filter(organisation_id=user.organisation_id).select_related("organisation").first()


# -- the menu --------------------------------------------------------------------------------
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


def price_of(provider: Provider, item: ServiceItem) -> ProviderPrice | None:
    return ProviderPrice.objects.filter(provider=provider, item=item, active=True).first()


def serves(provider: Provider, region_code: str) -> bool:
    return Provider.objects.filter(pk=provider.pk).filter(serving_filter([region_code])).exists()


# -- days and boards -------------------------------------------------------------------------
def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A local day as [start, end) in aware datetimes."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def orders_of_day(provider: Provider, day: dt.date):
    start, end = day_bounds(day)
    return (Order.objects.filter(provider=provider, window_start__gte=start, window_start__lt=end)
            .select_related("elder__household", "elder__compound", "item", "caregiver"))


# Orders that take a place in a caregiver's day (planned, not yet done or closed).
IN_PLAN = (S.CREATED, S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE, S.CHECKED_IN)
# …of which these stay with their caregiver when the day is planned again.
FIXED = (S.ACCEPTED, S.EN_ROUTE, S.CHECKED_IN)


def caregiver_day(caregiver: Caregiver, day: dt.date):
    """A caregiver's orders of a day in route order: the plan's order where there is one,
    then by window."""
    start, end = day_bounds(day)
    return (
        Order.objects.filter(caregiver=caregiver, window_start__gte=start, window_start__lt=end)
        .exclude(status__in=[S.CANCELLED])
        .select_related("elder__household", "elder__compound", "item", "stop", "visit")
        .order_by("stop__position", "window_start", "id")
    )


def plan_of(provider: Provider, day: dt.date) -> RoutePlan | None:
    return RoutePlan.objects.filter(provider=provider, day=day).first()


def flagged_visits_for(user):
    """Visits waiting for review, that the user may review."""
    visits = Visit.objects.filter(review=Visit.Review.PENDING).select_related(
        "order__item", "elder", "caregiver", "provider__organisation")
    if user.role == R.PROVIDER_MANAGER:
        return visits.filter(provider__organisation_id=user.organisation_id) if user.organisation_id else visits.none()
    if scope.supervises_services(user):
        return visits.filter(scope.region_filter(user, field="region_code"))
    return visits.none()


def home_of(elder: Elder) -> tuple[float, float] | None:
    """The elder's home as (lat, lng) WGS-84: their household's location, else their
    compound's; None when neither is known."""
    for place in (elder.household, elder.compound):
        if place is not None and place.lat is not None and place.lng is not None:
            return place.lat, place.lng
    return None


def open_complaints_for(user):
    q = Q(provider__organisation_id=user.organisation_id) if user.role == R.PROVIDER_MANAGER else (
        scope.region_filter(user, field="region_code") if scope.area_prefix(user) is not None else scope.NOTHING)
    return Complaint.objects.filter(q, status=Complaint.Status.OPEN).select_related("order__item", "elder", "provider__organisation")


# -- reads for the API: lists filtered by their main relations -------------------------------
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


def recurrences_for(user):
    """Standing orders by the rules of service_filter; caregivers have none (a standing
    order has no caregiver, only the orders it places do)."""
    if user.is_authenticated and user.role == R.CAREGIVER:
        return Recurrence.objects.none()
    return (Recurrence.objects.filter(service_filter(user))
            .select_related("elder", "item", "provider__organisation"))


def get_recurrence_for(user, recurrence_id: int) -> Recurrence:
    return get_object_or_404(recurrences_for(user), pk=recurrence_id)


def caregiver_of(user) -> Caregiver | None:
    """A caregiver account's profile with its provider (None for anyone else)."""
    if not user.is_authenticated or user.role != R.CAREGIVER:
        return None
    return Caregiver.objects.filter(user=user).select_related("provider").first()


# -- reads for the pages (views/) ------------------------------------------------------------
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


def board_orders(user, provider: Provider, day: dt.date):
    """The provider's orders of a local day that the user may see, by the start of their window."""
    start, end = day_bounds(day)
    return (orders_for(user).filter(provider=provider, window_start__gte=start, window_start__lt=end)
            .select_related("elder__community").order_by("window_start", "id"))


def qualified_caregivers(provider: Provider, skill: str):
    """Active caregivers of the provider who have the skill (any, when none is needed)."""
    return provider.caregivers.filter(active=True).with_skill(skill).order_by("name", "id")


def caregivers_of(provider: Provider):
    return provider.caregivers.select_related("user").prefetch_related("shifts").order_by("-active", "name", "id")


def caregiver_loads(provider: Provider, day: dt.date) -> dict[int, dict]:
    """Per caregiver: the orders of the day they hold (not cancelled or no-show) and their
    planned minutes at the homes."""
    start, end = day_bounds(day)
    rows = (Order.objects.filter(provider=provider, caregiver__isnull=False, window_start__gte=start,
                                 window_start__lt=end)
            .exclude(status__in=[S.CANCELLED, S.NO_SHOW])
            .values("caregiver_id")
            .annotate(orders=Count("id"), minutes=Sum(F("item__duration_minutes") * F("quantity"))))
    return {r["caregiver_id"]: {"orders": r["orders"], "minutes": r["minutes"] or 0} for r in rows}


def unlinked_caregiver_accounts(provider: Provider):
    """Caregiver sign-in accounts of the provider's organisation without a caregiver profile."""
    from kangyang.accounts.models import User

    return User.objects.filter(role=R.CAREGIVER, organisation_id=provider.organisation_id, is_active=True,
                               caregiver__isnull=True).order_by("username")


def route_stops(plan: RoutePlan):
    """A plan's stops by caregiver and position, with what a route page shows of each."""
    return plan.stops.select_related(
        "caregiver", "order__elder__household", "order__elder__compound", "order__elder__community", "order__item",
    ).order_by("caregiver__name", "caregiver_id", "position")


def elder_orders_for(user, elder: Elder):
    """An elder's orders that the user may see, the latest first."""
    return orders_for(user).filter(elder=elder).select_related("visit").order_by("-window_start", "-id")


def timeline(order: Order):
    return order.events.select_related("by", "caregiver").order_by("at", "id")


def complaints_for(user):
    """Complaints by the rules of service_filter (orders' who-sees-what)."""
    return Complaint.objects.filter(service_filter(user)).select_related(
        "order__item", "elder", "provider__organisation", "caregiver")


def get_complaint_for(user, complaint_id: int) -> Complaint:
    return get_object_or_404(complaints_for(user), pk=complaint_id)


def settlements_of(user, provider: Provider):
    return Settlement.objects.visible_to(user).filter(provider=provider).order_by("-month")
