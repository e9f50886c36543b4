"""`kangyang routes`: vehicle routing from the command line.

    kangyang routes solve FILE [--seconds S] [--seed N]

reads a VRPLIB or classic Solomon VRPTW file (DIMACS convention: distances and durations
truncated to one decimal), solves it with our solver for S seconds on every core, and prints
one line of JSON: {"cost": 827.3, "vehicles": 10, "routes": [[5, 3, 7, ...], ...]}, customers
numbered as the file's solutions number them (see kangyang/services/routing/instances.py).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.services.routing import InstanceError, read_instance, solve


class Command(BaseCommand):
    help = gettext_lazy(
        "Vehicle routing. `kangyang routes solve FILE` solves a VRPLIB or Solomon VRPTW "
        "instance and prints the routes as JSON."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("solve", help=_("Solve one VRPTW instance and print JSON."))
        p.add_argument("file", help=_("A VRPLIB (.vrp) or classic Solomon (.txt) file."))
        p.add_argument("--seconds", type=float, default=10.0,
                       help=_("Wall-clock time for the search (default %(default)s)."))
        p.add_argument("--seed", type=int, default=1,
                       help=_("Random seed (default %(default)s)."))

    def handle(self, *args, action: str, file: str, seconds: float, seed: int, **options):
        if seconds <= 0:
            raise CommandError(_("--seconds must be positive."))
        if not Path(file).is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            instance = read_instance(file)
        except InstanceError as e:
            if options["verbosity"] > 1:
                self.stderr.write(str(e))
            raise CommandError(
                _("Cannot read %(file)s as a VRPLIB or Solomon instance.") % {"file": file}
            ) from None
        solution = solve(instance.data, seconds=seconds, seed=seed)
        if not solution.is_feasible():
            raise CommandError(
                _("No feasible solution for %(file)s in %(seconds)s s: every customer must be "
                  "served within its time window by the vehicles available.")
                % {"file": file, "seconds": seconds}
            )
        routes = instance.routes(solution)
        self.stdout.write(json.dumps(
            {"cost": instance.cost(solution), "vehicles": len(routes), "routes": routes}
        ))
