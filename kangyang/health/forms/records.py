"""Forms of the health app's records topic: they parse; actions/records.py decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kangyang.health.models import Disability

DATE = forms.DateInput(attrs={"type": "date"})


class ConditionForm(forms.Form):
    code = forms.CharField(label=_("ICD-10 code"), max_length=16,
                           help_text=_("E.g. I10 hypertension, E11 type 2 diabetes."))
    name = forms.CharField(label=_("condition"), max_length=100, required=False)
    diagnosed_on = forms.DateField(label=_("diagnosed on"), required=False, widget=DATE)


class MedicationForm(forms.Form):
    name = forms.CharField(label=_("medicine"), max_length=100)
    dose = forms.CharField(label=_("dose"), max_length=50, required=False)
    frequency = forms.CharField(label=_("how often"), max_length=50, required=False)
    started_on = forms.DateField(label=_("since"), required=False, widget=DATE)


class DisabilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Disability.Kind.choices)
    grade = forms.TypedChoiceField(label=_("grade"), required=False, coerce=int, empty_value=None,
                                   choices=[("", "—"), (1, "1"), (2, "2"), (3, "3"), (4, "4")])


class AllergiesForm(forms.Form):
    allergies = forms.CharField(label=_("allergies"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(forms.Form):
    alerts_to_family = forms.BooleanField(label=_("tell the family of health alerts"), required=False)
