"""Forms for the assessment pages: input validation only; the rules live in actions.py."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import ITEMS_BY_CODE, RISK_EVENTS
from kangyang.regions.models import Region

ANY = [("", gettext_lazy("all"))]
# Field names of the basics step; each is saved only when it is sent (partial saves).
RISK_PREFIX = "risk_"
RISK_CHOICES = [0, 1, 2, 3]  # A.2.14: none, once, twice, three times or more


class StartForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason for the assessment"), choices=Assessment.Reason.choices)
    assessed_on = forms.DateField(
        label=gettext_lazy("Date of assessment"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place = forms.CharField(
        label=gettext_lazy("Place"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. the elder's home")}),
    )
    assessor_1 = forms.CharField(label=gettext_lazy("First assessor"), max_length=50)
    assessor_2 = forms.CharField(label=gettext_lazy("Second assessor"), max_length=50)
    informant = forms.CharField(label=gettext_lazy("Information provider"), max_length=50, required=False)
    informant_relation = forms.CharField(
        label=gettext_lazy("Relation to the elder"), max_length=30, required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. self, daughter, carer")}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class RequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What changed?"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": gettext_lazy("e.g. a fall with a fracture, a stroke")}),
    )


class LegacyImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Sheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class DueFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False, max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "placeholder": gettext_lazy("Name, initials or last 4 of ID")}),
    )
    community = forms.ChoiceField(label=gettext_lazy("Community"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = Region.objects.visible_to(user).filter(level=Region.Level.COMMUNITY).order_by("code")
        self.fields["community"].choices = ANY + [(c.code, c.name) for c in communities]

    def filters(self) -> dict[str, str]:
        """The non-empty filters, as typed (a value that is no choice then finds nothing)."""
        return {k: v.strip() for k in ("q", "community") if (v := self.data.get(k, "")) and v.strip()}


def answers_from_post(data: QueryDict) -> dict:
    """Keyword arguments for actions.save_answers from whatever a step sent: item answers
    named by their codes ("B.1.1"), and the basics. What is not sent is left unchanged."""
    kwargs: dict = {}
    answers = {code: data[code] for code in ITEMS_BY_CODE if code in data}
    if answers:
        kwargs["answers"] = answers
    if "diagnoses" in data:
        kwargs["diagnoses"] = data["diagnoses"]
    if data.get("coma") in ("0", "1"):
        kwargs["coma"] = data["coma"] == "1"
    events = {}
    for kind in RISK_EVENTS:
        value = data.get(RISK_PREFIX + kind)
        if value is None or value == "":
            continue
        if not re.fullmatch(r"\d{1,3}", value):
            raise ValidationError({"risk_events_30d": _("Counts of care-risk events are whole numbers ≥ 0.")})
        events[kind] = int(value)
    if events:
        kwargs["risk_events_30d"] = events
    if "special_care" in data:
        kwargs["special_care"] = data["special_care"][:2000]
    return kwargs
