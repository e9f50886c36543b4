"""The follow-up rules at every boundary (国家基本公共卫生服务规范 third edition, and the platform's
blood-oxygen and heart-rate rules), `kangyang health classify` in-process and as a real process,
and versioning: a new rule set changes later results, earlier ones keep their rule and set."""

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from kangyang.health import rules
from kangyang.health.actions.followups import publish_rule_set
from kangyang.health.models import RuleSet

SHIPPED = rules.file_rules()


def cls(reading: dict) -> tuple[str, str]:
    result = rules.classify(reading, rules=SHIPPED)
    return result.classification, result.rule


def bp(s, d, age=70):
    return cls({"kind": "blood_pressure", "systolic": s, "diastolic": d, "age": age})


# -- blood pressure --------------------------------------------------------------------------------
@pytest.mark.parametrize("age", [40, 64, 65, 90])
@pytest.mark.parametrize("s,d,expected", [
    (179, 109, None), (180, 80, "urgent"), (150, 110, "urgent"), (180, 110, "urgent"), (179, 110, "urgent"),
])
def test_bp_urgent_boundary_at_any_age(age, s, d, expected):
    got = bp(s, d, age)
    if expected:
        assert got == ("urgent", "bp.urgent")
    else:
        assert got[0] != "urgent"


@pytest.mark.parametrize("s,d,expected,rule", [
    (149, 89, "controlled", "bp.controlled.65plus"),
    (150, 89, "uncontrolled", "bp.uncontrolled.65plus"),
    (149, 90, "uncontrolled", "bp.uncontrolled.65plus"),
    (145, 85, "controlled", "bp.controlled.65plus"),  # above 140/90 but under the 65+ target
    (139, 89, "controlled", "bp.controlled.65plus"),
    (179, 109, "uncontrolled", "bp.uncontrolled.65plus"),
])
def test_bp_target_of_the_65_plus(s, d, expected, rule):
    assert bp(s, d, 65) == (expected, rule)


@pytest.mark.parametrize("s,d,expected,rule", [
    (139, 89, "controlled", "bp.controlled"),
    (140, 89, "uncontrolled", "bp.uncontrolled"),
    (139, 90, "uncontrolled", "bp.uncontrolled"),
    (140, 90, "uncontrolled", "bp.uncontrolled"),
    (145, 85, "uncontrolled", "bp.uncontrolled"),  # the same reading is controlled at 65
    (150, 89, "uncontrolled", "bp.uncontrolled"),
    (179, 109, "uncontrolled", "bp.uncontrolled"),
])
def test_bp_target_under_65(s, d, expected, rule):
    assert bp(s, d, 64) == (expected, rule)


def test_age_65_and_64_differ_for_the_same_reading():
    assert bp(145, 85, 64)[0] == "uncontrolled"
    assert bp(145, 85, 65)[0] == "controlled"


# -- glucose ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected,rule", [
    (0.5, "urgent", "glucose.urgent.low"), (3.9, "urgent", "glucose.urgent.low"),
    (4.0, "controlled", "glucose.controlled"), (6.9, "controlled", "glucose.controlled"),
    (7.0, "uncontrolled", "glucose.uncontrolled"), (16.6, "uncontrolled", "glucose.uncontrolled"),
    (16.7, "urgent", "glucose.urgent.high"), (60, "urgent", "glucose.urgent.high"),
])
def test_fasting_glucose_boundaries(value, expected, rule):
    assert cls({"kind": "fasting_glucose", "mmol_l": value, "age": 70}) == (expected, rule)


def test_fasting_glucose_needs_no_age():
    assert cls({"kind": "fasting_glucose", "mmol_l": 5.2}) == ("controlled", "glucose.controlled")


@pytest.mark.parametrize("value,expected", [(3.9, "urgent"), (4.0, ""), (16.6, ""), (16.7, "urgent")])
def test_glucose_after_a_meal_only_the_urgent_thresholds(value, expected):
    assert cls({"kind": "glucose", "mmol_l": value})[0] == expected


# -- blood oxygen and heart rate (platform rules) --------------------------------------------------
@pytest.mark.parametrize("value,expected", [(89, "urgent"), (90, "uncontrolled"), (93, "uncontrolled"),
                                            (94, "controlled"), (100, "controlled")])
def test_spo2_boundaries(value, expected):
    assert cls({"kind": "spo2", "percent": value})[0] == expected


@pytest.mark.parametrize("value,expected,rule", [
    (49, "uncontrolled", "hr.low"), (50, "controlled", "hr.normal"), (100, "controlled", "hr.normal"),
    (101, "uncontrolled", "hr.high"),
])
def test_heart_rate_boundaries(value, expected, rule):
    assert cls({"kind": "heart_rate", "bpm": value}) == (expected, rule)


# -- impossible values name the field --------------------------------------------------------------
@pytest.mark.parametrize("reading,field", [
    ({"kind": "blood_pressure", "systolic": 120, "diastolic": 120, "age": 70}, "diastolic"),
    ({"kind": "blood_pressure", "systolic": 120, "diastolic": 130, "age": 70}, "diastolic"),
    ({"kind": "blood_pressure", "systolic": 0, "diastolic": 80, "age": 70}, "systolic"),
    ({"kind": "blood_pressure", "systolic": 400, "diastolic": 80, "age": 70}, "systolic"),
    ({"kind": "blood_pressure", "systolic": -120, "diastolic": 80, "age": 70}, "systolic"),
    ({"kind": "blood_pressure", "systolic": "150", "diastolic": 80, "age": 70}, "systolic"),
    ({"kind": "blood_pressure", "systolic": True, "diastolic": 80, "age": 70}, "systolic"),
    ({"kind": "blood_pressure", "systolic": float("nan"), "diastolic": 80, "age": 70}, "systolic"),
    ({"kind": "blood_pressure", "systolic": float("inf"), "diastolic": 80, "age": 70}, "systolic"),
    ({"kind": "blood_pressure", "systolic": 10**400, "diastolic": 80, "age": 70}, "systolic"),
    ({"kind": "blood_pressure", "systolic": 150, "diastolic": 0, "age": 70}, "diastolic"),
    ({"kind": "blood_pressure", "systolic": 150, "age": 70}, "diastolic"),
    ({"kind": "blood_pressure", "systolic": 150, "diastolic": 85}, "age"),
    ({"kind": "blood_pressure", "systolic": 150, "diastolic": 85, "age": -1}, "age"),
    ({"kind": "blood_pressure", "systolic": 150, "diastolic": 85, "age": 200}, "age"),
    ({"kind": "blood_pressure", "systolic": 150, "diastolic": 85, "age": None}, "age"),
    ({"kind": "fasting_glucose", "mmol_l": 0, "age": 70}, "mmol_l"),
    ({"kind": "fasting_glucose", "mmol_l": 400, "age": 70}, "mmol_l"),
    ({"kind": "fasting_glucose", "mmol_l": [7], "age": 70}, "mmol_l"),
    ({"kind": "fasting_glucose", "age": 70}, "mmol_l"),
    ({"kind": "spo2", "percent": 101}, "percent"),
    ({"kind": "heart_rate", "bpm": False}, "bpm"),
    ({"kind": "pulse", "bpm": 80}, "kind"),
    ({"kind": None}, "kind"),
    ({}, "kind"),
])
def test_impossible_values_name_the_field(reading, field):
    with pytest.raises(rules.InvalidReading) as e:
        rules.classify(reading, rules=SHIPPED)
    assert e.value.field == field


def test_a_non_object_names_the_kind():
    with pytest.raises(rules.InvalidReading) as e:
        rules.classify([1, 2], rules=SHIPPED)
    assert e.value.field == "kind"


# -- the command -----------------------------------------------------------------------------------
def run(text: str, *args) -> dict:
    out = io.StringIO()
    call_command("health", "classify", *args, stdin=io.StringIO(text), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_command_classifies_and_names_the_rule_and_set():
    rules.forget_cached_rules()
    assert not RuleSet.objects.exists()  # a fresh database: the first set is made from the YAML
    got = run('{"kind": "blood_pressure", "systolic": 150, "diastolic": 85, "age": 70}')
    assert got["class"] == "uncontrolled" and got["rule"] == "bp.uncontrolled.65plus"
    assert got["rule_set"] == SHIPPED["version"] and got["text"]
    assert RuleSet.objects.get(active=True).version == SHIPPED["version"]
    assert run('{"kind": "fasting_glucose", "mmol_l": 7.0, "age": 70}')["class"] == "uncontrolled"
    assert run('{"kind": "fasting_glucose", "mmol_l": 3.9}', "--shipped")["rule"] == "glucose.urgent.low"


@pytest.mark.django_db
@pytest.mark.parametrize("text,field", [
    ('{"kind": "blood_pressure", "systolic": 150, "diastolic": 85}', "age"),
    ('{"kind": "blood_pressure", "systolic": 150, "diastolic": 160, "age": 70}', "diastolic"),
    ('{"kind": "blood_pressure", "systolic": "high", "diastolic": 85, "age": 70}', "systolic"),
    ('{"kind": "blood_pressure", "systolic": NaN, "diastolic": 85, "age": 70}', "systolic"),
    ('{"kind": "weight", "kg": 70}', "kind"),
    ('{"kind": "glucose", "mmol_l": 6.0}', "kind"),
    ('{"kind": "blood_pressure", ', "stdin"),
    ('[{"kind": "spo2", "percent": 95}]', "stdin"),
    ('"spo2"', "stdin"),
    ('{"kind": "spo2", "percent": 95}\x00', "stdin"),
    ("", "stdin"),
])
def test_command_refuses_naming_the_field(text, field):
    rules.forget_cached_rules()
    with pytest.raises(CommandError) as e:
        run(text)
    assert e.value.returncode == 1
    assert str(e.value).startswith(f"{field}: ")


ROOT = Path(__file__).resolve().parents[3]


def _subprocess(text: str, env_extra: dict | None = None, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "kangyang", "health", "classify", *args], input=text.encode(),
                          capture_output=True, env=env, cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def unmigrated_db(tmp_path_factory):
    """A database with no tables: the command uses the shipped rules."""
    return {"DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'empty.sqlite3'}"}


def test_python_m_kangyang_health_classify(unmigrated_db):
    done = _subprocess('{"kind": "blood_pressure", "systolic": 180, "diastolic": 85, "age": 70}', unmigrated_db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"class": "urgent", "rule": "bp.urgent", "rule_set": SHIPPED["version"],
                                       "text": rules.rule_text("bp.urgent")}
    refused = _subprocess('{"kind": "blood_pressure", "systolic": 150, "diastolic": 85}', unmigrated_db)
    assert refused.returncode != 0 and refused.stdout == b""
    assert b"age:" in refused.stderr
    chinese = _subprocess('{"kind": "weight", "kg": 70}', unmigrated_db, "--language", "zh-hans")
    assert chinese.returncode != 0 and b"kind:" in chinese.stderr


# -- versioning ------------------------------------------------------------------------------------
def stricter() -> dict:
    new = copy.deepcopy(SHIPPED)
    for rule in new["kinds"]["blood_pressure"]["rules"]:
        if rule["id"] == "bp.uncontrolled.65plus":
            rule["id"] = "bp.uncontrolled.65plus.v2"
            rule["any"] = [["systolic", ">=", 140], ["diastolic", ">=", 90]]
            rule["text"] = "≥65岁：血压未降至140/90mmHg以下"
    return new


@pytest.mark.django_db
@pytest.mark.parametrize("change,needle", [
    (lambda r: r["kinds"]["spo2"]["rules"][0].__setitem__("all", [["percent", "=<", 90]]), "=<"),
    (lambda r: r["kinds"]["spo2"]["rules"][0].__setitem__("class", "bad"), "bad"),
    (lambda r: r["kinds"]["spo2"]["rules"][0].__setitem__("all", [["pulse", "<", 90]]), "pulse"),
    (lambda r: r["kinds"]["spo2"]["rules"][0].__setitem__("all", [["percent", "<", "90"]]), "spo2.urgent"),
    (lambda r: r["kinds"]["spo2"]["rules"][0].__setitem__("when", "now"), "spo2"),
    (lambda r: r["follow_up_days"].__setitem__("later", 5), "later"),
    (lambda r: r["follow_up_days"].__setitem__("urgent", 0), "urgent"),
    (lambda r: r["kinds"]["spo2"]["fields"]["percent"].__setitem__("min", 200), "percent"),
    (lambda r: r.pop("kinds"), "kinds"),
])
def test_publish_refuses_a_misshapen_rule_set(change, needle):
    bad = copy.deepcopy(SHIPPED)
    change(bad)
    with pytest.raises(ValidationError) as e:
        publish_rule_set(bad, version="bad.1", source="test")
    assert "rules" in e.value.message_dict and needle in e.value.message_dict["rules"][0]
    assert not RuleSet.objects.filter(version="bad.1").exists()


@pytest.mark.django_db
def test_a_new_rule_set_changes_later_results_not_earlier_ones():
    rules.forget_cached_rules()
    first = rules.active_rule_set()
    reading = {"kind": "blood_pressure", "systolic": 145, "diastolic": 85, "age": 70}
    before = rules.classify(reading)
    assert (before.classification, before.rule, before.rule_set) == ("controlled", "bp.controlled.65plus",
                                                                     first.version)
    published = publish_rule_set(stricter(), version="bureau-2027.1", source="区卫健局 2027", by=None)
    assert published.active and not RuleSet.objects.get(pk=first.pk).active
    after = rules.classify(reading)  # the cache was forgotten: no 30 s wait
    assert (after.classification, after.rule, after.rule_set) == ("uncontrolled", "bp.uncontrolled.65plus.v2",
                                                                  "bureau-2027.1")
    assert rules.rule_text("bp.uncontrolled.65plus.v2", published.rules).startswith("≥65岁")
    assert json.loads(_call('{"kind": "blood_pressure", "systolic": 145, "diastolic": 85, "age": 70}'))[
        "rule_set"] == "bureau-2027.1"
    with pytest.raises(ValidationError):
        publish_rule_set(stricter(), version="bureau-2027.1", source="again")


def _call(text: str) -> str:
    out = io.StringIO()
    call_command("health", "classify", stdin=io.StringIO(text), stdout=out)
    return out.getvalue()
