"""Forms for the registry pages: input validation only; the rules live in actions.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.lib import phone as phones, residentid
from kangyang.regions.models import Compound, Region
from kangyang.registry import categories as derive, queries
from kangyang.registry.models import Contact, Elder, HealthRecord, HouseholdMember

ANY = [("", _("all"))]


def communities_for(user):
    """Communities in the user's area (the tree above their area is not a choice)."""
    return Region.objects.visible_to(user).filter(level=Region.Level.COMMUNITY).order_by("code")


class ElderFilterForm(forms.Form):
    """The list's search box and filters; the same querystring drives the export."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=50,
        widget=forms.TextInput(attrs={
            "type": "search", "autocomplete": "off",
            "placeholder": _("Name, initials (zs), last 4 of ID, ID or phone"),
        }),
    )
    community = forms.ChoiceField(label=_("Community"), required=False)
    age_band = forms.ChoiceField(
        label=_("Age"), required=False,
        choices=ANY + [(k, queries.AGE_BAND_LABELS[k]) for k in queries.AGE_BAND_LABELS],
    )
    category = forms.ChoiceField(label=_("Category"), required=False, choices=ANY + Elder.Category.choices)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + Elder.Status.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = ANY + [(c.code, c.name) for c in communities_for(user)]

    def filters(self) -> dict[str, str]:
        """The non-empty filters. A value that is not a choice is passed on as typed, so
        that it finds nothing (queries.elders_for) instead of being silently dropped."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        values = {name: cleaned.get(name, self.data.get(name, "")) for name in self.fields}
        return {k: v.strip() for k, v in values.items() if v and v.strip()}


class ElderForm(forms.Form):
    """Register or edit an elder. On edit the ID number and phone are never prefilled:
    left blank, they stay as they are."""

    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(
        label=_("Resident ID number"), max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: taken from the ID number, and checked against it if given."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("from the ID number"))] + Elder.Sex.choices,
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    community = forms.ModelChoiceField(
        label=_("Community (actual residence)"), queryset=Region.objects.none(),
        help_text=_("Where the elder lives: this community serves and counts her."),
    )
    registered_community = forms.ModelChoiceField(
        label=_("Community of registered residence"), required=False,
        queryset=Region.objects.filter(level=Region.Level.COMMUNITY).order_by("code"),
        help_text=_("Where her hukou is (户籍地), if not where she lives. Blank: the same."),
    )
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=Compound.objects.none(), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    living_arrangement = forms.ChoiceField(
        label=_("Living arrangement"), required=False,
        choices=[("", _("not known"))] + Elder.LivingArrangement.choices,
    )
    categories = forms.MultipleChoiceField(
        label=_("Vulnerability categories"), required=False, choices=Elder.Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    door_access_notes = forms.CharField(
        label=_("Door-access notes"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How to get in when nobody answers: who holds a key, a door code, a dog…"),
    )

    def __init__(self, *args, user, elder: Elder | None = None, **kwargs):
        if elder is not None:
            kwargs.setdefault("initial", {
                "name": elder.name, "community": elder.community_id, "compound": elder.compound_id,
                "address": elder.address, "living_arrangement": elder.living_arrangement,
                "categories": elder.categories, "door_access_notes": elder.door_access_notes,
                "registered_community": elder.registered_community_id,
            })
        super().__init__(*args, **kwargs)
        self.elder = elder
        communities = communities_for(user)
        self.fields["community"].queryset = communities
        self.fields["compound"].queryset = (
            Compound.objects.filter(community__in=communities).select_related("community")
            .order_by("community__code", "name")
        )
        self.fields["compound"].label_from_instance = lambda c: f"{c.community.name} · {c.name}"
        # Categories the data decide are not offered: they are corrected by an override on the
        # elder's page (registry.categories).
        manual = derive.manual_choices(elder)
        # Offered: the manual ones. Accepted: any (an older page may send a derived one; the
        # data decide it anyway, registry.categories.in_force).
        self.fields["categories"].widget.choices = [(v, l) for v, l in Elder.Category.choices if v in manual]
        self.fields["categories"].help_text = _(
            "Categories that follow from an assessment or the household record are set from "
            "them, and corrected on the elder's page.")
        if elder is None:
            del self.fields["door_access_notes"]  # added on the record once it exists
        if elder is not None:
            # Derived from the ID number, which is edited instead.
            del self.fields["birth_date"], self.fields["sex"]
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _(
                "Now %(masked)s. Leave blank to keep it; type the whole number to change it."
            ) % {"masked": elder.id_number_masked}
            self.fields["phone"].help_text = (
                _("Now %(masked)s. Leave blank to keep it.") % {"masked": elder.phone_masked}
                if elder.phone_masked else _("None recorded.")
            )

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        if value:
            residentid.parse(value, today=timezone.localdate())
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        return phones.normalise(value) if value else ""

    def action_fields(self) -> dict:
        """Keyword arguments for create_elder / update_elder. Left blank, birth date and sex
        come from the ID number (create); ID number and phone stay as they are (edit)."""
        data = dict(self.cleaned_data)
        if not data.get("registered_community"):
            data.pop("registered_community", None)  # blank: the same as where she lives
        if self.elder is not None and "categories" in data:
            # The derived ones are not on the form: keep those the data decide as they are.
            manual = set(derive.manual_choices(self.elder))
            data["categories"] = [c for c in data["categories"] if c in manual] + [
                c for c in self.elder.categories if c not in manual]
        blank_means_keep = ("id_number", "phone") if self.elder is not None else ("birth_date", "sex")
        for key in blank_means_keep:
            if not data.get(key):
                data.pop(key, None)
        return data


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full number?"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. allowance application, bank transfer")}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Elder.Status.choices)
    status_date = forms.DateField(
        label=_("Date of death or moving out"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class HealthForm(forms.ModelForm):
    """Used only to validate input; save_health_record writes it."""

    class Meta:
        model = HealthRecord
        fields = [
            # The health app (kangyang/health) keeps the family-doctor contract (family_doctor_contract,
            # family_doctor, contract_signed_on) and the check-ups (last_checkup_on); they are read, not
            # typed here.
            "chronic_conditions", "allergies", "notes",
        ]
        widgets = {
            "chronic_conditions": forms.Textarea(attrs={"rows": 3}),
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation"), choices=Contact.Relation.choices)
    phone = forms.CharField(label=_("Phone"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"}))
    is_guardian = forms.BooleanField(label=_("Guardian"), required=False)
    priority = forms.IntegerField(
        label=_("Call order"), required=False, min_value=1, max_value=99,
        help_text=_("Blank: called after the existing contacts."),
    )
    tell_of_alarms = forms.BooleanField(
        label=_("Tell of alarms"), required=False,
        help_text=_("Only if the elder agreed: an SMS when one of her alarms is not answered in time."),
    )

    def clean_phone(self) -> str:
        return phones.normalise(self.cleaned_data["phone"])


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Sheet (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }),
    )


class HouseholdMemberForm(forms.Form):
    relation = forms.ChoiceField(label=_("Relation"), choices=HouseholdMember.Relation.choices)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    alive = forms.TypedChoiceField(
        label=_("Alive"), choices=[("1", _("alive")), ("0", _("deceased"))],
        coerce=lambda v: v == "1", initial="1",
    )
    residence = forms.ChoiceField(
        label=_("Lives"), required=False, choices=[("", _("not known"))] + HouseholdMember.Residence.choices,
    )


class CategoryOverrideForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=[(v, l) for v, l in Elder.Category.choices if v in derive.DERIVED],
    )
    value = forms.TypedChoiceField(
        label=_("Correction"), choices=[("1", _("applies")), ("0", _("does not apply"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Why the data are wrong"), max_length=300)
