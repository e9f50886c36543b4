"""Authenticated devices against a real Mosquitto configured as shipped (deploy/mosquitto.conf,
moved to a temporary directory and a free loopback port) whose password and ACL files are
written by `kangyang mqtt_auth`. The broker is started once for the module and killed at the
end; every wait is bounded (WAIT seconds). Skipped only when mosquitto is not installed."""

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import translation

from kangyang.alarms import broker, mosquitto
from kangyang.alarms.models import Alarm, AlarmRepeat, BrokerStatus
from kangyang.alarms.tests.test_mqtt import WAIT, Running, until


@pytest.fixture(autouse=True)
def _english():
    """The commands' messages are checked in English (the default language is zh-Hans)."""
    with translation.override("en"):
        yield


pytestmark = [
    pytest.mark.mqtt,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("mosquitto") is None, reason="the mosquitto binary is not installed"),
]
ROOT = Path(__file__).resolve().parents[3]
INGESTER, INGESTER_PASSWORD = "kangyang-ingest", "ingester-secret"
SOS = {"msg_id": "a-1", "type": "sos", "ts": "2026-11-20T09:30:00+08:00"}


class Mosquitto:
    """The shipped configuration on a free port in a temporary directory; `overrides` changes
    options (sys_interval 1 here, so that $SYS figures come within the tests' waits)."""

    def __init__(self, **overrides: str):
        self.dir = tempfile.TemporaryDirectory(prefix="kangyang-test-mosquitto-")
        self.path = Path(self.dir.name)
        self.port = broker.free_port()
        for name in ("passwd", "acl"):
            (self.path / name).write_text("")
        conf = mosquitto.adapt_config(
            (ROOT / "deploy" / "mosquitto.conf").read_text(), port=self.port, directory=self.path,
            overrides={"sys_interval": "1", **overrides},
        )
        (self.path / "mosquitto.conf").write_text(conf)
        self.pidfile = self.path / "mosquitto.pid"
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.path / "mosquitto.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        until(lambda: broker.answers("127.0.0.1", self.port, timeout=0.2) and self.pidfile.exists(),
              "mosquitto to start")

    @property
    def url(self) -> str:
        return f"mqtt://{INGESTER}:{INGESTER_PASSWORD}@127.0.0.1:{self.port}"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(WAIT)
        self.dir.cleanup()


@pytest.fixture(scope="module")
def mosq():
    m = Mosquitto()
    yield m
    m.close()


@pytest.fixture
def secured(mosq, settings):
    """The broker with the ingester's account and the devices of the test, as `kangyang
    mqtt_auth` writes them; MQTT_URL names the ingester's account there."""
    settings.MQTT_URL = mosq.url
    settings.MQTT_SHARED_GROUP = ""
    return mosq


def mqtt_auth(mosq) -> str:
    """The command's report, in English (the source text the tests read)."""
    out = _Out()
    with translation.override("en"):
        call_command("mqtt_auth", password_file=mosq.path / "passwd", acl_file=mosq.path / "acl",
                     reload=mosq.pidfile, stdout=out)
    return out.text


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def connect(port: int, username: str | None = None, password: str | None = None, *, v5: bool = False):
    """A connected client, or the reason the broker refused it (a string)."""
    result = {}
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}",
                    protocol=paho.MQTTv5 if v5 else paho.MQTTv311)
    c.on_connect = lambda _c, _u, _f, rc, _p: result.setdefault("rc", rc)
    if username is not None:
        c.username_pw_set(username, password)
    c.connect("127.0.0.1", port)
    c.loop_start()
    until(lambda: "rc" in result, "the broker's CONNACK")
    if result["rc"].is_failure:
        c.loop_stop()
        return str(result["rc"])
    return c


def connects(port, username, password) -> bool:
    c = connect(port, username, password)
    if isinstance(c, str):
        return False
    c.disconnect()
    c.loop_stop()
    return True


def register(elder, by, prefix="S"):
    from kangyang.alarms.actions import register_device

    return register_device(by=by, device_id=f"{prefix}-{uuid.uuid4().hex[:10]}", kind="sos_pendant", elder=elder)


@pytest.fixture
def pendants(secured, elder_in_a, elder_in_b, worker_a, worker_b):
    """Two pendants with their passwords (shown once by register_device), on the broker."""
    a, b = register(elder_in_a, worker_a), register(elder_in_b, worker_b)
    mqtt_auth(secured)
    until(lambda: connects(secured.port, b.mqtt_username, b.mqtt_password), "the reloaded password file")
    return a, b


def test_an_anonymous_client_and_a_wrong_password_are_refused(secured, pendants):
    a, _b = pendants
    assert connect(secured.port) == "Not authorized"
    assert connect(secured.port, a.mqtt_username, "guessed") == "Not authorized"
    assert connect(secured.port, a.mqtt_username, a.mqtt_password, v5=True) != "Not authorized"


def test_a_device_cannot_publish_to_another_devices_topic_but_its_own_alarm_is_stored(secured, pendants):
    a, b = pendants
    with Running(None, None, None, session_expiry=0):
        c = connect(secured.port, a.mqtt_username, a.mqtt_password, v5=True)
        acks = {}
        c.on_publish = lambda _c, _u, mid, rc, _p: acks.setdefault(mid, rc)
        forged = c.publish(broker.device_topic(b.device_id, "alarm"), json.dumps({**SOS, "msg_id": "forged"}), qos=1)
        own = c.publish(broker.device_topic(a.device_id, "alarm"), json.dumps(SOS), qos=1)
        until(lambda: Alarm.objects.filter(device=a).exists(), "the device's own alarm")
        c.disconnect()
        c.loop_stop()
    assert str(acks[forged.mid]) == "Not authorized" and not acks[own.mid].is_failure
    assert not Alarm.objects.filter(device=b).exists()


def subscriber(port, username, password, topic):
    """A client subscribed to `topic`, and the list the topics it receives go to."""
    got, subscribed = [], []
    c = connect(port, username, password)
    c.on_message = lambda _c, _u, m: got.append(m.topic)
    c.on_subscribe = lambda *_a: subscribed.append(True)
    c.subscribe(topic, qos=1)
    until(lambda: subscribed, "the SUBACK")
    return c, got


def test_a_device_receives_nothing_of_other_devices_traffic(secured, pendants):
    a, b = pendants
    snoop, snooped = subscriber(secured.port, a.mqtt_username, a.mqtt_password, "#")
    ingest, ingested = subscriber(secured.port, INGESTER, INGESTER_PASSWORD, "kangyang/devices/+/alarm")
    c = connect(secured.port, b.mqtt_username, b.mqtt_password)
    c.publish(broker.device_topic(b.device_id, "alarm"), json.dumps(SOS), qos=1).wait_for_publish(WAIT)
    until(lambda: ingested, "the ingester's account to receive the alarm")
    for client in (c, snoop, ingest):
        client.disconnect()
        client.loop_stop()
    assert snooped == []


def test_a_device_registered_later_connects_after_mqtt_auth_reloads_the_running_broker(secured, pendants, elder_in_a, worker_a):
    pid = secured.proc.pid
    late = register(elder_in_a, worker_a, prefix="L")
    assert not connects(secured.port, late.mqtt_username, late.mqtt_password)
    out = mqtt_auth(secured)
    assert f"(pid {pid})" in out
    until(lambda: connects(secured.port, late.mqtt_username, late.mqtt_password), "the new device to be let in")
    assert secured.proc.poll() is None  # reloaded, not restarted


def test_two_ingesters_of_a_shared_group_split_the_alarms_and_store_each_once(secured, pendants, settings):
    a, _b = pendants
    settings.MQTT_SHARED_GROUP = "ingest"
    first, second = (f"kangyang-test-share-{uuid.uuid4().hex[:6]}" for _ in range(2))
    with Running(None, None, first, session_expiry=0) as one, Running(None, None, second, session_expiry=0) as two:
        assert one.topics[0] == "$share/ingest/kangyang/devices/+/alarm"
        c = connect(secured.port, a.mqtt_username, a.mqtt_password)
        for i in range(40):
            c.publish(broker.device_topic(a.device_id, "alarm"), json.dumps({**SOS, "msg_id": f"s-{i}"}), qos=1)
        # Each message stored once: as an alarm, or as a repeat merged into the elder's open one.
        until(lambda: Alarm.objects.filter(device=a).count() + AlarmRepeat.objects.filter(device=a).count() == 40
              and one.processed + two.processed >= 40, "the 40 alarms")
        c.disconnect()
        c.loop_stop()
    assert one.processed > 0 and two.processed > 0  # the load was shared
    assert one.processed + two.processed == 40  # and no message went to both


def test_the_ingester_uses_the_client_id_of_the_settings(secured, pendants, settings):
    settings.MQTT_CLIENT_ID = f"kangyang-ingest-site-{uuid.uuid4().hex[:6]}"
    with Running(None, None, None, session_expiry=0) as ingester:
        assert ingester.client._client_id.decode() == settings.MQTT_CLIENT_ID


def test_the_default_client_id_differs_between_deployments(tmp_path):
    def client_id(secret: str) -> str:
        code = "import kangyang.settings as s; print(s.MQTT_CLIENT_ID)"
        env = {"PATH": "/usr/bin:/bin", "KANGYANG_DATA_DIR": str(tmp_path), "KANGYANG_SECRET_KEY": secret}
        return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                              text=True, check=True, timeout=WAIT).stdout.strip()

    one, two = client_id("secret-of-site-one"), client_id("secret-of-site-two")
    assert one.startswith("kangyang-ingest-") and two.startswith("kangyang-ingest-") and one != two
    assert django_settings.MQTT_CLIENT_ID != "kangyang-ingest"


def test_the_ingester_records_the_brokers_figures_from_sys(secured, pendants):
    with Running(None, None, None, session_expiry=0):
        until(lambda: BrokerStatus.objects.filter(broker=f"127.0.0.1:{secured.port}").exists(), "the $SYS figures")
    status = BrokerStatus.objects.get(broker=f"127.0.0.1:{secured.port}")
    assert status.dropped == 0 and status.dropped_rose_at is None and status.clients_connected is not None


def test_messages_the_broker_drops_show_on_the_console(pendants, settings, client, operator):
    """Mosquitto's default queue (1,000; 5 here) drops what comes while the ingester is away:
    the drop counter is recorded and the console warns."""
    a, _b = pendants
    small = Mosquitto(max_queued_messages="5")
    try:
        settings.MQTT_URL = small.url
        call_command("mqtt_auth", password_file=small.path / "passwd", acl_file=small.path / "acl",
                     reload=small.pidfile, stdout=_Out())
        until(lambda: connects(small.port, a.mqtt_username, a.mqtt_password), "the accounts")
        cid = f"kangyang-test-drop-{uuid.uuid4().hex[:6]}"
        with Running(None, None, cid):
            pass  # the session and its subscriptions now exist
        c = connect(small.port, a.mqtt_username, a.mqtt_password)
        for i in range(20):
            c.publish(broker.device_topic(a.device_id, "alarm"), json.dumps({**SOS, "msg_id": f"d-{i}"}), qos=1).wait_for_publish(WAIT)
        c.disconnect()
        c.loop_stop()
        with Running(None, None, cid, session_expiry=0):
            until(lambda: BrokerStatus.objects.filter(dropped__gt=0).exists(), "the drop counter")
    finally:
        small.close()
    assert Alarm.objects.filter(device=a).count() < 20
    status = BrokerStatus.objects.get(broker=f"127.0.0.1:{small.port}")
    assert status.dropped >= 20 - 5 - 1 and status.dropped_rose_at is not None
    client.force_login(operator)
    page = client.get("/alarms/console/").text
    assert f'data-broker-drops="{status.dropped}"' in page


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_ingester_and_a_device_talk_to_the_broker_over_tls_with_their_credentials(
        tmp_path, settings, elder_in_a, worker_a):
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True, timeout=WAIT)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=test CA")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "1", "-extfile", "san.ext")
    port = broker.free_port()
    settings.MQTT_URL = f"mqtts://{INGESTER}:{INGESTER_PASSWORD}@127.0.0.1:{port}"
    settings.MQTT_CA_FILE = str(tmp_path / "ca.pem")
    device = register(elder_in_a, worker_a, prefix="TLS")
    call_command("mqtt_auth", password_file=tmp_path / "passwd", acl_file=tmp_path / "acl", stdout=_Out())
    (tmp_path / "m.conf").write_text(
        f"per_listener_settings false\nallow_anonymous false\npassword_file {tmp_path}/passwd\n"
        f"acl_file {tmp_path}/acl\nlistener {port} 127.0.0.1\ncertfile {tmp_path}/server.pem\n"
        f"keyfile {tmp_path}/server.key\nuser {pwd.getpwuid(os.getuid()).pw_name}\n"
    )
    proc = subprocess.Popen(["mosquitto", "-c", str(tmp_path / "m.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until(lambda: broker.answers("127.0.0.1", port, timeout=0.2), "mosquitto to start")
        with Running(None, None, None, session_expiry=0) as ingester:
            assert ingester.endpoint.tls and ingester.endpoint.username == INGESTER
            c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="tls-device", protocol=paho.MQTTv311)
            c.username_pw_set(device.mqtt_username, device.mqtt_password)
            c.tls_set(ca_certs=str(tmp_path / "ca.pem"))
            c.connect("127.0.0.1", port)
            c.loop_start()
            c.publish(broker.device_topic(device.device_id, "alarm"), json.dumps(SOS), qos=1).wait_for_publish(WAIT)
            until(Alarm.objects.filter(device=device).exists, "the alarm sent over TLS")
            c.disconnect()
            c.loop_stop()
    finally:
        proc.kill()
        proc.wait(WAIT)
