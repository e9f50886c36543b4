"""Forms of the register of organisations' pages (input only; the rules are in the actions)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.accounts.models import Licence, Organisation
from kangyang.regions.models import Region


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganisationFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("all")), *Organisation.Kind.choices])
    blacklisted = forms.ChoiceField(label=_("Blacklist"), required=False, choices=[
        ("", _("all")), ("yes", _("blacklisted")), ("no", _("not blacklisted"))])
    expiring = forms.BooleanField(label=_("Licence expired or expiring within 60 days"), required=False)
    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=100)

    def filters(self) -> dict:
        """The filters in use; a bad value is dropped."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "blacklisted": {"yes": True, "no": False}.get(data["blacklisted"]),
            "licences_expiring": data["expiring"],
            "search": data["q"],
        }


class OrganisationForm(forms.Form):
    """Registering an organisation, or changing one (the phone stays as it is when left empty)."""

    name = forms.CharField(label=_("Registered name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=40, required=False,
        help_text=_("18 characters, checked by its check character (GB 32100-2015)."))
    region = forms.ModelChoiceField(label=_("Seat (region)"), queryset=Region.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    contact_person = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))
    credit_status = forms.ChoiceField(label=_("Credit status"), choices=Organisation.CreditStatus.choices)

    def __init__(self, *args, user, editing: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(scope.region_filter(user, field="code")).order_by("code")
        if editing is not None and editing.contact_phone_masked:
            self.fields["contact_phone"].help_text = _("Now %(phone)s; leave empty to keep it.") % {
                "phone": editing.contact_phone_masked}


class LicenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Licence.Kind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    issued = forms.DateField(label=_("Issued"), required=False, widget=DateInput())
    expires = forms.DateField(label=_("Expires"), required=False, widget=DateInput(),
                              help_text=_("Empty when it does not expire."))


class BlacklistForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput(),
                            help_text=_("The last day of the blacklist; empty for no end."))


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Reason for lifting"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
