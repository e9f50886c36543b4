"""`kangyang simulate_devices`: heartbeats (and now and then an alarm) from the registered
devices, over MQTT, for the demo. A real installation never runs this: real devices talk.
The demo's broken devices (alarms/demo.py `is_broken`) stay silent."""

import heapq
import json
import logging
import random
import signal
import threading
import time

import paho.mqtt.client as mqtt
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.alarms import broker, demo
from kangyang.alarms.models import Device

log = logging.getLogger(__name__)
RELOAD_EVERY = 120.0  # seconds between re-reading the device list


class Command(BaseCommand):
    help = gettext_lazy(
        "Demo only: publish heartbeats for the devices at their intervals (all but the demo's "
        "broken ones), and with --alarm-every a test SOS now and then, to the broker at MQTT_URL, "
        "until Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)
        parser.add_argument("--alarm-every", type=float, default=0,
                            help=_("Seconds between simulated SOS alarms (default: none)."))
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, alarm_every: float, seed: int | None, **options):
        rng = random.Random(seed)
        endpoint = broker.endpoint()
        stop = threading.Event()
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, lambda *_a: stop.set())
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"kangyang-sim-{rng.randrange(10**6)}",
                             protocol=mqtt.MQTTv311)
        client.max_queued_messages_set(10000)
        endpoint.configure(client)  # MQTT_URL's credentials and TLS (demo: usually none)
        client.connect_async(endpoint.host, endpoint.port)
        client.loop_start()
        due: list[tuple[float, str, float, int]] = []  # (when, device id, interval s, battery)
        known: set[str] = set()
        reload_at = next_alarm = 0.0
        try:
            while not stop.is_set():
                now = time.monotonic()
                if now >= reload_at:
                    close_old_connections()
                    for device_id, interval, battery in Device.objects.exclude(status=Device.Status.RETIRED).values_list(
                        "device_id", "heartbeat_interval", "battery"
                    ):
                        if device_id not in known and not demo.is_broken(device_id):
                            known.add(device_id)
                            seconds = interval.total_seconds()
                            heapq.heappush(due, (now + rng.uniform(0, seconds), device_id, seconds, battery or 80))
                    reload_at = now + RELOAD_EVERY
                while due and due[0][0] <= now:
                    _when, device_id, seconds, battery = heapq.heappop(due)
                    body = {"ts": timezone.now().isoformat(), "battery": battery}
                    if device_id.startswith("M"):  # a water meter: some use most of the day
                        body["reading"] = round(time.time() / 3600 * 0.01, 3)
                    client.publish(broker.device_topic(device_id, "heartbeat"), json.dumps(body), qos=1)
                    heapq.heappush(due, (now + seconds, device_id, seconds, battery))
                if alarm_every and now >= next_alarm:
                    if next_alarm and known:
                        device_id = rng.choice(sorted(d for d in known if d.startswith("P")) or sorted(known))
                        body = {"msg_id": f"sim-{int(time.time() * 1000)}", "type": "sos",
                                "ts": timezone.now().isoformat()}
                        client.publish(broker.device_topic(device_id, "alarm"), json.dumps(body), qos=1)
                    next_alarm = now + alarm_every
                stop.wait(0.5)
        finally:
            client.disconnect()
            client.loop_stop()
