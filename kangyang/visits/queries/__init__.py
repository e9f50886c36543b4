"""Reads of care visits, by topic (visitrec: records and follow-ups; the plans and the visit
rate add their modules here)."""

from kangyang.visits.queries.records import (
    dues_of, elder_history, elder_to_visit, elder_visits_summary, follow_ups_for, get_follow_up_for, get_visit_for,
    open_follow_ups, open_follow_ups_by_community, today_count, visitor_day, visits_for, walking_order,
)

__all__ = [
    "dues_of", "elder_history", "elder_to_visit", "elder_visits_summary", "follow_ups_for", "get_follow_up_for",
    "get_visit_for", "open_follow_ups", "open_follow_ups_by_community", "today_count", "visitor_day", "visits_for",
    "walking_order",
]
