"""Input of the care-call pages (validation only; the rules are in actions/calls.py)."""

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kangyang.visits.models import CareCall

O = CareCall.Outcome
NOTE_LENGTH = 500


class OutcomeForm(forms.Form):
    """What the call found: one of three buttons, and a note (needed when she needs help)."""

    outcome = forms.ChoiceField(
        label=_("What the call found"),
        choices=[(O.WELL, pgettext_lazy("care call", "well")), (O.NEEDS_HELP, pgettext_lazy("care call", "needs help")),
                 (O.NO_ANSWER, pgettext_lazy("care call", "no answer"))],
        error_messages={"required": _("Choose what the call found."),
                        "invalid_choice": _("Choose what the call found.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. feels well; asked about the meal service")}),
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == O.NEEDS_HELP and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what help the elder needs."))
        return data


MONTH = re.compile(r"(\d{4})-(\d{2})")


class MonthForm(forms.Form):
    """The month whose outcomes are counted, YYYY-MM; this month when absent or malformed."""

    month = forms.CharField(label=_("Month"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month"}))

    def month_start(self) -> dt.date:
        today = timezone.localdate()
        value = self.data.get("month", "") if self.is_bound else ""
        match = MONTH.fullmatch(value or "")
        if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
            return dt.date(int(match[1]), int(match[2]), 1)
        return today.replace(day=1)
