"""Device credentials without a broker: the hash format (checked against mosquitto_passwd),
the password shown once, `kangyang mqtt_auth`'s files, the broker's figures and their
warnings (console, `kangyang broker_status`). With a real broker: test_broker_auth.py."""

import csv
import datetime as dt
import io
import json
import shutil
import stat
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from kangyang.alarms import actions, ingest, mosquitto
from kangyang.alarms.models import Alarm, BrokerStatus, Device
from kangyang.audit.models import AuditEntry


@pytest.fixture(autouse=True)
def _english():
    """The commands' messages are checked in English (the default language is zh-Hans)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def mqtt_auth(**options) -> None:
    """`kangyang mqtt_auth`, reporting in English (the source text these tests read; the
    compiled zh-Hans catalogue translates it)."""
    with translation.override("en"):
        call_command("mqtt_auth", **options)
INGESTER_URL = "mqtts://kangyang-ingest:s%40fe@broker.example:8883"


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.skipif(shutil.which("mosquitto_passwd") is None, reason="mosquitto_passwd is not installed")
def test_the_hash_format_is_mosquitto_passwds(tmp_path):
    path = tmp_path / "pw"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(path), "alice", "pa$$word"], check=True, timeout=10)
    theirs = path.read_text().strip().split(":", 1)[1]
    assert mosquitto.check_password("pa$$word", theirs) and not mosquitto.check_password("password", theirs)
    ours = mosquitto.password_hash("pa$$word")
    assert ours.startswith("$7$101$") and len(ours) == len(theirs) and ours != theirs  # salted
    assert mosquitto.check_password("pa$$word", ours)


def test_registering_a_device_shows_its_password_once_and_keeps_only_the_hash(client, api_token, worker_a, elder_in_a):
    r = post(client, "/api/v1/devices", {"device_id": "AA:BB:01", "kind": "watch", "elder": elder_in_a.pk},
             api_token(worker_a))
    assert r.status_code == 201
    body = r.json()
    assert body["mqtt_username"] == "AA-BB-01" and len(body["mqtt_password"]) >= 24
    device = Device.objects.get(device_id="AA:BB:01")
    assert body["mqtt_password"] not in device.mqtt_password_hash
    assert mosquitto.check_password(body["mqtt_password"], device.mqtt_password_hash)
    shown = client.get("/api/v1/devices/AA:BB:01", **api_token(worker_a)).json()
    assert "mqtt_password" not in shown and shown["mqtt_username"] == "AA-BB-01"


def test_the_worker_renews_a_password_and_the_elder_may_not(client, api_token, worker_a, elder, pendant_a):
    old = pendant_a.mqtt_password_hash
    r = client.post("/api/v1/devices/P-A-001/credentials", **api_token(worker_a))
    assert r.status_code == 200
    pendant_a.refresh_from_db()
    assert pendant_a.mqtt_password_hash != old
    assert mosquitto.check_password(r.json()["mqtt_password"], pendant_a.mqtt_password_hash)
    assert AuditEntry.objects.filter(verb="device.credentials", actor=worker_a).exists()
    assert client.post("/api/v1/devices/P-A-001/credentials", **api_token(elder)).status_code == 403


def test_mqtt_auth_writes_both_files_from_the_registry(tmp_path, settings, pendant_a, pendant_b, worker_b):
    settings.MQTT_URL = INGESTER_URL
    actions.retire_device(pendant_b, by=worker_b)
    passwd, acl = tmp_path / "passwd", tmp_path / "acl"
    out = io.StringIO()
    mqtt_auth(password_file=passwd, acl_file=acl, stdout=out)
    assert "the ingester and 1 devices" in out.getvalue()
    lines = dict(line.split(":", 1) for line in passwd.read_text().splitlines())
    assert set(lines) == {"kangyang-ingest", "P-A-001"}  # the retired pendant is out
    assert mosquitto.check_password("s@fe", lines["kangyang-ingest"])
    assert lines["P-A-001"] == pendant_a.mqtt_password_hash
    text = acl.read_text()
    assert "user P-A-001\ntopic write kangyang/devices/P-A-001/#\n" in text
    assert "user kangyang-ingest\ntopic read kangyang/devices/+/alarm\ntopic read kangyang/devices/+/heartbeat\n" in text
    assert "P-B-001" not in text and "pattern" not in text
    assert stat.S_IMODE(passwd.stat().st_mode) == 0o640 and stat.S_IMODE(acl.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_mqtt_auth_follows_the_topic_prefix(tmp_path, settings, pendant_a):
    settings.MQTT_URL, settings.MQTT_TOPIC_PREFIX = INGESTER_URL, "site2/ky"
    call_command("mqtt_auth", password_file=tmp_path / "p", acl_file=tmp_path / "a", stdout=io.StringIO())
    assert "topic write site2/ky/devices/P-A-001/#" in (tmp_path / "a").read_text()
    sos = json.dumps({"msg_id": "1", "type": "sos", "ts": "2026-11-20T09:30:00+08:00"})
    assert ingest.parse("site2/ky/devices/P-A-001/alarm", sos).device_id == "P-A-001"
    assert ingest.parse("kangyang/devices/P-A-001/alarm", sos).reason == "bad_topic"


def test_mqtt_auth_refuses_an_mqtt_url_without_the_ingesters_credentials(tmp_path, settings):
    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    with pytest.raises(CommandError, match="user name and password"):
        mqtt_auth(password_file=tmp_path / "p", acl_file=tmp_path / "a")


def test_mqtt_auth_issues_credentials_to_devices_that_have_none(tmp_path, settings, pendant_a):
    settings.MQTT_URL = INGESTER_URL
    Device.objects.filter(pk=pendant_a.pk).update(mqtt_username="", mqtt_password_hash="")
    issued = tmp_path / "issued.csv"
    err = io.StringIO()
    mqtt_auth(password_file=tmp_path / "p", acl_file=tmp_path / "a", stdout=io.StringIO(), stderr=err)
    assert "1 devices in service have no credentials" in err.getvalue()
    call_command("mqtt_auth", issue_missing=issued, stdout=io.StringIO())
    rows = list(csv.DictReader(issued.open()))
    pendant_a.refresh_from_db()
    assert [r["device_id"] for r in rows] == ["P-A-001"] and stat.S_IMODE(issued.stat().st_mode) == 0o600
    assert mosquitto.check_password(rows[0]["password"], pendant_a.mqtt_password_hash)


def test_mqtt_auth_reports_a_broker_it_cannot_reload(tmp_path, settings, pendant_a):
    settings.MQTT_URL = INGESTER_URL
    with pytest.raises(CommandError, match="Could not reload"):
        mqtt_auth(password_file=tmp_path / "p", acl_file=tmp_path / "a",
                  reload=tmp_path / "missing.pid", stdout=io.StringIO())


# -- the broker's figures ----------------------------------------------------------------------
def test_a_rising_drop_counter_is_remembered_and_a_restart_is_not_a_rise(now):
    actions.record_broker_status(broker="b:1883", dropped=0, stored=3, clients=2, now=now)
    s = actions.record_broker_status(broker="b:1883", dropped=0, stored=5, clients=2, now=now)
    assert s.dropped_rose_at is None
    s = actions.record_broker_status(broker="b:1883", dropped=7, now=now + dt.timedelta(minutes=1))
    assert (s.dropped, s.dropped_rise, s.dropped_rose_at) == (7, 7, now + dt.timedelta(minutes=1))
    s = actions.record_broker_status(broker="b:1883", dropped=0, now=now + dt.timedelta(minutes=2))  # restarted
    assert (s.dropped, s.dropped_rose_at) == (0, now + dt.timedelta(minutes=1))


def test_broker_status_is_ok_until_the_broker_drops_messages(now, capsys):
    actions.record_broker_status(broker="b:1883", dropped=0, stored=1, clients=1)
    call_command("broker_status")
    assert json.loads(capsys.readouterr().out)["ok"] is True
    actions.record_broker_status(broker="b:1883", dropped=4, stored=1, clients=1)
    with pytest.raises(SystemExit) as exit_:
        call_command("broker_status")
    report = json.loads(capsys.readouterr().out)
    assert exit_.value.code == 1 and report["brokers"][0]["dropping"] and report["brokers"][0]["dropped"] == 4


def test_old_drops_no_longer_warn_on_the_console(client, operator, now):
    actions.record_broker_status(broker="b:1883", dropped=4, now=now - dt.timedelta(days=2))
    client.force_login(operator)
    assert "data-broker-drops" not in client.get("/alarms/console/").text
    BrokerStatus.objects.update(dropped_rose_at=now)
    assert 'data-broker-drops="4"' in client.get("/alarms/console/").text
    assert not Alarm.objects.exists()


def test_two_device_ids_that_would_share_a_broker_user_name_are_refused(worker_a, elder_in_a):
    actions.register_device(by=worker_a, device_id="AA:BB", kind="watch", elder=elder_in_a)
    with pytest.raises(ValidationError) as refused:
        actions.register_device(by=worker_a, device_id="AA-BB", kind="watch", elder=elder_in_a)
    assert refused.value.error_dict["device_id"][0].code == "duplicate"
