"""Forms of the register pages: the register entry, its filters, fees, staffing, drills,
funds, and admitting and discharging residents. The rules themselves are in
actions/register.py; a form only reads the input."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts.models import Organisation
from kangyang.institutions.actions.register import RUNNING_KINDS
from kangyang.institutions.models import Drill, Fee, Institution, Resident, Staffing
from kangyang.regions.models import Region

def _date(label, required=False, **kw):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           **kw)


class NoNul:
    """Refuses a NUL character in any text (the database would)."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, _("The text contains a NUL character."))
        return data


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("all kinds"))] + Institution.Kind.choices)
    region = forms.ChoiceField(label=_("Subdistrict"), required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    flag = forms.ChoiceField(label=_("Flag"), required=False, choices=[
        ("", _("any")), ("funds", _("prepaid funds above the threshold")),
        ("documents", _("documents expiring")), ("fire", _("no fire-safety acceptance"))])

    def __init__(self, *args, subdistricts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("all subdistricts"))] + [(r.code, r.name) for r in subdistricts]


class InstitutionForm(NoNul, forms.ModelForm):
    services_text = forms.CharField(label=_("Services offered"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("One service a line."), max_length=5000)

    class Meta:
        model = Institution
        fields = [
            "name", "kind", "ownership", "operating_model", "construction", "organisation", "community",
            "complete_community", "address", "lat", "lng", "phone", "opened_on", "closed_on", "filing_number", "filed_on",
            "floor_area_m2", "beds_total", "beds_nursing", "medical", "medical_partner", "medical_agreement_until",
            "fire_safety_accepted_on", "liability_insurance_until", "emergency_plan_updated_on", "description",
        ]
        widgets = {name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in (
            "opened_on", "closed_on", "filed_on", "medical_agreement_until", "fire_safety_accepted_on",
            "liability_insurance_until", "emergency_plan_updated_on")} | {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, prefix_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(kind__in=RUNNING_KINDS).order_by("name")
        self.fields["community"].queryset = Region.objects.filter(
            level=Region.Level.COMMUNITY, code__startswith=prefix_code).order_by("code")
        if self.instance.pk:
            self.fields["services_text"].initial = "\n".join(self.instance.services or [])

    def _post_clean(self):
        # The rules are the action's (check_institution), in words; the model's own checks
        # would run them again before the region code is set.
        pass

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["services"] = [s.strip() for s in data.pop("services_text", "").splitlines() if s.strip()]
        return data


class FeeForm(NoNul, forms.Form):
    item = forms.CharField(label=_("Item"), max_length=100)
    unit = forms.ChoiceField(label=_("Unit"), choices=Fee.Unit.choices)
    price = forms.DecimalField(label=_("Price (yuan)"), min_value=0, max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class StaffingForm(forms.Form):
    qualification = forms.ChoiceField(label=_("Qualification"), choices=Staffing.Qualification.choices)
    count = forms.IntegerField(label=_("Number"), min_value=0, max_value=100_000)


class DrillForm(NoNul, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Drill.Kind.choices)
    held_on = _date(_("Held on"), required=True)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=100_000, initial=0)
    record = forms.CharField(label=_("Record"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    attachment = forms.FileField(label=_("Attachment"), required=False)


class FundsForm(forms.Form):
    prepaid_balance = forms.DecimalField(label=_("Prepaid fees held (yuan)"), min_value=0, max_digits=14, decimal_places=2)
    deposits_held = forms.DecimalField(label=_("Deposits held (yuan)"), min_value=0, max_digits=14, decimal_places=2)
    on = _date(_("As of"), required=True, initial=timezone.localdate)


class AdmitForm(forms.Form):
    id_number = forms.CharField(label=_("Resident ID number of the elder"), max_length=18, min_length=18,
                                help_text=_("The elder must be in the registry."))
    admitted_on = _date(_("Admitted on"), required=True, initial=timezone.localdate)
    bed = forms.ChoiceField(label=_("Bed"), choices=Resident.Bed.choices, initial=Resident.Bed.GENERAL)


class LeaveForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for leaving"), choices=Resident.Left.choices)
    on = _date(_("Left on"), required=True, initial=timezone.localdate)
    to = forms.ModelChoiceField(label=_("Moved to"), queryset=Institution.objects.none(), required=False,
                                help_text=_("Only for a move to another institution of the register."))

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.fields["to"].queryset = institutions


class WishForm(forms.Form):
    id_number = forms.CharField(label=_("Resident ID number of the elder"), max_length=18, min_length=18)
    willing = forms.TypedChoiceField(label=_("Wishes centralised care"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("yes")), ("no", _("no longer"))])
