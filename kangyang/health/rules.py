"""Classification of a reading by the follow-up rules (rules as data, versioned): the national
basic public-health service specification, third edition (国家基本公共卫生服务规范（第三版）,
2017), for hypertension and type 2 diabetes follow-up, with its own blood-pressure target for the
65+ (150/90 mmHg, not 140/90), and the platform's own rules for blood oxygen and heart rate. The
rules live in kangyang/health/data/follow_up_rules.yaml (the first version) and in `RuleSet` rows
(the active one and every earlier one); every result names the rule that produced it.

    classify(reading: dict, *, rules: dict | None = None) -> Result
        `reading` as `kangyang health classify` reads it: {"kind": "blood_pressure", "systolic": 150,
        "diastolic": 85, "age": 70} or {"kind": "fasting_glucose", "mmol_l": 7.0, "age": 70} (the
        fields of each kind are in the YAML). A missing, mistyped or impossible value raises
        InvalidReading naming the field. `rules` defaults to the active rule set's.
    active_rule_set() -> RuleSet
        the active set, made from the YAML when there is none.
"""

import dataclasses
import math
import operator
import threading
import time
from functools import cache
from pathlib import Path

import yaml
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

RULES_FILE = Path(__file__).parent / "data" / "follow_up_rules.yaml"
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
CACHE_SECONDS = 30  # how long a process keeps the active set before asking the database again


class InvalidReading(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclasses.dataclass(frozen=True)
class Result:
    classification: str  # a models.Classification value: "urgent", "uncontrolled", "controlled", "" (no rule)
    rule: str  # the rule's id, e.g. "bp.urgent"; "" when no rule applies
    rule_set: str = ""  # the version of the rules
    follow_up_days: int | None = None  # when the next follow-up is due after this class

    def as_json(self) -> dict:
        return {"class": self.classification or None, "rule": self.rule or None}


@cache
def file_rules() -> dict:
    """The rules shipped with Kangyang (the first version)."""
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def kinds(rules: dict | None = None) -> list[str]:
    return list((rules or file_rules())["kinds"])


def _number(reading: dict, name: str, spec: dict) -> float | None:
    value = reading.get(name)
    if value is None:
        if spec.get("required"):
            raise InvalidReading(name, _("This value is required."))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidReading(name, _("Give a number."))
    # an int is compared as it is (math.isfinite(10**400) would overflow), a float must be finite
    if (isinstance(value, float) and not math.isfinite(value)) or not spec["min"] <= value <= spec["max"]:
        raise InvalidReading(name, _("%(value)s is not a possible value (from %(min)s to %(max)s %(unit)s).") % {
            "value": value, "min": spec["min"], "max": spec["max"], "unit": spec.get("unit", "")})
    return value


def values_of(reading: dict, rules: dict | None = None) -> tuple[str, dict]:
    """The reading's kind and its checked values; InvalidReading naming the first bad field."""
    rules = rules or file_rules()
    if not isinstance(reading, dict):
        raise InvalidReading("kind", _("Give the reading as a JSON object."))
    kind = reading.get("kind")
    if not isinstance(kind, str) or kind not in rules["kinds"]:
        raise InvalidReading("kind", _("Give one of: %(kinds)s.") % {"kinds": ", ".join(rules["kinds"])})
    fields = rules["kinds"][kind]["fields"]
    values = {name: _number(reading, name, spec) for name, spec in fields.items()}
    if kind == "blood_pressure" and values["diastolic"] >= values["systolic"]:
        raise InvalidReading("diastolic", _("The diastolic pressure must be lower than the systolic."))
    return kind, values


def _holds(condition, values: dict) -> bool:
    field, op, limit = condition
    value = values.get(field)
    return value is not None and OPS[op](value, limit)


def classify(reading: dict, *, rules: dict | None = None) -> Result:
    """The class of one reading and the rule that gave it (the first rule of its kind that holds)."""
    rules = rules if rules is not None else active_rules()
    kind, values = values_of(reading, rules)
    for rule in rules["kinds"][kind]["rules"]:
        if not all(_holds(c, values) for c in rule.get("all", ())):
            continue
        if rule.get("any") and not any(_holds(c, values) for c in rule["any"]):
            continue
        return Result(rule["class"], rule["id"], rules["version"], rules.get("follow_up_days", {}).get(rule["class"]))
    return Result("", "", rules["version"])


def rule_text(rule_id: str, rules: dict | None = None) -> str:
    """The words of a rule (the specification's, in Chinese), for pages that show a class's reason."""
    for kind in (rules or file_rules())["kinds"].values():
        for rule in kind["rules"]:
            if rule["id"] == rule_id:
                return rule.get("text", "")
    return ""


# -- the active rule set ---------------------------------------------------------------------------
_cached: tuple[float, object] | None = None
_lock = threading.Lock()


def active_rule_set():
    """The active RuleSet; the shipped YAML becomes the first one when there is none."""
    from kangyang.health.models import RuleSet

    current = RuleSet.objects.filter(active=True).first()
    if current is not None:
        return current
    shipped = file_rules()
    try:
        with transaction.atomic():
            made, _created = RuleSet.objects.get_or_create(
                version=shipped["version"], defaults={"source": shipped["source"], "rules": shipped})
            if not RuleSet.objects.filter(active=True).exists():
                RuleSet.objects.filter(pk=made.pk).update(active=True)
    except IntegrityError:  # another process made or activated one at the same moment
        pass
    return RuleSet.objects.get(active=True)


def active_rules(*, max_age: float = CACHE_SECONDS):
    """The active set's rules, kept by the process for `max_age` seconds (the ingester classifies
    thousands of readings a second and must not ask the database for the rules each time)."""
    global _cached
    now = time.monotonic()
    with _lock:
        if _cached is None or now - _cached[0] > max_age:
            rule_set = active_rule_set()
            rules = dict(rule_set.rules)
            rules["version"] = rule_set.version
            rules["_pk"] = rule_set.pk
            _cached = (now, rules)
        return _cached[1]


def forget_cached_rules() -> None:
    """After a new rule set is published (and in tests)."""
    global _cached
    with _lock:
        _cached = None
