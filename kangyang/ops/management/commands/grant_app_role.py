"""`kangyang grant_app_role ROLE`: the PostgreSQL privileges of the application's role."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.ops.roles import RoleError, grant_app_role


class Command(BaseCommand):
    help = gettext_lazy(
        "PostgreSQL: give ROLE what the running application needs and no more: read and write "
        "rows of every table, only read and append to the audit log, own nothing. Run it as "
        "the owner role, after every `kangyang migrate`; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)
        parser.add_argument("role", help=_("The role that serve, worker and ingest connect as."))

    def handle(self, *args, role: str, **options):
        try:
            with transaction.atomic():
                statements = grant_app_role(role)
        except RoleError as e:
            raise CommandError(str(e)) from e
        if options["verbosity"] > 1:
            for sql in statements:
                self.stdout.write(sql)
        self.stdout.write(_("%(role)s may now read and write rows; on the audit log only read and append.")
                          % {"role": role})
