"""Forms of the health app's followups topic: the follow-up (phone-friendly: number keyboards,
one column) and the due list's filters."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.health.models import FollowUp
from kangyang.health.models.records import Programme


def _number(label, *, decimal: bool = False, lo=None, hi=None):
    attrs = {"inputmode": "decimal" if decimal else "numeric"}
    if decimal:
        return forms.DecimalField(label=label, required=False, max_digits=5, decimal_places=1, min_value=lo,
                                  max_value=hi, widget=forms.NumberInput(attrs={**attrs, "step": "0.1"}))
    return forms.IntegerField(label=label, required=False, min_value=lo, max_value=hi,
                              widget=forms.NumberInput(attrs=attrs))


class FollowUpForm(forms.Form):
    programme = forms.ChoiceField(label=_("programme"), choices=Programme.choices)
    followed_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    mode = forms.ChoiceField(label=_("how"), choices=FollowUp.Mode.choices, initial=FollowUp.Mode.CLINIC)
    systolic = _number(_("systolic (mmHg)"), lo=0, hi=1000)
    diastolic = _number(_("diastolic (mmHg)"), lo=0, hi=1000)
    fasting_glucose = _number(_("fasting glucose (mmol/L)"), decimal=True, lo=0, hi=999)
    heart_rate = _number(_("heart rate (per minute)"), lo=0, hi=1000)
    weight_kg = _number(_("weight (kg)"), decimal=True, lo=0, hi=999)
    symptoms = forms.CharField(label=_("symptoms"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    advice = forms.CharField(label=_("advice"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v, l) for v, l in Programme.choices if v in programmes] or list(Programme.choices)
        self.fields["programme"].choices = choices
        if len(choices) == 1:
            self.fields["programme"].initial = choices[0][0]
        self.fields["followed_on"].initial = timezone.localdate()


class DueFilterForm(forms.Form):
    programme = forms.ChoiceField(label=_("programme"), required=False,
                                  choices=[("", _("all"))] + list(Programme.choices))
    community = forms.ChoiceField(label=_("community"), required=False, choices=[("", _("all"))])
    reason = forms.ChoiceField(label=_("due because"), required=False, choices=[
        ("", _("any reason")), ("overdue", _("next follow-up overdue or none yet")),
        ("short", _("fewer than four this year"))])

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("all")), *communities]
