"""Forms for monthly settlements: which month, and issuing a statement."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def parse_month(value: str | None) -> dt.date | None:
    """"2025-03" → 1 March 2025; None for anything else."""
    try:
        year, month = (int(part) for part in (value or "").strip().split("-"))
        if 2000 <= year <= 2100:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return None


def previous_month(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


class IssueForm(forms.Form):
    month = forms.CharField(label=_("Month"), widget=forms.HiddenInput)

    def clean_month(self) -> dt.date:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise ValidationError(_("Choose a month."), code="invalid")
        return month
