from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """The plans' indicators: every app's `indicators.py`, targets, snapshots, dashboard,
    wall display and reports. Reads every app's tables; writes only its own."""

    name = "kangyang.indicators"
    label = "indicators"
    verbose_name = _("Indicators")
