"""Forms of the home-service pages, by topic (as in actions/): input validation only. The
rules (who may, in which state, which window a provider takes) are in actions/; these turn
what was typed into the values the actions take (aware datetimes in the current time zone,
Decimal money, a Fix)."""

from kangyang.services.forms._common import DateInput, TimeInput, WEEKDAYS
from kangyang.services.forms.providers import CaregiverForm, PricesForm, ProviderForm, ShiftsForm
from kangyang.services.forms.orders import (
    CancelForm, ComplaintForm, ConfirmForm, ElderSearchForm, FollowUpForm, NoShowForm, OrderForm,
)
from kangyang.services.forms.dispatch import AssignForm, BoardFilterForm, DayForm, DeclineForm, PlanForm
from kangyang.services.forms.service_visits import CheckForm, ReviewForm
from kangyang.services.forms.settlement import IssueForm, parse_month, previous_month

__all__ = [
    "AssignForm",
    "BoardFilterForm",
    "CancelForm",
    "CaregiverForm",
    "CheckForm",
    "ComplaintForm",
    "ConfirmForm",
    "DateInput",
    "DayForm",
    "DeclineForm",
    "ElderSearchForm",
    "FollowUpForm",
    "IssueForm",
    "NoShowForm",
    "OrderForm",
    "PricesForm",
    "ProviderForm",
    "PlanForm",
    "ReviewForm",
    "ShiftsForm",
    "TimeInput",
    "WEEKDAYS",
    "parse_month",
    "previous_month",
]
