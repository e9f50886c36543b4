"""Reads of care visits worth a name, by topic: plans.py (gates, plans, overdue lines, profiles,
visits a user may list), rate.py (the monthly visit rate and its rule), records.py (the
visitor's day, an elder's visits, follow-ups), calls.py (the care-call list)."""

from kangyang.visits.queries.calls import (
    calls_for, calls_of, due_calls_for, get_call_for, last_calls_by_elder, number_to_dial, outcome_counts,
)
from kangyang.visits.queries.plans import (
    care_visits_for, get_elder_for, get_pairing_for, get_visit_due_for, overdue_for, plan_counts, plan_for,
    profile_page, visitor_choices, visitor_loads,
)
from kangyang.visits.queries.rate import due_elders, rate_by_region, rate_tree, unvisited_for, visited_of
from kangyang.visits.queries.records import (
    dues_of, elder_history, elder_to_visit, elder_visits_summary, follow_ups_for, get_follow_up_for, get_visit_for,
    open_follow_ups, open_follow_ups_by_community, today_count, visitor_day, visits_for, walking_order,
)

__all__ = [
    "calls_for", "calls_of", "care_visits_for", "due_calls_for", "due_elders", "dues_of", "elder_history",
    "elder_to_visit", "elder_visits_summary", "follow_ups_for", "get_call_for", "get_elder_for", "get_follow_up_for",
    "get_pairing_for", "get_visit_due_for", "get_visit_for", "last_calls_by_elder", "number_to_dial",
    "open_follow_ups", "open_follow_ups_by_community", "outcome_counts", "overdue_for", "plan_counts", "plan_for",
    "profile_page", "rate_by_region", "rate_tree", "today_count", "unvisited_for", "visited_of", "visitor_choices",
    "visitor_day", "visitor_loads", "visits_for", "walking_order",
]
