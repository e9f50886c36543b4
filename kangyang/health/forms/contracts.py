"""Forms of the health app's contracts topic: sign, renew, end a contract; a community's resident counts."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.health.models import ServicePackage, Team


def _packages():
    return ServicePackage.objects.filter(active=True).order_by("kind", "code")


class SignForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    package = forms.ModelChoiceField(label=_("Service package"), queryset=ServicePackage.objects.none())
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
        self.fields["package"].queryset = _packages()
        self.fields["signed_on"].initial = timezone.localdate()

    def clean_signed_on(self):
        day = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day cannot be in the future."), code="future")
        return day


class RenewForm(forms.Form):
    package = forms.ModelChoiceField(label=_("Service package"), queryset=ServicePackage.objects.none(),
                                     required=False, help_text=_("The same package when left empty."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = _packages()


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Why it ends"), max_length=200)
    on = forms.DateField(label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                         help_text=_("Today when left empty."))


class ResidentCountForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Community"), queryset=None)
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    residents = forms.IntegerField(label=_("Residents"), min_value=0, max_value=10_000_000)
    contracted = forms.IntegerField(label=_("Residents with a contract"), min_value=0, max_value=10_000_000)

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities
        self.fields["as_of"].initial = timezone.localdate()
