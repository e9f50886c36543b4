"""`kangyang orders sweep`: the home-services loop (its own process, like `escalate`).

Each round: place the orders of standing orders a few days ahead, flag visits still open
long after their planned end, and — in the evening — plan tomorrow's routes of every
provider with orders for it. Every step is idempotent (unique slots, one flag per reason,
one plan per provider and day), so a second loop running by mistake does no harm.
`--once` runs one round, for cron and tests.
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.services import actions

log = logging.getLogger("kangyang.services.sweep")


class Command(BaseCommand):
    help = gettext_lazy("Home-service orders: `sweep` places standing orders, flags missing check-outs "
                        "and plans tomorrow's routes, in a loop until Ctrl-C or SIGTERM.")

    def add_arguments(self, parser):
        parser.description = str(self.help)
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help=str(_("Run the home-services loop.")))
        sweep.add_argument("--interval", type=float, default=60.0,
                           help=_("Seconds between rounds (default %(default)s)."))
        sweep.add_argument("--once", action="store_true", help=_("Run one round, then exit."))

    def handle(self, *args, action: str, interval: float, once: bool, **options):
        self.verbosity_level = options["verbosity"]
        if interval <= 0:
            raise CommandError(_("--interval must be above zero."))
        if once:
            self.round()
            return
        stop = threading.Event()
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, lambda *_a: stop.set())
        self.stdout.write(_("Sweeping home-service orders every %(s)s s until stopped.") % {"s": interval})
        while not stop.is_set():
            try:
                close_old_connections()
                self.round()
            except (OperationalError, InterfaceError):
                log.warning("database unavailable; retrying", exc_info=True)
            stop.wait(interval)

    def round(self) -> None:
        placed = actions.place_recurring_orders()
        flagged = actions.flag_missing_check_outs()
        planned = actions.plan_next_day()
        if placed or flagged or planned or self.verbosity_level > 1:
            self.stdout.write(_("%(placed)d orders placed from standing orders, %(flagged)d visits flagged "
                                "without check-out, %(planned)d days planned.") % {
                "placed": placed, "flagged": flagged, "planned": planned})
