"""Synthetic devices and 30 days of alarm-centre history for `kangyang demo` and `kangyang
seed` (demo hook: kangyang/ops/demo.py).

Shares and rates are assumptions for synthetic data, not statistics: SOS pendants for two
in three elders living alone and one in four other vulnerable elders (a watch for some);
smoke detectors in two in five of those homes, gas detectors in one in five, water meters
for one in five elders living alone. About 2% of devices are offline (with the community
worker's task), 3% have a low battery, and 85% of pendants sent their monthly test alarm.

The history: each pendant's monthly test, and real alarms at about 0.15 per pendant per
month (three in five false alarms, one in four real emergencies, the rest "no answer →
door visit"), a few smoke and gas alarms. Response times are drawn so that about 98% are
acknowledged within 60 s and 99.5% within 180 s, the alarm-centre standard's region
(≥ 97.5% / ≥ 99%); those answered late carry their escalation events. Operators are
attached in `seed_demo_accounts` (the `operator` account does not exist while seeding).

Devices are added only for elders without one, so `seed` can run again; device ids derive
from the elder's or household's id, so they are unique across runs.
"""

import datetime as dt
import random
import zlib

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.alarms import actions, notifications
from kangyang.alarms.models import Alarm, AlarmEvent, Device, WorkerTask
from kangyang.regions.models import Household, Region
from kangyang.registry.models import Elder

C = Elder.Category
K = AlarmEvent.Kind
O = Alarm.Outcome
VENDORS = [("康联智能", "KY-P1"), ("颐安科技", "YA-200"), ("守护佳", "SH-3")]
SHARE_PENDANT_ALONE, SHARE_PENDANT_VULNERABLE, SHARE_WATCH = 0.66, 0.25, 0.2
SHARE_SMOKE, SHARE_GAS, SHARE_METER = 0.4, 0.2, 0.2
SHARE_OFFLINE, SHARE_LOW_BATTERY, SHARE_TESTED = 0.02, 0.03, 0.85
REAL_ALARMS_PER_PENDANT_MONTH = 0.15
STOCK_DEVICES = 6
DAYS = 30


def is_broken(device_id: str) -> bool:
    """The demo's broken devices (SHARE_OFFLINE of them): seeded offline, and never simulated
    (`simulate_devices`), so that they stay offline across demo runs while the others,
    marked offline while the demo was stopped, come back."""
    return zlib.crc32(device_id.encode()) % round(1 / SHARE_OFFLINE) == 0


def _ack_seconds(rng: random.Random) -> float:
    """Seconds from arrival to acknowledgement: 98% within 60 s, 1.5% up to 180 s, the rest
    later (assumed, to land in the region of the alarm-centre standard)."""
    u = rng.random()
    if u < 0.98:
        return min(59.0, 4 + rng.gammavariate(2.0, 7.0))
    if u < 0.995:
        return rng.uniform(60, 179)
    return rng.uniform(180, 420)


def _devices_for(elders, rng, now) -> list[Device]:
    devices = []
    for e in elders:
        alone = e.living_arrangement == Elder.LivingArrangement.ALONE or C.ALONE in e.categories
        vulnerable = bool(e.categories)
        vendor, model = rng.choice(VENDORS)
        installed = (now - dt.timedelta(days=rng.randint(40, 3 * 365))).date()
        if rng.random() < (SHARE_PENDANT_ALONE if alone else SHARE_PENDANT_VULNERABLE if vulnerable else 0):
            kind, model = (Device.Kind.WATCH, "KY-W2") if rng.random() < SHARE_WATCH else (Device.Kind.SOS_PENDANT, model)
            devices.append(Device(device_id=f"P{e.pk:08d}", kind=kind, vendor=vendor, model=model,
                                  installed_on=installed, elder=e, household_id=e.household_id))
        if not (alone or vulnerable) or e.household_id is None:
            continue
        if rng.random() < SHARE_SMOKE:
            devices.append(Device(device_id=f"S{e.household_id:08d}", kind=Device.Kind.SMOKE, vendor=vendor,
                                  model="KY-S1", installed_on=installed, household_id=e.household_id))
        if rng.random() < SHARE_GAS:
            devices.append(Device(device_id=f"G{e.household_id:08d}", kind=Device.Kind.GAS, vendor=vendor,
                                  model="KY-G1", installed_on=installed, household_id=e.household_id))
        if alone and rng.random() < SHARE_METER:
            devices.append(Device(device_id=f"M{e.pk:08d}", kind=Device.Kind.WATER_METER, vendor=vendor,
                                  model="KY-M1", installed_on=installed, elder=e, household_id=e.household_id))
    seen, unique = set(), []
    for d in devices:  # two elders of one household: one smoke detector
        if d.device_id not in seen:
            seen.add(d.device_id)
            unique.append(d)
    region_of = dict(Household.objects.filter(pk__in={d.household_id for d in unique}).values_list("pk", "region_code"))
    for d in unique:
        d.region_code = d.elder.region_code if d.elder_id else region_of[d.household_id]
        d.heartbeat_interval = actions.heartbeat_interval_for(d.model)
        d.registered_at = timezone.make_aware(dt.datetime.combine(d.installed_on, dt.time(10)))
        interval = d.heartbeat_interval
        if is_broken(d.device_id):
            d.status = Device.Status.OFFLINE
            d.last_seen_at = now - dt.timedelta(hours=rng.uniform(1, 72))
            d.offline_since = d.last_seen_at + interval + settings.ALARM_OFFLINE_GRACE
        else:
            d.last_seen_at = now - interval * rng.random()
        d.battery = rng.randint(5, 20) if rng.random() < SHARE_LOW_BATTERY else rng.randint(35, 100)
        if d.kind == Device.Kind.WATER_METER:
            d.meter_reading = round(rng.uniform(20, 400), 3)
            d.last_use_at = now - dt.timedelta(minutes=rng.uniform(5, 300))
    # However few the elders (tests seed a few hundred), the devices page has an offline device
    # and a low battery to show.
    if unique and not any(d.status == Device.Status.OFFLINE for d in unique):
        d = unique[-1]
        d.status = Device.Status.OFFLINE
        d.last_seen_at = now - dt.timedelta(hours=rng.uniform(1, 72))
        d.offline_since = d.last_seen_at + d.heartbeat_interval + settings.ALARM_OFFLINE_GRACE
    if unique and not any(d.battery <= 20 for d in unique):
        unique[len(unique) // 2].battery = rng.randint(5, 20)
    return unique


def _history(devices: list[Device], rng: random.Random, now: dt.datetime) -> tuple[int, int]:
    """Alarms of the last DAYS days with their timelines; (alarms, events)."""
    start = now - dt.timedelta(days=DAYS)
    plans: list[tuple[Device, str, str]] = []  # device, type, outcome
    for d in devices:
        if d.kind in actions.TESTED_KINDS:
            if rng.random() < SHARE_TESTED:
                plans.append((d, Alarm.Type.SOS, O.TEST))
            n = sum(rng.random() < REAL_ALARMS_PER_PENDANT_MONTH / 3 for _ in range(3))
            for _i in range(n):
                u = rng.random()
                outcome = O.FALSE_ALARM if u < 0.6 else O.REAL_EMERGENCY if u < 0.85 else O.NO_ANSWER
                kind = Alarm.Type.FALL if d.kind == Device.Kind.WATCH and rng.random() < 0.5 else Alarm.Type.SOS
                plans.append((d, kind, outcome))
        elif d.kind in (Device.Kind.SMOKE, Device.Kind.GAS) and rng.random() < 0.02:
            plans.append((d, Alarm.Type.SMOKE if d.kind == Device.Kind.SMOKE else Alarm.Type.GAS,
                          O.FALSE_ALARM if rng.random() < 0.8 else O.REAL_EMERGENCY))
    alarms, timelines = [], []
    for i, (d, kind, outcome) in enumerate(plans):
        received = start + dt.timedelta(seconds=rng.uniform(0, (DAYS - 0.1) * 86400))
        ack = received + dt.timedelta(seconds=_ack_seconds(rng))
        minutes = {O.TEST: (0.5, 2), O.FALSE_ALARM: (1, 6), O.REAL_EMERGENCY: (20, 90), O.NO_ANSWER: (30, 120)}[outcome]
        resolved = ack + dt.timedelta(minutes=rng.uniform(*minutes))
        tier = 0 if (ack - received).total_seconds() < 60 else 1 if (ack - received).total_seconds() < 120 else 2
        alarms.append(Alarm(
            elder_id=d.elder_id, device=d, household_id=d.household_id, region_code=d.region_code,
            source=Alarm.Source.DEVICE, type=kind, priority=actions.PRIORITY_BY_TYPE[kind],
            status=Alarm.Status.RESOLVED, outcome=outcome, msg_id=f"demo-{d.device_id}-{i}",
            raised_at=received - dt.timedelta(seconds=rng.uniform(0.2, 2)), received_at=received,
            acknowledged_at=ack, resolved_at=resolved, updated_at=resolved, escalation_tier=tier,
            escalated_at=received + dt.timedelta(seconds=60) if tier else None, battery=d.battery,
        ))
        steps = [(K.RAISED, received, {})]
        steps += [(K.ESCALATED, received + dt.timedelta(seconds=60 * t), {"tier": t}) for t in range(1, tier + 1)]
        steps.append((K.ACKNOWLEDGED, ack, {}))
        t = ack + dt.timedelta(seconds=rng.uniform(10, 40))
        if d.elder_id:
            steps.append((K.CALLED_ELDER, t, {"reached": outcome in (O.TEST, O.FALSE_ALARM, O.REAL_EMERGENCY)}))
        if outcome == O.REAL_EMERGENCY:
            steps.append((K.CALLED_120, t + dt.timedelta(minutes=1), {}))
            steps.append((K.SENT_WORKER, t + dt.timedelta(minutes=2), {}))
        if outcome == O.NO_ANSWER:
            steps.append((K.NOTE, t + dt.timedelta(minutes=3), {"note": _("Contacts did not answer.")}))
            steps.append((K.DOOR_VISIT, resolved, {}))
        if d.kind in (Device.Kind.SMOKE, Device.Kind.GAS) and outcome == O.REAL_EMERGENCY:
            steps.append((K.CALLED_119, t, {}))
        steps.append((K.RESOLVED, resolved, {}))
        timelines.append(steps)
    Alarm.objects.bulk_create(alarms, batch_size=2000)
    events = [
        AlarmEvent(alarm=a, region_code=a.region_code, kind=kind, at=at, **extra)
        for a, steps in zip(alarms, timelines, strict=True) for kind, at, extra in steps
    ]
    AlarmEvent.objects.bulk_create(events, batch_size=5000)
    WorkerTask.objects.bulk_create([
        WorkerTask(kind=WorkerTask.Kind.DOOR_VISIT, alarm=a, elder_id=a.elder_id, region_code=a.region_code,
                   created_at=a.resolved_at, status=WorkerTask.Status.DONE,
                   done_at=a.resolved_at + dt.timedelta(minutes=40))
        for a in alarms if a.outcome == O.NO_ANSWER
    ])
    tested = {a.device_id: a.raised_at for a in alarms if a.outcome == O.TEST}
    for d in devices:
        if d.pk in tested:
            d.last_test_alarm_at = tested[d.pk]
    Device.objects.bulk_update([d for d in devices if d.pk in tested], ["last_test_alarm_at"], batch_size=2000)
    return len(alarms), len(events)


def _stock(district: Region, rng: random.Random, now: dt.datetime) -> list[Device]:
    """A vendor's last delivery, not yet bound to anyone: in stock at the district bureau
    (the devices page's "in stock" list). Ids from the district code, so a second seed
    finds them taken."""
    delivered = now - dt.timedelta(days=rng.randint(3, 20))
    stock = []
    for n in range(STOCK_DEVICES):
        vendor, model = VENDORS[n % len(VENDORS)]
        stock.append(Device(
            device_id=f"STOCK-{district.code[:6]}-{n + 1:02d}", kind=Device.Kind.SOS_PENDANT, vendor=vendor,
            model=model, region_code=district.code, heartbeat_interval=actions.heartbeat_interval_for(model),
            registered_at=delivered, last_seen_at=None, battery=100,
        ))
    return stock


def seed_demo(*, district: Region, rng: random.Random, elders: int) -> str:
    """Devices for elders of the district who have none, and their last 30 days of alarms."""
    now = timezone.now()
    candidates = (
        Elder.objects.filter(region_code__startswith=district.code[:6], status=Elder.Status.ACTIVE, devices__isnull=True)
        .filter(Q(living_arrangement=Elder.LivingArrangement.ALONE) | ~Q(categories_text=""))
        .order_by("pk")
    )
    devices = _devices_for(list(candidates), rng, now) + _stock(district, rng, now)
    taken = set(Device.objects.filter(device_id__in=[d.device_id for d in devices]).values_list("device_id", flat=True))
    devices = [d for d in devices if d.device_id not in taken]
    Device.objects.bulk_create(devices, batch_size=2000)
    for d in devices:
        if d.status == Device.Status.OFFLINE:
            WorkerTask.objects.create(kind=WorkerTask.Kind.DEVICE_OFFLINE, device=d, elder_id=d.elder_id,
                                      region_code=d.region_code, created_at=d.offline_since)
    actions.flag_low_batteries(now=now)
    n_alarms, _n_events = _history([d for d in devices if d.elder_id or d.household_id], rng, now)
    offline = sum(d.status == Device.Status.OFFLINE for d in devices)
    return _("%(devices)d devices (%(offline)d offline), %(alarms)d alarms in the last 30 days") % {
        "devices": len(devices), "offline": offline, "alarms": n_alarms}


def seed_demo_accounts(*, accounts: dict, district: Region, rng: random.Random) -> str:
    """The operator handled the history; the `elder` account has a pendant; and when
    nothing is open, two alarms are waiting in the queue right now (one of them hers; in the
    second district, which has no `elder` account, one)."""
    operator, worker = accounts["operator"], accounts.get("worker_a")
    history = Alarm.objects.filter(region_code__startswith=district.code[:6])
    history.filter(acknowledged_at__isnull=False, acknowledged_by__isnull=True).update(acknowledged_by=operator)
    history.filter(resolved_at__isnull=False, resolved_by__isnull=True).update(resolved_by=operator)
    AlarmEvent.objects.filter(
        region_code__startswith=district.code[:6], by__isnull=True,
        kind__in=[K.ACKNOWLEDGED, K.RESOLVED, K.CALLED_ELDER, K.CALLED_120, K.CALLED_119, K.SENT_WORKER, K.NOTE, K.DOOR_VISIT],
    ).update(by=operator)
    # What the escalated alarms of the history sent (kangyang/notify's delivery log).
    notifications.seed_demo_deliveries(region_code=district.code[:6])

    elder = Elder.objects.filter(user=accounts["elder"]).first() if "elder" in accounts else None
    pendant = None
    if elder is not None:
        pendant = elder.devices.filter(kind=Device.Kind.SOS_PENDANT).first() or actions.register_device(
            by=worker, device_id=f"P{elder.pk:08d}", kind=Device.Kind.SOS_PENDANT, vendor=VENDORS[0][0],
            model=VENDORS[0][1], installed_on=timezone.localdate() - dt.timedelta(days=200), elder=elder,
        )
    if history.open().exists():
        notifications.seed_demo_family_notice(elder)
        return ""
    now = timezone.now()
    opened = []
    if pendant is not None:
        # She pressed three times in four minutes: one waiting alarm, raised 3 times (issue 12).
        first = now - dt.timedelta(minutes=4)
        for n, at in enumerate((first, first + dt.timedelta(minutes=1, seconds=40), now)):
            alarm = actions.raise_alarm(
                source=Alarm.Source.DEVICE, type=Alarm.Type.SOS, device=pendant,
                msg_id=f"demo-now-{int(now.timestamp())}-{n}", raised_at=at, lat=28.6612, lng=115.8893,
                battery=pendant.battery or 80, now=at,
            )[0]
        opened.append(alarm)
    other = Device.objects.filter(region_code__startswith=district.code[:6], kind=Device.Kind.WATCH,
                                  status=Device.Status.ONLINE).order_by("pk").first()
    if other is not None:
        opened.append(actions.raise_alarm(
            source=Alarm.Source.DEVICE, type=Alarm.Type.FALL, device=other, msg_id=f"demo-now-{int(now.timestamp())}",
            raised_at=now, now=now,
        )[0])
    notifications.seed_demo_family_notice(elder)
    return _("%(n)d alarms waiting in the queue") % {"n": len(opened)}



def demo_processes() -> list[list[str]]:
    """The alarm centre's processes for `kangyang demo` (as `kangyang` sub-commands): the
    embedded broker when nothing answers at MQTT_URL, the ingester, the escalation loop and
    simulated devices (with a simulated SOS every ten minutes, so the console has something
    to show)."""
    from kangyang.alarms import broker

    commands = []
    ingest = ["ingest"]
    endpoint = broker.endpoint()
    host, port = endpoint.host, endpoint.port
    # The embedded broker speaks plain MQTT only: an mqtts:// URL must name a real broker.
    if host in broker.LOOPBACK and not endpoint.tls and not broker.answers(host, port):
        commands.append(["broker"])
        ingest += ["--protocol", "3.1.1"]  # what the embedded broker speaks
    commands += [ingest, ["escalate"], ["simulate_devices", "--alarm-every", "600"]]
    return commands
