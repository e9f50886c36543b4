"""Forms of the health app's screening topic. The screening form is built from the instrument
(kangyang/health/screening_tools.py): one radio question per item."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.health.models import MedicalInstitution

DATE = forms.DateInput(attrs={"type": "date"})


class ScreeningForm(forms.Form):
    screened_on = forms.DateField(label=_("screened on"), widget=DATE)

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["screened_on"].initial = timezone.localdate()
        for n, item in enumerate(instrument.items, start=1):
            # Not required here: the scoring names the unanswered question.
            self.fields[item.key] = forms.ChoiceField(
                label=f"{n}. {item.text}", required=False, widget=forms.RadioSelect,
                choices=[(c.value, c.label) for c in item.choices])

    def answers(self) -> dict:
        return {item.key: self.cleaned_data.get(item.key) or None for item in self.instrument.items}

    def question_fields(self):
        return [self[item.key] for item in self.instrument.items]


class ReferralForm(forms.Form):
    to_institution = forms.ModelChoiceField(label=_("referred to"), queryset=MedicalInstitution.objects.all())
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    urgent = forms.BooleanField(label=_("urgent"), required=False)
    referred_on = forms.DateField(label=_("referred on"), widget=DATE, initial=timezone.localdate)


class ReturnForm(forms.Form):
    return_summary = forms.CharField(label=_("summary at return"), widget=forms.Textarea(attrs={"rows": 3}),
                                     max_length=4000)
    returned_on = forms.DateField(label=_("returned on"), widget=DATE, initial=timezone.localdate)


class SickbedOpenForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("medical institution"), queryset=MedicalInstitution.objects.all())
    diagnosis = forms.CharField(label=_("diagnosis (ICD-10)"), max_length=16,
                                help_text=_("A code such as I63.9 or F03."))
    visits_per_week = forms.IntegerField(label=_("visits a week"), min_value=1, max_value=14, initial=1)
    opened_on = forms.DateField(label=_("opened on"), widget=DATE, initial=timezone.localdate)


class SickbedCloseForm(forms.Form):
    close_reason = forms.CharField(label=_("why it closed"), max_length=200)
    closed_on = forms.DateField(label=_("closed on"), widget=DATE, initial=timezone.localdate)
