from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "kangyang.subsidies"
    label = "subsidies"
    verbose_name = _("Allowances")
