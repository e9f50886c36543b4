"""Reads of the visits app worth a name, by topic; re-exported here."""

# Care calls (issue 15 §4).
from kangyang.visits.queries.calls import (  # noqa: F401
    calls_for, calls_of, due_calls_for, get_call_for, last_calls_by_elder, number_to_dial, outcome_counts,
)
