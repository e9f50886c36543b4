"""Forms for orders: ordering by phone, cancelling, confirming, no-shows and complaints."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from kangyang.services.forms._common import DateInput, TimeInput


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. the elder is in hospital")}))


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("What was done"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))


class NoShowForm(forms.Form):
    reason = forms.CharField(label=_("What happened"), max_length=500, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. knocked, called, no answer")}))


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
