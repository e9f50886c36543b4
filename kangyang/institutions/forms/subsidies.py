"""Forms of operating subsidies: making a roll, adding a rate."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from kangyang.institutions.models import SubsidyRate

LEVELS = [("", _("any level")), *[(str(n), str(n)) for n in range(5)]]


class MonthField(forms.DateField):
    """A calendar month typed as YYYY-MM (an <input type="month">): its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if isinstance(day, dt.date) else day


class RollForm(forms.Form):
    district = forms.ChoiceField(label=_("District"))
    month = MonthField(label=_("Month"))

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.districts = {r.code: r for r in districts}
        self.fields["district"].choices = [(r.code, r.name) for r in districts]

    def clean_district(self):
        return self.districts[self.cleaned_data["district"]]


class RateForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    kind = forms.ChoiceField(label=_("Kind"), choices=SubsidyRate.Kind.choices)
    care_level = forms.TypedChoiceField(
        label=_("Capability level"), choices=LEVELS, required=False, coerce=int, empty_value=None,
        help_text=_("For the operating subsidy: the residents' capability level (0 intact … 4 complete loss)."))
    nursing_only = forms.BooleanField(label=_("Nursing beds only"), required=False)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=0, max_digits=14, decimal_places=2)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Valid until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [(r.code, r.name) for r in regions]

    def clean_region(self):
        return self.regions[self.cleaned_data["region"]]
