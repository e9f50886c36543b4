"""The MQTT side of the ingester: connect, subscribe, batch, commit, then acknowledge.

All decisions about a message are in alarms/ingest.py; this module only moves messages
between the broker and `ingest.handle_messages`, keeping CONTRACTS.md's promise that a
message is acknowledged only after it is committed:

* paho runs with `manual_ack=True`: its network thread puts each message in a queue and
  sends nothing back. The main thread takes what has arrived (up to `batch_size`), hands
  it to handle_messages (one transaction), and only after that returns sends the PUBACKs,
  in the order the messages came. A crash at any point before leaves them unacknowledged,
  and the broker sends them again; the (device, msg_id) constraint makes that one alarm.
* A persistent session with the deployment's client id (KANGYANG_MQTT_CLIENT_ID; MQTT 5:
  clean_start=False and a session expiry; 3.1.1: clean_session=False) makes the broker keep
  what is published while the ingester is down, and send it on restart. How much it keeps
  is the broker's setting (deploy/mosquitto.conf: no limit).
* With KANGYANG_MQTT_SHARED_GROUP the subscriptions go through `$share/GROUP/`: the broker
  gives each message to one of the ingesters of the group, and each still commits before
  it acknowledges. Each ingester needs a client id of its own.
* The broker's own counters ($SYS: messages dropped, messages held, clients connected) are
  read on the side and written now and then (record_broker_status), so that a
  broker dropping messages is seen on the console and by `kangyang broker_status`.
* MQTT 5 is tried first, because its Receive Maximum lets the broker send many
  unacknowledged messages at once (large batches, ≥ 1,000 alarms/s); a broker that
  refuses it (the embedded 3.1.1 one) gets 3.1.1, where Mosquitto's
  `max_inflight_messages` (default 20) caps the batch.
* After a reconnect, messages of the previous connection are still committed but not
  acknowledged (their packet ids belong to the old connection); the broker redelivers
  them and they are found as duplicates.
* A database that is down: the batch is retried with back-off and not acknowledged
  until it commits. SIGTERM/SIGINT: the batch in hand is finished, then the client
  disconnects; what was received but not processed is redelivered next time.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections
from django.utils import timezone
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from kangyang.alarms import broker, constants, ingest
from kangyang.alarms.actions.devices import record_broker_status

log = logging.getLogger(__name__)

# Mosquitto's counters (published every sys_interval seconds, retained).
SYS_TOPICS = {
    "$SYS/broker/publish/messages/dropped": "dropped",
    "$SYS/broker/store/messages/count": "stored",
    "$SYS/broker/clients/connected": "clients",
}
SESSION_EXPIRY = 7 * 24 * 3600  # seconds the broker keeps our session while we are away
RECEIVE_MAXIMUM = 2000  # MQTT 5: unacknowledged messages the broker may send us at once
CONNECT_TIMEOUT = 10.0
V5_PROBE_TIMEOUT = 3.0  # seconds to wait for an MQTT 5 CONNACK before trying 3.1.1


class Ingester:
    """One MQTT connection feeding ingest.handle_messages. `run()` blocks until `stop()`."""

    def __init__(
        self, *, host: str | None = None, port: int | None = None, endpoint: broker.Endpoint | None = None,
        client_id: str | None = None, batch_size: int = 1000,
        protocol: str = "auto", keepalive: int = 30, session_expiry: int = SESSION_EXPIRY,
        shared_group: str | None = None, prefix: str | None = None,
        handle: Callable[[list[ingest.Message]], list[ingest.Outcome]] = ingest.handle_messages,
    ):
        """`endpoint` (default: MQTT_URL) or just `host` and `port` (no credentials, no TLS);
        client id, shared group and topic prefix default to the settings."""
        if endpoint is None:
            endpoint = broker.endpoint() if host is None else broker.Endpoint(host=host, port=port or 1883)
        self.endpoint = endpoint
        self.host, self.port = endpoint.host, endpoint.port
        self.client_id = client_id or settings.MQTT_CLIENT_ID
        self.topics = ingest.subscriptions(prefix=prefix, shared_group=shared_group)
        self._device_sub_mid: int | None = None
        self.broker_figures: dict[str, int] = {}  # from $SYS, written by the network thread
        self._figures_written: dict[str, int] = {}
        self._figures_at = 0.0
        self.batch_size, self.keepalive, self.handle = batch_size, keepalive, handle
        self.protocol, self.session_expiry = protocol, session_expiry
        self.messages: queue.Queue = queue.Queue()
        self.generation = 0
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self._refused_v5 = False
        self.client: mqtt.Client | None = None
        self.processed = 0

    # -- paho callbacks (network thread) ----------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            if str(reason_code) == "Unsupported protocol version":
                self._refused_v5 = True
            log.warning("broker refused the connection: %s", reason_code)
            return
        self.generation += 1
        if client.protocol == mqtt.MQTTv5:
            _rc, self._device_sub_mid = client.subscribe([(t, SubscribeOptions(qos=1)) for t in self.topics])
        else:
            _rc, self._device_sub_mid = client.subscribe([(t, 1) for t in self.topics])
        # Apart, and at QoS 0: a broker that refuses $SYS (not Mosquitto, or an ACL without
        # it) must not stop the ingestion.
        client.subscribe([(t, 0) for t in SYS_TOPICS])
        log.info("connected to %s:%d (session present: %s)", self.host, self.port,
                 getattr(flags, "session_present", "?"))

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        if mid != self._device_sub_mid:
            if any(rc.is_failure for rc in reason_codes):
                log.warning("the broker refused the $SYS subscriptions: broker drops will not be seen")
            return
        if any(rc.is_failure for rc in reason_codes):
            log.error("the broker refused the subscriptions: %s", reason_codes)
            return
        self.connected.set()  # connected and subscribed: from now on nothing published is missed

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if not self.stopping.is_set():
            log.warning("lost the broker (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        if message.topic in SYS_TOPICS:  # QoS 0, nothing to acknowledge
            try:
                self.broker_figures[SYS_TOPICS[message.topic]] = int(float(message.payload))
            except ValueError:
                pass
            return
        self.messages.put((self.generation, message.mid, message.qos, message.topic, message.payload))

    # -- connection --------------------------------------------------------------------------
    def _make_client(self, protocol: int) -> mqtt.Client:
        kwargs = {"clean_session": False} if protocol == mqtt.MQTTv311 else {}
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=protocol,
            manual_ack=True, **kwargs,
        )
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.endpoint.configure(client)
        return client

    def _connect(self, protocol: int, timeout: float) -> bool:
        """Connect and start paho's network thread; True once the broker accepted us."""
        self.client = self._make_client(protocol)
        if protocol == mqtt.MQTTv5:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = self.session_expiry
            props.ReceiveMaximum = RECEIVE_MAXIMUM
            self.client.connect_async(self.host, self.port, self.keepalive, clean_start=False, properties=props)
        else:
            self.client.connect_async(self.host, self.port, self.keepalive)
        self.client.loop_start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping.is_set():
            if self.connected.wait(0.05):
                return True
            if self._refused_v5:
                break
        self.client.disconnect()
        self.client.loop_stop()
        return False

    def connect(self) -> None:
        """MQTT 5, else 3.1.1 (a 3.1.1-only broker refuses MQTT 5, or, like amqtt, does not
        answer it at all); keeps trying while no broker answers. Once connected, paho
        reconnects by itself."""
        order = {"auto": [mqtt.MQTTv5, mqtt.MQTTv311], "5": [mqtt.MQTTv5], "3.1.1": [mqtt.MQTTv311]}[self.protocol]
        delay = 1.0
        while not self.stopping.is_set():
            if broker.answers(self.host, self.port):
                for i, protocol in enumerate(order):
                    self._refused_v5 = False
                    last = i == len(order) - 1
                    if self._connect(protocol, CONNECT_TIMEOUT if last else V5_PROBE_TIMEOUT):
                        return
            log.warning("no broker accepts us at %s:%d; retrying in %.0f s", self.host, self.port, delay)
            self.stopping.wait(delay)
            delay = min(delay * 2, 10.0)

    # -- the loop (main thread) --------------------------------------------------------------
    def _take(self) -> list[tuple]:
        """What has arrived: block briefly for the first message, then take the rest without
        waiting (while a batch commits, the next one gathers by itself)."""
        try:
            batch = [self.messages.get(timeout=0.2)]
        except queue.Empty:
            return []
        while len(batch) < self.batch_size:
            try:
                batch.append(self.messages.get_nowait())
            except queue.Empty:
                break
        return batch

    def _commit(self, batch: list[tuple]) -> bool:
        """handle_messages until it commits; False if asked to stop first."""
        delay = 0.5
        while True:
            close_old_connections()
            try:
                self.handle([(topic, payload) for _g, _mid, _qos, topic, payload in batch])
                return True
            except (OperationalError, InterfaceError):
                log.warning("database unavailable; retrying the batch in %.1f s", delay, exc_info=True)
                close_old_connections()
                if self.stopping.wait(delay):
                    return False
                delay = min(delay * 2, 10.0)

    def run(self) -> None:
        self.connect()
        last_report = time.monotonic()
        try:
            while not self.stopping.is_set():
                batch = self._take()
                if batch:
                    if not self._commit(batch):
                        break
                    self.processed += len(batch)
                    for generation, mid, qos, _topic, _payload in batch:
                        if qos > 0 and generation == self.generation:
                            self.client.ack(mid, qos)
                self._write_broker_figures()
                if time.monotonic() - last_report > 60:
                    last_report = time.monotonic()
                    log.info("ingest counts: %s", ingest.snapshot())
        finally:
            if self.client is not None:
                self.client.disconnect()
                self.client.loop_stop()
            close_old_connections()

    def _write_broker_figures(self) -> None:
        """The $SYS figures, to the database: at once when the drop counter changed, else at
        most every BROKER_STATUS_EVERY (they change all the time; nobody needs each change)."""
        figures = dict(self.broker_figures)
        if "dropped" not in figures:
            return
        changed = figures.get("dropped") != self._figures_written.get("dropped")
        due = time.monotonic() - self._figures_at >= constants.BROKER_STATUS_EVERY.total_seconds()
        if not (changed or due):
            return
        try:
            record_broker_status(
                broker=f"{self.host}:{self.port}", dropped=figures["dropped"],
                stored=figures.get("stored"), clients=figures.get("clients"), now=timezone.now(),
            )
        except DatabaseError:
            log.warning("could not record the broker's figures", exc_info=True)
            return
        self._figures_written, self._figures_at = figures, time.monotonic()

    def stop(self, *_args) -> None:
        self.stopping.set()
