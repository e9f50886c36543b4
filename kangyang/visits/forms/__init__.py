"""Forms of the care-visit pages, by topic (plans.py: the plan, the rate, the profile; calls.py:
the care-call list)."""

from kangyang.visits.forms.calls import MonthForm, OutcomeForm
from kangyang.visits.forms.plans import (
    AssignForm, CancelForm, EndPairingForm, MakePlanForm, PairingForm, PlaceForm, PlanFilterForm, TierForm,
)

__all__ = ["AssignForm", "CancelForm", "EndPairingForm", "MakePlanForm", "MonthForm", "OutcomeForm", "PairingForm",
           "PlaceForm", "PlanFilterForm", "TierForm"]
