"""The health app's demo, readings topic (kangyang/health/demo.py calls it): health meters
(blood-pressure and glucose meters, oximeters, scales) of about 3% of the elders followed for
hypertension or diabetes, 90 days of their readings, and a few urgent ones in the last days with
their alerts (closed, acknowledged, one or two open). Everything goes through the ingestion's
own store path (`store_readings`), so it is classified and alerted as a live reading would be.
Device ids in the style of the alarms' demo: BP/GL/OX/SC and the elder's id (BP00001234).

`kangyang demo` runs the alarms' ingester, which takes readings too (`kangyang/devices/{id}/reading`):
a meter publishing there (e.g. with mosquitto_pub) is stored live."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.alarms.actions.raising import DeviceRef
from kangyang.alarms.ingest import DeviceMessage
from kangyang.alarms.models import Device
from kangyang.health.actions.readings import ReadingPayload, store_readings
from kangyang.health.models import Condition, HealthAlert, Reading
from kangyang.registry.models import Elder

SHARE_WITH_METERS = 0.03
DAYS = 90
VENDOR, MODEL = "鱼跃医疗", "YE-680"
PREFIX = {"bp_meter": "BP", "glucose_meter": "GL", "oximeter": "OX", "scale": "SC"}
OUTCOMES = [
    "已电话联系长者，复测后血压下降，家庭医生次日上门随访。",
    "已联系家属陪同到社区卫生服务中心就诊，已转诊上级医院。",
    "复测正常，嘱按时服药，两周后随访。",
]


def _meter(elder_pk: int, household_id, region_code: str, kind: str, rng, now) -> Device:
    return Device(device_id=f"{PREFIX[kind]}{elder_pk:08d}", kind=kind, vendor=VENDOR, model=MODEL,
                  installed_on=(now - dt.timedelta(days=DAYS + rng.randint(5, 200))).date(), elder_id=elder_pk,
                  household_id=household_id, region_code=region_code, status=Device.Status.ONLINE,
                  last_seen_at=now - dt.timedelta(minutes=rng.randint(1, 600)), battery=rng.randint(40, 100))


def _values(kind: str, rng, *, level: float, urgent: bool = False) -> dict:
    """A plausible reading; `level` (0..1) is how well the elder is controlled."""
    if kind == "bp_meter":
        if urgent:
            s, d = rng.randint(182, 198), rng.randint(100, 116)
        else:
            s = round(rng.gauss(128 + 30 * level, 8))
            s = max(100, min(s, 176))
            d = max(60, min(round(rng.gauss(78 + 10 * level, 5)), 104, s - 30))
        return {"kind": "blood_pressure", "systolic_mmhg": s, "diastolic_mmhg": d, "pulse_bpm": rng.randint(58, 92)}
    if kind == "glucose_meter":
        g = rng.choice((18.4, 3.2)) if urgent else round(max(4.2, min(rng.gauss(6.2 + 2.5 * level, 0.8), 15.5)), 1)
        return {"kind": "fasting_glucose", "glucose_mmol_l": g}
    if kind == "oximeter":
        return {"kind": "spo2", "spo2_percent": 87 if urgent else rng.randint(94, 99), "pulse_bpm": rng.randint(58, 92)}
    return {"kind": "weight", "weight_kg": round(rng.gauss(58 + 8 * level, 0.6), 1)}


def _times(kind: str, day: dt.date, rng) -> list[dt.datetime]:
    """Blood pressure morning and evening; glucose fasting each morning; SpO₂ daily; weight weekly."""
    tz = timezone.get_current_timezone()

    def at(h, m):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(h, m)), tz)

    if kind == "bp_meter":
        return [at(7, rng.randint(0, 50)), at(19, rng.randint(0, 50))]
    if kind == "glucose_meter":
        return [at(6, rng.randint(30, 59))]
    if kind == "oximeter":
        return [at(9, rng.randint(0, 59))]
    return [at(7, rng.randint(0, 30))] if day.weekday() == 0 else []


def _message(device: Device, values: dict, at: dt.datetime, msg_id: str) -> DeviceMessage:
    data = ReadingPayload(msg_id=msg_id, ts=at.isoformat(), **values)
    return DeviceMessage(DeviceRef(device.pk, device.device_id, device.elder_id, device.household_id,
                                   device.region_code), device.kind, data, at)


def _history(devices: list[Device], rng, now, *, days: int = DAYS, urgent: dict | None = None) -> int:
    """`days` of readings of each device, stored a day at a time (received a few minutes after the
    day's last); `urgent` maps a device to the moment of its urgent reading."""
    urgent = urgent or {}
    level = {d.pk: rng.random() for d in devices}
    today = timezone.localdate(now)
    n = 0
    for back in range(days, -1, -1):
        day = today - dt.timedelta(days=back)
        batch = []
        for d in devices:
            for i, at in enumerate(_times(d.kind, day, rng)):
                if at < now:
                    batch.append(_message(d, _values(d.kind, rng, level=level[d.pk]), at,
                                          f"demo-{day:%Y%m%d}-{i}"))
        if batch:
            with transaction.atomic():
                n += sum(o.kind == "reading" for o in store_readings(batch, max(m.ts for m in batch)
                                                                     + dt.timedelta(minutes=3)))
    for d, at in urgent.items():
        with transaction.atomic():
            store_readings([_message(d, _values(d.kind, rng, level=1, urgent=True), at,
                                     f"demo-urgent-{at:%Y%m%d%H%M}")], at + dt.timedelta(seconds=20))
        n += 1
    return n


def seed(*, district, rng, elders: int) -> str:
    now = timezone.now()
    code = district.code[:6]
    followed = (Condition.objects.filter(elder__region_code__startswith=code, elder__status=Elder.Status.ACTIVE,
                                         programme__in=("hypertension", "diabetes"))
                .values_list("elder_id", "programme").order_by("elder_id"))
    programmes: dict[int, set] = {}
    for elder_id, programme in followed:
        programmes.setdefault(elder_id, set()).add(programme)
    if not programmes:  # no conditions recorded (a topic seeded alone): the 65+ with a hypertension guess
        programmes = {pk: {"hypertension"} for pk in Elder.objects.filter(
            region_code__startswith=code, status=Elder.Status.ACTIVE).order_by("pk").values_list("pk", flat=True)
            if rng.random() < 0.3}
    chosen = sorted(pk for pk in programmes if rng.random() < SHARE_WITH_METERS)
    if not chosen and programmes:
        chosen = [min(programmes)]
    elders_of = {pk: (hh, rc) for pk, hh, rc in Elder.objects.filter(pk__in=chosen).values_list(
        "pk", "household_id", "region_code")}
    devices = []
    for pk in chosen:
        hh, rc = elders_of[pk]
        kinds = ["bp_meter"] if "hypertension" in programmes[pk] else []
        kinds += ["glucose_meter"] if "diabetes" in programmes[pk] else []
        kinds += [k for k in ("oximeter", "scale") if rng.random() < 0.25]
        devices += [_meter(pk, hh, rc, k, rng, now) for k in kinds]
    taken = set(Device.objects.filter(device_id__in=[d.device_id for d in devices]).values_list("device_id", flat=True))
    devices = [d for d in devices if d.device_id not in taken]
    if not devices:
        return ""
    Device.objects.bulk_create(devices, batch_size=2000)
    devices = list(Device.objects.filter(device_id__in=[d.device_id for d in devices]).order_by("pk"))
    # A few urgent readings in the last days: the older ones closed, then acknowledged, the last open.
    alerting = [d for d in devices if d.kind in ("bp_meter", "glucose_meter")]
    picked = rng.sample(alerting, min(len(alerting), max(3, len(alerting) // 8)))
    urgent = {d: now - dt.timedelta(hours=6 + 20 * i, minutes=rng.randint(0, 50)) for i, d in enumerate(picked)}
    n = _history(devices, rng, now, urgent=urgent)
    alerts = list(HealthAlert.objects.filter(reading__device__in=picked).order_by("raised_at"))
    open_ = 1 if len(alerts) < 4 else 2
    for i, alert in enumerate(alerts[:len(alerts) - open_]):
        alert.acknowledged_at = alert.raised_at + dt.timedelta(minutes=rng.randint(3, 25))
        alert.status = HealthAlert.Status.ACKNOWLEDGED
        if i < len(alerts) - open_ - 1:  # the last acknowledged one is still being looked after
            alert.status = HealthAlert.Status.CLOSED
            alert.closed_at = alert.acknowledged_at + dt.timedelta(hours=rng.randint(1, 20))
            alert.outcome = rng.choice(OUTCOMES)
        alert.save()
        Reading.objects.filter(pk=alert.reading_id).update(reviewed_at=alert.acknowledged_at)
    return _("%(meters)d health meters, %(readings)d readings in %(days)d days, %(alerts)d health alerts") % {
        "meters": len(devices), "readings": n, "days": DAYS, "alerts": len(alerts)}


def seed_accounts(*, accounts: dict, district, rng) -> str:
    """Who handled the demo's alerts (the `doctor` account); the `elder` account's blood-pressure
    meter with 30 days of readings, one of them not controlled."""
    doctor = accounts.get("doctor")
    if doctor is not None:
        handled = HealthAlert.objects.filter(elder__region_code__startswith=district.code[:6])
        handled.filter(acknowledged_at__isnull=False, acknowledged_by__isnull=True).update(acknowledged_by=doctor)
        handled.filter(closed_at__isnull=False, closed_by__isnull=True).update(closed_by=doctor)
        Reading.objects.filter(elder__region_code__startswith=district.code[:6], reviewed_at__isnull=False,
                               reviewed_by__isnull=True).update(reviewed_by=doctor)
    elder = Elder.objects.filter(user=accounts["elder"]).first() if "elder" in accounts else None
    if elder is None or Device.objects.filter(device_id=f"BP{elder.pk:08d}").exists():
        return ""
    now = timezone.now()
    device = _meter(elder.pk, elder.household_id, elder.region_code, "bp_meter", rng, now)
    device.save()
    n = _history([device], rng, now, days=30)
    # One morning last week her pressure was high (not urgent): a reading for the team to look at.
    at = timezone.make_aware(dt.datetime.combine(timezone.localdate(now) - dt.timedelta(days=4), dt.time(7, 55)))
    with transaction.atomic():
        store_readings([_message(device, {"kind": "blood_pressure", "systolic_mmhg": 162, "diastolic_mmhg": 96,
                                          "pulse_bpm": 84}, at, "demo-high-1")], at + dt.timedelta(minutes=1))
    return _("a blood-pressure meter for the elder account, %(n)d readings") % {"n": n + 1}
