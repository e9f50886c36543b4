"""`kangyang seed --elders N`: add synthetic elders to the synthetic district (scale tests)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.ops import demo


class Command(BaseCommand):
    help = gettext_lazy(
        "Add N synthetic elders, with households, contacts and health records, to the synthetic "
        "district (Xihu, 360103), creating its region tree if needed. Running it again adds N "
        "more, with new ID numbers, also with the same --seed."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)  # argparse needs a str, not a lazy one
        parser.add_argument("--elders", type=int, required=True, help=_("How many elders to add."))
        parser.add_argument("--seed", type=int, default=1,
                            help=_("Random seed (default %(default)s): the same seed on an "
                                   "empty database gives the same district."))

    def handle(self, *args, elders: int, seed: int, **options):
        if elders < 0:
            raise CommandError(_("--elders must be 0 or more."))
        started = time.perf_counter()
        _district, messages = demo.seed_district(elders=elders, seed=seed)
        elapsed = time.perf_counter() - started
        for label, text in messages:
            self.stdout.write(f"{label}: {text}")
        self.stdout.write(_("Added %(n)d elders in %(s).1f s (%(rate)d elders/s); the district now has %(total)d.") % {
            "n": elders, "s": elapsed, "rate": elders / elapsed if elapsed else 0, "total": demo.elder_count()})
