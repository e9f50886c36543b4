from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllowancesConfig(AppConfig):
    name = "kangyang.allowances"
    label = "allowances"
    verbose_name = _("Allowances")
