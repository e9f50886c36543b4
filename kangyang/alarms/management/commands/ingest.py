"""`kangyang ingest`: the MQTT device ingester (CONTRACTS.md "Devices (MQTT)")."""

import signal

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.alarms import broker, mqtt


class Command(BaseCommand):
    help = gettext_lazy(
        "Receive device alarms and heartbeats from the MQTT broker at MQTT_URL and store them; "
        "each message is acknowledged only after it is committed. Runs until Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)
        parser.add_argument("--client-id", default=None,
                            help=_("MQTT client id of the persistent session (default: KANGYANG_MQTT_CLIENT_ID, "
                                   "derived from this deployment). Each ingester of a shared group needs its own."))
        parser.add_argument("--batch-size", type=int, default=1000,
                            help=_("Most messages committed in one transaction (default %(default)s)."))
        parser.add_argument("--protocol", choices=["auto", "5", "3.1.1"], default="auto",
                            help=_("MQTT version: 5, else 3.1.1 (default %(default)s)."))

    def handle(self, *args, client_id: str | None, batch_size: int, protocol: str, **options):
        try:
            endpoint = broker.endpoint()
        except ValueError as e:
            raise CommandError(str(e)) from None
        if batch_size < 1:
            raise CommandError(_("--batch-size must be 1 or more."))
        ingester = mqtt.Ingester(endpoint=endpoint, client_id=client_id, batch_size=batch_size, protocol=protocol)
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, ingester.stop)
        self.stdout.write(_("Ingesting device messages from %(host)s:%(port)d as %(client)s (%(topics)s)") % {
            "host": endpoint.host, "port": endpoint.port, "client": ingester.client_id,
            "topics": ", ".join(ingester.topics)})
        ingester.run()
        self.stdout.write(_("Stopped after %(n)d messages.") % {"n": ingester.processed})
