from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "kangyang.health"
    verbose_name = _("health services")

    def ready(self):
        # Readings from home devices come in through the alarms' ingestion (MQTT and the
        # webhook): the alarms app knows nothing of health, so health registers its kind there.
        from kangyang.alarms import ingest
        from kangyang.health.actions.readings import ReadingPayload, store_readings

        ingest.register_kind("reading", ReadingPayload, store_readings)
