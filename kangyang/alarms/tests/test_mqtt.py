"""The ingester against a real broker: Mosquitto at MQTT_URL when one answers (CI starts
one), else the embedded amqtt broker on a free port; and always once against the embedded
broker itself (MQTT 3.1.1). Every wait is bounded (WAIT seconds), and each test stops its
ingester and removes its broker session.

A broker may be shared with other test runs at the same time (every ingester subscribes to
all devices), so each test uses a device id of its own and counts only that device's rows."""

import asyncio
import json
import threading
import time
import uuid

import paho.mqtt.client as paho
import pytest
from django.conf import settings
from django.db import OperationalError, connections

from kangyang.alarms import broker, mqtt
from kangyang.alarms.models import Alarm, AlarmRepeat, BadMessage

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]
WAIT = 15.0


class EmbeddedBroker(threading.Thread):
    """amqtt in a thread of its own, on a free loopback port."""

    def __init__(self):
        super().__init__(daemon=True)
        self.host, self.port = "127.0.0.1", broker.free_port()
        self._loop = None
        self._stop_event = None

    def run(self):
        async def main():
            self._loop, self._stop_event = asyncio.get_running_loop(), asyncio.Event()
            await broker.serve(self.host, self.port, self._stop_event)

        asyncio.run(main())

    def __enter__(self):
        self.start()
        until(lambda: broker.answers(self.host, self.port, timeout=0.2), "the embedded broker to start")
        return self

    def __exit__(self, *exc):
        self._loop.call_soon_threadsafe(self._stop_event.set)
        self.join(WAIT)


def until(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OperationalError:  # SQLite's shared in-memory test database: "table is locked"
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def broker_at():
    """(host, port) of a broker: MQTT_URL's if it answers, else an embedded one."""
    host, port = broker.broker_address(settings.MQTT_URL)
    if broker.answers(host, port):
        yield host, port
        return
    with EmbeddedBroker() as b:
        yield b.host, b.port


class Running:
    """An Ingester in a thread, with its own database connection."""

    def __init__(self, host, port, client_id, **kwargs):
        self.ingester = mqtt.Ingester(host=host, port=port, client_id=client_id, **kwargs)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            self.ingester.run()
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        until(self.ingester.connected.is_set, "the ingester to connect")
        return self.ingester

    def __exit__(self, *exc):
        self.ingester.stop()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


def publisher(host, port) -> paho.Client:
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}", protocol=paho.MQTTv311)
    c.connect(host, port)
    c.loop_start()
    return c


def publish(c: paho.Client, device: str, kind: str, body) -> None:
    payload = body if isinstance(body, bytes) else json.dumps(body)
    c.publish(f"kangyang/devices/{device}/{kind}", payload, qos=1).wait_for_publish(WAIT)


def forget_session(host, port, client_id):
    """End the persistent session, so the broker stops keeping messages for it."""
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv311, clean_session=True)
    c.connect(host, port)
    c.loop_start()
    time.sleep(0.2)
    c.disconnect()
    c.loop_stop()


@pytest.fixture
def client_id(broker_at):
    cid = f"kangyang-test-{uuid.uuid4().hex[:10]}"
    yield cid
    forget_session(*broker_at, cid)


@pytest.fixture
def device(elder_in_a, worker_a):
    """A pendant with an id no other test run uses."""
    from kangyang.alarms.actions import register_device

    return register_device(by=worker_a, device_id=f"T-{uuid.uuid4().hex[:12]}", kind="sos_pendant", elder=elder_in_a)


def alarms(device):
    return Alarm.objects.filter(device=device)


def stored_messages(device) -> int:
    """Alarm messages of the device kept: as alarms, or as repeats merged into one."""
    return alarms(device).count() + AlarmRepeat.objects.filter(device=device).count()


def bad(device):
    return BadMessage.objects.filter(device_id=device.device_id)


SOS = {"msg_id": "r-1", "type": "sos", "ts": "2026-11-20T09:30:00+08:00", "battery": 90}


def test_an_alarm_published_twice_is_stored_once_and_a_malformed_one_is_kept(broker_at, client_id, device):
    with Running(*broker_at, client_id):
        pub = publisher(*broker_at)
        publish(pub, device.device_id, "alarm", SOS)
        publish(pub, device.device_id, "alarm", SOS)
        publish(pub, device.device_id, "alarm", b"{broken")
        publish(pub, device.device_id, "heartbeat", {"ts": "2026-11-20T09:31:00+08:00", "battery": 88})
        pub.disconnect()
        until(lambda: bad(device).exists() and alarms(device).exists(), "the messages to be stored")
        time.sleep(0.5)  # let the duplicate arrive too
    assert alarms(device).count() == 1 and alarms(device).get().msg_id == "r-1"
    assert bad(device).get().reason == "malformed"


def test_messages_published_while_the_ingester_is_down_arrive_when_it_is_back(broker_at, client_id, device):
    with Running(*broker_at, client_id):
        pass  # the broker now knows the session and its subscriptions
    pub = publisher(*broker_at)
    for i in range(5):
        publish(pub, device.device_id, "alarm", {**SOS, "msg_id": f"down-{i}"})
    pub.disconnect()
    assert not alarms(device).exists()
    with Running(*broker_at, client_id):
        until(lambda: stored_messages(device) == 5, "the 5 alarms kept by the broker")
    # One elder pressing five times within the repeat window: one alarm, four repeats.
    assert alarms(device).count() == 1 and alarms(device).get().repeat_count == 4


def test_a_message_whose_commit_fails_is_not_acknowledged_and_comes_again(broker_at, client_id, device):
    """PUBACK only after the commit: while the database refuses, the message stays
    unacknowledged at the broker, which sends it again to the next ingester."""
    tried = []

    def database_down(messages):
        tried.append(len(messages))
        raise OperationalError("the database is down")

    with Running(*broker_at, client_id, handle=database_down):
        pub = publisher(*broker_at)
        publish(pub, device.device_id, "alarm", SOS)
        pub.disconnect()
        until(lambda: tried, "the ingester to try")
    assert not alarms(device).exists()
    with Running(*broker_at, client_id):
        until(alarms(device).exists, "the alarm, delivered again")
    assert alarms(device).count() == 1


def test_the_ingester_works_with_the_embedded_broker_over_mqtt_3_1_1(device):
    with EmbeddedBroker() as b:
        with Running(b.host, b.port, "kangyang-test-embedded") as ingester:
            assert ingester.client.protocol == paho.MQTTv311
            pub = publisher(b.host, b.port)
            publish(pub, device.device_id, "alarm", SOS)
            publish(pub, device.device_id, "alarm", SOS)
            pub.disconnect()
            until(alarms(device).exists, "the alarm")
            time.sleep(0.3)
    assert alarms(device).count() == 1
