"""`kangyang broker_status`: what the MQTT broker said about itself, as JSON, for monitoring."""

import json
import sys

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kangyang.alarms import constants, queries
from kangyang.alarms.models import BrokerStatus


class Command(BaseCommand):
    help = gettext_lazy(
        "Print the broker's figures the ingester last read from $SYS (messages dropped, messages "
        "held, clients connected) as JSON. Exit status 1 when the drop counter went up in the last "
        "24 hours or the figures are older than 15 minutes (is the ingester running?)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        warned = {b.pk for b in queries.broker_warnings(now=now)}
        brokers = []
        for b in BrokerStatus.objects.all():
            stale = now - b.updated_at > constants.BROKER_STATUS_STALE
            brokers.append({
                "broker": b.broker, "dropped": b.dropped, "stored": b.stored,
                "clients_connected": b.clients_connected,
                "dropped_rose_at": b.dropped_rose_at.isoformat() if b.dropped_rose_at else None,
                "dropped_rise": b.dropped_rise, "updated_at": b.updated_at.isoformat(),
                "dropping": b.pk in warned, "stale": stale,
            })
        ok = not any(b["dropping"] or b["stale"] for b in brokers)
        self.stdout.write(json.dumps({"ok": ok, "brokers": brokers}, indent=2))
        if not ok:
            sys.exit(1)
