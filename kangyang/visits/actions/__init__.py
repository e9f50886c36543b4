"""Every write of the visits app, by topic; re-exported here (`from kangyang.visits import actions`)."""

# Care calls (issue 15 §4).
from kangyang.visits.actions.calls import (  # noqa: F401
    open_visit_after_call, record_outcome, schedule_care_calls, take_call,
)
