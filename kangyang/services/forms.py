"""Forms of the home-service pages: input validation only. The rules (who may, in which state,
which window a provider takes) are in actions/; these turn what was typed into the values the
actions take (aware datetimes in the current time zone, Decimal money, a Fix)."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from kangyang.lib import coords
from kangyang.services.actions import Fix
from kangyang.services.constants import MAX_BACKDATE
from kangyang.services.models import Caregiver, Skill

WEEKDAYS = [
    (1, _("Monday")), (2, _("Tuesday")), (3, _("Wednesday")), (4, _("Thursday")),
    (5, _("Friday")), (6, _("Saturday")), (7, _("Sunday")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def parse_month(value: str | None) -> dt.date | None:
    """"2025-03" → 1 March 2025; None for anything else."""
    try:
        year, month = (int(part) for part in (value or "").strip().split("-"))
        if 2000 <= year <= 2100:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return None


def previous_month(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


# -- the back office -------------------------------------------------------------------------
class BoardFilterForm(forms.Form):
    """The orders board: a day, a status group, a caregiver (or "none": not yet dispatched)."""

    day = forms.DateField(label=_("Day"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), required=False)
    caregiver = forms.CharField(label=_("Caregiver"), required=False, widget=forms.Select)

    def __init__(self, *args, groups=(), caregivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("all")), *[(key, label) for key, label, _s in groups]]
        self.fields["caregiver"].widget.choices = [
            ("", _("all")), ("none", _("not dispatched")), *[(str(c.pk), c.name) for c in caregivers]]
        self.caregiver_ids = {str(c.pk) for c in caregivers}

    def filters(self) -> dict:
        """The filters in use; a bad value is dropped (today, all)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        caregiver = (data.get("caregiver") or "").strip()
        if caregiver not in self.caregiver_ids | {"none"}:
            caregiver = ""
        return {"day": data.get("day") or timezone.localdate(), "status": data.get("status") or "",
                "caregiver": caregiver}


class AssignForm(forms.Form):
    caregiver = forms.ModelChoiceField(label=_("Caregiver"), queryset=Caregiver.objects.none())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, caregivers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if caregivers is not None:
            self.fields["caregiver"].queryset = caregivers


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. the elder is in hospital")}))


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


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DateInput())

    def chosen(self) -> dt.date:
        return (self.cleaned_data.get("day") if self.is_valid() else None) or timezone.localdate()


class PlanForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput())

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise ValidationError(_("A day that has passed is not planned."), code="past")
        return day


class ReviewForm(forms.Form):
    DECISIONS = [("accept", _("accept")), ("reject", _("reject"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    note = forms.CharField(label=_("What you found"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. called the elder: the caregiver came")}))


class IssueForm(forms.Form):
    month = forms.CharField(label=_("Month"), widget=forms.HiddenInput)

    def clean_month(self) -> dt.date:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise ValidationError(_("Choose a month."), code="invalid")
        return month


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("What was done"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))


# -- the caregiver's phone -------------------------------------------------------------------
class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why can you not take it?"), max_length=500)


class NoShowForm(forms.Form):
    reason = forms.CharField(label=_("What happened"), max_length=500, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. knocked, called, no answer")}))


class CheckForm(forms.Form):
    """A check-in or check-out as the phone sends it: the location when the phone gave one,
    and when the check was made. A check queued while offline says how long ago it was made
    (`age_seconds`, measured by the phone's own clock, so a phone whose clock is wrong still
    gives the right time), or when (`at`, with its offset)."""

    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    system = forms.ChoiceField(required=False, choices=[(s, s) for s in coords.SYSTEMS], widget=forms.HiddenInput)
    at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    age_seconds = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("What you did, anything the family should know")}))

    def clean_at(self):
        at = self.cleaned_data.get("at")
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at)
        return at

    def fix(self) -> Fix | None:
        data = self.cleaned_data
        if data.get("lat") is None or data.get("lng") is None:
            return None
        return Fix(lat=data["lat"], lng=data["lng"], accuracy_m=data.get("accuracy"), system=data.get("system") or "wgs84")

    def moment(self, now: dt.datetime) -> dt.datetime | None:
        """When the check was made: now minus its age, or the time it gives, or None (now)."""
        age = self.cleaned_data.get("age_seconds")
        if age is not None:
            # Beyond the limit the action refuses it with its own message.
            return now - dt.timedelta(seconds=min(age, MAX_BACKDATE.total_seconds() * 2))
        return self.cleaned_data.get("at")


# -- ordering by phone -----------------------------------------------------------------------
class ElderSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Elder"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True,
                                      "placeholder": _("name, pinyin initials, last 4 of the ID, or phone")}),
    )


class OrderForm(forms.Form):
    """What the caller wants: a service from the elder's menu, how much, and when (a fixed
    time, or a flexible window the caregiver may come in)."""

    TIMING = [("fixed", _("at a fixed time")), ("flexible", _("any time in a window"))]

    offer = forms.ModelChoiceField(label=_("Service"), queryset=None, empty_label=None)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)
    day = forms.DateField(label=_("Day"), widget=DateInput())
    timing = forms.ChoiceField(label=_("Time"), choices=TIMING, initial="fixed", widget=forms.RadioSelect)
    time_from = forms.TimeField(label=_("At / from"), widget=TimeInput())
    time_to = forms.TimeField(label=pgettext_lazy("time window", "until"), required=False, widget=TimeInput(),
                              help_text=_("For a flexible window."))
    urgent = forms.BooleanField(label=_("Urgent (sent now, whatever the provider's hours)"), required=False)
    note = forms.CharField(label=_("Note for the caregiver"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    expected_own_share = forms.DecimalField(required=False, max_digits=12, decimal_places=2, widget=forms.HiddenInput)

    def __init__(self, *args, menu=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = menu
        self.fields["offer"].label_from_instance = self.offer_label

    @staticmethod
    def offer_label(offer) -> str:
        return _("%(item)s · %(provider)s · ¥%(price)s per %(unit)s") % {
            "item": offer.item.name, "provider": offer.provider.name, "price": offer.price,
            "unit": offer.item.get_unit_display()}

    @staticmethod
    def initial_for_now() -> dict:
        """Today at the next full hour, not before 8:00 (tomorrow at 9 when it is late in the day)."""
        now = timezone.localtime()
        if now.hour >= 19:
            return {"day": now.date() + dt.timedelta(days=1), "time_from": dt.time(9), "quantity": 1, "timing": "fixed"}
        return {"day": now.date(), "time_from": dt.time(max(now.hour + 1, 8)), "quantity": 1, "timing": "fixed"}

    def clean(self):
        data = super().clean()
        if data.get("timing") == "flexible":
            if data.get("time_to") is None:
                self.add_error("time_to", _("Give the end of the window."))
            elif data.get("time_from") is not None and data["time_to"] <= data["time_from"]:
                self.add_error("time_to", _("The window ends after it starts."))
        return data

    def window(self) -> tuple[dt.datetime, dt.datetime | None]:
        """The window as aware datetimes in the current time zone (no end: a fixed time)."""
        data = self.cleaned_data
        start = timezone.make_aware(dt.datetime.combine(data["day"], data["time_from"]))
        if data["timing"] != "flexible":
            return start, None
        return start, timezone.make_aware(dt.datetime.combine(data["day"], data["time_to"]))

    def own_share_shown(self) -> Decimal | None:
        return self.cleaned_data.get("expected_own_share")


class ConfirmForm(forms.Form):
    RATINGS = [("", _("not rated")), *[(str(n), str(n)) for n in range(5, 0, -1)]]

    rating = forms.TypedChoiceField(label=_("Rating (stars)"), choices=RATINGS, coerce=int, empty_value=None,
                                    required=False)
    comment = forms.CharField(label=_("What the elder said"), max_length=1000, required=False)


class ComplaintForm(forms.Form):
    text = forms.CharField(label=_("Complaint"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
