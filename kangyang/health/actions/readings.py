"""Writes of the health app's readings topic: readings from home devices, stored through the
alarms' ingestion (authenticated devices, one transaction per batch, acknowledged after the
commit, a `msg_id` stored once). Readings entered by hand: actions/reviews.enter_reading.

    kangyang/devices/{device_id}/reading   (QoS 1; or the webhook's event "reading")
    {"msg_id": "bp-000123", "ts": "2026-12-05T07:30:00+08:00", "kind": "blood_pressure",
     "systolic_mmhg": 152, "diastolic_mmhg": 91, "pulse_bpm": 72, "battery": 80}

One flat JSON object, the unit in each value's name (README "Health: readings from home
devices"). The fields of each kind (others are ignored):

    blood_pressure   systolic_mmhg, diastolic_mmhg (integers; diastolic < systolic), pulse_bpm?
    fasting_glucose  glucose_mmol_l        glucose (not fasting)  glucose_mmol_l
    spo2             spo2_percent, pulse_bpm?
    heart_rate       heart_rate_bpm        weight  weight_kg

Ranges are the follow-up rules' (kangyang/health/data/follow_up_rules.yaml): systolic 40–300,
diastolic 20–200 mmHg, glucose 0.5–60 mmol/L, SpO₂ 50–100 %, heart rate 20–250 /min, weight
10–300 kg. A missing or impossible value refuses the reading (a BadMessage "invalid" naming the
field); an impossible optional pulse or battery is dropped and the reading kept.

Who may send what: the device must be bound to an elder (a household's device measures nobody
in particular), and its kind must measure the reading's kind (`MEASURES`): a blood-pressure meter
blood pressure, a glucose meter glucose, an oximeter SpO₂ and heart rate, a scale weight, a watch
heart rate and SpO₂. Anything else is refused with its reason. A reading in the device's future
(a clock ahead) is stored at the time it arrived.
"""

import datetime as dt
import json
from typing import Annotated, Any, Literal

from django.db import connection
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from kangyang.alarms.ingest import DeviceMessage, Lenient, Outcome
from kangyang.alarms.models import BadMessage
from kangyang.health import rules as follow_up_rules
from kangyang.health.actions.alerts import raise_alerts
from kangyang.health.models import Reading, ReadingKind
from kangyang.registry.models import Elder

MEASURES: dict[str, frozenset[str]] = {
    "bp_meter": frozenset({"blood_pressure"}),
    "glucose_meter": frozenset({"fasting_glucose", "glucose"}),
    "oximeter": frozenset({"spo2", "heart_rate"}),
    "scale": frozenset({"weight"}),
    "watch": frozenset({"heart_rate", "spo2"}),
}
# payload field → the rules' field, per kind (the required values of each kind)
RULE_FIELDS: dict[str, dict[str, str]] = {
    "blood_pressure": {"systolic_mmhg": "systolic", "diastolic_mmhg": "diastolic"},
    "fasting_glucose": {"glucose_mmol_l": "mmol_l"},
    "glucose": {"glucose_mmol_l": "mmol_l"},
    "spo2": {"spo2_percent": "percent"},
    "heart_rate": {"heart_rate_bpm": "bpm"},
    "weight": {"weight_kg": "kg"},
}
# payload field → Reading column
COLUMNS = {"systolic_mmhg": "systolic", "diastolic_mmhg": "diastolic", "pulse_bpm": "pulse",
           "glucose_mmol_l": "glucose", "spo2_percent": "spo2", "heart_rate_bpm": "pulse", "weight_kg": "weight_kg"}
EXTRA_FIELDS = {"blood_pressure": ("pulse_bpm",), "spo2": ("pulse_bpm",)}  # optional values kept
VALUE_FIELDS = tuple(COLUMNS)


class ReadingPayload(BaseModel):
    """The payload of `kangyang/devices/{id}/reading` (see the module docstring)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    msg_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")
    ts: Any = None  # checked by the ingestion (RFC 3339 with an offset)
    kind: Literal[tuple(ReadingKind.values)]  # type: ignore[valid-type]
    systolic_mmhg: int | None = None
    diastolic_mmhg: int | None = None
    pulse_bpm: Annotated[int | None, Field(ge=20, le=250), Lenient] = None
    glucose_mmol_l: float | None = None
    spo2_percent: int | None = None
    heart_rate_bpm: int | None = None
    weight_kg: float | None = None
    battery: Annotated[int | None, Field(ge=0, le=100), Lenient] = None


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _measured(kind: str, values: dict, *, age: int | None, rules: dict) -> dict:
    """The Reading columns of one measurement, classified; InvalidReading naming the payload's
    field when a value is missing or impossible."""
    fields = RULE_FIELDS[kind]
    reading = {rule_name: values.get(name) for name, rule_name in fields.items()}
    reading["kind"] = kind
    if age is not None:
        reading["age"] = min(max(age, 0), 130)
    try:
        result = follow_up_rules.classify(reading, rules=rules)
    except follow_up_rules.InvalidReading as e:
        back = {v: k for k, v in fields.items()}
        raise follow_up_rules.InvalidReading(back.get(e.field, e.field), e.message) from None
    row = {COLUMNS[name]: values[name] for name in fields}
    for name in EXTRA_FIELDS.get(kind, ()):
        if values.get(name) is not None:
            row[COLUMNS[name]] = values[name]
    row.update(classification=result.classification, rule=result.rule, rule_set_id=rules.get("_pk"))
    return row


# -- from devices ------------------------------------------------------------------------------
def store_readings(messages: list[DeviceMessage], now: dt.datetime) -> list[Outcome]:
    """The ingestion's handler of "reading" messages (kangyang/alarms/ingest.py calls it inside
    the batch's transaction): each checked, classified with the elder's age on the day it was
    measured, inserted once per (device, msg_id), and every new urgent one raises a health alert.
    One Outcome per message: "reading" (stored, `record_id`), "duplicate", or "bad"."""
    rules = follow_up_rules.active_rules()
    tz = timezone.get_current_timezone()
    elder_ids = {m.device.elder_id for m in messages if m.device.elder_id is not None}
    births = dict(Elder.objects.filter(pk__in=elder_ids).values_list("pk", "birth_date")) if elder_ids else {}
    outcomes: list[Outcome | None] = [None] * len(messages)
    rows: list[tuple[int, dict]] = []
    seen: set[tuple[int, str]] = set()
    for i, m in enumerate(messages):
        data: ReadingPayload = m.data  # type: ignore[assignment]
        if m.device.elder_id is None or m.device.elder_id not in births:
            outcomes[i] = Outcome("bad", reason=BadMessage.Reason.INVALID, detail="device not bound to an elder")
            continue
        if data.kind not in MEASURES.get(m.device_kind, ()):
            outcomes[i] = Outcome("bad", reason=BadMessage.Reason.INVALID,
                                  detail=f"a {m.device_kind} does not measure {data.kind}")
            continue
        measured_at = min(m.ts, now)
        values = {name: getattr(data, name) for name in VALUE_FIELDS}
        try:
            row = _measured(data.kind, values, age=_age(births[m.device.elder_id],
                                                        measured_at.astimezone(tz).date()), rules=rules)
        except follow_up_rules.InvalidReading as e:
            outcomes[i] = Outcome("bad", reason=BadMessage.Reason.INVALID, detail=f"invalid: {e.field}")
            continue
        key = (m.device.pk, data.msg_id)
        if key in seen:  # the same message twice in one batch
            outcomes[i] = Outcome("duplicate")
            continue
        seen.add(key)
        row.update(elder_id=m.device.elder_id, device_id=m.device.pk, msg_id=data.msg_id, kind=data.kind,
                   measured_at=measured_at, received_at=now)
        rows.append((i, row))

    stored = _insert_once([row for _i, row in rows])  # (device pk, msg_id) → pk of the new rows
    urgent = []
    for i, row in rows:
        pk = stored.get((row["device_id"], row["msg_id"]))
        outcomes[i] = Outcome("reading", record_id=pk) if pk is not None else Outcome("duplicate")
        if pk is not None and row["classification"] == "urgent":
            urgent.append(pk)
    if urgent:
        raise_alerts(list(Reading.objects.filter(pk__in=urgent).select_related("elder")), now=now)
    return outcomes  # type: ignore[return-value]


_INSERTED = ("elder_id", "device_id", "msg_id", "kind", "measured_at", "received_at", "systolic", "diastolic",
             "pulse", "glucose", "spo2", "weight_kg", "classification", "rule", "rule_set_id")


def _iso(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _insert_once(rows: list[dict]) -> dict[tuple[int, str], int]:
    """Insert the rows whose (device, msg_id) is not stored yet; the pks of those inserted."""
    if not rows:
        return {}
    if connection.vendor == "postgresql":
        # One statement with one parameter however many rows (the batch as a JSON array, which
        # PostgreSQL turns into rows: far cheaper to send than a placeholder or an array per
        # column); a message stored before, or by another ingester at the same moment, inserts
        # nothing and returns nothing.
        table = Reading._meta.db_table
        columns = ", ".join(_INSERTED)
        sql = (f"INSERT INTO {table} ({columns}) SELECT {columns} "
               f"FROM json_populate_recordset(NULL::{table}, %s::json) "
               f"ON CONFLICT (device_id, msg_id) WHERE device_id IS NOT NULL DO NOTHING "
               f"RETURNING id, device_id, msg_id")
        batch = json.dumps([{c: r.get(c) for c in _INSERTED} for r in rows], default=_iso)
        with connection.cursor() as cursor:
            cursor.execute(sql, [batch])
            return {(device, msg): pk for pk, device, msg in cursor.fetchall()}
    # Elsewhere (SQLite, one writer): leave out what is stored; a race ends in IntegrityError,
    # and the ingestion retries the batch message by message.
    have = set(Reading.objects.filter(device_id__in={r["device_id"] for r in rows},
                                      msg_id__in={r["msg_id"] for r in rows}).values_list("device_id", "msg_id"))
    new = [Reading(**r) for r in rows if (r["device_id"], r["msg_id"]) not in have]
    Reading.objects.bulk_create(new)
    return {(r.device_id, r.msg_id): r.pk for r in new}
