"""/api/v1/alarms and /api/v1/devices.

Scope. Alarms and devices are loaded through alarms.queries, which start from
`.visible_to(user)`: operators, officers and workers see their area, elders and family
their own elder's; anything else is a 404 and never listed. Acknowledging, acting and
resolving need a handler of the area (operator, bureau admin as duty officer), else 403;
a note may also come from the area's community worker.

Raising. `POST /alarms` is the app's SOS (by the elder or a family member, source "app")
or the hotline operator's alarm for a caller (source "hotline"), for an elder the caller
can see. An optional `msg_id` makes a retried request the same alarm.

Conflicts. A second operator acknowledging an alarm already taken gets 409 `taken`,
naming who took it; acting on or resolving an alarm in the wrong state is 409 too.

Vendors' clouds. `POST /devices/webhook` takes one device message signed with the
vendor's secret (KANGYANG_DEVICE_WEBHOOK_SECRETS) and feeds the same ingest path as MQTT:
headers `X-Kangyang-Vendor`, `X-Kangyang-Timestamp` (Unix seconds, within 5 minutes) and
`X-Kangyang-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`; body
`{"device_id": ..., "event": "alarm" | "heartbeat" | a registered kind ("reading"), "payload":
{... as over MQTT ...}}`.
"""

import datetime as dt
import hashlib
import hmac
import json
import time
from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.accounts import scope
from kangyang.alarms import actions, broker, ingest, queries
from kangyang.alarms.models import Alarm, AlarmEvent, Device
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import StrictDate, UtcDatetime
from kangyang.lib import coords, phone as phones
from kangyang.regions.models import Household
from kangyang.registry.models import Contact
from kangyang.registry.queries import get_elder_for

router = Router(tags=["alarms"])
devices_router = Router(tags=["devices"])

WEBHOOK_WINDOW = 300  # seconds: a signed request older or newer than this is refused


def _one_of(values):
    return Literal[tuple(values)]  # type: ignore[valid-type]


AlarmType = _one_of(Alarm.Type.values)
RaisableType = _one_of([t for t in Alarm.Type.values if t != Alarm.Type.CHECK_ON])
AlarmSource = _one_of(Alarm.Source.values)
AlarmStatus = _one_of(Alarm.Status.values)
AlarmOutcome = _one_of(Alarm.Outcome.values)
EventKind = _one_of(AlarmEvent.Kind.values)
ActionKind = _one_of([str(k) for k in AlarmEvent.ACTIONS])
DeviceKind = _one_of(Device.Kind.values)
DeviceStatus = _one_of(Device.Status.values)


def _name(user) -> str | None:
    return str(user) if user is not None else None


# -- schemas ---------------------------------------------------------------------------------
class AlarmOut(Schema):
    id: int
    source: AlarmSource
    type: AlarmType
    priority: int = Field(..., description="1 urgent, 2 high, 3 normal, 4 low.")
    status: AlarmStatus
    outcome: AlarmOutcome | Literal[""]
    elder: int | None
    elder_name: str | None
    device: str | None = Field(None, description="The device id, for device alarms.")
    region_code: str
    raised_at: UtcDatetime
    received_at: UtcDatetime
    lat: float | None = Field(None, description="WGS-84.")
    lng: float | None = Field(None, description="WGS-84.")
    battery: int | None
    caller_masked: str
    note: str
    escalation_tier: int = Field(..., description="0 first line, 1 second operator group, 2 duty officer.")
    repeat_count: int = Field(..., description="Repeats of the elder's alarm merged into this one while it was open.")
    acknowledged_by: str | None
    acknowledged_at: UtcDatetime | None
    resolved_by: str | None
    resolved_at: UtcDatetime | None

    @staticmethod
    def resolve_elder(obj: Alarm) -> int | None:
        return obj.elder_id

    @staticmethod
    def resolve_elder_name(obj: Alarm) -> str | None:
        return obj.elder.name if obj.elder_id else None

    @staticmethod
    def resolve_device(obj: Alarm) -> str | None:
        return obj.device.device_id if obj.device_id else None

    @staticmethod
    def resolve_acknowledged_by(obj: Alarm) -> str | None:
        return _name(obj.acknowledged_by)

    @staticmethod
    def resolve_resolved_by(obj: Alarm) -> str | None:
        return _name(obj.resolved_by)


class AlarmEventOut(Schema):
    id: int
    kind: EventKind
    at: UtcDatetime
    by: str | None
    contact: int | None
    contact_name: str | None
    reached: bool | None
    tier: int | None
    note: str

    @staticmethod
    def resolve_by(obj: AlarmEvent) -> str | None:
        return _name(obj.by)

    @staticmethod
    def resolve_contact(obj: AlarmEvent) -> int | None:
        return obj.contact_id

    @staticmethod
    def resolve_contact_name(obj: AlarmEvent) -> str | None:
        return obj.contact.name if obj.contact_id else None


class AlarmDetailOut(AlarmOut):
    events: list[AlarmEventOut]

    @staticmethod
    def resolve_events(obj: Alarm):
        return list(queries.timeline(obj))


class AlarmIn(Schema):
    """An SOS from the app (elder or family) or an alarm the hotline operator raises for a
    caller."""

    elder: int
    type: RaisableType = "sos"
    msg_id: str = Field("", max_length=64, description="Optional key: the same key twice is one alarm.")
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    coord: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    caller: str = Field("", max_length=32, description="Hotline: the caller's number (stored masked).")
    note: str = Field("", max_length=2000)


class AlarmFilter(Schema):
    status: AlarmStatus | None = None
    type: AlarmType | None = None
    source: AlarmSource | None = None
    device: str | None = Field(None, max_length=64, description="A device id.")
    elder: int | None = None


class AcknowledgeIn(Schema):
    note: str = Field("", max_length=2000)


class ActionIn(Schema):
    kind: ActionKind
    contact: int | None = Field(None, description="For called_contact: the contact's id.")
    reached: bool | None = Field(None, description="For calls: whether the person answered.")
    note: str = Field("", max_length=2000)


class ResolveIn(Schema):
    outcome: AlarmOutcome
    note: str = Field("", max_length=2000)


class DeviceOut(Schema):
    device_id: str
    kind: DeviceKind
    vendor: str
    model: str
    installed_on: dt.date | None
    elder: int | None
    elder_name: str | None
    household: int | None
    region_code: str
    heartbeat_interval_seconds: int
    status: DeviceStatus
    last_seen_at: UtcDatetime | None
    battery: int | None
    battery_low: bool
    offline_since: UtcDatetime | None
    last_test_alarm_at: UtcDatetime | None
    mqtt_username: str = Field(description="The device's user name at the MQTT broker.")

    @staticmethod
    def resolve_elder(obj: Device) -> int | None:
        return obj.elder_id

    @staticmethod
    def resolve_elder_name(obj: Device) -> str | None:
        return obj.elder.name if obj.elder_id else None

    @staticmethod
    def resolve_household(obj: Device) -> int | None:
        return obj.household_id

    @staticmethod
    def resolve_heartbeat_interval_seconds(obj: Device) -> int:
        return int(obj.heartbeat_interval.total_seconds())


class DeviceCredentialsOut(DeviceOut):
    mqtt_password: str = Field(description=(
        "The device's password at the MQTT broker. Shown this once: only its hash is stored. "
        "It works once `kangyang mqtt_auth` has rewritten the broker's files."))


class DeviceIn(Schema):
    device_id: str = Field(..., max_length=64, description="The id in the device's MQTT topic.")
    kind: DeviceKind
    vendor: str = Field("", max_length=100)
    model: str = Field("", max_length=100)
    installed_on: StrictDate | None = None
    elder: int | None = Field(None, description="The elder who wears or uses it.")
    household: int | None = Field(None, description="Or the household where it is installed.")
    heartbeat_interval_seconds: int | None = Field(None, ge=10, le=7 * 24 * 3600)


class DeviceFilter(Schema):
    status: DeviceStatus | None = None
    kind: DeviceKind | None = None
    elder: int | None = None
    community: str | None = Field(None, pattern=r"^\d{12}$")


class WebhookOut(Schema):
    outcome: str  # "alarm", "repeat", "duplicate", "heartbeat", or a registered kind's ("reading")
    alarm: int | None = None
    record: int | None = None  # the row a registered kind stored (a reading's id)


# -- alarms ----------------------------------------------------------------------------------
@router.get("", response=list[AlarmOut])
@paginate(Page)
def list_alarms(request, filters: Query[AlarmFilter]):
    """Alarms the caller may see, newest first."""
    return queries.alarms_for(
        request.auth, status=filters.status or "", type=filters.type or "",
        source=filters.source or "", device=filters.device or "", elder=filters.elder,
    ).select_related("acknowledged_by", "resolved_by")


@router.post("", response={201: AlarmOut, 200: AlarmOut})
def raise_(request, payload: AlarmIn):
    """The app's SOS or a hotline alarm; 201 when new, 200 when `msg_id` was seen before or
    when the app's alarm was merged into the elder's open alarm of the same type (a repeat:
    the open alarm is returned, its `repeat_count` one higher)."""
    user = request.auth
    elder = get_elder_for(user, payload.elder)
    if scope.is_personal(user):
        source = Alarm.Source.APP
    elif actions.can_handle(user, elder.region_code):
        source = Alarm.Source.HOTLINE
    else:
        raise PermissionDenied
    lat = lng = None
    if payload.lat is not None and payload.lng is not None:
        lng, lat = coords.to_wgs84(payload.lng, payload.lat, payload.coord)
    caller = ""
    if payload.caller:
        try:
            caller = phones.mask(phones.normalise(payload.caller))
        except ValidationError as e:
            raise ValidationError({"caller": e}) from None
    alarm, created = actions.raise_alarm(
        source=source, type=payload.type, elder=elder, msg_id=payload.msg_id.strip(), lat=lat, lng=lng,
        by=user, caller_masked=caller, note=payload.note.strip(),
    )
    return Status(201 if created else 200, alarm)


@router.get("/{alarm_id}", response=AlarmDetailOut)
def detail(request, alarm_id: int):
    """One alarm with its timeline."""
    return queries.get_alarm_for(request.auth, alarm_id)


@router.post("/{alarm_id}/acknowledge", response=AlarmOut)
def acknowledge(request, alarm_id: int, payload: AcknowledgeIn):
    """Take the alarm. 409 `taken` if another operator was first."""
    alarm = queries.get_alarm_for(request.auth, alarm_id, write=True)
    return actions.acknowledge_alarm(alarm, by=request.auth, note=payload.note.strip())


@router.post("/{alarm_id}/actions", response={201: AlarmEventOut})
def act(request, alarm_id: int, payload: ActionIn):
    """Record what was done (a call, who was sent, a note)."""
    alarm = queries.get_alarm_for(request.auth, alarm_id)
    contact = None
    if payload.contact is not None:
        contact = Contact.objects.filter(pk=payload.contact, elder_id=alarm.elder_id).first()
        if contact is None:
            raise ValidationError({"contact": ValidationError(
                _("Choose one of the elder's contacts."), code="invalid")})
    event = actions.record_alarm_action(
        alarm, by=request.auth, kind=payload.kind, contact=contact, reached=payload.reached,
        note=payload.note,
    )
    return Status(201, event)


@router.post("/{alarm_id}/resolve", response=AlarmOut)
def resolve(request, alarm_id: int, payload: ResolveIn):
    """Close the alarm with its outcome ("no_answer" also asks for a door visit)."""
    alarm = queries.get_alarm_for(request.auth, alarm_id, write=True)
    return actions.resolve_alarm(alarm, by=request.auth, outcome=payload.outcome, note=payload.note)


# -- devices ---------------------------------------------------------------------------------
@devices_router.get("", response=list[DeviceOut])
@paginate(Page)
def list_devices(request, filters: Query[DeviceFilter]):
    """Devices the caller may see."""
    return queries.devices_for(
        request.auth, status=filters.status or "", kind=filters.kind or "", elder=filters.elder,
        community=filters.community or "",
    )


@devices_router.post("", response={201: DeviceCredentialsOut})
def register(request, payload: DeviceIn):
    """Put a device into service for an elder or a household of the caller's area. The answer
    holds the device's broker password, this once."""
    user = request.auth
    elder = get_elder_for(user, payload.elder) if payload.elder is not None else None
    household = None
    if payload.household is not None:
        household = Household.objects.filter(
            scope.region_filter(user, field="region_code"), pk=payload.household
        ).first()
        if household is None:
            raise Http404
    interval = (
        dt.timedelta(seconds=payload.heartbeat_interval_seconds)
        if payload.heartbeat_interval_seconds else None
    )
    device = actions.register_device(
        by=user, device_id=payload.device_id, kind=payload.kind, vendor=payload.vendor,
        model=payload.model, installed_on=payload.installed_on, elder=elder, household=household,
        heartbeat_interval=interval,
    )
    return Status(201, device)


@devices_router.post("/webhook", response=WebhookOut, auth=None)
def webhook(request):
    """One device message from a vendor's cloud, signed (see the module docstring). The
    same rules as MQTT: the same msg_id twice is one alarm; a bad message is stored for
    review and answered 422."""
    vendor = request.headers.get("X-Kangyang-Vendor", "")
    _check_signature(
        vendor, request.headers.get("X-Kangyang-Timestamp", ""),
        request.headers.get("X-Kangyang-Signature", ""), request.body,
    )
    try:
        body = json.loads(request.body)
        device_id, event, payload = body["device_id"], body["event"], body["payload"]
        if not isinstance(device_id, str) or not isinstance(event, str) or event not in ingest.kinds():
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise ValidationError(_("The body must be {device_id, event, payload}."), code="bad_message") from None
    topic = broker.device_topic(device_id, event)
    outcome = ingest.handle_message(topic, json.dumps(payload).encode(), vendor=vendor)
    if outcome.kind == "bad":
        raise ValidationError(
            _("The message was refused (%(reason)s) and kept for review.") % {"reason": outcome.reason},
            code="bad_message",
        )
    return {"outcome": outcome.kind, "alarm": outcome.alarm_id, "record": outcome.record_id}


def _check_signature(vendor: str, timestamp: str, signature: str, body: bytes) -> None:
    secret = settings.DEVICE_WEBHOOK_SECRETS.get(vendor)
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        age = None
    expected = (
        "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if secret else ""
    )
    if not secret or age is None or not hmac.compare_digest(expected, signature):
        _refuse(_("The signature is missing or wrong."))
    if age > WEBHOOK_WINDOW:
        _refuse(_("The timestamp is more than 5 minutes away from now."))


def _refuse(message: str):
    e = HttpError(401, message)
    e.code = "bad_signature"
    raise e


@devices_router.post("/{device_id}/credentials", response=DeviceCredentialsOut)
def renew_credentials(request, device_id: str):
    """A new broker password for the device (the old one stops working at the next
    `kangyang mqtt_auth`), shown this once."""
    device = queries.get_device_for(request.auth, device_id)
    device.mqtt_password = actions.issue_device_credentials(device, by=request.auth)
    return device


@devices_router.get("/{device_id}", response=DeviceOut)
def device_detail(request, device_id: str):
    """One device by its id; outside the caller's scope, 404."""
    return queries.get_device_for(request.auth, device_id)
