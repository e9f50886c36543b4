"""Every change to care visits, by topic; views, the API, the demo and the tests call these
functions, and nothing else saves these models (`from kangyang.visits import actions`)."""

# Visit records and follow-ups.
from kangyang.visits.actions.follow_ups import close_follow_up, open_follow_up
from kangyang.visits.actions.records import Fix, record_visit
# Care calls (issue 15 §4).
from kangyang.visits.actions.calls import open_visit_after_call, record_outcome, schedule_care_calls, take_call

__all__ = [
    "Fix", "close_follow_up", "open_follow_up", "open_visit_after_call", "record_outcome", "record_visit",
    "schedule_care_calls", "take_call",
]
