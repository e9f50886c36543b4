from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "kangyang.institutions"
    verbose_name = _("institutions and facilities")
