"""Forms of the indicator pages (input only; the rules are in actions.py and accounts/scope.py)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.indicators.registry import lazy_format

MONTHS = [(str(m), lazy_format(_("month %(month)s"), month=m)) for m in range(1, 13)]


class PeriodForm(forms.Form):
    """Which region, year and month the figures are for (the page's GET parameters)."""

    region = forms.RegexField(label=_("Region"), regex=r"^\d{12}$", required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    month = forms.TypedChoiceField(label=_("Month"), coerce=int, required=False, empty_value=None,
                                   choices=[("", _("The whole year"))] + MONTHS)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(str(y), str(y)) for y in years]


class TargetSetForm(forms.Form):
    text = forms.CharField(label=_("Targets (YAML)"), widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
                           strip=False)
    note = forms.CharField(label=_("What changed"), max_length=300,
                           help_text=_("For example: the 2026 targets of the district's new plan."))


class ManualValueForm(forms.Form):
    """A figure the platform cannot compute, with its source."""

    code = forms.ChoiceField(label=_("Indicator"))
    region = forms.ChoiceField(label=_("Region"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    value = forms.DecimalField(label=_("Value"), max_digits=20, decimal_places=6,
                               help_text=_("In the indicator's unit as the plans write it: 78.6 for 78.6 years, 25 for 25%."))
    source = forms.CharField(label=_("Source"), max_length=300,
                             help_text=_("Who published the figure: a statistical bulletin, a survey, a department's letter."))
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    attachment = forms.FileField(label=_("Attachment"), required=False,
                                 help_text=_("The document the figure comes from (PDF, image or spreadsheet)."))

    def __init__(self, *args, codes: list[tuple[str, str]], regions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = codes
        self.fields["region"].choices = regions
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("year", today.year)
            self.initial.setdefault("as_of", today)
