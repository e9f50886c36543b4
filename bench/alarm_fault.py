"""No alarm lost, none doubled: the ingester killed with SIGKILL mid-stream, twice.

    python bench/alarm_fault.py             10,000 alarms from 500 devices, two kills
    python bench/alarm_fault.py --short     1,000 alarms from 100 devices, one kill (CI)

Loopback only, bounded (--timeout seconds for the whole run), stops by itself. It

1. starts a private Mosquitto on a free 127.0.0.1 port (`mosquitto` must be installed;
   its config lets a persistent session keep every message while the ingester is down:
   Mosquitto's default keeps only 1,000), or uses --broker-url;
2. migrates DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kangyang_alarms_bench,
   created when missing) and registers the devices of this run (ids `F<run>-<n>`);
3. runs the real ingester, `python -m kangyang ingest`, as a subprocess with a client id of
   this run, and waits until it is subscribed (a probe heartbeat reaches the database);
4. publishes, with QoS 1 from one publisher, the unique valid alarms with duplicates mixed
   in (10%: the same msg_id sent again, soon or much later) and malformed messages (5%:
   broken JSON, an unknown type, a bad time, no msg_id, an unknown device);
5. kills the ingester with SIGKILL at evenly spaced points of the stream and starts it
   again after a pause, while publishing goes on (the broker keeps the messages);
6. waits until the database holds every unique alarm (or the timeout), stops the ingester
   with SIGTERM, and checks: every unique valid alarm stored exactly once (none lost, none
   doubled), every malformed message stored for review (a message that was committed but
   not yet acknowledged when the ingester died comes again, so a malformed one may be
   stored twice: deliveries are reported, distinct payloads must equal those sent).

Exit status 0 when every check holds, 1 otherwise.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kangyang_alarms_bench")
os.environ.setdefault("KANGYANG_DATA_DIR", str(ROOT / "var" / "bench-alarms"))

TS = "2026-11-20T09:30:00+08:00"
MOSQUITTO_CONF = """\
listener {port} 127.0.0.1
allow_anonymous true
persistence false
# A persistent session keeps every message while the ingester is down (default 1,000).
max_queued_messages 0
max_queued_bytes 0
# MQTT 3.1.1 clients (the publisher): unacknowledged messages in flight.
max_inflight_messages 1000
log_type error
"""


# -- processes -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """Terminate a child process, killing it if it does not stop within 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Mosquitto:
    """A private Mosquitto on a free loopback port, stopped on exit."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.TemporaryDirectory(prefix="kangyang-mosquitto-")
        self.conf = Path(self.dir.name) / "mosquitto.conf"
        self.conf.write_text(MOSQUITTO_CONF.format(port=self.port))
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        wait_for_port(self.port)
        return self

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        stop(self.proc)
        self.dir.cleanup()


class Ingester:
    """`python -m kangyang ingest` as a subprocess that can be killed and started again."""

    def __init__(self, url: str, client_id: str, log_path: Path, *extra: str):
        self.env = {**os.environ, "MQTT_URL": url}
        self.argv = [sys.executable, "-m", "kangyang", "ingest", "--client-id", client_id, *extra]
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=self.log, stderr=self.log)
        self.starts += 1

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, and the exit code (-9 if it had to be killed)."""
        code = -9
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        elif self.proc is not None:
            code = self.proc.returncode
        self.log.close()
        return code


def publisher(url: str):
    import paho.mqtt.client as mqtt

    parts = urlsplit(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}",
                         protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(parts.hostname, parts.port or 1883)
    client.loop_start()
    return client


def forget_session(url: str, client_id: str) -> None:
    """End the ingester's persistent session (for a shared broker given by --broker-url)."""
    import paho.mqtt.client as mqtt

    parts = urlsplit(url)
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311, clean_session=True)
    c.connect(parts.hostname, parts.port or 1883)
    c.loop_start()
    time.sleep(0.3)
    c.disconnect()
    c.loop_stop()


# -- database --------------------------------------------------------------------------------
def create_database_if_missing(url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg

    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django():
    create_database_if_missing(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def make_devices(prefix: str, n: int) -> list[str]:
    """n pendants of a bench household, ids `<prefix>-<i>`."""
    from kangyang.alarms.models import Device
    from kangyang.regions.models import Household, Region

    district, _c = Region.objects.get_or_create(code="360199000000", defaults={"name": "bench", "level": "district"})
    sub, _c = Region.objects.get_or_create(code="360199001000", defaults={"name": "bench", "level": "subdistrict", "parent": district})
    community, _c = Region.objects.get_or_create(code="360199001001", defaults={"name": "bench", "level": "community", "parent": sub})
    household, _c = Household.objects.get_or_create(community=community, address="bench")
    ids = [f"{prefix}-{i}" for i in range(n)]
    Device.objects.bulk_create([
        Device(device_id=d, kind="sos_pendant", household=household, region_code=community.code) for d in ids
    ], batch_size=5000)
    return ids


def wait_subscribed(pub, device_id: str, timeout: float = 60) -> None:
    """Publish probe heartbeats until one reaches the database: the ingester is subscribed."""
    from django.db import close_old_connections

    from kangyang.alarms.models import Device

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pub.publish(f"kangyang/devices/{device_id}/heartbeat", json.dumps({"ts": TS}), qos=1)
        time.sleep(0.3)
        close_old_connections()
        if Device.objects.filter(device_id=device_id, last_seen_at__isnull=False).exists():
            return
    raise RuntimeError("the ingester did not come up (see the ingester log)")


# -- the stream ------------------------------------------------------------------------------
def build_stream(devices: list[str], alarms: int, rng: random.Random, prefix: str):
    """(messages, unique valid keys, malformed payloads). Duplicates follow their original,
    some at once, some thousands of messages later."""
    valid = []
    for i in range(alarms):
        device = devices[i % len(devices)]
        body = {"msg_id": f"m{i}", "type": rng.choice(["sos", "sos", "fall", "smoke"]), "ts": TS,
                "battery": rng.randint(20, 100)}
        valid.append((f"kangyang/devices/{device}/alarm", json.dumps(body).encode(), (device, f"m{i}")))
    stream = [(t, p) for t, p, _k in valid]
    for _i in range(alarms // 10):  # duplicates: 10%
        j = rng.randrange(len(valid))
        t, p, _k = valid[j]
        stream.insert(min(len(stream), j + 1 + rng.choice([0, 1, 5, 50, 3000])), (t, p))
    bad = []
    for i in range(alarms // 20):  # malformed: 5%
        device = devices[rng.randrange(len(devices))]
        kind = i % 5
        topic = f"kangyang/devices/{device}/alarm"
        if kind == 0:
            payload = f'{{"msg_id": "b{i}", "type": "sos", "ts": '.encode()
        elif kind == 1:
            payload = json.dumps({"msg_id": f"b{i}", "type": "earthquake", "ts": TS}).encode()
        elif kind == 2:
            payload = json.dumps({"msg_id": f"b{i}", "type": "sos", "ts": f"yesterday {i}"}).encode()
        elif kind == 3:
            payload = json.dumps({"type": "sos", "ts": TS, "n": i}).encode()
        else:
            topic = f"kangyang/devices/{prefix}-unknown-{i}/alarm"
            payload = json.dumps({"msg_id": f"b{i}", "type": "sos", "ts": TS}).encode()
        bad.append((topic, payload))
        stream.insert(rng.randrange(len(stream) + 1), (topic, payload))
    return stream, {k for _t, _p, k in valid}, bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alarms", type=int, default=10_000)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--short", action="store_true", help="1,000 alarms, 100 devices, one kill (CI)")
    parser.add_argument("--rate", type=float, default=1000, help="publish rate, messages/s (default 1000)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the whole run (default 300)")
    parser.add_argument("--broker-url", default="", help="use this broker instead of a private Mosquitto")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    if args.short:
        args.alarms, args.devices, args.kills = 1000, 100, 1
    started = time.monotonic()
    deadline = started + args.timeout
    rng = random.Random(args.seed)
    setup_django()
    from django.db import close_old_connections, connection
    from django.db.models import Count

    from kangyang.alarms.models import Alarm, BadMessage

    run = uuid.uuid4().hex[:8]
    prefix = f"F{run}"
    devices = make_devices(prefix, args.devices)
    probe = make_devices(f"{prefix}probe", 1)[0]
    stream, expected, bad = build_stream(devices, args.alarms, rng, prefix)
    print(f"run {run}: {len(expected)} unique alarms, {len(stream) - len(expected) - len(bad)} duplicates, "
          f"{len(bad)} malformed, {len(stream)} messages from {len(devices)} devices; "
          f"{args.kills} SIGKILLs; database {connection.vendor}")

    log_path = Path(os.environ["KANGYANG_DATA_DIR"]) / f"alarm_fault-{run}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    broker = Mosquitto() if not args.broker_url else None
    ok = False
    try:
        if broker:
            broker.__enter__()
        url = args.broker_url or broker.url
        client_id = f"kangyang-bench-fault-{run}"
        ingester = Ingester(url, client_id, log_path)
        ingester.start()
        pub = publisher(url)
        wait_subscribed(pub, probe)
        def stored() -> int:
            close_old_connections()
            return Alarm.objects.filter(device__device_id__startswith=prefix + "-").count()

        # Kill points evenly spaced; a kill waits until the ingester (re)started before it has
        # stored something, so that every kill hits a process in the middle of its work.
        kill_at = [len(stream) * (k + 1) // (args.kills + 1) for k in range(args.kills)]
        interval = 1.0 / args.rate
        t0 = time.monotonic()
        restarts, progress_from = [], 0
        for n, (topic, payload) in enumerate(stream):
            if kill_at and n >= kill_at[0] and n % 25 == 0 and stored() > progress_from + 100:
                kill_at.pop(0)
                ingester.kill()
                progress_from = stored()
                print(f"  SIGKILL after {n} messages published, {progress_from} alarms stored")
                # start again a little later, in the background; publishing goes on meanwhile
                timer = threading.Timer(1.0, ingester.start)
                timer.start()
                restarts.append(timer)
            info = pub.publish(topic, payload, qos=1)
            while time.monotonic() < t0 + n * interval:
                time.sleep(0.0005)
            if time.monotonic() > deadline:
                raise TimeoutError("publishing took too long")
        info.wait_for_publish(30)
        publish_seconds = time.monotonic() - t0
        for timer in restarts:
            timer.join()
        print(f"  published {len(stream)} messages in {publish_seconds:.1f} s")

        if kill_at:
            print(f"  the stream ended before {len(kill_at)} of the kills; raise --alarms or lower --rate")
        while stored() < len(expected) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)  # late duplicates still in flight, if any
        drained = time.monotonic() - t0
        code = ingester.stop()
        pub.disconnect()
        pub.loop_stop()
        if args.broker_url:
            forget_session(url, client_id)

        close_old_connections()
        rows = Alarm.objects.filter(device__device_id__startswith=prefix + "-")
        keys = list(rows.values_list("device__device_id", "msg_id"))
        got = set(keys)
        doubled = rows.values("device", "msg_id").annotate(n=Count("id")).filter(n__gt=1).count()
        lost = expected - got
        unexpected = got - expected
        bad_rows = BadMessage.objects.filter(device_id__startswith=prefix)
        deliveries = bad_rows.count()
        distinct_bad = bad_rows.values("topic", "payload").distinct().count()
        reasons = dict(bad_rows.values_list("reason").annotate(n=Count("id")))
        ok = (not lost and not doubled and not unexpected and len(keys) == len(expected)
              and distinct_bad == len(bad) and code == 0 and not kill_at)
        print(f"  all stored {drained:.1f} s after the first message; ingester started {ingester.starts} times, "
              f"clean SIGTERM exit: {code == 0}")
        print(f"  unique alarms: sent {len(expected)}, stored {len(got)}, lost {len(lost)}, "
              f"doubled {doubled}, unexpected {len(unexpected)}")
        print(f"  malformed: sent {len(bad)}, stored {distinct_bad} distinct ({deliveries} deliveries) by reason {reasons}")
        print(f"  ingester log: {log_path}")
    finally:
        if broker:
            broker.__exit__(None, None, None)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
