"""Forms of the plan, rate and profile pages: input validation only; the rules are in actions."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.regions.models import Region
from kangyang.visits.models import Pairing, Tier, VisitDue

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]
ANY = [("", _("all"))]


class MonthField(forms.DateField):
    """A month typed as 2026-12 (the browser's month picker), as its first day; 2000–2100."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        super().__init__(input_formats=MONTH_FORMATS, **kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        if day and not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
            raise ValidationError(_("Choose a month between 2000 and 2100."), code="invalid")
        return day.replace(day=1) if day else day


def regions_for(user):
    """The regions of the user's own area (not the nodes above it), in tree order."""
    levels = (Region.Level.CITY, Region.Level.DISTRICT, Region.Level.SUBDISTRICT, Region.Level.COMMUNITY)
    qs = Region.objects.visible_to(user).filter(level__in=levels).order_by("code")
    return qs.filter(code__startswith=user.region.prefix) if user.region_id else qs


def region_choices(user) -> list[tuple[str, str]]:
    indent = {"city": "", "district": "", "subdistrict": "· ", "community": "· · "}
    return [(r.code, f"{indent[r.level]}{r.name}") for r in regions_for(user)]


class PlaceForm(forms.Form):
    """Which region and month a page shows (the user's own area, this month by default)."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user)
        self.user = user

    def place(self) -> tuple[Region | None, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        code = data.get("region") or (self.user.region.code if self.user.region_id else "")
        region = Region.objects.filter(code=code).first() if code else None
        month = data.get("month") or timezone.localdate().replace(day=1)
        return region, month


class PlanFilterForm(PlaceForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + list(VisitDue.Status.choices))


class MakePlanForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    month = MonthField(label=_("Month"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user)


class AssignForm(forms.Form):
    visitor = forms.ModelChoiceField(label=_("Visitor"), queryset=None)

    def __init__(self, *args, visitors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitor"].queryset = visitors
        self.fields["visitor"].label_from_instance = lambda u: u.full_name or u.username


class CancelForm(forms.Form):
    note = forms.CharField(label=_("Why is the visit cancelled?"), max_length=500)


class TierForm(forms.Form):
    tier = forms.ModelChoiceField(label=_("Visit tier"), queryset=Tier.objects.order_by("rank"), required=False,
                                  empty_label=_("as derived from the records"))
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class PairingForm(forms.Form):
    helper = forms.ModelChoiceField(label=_("Helper"), queryset=None)
    kind = forms.ChoiceField(label=_("Helper is a"), choices=Pairing.Kind.choices)
    started_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, helpers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers
        self.fields["helper"].label_from_instance = lambda u: u.full_name or u.username
        self.fields["started_on"].initial = timezone.localdate()


class EndPairingForm(forms.Form):
    ended_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
