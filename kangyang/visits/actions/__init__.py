"""Every change to care visits, by topic; views, the API, commands, the demo and the tests call
these functions, and nothing else saves these models. tiers.py: the policy and the profiles;
plans.py: the month's plan, adjustments, pairings, settling and reminders; records.py and
follow_ups.py: visit records and what their findings open; calls.py: scheduled care calls."""

from kangyang.visits.actions.calls import open_visit_after_call, record_outcome, schedule_care_calls, take_call
from kangyang.visits.actions.follow_ups import close_follow_up, open_follow_up
from kangyang.visits.actions.plans import (
    PlanMade, assign_visitor, cancel_visit_due, create_pairing, end_pairing, make_monthly_plan, propose_visitor,
    remind_overdue, settle_open_dues, settle_visit,
)
from kangyang.visits.actions.records import Fix, record_visit
from kangyang.visits.actions.tiers import (
    Refreshed, ensure_default_tiers, override_tier, refresh_profiles, visit_due_after_event, visits_due_after_alarms,
)

__all__ = [
    "Fix", "PlanMade", "Refreshed", "assign_visitor", "cancel_visit_due", "close_follow_up", "create_pairing",
    "end_pairing", "ensure_default_tiers", "make_monthly_plan", "open_follow_up", "open_visit_after_call",
    "override_tier", "propose_visitor", "record_outcome", "record_visit", "refresh_profiles", "remind_overdue",
    "schedule_care_calls", "settle_open_dues", "settle_visit", "take_call", "visit_due_after_event",
    "visits_due_after_alarms",
]
