"""The report page's choices: which region, which month (or the whole year), which form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.indicators.registry import Period
from kangyang.indicators.reports import PDF, XLSX
from kangyang.regions import codes
from kangyang.regions.models import Region

HTML = "html"


def regions_for(user) -> list[Region]:
    """The regions of the reader's own area, in tree order (their own node first)."""
    prefix = scope.area_prefix(user)
    if prefix is None:
        return []
    return list(Region.objects.filter(code__startswith=prefix).order_by("code"))


class ReportForm(forms.Form):
    # Any 12-digit code: one outside the reader's area is the view's 404, as every other record.
    region = forms.CharField(label=_("Region"), widget=forms.Select)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("Month"), required=False, coerce=int, empty_value=None,
        choices=[("", _("the whole year"))] + [(str(m), str(m)) for m in range(1, 13)])
    format = forms.ChoiceField(label=_("Format"), initial=HTML, required=False, choices=[
        (HTML, _("page")), (PDF, "PDF"), (XLSX, _("spreadsheet (.xlsx)"))])

    def __init__(self, data, *, user):
        """Without a year in the query, this month of the reader's own region."""
        today = timezone.localdate()
        regions = regions_for(user)
        own = user.region.code if getattr(user, "region_id", None) else (regions[0].code if regions else "")
        data = data.dict() if hasattr(data, "dict") else dict(data)
        if "year" not in data:
            data.setdefault("month", str(today.month))
            data["year"] = str(today.year)
        data.setdefault("region", own)
        super().__init__(data)
        # Indented by depth below the reader's own level: 西湖区, · 南浦街道, · · 桃花社区.
        top = min((codes.LEVELS.index(r.level) for r in regions), default=0)
        self.fields["region"].widget.choices = [
            (r.code, "· " * (codes.LEVELS.index(r.level) - top) + r.name) for r in regions]

    def clean_region(self) -> str:
        code = self.cleaned_data["region"]
        codes.level_of(code)  # ValidationError for what is no region code
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("year") is not None:
            try:
                cleaned["period"] = Period(cleaned["year"], cleaned.get("month"))
            except ValueError:
                raise ValidationError(
                    _("Give a year between 2000 and 2100 and a month between 1 and 12.")) from None
        cleaned["format"] = cleaned.get("format") or HTML
        return cleaned
