"""The registry's indicators: how many elders, by age band and vulnerability category (the
family-doctor contract rates are the health app's, kangyang/health/indicators.py).

"Elders of a region as of a day": records created by the end of the period, not deceased or
moved out on or before the day, counted where they actually live (the community of actual
residence gives `region_code`).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kangyang.indicators.registry import COUNT, Indicator, Query, lazy_format
from kangyang.registry.models import Elder
from kangyang.registry.queries import AGE_BANDS, AGE_BAND_LABELS, _years_before, birth_range

ON_THE_DAY = _("elders in the registry on the period's last day (today while it runs), not deceased or "
               "moved out by then, counted in the community where they actually live")


def elders(q: Query):
    """Elders on the registry on the query's day (see the module docstring)."""
    return Elder.objects.filter(created_at__lt=q.end).filter(
        Q(status=Elder.Status.ACTIVE) | Q(status_date__gt=q.as_of))


def aged(years: int):
    """Born on or before the day minus `years` years: at least that old on the day."""
    return lambda q: Q(birth_date__lte=_years_before(q.as_of, years))


def _in_band(band: str):
    return lambda q: birth_range(band, today=q.as_of)


def _in_category(category: str):
    return lambda q: Q(categories_text__contains=f",{category},")


INDICATORS = [
    Indicator(code="elders", name=_("elders on the registry"), unit=COUNT, group="elders",
              numerator=elders, numerator_text=_("elders on the registry"), as_of_text=ON_THE_DAY),
    *[Indicator(code=f"elders_age_{band.replace('-', '_').replace('+', '_plus')}",
                name=lazy_format(_("elders aged %(band)s"), band=AGE_BAND_LABELS[band]), unit=COUNT, group="elders",
                numerator=elders, numerator_where=_in_band(band), as_of_text=ON_THE_DAY,
                numerator_text=lazy_format(_("elders whose age on the day is %(band)s"), band=AGE_BAND_LABELS[band]))
      for band in AGE_BANDS if band != "under-60"],
    Indicator(code="vulnerable_elders", name=_("vulnerable elders"), unit=COUNT, group="elders",
              numerator=elders, numerator_where=lambda q: ~Q(categories_text=""),
              numerator_text=_("elders with at least one vulnerability category"), as_of_text=ON_THE_DAY),
    *[Indicator(code=f"elders_{category.value}", name=category.label, unit=COUNT, group="elder_categories",
                numerator=elders, numerator_where=_in_category(category.value),
                numerator_text=lazy_format(_("elders of the category “%(category)s”"), category=category.label),
                as_of_text=ON_THE_DAY)
      for category in Elder.Category],
]
