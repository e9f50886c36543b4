import json
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kangyang.assessment.actions import refresh_elder_categories
from kangyang.assessment.models import Assessment
from kangyang.assessment.scoring import score
from kangyang.registry.actions import refresh_household_categories
from kangyang.registry.models import Elder


class Command(BaseCommand):
    help = "Capability assessment (GB/T 42195-2022). `kangyang assess score` reads item answers as JSON on stdin."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("score", help="score one assessment: JSON on stdin, JSON on stdout")
        sub.add_parser(
            "categories",
            help="derive every elder's categories again (失能/失智 from the latest signed assessment, "
                 "独居/空巢/孤寡 from the household); run once after upgrading to 0.4",
        )

    def handle(self, *args, action: str, **options):
        if action == "categories":
            return self._categories()
        with translation.override(settings.LANGUAGE_CODE):
            try:
                data = json.load(sys.stdin)
            except json.JSONDecodeError as e:
                raise CommandError(f"stdin is not JSON: {e}") from None
            if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
                raise CommandError('expected {"items": {"B.1.1": 4, ...}, ...}')
            try:
                result = score(
                    data["items"], coma=bool(data.get("coma", False)),
                    diagnoses=list(data.get("diagnoses") or []),
                    risk_events_30d=data.get("risk_events_30d") or {},
                    stack_raises=settings.ASSESSMENT_STACK_RAISES,
                )
            except ValidationError as e:
                lines = [f"{k}: {m}" for k, v in e.message_dict.items() for m in v] if hasattr(e, "error_dict") else e.messages
                raise CommandError("\n".join(lines)) from None
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))

    def _categories(self) -> None:
        household = refresh_household_categories(Elder.objects.values_list("pk", flat=True).iterator())
        assessed = refresh_elder_categories(
            Assessment.objects.signed().values_list("elder_id", flat=True).distinct().iterator()
        )
        self.stdout.write(json.dumps({"household_changed": household, "assessment_changed": assessed}))
