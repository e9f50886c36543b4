import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from kangyang.registry.imports import prune_import_files


class Command(BaseCommand):
    help = (
        "Delete uploaded sheets and error files of imports older than --days (they hold full "
        "ID numbers); the job rows and their counts stay. Run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int, **options):
        removed = prune_import_files(older_than=timezone.now() - dt.timedelta(days=days))
        self.stdout.write(f"removed the files of {removed} imports")
