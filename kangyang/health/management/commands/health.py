"""`kangyang health classify` (CONTRACTS.md): classify one health reading, given as a JSON object
on stdin, by the follow-up rules; print {"class", "rule", "rule_set", "text"} as JSON.

Exit 0 with the class; exit 1 naming the field (in the user's language) for invalid JSON, NUL
bytes, a value that is not an object, a missing, mistyped or impossible value, or a kind no rule
classifies (weight). The rules are the active rule set's; on a database that has no tables yet
(not migrated) or with `--shipped`, the rules shipped in kangyang/health/data/follow_up_rules.yaml.
"""

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from kangyang.health import rules as health_rules

MAX_INPUT = 64 * 1024


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = "Health services: `classify` reads one reading as JSON on stdin and prints its class and rule."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        classify = sub.add_parser(
            "classify", help='classify one reading: JSON on stdin, e.g. {"kind": "blood_pressure", "systolic": 150, '
                             '"diastolic": 85, "age": 70}; JSON {"class", "rule", "rule_set", "text"} on stdout')
        classify.add_argument("--language", default=settings.LANGUAGE_CODE, help="zh-hans (default) or en")
        classify.add_argument("--shipped", action="store_true",
                              help="use the rules shipped with Kangyang, not the database's active rule set")

    def handle(self, *args, action: str, **options):
        with translation.override(options["language"]):
            if action == "classify":
                return self._classify(options.get("stdin") or sys.stdin, shipped=options["shipped"])
        return None

    def _fail(self, field: str, message: str):
        raise CommandError(f"{field}: {message}", returncode=1)

    def _classify(self, stdin, *, shipped: bool) -> None:
        raw = stdin.buffer.read(MAX_INPUT + 1) if hasattr(stdin, "buffer") else stdin.read(MAX_INPUT + 1)
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                self._fail("stdin", _("The input is not UTF-8 text."))
        if len(raw) > MAX_INPUT:
            self._fail("stdin", _("The input is too long: give one reading."))
        if "\x00" in raw:
            self._fail("stdin", _("The input contains a NUL byte."))
        try:
            reading = json.loads(raw)
        except (ValueError, RecursionError) as e:
            self._fail("stdin", _("The input is not JSON: %(error)s") % {"error": e})
        if not isinstance(reading, dict):
            self._fail("stdin", _("Give the reading as a JSON object."))
        rules = None
        if not shipped:
            try:
                rules = health_rules.active_rules()
            except DatabaseError:  # not migrated yet: the shipped rules are the first version
                rules = None
        if rules is None:
            rules = health_rules.file_rules()
        try:
            result = health_rules.classify(reading, rules=rules)
        except health_rules.InvalidReading as e:
            self._fail(e.field, e.message)
        if not result.classification:
            self._fail("kind", _("No rule classifies this reading (kind “%(kind)s”).") % {"kind": reading["kind"]})
        self.stdout.write(json.dumps({
            "class": result.classification, "rule": result.rule, "rule_set": result.rule_set,
            "text": health_rules.rule_text(result.rule, rules),
        }, ensure_ascii=False))
