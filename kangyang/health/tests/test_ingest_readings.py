"""Readings from home devices through the alarms' ingestion (handle_messages, as the MQTT
ingester and the webhook call it): stored once per (device, msg_id), classified with the elder's
age, an urgent one raising one health alert the elder's team sees; bad ones kept for review."""

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kangyang.alarms import ingest
from kangyang.alarms.models import BadMessage, Device
from kangyang.health.actions.reviews import enter_reading
from kangyang.health.models import HealthAlert, Reading
from kangyang.health.rules import forget_cached_rules

pytestmark = pytest.mark.django_db

TS = "2026-11-20T07:30:00+08:00"


@pytest.fixture(autouse=True)
def _fresh_rules():
    forget_cached_rules()  # the active rule set's pk is the test database's
    yield
    forget_cached_rules()


@pytest.fixture
def doctor(community_a):
    """A doctor of the family-doctor team with which elder_in_a has a contract in force."""
    from kangyang.accounts.models import User
    from kangyang.health.models import MedicalInstitution, Team, TeamMember

    user = User.objects.create_user(username="doctor_t", password="kangyang-demo", role="doctor", full_name="刘敏")
    centre = MedicalInstitution.objects.create(name="桃花社区卫生服务中心", kind="health_centre",
                                               region_code=community_a.code)
    team = Team.objects.create(name="桃花一队", institution=centre, area_code=community_a.code)
    TeamMember.objects.create(team=team, function="doctor", name="刘敏", user=user, lead=True)
    return user


@pytest.fixture
def contract(doctor, elder_in_a):
    from kangyang.health.models import Contract, ServicePackage, Team

    package = ServicePackage.objects.create(code="basic", name="基础包", kind="basic")
    today = timezone.localdate()
    return Contract.objects.create(elder=elder_in_a, team=Team.objects.get(), package=package, signed_on=today,
                                   starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=335))


def meter(device_id, kind, *, elder=None, household=None, by=None, vendor="康联智能"):
    from kangyang.alarms.actions import register_device

    return register_device(by=by, device_id=device_id, kind=kind, vendor=vendor, model="M1", elder=elder,
                           household=household)


@pytest.fixture
def bp_meter(elder_in_a, worker_a):
    return meter("BP-A-001", "bp_meter", elder=elder_in_a, by=worker_a)


def reading(device, body: dict) -> tuple[str, bytes]:
    return f"kangyang/devices/{device}/reading", json.dumps(body).encode()


def bp(msg_id="r-1", systolic=135, diastolic=85, **extra) -> dict:
    return {"msg_id": msg_id, "ts": TS, "kind": "blood_pressure", "systolic_mmhg": systolic,
            "diastolic_mmhg": diastolic, **extra}


def test_the_ingester_subscribes_to_readings():
    assert "kangyang/devices/+/reading" in ingest.subscriptions(shared_group="")
    assert ingest.parse("kangyang/devices/BP-1/reading", b"{}").reason == BadMessage.Reason.INVALID


def test_a_reading_is_stored_classified_with_the_elders_age_and_counts_as_a_heartbeat(bp_meter, elder_in_a):
    # 145/85 at 81: controlled by the 65+ target (150/90), uncontrolled for anyone younger.
    [outcome] = ingest.handle_messages([reading("BP-A-001", bp(systolic=145, pulse_bpm=70, battery=64))])
    assert outcome.kind == "reading"
    r = Reading.objects.get()
    assert r.pk == outcome.record_id
    assert (r.elder, r.device, r.msg_id, r.kind) == (elder_in_a, bp_meter, "r-1", "blood_pressure")
    assert (r.systolic, r.diastolic, r.pulse, r.glucose) == (145, 85, 70, None)
    assert (r.classification, r.rule) == ("controlled", "bp.controlled.65plus")
    assert r.rule_set is not None and r.measured_at == dt.datetime.fromisoformat(TS)
    bp_meter.refresh_from_db()
    assert bp_meter.battery == 64 and bp_meter.last_seen_at is not None and bp_meter.status == Device.Status.ONLINE
    assert not HealthAlert.objects.exists()


def test_the_same_msg_id_again_is_stored_once_and_raises_one_alert(bp_meter, contract, doctor, worker_b):
    urgent = reading("BP-A-001", bp("u-1", systolic=186, diastolic=112))
    first = ingest.handle_messages([urgent, urgent])  # twice in one batch
    again = ingest.handle_messages([urgent])  # and redelivered later
    assert [o.kind for o in first + again] == ["reading", "duplicate", "duplicate"]
    r = Reading.objects.get()
    assert (r.classification, r.rule) == ("urgent", "bp.urgent")
    alert = HealthAlert.objects.get()
    assert alert.reading == r and alert.rule == "bp.urgent" and alert.status == "open"
    assert list(HealthAlert.objects.visible_to(doctor)) == [alert]
    assert not HealthAlert.objects.visible_to(worker_b).exists()


def test_each_kind_of_meter_sends_its_readings(elder_in_a, worker_a):
    meter("GM-A-001", "glucose_meter", elder=elder_in_a, by=worker_a)
    meter("OX-A-001", "oximeter", elder=elder_in_a, by=worker_a)
    meter("SC-A-001", "scale", elder=elder_in_a, by=worker_a)
    meter("W-A-001", "watch", elder=elder_in_a, by=worker_a)
    outcomes = ingest.handle_messages([
        reading("GM-A-001", {"msg_id": "g1", "ts": TS, "kind": "fasting_glucose", "glucose_mmol_l": 7.2}),
        reading("GM-A-001", {"msg_id": "g2", "ts": TS, "kind": "glucose", "glucose_mmol_l": 3.5}),
        reading("OX-A-001", {"msg_id": "o1", "ts": TS, "kind": "spo2", "spo2_percent": 92, "pulse_bpm": 88}),
        reading("SC-A-001", {"msg_id": "s1", "ts": TS, "kind": "weight", "weight_kg": 61.5}),
        reading("W-A-001", {"msg_id": "w1", "ts": TS, "kind": "heart_rate", "heart_rate_bpm": 104}),
    ])
    assert [o.kind for o in outcomes] == ["reading"] * 5
    got = {r.msg_id: (r.kind, r.classification, r.rule) for r in Reading.objects.all()}
    assert got == {
        "g1": ("fasting_glucose", "uncontrolled", "glucose.uncontrolled"),
        "g2": ("glucose", "urgent", "glucose.urgent.low"),
        "o1": ("spo2", "uncontrolled", "spo2.low"),
        "s1": ("weight", "", ""),
        "w1": ("heart_rate", "uncontrolled", "hr.high"),
    }
    assert Reading.objects.get(msg_id="o1").pulse == 88 and Reading.objects.get(msg_id="w1").pulse == 104
    assert Reading.objects.get(msg_id="s1").weight_kg == 61.5
    assert HealthAlert.objects.get().reading.msg_id == "g2"


def test_a_household_device_and_a_meter_of_another_kind_are_refused_with_their_reason(
        elder_in_a, worker_a, bp_meter):
    meter("SC-A-002", "scale", elder=elder_in_a, by=worker_a)
    meter("BP-H-001", "bp_meter", household=elder_in_a.household, by=worker_a)
    outcomes = ingest.handle_messages([
        reading("SC-A-002", bp("x-1")),  # a scale sending blood pressure
        reading("BP-H-001", bp("x-2")),  # a meter of the household, of nobody in particular
        reading("BP-A-001", bp("x-3")),
    ])
    assert [o.kind for o in outcomes] == ["bad", "bad", "reading"]
    bad = dict(BadMessage.objects.values_list("device_id", "detail"))
    assert bad == {"SC-A-002": "a scale does not measure blood_pressure", "BP-H-001": "device not bound to an elder"}
    assert set(BadMessage.objects.values_list("reason", flat=True)) == {"invalid"}
    assert Reading.objects.get().msg_id == "x-3"


@pytest.mark.parametrize(("body", "reason", "detail"), [
    (b"{broken", "malformed", None),
    (b"[1, 2]", "malformed", "not a JSON object"),
    (json.dumps({**bp(), "kind": "cholesterol"}).encode(), "invalid", "invalid: kind"),
    (json.dumps({**bp(), "ts": "yesterday"}).encode(), "bad_ts", None),
    (json.dumps({**bp(), "msg_id": ""}).encode(), "invalid", "invalid: msg_id"),
    (json.dumps({k: v for k, v in bp().items() if k != "systolic_mmhg"}).encode(), "invalid", "invalid: systolic_mmhg"),
    (json.dumps(bp(systolic=10**30)).encode(), "invalid", "invalid: systolic_mmhg"),
    (json.dumps(bp(systolic="high")).encode(), "invalid", "invalid: systolic_mmhg"),
    (json.dumps(bp(systolic=120, diastolic=130)).encode(), "invalid", "invalid: diastolic_mmhg"),
    (b'{"msg_id": "n", "ts": "2026-11-20T07:30:00+08:00", "kind": "spo2", "spo2_percent": NaN}',
     "invalid", "invalid: spo2_percent"),
    (json.dumps(bp(systolic=250, diastolic=201)).encode(), "invalid", "invalid: diastolic_mmhg"),
    ("\x00".encode() * 10, "malformed", None),
])
def test_a_bad_reading_is_kept_for_review_and_the_batch_goes_on(bp_meter, body, reason, detail):
    before = ingest.snapshot().get(f"bad:{reason}", 0)
    outcomes = ingest.handle_messages([("kangyang/devices/BP-A-001/reading", body), reading("BP-A-001", bp("ok"))])
    assert [o.kind for o in outcomes] == ["bad", "reading"]
    stored = BadMessage.objects.get()
    assert stored.reason == reason and stored.device_id == "BP-A-001"
    if detail:
        assert stored.detail == detail
    assert ingest.snapshot()[f"bad:{reason}"] == before + 1
    assert Reading.objects.get().msg_id == "ok"


def test_an_impossible_pulse_or_battery_is_dropped_and_the_reading_kept(bp_meter):
    [outcome] = ingest.handle_messages([reading("BP-A-001", bp(pulse_bpm=900, battery=250))])
    assert outcome.kind == "reading"
    assert Reading.objects.get().pulse is None


def test_a_reading_from_a_clock_ahead_is_stored_when_it_arrived(bp_meter):
    now = timezone.now().replace(microsecond=0)
    ingest.handle_messages([reading("BP-A-001", {**bp(), "ts": "2099-01-01T00:00:00+08:00"})], now=now)
    assert Reading.objects.get().measured_at == now


def test_readings_alarms_and_heartbeats_in_one_batch(bp_meter, elder_in_a, worker_a):
    meter("P-A-001", "sos_pendant", elder=elder_in_a, by=worker_a)
    outcomes = ingest.handle_messages([
        reading("BP-A-001", bp("m-1")),
        ("kangyang/devices/P-A-001/alarm", json.dumps({"msg_id": "a-1", "type": "sos", "ts": TS}).encode()),
        ("kangyang/devices/P-A-001/heartbeat", json.dumps({"ts": TS, "battery": 50}).encode()),
        reading("NOBODY-1", bp("m-2")),
    ])
    assert [o.kind for o in outcomes] == ["reading", "alarm", "heartbeat", "bad"]
    assert outcomes[3].reason == "unknown_device"


# -- the vendors' webhook --------------------------------------------------------------------
def signed(client, body: dict, *, secret="s3cret", vendor="康联智能"):
    raw = json.dumps(body).encode()
    ts = str(int(time.time()))
    sig = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return client.post("/api/v1/devices/webhook", raw, content_type="application/json",
                       HTTP_X_KANGYANG_VENDOR=vendor, HTTP_X_KANGYANG_TIMESTAMP=ts, HTTP_X_KANGYANG_SIGNATURE=sig)


def test_a_signed_webhook_reading_is_stored_once_and_a_bad_one_refused(client, settings, bp_meter, contract):
    settings.DEVICE_WEBHOOK_SECRETS = {"康联智能": "s3cret", "其他": "other"}
    body = {"device_id": "BP-A-001", "event": "reading", "payload": bp("wh-1", systolic=190)}
    r = signed(client, body)
    assert r.status_code == 200, r.content
    stored = Reading.objects.get()
    assert r.json() == {"outcome": "reading", "alarm": None, "record": stored.pk}
    assert signed(client, body).json()["outcome"] == "duplicate"
    assert Reading.objects.count() == 1 and HealthAlert.objects.count() == 1
    bad = signed(client, {**body, "payload": {**body["payload"], "msg_id": "wh-2", "systolic_mmhg": None}})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_message"
    # Another vendor's cloud cannot speak for this meter.
    assert signed(client, {**body, "payload": bp("wh-3")}, secret="other", vendor="其他").status_code == 422
    assert Reading.objects.count() == 1
    assert signed(client, {**body, "event": "nonsense"}).status_code == 422


# -- by hand (the pages' and the API's one path: actions/reviews.enter_reading) ------------------
def test_a_reading_entered_by_hand_is_classified_and_an_urgent_one_alerts(elder_in_a, doctor, contract):
    at = timezone.now() - dt.timedelta(hours=1)
    r = enter_reading(elder_in_a, by=doctor, kind="fasting_glucose", values={"glucose": 6.1}, measured_at=at)
    assert (r.device, r.glucose, r.classification, r.rule) == (None, 6.1, "controlled", "glucose.controlled")
    urgent = enter_reading(elder_in_a, by=doctor, kind="blood_pressure",
                           values={"systolic": 182, "diastolic": 100, "pulse": 80}, measured_at=at)
    assert (urgent.systolic, urgent.pulse, urgent.classification) == (182, 80, "urgent")
    assert HealthAlert.objects.visible_to(doctor).get().reading == urgent


@pytest.mark.parametrize(("kind", "values", "field"), [
    ("blood_pressure", {"systolic": 120}, "diastolic"),
    ("blood_pressure", {"systolic": 120, "diastolic": 80, "pulse": 5}, "pulse"),
    ("spo2", {"spo2": "ninety"}, "spo2"),
    ("weight", {"weight_kg": 1e308}, "weight_kg"),
    ("cholesterol", {}, "kind"),
])
def test_a_reading_entered_by_hand_with_a_bad_value_is_refused_naming_the_field(elder_in_a, doctor, contract, kind,
                                                                                 values, field):
    with pytest.raises(ValidationError) as e:
        enter_reading(elder_in_a, by=doctor, kind=kind, values=values, measured_at=timezone.now())
    assert field in e.value.message_dict
    assert not Reading.objects.exists()


def test_a_reading_entered_by_hand_cannot_be_in_the_future(elder_in_a, doctor, contract):
    with pytest.raises(ValidationError) as e:
        enter_reading(elder_in_a, by=doctor, kind="weight", values={"weight_kg": 60},
                      measured_at=timezone.now() + dt.timedelta(days=1))
    assert "measured_at" in e.value.message_dict
