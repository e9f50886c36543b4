"""Forms of the yearly check-up: the check-up (the parts done as checkboxes, the figures), the
health record's link to the health centre's system, and the due list's filters."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.health.actions.checkups import SELF_CARE_MAX
from kangyang.health.models import CHECKUP_PARTS, Checkup
from kangyang.health.queries.checkups import AGE_BANDS_65
from kangyang.registry.queries import AGE_BAND_LABELS

FIGURE_FIELDS = ("systolic", "diastolic", "heart_rate", "fasting_glucose", "weight_kg", "height_cm", "waist_cm")


class CheckupForm(forms.Form):
    examined_on = forms.DateField(label=_("examined on"), widget=forms.DateInput(attrs={"type": "date"}))
    parts = forms.MultipleChoiceField(
        label=_("parts done"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(p, Checkup._meta.get_field(p).verbose_name) for p in CHECKUP_PARTS])
    self_care_score = forms.IntegerField(label=_("self-care score"), required=False, min_value=0,
                                         max_value=SELF_CARE_MAX,
                                         help_text=_("0–3 able to care for oneself, 4–8 mildly, 9–18 moderately "
                                                     "dependent, 19–37 unable."))
    systolic = forms.IntegerField(label=_("systolic (mmHg)"), required=False, min_value=0, max_value=1000)
    diastolic = forms.IntegerField(label=_("diastolic (mmHg)"), required=False, min_value=0, max_value=1000)
    heart_rate = forms.IntegerField(label=_("heart rate (per minute)"), required=False, min_value=0, max_value=1000)
    fasting_glucose = forms.DecimalField(label=_("fasting glucose (mmol/L)"), required=False, max_digits=4,
                                         decimal_places=1)
    weight_kg = forms.DecimalField(label=_("weight (kg)"), required=False, max_digits=5, decimal_places=1)
    height_cm = forms.DecimalField(label=_("height (cm)"), required=False, max_digits=5, decimal_places=1)
    waist_cm = forms.DecimalField(label=_("waist (cm)"), required=False, max_digits=5, decimal_places=1)
    findings = forms.CharField(label=_("findings"), required=False, max_length=4000, widget=forms.Textarea(
        attrs={"rows": 3}))

    @classmethod
    def initial_for(cls, checkup: Checkup | None) -> dict:
        if checkup is None:
            return {"examined_on": timezone.localdate()}
        return {"examined_on": checkup.examined_on, "parts": [p for p in CHECKUP_PARTS if getattr(checkup, p)],
                "self_care_score": checkup.self_care_score, "findings": checkup.findings,
                **{k: v for k, v in checkup.figures.items() if k in FIGURE_FIELDS}}

    def figures(self) -> dict:
        return {k: self.cleaned_data[k] for k in FIGURE_FIELDS if self.cleaned_data.get(k) is not None}


class EhrForm(forms.Form):
    ehr_number = forms.CharField(label=_("health record number"), required=False, max_length=40)
    ehr_opened_on = forms.DateField(label=_("health record opened on"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))


class DueFilterForm(forms.Form):
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)
    community = forms.ChoiceField(label=_("community"), required=False)
    age_band = forms.ChoiceField(label=_("age"), required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("all"))] + [(c.code, c.name) for c in communities]
        self.fields["age_band"].choices = [("", _("all")), ("65-69", _("65–69"))] + [
            (k, AGE_BAND_LABELS[k]) for k in AGE_BANDS_65 if k != "65-69"]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"year": timezone.localdate().year, "community": "", "age_band": ""}
        return {"year": self.cleaned_data.get("year") or timezone.localdate().year,
                "community": self.cleaned_data.get("community") or "",
                "age_band": self.cleaned_data.get("age_band") or ""}
