"""The care-visit staff pages, by topic (plans.py: plans, the rate, profiles)."""

from kangyang.visits.views.plans import (
    add_pairing, assign, cancel, end_pairing, make_plan, overdue, plan, profile, rate, set_tier, unvisited,
)

__all__ = ["add_pairing", "assign", "cancel", "end_pairing", "make_plan", "overdue", "plan", "profile", "rate",
           "set_tier", "unvisited"]
