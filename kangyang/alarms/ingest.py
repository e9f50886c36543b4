"""Device messages in: topics and payloads of CONTRACTS.md "Devices (MQTT)", validated, and
turned into alarms and heartbeats. No MQTT client code here (that is in the `ingest`
command), so tests, the webhook and the command all call the same functions.

    kangyang/devices/{device_id}/alarm      {"msg_id", "type", "ts", "lat"?, "lng"?, "coord"?, "battery"?}
    kangyang/devices/{device_id}/heartbeat  {"ts", "battery"?, "reading"?}
    kangyang/devices/{device_id}/<kind>     a kind another app registers (`register_kind`), e.g.
                                            "reading" (kangyang/health: readings of home meters)

("kangyang" is KANGYANG_MQTT_TOPIC_PREFIX.) Apps depend downwards: the alarms app knows
nothing of the apps that register kinds; they register in their AppConfig.ready().

Rules:

* Bad input never raises. A message with an unknown topic, no JSON object, a missing or
  invalid required field (msg_id, type, ts), an unknown type, a time that is not RFC 3339
  with an offset, or an unknown device is logged (device id and reason only, no payload:
  it may hold a location), counted in `counts`, and stored as a BadMessage for review.
* Optional fields that are invalid (battery 250, a latitude of 200, an unknown coordinate
  system) are dropped with a warning, and the alarm is still raised: an SOS is never lost
  for a bad battery reading. The same holds for a device clock that is far off: `raised_at`
  keeps what the device said; response times are measured from `received_at`.
* Coordinates are converted to WGS-84 (kangyang.lib.coords).
* Everything of a call is committed before it returns, so the caller may acknowledge
  (PUBACK) every message it passed in once the call returns. A database that is down is
  not bad input: OperationalError / InterfaceError propagate, nothing is committed, and
  the caller must not acknowledge (the broker redelivers; msg_id makes that harmless).
"""

import dataclasses
import datetime as dt
import functools
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WrapValidator

from kangyang.alarms.actions.bad_messages import bad_message, store_bad_message
from kangyang.alarms.actions.devices import DEVICE_ID_PATTERN, Beat, record_heartbeats
from kangyang.alarms.actions.raising import DeviceAlarm, DeviceRef, raise_device_alarms
from kangyang.alarms.models import BadMessage, Device
from kangyang.lib import coords

log = logging.getLogger(__name__)

KINDS = ("alarm", "heartbeat")


def kinds() -> tuple[str, ...]:
    """The message kinds (the topics' last level): alarm, heartbeat and the registered ones."""
    return KINDS + tuple(_registered)


def topic_pattern(prefix: str | None = None) -> re.Pattern:
    """PREFIX/devices/{device_id}/alarm|heartbeat|<registered> (KANGYANG_MQTT_TOPIC_PREFIX, "kangyang")."""
    return _topic_pattern(settings.MQTT_TOPIC_PREFIX if prefix is None else prefix, kinds())


@functools.lru_cache(maxsize=16)
def _topic_pattern(prefix: str, names: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(k) for k in names)
    return re.compile(rf"^{re.escape(prefix)}/devices/([^/+#]{{1,64}})/({alternatives})$")


def subscriptions(*, prefix: str | None = None, shared_group: str | None = None) -> list[str]:
    """The ingester's topic filters; through `$share/GROUP/` when ingesters share the load."""
    prefix = settings.MQTT_TOPIC_PREFIX if prefix is None else prefix
    group = settings.MQTT_SHARED_GROUP if shared_group is None else shared_group
    share = f"$share/{group}/" if group else ""
    return [f"{share}{prefix}/devices/+/{kind}" for kind in kinds()]
DEVICE_TYPES = ("sos", "fall", "smoke", "gas", "water", "door", "other")  # CONTRACTS.md
# RFC 3339 date-time: full date, "T" (or space), time, fraction optional, offset required.
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
MAX_PAYLOAD = 64 * 1024

# What happened to the messages of this process: "alarm", "repeat", "duplicate", "heartbeat", "bad",
# and "bad:<reason>". The load bench and the ingester's log read it; the BadMessage table
# is the durable count.
counts: Counter[str] = Counter()


# -- schemas ---------------------------------------------------------------------------------
def _or_none(value: Any, handler, info) -> Any:
    """An optional field that fails validation becomes None (and is reported), rather than
    refusing the whole message."""
    try:
        return handler(value)
    except ValidationError:
        counts["dropped_field"] += 1
        log.warning("dropped an invalid optional field %r", info.field_name)
        return None


def _rfc3339(value: Any) -> dt.datetime:
    if value is None:
        raise ValueError("missing")
    if not isinstance(value, str) or not RFC3339.match(value):
        raise ValueError("not an RFC 3339 date-time with an offset")
    fixed = value.replace("z", "Z").replace("t", "T")
    if "." in fixed:  # Python takes at most 6 fraction digits
        head, _dot, rest = fixed.partition(".")
        digits = re.match(r"\d+", rest).group()
        fixed = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits):]}"
    return dt.datetime.fromisoformat(fixed)


Lenient = WrapValidator(_or_none)


class AlarmPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    msg_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")
    type: Literal[DEVICE_TYPES]  # type: ignore[valid-type]
    ts: Any = None  # checked by _rfc3339, so that a bad time has its own reason
    lat: Annotated[float | None, Field(ge=-90, le=90), Lenient] = None
    lng: Annotated[float | None, Field(ge=-180, le=180), Lenient] = None
    coord: Annotated[Literal["wgs84", "gcj02", "bd09"] | None, Lenient] = None
    battery: Annotated[int | None, Field(ge=0, le=100), Lenient] = None


class HeartbeatPayload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ts: Any = None
    battery: Annotated[int | None, Field(ge=0, le=100), Lenient] = None
    # Water meters: the cumulative reading (m³); a rise is a use of water (passive rule).
    reading: Annotated[float | None, Field(ge=0), Lenient] = None


# -- outcomes --------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Outcome:
    """What became of one message: "alarm" (new), "repeat" (merged into the elder's open
    alarm), "duplicate" (a message already stored), "heartbeat", "bad" with a BadMessage
    reason (and `detail`, what the BadMessage keeps), or what a registered kind's handler
    says (e.g. "reading", with `record_id` the stored row)."""

    kind: str  # "alarm", "repeat", "duplicate", "heartbeat", "bad", or a registered handler's
    alarm_id: int | None = None
    reason: str = ""
    record_id: int | None = None
    detail: str = ""


@dataclasses.dataclass
class _Bad:
    topic: str
    payload: bytes
    reason: str
    detail: str
    device_id: str = ""


@dataclasses.dataclass
class _Parsed:
    device_id: str
    kind: str
    data: BaseModel
    ts: dt.datetime


# -- kinds other apps register -----------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class DeviceMessage:
    """A validated message of a registered kind, as its handler gets it: the device (known,
    of the vendor when the webhook passed one), the payload as the kind's schema made it, and
    its `ts`."""

    device: DeviceRef
    device_kind: str
    data: BaseModel
    ts: dt.datetime


# handler(messages, now) -> one Outcome per message, in order. Called inside the batch's
# transaction: what it writes commits with the batch (and is acknowledged after), or not at all.
Handler = Callable[[list[DeviceMessage], dt.datetime], list[Outcome]]


@dataclasses.dataclass(frozen=True)
class _Kind:
    schema: type[BaseModel]
    handler: Handler


_registered: dict[str, _Kind] = {}


def register_kind(name: str, schema: type[BaseModel], handler: Handler) -> None:
    """Another message kind on `PREFIX/devices/{id}/<name>`. `schema` validates the payload (it
    must have `ts`, checked as RFC 3339 like the others, and may have `battery`: the message
    counts as a heartbeat too). Registering the same name again replaces it (reloads, tests)."""
    if name in KINDS or not re.fullmatch(r"[a-z_]{1,32}", name):
        raise ValueError(f"cannot register the message kind {name!r}")
    _registered[name] = _Kind(schema, handler)


def parse(topic: str, payload: bytes | str) -> _Parsed | _Bad:
    """Topic and payload → a validated message, or the reason it is refused. Never raises
    for any input."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8", errors="replace")
    m = topic_pattern().match(topic or "")
    if not m or not DEVICE_ID_PATTERN.match(m.group(1)):
        return _Bad(topic, payload, BadMessage.Reason.BAD_TOPIC, "topic")
    device_id, kind = m.groups()
    if len(payload) > MAX_PAYLOAD:
        return _Bad(topic, payload, BadMessage.Reason.MALFORMED, "payload too large", device_id)
    try:
        raw = json.loads(payload)
    except (ValueError, RecursionError) as e:
        return _Bad(topic, payload, BadMessage.Reason.MALFORMED, str(e)[:200], device_id)
    if not isinstance(raw, dict):
        return _Bad(topic, payload, BadMessage.Reason.MALFORMED, "not a JSON object", device_id)
    schema = (AlarmPayload if kind == "alarm" else HeartbeatPayload if kind == "heartbeat"
              else _registered[kind].schema)
    try:
        data = schema.model_validate(raw)
    except ValidationError as e:
        fields = sorted({str(err["loc"][0]) for err in e.errors() if err.get("loc")})
        reason = (
            BadMessage.Reason.UNKNOWN_TYPE if fields == ["type"] and "type" in raw
            else BadMessage.Reason.INVALID
        )
        return _Bad(topic, payload, reason, "invalid: " + ", ".join(fields), device_id)
    try:
        ts = _rfc3339(data.ts)
    except ValueError as e:
        return _Bad(topic, payload, BadMessage.Reason.BAD_TS, str(e)[:200], device_id)
    return _Parsed(device_id, kind, data, ts)


def _position(data: AlarmPayload) -> tuple[float | None, float | None]:
    if data.lat is None or data.lng is None or not (math.isfinite(data.lat) and math.isfinite(data.lng)):
        return None, None
    lng, lat = coords.to_wgs84(data.lng, data.lat, data.coord or "wgs84")
    return lat, lng


# -- handling --------------------------------------------------------------------------------
Message = tuple[str, bytes]


def handle_message(topic: str, payload: bytes | str, *, vendor: str | None = None) -> Outcome:
    """One device message, committed before return. `vendor`, when given (the webhook),
    must be the device's vendor, else the device counts as unknown."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8", errors="replace")
    return handle_messages([(topic, payload)], vendor=vendor)[0]


def handle_messages(messages: Sequence[Message], *, vendor: str | None = None,
                    now: dt.datetime | None = None) -> list[Outcome]:
    """Many device messages in one transaction (the ingester's batch), committed before
    return; outcomes in the order of `messages`. If the batch fails for anything but a
    lost database, each message is retried on its own, so one poisonous message costs
    only itself."""
    try:
        return _handle_batch(messages, vendor=vendor, now=now)
    except (OperationalError, InterfaceError):
        raise
    except Exception:  # noqa: BLE001 - part of the per-message guard: find the culprit alone
        if len(messages) == 1:
            return [_handle_guarded(*messages[0], vendor=vendor, now=now)]
        log.warning("a batch of %d failed; retrying one by one", len(messages), exc_info=True)
    return [_handle_guarded(topic, payload, vendor=vendor, now=now) for topic, payload in messages]


def _handle_guarded(topic: str, payload: bytes, *, vendor: str | None, now) -> Outcome:
    """The outermost per-message guard: whatever goes wrong with one message is logged,
    counted and stored, and the ingester goes on. Only a lost database propagates."""
    try:
        return _handle_batch([(topic, payload)], vendor=vendor, now=now)[0]
    except (OperationalError, InterfaceError):
        raise
    except Exception as e:  # noqa: BLE001 - the one broad guard (CONVENTIONS §8): never crash
        log.exception("message on %s could not be handled", _safe_topic(topic))
        counts["bad"] += 1
        counts[f"bad:{BadMessage.Reason.ERROR}"] += 1
        store_bad_message(
            topic=topic, payload=payload, reason=BadMessage.Reason.ERROR, detail=type(e).__name__,
        )
        return Outcome("bad", reason=BadMessage.Reason.ERROR)


def _safe_topic(topic: str) -> str:
    return topic[:120] if isinstance(topic, str) else "?"


def _handle_batch(messages: Sequence[Message], *, vendor: str | None, now) -> list[Outcome]:
    now = now or timezone.now()
    parsed: list[_Parsed | _Bad] = [parse(t, p) for t, p in messages]
    wanted = {p.device_id for p in parsed if isinstance(p, _Parsed)}
    # Plain rows, not model instances: a batch of heartbeats needs only to know the devices exist.
    devices = {
        row[0]: row for row in Device.objects.filter(device_id__in=wanted).values_list(
            "device_id", "pk", "vendor", "elder_id", "household_id", "region_code", "kind")
    } if wanted else {}
    for i, p in enumerate(parsed):
        if isinstance(p, _Parsed):
            device = devices.get(p.device_id)
            if device is None or (vendor is not None and device[2].casefold() != vendor.casefold()):
                topic, payload = messages[i]
                parsed[i] = _Bad(topic, payload, BadMessage.Reason.UNKNOWN_DEVICE, "unknown device", p.device_id)

    outcomes: list[Outcome | None] = [None] * len(parsed)
    alarms: list[tuple[int, DeviceAlarm]] = []
    extra: dict[str, list[tuple[int, DeviceMessage]]] = {}
    beats: list[Beat] = []
    bad: list[BadMessage] = []
    for i, p in enumerate(parsed):
        if isinstance(p, _Bad):
            bad.append(bad_message(
                topic=p.topic, payload=p.payload, reason=p.reason, detail=p.detail,
                device_id=p.device_id, now=now,
            ))
            outcomes[i] = Outcome("bad", reason=p.reason)
            continue
        if p.kind not in KINDS:
            device_id, pk, _vendor, elder_id, household_id, region_code, device_kind = devices[p.device_id]
            extra.setdefault(p.kind, []).append((i, DeviceMessage(
                DeviceRef(pk, device_id, elder_id, household_id, region_code), device_kind, p.data, p.ts)))
            # Any message proves the device alive now (its clock is not trusted for that).
            beats.append(Beat(p.device_id, now, getattr(p.data, "battery", None)))
        elif p.kind == "alarm":
            device_id, pk, _vendor, elder_id, household_id, region_code, _kind = devices[p.device_id]
            device = DeviceRef(pk, device_id, elder_id, household_id, region_code)
            lat, lng = _position(p.data)
            alarms.append((i, DeviceAlarm(
                device=device, msg_id=p.data.msg_id, type=p.data.type, raised_at=p.ts,
                lat=lat, lng=lng, battery=p.data.battery,
            )))
            # An alarm proves the device alive too; the device's clock is not trusted here.
            beats.append(Beat(p.device_id, now, p.data.battery))
        else:
            beats.append(Beat(p.device_id, min(p.ts, now), p.data.battery, p.data.reading))
            outcomes[i] = Outcome("heartbeat")

    with transaction.atomic():
        if bad:
            BadMessage.objects.bulk_create(bad)
        if alarms:
            results = raise_device_alarms([a for _i, a in alarms], now=now)
            for (i, _a), raised in zip(alarms, results, strict=True):
                kind = "alarm" if raised.created else "repeat" if raised.repeat else "duplicate"
                outcomes[i] = Outcome(kind, alarm_id=raised.alarm_id)
        for kind, items in extra.items():
            results = _registered[kind].handler([m for _i, m in items], now)
            refused = []
            for (i, m), outcome in zip(items, results, strict=True):
                outcomes[i] = outcome
                if outcome.kind == "bad":
                    topic, payload = messages[i]
                    refused.append(bad_message(topic=topic, payload=payload, reason=outcome.reason,
                                               detail=outcome.detail, device_id=m.device.device_id, now=now))
                    log.info("bad device message: device=%s reason=%s %s", m.device.device_id,
                             outcome.reason, outcome.detail[:100])
            if refused:
                BadMessage.objects.bulk_create(refused)
        if beats:
            record_heartbeats(beats)

    for o in outcomes:
        counts[o.kind] += 1
        if o.kind == "bad":
            counts[f"bad:{o.reason}"] += 1
    for p in parsed:
        if isinstance(p, _Bad):
            log.info("bad device message: device=%s reason=%s", p.device_id or "?", p.reason)
    return outcomes  # type: ignore[return-value]


def snapshot() -> dict[str, int]:
    """The counters, for logs and benches."""
    return dict(counts)


