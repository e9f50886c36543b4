"""Every change to home services, by topic; views, the API, commands, the demo and the tests
call these functions, and nothing else saves these models."""

from kangyang.services.actions.dispatch import (
    accept_order, assign_order, decline_order, dispatch_order, plan_next_day, plan_routes, request_route_plan,
    run_route_plan, start_travel,
)
from kangyang.services.actions.orders import (
    Quote, cancel_order, close_complaint, confirm_order, create_recurrence, file_complaint, place_order,
    place_recurring_orders, quote_order, refund_shares, report_no_show, stop_recurrence,
)
from kangyang.services.actions.providers import (
    add_caregiver, add_service_item, register_provider, set_price, set_service_areas, update_provider,
    set_shifts, update_caregiver,
)
from kangyang.services.actions.settlement import (
    Preview, issue_settlement, ledger_totals, preview_settlement, reconcile,
)
from kangyang.services.actions.service_visits import Fix, check_in, check_out, flag_missing_check_outs, review_service_visit

__all__ = [
    "Fix", "Preview", "Quote", "accept_order", "add_caregiver", "add_service_item", "assign_order", "cancel_order",
    "check_in", "check_out", "close_complaint", "confirm_order", "create_recurrence", "decline_order",
    "dispatch_order", "file_complaint", "flag_missing_check_outs", "issue_settlement", "ledger_totals",
    "place_order", "place_recurring_orders", "plan_next_day", "plan_routes", "preview_settlement", "quote_order", "reconcile",
    "refund_shares", "register_provider", "request_route_plan", "run_route_plan", "report_no_show", "review_service_visit", "set_price",
    "set_service_areas", "set_shifts", "start_travel", "stop_recurrence", "update_caregiver", "update_provider",
]
