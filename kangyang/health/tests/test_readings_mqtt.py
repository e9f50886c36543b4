"""Readings from a home meter over a real Mosquitto configured as shipped (deploy/mosquitto.conf,
password and ACL files written by `kangyang mqtt_auth`; the alarms' broker fixtures): a reading
published by an authenticated meter becomes one stored reading, the same msg_id again makes no
second one, an urgent one raises one alert the elder's family-doctor team sees, and a malformed
payload is kept for review while the ingester goes on. Every wait is bounded."""

import json
import shutil
import uuid

import pytest

from kangyang.alarms import broker
from kangyang.alarms.models import BadMessage
from kangyang.alarms.tests.test_broker_auth import connect, mosq, mqtt_auth, secured  # noqa: F401 - fixtures
from kangyang.alarms.tests.test_mqtt import Running, until
from kangyang.health.models import HealthAlert, Reading
from kangyang.health.rules import forget_cached_rules
from kangyang.health.tests.test_ingest_readings import contract, doctor, meter  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.mqtt,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("mosquitto") is None, reason="the mosquitto binary is not installed"),
]
TS = "2026-11-20T07:30:00+08:00"


@pytest.fixture
def meters(secured, elder_in_a, worker_a, contract):  # noqa: F811 - fixtures imported above
    """Two blood-pressure meters of elder_in_a (ids of this run), let in by the broker."""
    forget_cached_rules()
    a = meter(f"BP-{uuid.uuid4().hex[:10]}", "bp_meter", elder=elder_in_a, by=worker_a)
    b = meter(f"BP-{uuid.uuid4().hex[:10]}", "bp_meter", elder=elder_in_a, by=worker_a)
    mqtt_auth(secured)
    until(lambda: not isinstance(connect(secured.port, b.mqtt_username, b.mqtt_password), str), "the password file")
    yield a, b
    forget_cached_rules()


def bp(msg_id, systolic=138, diastolic=84):
    return json.dumps({"msg_id": msg_id, "ts": TS, "kind": "blood_pressure", "systolic_mmhg": systolic,
                       "diastolic_mmhg": diastolic, "pulse_bpm": 76, "battery": 77})


def test_a_reading_over_mqtt_is_stored_once_and_an_urgent_one_alerts_the_team_once(
        secured, meters, doctor, client):  # noqa: F811
    a, b = meters
    with Running(None, None, f"kangyang-test-{uuid.uuid4().hex[:8]}", session_expiry=0) as ingester:
        assert broker.device_topic("+", "reading") in [t.removeprefix("$share/ingest/") for t in ingester.topics]
        c = connect(secured.port, a.mqtt_username, a.mqtt_password)
        topic = broker.device_topic(a.device_id, "reading")
        for body in (bp("m-1"), bp("m-1"), bp("u-1", 188, 114), bp("u-1", 188, 114), b"{broken", bp("m-2")):
            c.publish(topic, body, qos=1).wait_for_publish(10)
        # A meter cannot publish for another (the ACL of `kangyang/devices/{id}/#`).
        c.publish(broker.device_topic(b.device_id, "reading"), bp("forged"), qos=1).wait_for_publish(10)
        until(lambda: ingester.processed >= 6 and Reading.objects.filter(msg_id="m-2").exists(), "the readings")
        c.disconnect()
        c.loop_stop()
    assert sorted(Reading.objects.filter(device=a).values_list("msg_id", flat=True)) == ["m-1", "m-2", "u-1"]
    assert not Reading.objects.filter(device=b).exists()
    urgent = Reading.objects.get(msg_id="u-1")
    assert (urgent.classification, urgent.rule, urgent.pulse) == ("urgent", "bp.urgent", 76)
    alert = HealthAlert.objects.get()
    assert alert.reading == urgent and alert.status == "open"
    assert list(HealthAlert.objects.visible_to(doctor)) == [alert]
    bad = BadMessage.objects.get(device_id=a.device_id)
    assert bad.reason == "malformed" and bad.topic == topic
    a.refresh_from_db()
    assert a.battery == 77 and a.last_seen_at is not None
    # The doctor team's page shows it, once, with its acknowledge button.
    client.force_login(doctor)
    page = client.get("/health/")
    assert page.status_code == 200
    assert page.text.count(f'data-alert="{alert.pk}"') == 1 and f'data-acknowledge="{alert.pk}"' in page.text
