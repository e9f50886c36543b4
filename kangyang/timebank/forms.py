"""The community's time-bank pages' forms (input shape only; the rules are actions.py's)."""

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ROW = re.compile(r"^(visit|attendance):(\d{1,18})$")


def parse_rows(values) -> list[tuple[str, int]]:
    """The rows a confirm button sends ("visit:12", "attendance:3"), each once; anything else
    is dropped (a forged value confirms nothing)."""
    rows: list[tuple[str, int]] = []
    for value in values[:500]:
        match = ROW.match(str(value))
        if match and (match[1], int(match[2])) not in rows:
            rows.append((match[1], int(match[2])))
    return rows


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    region = forms.ChoiceField(label=_("Community"))
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=pgettext_lazy("time bank", "Place"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=2000)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]


class AttendanceForm(forms.Form):
    """The organiser confirms a volunteer came (and for how long; empty: the whole activity)."""

    account = forms.ChoiceField(label=_("Volunteer"))
    hours = forms.DecimalField(label=pgettext_lazy("time bank", "Hours"), required=False, min_value=Decimal("0.25"),
                               max_value=Decimal("24"), max_digits=5, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
                               help_text=_("Empty: the whole activity."))

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {str(a.pk): a for a in accounts}
        self.fields["account"].choices = [(str(a.pk), f"{a.real_name} {a.phone_masked}") for a in accounts]

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is None:
            return None
        if hours % Decimal("0.25"):
            raise ValidationError(_("Give the hours in quarter hours: 0.25, 0.5, 0.75, 1 …"), code="invalid")
        return int(hours * 60)

    def clean(self):
        data = super().clean()
        if data.get("account") in self.accounts:
            data["account_object"] = self.accounts[data["account"]]
        return data


class MonthForm(forms.Form):
    """A statement's month (YYYY-MM), and for the community's statement its region."""

    month = forms.RegexField(label=_("Month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7, required=False,
                             error_messages={"invalid": _("Give the month as YYYY-MM, e.g. 2026-12.")})
    region = forms.ChoiceField(label=_("Community"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]

    def clean_month(self) -> dt.date:
        value = self.cleaned_data.get("month")
        if not value:
            return timezone.localdate().replace(day=1)
        year, month = map(int, value.split("-"))
        if not 2000 <= year <= 2100:
            raise ValidationError(_("Give the month as YYYY-MM, e.g. 2026-12."), code="invalid")
        return dt.date(year, month, 1)
