"""Forms for the allowance pages: input validation only; the rules live in actions.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kangyang.regions.models import Region
from kangyang.allowances import queries
from kangyang.allowances.models import Application, BankLayout, Means, PaymentRoll, Policy, Recovery, SurvivalCheck

ANY = [("", _("all"))]
MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class MonthField(forms.DateField):
    """A month typed as 2025-06 (the browser's month picker), as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        super().__init__(input_formats=MONTH_FORMATS, **kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def regions_for(user, *, levels=(Region.Level.DISTRICT, Region.Level.SUBDISTRICT, Region.Level.COMMUNITY)):
    """Regions of the user's own area (not the nodes above it), in tree order."""
    prefix = user.region.prefix if user.region_id else ""
    qs = Region.objects.visible_to(user).filter(level__in=levels)
    return qs.filter(code__startswith=prefix).order_by("code") if prefix else qs.order_by("code")


def _region_choices(user, **kwargs):
    indent = {Region.Level.DISTRICT: "", Region.Level.SUBDISTRICT: "· ", Region.Level.COMMUNITY: "· · "}
    return [(r.code, f"{indent[r.level]}{r.name}") for r in regions_for(user, **kwargs)]


class RollFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    policy = forms.ChoiceField(label=_("Allowance"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + PaymentRoll.Status.choices)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = ANY + [(str(p.pk), p.name) for p in queries.policies_for(user)]
        self.fields["region"].choices = ANY + _region_choices(user)

    def filters(self) -> dict:
        """The valid, non-empty filters; an invalid month is ignored, an unknown policy
        or status finds nothing."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        out = {}
        if cleaned.get("month"):
            out["month"] = cleaned["month"]
        for name in ("policy", "status", "region"):
            value = cleaned.get(name) or self.data.get(name, "")
            if value:
                out[name] = value
        if "policy" in out:
            out["policy"] = int(out["policy"]) if str(out["policy"]).isdigit() else -1
        return out


class GenerateForm(forms.Form):
    policy = forms.ModelChoiceField(label=_("Allowance"), queryset=Policy.objects.none())
    month = MonthField(label=_("Month"))
    region = forms.ChoiceField(label=_("For"), help_text=_("Every community below it gets its own roll."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = queries.policies_for(user)
        self.fields["region"].choices = _region_choices(user)

    def clean_region(self) -> Region:
        region = Region.objects.filter(code=self.cleaned_data["region"]).first()
        if region is None:
            raise ValidationError(_("Choose a region."))
        return region


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why it goes back"), max_length=500,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class SettleForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Recovery.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PayeeAccountForm(forms.Form):
    holder_name = forms.CharField(label=_("Account holder"), max_length=50)
    bank_name = forms.CharField(label=_("Bank"), max_length=100)
    account_number = forms.CharField(
        label=_("Account number"), max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Stored encrypted; shown masked. Only the bank file carries it in full."),
    )


# -- policies --------------------------------------------------------------------------------
class VersionForm(forms.Form):
    effective_from = MonthField(label=_("In force from (month)"))
    effective_to = forms.DateField(
        label=_("Ends on (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty while the policy lasts; a later version ends this one by itself."),
    )
    home_service_share = forms.IntegerField(label=_("Share of home-service price (%)"), required=False,
                                            min_value=1, max_value=100)
    institution_share = forms.IntegerField(label=_("Share of institutional care price (%)"), required=False,
                                           min_value=1, max_value=100)
    carries_over = forms.BooleanField(label=_("Unused voucher credit carries over to the next month"),
                                      required=False, initial=True)
    is_example = forms.BooleanField(label=_("The amounts are examples (示例金额), not a local standard"),
                                    required=False)
    note = forms.CharField(label=_("Note (document number, reason for the change)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class PolicyForm(VersionForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Policy.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    region = forms.ChoiceField(label=_("Applies to"))

    needs_application = forms.BooleanField(
        label=_("Paid on an approved application, after public notice"), required=False, initial=True,
        help_text=_("Untick for an allowance granted without applying (免申即享)."),
    )
    notice_days = forms.IntegerField(label=_("Public notice (days)"), min_value=1, max_value=90, initial=7,
                                     required=False)
    survival_months = forms.IntegerField(
        label=_("Survival certification every (months)"), min_value=0, max_value=60, initial=12, required=False,
        help_text=_("0: payment does not depend on a survival certification."),
    )
    bank_layout = forms.ModelChoiceField(
        label=_("Bank file layout"), queryset=BankLayout.objects.all(), required=False,
        empty_label=_("the bureau's default"),
    )

    field_order = ["kind", "name", "region"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _region_choices(user, levels=(Region.Level.DISTRICT, Region.Level.SUBDISTRICT))

    def clean_region(self) -> Region:
        region = Region.objects.filter(code=self.cleaned_data["region"]).first()
        if region is None:
            raise ValidationError(_("Choose a region."))
        return region

    def clean_notice_days(self) -> int:
        value = self.cleaned_data["notice_days"]
        return 7 if value is None else value

    def clean_survival_months(self) -> int:
        value = self.cleaned_data["survival_months"]
        return 12 if value is None else value


class BandForm(forms.Form):
    age_from = forms.IntegerField(label=_("Age from"), required=False, min_value=0, max_value=150)
    age_to = forms.IntegerField(label=_("Age to"), required=False, min_value=0, max_value=150)
    level_from = forms.IntegerField(label=_("Level from"), required=False, min_value=0, max_value=4)
    level_to = forms.IntegerField(label=_("Level to"), required=False, min_value=0, max_value=4)
    means = forms.ChoiceField(label=_("Means"), required=False, choices=[("", _("any"))] + Means.choices)
    amount = forms.DecimalField(label=_("Monthly amount (yuan)"), required=False, max_digits=12, decimal_places=2,
                                min_value=0)

    def band(self) -> dict | None:
        """The row as a band, or None when left empty."""
        data = getattr(self, "cleaned_data", {})
        if not any(data.get(k) not in (None, "") for k in self.fields):
            return None
        return {k: data.get(k) for k in self.fields}


BandFormSet = forms.formset_factory(BandForm, extra=2, max_num=30)


def bands_from(formset) -> list[dict]:
    return [b for b in (form.band() for form in formset.forms) if b is not None]


def band_initial(version) -> list[dict]:
    if version is None:
        return []
    return [
        {"age_from": b.age_from, "age_to": b.age_to, "level_from": b.level_from, "level_to": b.level_to,
         "means": b.means, "amount": b.amount}
        for b in version.bands.all()
    ]


# -- payouts, applications, survival ------------------------------------------------------------
class PrepareBatchForm(forms.Form):
    policy = forms.ModelChoiceField(label=_("Allowance"), queryset=Policy.objects.none())
    month = MonthField(label=_("Month"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = queries.policies_for(user).filter(kind__in=["longevity", "care"])


class PaidForm(forms.Form):
    bank_reference = forms.CharField(label=_("Bank's batch reference"), max_length=64)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("Return file (.xlsx or .csv)"),
                           help_text=_("Columns: ID number or account number, amount, status, reason."))


class CorrectForm(forms.Form):
    note = forms.CharField(label=_("What was corrected"), max_length=500)
    holder_name = forms.CharField(label=_("Account holder"), max_length=50, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    account_number = forms.CharField(
        label=_("New account number (optional)"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class SurvivalForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=SurvivalCheck.Method.choices)
    checked_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.CharField(label=_("Evidence"), max_length=500)


class CancelBatchForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=500,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class ApplicationForm(forms.Form):
    """A new application for one elder (chosen before: the elder's page or the search)."""

    policy = forms.ModelChoiceField(label=_("Allowance"), queryset=Policy.objects.none())
    applicant = forms.ChoiceField(label=_("Who applies"), choices=Application.Applicant.choices)
    applicant_name = forms.CharField(
        label=_("Applicant's name"), max_length=50, required=False,
        help_text=_("Leave empty when the elder applies in person."),
    )
    channel = forms.ChoiceField(
        label=_("How it came in"),
        choices=[(v, label) for v, label in Application.Channel.choices if v != Application.Channel.UPGRADE],
    )
    applied_on = forms.DateField(label=_("Applied on"), widget=forms.DateInput(attrs={"type": "date"}))
    documents = forms.CharField(
        label=_("Documents seen"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: ID card, hukou booklet, …"),
    )

    def __init__(self, *args, user, elder, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = queries.application_policies_for(user, elder)


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    objector = forms.CharField(label=_("Raised by"), max_length=50, required=False,
                               help_text=_("May be anonymous."))
    content = forms.CharField(label=_("Objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FindingForm(forms.Form):
    finding = forms.CharField(label=_("What checking it found"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda value: value == "yes",
        choices=[("yes", _("accept")), ("no", _("reject"))],
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           help_text=_("Say why when you reject the photo."))

