"""Forms of the provider's pages: the bureau's register (a provider's areas, hours and
prices), and the provider's caregivers and their shifts."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from kangyang.services.forms._common import DateInput, TimeInput, WEEKDAYS
from kangyang.services.models import Caregiver, Skill


class ShiftsForm(forms.Form):
    """A caregiver's hours per weekday; a day left empty is a day off."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, label in WEEKDAYS:
            self.fields[f"from_{day}"] = forms.TimeField(label=label, required=False, widget=TimeInput())
            self.fields[f"until_{day}"] = forms.TimeField(
                label=pgettext_lazy("shift", "until"), required=False, widget=TimeInput())

    @classmethod
    def initial_for(cls, caregiver: Caregiver | None) -> dict:
        if caregiver is None:
            return {**{f"from_{d}": dt.time(8) for d in range(1, 6)}, **{f"until_{d}": dt.time(17) for d in range(1, 6)}}
        initial = {}
        for shift in caregiver.shifts.all():
            initial[f"from_{shift.weekday}"] = shift.starts_at
            initial[f"until_{shift.weekday}"] = shift.ends_at
        return initial

    def rows(self):
        """(weekday label, from field, until field) for the template."""
        return [(label, self[f"from_{d}"], self[f"until_{d}"]) for d, label in WEEKDAYS]

    def clean(self):
        data = super().clean()
        for day, _label in WEEKDAYS:
            start, end = data.get(f"from_{day}"), data.get(f"until_{day}")
            if (start is None) != (end is None):
                self.add_error(f"until_{day}", _("Give both times, or neither for a day off."))
            elif start is not None and end <= start:
                self.add_error(f"until_{day}", _("A shift ends after it starts."))
        return data

    def shifts(self) -> dict[int, tuple[dt.time, dt.time]]:
        data = self.cleaned_data
        return {d: (data[f"from_{d}"], data[f"until_{d}"]) for d, _label in WEEKDAYS if data.get(f"from_{d}")}


class CaregiverForm(forms.Form):
    """A new caregiver, or the changes to one (`editing`: name, phone and certificate are
    fixed once recorded; the level and home base can be changed, not cleared)."""

    name = forms.CharField(label=_("Real name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    level = forms.TypedChoiceField(label=_("Qualification level"), coerce=int, empty_value=None, required=False,
                                   choices=[("", "—"), *Caregiver.Level.choices])
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=40, required=False)
    skills = forms.MultipleChoiceField(label=_("Skills"), choices=Skill.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    home_lat = forms.FloatField(label=_("Home base latitude (WGS-84)"), required=False, min_value=-90, max_value=90)
    home_lng = forms.FloatField(label=_("Home base longitude (WGS-84)"), required=False, min_value=-180, max_value=180)
    user = forms.ModelChoiceField(label=_("Sign-in account"), queryset=None, required=False,
                                  help_text=_("A caregiver account of your organisation, for the phone page."))
    active = forms.BooleanField(label=_("Works for us now"), required=False, initial=True)

    def __init__(self, *args, accounts=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        from kangyang.accounts.models import User

        self.fields["user"].queryset = accounts if accounts is not None else User.objects.none()
        if editing:
            for name in ("name", "phone", "certificate_number", "user"):
                del self.fields[name]
        else:
            del self.fields["active"]

    def clean(self):
        data = super().clean()
        if (data.get("home_lat") is None) != (data.get("home_lng") is None):
            self.add_error("home_lng", _("Give both latitude and longitude of the home base, or neither."))
        return data


class ProviderForm(forms.Form):
    """Registering an organisation as a provider (with `organisations`), or changing where
    and when a provider works (`editing`)."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    areas = forms.ModelMultipleChoiceField(
        label=_("Service areas"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("The districts, subdistricts or communities it serves, inside your area."))
    opens_at = forms.TimeField(label=_("Opens at"), widget=TimeInput(), initial=dt.time(7))
    closes_at = forms.TimeField(label=_("Closes at"), widget=TimeInput(), initial=dt.time(20))
    open_days = forms.TypedMultipleChoiceField(
        label=_("Open days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
        initial=[d for d, _label in WEEKDAYS])
    licence_number = forms.CharField(label=_("Licence number"), max_length=60, required=False)
    licence_valid_until = forms.DateField(label=_("Licence valid until"), required=False, widget=DateInput())
    phone = forms.CharField(label=_("Service phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    active = forms.BooleanField(label=_("Takes new orders"), required=False)

    def __init__(self, *args, regions, organisations=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = regions
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
        if not editing:
            del self.fields["active"]

    @staticmethod
    def initial_for(provider) -> dict:
        return {
            "areas": [a.region_id for a in provider.areas.all()], "opens_at": provider.opens_at,
            "closes_at": provider.closes_at, "open_days": [int(d) for d in provider.open_days],
            "licence_number": provider.licence_number, "licence_valid_until": provider.licence_valid_until,
            "phone": provider.phone, "address": provider.address, "active": provider.active,
        }

    def values(self) -> dict:
        """What the actions take (register_provider, update_provider), without the areas."""
        data = dict(self.cleaned_data)
        data.pop("areas", None)
        data.pop("organisation", None)
        data["open_days"] = "".join(str(d) for d in sorted(data["open_days"]))
        return data


class PricesForm(forms.Form):
    """A provider's price for each item of the catalogue: a price offers the item, an empty
    one withdraws an item it offered."""

    def __init__(self, *args, items, prices, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.offered = {p.item_id: p for p in prices}
        for item in self.items:
            offer = self.offered.get(item.pk)
            self.fields[f"price_{item.pk}"] = forms.DecimalField(
                label=item.name, required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2,
                initial=offer.price if offer and offer.active else None)

    def rows(self):
        return [(item, self[f"price_{item.pk}"]) for item in self.items]

    def changes(self) -> list[tuple]:
        """(item, price or None to withdraw) for each item whose offer changes."""
        out = []
        for item in self.items:
            price, offer = self.cleaned_data.get(f"price_{item.pk}"), self.offered.get(item.pk)
            if price is not None and not (offer and offer.active and offer.price == price):
                out.append((item, price))
            elif price is None and offer and offer.active:
                out.append((item, None))
        return out
