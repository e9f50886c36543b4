"""`kangyang worker`: runs background tasks (django-tasks-db's `db_worker` with our defaults)
and the worker's own chores (housekeeping.py: deleting import files past their retention,
telling of expiring licences, the indicators' monthly snapshots, the care calls due, the
care visits' plan and reminders, and the institutions' daily pass)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.ops.housekeeping import (
    PeriodicCareCalls, PeriodicInstitutions, PeriodicPrune, PeriodicSnapshots, PeriodicVisits, institutions_once,
    prune_once, schedule_care_calls_once, snapshot_once, visits_once, warn_licences_once,
)
from kangyang.ops.housekeeping import PeriodicHealth, PeriodicHealthAlerts, health_alerts_once, health_once


class Command(BaseCommand):
    help = gettext_lazy(
        "Run background tasks from the database queue until Ctrl-C (django-tasks-db's "
        "db_worker, all queues, no auto-reload); delete import files past their retention "
        "period at start and every hour, tell of expiring licences at start and daily, and keep "
        "the indicators' snapshots (the running month and year, and each month once it ended); make the "
        "month's care-visit plan daily and remind visitors of overdue visits every hour; daily, tell of institutions' "
        "expiring documents, escalate overdue hazards and score the organisations' credit; daily, remind of family-doctor contracts ending soon, "
        "and every minute escalate the health alerts nobody acknowledged."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)  # argparse needs a str, not a lazy one
        parser.add_argument("--queue-name", default="*",
                            help=_("Queues to process, comma-separated (default: all)."))
        parser.add_argument("--interval", type=float, default=1.0,
                            help=_("Seconds to wait when the queue is empty (default %(default)s)."))
        parser.add_argument("--batch", action="store_true",
                            help=_("Run the tasks waiting now, then exit."))
        parser.add_argument("--max-tasks", type=int, default=None,
                            help=_("Exit after this many tasks."))

    def handle(self, *args, queue_name: str, interval: float, batch: bool, max_tasks: int | None, **options):
        chores = []
        if batch:
            prune_once()
            warn_licences_once()
            snapshot_once()
            schedule_care_calls_once()
            visits_once()
            institutions_once()
            health_once()
            health_alerts_once()
        else:
            chores = [PeriodicPrune(), PeriodicSnapshots(), PeriodicCareCalls(), PeriodicVisits(), PeriodicInstitutions(),
                      PeriodicHealth()]
            chores.append(PeriodicHealthAlerts())
            for chore in chores:
                chore.start()
        try:
            call_command(
                "db_worker", queue_name=queue_name, interval=interval, batch=batch,
                max_tasks=max_tasks, reload=False, verbosity=options["verbosity"],
            )
        finally:
            for chore in chores:
                chore.stop()
