"""The forms of the volunteer's time-bank page in the app (input shape only; every rule is
kangyang/timebank/actions.py's and signups.py's)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

QUARTER = Decimal("0.25")


class RegisterForm(forms.Form):
    """A volunteer registers herself: real name, birth date and phone."""

    real_name = forms.CharField(label=_("Real name"), max_length=50)
    birth_date = forms.DateField(label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


def _hours_field(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=QUARTER, max_value=Decimal("10000"), max_digits=7,
                              decimal_places=2,
                              widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
                              help_text=_("In quarter hours: 0.25, 0.5, 1, 1.5 …"))


def quarter_minutes(hours: Decimal) -> int:
    """Hours typed in quarter hours as whole minutes; anything else is refused."""
    if hours % QUARTER:
        raise ValidationError(_("Give the hours in quarter hours: 0.25, 0.5, 0.75, 1 …"), code="invalid")
    return int(hours * 60)


class RedeemForm(forms.Form):
    """Spend hours on a service of the catalogue."""

    item = forms.ChoiceField(label=_("Service"))
    quantity = forms.IntegerField(label=_("How many"), min_value=1, max_value=100, initial=1)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.code: item for item in items}
        self.fields["item"].choices = [
            (item.code, _("%(name)s (%(hours)s hours each)") % {"name": item.name,
                                                                "hours": f"{item.duration_minutes / 60:g}"})
            for item in items
        ]

    def clean(self):
        data = super().clean()
        if data.get("item") in self.items:
            data["item_object"] = self.items[data["item"]]
        return data


class GiveForm(forms.Form):
    """Transfer hours to an elder of the volunteer's family, or donate them to a vulnerable
    elder she visits: one choice of whom, the kind following from it."""

    to = forms.ChoiceField(label=_("To whom"))
    hours = _hours_field(pgettext_lazy("time bank", "Hours"))
    memo = forms.CharField(label=_("A word with the hours (optional)"), max_length=200, required=False)

    def __init__(self, *args, family=(), recipients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.elders = {}
        choices = []
        if family:
            group = []
            for elder in family:
                self.elders[f"transfer:{elder.pk}"] = ("transfer", elder)
                group.append((f"transfer:{elder.pk}", elder.name))
            choices.append((_("Transfer to my family"), group))
        if recipients:
            group = []
            for elder in recipients:
                self.elders[f"donation:{elder.pk}"] = ("donation", elder)
                group.append((f"donation:{elder.pk}", elder.name))
            choices.append((_("Donate to an elder I visit"), group))
        self.fields["to"].choices = choices

    def clean_hours(self):
        return quarter_minutes(self.cleaned_data["hours"])

    def clean(self):
        data = super().clean()
        if data.get("to") in self.elders:
            data["kind"], data["elder"] = self.elders[data["to"]]
        return data


class TakeForm(forms.Form):
    """Take a need nearby: a visit due or an activity, by its number."""

    kind = forms.ChoiceField(choices=[("visit", "visit"), ("activity", "activity")])
    need = forms.IntegerField(min_value=1, max_value=2**63 - 1)
