"""Home services (线上派单、线下服务): providers and their caregivers, the catalogue, orders
from the menu, dispatch, route plans, verified visits and monthly settlements.

One module per topic (providers, orders, routes, service visits, settlement), as in
actions/. Every write goes through services/actions/. Money is Decimal to the fen
(DecimalField(max_digits=12, decimal_places=2)), as in the allowances app; an order's price
is always the sum of its three shares (a database constraint): the service allowance, the
elder-care consumption voucher, and the elder's own share.
"""

from kangyang.services.models._common import R, service_filter
from kangyang.services.models.orders import Channel, Complaint, Order, OrderEvent, OrderQuerySet, Recurrence
from kangyang.services.models.providers import (
    Caregiver, CaregiverQuerySet, Provider, ProviderPrice, ProviderQuerySet, ServiceArea, ServiceItem, Shift, Skill,
    serving_filter,
)
from kangyang.services.models.routes import RoutePlan, RoutePlanRun, RouteStop
from kangyang.services.models.service_visits import ServiceVisit, ServiceVisitFlag
from kangyang.services.models.settlement import Settlement, SettlementQuerySet

__all__ = [
    "Caregiver", "CaregiverQuerySet", "Channel", "Complaint", "Order", "OrderEvent", "OrderQuerySet", "Provider",
    "ProviderPrice", "ProviderQuerySet", "R", "Recurrence", "RoutePlan", "RoutePlanRun", "RouteStop", "ServiceArea",
    "ServiceItem", "ServiceVisit", "ServiceVisitFlag", "Settlement", "SettlementQuerySet", "Shift", "Skill",
    "service_filter", "serving_filter",
]
