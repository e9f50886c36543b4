"""Forms of the health app's readings topic: the alerts' filter, closing an alert."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kangyang.health.actions.alerts import MAX_OUTCOME
from kangyang.health.models import HealthAlert
from kangyang.health.models.readings import ReadingKind


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("all"))] + list(HealthAlert.Status.choices))


class CloseAlertForm(forms.Form):
    outcome = forms.CharField(label=_("What was done"), max_length=MAX_OUTCOME, widget=forms.Textarea(attrs={"rows": 3}))


class ReadingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("all"))] + list(ReadingKind.choices))
