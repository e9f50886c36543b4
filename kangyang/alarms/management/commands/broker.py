"""`kangyang broker`: the embedded MQTT broker (for the demo; production runs Mosquitto)."""

import asyncio
import logging
import signal

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.alarms import broker


class Command(BaseCommand):
    help = gettext_lazy(
        "Run the embedded MQTT broker (pure Python, MQTT 3.1.1, loopback only, anonymous, "
        "sessions in memory) at MQTT_URL until Ctrl-C. For the demo; use Mosquitto in production."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)
        parser.add_argument("--port", type=int, default=None,
                            help=_("TCP port (default: the port of MQTT_URL)."))

    def handle(self, *args, port: int | None, **options):
        endpoint = broker.endpoint()
        host, port = endpoint.host, port or endpoint.port
        if endpoint.tls:
            raise CommandError(_("The embedded broker does not speak TLS; MQTT_URL is mqtts://."))
        if host not in broker.LOOPBACK:
            raise CommandError(_("The embedded broker listens on loopback only; MQTT_URL names %(host)s.") % {"host": host})
        if broker.answers(host, port):
            raise CommandError(_("Something already answers on %(host)s:%(port)d.") % {"host": host, "port": port})
        # amqtt reports every probe connection (the ingester checks that a broker answers)
        # and every client speaking MQTT 5 as an error with a traceback: keep the demo's
        # terminal readable.
        logging.getLogger("transitions").setLevel(logging.WARNING)
        logging.getLogger("amqtt").setLevel(logging.CRITICAL)
        asyncio.run(self._run(host, port))

    async def _run(self, host: str, port: int) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for s in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(s, stop.set)
        self.stdout.write(_("MQTT broker on %(host)s:%(port)d") % {"host": host, "port": port})
        await broker.serve(host, port, stop)
