"""Reads of home services, and the rules of who may do what with them, by topic (as in
actions/): providers, orders, dispatch and routes, service visits, settlement. Views, the
API, exports and the actions' permission checks start here.

The role sets of home services are in accounts/scope.py (ORDERER_ROLES, SERVICE_SUPERVISOR_ROLES)."""

from kangyang.services.queries._common import R, S, day_bounds, supervises
from kangyang.services.queries.providers import (
    can_manage_caregivers, caregiver_of, caregivers_of, get_caregiver_for, get_provider_for, manages,
    organisations_to_register, price_of, prices_of, provider_of, providers_for, providers_supervised_by,
    qualified_caregivers, serves, service_area_choices, unlinked_caregiver_accounts,
)
from kangyang.services.queries.orders import (
    board_orders, can_cancel, can_complain, can_confirm, can_follow_up, can_order_for, complaints_for,
    elder_orders_for, get_complaint_for, get_order_for, get_recurrence_for, menu_for, open_complaints_for,
    orders_for, orders_matching, recurrences_for, timeline,
)
from kangyang.services.queries.dispatch import (
    DONE_FOR_THE_DAY, FIXED, IN_PLAN, caregiver_day, caregiver_loads, caregiver_route, is_caregiver_of,
    latest_plan_run, navigation_to, orders_of_day, plan_of, route_stops,
)
from kangyang.services.queries.service_visits import (
    can_review, flagged_service_visits_for, get_service_visit_for, home_of,
)
from kangyang.services.queries.settlement import can_manage_settlement, get_settlement_for, settlements_of

__all__ = [
    "DONE_FOR_THE_DAY",
    "FIXED",
    "IN_PLAN",
    "R",
    "S",
    "board_orders",
    "can_cancel",
    "can_complain",
    "can_confirm",
    "can_follow_up",
    "can_manage_caregivers",
    "can_manage_settlement",
    "can_order_for",
    "can_review",
    "caregiver_day",
    "caregiver_loads",
    "caregiver_route",
    "caregiver_of",
    "caregivers_of",
    "complaints_for",
    "day_bounds",
    "elder_orders_for",
    "flagged_service_visits_for",
    "get_caregiver_for",
    "get_complaint_for",
    "get_order_for",
    "get_provider_for",
    "get_recurrence_for",
    "get_settlement_for",
    "get_service_visit_for",
    "home_of",
    "is_caregiver_of",
    "latest_plan_run",
    "manages",
    "menu_for",
    "open_complaints_for",
    "orders_for",
    "organisations_to_register",
    "orders_matching",
    "navigation_to",
    "orders_of_day",
    "plan_of",
    "price_of",
    "prices_of",
    "provider_of",
    "providers_for",
    "providers_supervised_by",
    "qualified_caregivers",
    "recurrences_for",
    "route_stops",
    "serves",
    "service_area_choices",
    "settlements_of",
    "supervises",
    "timeline",
    "unlinked_caregiver_accounts",
]
