from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    name = "kangyang.timebank"
    verbose_name = _("time bank")
