"""Forms of the care-visit pages, by topic (plans.py: the plan, the rate, the profile)."""

from kangyang.visits.forms.plans import (
    AssignForm, CancelForm, EndPairingForm, MakePlanForm, PairingForm, PlaceForm, PlanFilterForm, TierForm,
)

__all__ = ["AssignForm", "CancelForm", "EndPairingForm", "MakePlanForm", "PairingForm", "PlaceForm",
           "PlanFilterForm", "TierForm"]
