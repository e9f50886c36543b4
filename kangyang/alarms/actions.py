"""Every change to alarms, devices and the community worker's tasks.

The ingester, the escalation loop, the console, the API, the demo and the tests all call
these functions; nobody else saves these models. Two rules hold the alarm centre together
(SYSTEM.md: "no alarm is lost or handled twice"):

* the same (device, msg_id) twice is one alarm: a unique constraint, and a get-or-create
  that treats losing the race as finding the existing row;
* a change of status is a conditional UPDATE (`… WHERE status = 'raised'`), so two
  operators, or the operator and the escalation loop, never both take the same step.

Every action that changes an alarm also sets `updated_at`, which the console polls.
Functions take `now=` so tests control the clock; it defaults to timezone.now().
"""

import dataclasses
import datetime as dt
import logging
import re
import typing
from collections.abc import Iterable, Sequence
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.alarms import constants, mosquitto, tasks
from kangyang.alarms.models import Alarm, AlarmEvent, BadMessage, BrokerStatus, Device, WorkerTask
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.regions.models import Household
from kangyang.registry.models import Contact, Elder

log = logging.getLogger(__name__)

S = Alarm.Status
K = AlarmEvent.Kind
DEVICE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")

# The priority of an alarm by its type (the console sorts by it, then by time).
PRIORITY_BY_TYPE = {
    Alarm.Type.SOS: Alarm.Priority.URGENT,
    Alarm.Type.FALL: Alarm.Priority.URGENT,
    Alarm.Type.SMOKE: Alarm.Priority.URGENT,
    Alarm.Type.GAS: Alarm.Priority.URGENT,
    Alarm.Type.WATER: Alarm.Priority.NORMAL,
    Alarm.Type.DOOR: Alarm.Priority.NORMAL,
    Alarm.Type.OTHER: Alarm.Priority.HIGH,
    Alarm.Type.CHECK_ON: Alarm.Priority.LOW,
}


# -- who may do what (the rules; the queries apply them) --------------------------------------
# The role sets (ALARM_HANDLER_ROLES, DEVICE_EDITOR_ROLES) are accounts/scope.py's.


def can_handle(user, region_code: str) -> bool:
    """Acknowledge, act on and resolve alarms of this region: operators and the bureau
    admin whose area covers it."""
    return scope.handles_alarms_of(user, region_code)


def can_note(user, region_code: str) -> bool:
    """Add a note to an alarm's timeline: the handlers, and the community worker and
    subdistrict officer of the area (who are sent to the door)."""
    return can_handle(user, region_code) or scope.can_edit(user, region_code)


def can_edit_devices(user, region_code: str) -> bool:
    return scope.edits_devices_of(user, region_code)


# -- devices ---------------------------------------------------------------------------------
def heartbeat_interval_for(model: str) -> dt.timedelta:
    return constants.HEARTBEAT_BY_MODEL.get(model, constants.DEFAULT_HEARTBEAT)


@transaction.atomic
def register_device(
    *, by, device_id: str, kind: str, vendor: str = "", model: str = "",
    installed_on: dt.date | None = None, elder: Elder | None = None,
    household: Household | None = None, heartbeat_interval: dt.timedelta | None = None,
    audit: bool = True,
) -> Device:
    """Put a device into service, bound to an elder (and their household) or to a household.
    The device id is the one in its MQTT topic and is unique; only staff who may edit the
    registry of the place register devices there."""
    device_id = device_id.strip()
    if not DEVICE_ID_PATTERN.match(device_id):
        raise ValidationError({"device_id": ValidationError(
            _("A device id has 1 to 64 letters, digits and . _ : - only."), code="invalid")})
    if kind not in Device.Kind.values:
        raise ValidationError({"kind": ValidationError(_("Unknown device kind."), code="invalid")})
    if elder is None and household is None:
        raise ValidationError(_("Bind the device to an elder or a household."), code="unbound")
    if elder is not None and household is not None and elder.household_id not in (None, household.pk):
        raise ValidationError({"household": ValidationError(
            _("The elder does not live in this household."), code="invalid")})
    household = household or (elder.household if elder is not None else None)
    region_code = elder.region_code if elder is not None else household.region_code
    if by is not None and not can_edit_devices(by, region_code):
        raise PermissionDenied
    if Device.objects.filter(device_id=device_id).exists():
        raise ValidationError({"device_id": ValidationError(
            _("This device id is already registered."), code="duplicate")})
    if Device.objects.filter(mqtt_username=mqtt_username_for(device_id)).exists():
        raise ValidationError({"device_id": ValidationError(
            _("Another device already uses the broker user name %(name)s.")
            % {"name": mqtt_username_for(device_id)}, code="duplicate")})
    password = mosquitto.new_password()
    device = Device(
        device_id=device_id, kind=kind, vendor=vendor.strip(), model=model.strip(),
        installed_on=installed_on, elder=elder, household=household, region_code=region_code,
        heartbeat_interval=heartbeat_interval or heartbeat_interval_for(model.strip()),
        mqtt_username=mqtt_username_for(device_id), mqtt_password_hash=mosquitto.password_hash(password),
    )
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        raise ValidationError({"device_id": ValidationError(
            _("This device id is already registered."), code="duplicate")}) from None
    if audit and by is not None:
        record(by, AuditEntry.Action.CREATE, device, verb="device.register")
    # Shown once (API answer, command output): only its hash is stored.
    device.mqtt_password = password
    return device


def mqtt_username_for(device_id: str) -> str:
    """A device's user name at the broker: its id, with ':' (the password file's separator,
    e.g. in MAC addresses) written as '-'."""
    return device_id.replace(":", "-")


@transaction.atomic
def issue_device_credentials(device: Device, *, by=None) -> str:
    """Give a device a new broker password (the old one stops working at the next
    `kangyang mqtt_auth`) and return it: it is never shown again, only its hash is kept."""
    if by is not None and not can_edit_devices(by, device.region_code):
        raise PermissionDenied
    password = mosquitto.new_password()
    device.mqtt_username = device.mqtt_username or mqtt_username_for(device.device_id)
    device.mqtt_password_hash = mosquitto.password_hash(password)
    try:
        with transaction.atomic():
            device.save(update_fields=["mqtt_username", "mqtt_password_hash"])
    except IntegrityError:
        raise ValidationError(_("Another device already uses the broker user name %(name)s.")
                              % {"name": device.mqtt_username}, code="duplicate") from None
    if by is not None:
        record(by, AuditEntry.Action.CHANGE, device, verb="device.credentials")
    return password


def issue_missing_credentials(devices: Iterable[Device]) -> list[tuple[Device, str]]:
    """Credentials for devices registered before devices had them (`kangyang mqtt_auth
    --issue-missing`): each gets a password, returned once, and its hash is stored."""
    return [(device, issue_device_credentials(device)) for device in devices]


def record_broker_status(
    *, broker: str, dropped: int, stored: int | None = None, clients: int | None = None,
    now: dt.datetime | None = None,
) -> BrokerStatus:
    """Keep what the broker's $SYS topics said. A drop counter that went up marks the time,
    so the console warns; one that went down means the broker restarted (it counts from 0)."""
    now = now or timezone.now()
    status, _created = BrokerStatus.objects.get_or_create(broker=broker, defaults={"dropped": 0})
    fields = ["dropped", "stored", "clients_connected", "updated_at"]
    if dropped > status.dropped:
        status.dropped_rise, status.dropped_rose_at = dropped - status.dropped, now
        fields += ["dropped_rise", "dropped_rose_at"]
        log.error("the MQTT broker %s dropped %d messages (%d since it started)",
                  broker, dropped - status.dropped, dropped)
    status.dropped, status.stored, status.clients_connected, status.updated_at = dropped, stored, clients, now
    status.save(update_fields=fields)
    return status


@transaction.atomic
def retire_device(device: Device, *, by, note: str = "") -> Device:
    """Take a device out of service: it is no longer expected to send heartbeats, and its
    open tasks are closed. Its alarms stay."""
    if not can_edit_devices(by, device.region_code):
        raise PermissionDenied
    device.status = Device.Status.RETIRED
    device.save(update_fields=["status"])
    WorkerTask.objects.filter(device=device, status=WorkerTask.Status.OPEN).update(
        status=WorkerTask.Status.DONE, done_at=timezone.now(), done_by=by, note=_("device retired"),
    )
    record(by, AuditEntry.Action.CHANGE, device, verb="device.retire", note=note)
    return device


@dataclasses.dataclass(frozen=True)
class Beat:
    """One heartbeat (or any message that proves the device alive)."""

    device_id: str
    ts: dt.datetime
    battery: int | None = None
    reading: float | None = None  # water meters: cumulative reading


def record_heartbeat(device: Device, *, ts: dt.datetime, battery: int | None = None,
                     reading: float | None = None) -> None:
    """A device said it is alive: last seen moves forward (never back: a late, redelivered
    heartbeat changes nothing), the battery is the latest, and an offline device is online
    again. A water meter's rising reading is a use of water."""
    record_heartbeats([Beat(device.device_id, ts, battery, reading)])


@transaction.atomic
def record_heartbeats(beats: Iterable[Beat]) -> int:
    """record_heartbeat for many devices in one statement per batch (the ingester's path).
    Per device: the latest time, the battery of the latest beat that reports one, the
    highest meter reading. Returns the number of devices updated."""
    latest: dict[str, Beat] = {}
    for b in sorted(beats, key=lambda b: b.ts):
        have = latest.get(b.device_id)
        if have is not None:
            b = Beat(
                b.device_id, b.ts, b.battery if b.battery is not None else have.battery,
                max((r for r in (b.reading, have.reading) if r is not None), default=None),
            )
        latest[b.device_id] = b
    if not latest:
        return 0
    if connection.vendor == "postgresql":
        return _record_heartbeats_pg(list(latest.values()))
    n = 0
    for b in latest.values():
        fields = {
            "last_seen_at": b.ts, "status": Device.Status.ONLINE, "offline_since": None,
        }
        if b.battery is not None:
            fields["battery"] = b.battery
        n += Device.objects.filter(
            Q(last_seen_at__isnull=True) | Q(last_seen_at__lte=b.ts), device_id=b.device_id,
        ).exclude(status=Device.Status.RETIRED).update(**fields)
        if b.reading is not None:
            _record_reading(b)
    return n


def _record_reading(b: Beat) -> None:
    Device.objects.filter(device_id=b.device_id).filter(
        Q(meter_reading__isnull=True) | Q(meter_reading__lt=b.reading)
    ).update(meter_reading=b.reading, last_use_at=b.ts)


def _record_heartbeats_pg(beats: Sequence[Beat]) -> int:
    """One UPDATE … FROM unnest(arrays) for the whole batch: four parameters however many
    devices, so neither the driver nor the server parses thousands of placeholders."""
    table = Device._meta.db_table
    sql = f"""
        UPDATE {table} AS d SET
            last_seen_at = CASE WHEN d.last_seen_at IS NULL OR v.ts > d.last_seen_at
                                THEN v.ts ELSE d.last_seen_at END,
            battery = CASE WHEN d.last_seen_at IS NULL OR v.ts >= d.last_seen_at
                           THEN COALESCE(v.battery, d.battery) ELSE d.battery END,
            status = %s,
            offline_since = NULL,
            last_use_at = CASE WHEN v.reading IS NOT NULL
                                    AND (d.meter_reading IS NULL OR v.reading > d.meter_reading)
                               THEN v.ts ELSE d.last_use_at END,
            meter_reading = CASE WHEN v.reading IS NOT NULL
                                      AND (d.meter_reading IS NULL OR v.reading > d.meter_reading)
                                 THEN v.reading ELSE d.meter_reading END
        FROM unnest(%s::text[], %s::timestamptz[], %s::smallint[], %s::float8[])
             AS v(device_id, ts, battery, reading)
        WHERE d.device_id = v.device_id AND d.status <> %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [
            Device.Status.ONLINE, [b.device_id for b in beats], [b.ts for b in beats],
            [b.battery for b in beats], [b.reading for b in beats], Device.Status.RETIRED,
        ])
        return cursor.rowcount


def _open_device_task(device: Device, kind: str, *, now: dt.datetime, note: str = "") -> bool:
    """One open task of a kind per device: the second call finds the first."""
    if WorkerTask.objects.filter(device=device, kind=kind, status=WorkerTask.Status.OPEN).exists():
        return False
    try:
        with transaction.atomic():
            WorkerTask.objects.create(
                kind=kind, device=device, elder_id=device.elder_id, region_code=device.region_code,
                created_at=now, note=note,
            )
    except IntegrityError:  # another process made it a moment ago
        return False
    return True


def _close_device_tasks(devices: Q, kind: str, *, now: dt.datetime, note: str) -> int:
    return WorkerTask.objects.filter(devices, kind=kind, status=WorkerTask.Status.OPEN).update(
        status=WorkerTask.Status.DONE, done_at=now, note=note,
    )


def mark_offline_devices(*, now: dt.datetime | None = None) -> list[Device]:
    """A device not heard from for its heartbeat interval plus the grace period
    (ALARM_OFFLINE_GRACE) is offline, and its community worker gets a task to look at it.
    A device heard from again is online (record_heartbeats) and its task is closed here.
    Marking is a conditional UPDATE per device, so two loops never both mark one."""
    now = now or timezone.now()
    grace = settings.ALARM_OFFLINE_GRACE
    overdue = (
        Device.objects.filter(status=Device.Status.ONLINE)
        .alias(seen=Coalesce("last_seen_at", "registered_at"))
        .filter(seen__lt=now - grace - F("heartbeat_interval"))
    )
    marked = []
    for device in overdue.order_by("last_seen_at")[:1000]:
        with transaction.atomic():
            claimed = Device.objects.filter(
                pk=device.pk, status=Device.Status.ONLINE, last_seen_at=device.last_seen_at
            ).update(status=Device.Status.OFFLINE, offline_since=now)
            if claimed:
                _open_device_task(device, WorkerTask.Kind.DEVICE_OFFLINE, now=now)
                marked.append(device)
    _close_device_tasks(
        Q(device__status=Device.Status.ONLINE), WorkerTask.Kind.DEVICE_OFFLINE, now=now,
        note=_("The device is online again."),
    )
    if marked:
        log.info("devices marked offline: %d", len(marked))
    return marked


def flag_low_batteries(*, now: dt.datetime | None = None) -> int:
    """A device whose battery is at or below LOW_BATTERY_PERCENT gets a task (one open at a
    time); when the battery is replaced the task closes by itself."""
    now = now or timezone.now()
    low = Device.objects.filter(battery__lte=constants.LOW_BATTERY_PERCENT).exclude(
        status=Device.Status.RETIRED
    ).exclude(tasks__kind=WorkerTask.Kind.LOW_BATTERY, tasks__status=WorkerTask.Status.OPEN)
    made = sum(_open_device_task(d, WorkerTask.Kind.LOW_BATTERY, now=now) for d in low[:1000])
    _close_device_tasks(
        Q(device__battery__gt=constants.LOW_BATTERY_PERCENT), WorkerTask.Kind.LOW_BATTERY, now=now,
        note=_("The battery has been replaced or charged."),
    )
    return made


TESTED_KINDS = (Device.Kind.SOS_PENDANT, Device.Kind.SOS_BUTTON, Device.Kind.WATCH)


def flag_missing_test_alarms(*, now: dt.datetime | None = None) -> int:
    """Each SOS pendant, button and watch is expected to send a test alarm every month
    (TEST_ALARM_EVERY): one that has not (counted from installation or registration) gets a
    task; the next test alarm closes it (resolve_alarm with outcome "test")."""
    now = now or timezone.now()
    since = now - constants.TEST_ALARM_EVERY
    due = (
        Device.objects.filter(kind__in=TESTED_KINDS, registered_at__lt=since)
        .exclude(status=Device.Status.RETIRED)
        .filter(Q(last_test_alarm_at__isnull=True) | Q(last_test_alarm_at__lt=since))
        .exclude(tasks__kind=WorkerTask.Kind.TEST_OVERDUE, tasks__status=WorkerTask.Status.OPEN)
    )
    made = sum(_open_device_task(d, WorkerTask.Kind.TEST_OVERDUE, now=now) for d in due[:1000])
    _close_device_tasks(
        Q(device__last_test_alarm_at__gte=since), WorkerTask.Kind.TEST_OVERDUE, now=now,
        note=_("A test alarm has been received."),
    )
    return made


def apply_no_water_rule(*, now: dt.datetime | None = None) -> list[Alarm]:
    """Passive rule: an online water meter of an elder living alone that has shown no use
    for NO_WATER_USE_AFTER raises a low-priority "check on" alarm, once per dry spell (its
    msg_id names the last use, so the rule firing again finds the same alarm)."""
    now = now or timezone.now()
    since = now - constants.NO_WATER_USE_AFTER
    meters = Device.objects.filter(
        kind=Device.Kind.WATER_METER, status=Device.Status.ONLINE, last_use_at__lt=since,
        elder__isnull=False, elder__status=Elder.Status.ACTIVE,
    ).filter(
        Q(elder__living_arrangement=Elder.LivingArrangement.ALONE)
        | Q(elder__categories_text__contains=f",{Elder.Category.ALONE},")
    ).select_related("elder")
    raised = []
    for meter in meters[:1000]:
        alarm, created = raise_alarm(
            source=Alarm.Source.RULE, type=Alarm.Type.CHECK_ON, device=meter,
            msg_id="no-water:%d" % int(meter.last_use_at.timestamp()), raised_at=now, now=now,
            note=_("No water used since %(time)s.") % {
                "time": timezone.localtime(meter.last_use_at).strftime("%Y-%m-%d %H:%M")},
        )
        if created:
            raised.append(alarm)
    return raised


def check_devices(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic device checks of the escalation loop, in one call."""
    now = now or timezone.now()
    return {
        "offline": len(mark_offline_devices(now=now)),
        "low_battery": flag_low_batteries(now=now),
        "test_overdue": flag_missing_test_alarms(now=now),
        "no_water": len(apply_no_water_rule(now=now)),
    }


# -- raising ---------------------------------------------------------------------------------
def _place_of(*, device: Device | None, elder: Elder | None, household: Household | None):
    """(elder, household, region code) of a new alarm: the device's binding, else the
    elder's, else the household's."""
    if device is not None:
        elder = elder or device.elder
        household = household or device.household
        return elder, household, device.region_code
    if elder is not None:
        return elder, household or elder.household, elder.region_code
    if household is not None:
        return None, household, household.region_code
    raise ValidationError(_("An alarm needs a device, an elder or a household."), code="unbound")


@transaction.atomic
def raise_alarm(
    *, source: str, type: str, raised_at: dt.datetime | None = None, device: Device | None = None,
    elder: Elder | None = None, household: Household | None = None, msg_id: str = "",
    lat: float | None = None, lng: float | None = None, battery: int | None = None,
    priority: int | None = None, by=None, caller_masked: str = "", note: str = "",
    now: dt.datetime | None = None,
) -> tuple[Alarm, bool]:
    """An alarm comes in. Idempotent on (device, msg_id), and on (elder, source, msg_id) for
    app and hotline alarms that send a key: the same message twice is one alarm, and the
    second call returns it with created=False. Coordinates must already be WGS-84."""
    now = now or timezone.now()
    if type not in Alarm.Type.values:
        raise ValidationError({"type": ValidationError(_("Unknown alarm type."), code="invalid")})
    if source not in Alarm.Source.values:
        raise ValidationError({"source": ValidationError(_("Unknown alarm source."), code="invalid")})
    elder, household, region_code = _place_of(device=device, elder=elder, household=household)
    if msg_id:
        existing = _existing(device=device, elder=elder, source=source, msg_id=msg_id)
        if existing is not None:
            return existing, False
    alarm = Alarm(
        elder=elder, device=device, household=household, region_code=region_code, source=source,
        type=type, priority=priority or PRIORITY_BY_TYPE[type], msg_id=msg_id,
        raised_at=raised_at or now, received_at=now, updated_at=now, lat=lat, lng=lng,
        battery=battery, raised_by=by if by is not None and by.is_authenticated else None,
        caller_masked=caller_masked, note=note,
    )
    try:
        with transaction.atomic():
            alarm.save()
    except IntegrityError:
        existing = _existing(device=device, elder=elder, source=source, msg_id=msg_id) if msg_id else None
        if existing is None:
            raise
        return existing, False
    AlarmEvent.objects.create(alarm=alarm, region_code=region_code, kind=K.RAISED, at=now, by=alarm.raised_by)
    if alarm.raised_by is not None:
        record(by, AuditEntry.Action.CREATE, alarm, verb="alarm.raise")
    return alarm, True


def _existing(*, device, elder, source, msg_id) -> Alarm | None:
    if device is not None:
        return Alarm.objects.filter(device=device, msg_id=msg_id).first()
    return Alarm.objects.filter(device__isnull=True, elder=elder, source=source, msg_id=msg_id).first()


class DeviceRef(typing.NamedTuple):
    """What the ingester knows of a device: enough to store its alarm (a Device will do too)."""

    pk: int
    device_id: str
    elder_id: int | None
    household_id: int | None
    region_code: str


@dataclasses.dataclass
class DeviceAlarm:
    """A device's alarm as the ingester parsed it (coordinates already WGS-84)."""

    device: Device | DeviceRef
    msg_id: str
    type: str
    raised_at: dt.datetime
    lat: float | None = None
    lng: float | None = None
    battery: int | None = None


@transaction.atomic
def raise_device_alarms(items: Sequence[DeviceAlarm], *, now: dt.datetime | None = None) -> list[tuple[int, bool]]:
    """raise_alarm for a batch of device messages in one transaction (the ingester's path);
    (alarm id, created) in the order of `items`. The same rule: a (device, msg_id) stored
    before, or twice in the batch, is the one alarm. On PostgreSQL one statement inserts the
    new alarms and their "raised" events (INSERT … ON CONFLICT DO NOTHING, so a webhook
    storing the same message at the same moment is no error); elsewhere, bulk inserts."""
    now = now or timezone.now()
    if not items:
        return []
    first: dict[tuple[int, str], DeviceAlarm] = {}
    for i in items:
        first.setdefault((i.device.pk, i.msg_id), i)
    if connection.vendor == "postgresql":
        created = _insert_device_alarms_pg(list(first.values()), now=now)
    else:
        created = _insert_device_alarms(list(first.values()), now=now)
    missing = [k for k in first if k not in created]
    existing = {}
    if missing:
        existing = {
            (device_pk, msg_id): pk for pk, device_pk, msg_id in Alarm.objects.filter(
                device_id__in={k[0] for k in missing}, msg_id__in={k[1] for k in missing}
            ).values_list("pk", "device_id", "msg_id")
        }
    results, seen = [], set()
    for i in items:
        key = (i.device.pk, i.msg_id)
        if key in created and key not in seen:
            seen.add(key)
            results.append((created[key], True))
        else:
            results.append((created.get(key) or existing[key], False))
    return results


def _insert_device_alarms_pg(items: Sequence[DeviceAlarm], *, now: dt.datetime) -> dict[tuple[int, str], int]:
    """{(device pk, msg_id): new alarm id} of those not stored before."""
    sql = f"""
        WITH v AS (
            SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::smallint[], %s::timestamptz[],
                                 %s::float8[], %s::float8[], %s::smallint[], %s::bigint[], %s::bigint[], %s::text[])
                AS v(device_id, msg_id, type, priority, raised_at, lat, lng, battery, elder_id, household_id, region_code)
        ), new AS (
            INSERT INTO {Alarm._meta.db_table} (
                device_id, msg_id, type, priority, raised_at, lat, lng, battery, elder_id, household_id,
                region_code, source, status, outcome, received_at, updated_at, caller_masked, note,
                escalation_tier)
            SELECT device_id, msg_id, type, priority, raised_at, lat, lng, battery, elder_id, household_id,
                   region_code, %s, %s, '', %s, %s, '', '', 0
            FROM v
            ON CONFLICT DO NOTHING
            RETURNING id, device_id, msg_id, region_code
        ), events AS (
            INSERT INTO {AlarmEvent._meta.db_table} (alarm_id, region_code, kind, at, note)
            SELECT id, region_code, %s, %s, '' FROM new
        )
        SELECT id, device_id, msg_id FROM new
    """
    columns = [
        [i.device.pk for i in items], [i.msg_id for i in items], [i.type for i in items],
        [int(PRIORITY_BY_TYPE[i.type]) for i in items], [i.raised_at for i in items],
        [i.lat for i in items], [i.lng for i in items], [i.battery for i in items],
        [i.device.elder_id for i in items], [i.device.household_id for i in items],
        [i.device.region_code for i in items],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*columns, Alarm.Source.DEVICE, S.RAISED, now, now, K.RAISED, now])
        return {(device_pk, msg_id): pk for pk, device_pk, msg_id in cursor.fetchall()}


def _insert_device_alarms(items: Sequence[DeviceAlarm], *, now: dt.datetime) -> dict[tuple[int, str], int]:
    stored = set(Alarm.objects.filter(
        device_id__in={i.device.pk for i in items}, msg_id__in={i.msg_id for i in items}
    ).values_list("device_id", "msg_id"))
    new = [
        Alarm(
            elder_id=i.device.elder_id, device_id=i.device.pk, household_id=i.device.household_id,
            region_code=i.device.region_code, source=Alarm.Source.DEVICE, type=i.type,
            priority=PRIORITY_BY_TYPE[i.type], msg_id=i.msg_id, raised_at=i.raised_at, received_at=now,
            updated_at=now, lat=i.lat, lng=i.lng, battery=i.battery,
        )
        for i in items if (i.device.pk, i.msg_id) not in stored
    ]
    try:
        with transaction.atomic():
            Alarm.objects.bulk_create(new)
    except IntegrityError:
        # Someone (the webhook) stored one of them a moment ago: one at a time instead.
        created = {}
        for i in items:
            alarm, was_created = raise_alarm(
                source=Alarm.Source.DEVICE, type=i.type, device=Device.objects.get(pk=i.device.pk),
                msg_id=i.msg_id, raised_at=i.raised_at, lat=i.lat, lng=i.lng, battery=i.battery, now=now,
            )
            if was_created:
                created[(i.device.pk, i.msg_id)] = alarm.pk
        return created
    AlarmEvent.objects.bulk_create(
        [AlarmEvent(alarm=a, region_code=a.region_code, kind=K.RAISED, at=now) for a in new]
    )
    return {(a.device_id, a.msg_id): a.pk for a in new}


# -- handling --------------------------------------------------------------------------------
def _refusal(alarm: Alarm) -> ValidationError:
    """Why a step could not be taken, from the alarm as it is now in the database."""
    if alarm.status == S.RESOLVED:
        return ValidationError(_("This alarm has already been resolved."), code="already_resolved")
    if alarm.status == S.ACKNOWLEDGED:
        who = alarm.acknowledged_by
        return ValidationError(
            _("This alarm has already been taken by %(name)s.") % {"name": str(who) if who else "?"},
            code="taken",
        )
    return ValidationError(_("Acknowledge the alarm first."), code="not_acknowledged")


@transaction.atomic
def acknowledge_alarm(alarm: Alarm, *, by, note: str = "", now: dt.datetime | None = None) -> Alarm:
    """An operator takes the alarm. Only one can: the step is an UPDATE … WHERE
    status='raised', and the loser is told who took it. The same operator acknowledging
    again changes nothing."""
    if not can_handle(by, alarm.region_code):
        raise PermissionDenied
    now = now or timezone.now()
    claimed = Alarm.objects.filter(pk=alarm.pk, status=S.RAISED).update(
        status=S.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=now, updated_at=now,
    )
    alarm.refresh_from_db()
    if not claimed:
        if alarm.status == S.ACKNOWLEDGED and alarm.acknowledged_by_id == by.pk:
            return alarm
        raise _refusal(alarm)
    AlarmEvent.objects.create(
        alarm=alarm, region_code=alarm.region_code, kind=K.ACKNOWLEDGED, at=now, by=by, note=note,
    )
    record(by, AuditEntry.Action.CHANGE, alarm, verb="alarm.acknowledge", note=note)
    return alarm


@transaction.atomic
def record_alarm_action(
    alarm: Alarm, *, by, kind: str, contact: Contact | None = None, reached: bool | None = None,
    note: str = "", now: dt.datetime | None = None,
) -> AlarmEvent:
    """The operator did something for the alarm (called the elder or a contact, sent the
    worker, a caregiver or a volunteer, called 120/110/119, wrote a note). Actions need the
    alarm acknowledged and not resolved; a note can be added at any time, also by the
    community worker. A call to a contact names a contact of the alarm's elder."""
    now = now or timezone.now()
    if kind not in AlarmEvent.ACTIONS:
        raise ValidationError({"kind": ValidationError(_("Unknown action."), code="invalid")})
    if kind == K.NOTE:
        if not can_note(by, alarm.region_code):
            raise PermissionDenied
        if not note.strip():
            raise ValidationError({"note": ValidationError(_("Write the note."), code="required")})
    else:
        if not can_handle(by, alarm.region_code):
            raise PermissionDenied
        current = Alarm.objects.filter(pk=alarm.pk).values_list("status", flat=True).first()
        if current != S.ACKNOWLEDGED:
            alarm.refresh_from_db()
            raise _refusal(alarm)
    if kind == K.CALLED_CONTACT:
        if contact is None or alarm.elder_id is None or contact.elder_id != alarm.elder_id:
            raise ValidationError({"contact": ValidationError(
                _("Choose one of the elder's contacts."), code="invalid")})
    elif contact is not None:
        raise ValidationError({"contact": ValidationError(
            _("Only a call to a contact names a contact."), code="invalid")})
    if reached is not None and kind not in AlarmEvent.CALLS:
        reached = None
    event = AlarmEvent.objects.create(
        alarm=alarm, region_code=alarm.region_code, kind=kind, at=now, by=by, contact=contact,
        reached=reached, note=note.strip(),
    )
    Alarm.objects.filter(pk=alarm.pk).update(updated_at=now)
    record(by, AuditEntry.Action.CHANGE, alarm, verb="alarm.action", note=kind)
    return event


@transaction.atomic
def request_door_visit(alarm: Alarm, *, by=None, note: str = "", now: dt.datetime | None = None) -> WorkerTask:
    """Nobody could be reached: the community worker of the elder's community gets a task
    to knock on the door. One per alarm; asking again returns the same task."""
    now = now or timezone.now()
    if by is not None and not can_handle(by, alarm.region_code):
        raise PermissionDenied
    task = WorkerTask.objects.filter(alarm=alarm, kind=WorkerTask.Kind.DOOR_VISIT).first()
    if task is not None:
        return task
    task = WorkerTask.objects.create(
        kind=WorkerTask.Kind.DOOR_VISIT, alarm=alarm, elder_id=alarm.elder_id,
        region_code=alarm.region_code, created_at=now, note=note,
    )
    AlarmEvent.objects.create(alarm=alarm, region_code=alarm.region_code, kind=K.DOOR_VISIT, at=now, by=by, note=note)
    Alarm.objects.filter(pk=alarm.pk).update(updated_at=now)
    transaction.on_commit(partial(tasks.tell_worker_of_door_visit.enqueue, task.pk))
    return task


@transaction.atomic
def resolve_alarm(
    alarm: Alarm, *, by, outcome: str, note: str = "", now: dt.datetime | None = None,
) -> Alarm:
    """The alarm is dealt with, with its outcome. Only an acknowledged alarm can be resolved,
    once. "No answer" also asks for a door visit; "test" counts as the device's monthly
    test alarm."""
    if not can_handle(by, alarm.region_code):
        raise PermissionDenied
    if outcome not in Alarm.Outcome.values:
        raise ValidationError({"outcome": ValidationError(_("Choose an outcome."), code="required")})
    now = now or timezone.now()
    claimed = Alarm.objects.filter(pk=alarm.pk, status=S.ACKNOWLEDGED).update(
        status=S.RESOLVED, outcome=outcome, resolved_by=by, resolved_at=now, updated_at=now,
    )
    alarm.refresh_from_db()
    if not claimed:
        raise _refusal(alarm)
    AlarmEvent.objects.create(
        alarm=alarm, region_code=alarm.region_code, kind=K.RESOLVED, at=now, by=by,
        note=note.strip(),
    )
    if outcome == Alarm.Outcome.NO_ANSWER:
        request_door_visit(alarm, by=by, note=note.strip(), now=now)
    if outcome == Alarm.Outcome.TEST and alarm.device_id is not None:
        Device.objects.filter(pk=alarm.device_id).filter(
            Q(last_test_alarm_at__isnull=True) | Q(last_test_alarm_at__lt=alarm.raised_at)
        ).update(last_test_alarm_at=alarm.raised_at)
    record(by, AuditEntry.Action.CHANGE, alarm, verb="alarm.resolve", note=outcome)
    return alarm


def escalate_overdue(*, now: dt.datetime | None = None) -> list[Alarm]:
    """An alarm not acknowledged within ALARM_ESCALATE_AFTER of its arrival goes to the
    second operator group; after twice that, to the duty officer. Each step is an event and
    happens once: a conditional UPDATE from tier t to t+1 (idempotent per tier, and safe
    with two loops running). Returns the alarms escalated by this call."""
    now = now or timezone.now()
    after = settings.ALARM_ESCALATE_AFTER
    escalated = []
    for tier in range(constants.MAX_TIER):
        due = Alarm.objects.filter(
            status=S.RAISED, escalation_tier=tier, received_at__lte=now - after * (tier + 1)
        ).order_by("received_at")
        for alarm in due[:500]:
            with transaction.atomic():
                claimed = Alarm.objects.filter(pk=alarm.pk, status=S.RAISED, escalation_tier=tier).update(
                    escalation_tier=tier + 1, escalated_at=now, updated_at=now,
                )
                if not claimed:
                    continue
                alarm.escalation_tier, alarm.escalated_at, alarm.updated_at = tier + 1, now, now
                AlarmEvent.objects.create(
                    alarm=alarm, region_code=alarm.region_code, kind=K.ESCALATED, at=now, tier=tier + 1,
                )
                transaction.on_commit(partial(tasks.tell_escalation.enqueue, alarm.pk, tier + 1))
            escalated.append(alarm)
    if escalated:
        log.warning("alarms escalated: %d", len(escalated))
    return escalated


# -- worker tasks ----------------------------------------------------------------------------
@transaction.atomic
def complete_task(task: WorkerTask, *, by, note: str = "", now: dt.datetime | None = None) -> WorkerTask:
    """The community worker has done the task (visited, changed the battery…). Once."""
    if not scope.can_edit(by, task.region_code):
        raise PermissionDenied
    now = now or timezone.now()
    done = WorkerTask.objects.filter(pk=task.pk, status=WorkerTask.Status.OPEN).update(
        status=WorkerTask.Status.DONE, done_at=now, done_by=by, note=note.strip() or task.note,
    )
    task.refresh_from_db()
    if not done:
        raise ValidationError(_("This task is already done."), code="already_done")
    record(by, AuditEntry.Action.CHANGE, task, verb="alarm_task.complete", note=note)
    return task


# -- bad messages ----------------------------------------------------------------------------
def bad_message(*, topic: str, payload: bytes, reason: str, detail: str = "", device_id: str = "",
                now: dt.datetime | None = None) -> BadMessage:
    """An unsaved BadMessage: the payload truncated and decoded, and NUL characters (which
    PostgreSQL text refuses) shown as U+FFFD."""
    def clean(text: str, length: int) -> str:
        return text[:length].replace("\x00", "\ufffd")

    return BadMessage(
        topic=clean(topic, 200), device_id=clean(device_id, 64),
        payload=clean(payload[: constants.BAD_PAYLOAD_KEEP].decode("utf-8", errors="replace"), constants.BAD_PAYLOAD_KEEP),
        payload_size=len(payload), reason=reason, detail=clean(detail, 500),
        received_at=now or timezone.now(),
    )


def store_bad_message(**fields) -> BadMessage:
    """Keep a refused device message for review (see bad_message)."""
    message = bad_message(**fields)
    message.save()
    return message


# -- the card's phone numbers ----------------------------------------------------------------
def reveal_contact_phones(elder: Elder, *, by, reason: str) -> list[dict]:
    """The full phone numbers of the elder's contacts, in call order, for someone whose area
    covers the elder and who states why (an operator calling back). One audit entry,
    `elder.reveal_contacts`, is written before the numbers are returned."""
    if not scope.can_reveal(by, elder.region_code):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("State why you need the full number.")}, code="reason")
    contacts = list(elder.contacts.order_by("priority", "id"))
    record(by, AuditEntry.Action.VIEW_FULL, elder, verb="elder.reveal_contacts", note=reason)
    return [{"contact": c, "phone": crypto.decrypt(c.phone_encrypted) if c.phone_encrypted else ""} for c in contacts]
