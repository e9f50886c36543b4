"""Devices: registering them, their broker credentials, heartbeats, and the periodic checks
(offline, low battery, missing monthly test alarm, no water used) that give the community
worker a task or raise a rule alarm."""

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.alarms import constants, mosquitto
from kangyang.alarms.actions.access import can_edit_devices
from kangyang.alarms.actions.raising import raise_alarm
from kangyang.alarms.models import Alarm, BrokerStatus, Device, WorkerTask
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.regions.models import Household, Region
from kangyang.registry.models import Elder

log = logging.getLogger(__name__)

DEVICE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
# Devices bound to nobody (a delivery not yet installed, one taken back): not in service, so
# no heartbeat or monthly test is expected of them.
IN_STOCK = Q(elder__isnull=True, household__isnull=True)


def heartbeat_interval_for(model: str) -> dt.timedelta:
    return constants.HEARTBEAT_BY_MODEL.get(model, constants.DEFAULT_HEARTBEAT)


@transaction.atomic
def register_device(
    *, by, device_id: str, kind: str, vendor: str = "", model: str = "",
    installed_on: dt.date | None = None, elder: Elder | None = None,
    household: Household | None = None, heartbeat_interval: dt.timedelta | None = None,
    area: Region | None = None, audit: bool = True,
) -> Device:
    """Put a device into service, bound to an elder (and their household) or to a household,
    or, given only an `area` of the region tree, in stock there until it is bound to an elder
    (bind_device). The device id is the one in its MQTT topic and is unique; only staff who
    may edit the registry of the place register devices there."""
    device_id = device_id.strip()
    if not DEVICE_ID_PATTERN.match(device_id):
        raise ValidationError({"device_id": ValidationError(
            _("A device id has 1 to 64 letters, digits and . _ : - only."), code="invalid")})
    if kind not in Device.Kind.values:
        raise ValidationError({"kind": ValidationError(_("Unknown device kind."), code="invalid")})
    if elder is None and household is None and area is None:
        raise ValidationError(_("Bind the device to an elder or a household."), code="unbound")
    if elder is not None and household is not None and elder.household_id not in (None, household.pk):
        raise ValidationError({"household": ValidationError(
            _("The elder does not live in this household."), code="invalid")})
    household = household or (elder.household if elder is not None else None)
    region_code = (
        elder.region_code if elder is not None else household.region_code if household is not None else area.code
    )
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


@transaction.atomic
def bind_device(device: Device, *, by, elder: Elder, note: str = "") -> Device:
    """Give a device to an elder: her alarms come from it, and it moves to her household and
    community. A device bound to another elder is unbound first (unbind_device), so that
    nobody's pendant changes hands by a slip; binding it to the same elder again changes
    nothing. Audited; both the device's place and the elder's must be the caller's to edit."""
    if not (can_edit_devices(by, device.region_code) and can_edit_devices(by, elder.region_code)):
        raise PermissionDenied
    if device.status == Device.Status.RETIRED:
        raise ValidationError(_("This device is retired."), code="retired")
    if device.elder_id == elder.pk:
        return device
    if device.elder_id is not None:
        raise ValidationError(
            _("This device is bound to another elder: unbind it first."), code="bound_elsewhere")
    before = device.region_code
    device.elder, device.household, device.region_code = elder, elder.household, elder.region_code
    device.save(update_fields=["elder", "household", "region_code"])
    WorkerTask.objects.filter(device=device, status=WorkerTask.Status.OPEN).update(
        elder=elder, region_code=elder.region_code)
    record(by, AuditEntry.Action.CHANGE, device, verb="device.bind", note=note.strip(),
           changes={"elder": [None, elder.pk], "region_code": [before, elder.region_code]})
    return device


@transaction.atomic
def unbind_device(device: Device, *, by, note: str = "") -> Device:
    """Take a device back from its elder (she moved, died, or it goes to someone else): it
    stays registered, in stock in the same community, and its alarms stay hers. Audited."""
    if not can_edit_devices(by, device.region_code):
        raise PermissionDenied
    if device.elder_id is None:
        raise ValidationError(_("This device is not bound to an elder."), code="not_bound")
    before = device.elder_id
    device.elder, device.household = None, None
    device.save(update_fields=["elder", "household"])
    WorkerTask.objects.filter(device=device, status=WorkerTask.Status.OPEN).update(elder=None)
    record(by, AuditEntry.Action.CHANGE, device, verb="device.unbind", note=note.strip(),
           changes={"elder": [before, None]})
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
        Device.objects.filter(status=Device.Status.ONLINE).exclude(IN_STOCK)
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
        .exclude(status=Device.Status.RETIRED).exclude(IN_STOCK)
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
