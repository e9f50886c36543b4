from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "kangyang.portal"
    verbose_name = _("elder and family pages")
