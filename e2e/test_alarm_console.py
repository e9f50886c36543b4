"""Two operators at their consoles in a real Chromium; an SOS is published over MQTT to a
real broker (Mosquitto at MQTT_URL, 127.0.0.1:1883 by default) and stored by the alarm
ingester (kangyang.alarms.mqtt.Ingester, run in a thread of this process so that it writes
to the test database).

Operator 1's console follows the server-sent event stream; operator 2's stream is cut
off by the test, so that page works by polling the queue, and its card stays as it was when
opened: pressing Acknowledge there after operator 1 took the alarm is refused with the
name of operator 1.
"""

import json
import socket
import threading
import time
import uuid

import pytest
from django.db import connections
from django.utils import timezone

from e2e.conftest import sign_in
from kangyang.alarms import actions, broker
from kangyang.alarms.models import Alarm

pytestmark = [pytest.mark.browser, pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]


def _broker_or_skip() -> tuple[str, int]:
    host, port = broker.broker_address()
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        pytest.skip(f"no MQTT broker at {host}:{port} (.ci/run starts Mosquitto)")
    return host, port


@pytest.fixture
def ingester():
    """The real ingester on a session of its own, stopped and its session wiped afterwards."""
    import paho.mqtt.client as paho
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from kangyang.alarms.mqtt import Ingester

    host, port = _broker_or_skip()
    client_id = f"kangyang-e2e-{uuid.uuid4().hex[:12]}"
    ing = Ingester(host=host, port=port, client_id=client_id, batch_size=100)

    def run():
        try:
            ing.run()
        finally:
            connections.close_all()  # this thread's connection, or the test database stays in use

    thread = threading.Thread(target=run, name="ingester", daemon=True)
    thread.start()
    assert ing.connected.wait(15), "the ingester did not connect to the broker"
    yield ing
    ing.stop()
    thread.join(10)
    # The ingester's session is persistent: end it, so the broker keeps nothing for it.
    wipe = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    wipe.connect(host, port, clean_start=True, properties=props)
    wipe.disconnect()


def publish_sos(host: str, port: int, device_id: str, msg_id: str) -> None:
    import paho.mqtt.client as paho

    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"kangyang-e2e-pub-{uuid.uuid4().hex[:8]}")
    client.connect(host, port)
    client.loop_start()
    payload = {"msg_id": msg_id, "type": "sos", "ts": timezone.now().isoformat(), "lat": 28.6601,
               "lng": 115.8902, "coord": "wgs84", "battery": 76}
    info = client.publish(f"kangyang/devices/{device_id}/alarm", json.dumps(payload), qos=1)
    info.wait_for_publish(10)
    client.loop_stop()
    client.disconnect()


@pytest.fixture
def operator_2(tree):
    from kangyang.accounts.models import User

    return User.objects.create_user(username="operator_2", password="kangyang-demo", role="hotline_operator",
                                    region=tree, full_name="王接警")


def test_an_alarm_published_over_mqtt_reaches_the_console_and_only_one_operator_takes_it(
    live_server, desk, ingester, operator, operator_2, worker_a, elder_in_a
):
    host, port = broker.broker_address()
    device_id = f"E2E-{uuid.uuid4().hex[:10]}"
    actions.register_device(by=worker_a, device_id=device_id, kind="sos_pendant", vendor="康为",
                            model="KY-P1", elder=elder_in_a)

    first = desk()
    sign_in(first, live_server, "operator")
    first.goto(f"{live_server.url}/alarms/console/")
    first.locator('#alarm-live[data-state="live"]').wait_for()  # the event stream is open
    first.evaluate("window.__same_document = true")

    second = desk()
    second.route("**/alarms/console/stream/**", lambda route: route.abort())  # no stream: it polls
    sign_in(second, live_server, "operator_2")
    second.goto(f"{live_server.url}/alarms/console/")
    second.locator('#alarm-live[data-state="polling"]').wait_for()

    published = time.monotonic()
    publish_sos(host, port, device_id, "e2e-1")

    # It appears on the first console without a reload, highlighted, with its elder.
    row = first.locator("#alarm-queue [data-alarm-id].new", has_text="张桂兰")
    row.wait_for()
    seen_after = time.monotonic() - published
    assert first.evaluate("window.__same_document") is True
    alarm = Alarm.objects.get(device__device_id=device_id)
    assert (alarm.type, alarm.status, alarm.msg_id) == ("sos", "raised", "e2e-1")
    assert first.locator("#alarm-console").get_attribute("data-beeps") == "1"

    # The second operator's page finds it by polling, and opens its card.
    second_row = second.locator(f'#alarm-queue [data-alarm-id="{alarm.pk}"]')
    second_row.wait_for()
    second_row.locator("a[data-open]").click()
    second.locator(f'#alarm-card [data-card-alarm-id="{alarm.pk}"] button[data-acknowledge]').wait_for()

    # The first operator chooses it with the keyboard and acknowledges with the A key.
    first.keyboard.press("j")
    first.keyboard.press("a")
    first.locator(f'#alarm-card [data-card-alarm-id="{alarm.pk}"] .taken[data-taken-by="operator"]').wait_for()
    assert first.locator("#alarm-card").get_by_text("接警", exact=False).count() >= 1
    assert first.locator('#alarm-card button[data-action="called_elder-yes"]').count() == 1
    alarm.refresh_from_db()
    assert alarm.status == "acknowledged" and alarm.acknowledged_by == operator

    # The second operator presses Acknowledge on the card still open: refused, naming the first.
    second.locator("#alarm-card button[data-acknowledge]").click()
    refusal = second.locator("#alarm-card .refusal")
    refusal.wait_for()
    assert "operator" in refusal.inner_text()
    assert second.locator('#alarm-card .taken[data-taken-by="operator"]').count() == 1
    assert second.locator('#alarm-card button[data-action]').count() == 0
    # …and the queue shows it in the first operator's hands.
    second.locator(f'#alarm-queue [data-alarm-id="{alarm.pk}"] .taken').wait_for()
    alarm.refresh_from_db()
    assert alarm.acknowledged_by == operator
    assert alarm.events.filter(kind="acknowledged").count() == 1

    # The first operator records a call and resolves it; the alarm leaves both queues.
    first.locator('#alarm-card button[data-action="called_elder-yes"]').click()
    first.locator("#alarm-card .timeline li.event-called_elder").wait_for()
    first.select_option("#alarm-card select[name=outcome]", "false_alarm")
    first.locator("#alarm-card .resolve button[type=submit]").click()
    first.locator('#alarm-card [data-status="resolved"]').wait_for()
    first.locator(f'#alarm-queue [data-alarm-id="{alarm.pk}"]').wait_for(state="detached")
    second.locator(f'#alarm-queue [data-alarm-id="{alarm.pk}"]').wait_for(state="detached")
    alarm.refresh_from_db()
    assert alarm.status == "resolved" and alarm.outcome == "false_alarm"
    print(f"alarm visible on the console {seen_after:.2f} s after publish (WSGI live server)")


def test_a_repeated_sos_is_merged_on_the_console_and_the_reveal_gives_tel_links(
    live_server, desk, ingester, operator, worker_a, elder_in_a
):
    """The elder presses twice: one row whose count goes up (and beeps again); the operator
    takes it, reveals the numbers with a reason, and gets tel: links, none before."""
    from kangyang.registry.actions import add_contact

    add_contact(elder_in_a, by=worker_a, name="王芳", relation="daughter", phone="13600000001", priority=1)
    host, port = broker.broker_address()
    device_id = f"E2E-{uuid.uuid4().hex[:10]}"
    actions.register_device(by=worker_a, device_id=device_id, kind="sos_pendant", elder=elder_in_a)

    page = desk()
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server.url}/alarms/console/")
    page.locator('#alarm-live[data-state="live"]').wait_for()
    sound = page.locator("#alarm-sound")
    assert sound.get_attribute("data-state") == "armed"  # on, waiting for the first click
    page.locator("h1").click()
    page.locator('#alarm-sound[data-state="on"]').wait_for()

    publish_sos(host, port, device_id, "rep-1")
    page.locator("#alarm-queue [data-alarm-id].new", has_text="张桂兰").wait_for()
    publish_sos(host, port, device_id, "rep-2")
    publish_sos(host, port, device_id, "rep-2")  # an MQTT duplicate: still one repeat
    row = page.locator('#alarm-queue [data-alarm-id][data-repeats="1"]')
    row.wait_for()
    assert "2" in row.locator(".tag.repeats").inner_text()
    alarm = Alarm.objects.get(device__device_id=device_id)
    assert alarm.repeat_count == 1 and alarm.repeats.count() == 1
    assert Alarm.objects.filter(device__device_id=device_id).count() == 1
    page.wait_for_function("() => document.getElementById('alarm-console').dataset.beeps === '2'")

    row.locator("a[data-open]").click()
    card = page.locator(f'#alarm-card [data-card-alarm-id="{alarm.pk}"]')
    card.locator(".tag.repeats").wait_for()
    assert card.locator("[data-repeat]").count() == 1
    card.locator("button[data-acknowledge]").click()
    page.locator("#alarm-card .taken").wait_for()
    assert page.locator("#alarm-card a[href^='tel:']").count() == 0
    assert "13807911234" not in page.content() and "13600000001" not in page.content()

    page.fill("#alarm-card input[name=reason]", "回拨")
    page.locator("#alarm-card .reveal button[type=submit]").click()
    page.locator("#alarm-card .reveal.revealed").wait_for()
    assert page.locator("#alarm-card a[href='tel:13807911234']").count() == 1
    assert page.locator("#alarm-card a[href='tel:13600000001']").count() == 1

    # The operator turns the sound off; the choice outlives a reload.
    sound.click()
    page.locator('#alarm-sound[data-state="off"]').wait_for()
    page.reload()
    page.locator("h1").click()
    assert page.locator("#alarm-sound").get_attribute("data-state") == "off"
