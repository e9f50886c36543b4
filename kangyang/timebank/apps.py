from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    name = "kangyang.timebank"
    verbose_name = _("time bank")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from kangyang.timebank import triggers

        connection_created.connect(triggers.register, dispatch_uid="timebank_erasable")
