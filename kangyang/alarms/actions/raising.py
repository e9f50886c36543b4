"""Alarms come in: one at a time (app, hotline, rules, the webhook) or in batches (the
ingester). The same (device, msg_id) twice is one alarm: a unique constraint, and a
get-or-create that treats losing the race as finding the existing row."""

import dataclasses
import datetime as dt
import typing
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.alarms.models import Alarm, AlarmEvent, Device
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.regions.models import Household
from kangyang.registry.models import Elder

S = Alarm.Status
K = AlarmEvent.Kind

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
