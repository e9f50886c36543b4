"""`kangyang inspections draw --plan ID`: re-run a plan's random-inspection draw from its
recorded seed and frozen pools and print it as JSON, with `matches_recorded` saying whether it
is the result recorded when the plan was drawn (the algorithm: kangyang/institutions/inspections.py)."""

import json

from django.core.management.base import BaseCommand, CommandError

from kangyang.institutions import inspections as rules
from kangyang.institutions.models import InspectionPlan
from kangyang.institutions.queries.inspections import rerun_draw


class Command(BaseCommand):
    help = "Random inspections. `kangyang inspections draw --plan ID` re-runs a recorded draw; JSON on stdout."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        draw = sub.add_parser("draw", help="re-run a plan's draw from its recorded seed and pools")
        draw.add_argument("--plan", type=int, required=True, help="the inspection plan's id")

    def handle(self, *args, action: str, plan: int, **options):
        found = InspectionPlan.objects.filter(pk=plan).first()
        if found is None:
            raise CommandError(f"no inspection plan {plan}")
        if found.status == InspectionPlan.Status.DRAFT or found.drawn_at is None:
            raise CommandError(f"inspection plan {plan} has not been drawn yet")
        try:
            answer = rerun_draw(found)
        except rules.DrawRefused as e:
            raise CommandError(f"the recorded pools cannot be drawn again: {e}") from None
        answer["drawn_at"] = found.drawn_at.isoformat()
        self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=1))
        if not answer["matches_recorded"]:
            raise CommandError("the draw does not match the recorded result")
