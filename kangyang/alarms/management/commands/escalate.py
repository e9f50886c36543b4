"""`kangyang escalate`: the escalation loop (its own process, not queued tasks: CONVENTIONS.md).

Every second: escalate alarms nobody has acknowledged (escalate_overdue). Every
`--device-every` seconds: the device checks (offline, low battery, missing monthly test,
the no-water rule). Each step is a conditional UPDATE, so two loops running by mistake
do no harm. `--once` runs one round of both, for cron and tests.
"""

import logging
import signal
import threading
import time

from django.db import InterfaceError, OperationalError, close_old_connections
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.alarms.actions.devices import check_devices
from kangyang.alarms.actions.handling import escalate_overdue

log = logging.getLogger("kangyang.alarms.escalate")


class Command(BaseCommand):
    help = gettext_lazy(
        "Escalate alarms not acknowledged in time and check devices (offline, low battery, "
        "monthly test, passive rules), in a loop until Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)
        parser.add_argument("--interval", type=float, default=1.0,
                            help=_("Seconds between escalation rounds (default %(default)s)."))
        parser.add_argument("--device-every", type=float, default=30.0,
                            help=_("Seconds between device checks (default %(default)s)."))
        parser.add_argument("--once", action="store_true", help=_("Run one round, then exit."))

    def handle(self, *args, interval: float, device_every: float, once: bool, **options):
        self.verbosity_level = options["verbosity"]
        if once:
            self.round(devices=True)
            return
        stop = threading.Event()
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, lambda *_a: stop.set())
        self.stdout.write(_("Escalating alarms every %(s)s s until stopped.") % {"s": interval})
        next_devices = 0.0
        while not stop.is_set():
            due = time.monotonic() >= next_devices
            try:
                close_old_connections()
                self.round(devices=due)
                if due:
                    next_devices = time.monotonic() + device_every
            except (OperationalError, InterfaceError):
                log.warning("database unavailable; retrying", exc_info=True)
            stop.wait(interval)

    def round(self, *, devices: bool) -> None:
        escalated = escalate_overdue()
        if escalated and self.verbosity_level > 1:
            self.stdout.write(_("Escalated %(n)d alarms.") % {"n": len(escalated)})
        if devices:
            found = check_devices()
            if any(found.values()) and self.verbosity_level > 1:
                self.stdout.write(", ".join(f"{k}: {v}" for k, v in found.items()))
