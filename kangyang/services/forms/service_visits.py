"""Forms for verified visits: the phone's check-in and check-out, and reviewing a flagged visit."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.lib import coords
from kangyang.services.actions import Fix
from kangyang.services.constants import MAX_BACKDATE


class ReviewForm(forms.Form):
    DECISIONS = [("accept", _("accept")), ("reject", _("reject"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    note = forms.CharField(label=_("What you found"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. called the elder: the caregiver came")}))


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
