"""Classification of a reading by the follow-up rules (rules as data, versioned): the national
basic public-health service specification, third edition (国家基本公共卫生服务规范（第三版）,
2017), for hypertension and type 2 diabetes follow-up. The rules live in
kangyang/health/data/follow_up_rules.yaml (the first version) and in `RuleSet` rows (the active
one and every earlier one); every result names the rule that produced it.

Interface (other topics rely on it):
    classify(reading: dict, *, rules: dict | None = None) -> Result
        `reading` as in `kangyang health classify`: {"kind": "blood_pressure", "systolic": 150,
        "diastolic": 85, "age": 70} or {"kind": "fasting_glucose", "mmol_l": 7.0, "age": 70}
        (and the other ReadingKinds); raises InvalidReading(field, message) for a missing or
        impossible value. `rules` defaults to the active rule set's rules.
    active_rule_set() -> RuleSet        the active set (made from the YAML when none exists)
"""

import dataclasses


class InvalidReading(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclasses.dataclass(frozen=True)
class Result:
    classification: str  # models.Classification value: "urgent", "uncontrolled", "controlled", "" (no rule)
    rule: str  # the rule's id, e.g. "bp.urgent"
    rule_set: str = ""  # the version


def classify(reading: dict, *, rules: dict | None = None) -> Result:
    raise NotImplementedError  # the rules topic implements this


def active_rule_set():
    raise NotImplementedError  # the rules topic implements this
