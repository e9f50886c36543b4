"""Reads worth a name, by topic: plans.py (gates, plans, overdue lines, profiles, visits a user
may list) and rate.py (the monthly visit rate and its rule)."""

from kangyang.visits.queries.plans import (
    care_visits_for, get_elder_for, get_pairing_for, get_visit_due_for, overdue_for, plan_counts, plan_for,
    profile_page, visitor_choices, visitor_loads,
)
from kangyang.visits.queries.rate import due_elders, rate_by_region, rate_tree, unvisited_for, visited_of

__all__ = [
    "care_visits_for", "due_elders", "get_elder_for", "get_pairing_for", "get_visit_due_for", "overdue_for",
    "plan_counts", "plan_for", "profile_page", "rate_by_region", "rate_tree", "unvisited_for", "visited_of", "visitor_choices",
    "visitor_loads",
]
