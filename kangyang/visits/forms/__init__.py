"""The visits app's forms, by topic; re-exported here."""

# Care calls (issue 15 §4).
from kangyang.visits.forms.calls import MonthForm, OutcomeForm  # noqa: F401
