"""`kangyang migrate`: Django's migrate, after carrying renamed apps over to their new label.

The carrying over (kangyang/ops/upgrades.py) must come before Django's command makes its
migration executor, which reads the applied migrations once, at the start; a `pre_migrate`
receiver would be too late. `--check` and `--plan` change nothing, so they only say what the
real run would carry over first.
"""

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.ops import upgrades


class Command(DjangoMigrate):
    help = format_lazy("{} {}", DjangoMigrate.help,
                       gettext_lazy("Apps that were renamed are first carried over to their new name."))

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.description = str(self.help)  # argparse needs a str, not a lazy one

    def handle(self, *args, **options):
        using = options["database"]
        try:
            if options["check_unapplied"] or options["plan"]:
                for old, new in upgrades.pending_renames(connections[using]):
                    self.stdout.write(_("To do first: carry app %(old)s over to %(new)s.") % {"old": old, "new": new})
            else:
                for renamed in upgrades.rename_apps(using):
                    if options["verbosity"] >= 1:
                        self.stdout.write(self.style.SUCCESS(str(renamed)))
        except upgrades.UpgradeError as e:
            raise CommandError(str(e)) from e
        return super().handle(*args, **options)
