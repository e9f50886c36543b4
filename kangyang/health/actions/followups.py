"""Writes of the health app's followups topic: publishing a new version of the follow-up rules,
and recording a follow-up of an elder's hypertension or type 2 diabetes (classified by the active
rules with the elder's age on the day; the class names its rule and rule set, and sets when the
next follow-up is due)."""

import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.health import rules as health_rules
from kangyang.health.models import Classification, Condition, FollowUp, RuleSet
from kangyang.health.models.records import Programme
from kangyang.health.actions import audit_read as health_audit_read
from kangyang.health.actions.contracts import team_of

CLASSES = ("urgent", "uncontrolled", "controlled")
RULE_KEYS = {"id", "class", "source", "text", "all", "any"}
FIELD_KEYS = {"min", "max", "unit", "required"}
# The worst class first: a follow-up with several readings takes the worst one's class.
# Which reading of a follow-up its programme needs, and the follow-up's field for each rule field.
PROGRAMME_READING = {Programme.HYPERTENSION: "blood_pressure", Programme.DIABETES: "fasting_glucose"}
READING_FIELDS = {
    "blood_pressure": {"systolic": "systolic", "diastolic": "diastolic"},
    "fasting_glucose": {"mmol_l": "fasting_glucose"},
    "heart_rate": {"bpm": "heart_rate"},
}


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# -- rule sets ---------------------------------------------------------------------------------------
RULE_ID_MAX = 60  # Reading.rule and FollowUp.rule keep the id


def check_rules(rules) -> None:
    """Refuse a rule set whose structure the classifier cannot use: unknown kinds' fields in
    conditions, unknown operators or classes, misshapen fields. ValidationError on `rules`."""

    def bad(message: str, **where) -> ValidationError:
        return _invalid("rules", (message % where) if where else message)

    if not isinstance(rules, dict) or not isinstance(rules.get("kinds"), dict) or not rules["kinds"]:
        raise bad(_("The rules must be an object with the kinds of reading under “kinds”."))
    days = rules.get("follow_up_days", {})
    if not isinstance(days, dict):
        raise bad(_("“follow_up_days” must give a number of days for each class."))
    for cls, n in days.items():
        if cls not in CLASSES:
            raise bad(_("Unknown class “%(cls)s”."), cls=cls)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 366:
            raise bad(_("The days until the next follow-up after “%(cls)s” must be from 1 to 366."), cls=cls)
    ids = set()
    for kind, spec in rules["kinds"].items():
        if not isinstance(kind, str) or not isinstance(spec, dict) or not isinstance(spec.get("fields"), dict) \
                or not spec["fields"] or not isinstance(spec.get("rules", []), list):
            raise bad(_("The kind “%(kind)s” must list its fields and its rules."), kind=kind)
        for name, field in spec["fields"].items():
            if not isinstance(field, dict) or set(field) - FIELD_KEYS or not _is_number(field.get("min")) \
                    or not _is_number(field.get("max")) or field["min"] >= field["max"]:
                raise bad(_("The field “%(field)s” of “%(kind)s” must give min and max (min below max)."),
                          field=name, kind=kind)
        if kind == "blood_pressure" and not {"systolic", "diastolic"} <= set(spec["fields"]):
            raise bad(_("Blood pressure needs the fields systolic and diastolic."))
        for rule in spec.get("rules", []):
            if not isinstance(rule, dict) or set(rule) - RULE_KEYS or not isinstance(rule.get("id"), str) \
                    or not 0 < len(rule["id"]) <= RULE_ID_MAX or not isinstance(rule.get("text", ""), str):
                raise bad(_("Each rule of “%(kind)s” needs an id and may have only: %(keys)s."),
                          kind=kind, keys=", ".join(sorted(RULE_KEYS)))
            if rule["id"] in ids and health_rules.rule_text(rule["id"], rules) != rule.get("text", ""):
                raise bad(_("The rule id “%(id)s” is used twice with different words."), id=rule["id"])
            ids.add(rule["id"])
            if rule.get("class") not in CLASSES:
                raise bad(_("Unknown class “%(cls)s” in the rule “%(id)s”."), cls=rule.get("class"), id=rule["id"])
            for key in ("all", "any"):
                conditions = rule.get(key, [])
                if not isinstance(conditions, list):
                    raise bad(_("“%(key)s” of the rule “%(id)s” must be a list of conditions."), key=key, id=rule["id"])
                for condition in conditions:
                    if not isinstance(condition, list) or len(condition) != 3:
                        raise bad(_("A condition of the rule “%(id)s” must be [field, operator, number]."),
                                  id=rule["id"])
                    field, op, limit = condition
                    if field not in spec["fields"]:
                        raise bad(_("The rule “%(id)s” names an unknown field “%(field)s”."), id=rule["id"],
                                  field=field)
                    if op not in health_rules.OPS:
                        raise bad(_("The rule “%(id)s” uses an unknown operator “%(op)s”."), id=rule["id"], op=op)
                    if not _is_number(limit):
                        raise bad(_("A condition of the rule “%(id)s” must compare with a number."), id=rule["id"])


def publish_rule_set(rules: dict, *, version: str, source: str, by=None) -> RuleSet:
    """Make `rules` the active version: checked (check_rules), stored as a new RuleSet, the one
    before deactivated (it stays, with every result it gave), the process's cache forgotten.
    Follow-ups and readings classified before keep their rule set and rule."""
    version = (version or "").strip()
    if not version or len(version) > 30 or "\x00" in version:
        raise _invalid("version", _("Give a version of at most 30 characters."))
    if not isinstance(source, str) or not source.strip() or "\x00" in source:
        raise _invalid("source", _("Say where the rules come from."))
    check_rules(rules)
    if RuleSet.objects.filter(version=version).exists():
        raise _invalid("version", _("This version has already been published."), "duplicate")
    stored = {**rules, "version": version, "source": source}
    stored.pop("_pk", None)
    with transaction.atomic():
        RuleSet.objects.filter(active=True).update(active=False)
        rule_set = RuleSet.objects.create(version=version, source=source, rules=stored, active=True)
        record(by, AuditEntry.Action.CREATE, rule_set, verb="health.rule_set.publish", note=version)
    transaction.on_commit(health_rules.forget_cached_rules)
    health_rules.forget_cached_rules()
    return rule_set


# -- follow-ups --------------------------------------------------------------------------------------
def programmes_of(elder) -> set[str]:
    """The follow-up programmes the elder is on (through her coded conditions)."""
    return set(Condition.objects.filter(elder=elder).exclude(programme="").values_list("programme", flat=True))


def classify_values(values: dict, *, age: int, programme: str, rules: dict) -> health_rules.Result:
    """The class of a follow-up: its programme's own reading decides (blood pressure for
    hypertension, fasting glucose for diabetes, as the specification assesses control); another
    reading given only makes it urgent (a blood pressure of 180/110 in a diabetes follow-up is an
    urgent referral, a glucose above target in a hypertension follow-up is not "not controlled").
    `values` uses the follow-up's field names; InvalidReading names the follow-up's field."""
    main = PROGRAMME_READING[programme]
    results = []
    for kind in [main] + [k for k in READING_FIELDS if k != main]:
        fields = READING_FIELDS[kind]
        given = {rule_field: values.get(ours) for rule_field, ours in fields.items()}
        if kind != main and all(v is None for v in given.values()):
            continue
        reading = {"kind": kind, "age": age}
        for rule_field, value in given.items():
            if value is not None:
                reading[rule_field] = float(value) if isinstance(value, Decimal) else value
        try:
            result = health_rules.classify(reading, rules=rules)
        except health_rules.InvalidReading as e:
            raise _invalid(fields.get(e.field, e.field), e.message) from None
        results.append(result)
    own, others = results[0], [r for r in results[1:] if r.classification == Classification.URGENT]
    return others[0] if own.classification != Classification.URGENT and others else own


def record_follow_up(elder, *, by, programme: str, followed_on: dt.date, mode: str = FollowUp.Mode.CLINIC,
                     systolic=None, diastolic=None, heart_rate=None, fasting_glucose=None, weight_kg=None,
                     symptoms: str = "", advice: str = "") -> FollowUp:
    """Record one follow-up by the elder's family-doctor team. Refused (ValidationError naming
    the field) for a programme the elder is not on, a day in the future or before her birth, a
    missing reading of the programme, an impossible value."""
    if not scope.writes_health(by, elder):
        raise PermissionDenied(_("Only the elder's family-doctor team records her follow-ups."))
    if programme not in Programme.values:
        raise _invalid("programme", _("Choose hypertension or type 2 diabetes."))
    if programme not in programmes_of(elder):
        raise _invalid("programme", _("%(name)s has no recorded condition of this programme: record the "
                                      "diagnosis first.") % {"name": elder.name}, "not_on_programme")
    if not isinstance(followed_on, dt.date):
        raise _invalid("followed_on", _("Give a date as YYYY-MM-DD."))
    if followed_on > timezone.localdate():
        raise _invalid("followed_on", _("A follow-up cannot be in the future."))
    if followed_on < elder.birth_date:
        raise _invalid("followed_on", _("This day is before the elder's birth."))
    if mode not in FollowUp.Mode.values:
        raise _invalid("mode", _("Choose how the follow-up was made."))
    for field, value in (("symptoms", symptoms), ("advice", advice)):
        if not isinstance(value, str) or "\x00" in value or len(value) > 4000:
            raise _invalid(field, _("Give text of at most 4000 characters."))
    if weight_kg is not None and not (isinstance(weight_kg, (int, float, Decimal)) and not isinstance(weight_kg, bool)
                                      and 10 <= weight_kg <= 300):
        raise _invalid("weight_kg", _("Give a weight from 10 to 300 kg."))
    values = {"systolic": systolic, "diastolic": diastolic, "heart_rate": heart_rate, "fasting_glucose": fasting_glucose}
    rules = health_rules.active_rules()
    result = classify_values(values, age=elder.age(followed_on), programme=programme, rules=rules)
    days = result.follow_up_days
    follow_up = FollowUp.objects.create(
        elder=elder, programme=programme, followed_on=followed_on, mode=mode, team=team_of(by, elder, followed_on),
        systolic=systolic, diastolic=diastolic, heart_rate=heart_rate,
        fasting_glucose=None if fasting_glucose is None else Decimal(str(fasting_glucose)).quantize(Decimal("0.1")),
        weight_kg=None if weight_kg is None else Decimal(str(weight_kg)).quantize(Decimal("0.1")),
        symptoms=symptoms, advice=advice, classification=result.classification, rule=result.rule,
        rule_set_id=rules.get("_pk") or RuleSet.objects.get(version=result.rule_set).pk,
        next_due_on=followed_on + dt.timedelta(days=days) if days else None, recorded_by=by,
    )
    record(by, AuditEntry.Action.CREATE, follow_up, verb="health.follow_up.record", region_code=elder.region_code)
    return follow_up


def is_urgent(follow_up: FollowUp) -> bool:
    return follow_up.classification == Classification.URGENT


def audit_read(user, verb: str, elder=None, *, note: str = "") -> None:
    """A staff read of elders' follow-ups (a list, or one elder's)."""
    health_audit_read(user, elder, verb=verb, note=note)