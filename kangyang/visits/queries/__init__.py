"""Reads of care visits worth a name, by topic; re-exported here."""

# Visit records and follow-ups.
from kangyang.visits.queries.records import (
    dues_of, elder_history, elder_to_visit, elder_visits_summary, follow_ups_for, get_follow_up_for, get_visit_for,
    open_follow_ups, open_follow_ups_by_community, today_count, visitor_day, visits_for, walking_order,
)
# Care calls (issue 15 §4).
from kangyang.visits.queries.calls import (
    calls_for, calls_of, due_calls_for, get_call_for, last_calls_by_elder, number_to_dial, outcome_counts,
)

__all__ = [
    "calls_for", "calls_of", "due_calls_for", "dues_of", "elder_history", "elder_to_visit", "elder_visits_summary",
    "follow_ups_for", "get_call_for", "get_follow_up_for", "get_visit_for", "last_calls_by_elder", "number_to_dial",
    "open_follow_ups", "open_follow_ups_by_community", "outcome_counts", "today_count", "visitor_day", "visits_for",
    "walking_order",
]
