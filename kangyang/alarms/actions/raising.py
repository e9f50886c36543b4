"""Alarms come in: one at a time (app, hotline, rules, the webhook) or in batches (the
ingester). The same (device, msg_id) twice is one alarm: a unique constraint, and a
get-or-create that treats losing the race as finding the existing row.

Repeats (issue 12): an elder who presses the pendant again, or the app's SOS after the
pendant's, while her alarm of that type is still open and its latest message came within
ALARM_REPEAT_WINDOW, does not make a second waiting item: the message is kept as an
AlarmRepeat of the open alarm, whose count goes up and which the console shows changed.
A repeat is unique on (device, msg_id) like an alarm, so a redelivered message is found
again whether it became an alarm or a repeat. Hotline and rule alarms are never merged (the
operator on the phone, or the rule, already knows)."""

import dataclasses
import datetime as dt
import typing
from collections.abc import Sequence
from functools import partial

from django.core.exceptions import ValidationError
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.alarms import tasks
from kangyang.alarms.models import Alarm, AlarmEvent, AlarmRepeat, Device
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
# Sources whose alarms are merged into an open alarm of the same elder and type.
MERGED_SOURCES = (Alarm.Source.DEVICE, Alarm.Source.APP)


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
    second call returns it with created=False. A device or app alarm of an elder whose alarm
    of the same type is open and was last raised within ALARM_REPEAT_WINDOW is merged into
    it (a repeat; created=False, the open alarm returned). Coordinates must already be WGS-84."""
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
    raised_by = by if by is not None and by.is_authenticated else None
    if source in MERGED_SOURCES and elder is not None:
        target = open_alarm_to_merge(elder_id=elder.pk, type=type, now=now)
        if target is not None:
            repeat = AlarmRepeat(
                alarm=target, region_code=target.region_code, source=source, device=device,
                elder=elder, msg_id=msg_id, raised_at=raised_at or now, received_at=now, lat=lat, lng=lng,
                battery=battery,
            )
            stored = _store_repeats([repeat], now=now, by=raised_by)
            if stored and raised_by is not None:
                record(raised_by, AuditEntry.Action.CHANGE, target, verb="alarm.repeat")
            if not stored:  # the same message, stored a moment ago by someone else
                return _existing(device=device, elder=elder, source=source, msg_id=msg_id) or target, False
            target.refresh_from_db()
            return target, False
    alarm = Alarm(
        elder=elder, device=device, household=household, region_code=region_code, source=source,
        type=type, priority=priority or PRIORITY_BY_TYPE[type], msg_id=msg_id,
        raised_at=raised_at or now, received_at=now, updated_at=now, lat=lat, lng=lng,
        battery=battery, raised_by=raised_by, caller_masked=caller_masked, note=note,
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
    _tell_family_after_commit([alarm.pk] if alarm.elder_id is not None else [])
    return alarm, True


def _tell_family_after_commit(alarm_ids: list[int]) -> None:
    """The family bound to the elder in the app hears of a new alarm at once (issue 14;
    alarms/notifications.py decides whom and how), after commit: one task for the call or
    batch."""
    if alarm_ids:
        transaction.on_commit(partial(tasks.tell_family_at_raise.enqueue, list(alarm_ids)))


def _existing(*, device, elder, source, msg_id) -> Alarm | None:
    """The alarm this message became before: as an alarm of its own, or as a repeat."""
    if device is not None:
        alarm = Alarm.objects.filter(device=device, msg_id=msg_id).first()
        repeats = AlarmRepeat.objects.filter(device=device, msg_id=msg_id)
    else:
        alarm = Alarm.objects.filter(device__isnull=True, elder=elder, source=source, msg_id=msg_id).first()
        repeats = AlarmRepeat.objects.filter(device__isnull=True, elder=elder, source=source, msg_id=msg_id)
    if alarm is not None:
        return alarm
    repeat = repeats.select_related("alarm").first()
    return repeat.alarm if repeat is not None else None


def _mergeable(now: dt.datetime):
    """Open alarms whose latest message came within the repeat window (none when merging is
    off)."""
    window = settings.ALARM_REPEAT_WINDOW
    if not window:
        return Alarm.objects.none()
    return Alarm.objects.open().alias(last=Coalesce("last_repeat_at", "received_at")).filter(last__gte=now - window)


def open_alarm_to_merge(*, elder_id: int, type: str, now: dt.datetime) -> Alarm | None:
    """The open alarm a new alarm of this elder and type is a repeat of, if any: the newest
    one whose latest message came within ALARM_REPEAT_WINDOW."""
    return _mergeable(now).filter(elder_id=elder_id, type=type).order_by("-received_at", "-id").first()


def _store_repeats(repeats: Sequence[AlarmRepeat], *, now: dt.datetime, by=None) -> list[AlarmRepeat]:
    """Keep the repeats, then count them on their alarms (which the console then shows
    changed) with a "raised again" event each. A repeat stored meanwhile by someone else (the
    same device message through the webhook) is skipped. Returns those stored."""
    if not repeats:
        return []
    try:
        with transaction.atomic():
            stored = AlarmRepeat.objects.bulk_create(repeats)
    except IntegrityError:
        stored = []
        for repeat in repeats:
            try:
                with transaction.atomic():
                    repeat.save()
            except IntegrityError:
                continue
            stored.append(repeat)
    per_alarm: dict[int, int] = {}
    for repeat in stored:
        per_alarm[repeat.alarm_id] = per_alarm.get(repeat.alarm_id, 0) + 1
    for alarm_id, n in per_alarm.items():
        Alarm.objects.filter(pk=alarm_id).update(
            repeat_count=F("repeat_count") + n, last_repeat_at=now, updated_at=now,
        )
    AlarmEvent.objects.bulk_create([
        AlarmEvent(alarm_id=r.alarm_id, region_code=r.region_code, kind=K.REPEATED, at=now, by=by)
        for r in stored
    ])
    return stored


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


class Raised(typing.NamedTuple):
    """What became of one device message of a batch: the alarm it is (or is a repeat of),
    whether this call created that alarm, and whether this call stored it as a repeat."""

    alarm_id: int
    created: bool
    repeat: bool = False


@transaction.atomic
def raise_device_alarms(items: Sequence[DeviceAlarm], *, now: dt.datetime | None = None) -> list[Raised]:
    """raise_alarm for a batch of device messages in one transaction (the ingester's path),
    in the order of `items`. The same rules: a (device, msg_id) stored before (as an alarm or
    a repeat), or twice in the batch, is the one alarm; a message of an elder whose alarm of
    that type is open within the repeat window, or who raised one earlier in the batch, is a
    repeat of it. On PostgreSQL one statement inserts the new alarms and their "raised"
    events (INSERT … ON CONFLICT DO NOTHING, so a webhook storing the same message at the
    same moment is no error); elsewhere, bulk inserts."""
    now = now or timezone.now()
    if not items:
        return []
    first: dict[tuple[int, str], DeviceAlarm] = {}
    for i in items:
        first.setdefault((i.device.pk, i.msg_id), i)
    known = _known_messages(list(first))
    fresh = [i for key, i in first.items() if key not in known]

    # Which fresh messages are repeats, and of what: an open alarm, or the first message of
    # the same elder and type in this batch (its "leader").
    groups = {(i.device.elder_id, i.type) for i in fresh if i.device.elder_id is not None}
    open_by_group: dict[tuple[int, str], int] = {}
    if groups:
        for pk, elder_id, type_ in (
            _mergeable(now).filter(elder_id__in={g[0] for g in groups}, type__in={g[1] for g in groups})
            .order_by("received_at", "id").values_list("pk", "elder_id", "type")
        ):
            open_by_group[(elder_id, type_)] = pk  # the newest wins
    merge_on = bool(settings.ALARM_REPEAT_WINDOW)
    new_items: list[DeviceAlarm] = []
    repeats: list[tuple[DeviceAlarm, int | tuple[int, str]]] = []  # target: alarm id or leader key
    leaders: dict[tuple[int, str], tuple[int, str]] = {}
    for i in fresh:
        group = (i.device.elder_id, i.type) if i.device.elder_id is not None and merge_on else None
        if group in open_by_group:
            repeats.append((i, open_by_group[group]))
        elif group in leaders:
            repeats.append((i, leaders[group]))
        else:
            new_items.append(i)
            if group is not None:
                leaders[group] = (i.device.pk, i.msg_id)

    if not new_items:
        created = {}
    elif connection.vendor == "postgresql":
        created = _insert_device_alarms_pg(new_items, now=now)
    else:
        created = _insert_device_alarms(new_items, now=now)
    lost = [(i.device.pk, i.msg_id) for i in new_items if (i.device.pk, i.msg_id) not in created]
    if lost:  # stored a moment ago by someone else (the webhook): those are the alarms
        known.update(_known_messages(lost))

    def alarm_of(target) -> int:
        return target if isinstance(target, int) else created.get(target) or known[target]

    stored = _store_repeats([
        AlarmRepeat(
            alarm_id=alarm_of(target), region_code=i.device.region_code, source=Alarm.Source.DEVICE,
            device_id=i.device.pk, elder_id=i.device.elder_id, msg_id=i.msg_id, raised_at=i.raised_at,
            received_at=now, lat=i.lat, lng=i.lng, battery=i.battery,
        )
        for i, target in repeats
    ], now=now)
    repeated = {(r.device_id, r.msg_id): r.alarm_id for r in stored}
    missed = [(i.device.pk, i.msg_id) for i, _t in repeats if (i.device.pk, i.msg_id) not in repeated]
    if missed:
        known.update(_known_messages(missed))

    with_elder = {(i.device.pk, i.msg_id) for i in new_items if i.device.elder_id is not None}
    _tell_family_after_commit(sorted({pk for key, pk in created.items() if key in with_elder}))

    results, seen = [], set()
    for i in items:
        key = (i.device.pk, i.msg_id)
        if key in seen:
            results.append(Raised(created.get(key) or repeated.get(key) or known[key], False))
        elif key in created:
            results.append(Raised(created[key], True))
        elif key in repeated:
            results.append(Raised(repeated[key], False, True))
        else:
            results.append(Raised(known[key], False))
        seen.add(key)
    return results


def _known_messages(keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """{(device pk, msg_id): alarm id} of the device messages stored before, as alarms or as
    repeats."""
    if not keys:
        return {}
    devices, msg_ids, wanted = {k[0] for k in keys}, {k[1] for k in keys}, set(keys)
    found = {
        (device_pk, msg_id): pk for pk, device_pk, msg_id in AlarmRepeat.objects.filter(
            device_id__in=devices, msg_id__in=msg_ids).values_list("alarm_id", "device_id", "msg_id")
    }
    found.update({
        (device_pk, msg_id): pk for pk, device_pk, msg_id in Alarm.objects.filter(
            device_id__in=devices, msg_id__in=msg_ids).values_list("pk", "device_id", "msg_id")
    })
    return {k: v for k, v in found.items() if k in wanted}


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
                escalation_tier, repeat_count)
            SELECT device_id, msg_id, type, priority, raised_at, lat, lng, battery, elder_id, household_id,
                   region_code, %s, %s, '', %s, %s, '', '', 0, 0
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
