"""Reads of alarms, devices and tasks. Views, API and reports start here; each starts from
`.visible_to(user)`, so nothing outside the caller's scope is ever returned, and a record
outside scope is a 404."""

import dataclasses
import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.alarms import constants, ingest, mosquitto
from kangyang.alarms.actions.access import can_handle
from kangyang.alarms.models import Alarm, AlarmEvent, BrokerStatus, Device, WorkerTask
from kangyang.lib import crypto, phone as phones, residentid
from kangyang.registry.models import Elder


def get_alarm_for(user, alarm_id: int, *, write: bool = False) -> Alarm:
    """The only way views and API handlers load an alarm. Outside scope → 404; `write`:
    the caller must be one who handles alarms there (operator, duty officer), else 403."""
    alarm = get_object_or_404(
        Alarm.objects.visible_to(user).select_related(
            "elder", "device", "household", "acknowledged_by", "resolved_by"
        ),
        pk=alarm_id,
    )
    if write and not can_handle(user, alarm.region_code):
        raise PermissionDenied
    return alarm


def alarms_for(
    user, *, status: str = "", type: str = "", device: str = "", elder: int | None = None,
    source: str = "", since: dt.datetime | None = None,
) -> QuerySet[Alarm]:
    """The alarms a user may see, newest first, filtered. Unknown filter values find nothing."""
    qs = Alarm.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status) if status in Alarm.Status.values else qs.none()
    if type:
        qs = qs.filter(type=type) if type in Alarm.Type.values else qs.none()
    if source:
        qs = qs.filter(source=source) if source in Alarm.Source.values else qs.none()
    if device:
        qs = qs.filter(device__device_id=device)
    if elder is not None:
        qs = qs.filter(elder_id=elder)
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    return qs.select_related("elder", "device").order_by("-received_at", "-id")


def open_alarms_for(user) -> QuerySet[Alarm]:
    """The live queue: alarms not yet resolved, those waiting first (most urgent, then
    oldest), then those in hand."""
    return (
        Alarm.objects.visible_to(user).open()
        .select_related("elder", "device", "acknowledged_by")
        .order_by("-status", "priority", "received_at")  # descending: "raised" before "acknowledged"
    )


def alarms_changed_since(user, since: dt.datetime) -> QuerySet[Alarm]:
    """Alarms raised or changed (acknowledged, escalated, acted on, resolved) after `since`,
    for the console's live updates. Every action sets `updated_at`."""
    return (
        Alarm.objects.visible_to(user).filter(updated_at__gt=since)
        .select_related("elder", "device", "acknowledged_by").order_by("updated_at", "id")
    )


def timeline(alarm: Alarm) -> QuerySet[AlarmEvent]:
    return alarm.events.select_related("by", "contact").order_by("at", "id")


def recent_alarms_of(elder: Elder, *, limit: int = 10, exclude: int | None = None) -> list[Alarm]:
    """The elder's last alarms, for the card (the caller has loaded the elder in scope)."""
    qs = Alarm.objects.filter(elder=elder).order_by("-received_at")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs[:limit])


def elders_by_phone(user, number: str) -> QuerySet[Elder]:
    """The hotline: the caller's number → the elders registered with it, in the operator's
    scope (exact match on the keyed hash; an invalid number finds nobody)."""
    try:
        normalised = phones.normalise(number)
    except ValidationError:
        return Elder.objects.none()
    return Elder.objects.visible_to(user).filter(phone_hash=crypto.lookup_hash(normalised))


# -- devices ---------------------------------------------------------------------------------
def get_device_for(user, device_id: str) -> Device:
    """A device by the id in its topic; outside scope → 404."""
    return get_object_or_404(
        Device.objects.visible_to(user).select_related("elder", "household"), device_id=device_id
    )


def devices_for(
    user, *, status: str = "", kind: str = "", elder: int | None = None, community: str = "",
) -> QuerySet[Device]:
    qs = Device.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status) if status in Device.Status.values else qs.none()
    if kind:
        qs = qs.filter(kind=kind) if kind in Device.Kind.values else qs.none()
    if elder is not None:
        qs = qs.filter(elder_id=elder)
    if community:
        qs = qs.filter(region_code=community)
    return qs.select_related("elder").order_by("region_code", "device_id")


# -- tasks -----------------------------------------------------------------------------------
def open_tasks_for(user) -> QuerySet[WorkerTask]:
    """A community worker's open tasks from devices and alarms, oldest first."""
    return (
        WorkerTask.objects.visible_to(user).filter(status=WorkerTask.Status.OPEN)
        .select_related("device", "alarm", "elder").order_by("created_at", "id")
    )


def get_task_for(user, task_id: int) -> WorkerTask:
    return get_object_or_404(WorkerTask.objects.visible_to(user), pk=task_id)


def with_timeline(qs: QuerySet[Alarm]) -> QuerySet[Alarm]:
    return qs.prefetch_related(Prefetch("events", queryset=AlarmEvent.objects.select_related("by").order_by("at", "id")))


def broker_warnings(*, now: dt.datetime | None = None) -> list[BrokerStatus]:
    """Brokers whose drop counter went up within constants.BROKER_DROP_WARNING: alarms may
    have been acknowledged to a device and never reached us. Not personal data: every
    signed-in staff member who sees the console may see it."""
    now = now or timezone.now()
    return list(BrokerStatus.objects.filter(dropped_rose_at__gte=now - constants.BROKER_DROP_WARNING))


def broker_accounts(*, ingester: mosquitto.Account | None) -> list[mosquitto.Account]:
    """The broker's accounts: the ingester (may read every device's topics of the kinds the
    ingestion handles, alarm, heartbeat and the registered ones, and the broker's $SYS counters), then each device in service that has
    credentials (may write its own topics, read nothing). Retired devices have none."""
    prefix = settings.MQTT_TOPIC_PREFIX
    accounts = []
    if ingester is not None:
        accounts.append(dataclasses.replace(
            ingester, read=(*(f"{prefix}/devices/+/{k}" for k in ingest.kinds()), "$SYS/broker/#"),
        ))
    rows = (
        Device.objects.exclude(status=Device.Status.RETIRED).exclude(mqtt_password_hash="")
        .order_by("mqtt_username").values_list("device_id", "mqtt_username", "mqtt_password_hash")
    )
    for device_id, username, hashed in rows.iterator(chunk_size=5000):
        accounts.append(mosquitto.Account(username, hashed, write=(f"{prefix}/devices/{device_id}/#",)))
    return accounts


def devices_without_credentials() -> QuerySet:
    return Device.objects.exclude(status=Device.Status.RETIRED).filter(mqtt_password_hash="")


# -- the devices page (issue 12) ---------------------------------------------------------------
DEVICE_STATES = ("online", "offline", "unbound", "retired", "low_battery")


def with_seen(devices: QuerySet) -> QuerySet:
    """Devices with `seen`: when last heard from, or registered if never."""
    return devices.alias(seen=Coalesce("last_seen_at", "registered_at"))


def offline_filter(now: dt.datetime) -> Q:
    """Offline: a device in service marked so by the device checks, or online but not heard
    from for its heartbeat interval plus ALARM_OFFLINE_GRACE (the same threshold, before the
    next check marks it). Over devices aliased with `seen` (with_seen)."""
    in_service = ~Q(elder__isnull=True, household__isnull=True)  # a device in stock sends nothing
    return in_service & (Q(status=Device.Status.OFFLINE) | Q(
        status=Device.Status.ONLINE, seen__lt=now - settings.ALARM_OFFLINE_GRACE - F("heartbeat_interval"),
    ))


def devices_page_for(user, *, state: str = "", kind: str = "", q: str = "",
                     now: dt.datetime | None = None) -> QuerySet[Device]:
    """The devices page's rows: the user's devices, each with its last alarm (time and type)
    and whether it is offline now, filtered by state (DEVICE_STATES), kind and device id."""
    now = now or timezone.now()
    last = Alarm.objects.filter(device=OuterRef("pk")).order_by("-received_at", "-id")
    qs = (
        Device.objects.visible_to(user).select_related("elder")
        .alias(seen=Coalesce("last_seen_at", "registered_at"))
        .annotate(
            last_alarm_at=Subquery(last.values("received_at")[:1]),
            last_alarm_type=Subquery(last.values("type")[:1]),
            is_offline=ExpressionWrapper(offline_filter(now), output_field=BooleanField()),
        )
    )
    if state == "offline":
        qs = qs.filter(offline_filter(now))
    elif state == "online":
        qs = qs.filter(status=Device.Status.ONLINE).exclude(offline_filter(now))
    elif state == "unbound":
        qs = qs.filter(elder__isnull=True, household__isnull=True).exclude(status=Device.Status.RETIRED)
    elif state == "retired":
        qs = qs.filter(status=Device.Status.RETIRED)
    elif state == "low_battery":
        qs = qs.filter(battery__lte=constants.LOW_BATTERY_PERCENT).exclude(status=Device.Status.RETIRED)
    elif state:
        qs = qs.none()
    if kind:
        qs = qs.filter(kind=kind) if kind in Device.Kind.values else qs.none()
    if q.strip():
        qs = qs.filter(device_id__icontains=q.strip())
    # The offline list: longest silent first; otherwise by place and id.
    return qs.order_by("seen", "device_id") if state == "offline" else qs.order_by("region_code", "device_id")


def device_counts_for(user, *, now: dt.datetime | None = None) -> dict[str, int]:
    """How many of the user's devices are in service, offline and unbound (the page's tabs)."""
    now = now or timezone.now()
    qs = Device.objects.visible_to(user).alias(seen=Coalesce("last_seen_at", "registered_at"))
    return qs.aggregate(
        total=Count("pk", filter=~Q(status=Device.Status.RETIRED)),
        offline=Count("pk", filter=offline_filter(now)),
        unbound=Count("pk", filter=Q(elder__isnull=True, household__isnull=True) & ~Q(status=Device.Status.RETIRED)),
        low_battery=Count("pk", filter=Q(battery__lte=constants.LOW_BATTERY_PERCENT) & ~Q(status=Device.Status.RETIRED)),
    )


def elder_by_reference(user, text: str) -> Elder:
    """The elder a staff member means by an 18-character resident ID number or by the
    platform's elder number, among the elders she may see. Not found → ValidationError."""
    text = re.sub(r"\s", "", text or "")
    elders = Elder.objects.visible_to(user)
    elder = None
    if len(text) == 18:
        try:
            number = residentid.parse(text).number
        except ValidationError as e:
            raise ValidationError(e.messages, code="id_number") from None
        elder = elders.filter(id_number_hash=crypto.lookup_hash(number)).first()
    elif text.isdigit() and len(text) <= 12:
        elder = elders.filter(pk=int(text)).first()
    else:
        raise ValidationError(_("Give the elder's 18-character ID number or her number on the platform."),
                              code="elder_reference")
    if elder is None:
        raise ValidationError(_("No elder in your area has this ID number or number."), code="elder_unknown")
    return elder
