"""Every change to care visits, by topic; views, the API, commands, the demo and the tests call
these functions, and nothing else saves these models. tiers.py: the policy and the profiles;
plans.py: the month's plan, adjustments, pairings, settling and reminders."""

from kangyang.visits.actions.plans import (
    PlanMade, assign_visitor, cancel_visit_due, create_pairing, end_pairing, make_monthly_plan, propose_visitor,
    remind_overdue, settle_open_dues, settle_visit,
)
from kangyang.visits.actions.tiers import (
    Refreshed, ensure_default_tiers, override_tier, refresh_profiles, visit_due_after_event, visits_due_after_alarms,
)

__all__ = [
    "PlanMade", "Refreshed", "assign_visitor", "cancel_visit_due", "create_pairing", "end_pairing",
    "ensure_default_tiers", "make_monthly_plan", "override_tier", "propose_visitor", "refresh_profiles",
    "remind_overdue", "settle_open_dues", "settle_visit", "visit_due_after_event", "visits_due_after_alarms",
]
