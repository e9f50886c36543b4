"""Forms for dispatch and routes: the orders board, assigning, declining, planning a day."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.services.forms._common import DateInput
from kangyang.services.models import Caregiver


class BoardFilterForm(forms.Form):
    """The orders board: a day, a status group, a caregiver (or "none": not yet dispatched)."""

    day = forms.DateField(label=_("Day"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), required=False)
    caregiver = forms.CharField(label=_("Caregiver"), required=False, widget=forms.Select)

    def __init__(self, *args, groups=(), caregivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("all")), *[(key, label) for key, label, _s in groups]]
        self.fields["caregiver"].widget.choices = [
            ("", _("all")), ("none", _("not dispatched")), *[(str(c.pk), c.name) for c in caregivers]]
        self.caregiver_ids = {str(c.pk) for c in caregivers}

    def filters(self) -> dict:
        """The filters in use; a bad value is dropped (today, all)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        caregiver = (data.get("caregiver") or "").strip()
        if caregiver not in self.caregiver_ids | {"none"}:
            caregiver = ""
        return {"day": data.get("day") or timezone.localdate(), "status": data.get("status") or "",
                "caregiver": caregiver}


class AssignForm(forms.Form):
    caregiver = forms.ModelChoiceField(label=_("Caregiver"), queryset=Caregiver.objects.none())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    # Needed (by the action) only for a caregiver who does not fit the order.
    override_reason = forms.CharField(label=_("Reason for the override"), max_length=500, required=False)

    def __init__(self, *args, caregivers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if caregivers is not None:
            self.fields["caregiver"].queryset = caregivers


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DateInput())

    def chosen(self) -> dt.date:
        return (self.cleaned_data.get("day") if self.is_valid() else None) or timezone.localdate()


class PlanForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput())

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise ValidationError(_("A day that has passed is not planned."), code="past")
        return day


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why can you not take it?"), max_length=500)
