"""The team's side of readings (the ingestion of devices' readings is actions/readings.py):
marking "readings to look at" looked at, and a reading entered by hand (by the elder's team, or
by the elder or her family in the app), classified by the follow-up rules (kangyang.health.rules)
and raising an alert when urgent, as a device's would."""

import datetime as dt
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.health import rules
from kangyang.health.actions.alerts import raise_alerts
from kangyang.health.models import Reading, RuleSet
from kangyang.health.models.readings import ReadingKind

K = ReadingKind
# The values each kind needs, with their plausible bounds (a typo, not a reading, outside them).
FIELDS = {
    K.BLOOD_PRESSURE: {"systolic": (40, 300), "diastolic": (20, 200)},
    K.FASTING_GLUCOSE: {"glucose": (0.5, 50.0)},
    K.GLUCOSE: {"glucose": (0.5, 50.0)},
    K.SPO2: {"spo2": (50, 100)},
    K.HEART_RATE: {"pulse": (20, 250)},
    K.WEIGHT: {"weight_kg": (10.0, 300.0)},
}
OPTIONAL = {K.BLOOD_PRESSURE: {"pulse": (20, 250)}, K.SPO2: {"pulse": (20, 250)}}
INTEGER = {"systolic", "diastolic", "pulse", "spo2"}
ALL_VALUES = ("systolic", "diastolic", "pulse", "glucose", "spo2", "weight_kg")


@transaction.atomic
def mark_reviewed(readings, by, *, now: dt.datetime | None = None) -> int:
    """Mark the readings looked at by `by` (those of elders whose readings she may review, not
    looked at yet); returns how many were marked. Each audited."""
    now = now or timezone.now()
    marked = 0
    allowed: dict[int, bool] = {}
    for reading in readings:
        if reading.elder_id not in allowed:
            allowed[reading.elder_id] = scope.reviews_readings(by, reading.elder)
        if not allowed[reading.elder_id]:
            continue
        if Reading.objects.filter(pk=reading.pk, reviewed_at__isnull=True).update(reviewed_at=now, reviewed_by=by):
            reading.reviewed_at, reading.reviewed_by = now, by
            record(by, AuditEntry.Action.CHANGE, reading.elder, verb="reading.review",
                   changes={"reviewed": [None, reading.pk]})
            marked += 1
    return marked


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def clean_values(kind: str, values: dict) -> dict:
    """The values of a reading of `kind`, checked: numbers, within bounds, the ones its kind
    needs present and the others absent."""
    if kind not in K.values:
        raise _invalid("kind", _("Choose a kind of reading."))
    needed, optional = FIELDS[K(kind)], OPTIONAL.get(K(kind), {})
    clean = {}
    for name in ALL_VALUES:
        value = values.get(name)
        if value in (None, ""):
            if name in needed:
                raise _invalid(name, _("This value is needed for this kind of reading."), "required")
            continue
        if name not in needed and name not in optional:
            raise _invalid(name, _("This value does not belong to this kind of reading."))
        if isinstance(value, bool):
            raise _invalid(name, _("Give a number."))
        try:
            number = float(value) if not isinstance(value, (int, float)) else value
        except (TypeError, ValueError, OverflowError):
            raise _invalid(name, _("Give a number.")) from None
        if isinstance(number, float) and not math.isfinite(number):
            raise _invalid(name, _("Give a number."))
        low, high = {**needed, **optional}[name]
        if not low <= number <= high:
            raise _invalid(name, _("Give a value from %(low)s to %(high)s.") % {"low": low, "high": high}, "range")
        if name in INTEGER:
            if number != int(number):
                raise _invalid(name, _("Give a whole number."))
            number = int(number)
        else:
            number = round(float(number), 1)
        clean[name] = number
    if kind == K.BLOOD_PRESSURE and clean["diastolic"] >= clean["systolic"]:
        raise _invalid("diastolic", _("The diastolic pressure is below the systolic."))
    return clean


def classify_input(kind: str, values: dict, *, age: int) -> dict:
    """The reading as `rules.classify` takes it (the `kangyang health classify` form)."""
    if kind == K.BLOOD_PRESSURE:
        return {"kind": kind, "systolic": values["systolic"], "diastolic": values["diastolic"], "age": age}
    if kind in (K.FASTING_GLUCOSE, K.GLUCOSE):
        return {"kind": kind, "mmol_l": values["glucose"], "age": age}
    if kind == K.SPO2:
        return {"kind": kind, "percent": values["spo2"], "age": age}
    if kind == K.HEART_RATE:
        return {"kind": kind, "bpm": values["pulse"], "age": age}
    return {"kind": kind, "kg": values["weight_kg"]}


def _classify(kind: str, values: dict, age: int) -> tuple[str, str, RuleSet | None]:
    try:
        result = rules.classify(classify_input(kind, values, age=age))
    except rules.InvalidReading as e:
        field = {"mmol_l": "glucose", "percent": "spo2", "bpm": "pulse", "kg": "weight_kg"}.get(e.field, e.field)
        raise _invalid(field if field in ALL_VALUES else "kind", e.message) from None
    rule_set = RuleSet.objects.filter(version=result.rule_set).first() if result.rule_set else None
    return result.classification, result.rule, rule_set


@transaction.atomic
def enter_reading(elder, *, by, kind: str, measured_at: dt.datetime, values: dict,
                  now: dt.datetime | None = None) -> Reading:
    """A reading entered by hand: checked, classified, stored; an urgent one raises its alert."""
    if not scope.enters_readings(by, elder):
        raise PermissionDenied(_("Only the elder's family-doctor team, the elder and her family enter her readings."))
    now = now or timezone.now()
    if measured_at.tzinfo is None:
        raise _invalid("measured_at", _("Give the time with its offset."))
    if measured_at > now + dt.timedelta(minutes=5):
        raise _invalid("measured_at", _("The reading cannot be measured in the future."))
    if measured_at < now - dt.timedelta(days=365):
        raise _invalid("measured_at", _("Readings older than a year are not entered."))
    clean = clean_values(kind, values)
    classification, rule, rule_set = _classify(kind, clean, elder.age(timezone.localdate(measured_at)))
    reading = Reading.objects.create(elder=elder, kind=kind, measured_at=measured_at, received_at=now,
                                     classification=classification, rule=rule[:60], rule_set=rule_set, **clean)
    record(by, AuditEntry.Action.CREATE, elder, verb="reading.enter",
           changes={"kind": [None, kind]})
    raise_alerts([reading], now=now)
    return reading
