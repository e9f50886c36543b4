import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from kangyang.registry.imports.files import prune_import_files


class Command(BaseCommand):
    help = (
        "Delete uploaded sheets and error files of imports older than --days (they hold full "
        "ID numbers); the job rows and their counts stay. The background worker does this by "
        "itself every hour (KANGYANG_IMPORT_RETENTION_DAYS); this command is for a manual run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.IMPORT_RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        removed = prune_import_files(older_than=timezone.now() - dt.timedelta(days=days))
        self.stdout.write(f"removed the files of {removed} imports")
