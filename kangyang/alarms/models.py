"""Alarms (一键呼救), their timeline, the devices that raise them, and the community
worker's follow-up tasks. Every write goes through alarms/actions/."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.alarms import constants


def _visible(user) -> Q:
    """Area staff by the record's own region code (a household's sensor has no elder);
    elders and family: their own elder's records."""
    return scope.elder_filter(user, path="elder__", region_field="region_code")


# -- devices ---------------------------------------------------------------------------------
class DeviceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DeviceQuerySet":
        return self.filter(_visible(user))


class Device(models.Model):
    """A device in an elder's home (pendant, watch, sensor, meter), known by the id it
    uses in its MQTT topic, bound to an elder or to a household."""

    class Kind(models.TextChoices):
        SOS_PENDANT = "sos_pendant", _("SOS pendant")
        SOS_BUTTON = "sos_button", _("SOS button")
        WATCH = "watch", _("smart watch")
        SMOKE = "smoke", _("smoke detector")
        GAS = "gas", _("gas detector")
        WATER_LEAK = "water_leak", _("water-leak sensor")
        DOOR = "door", _("door sensor")
        MOTION = "motion", _("motion sensor")
        WATER_METER = "water_meter", _("water meter")
        # Health meters (kangyang/health): they send readings, not alarms.
        BP_METER = "bp_meter", _("blood-pressure meter")
        GLUCOSE_METER = "glucose_meter", _("glucose meter")
        OXIMETER = "oximeter", _("pulse oximeter")
        SCALE = "scale", _("scale")

    class Status(models.TextChoices):
        ONLINE = "online", _("online")
        OFFLINE = "offline", _("offline")
        RETIRED = "retired", _("retired")

    device_id = models.CharField(_("device id"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    elder = models.ForeignKey(
        "registry.Elder", verbose_name=_("elder"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="devices",
    )
    household = models.ForeignKey(
        "regions.Household", verbose_name=_("household"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="devices",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    heartbeat_interval = models.DurationField(
        _("expected heartbeat interval"), default=constants.DEFAULT_HEARTBEAT
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    battery = models.PositiveSmallIntegerField(_("battery (%)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ONLINE)
    offline_since = models.DateTimeField(_("offline since"), null=True, blank=True)
    last_test_alarm_at = models.DateTimeField(_("last test alarm"), null=True, blank=True)
    # Water meters: the cumulative reading, and when it last went up (the passive rule).
    meter_reading = models.FloatField(_("meter reading"), null=True, blank=True)
    last_use_at = models.DateTimeField(_("last use"), null=True, blank=True)
    # The device's own account at the MQTT broker (`kangyang mqtt_auth` writes the broker's
    # password and ACL files from these). Only a hash is kept, in Mosquitto's own format
    # ($7$: PBKDF2-HMAC-SHA512), so the password file is written without any plaintext.
    mqtt_username = models.CharField(_("MQTT user name"), max_length=64, blank=True)
    mqtt_password_hash = models.CharField(_("MQTT password hash"), max_length=200, blank=True, editable=False)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["region_code", "device_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mqtt_username"], condition=~Q(mqtt_username=""), name="device_unique_mqtt_username",
            ),
        ]
        # No index on last_seen_at: every heartbeat changes it, and without an index on it
        # PostgreSQL updates the row in place (HOT); the offline check scans the devices
        # every half minute instead (50,000 rows: milliseconds).

    def __str__(self) -> str:
        return self.device_id

    @property
    def battery_low(self) -> bool:
        return self.battery is not None and self.battery <= constants.LOW_BATTERY_PERCENT


# -- alarms ----------------------------------------------------------------------------------
class AlarmQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AlarmQuerySet":
        return self.filter(_visible(user))

    def open(self) -> "AlarmQuerySet":
        return self.exclude(status=Alarm.Status.RESOLVED)


class Alarm(models.Model):
    """An emergency call (一键呼救 / 紧急呼叫) from a device, the hotline, the app or a rule,
    from raised to resolved."""

    class Source(models.TextChoices):
        DEVICE = "device", _("device")
        HOTLINE = "hotline", _("hotline")
        APP = "app", _("app")
        RULE = "rule", _("rule")

    class Type(models.TextChoices):
        # CONTRACTS.md "Devices (MQTT)", plus the passive rule's "check on".
        SOS = "sos", _("SOS")
        FALL = "fall", _("fall")
        SMOKE = "smoke", _("smoke")
        GAS = "gas", _("gas")
        WATER = "water", _("water leak")
        DOOR = "door", _("door")
        OTHER = "other", _("other")
        CHECK_ON = "check_on", _("check on")

    class Priority(models.IntegerChoices):
        URGENT = 1, _("urgent")
        HIGH = 2, _("high")
        NORMAL = 3, _("normal")
        LOW = 4, _("low")

    class Status(models.TextChoices):
        RAISED = "raised", _("raised")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        RESOLVED = "resolved", _("resolved")

    class Outcome(models.TextChoices):
        REAL_EMERGENCY = "real_emergency", _("real emergency")
        FALSE_ALARM = "false_alarm", _("false alarm")
        TEST = "test", _("test")
        NO_ANSWER = "no_answer", _("no answer: door visit")

    elder = models.ForeignKey(
        "registry.Elder", verbose_name=_("elder"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="alarms",
    )
    device = models.ForeignKey(
        Device, verbose_name=_("device"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="alarms",
    )
    household = models.ForeignKey(
        "regions.Household", verbose_name=_("household"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="alarms",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RAISED)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    # The sender's message id: the same (device, msg_id) twice is one alarm.
    msg_id = models.CharField(_("message id"), max_length=64, blank=True)
    raised_at = models.DateTimeField(_("raised"), help_text=_("When the device or caller raised it."))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    battery = models.PositiveSmallIntegerField(_("battery (%)"), null=True, blank=True)
    caller_masked = models.CharField(_("caller number"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    escalation_tier = models.PositiveSmallIntegerField(_("escalation tier"), default=constants.TIER_FIRST_LINE)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # Set by every action (also by conditional UPDATEs): the console asks "what changed since".
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)
    # Repeats of this alarm merged into it while it was open (one AlarmRepeat each), and when
    # the latest came: the merge window runs from it (ALARM_REPEAT_WINDOW).
    repeat_count = models.PositiveIntegerField(_("repeats"), default=0)
    last_repeat_at = models.DateTimeField(_("last repeat"), null=True, blank=True)

    objects = AlarmQuerySet.as_manager()

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "escalation_tier", "received_at"], name="alarm_queue_idx"),
            models.Index(fields=["region_code", "received_at"], name="alarm_region_received_idx"),
            models.Index(fields=["elder", "received_at"], name="alarm_elder_received_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "msg_id"], condition=Q(device__isnull=False),
                name="alarm_unique_device_msg",
            ),
            # App and hotline: an optional idempotency key per elder.
            models.UniqueConstraint(
                fields=["elder", "source", "msg_id"], condition=Q(device__isnull=True) & ~Q(msg_id=""),
                name="alarm_unique_elder_msg",
            ),
        ]

    def __str__(self) -> str:
        return _("%(type)s alarm #%(id)s") % {"type": self.get_type_display(), "id": self.pk}

    @property
    def seconds_to_acknowledge(self) -> float | None:
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.received_at).total_seconds()

    @property
    def seconds_to_resolve(self) -> float | None:
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.received_at).total_seconds()


class AlarmEvent(models.Model):
    """One entry of an alarm's timeline: raised, acknowledged, escalated, each action the
    operator took, resolved. Who and when."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("raised")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        ESCALATED = "escalated", _("escalated")
        CALLED_ELDER = "called_elder", _("called the elder")
        CALLED_CONTACT = "called_contact", _("called a contact")
        SENT_WORKER = "sent_worker", _("sent the community worker")
        SENT_CAREGIVER = "sent_caregiver", _("sent the nearest caregiver")
        SENT_VOLUNTEER = "sent_volunteer", _("sent a volunteer")
        CALLED_120 = "called_120", _("called 120 (ambulance)")
        CALLED_110 = "called_110", _("called 110 (police)")
        CALLED_119 = "called_119", _("called 119 (fire)")
        NOTE = "note", _("note")
        DOOR_VISIT = "door_visit", _("door visit requested")
        REPEATED = "repeated", _("raised again")
        RESOLVED = "resolved", _("resolved")

    # The operator's actions (record_alarm_action); the others are written by the flow.
    ACTIONS = (
        Kind.CALLED_ELDER, Kind.CALLED_CONTACT, Kind.SENT_WORKER, Kind.SENT_CAREGIVER,
        Kind.SENT_VOLUNTEER, Kind.CALLED_120, Kind.CALLED_110, Kind.CALLED_119, Kind.NOTE,
    )
    CALLS = (Kind.CALLED_ELDER, Kind.CALLED_CONTACT)

    alarm = models.ForeignKey(Alarm, verbose_name=_("alarm"), on_delete=models.CASCADE, related_name="events")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    contact = models.ForeignKey(
        "registry.Contact", verbose_name=_("contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    reached = models.BooleanField(_("reached"), null=True, blank=True)
    tier = models.PositiveSmallIntegerField(_("escalation tier"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("alarm event")
        verbose_name_plural = _("alarm events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class AlarmRepeat(models.Model):
    """One more message of an alarm already open: the same elder raised the same type again
    (device or app) within ALARM_REPEAT_WINDOW, and it was merged into the open alarm instead
    of waiting as a second one. Kept as it came, and unique on (device, msg_id) like an alarm,
    so a redelivered repeat is still one repeat."""

    alarm = models.ForeignKey(Alarm, verbose_name=_("alarm"), on_delete=models.CASCADE, related_name="repeats")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    source = models.CharField(_("source"), max_length=10, choices=Alarm.Source.choices)
    device = models.ForeignKey(
        Device, verbose_name=_("device"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    # The elder of the alarm (for the app's idempotency key, as Alarm's).
    elder = models.ForeignKey(
        "registry.Elder", verbose_name=_("elder"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    msg_id = models.CharField(_("message id"), max_length=64, blank=True)
    raised_at = models.DateTimeField(_("raised"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    battery = models.PositiveSmallIntegerField(_("battery (%)"), null=True, blank=True)

    class Meta:
        verbose_name = _("alarm repeat")
        verbose_name_plural = _("alarm repeats")
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "msg_id"], condition=Q(device__isnull=False), name="alarmrepeat_unique_device_msg",
            ),
            models.UniqueConstraint(
                fields=["elder", "source", "msg_id"], condition=Q(device__isnull=True) & ~Q(msg_id=""),
                name="alarmrepeat_unique_elder_msg",
            ),
        ]

    def __str__(self) -> str:
        return _("repeat of %(alarm)s") % {"alarm": self.alarm}


class BadMessage(models.Model):
    """A device message that was refused (malformed, unknown type or device, bad time),
    kept for review. The count of these is the ingester's error counter."""

    class Reason(models.TextChoices):
        BAD_TOPIC = "bad_topic", _("unknown topic")
        MALFORMED = "malformed", _("not JSON")
        INVALID = "invalid", _("invalid payload")
        UNKNOWN_TYPE = "unknown_type", _("unknown alarm type")
        BAD_TS = "bad_ts", _("bad time")
        UNKNOWN_DEVICE = "unknown_device", _("unknown device")
        ERROR = "error", _("processing error")

    topic = models.CharField(_("topic"), max_length=200)
    device_id = models.CharField(_("device id"), max_length=64, blank=True, db_index=True)
    payload = models.TextField(_("payload (truncated)"), blank=True)
    payload_size = models.PositiveIntegerField(_("payload size (bytes)"), default=0)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("bad message")
        verbose_name_plural = _("bad messages")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.topic


class BrokerStatus(models.Model):
    """What the MQTT broker last said about itself in its $SYS topics, one row per broker:
    above all how many messages it dropped (a full queue drops alarms that it has already
    acknowledged to the device). Written by the ingester, rarely."""

    broker = models.CharField(_("broker"), max_length=200, unique=True)
    dropped = models.BigIntegerField(_("messages dropped"), default=0)
    stored = models.BigIntegerField(_("messages held"), null=True, blank=True)
    clients_connected = models.IntegerField(_("clients connected"), null=True, blank=True)
    # When the drop counter last went up, and by how much: the console warns for a while.
    dropped_rose_at = models.DateTimeField(_("drops last rose"), null=True, blank=True)
    dropped_rise = models.BigIntegerField(_("last rise"), default=0)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("broker status")
        verbose_name_plural = _("broker statuses")
        ordering = ["broker"]

    def __str__(self) -> str:
        return self.broker


# -- the community worker's tasks ------------------------------------------------------------
class WorkerTaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WorkerTaskQuerySet":
        return self.filter(scope.region_filter(user, field="region_code"))


class WorkerTask(models.Model):
    """Something a community worker must do in person because of a device or an alarm:
    a device went offline, its battery is low, a pendant missed its monthly test, or an
    alarm whose elder and contacts could not be reached needs a door visit."""

    class Kind(models.TextChoices):
        DEVICE_OFFLINE = "device_offline", _("device offline")
        LOW_BATTERY = "low_battery", _("low battery")
        TEST_OVERDUE = "test_overdue", _("monthly test alarm missing")
        DOOR_VISIT = "door_visit", _("door visit")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    device = models.ForeignKey(
        Device, verbose_name=_("device"), null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    alarm = models.ForeignKey(
        Alarm, verbose_name=_("alarm"), null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    elder = models.ForeignKey(
        "registry.Elder", verbose_name=_("elder"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    objects = WorkerTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker task")
        verbose_name_plural = _("worker tasks")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open task of a kind per device, and one door visit per alarm.
            models.UniqueConstraint(
                fields=["kind", "device"], condition=Q(status="open") & Q(device__isnull=False),
                name="workertask_one_open_per_device",
            ),
            models.UniqueConstraint(
                fields=["kind", "alarm"], condition=Q(alarm__isnull=False),
                name="workertask_one_per_alarm",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
