"""Sustained ingestion: alarms/s and heartbeats/s through Mosquitto into PostgreSQL, and how
long an alarm takes from publish to a row any reader (the console) can see.

    python bench/alarm_load.py [--alarm-rate 1200] [--alarms 30000] [--heartbeats 120000]

Loopback only, bounded (--timeout), stops by itself. Starts a private Mosquitto (as
bench/alarm_fault.py does; or --broker-url), migrates DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kangyang_alarms_bench), registers the devices of this
run, starts `python -m kangyang ingest` as a subprocess and then measures, one after the
other:

  (a) sustained alarms: --alarms unique alarms from 500 devices, published with paho at
      --alarm-rate per second; a watcher polls the table every 5 ms for new rows and takes
      each row's publish→visible latency (p50, p95, p99, max) and the rate rows became
      visible;
  (b) peak alarms: --alarms more, written to the broker by a bare MQTT publisher (tens of
      thousands per second, so that the ingester, not the publisher, is the bottleneck):
      the rate from the first publish to the last row visible;
  (c) heartbeats: --heartbeats heartbeats, rounds over --devices devices, the same way,
      until every device shows the last round: the rate.

Every alarm is committed before its PUBACK (the ingester's rule; batches of what has
arrived, acknowledged after the batch commits). Targets (issue 6): ≥ 1,000 alarms/s,
≥ 5,000 heartbeats/s, p99 publish→visible ≤ 1 s. The machine is shared by the publisher,
Mosquitto, the ingester and PostgreSQL: figures are for all four on the same cores.
"""

import argparse
import json
import multiprocessing as mp
import os
import socket
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from alarm_fault import (  # noqa: E402 - after the path
    TS, Ingester, Mosquitto, forget_session, make_devices, publisher, setup_django, wait_subscribed,
)

TARGET_ALARMS, TARGET_BEATS, TARGET_P99 = 1000, 5000, 1.0


class Watcher(threading.Thread):
    """Polls the alarm table for rows of this run; records when each msg_id became visible."""

    def __init__(self, url: str, prefix: str):
        super().__init__(daemon=True)
        self.url, self.prefix = url, prefix
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self):
        import psycopg

        parts = urlsplit(self.url)
        with psycopg.connect(parts._replace(scheme="postgresql").geturl(), autocommit=True) as conn:
            last = conn.execute("SELECT coalesce(max(id), 0) FROM alarms_alarm").fetchone()[0]
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT a.id, a.msg_id FROM alarms_alarm a WHERE a.id > %s ORDER BY a.id", [last]
                ).fetchall()
                now = time.time()
                for pk, msg_id in rows:
                    if msg_id.startswith(self.prefix):
                        self.seen.setdefault(msg_id, now)
                    last = pk
                time.sleep(0.005)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _packet(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + _varint(len(body)) + body


def _mqtt_str(s: str | bytes) -> bytes:
    b = s.encode() if isinstance(s, str) else s
    return len(b).to_bytes(2, "big") + b


def _raw_publish_worker(url, messages, queue):
    """A bare MQTT 3.1.1 publisher: pre-encoded QoS 1 PUBLISH packets written in large chunks,
    PUBACKs counted by a reader thread. paho spends more CPU per message than the ingester
    does, which would measure the publisher, not the ingester."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port or 1883))
    client_id = f"bench-raw-{uuid.uuid4().hex[:8]}"
    connect = _mqtt_str("MQTT") + bytes([4, 0x02]) + (60).to_bytes(2, "big") + _mqtt_str(client_id)
    sock.sendall(_packet(0x10, connect))
    assert sock.recv(4)[:2] == b"\x20\x02", "no CONNACK"
    packets = [
        _packet(0x32, _mqtt_str(topic) + ((i % 65535) + 1).to_bytes(2, "big") + payload.encode())
        for i, (topic, payload) in enumerate(messages)
    ]
    acked = threading.Event()

    def read_acks():
        need, buf = 4 * len(packets), 0
        while buf < need:
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += len(chunk)
        acked.set()

    reader = threading.Thread(target=read_acks, daemon=True)
    reader.start()
    t0 = time.time()
    for k in range(0, len(packets), 500):
        sock.sendall(b"".join(packets[k:k + 500]))
    acked.wait(120)
    queue.put((t0, time.time()))
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()


def _publish_worker(url, messages, rate, queue):
    """A publisher process: publish (topic, payload) at `rate` per second overall (or as
    fast as it can), wait for the broker's PUBACKs; put (first, last) publish times."""
    pub = publisher(url)
    t0, info = time.time(), None
    for i, (topic, payload) in enumerate(messages):
        info = pub.publish(topic, payload, qos=1)
        if rate:
            while time.time() < t0 + (i + 1) / rate:
                time.sleep(0.0002)
    info.wait_for_publish(120)
    queue.put((t0, time.time()))
    pub.disconnect()
    pub.loop_stop()


def publish(url, messages, *, rate=None, procs=1) -> tuple[float, float]:
    """Publish from `procs` processes, messages dealt round-robin: with paho at `rate` per
    second, or as fast as a bare publisher goes; (start, end) of publishing (until the
    broker's last PUBACK)."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    workers = [
        ctx.Process(target=_publish_worker, args=(url, messages[k::procs], rate / procs, queue)) if rate
        else ctx.Process(target=_raw_publish_worker, args=(url, messages[k::procs], queue))
        for k in range(procs)
    ]
    for w in workers:
        w.start()
    spans = [queue.get(timeout=600) for _w in workers]
    for w in workers:
        w.join(30)
    return min(a for a, _b in spans), max(b for _a, b in spans)


def alarm_messages(devices, n, prefix):
    return [
        (f"kangyang/devices/{devices[i % len(devices)]}/alarm",
         json.dumps({"msg_id": f"{prefix}{i}", "type": "sos", "ts": TS, "battery": 80}))
        for i in range(n)
    ]


def wait_all(watcher, msg_ids, deadline) -> bool:
    while time.time() < deadline:
        if all(m in watcher.seen for m in msg_ids):
            return True
        time.sleep(0.05)
    return False


def latencies_of(watcher, msg_ids, t0, n, rate):
    """Publish time of message i is t0 + i / rate (the publishers keep to the schedule)."""
    return [watcher.seen[f"{msg_ids}{i}"] - (t0 + i / rate) for i in range(n) if f"{msg_ids}{i}" in watcher.seen]


def phase_sustained(url, watcher, devices, args, prefix, deadline) -> bool:
    tag = f"{prefix}s"
    messages = alarm_messages(devices, args.alarms, tag)
    t0, t1 = publish(url, messages, rate=args.alarm_rate, procs=1)
    done = wait_all(watcher, [f"{tag}{i}" for i in range(args.alarms)], deadline)
    lat = latencies_of(watcher, tag, t0, args.alarms, args.alarm_rate)
    last = max(watcher.seen[f"{tag}{i}"] for i in range(args.alarms) if f"{tag}{i}" in watcher.seen)
    rate = len(lat) / (last - t0)
    p99 = pct(lat, 99)
    print(f"(a) sustained: {args.alarms} alarms published at {args.alarm_rate:.0f}/s for {t1 - t0:.1f} s → "
          f"{rate:.0f} alarms/s stored; publish→visible p50 {pct(lat, 50) * 1000:.0f} ms, "
          f"p95 {pct(lat, 95) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms"
          + ("" if done else f" — only {len(lat)} stored before the timeout"))
    return done and rate >= TARGET_ALARMS * 0.98 and p99 <= TARGET_P99


def phase_peak(url, watcher, devices, args, prefix, deadline) -> bool:
    tag = f"{prefix}p"
    messages = alarm_messages(devices, args.alarms, tag)
    t0, t1 = publish(url, messages, procs=args.publishers)
    ids = [f"{tag}{i}" for i in range(args.alarms)]
    done = wait_all(watcher, ids, deadline)
    last = max(watcher.seen[m] for m in ids if m in watcher.seen)
    stored = sum(m in watcher.seen for m in ids)
    peak = stored / (last - t0)
    print(f"(b) peak: {args.alarms} alarms published in {t1 - t0:.1f} s ({args.alarms / (t1 - t0):.0f}/s, "
          f"{args.publishers} publishers) → {peak:.0f} alarms/s stored (first publish to last row visible)")
    return done and peak >= TARGET_ALARMS


def phase_heartbeats(url, devices, args, deadline) -> bool:
    import datetime as dt

    from django.db import close_old_connections

    from kangyang.alarms.models import Device

    rounds = max(1, args.heartbeats // len(devices))
    stamps = [dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=r) for r in range(rounds)]
    messages = [
        (f"kangyang/devices/{d}/heartbeat", json.dumps({"ts": ts.isoformat(), "battery": 90}))
        for ts in stamps for d in devices
    ]
    t0, t1 = publish(url, messages, procs=args.publishers)
    done = False
    while time.time() < deadline:
        close_old_connections()
        if not Device.objects.filter(device_id__in=devices).exclude(last_seen_at=stamps[-1]).exists():
            done = True
            break
        time.sleep(0.05)
    elapsed = time.time() - t0
    rate = len(messages) / elapsed
    print(f"(c) heartbeats: {len(messages)} from {len(devices)} devices published in {t1 - t0:.1f} s "
          f"({len(messages) / (t1 - t0):.0f}/s, {args.publishers} publishers) → {rate:.0f} heartbeats/s stored"
          + ("" if done else " — not all stored before the timeout"))
    return done and rate >= TARGET_BEATS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alarms", type=int, default=30_000)
    parser.add_argument("--alarm-rate", type=float, default=1200)
    parser.add_argument("--heartbeats", type=int, default=120_000)
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--publishers", type=int, default=1, help="publisher processes for (b) and (c)")
    parser.add_argument("--phases", default="abc", help="which of (a), (b), (c) to run (default abc)")
    parser.add_argument("--batch-size", type=int, default=1000, help="the ingester's --batch-size")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--broker-url", default="")
    args = parser.parse_args()
    deadline = time.time() + args.timeout
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("this bench measures PostgreSQL: set DATABASE_URL to a postgres:// URL")
        return 2
    run = uuid.uuid4().hex[:8]
    prefix = f"L{run}"
    alarm_devices = make_devices(f"{prefix}a", 500)
    beat_devices = make_devices(f"{prefix}h", args.devices)
    probe = make_devices(f"{prefix}probe", 1)[0]
    connection.close()  # the publishers are forked: no shared connection
    log_path = Path(os.environ["KANGYANG_DATA_DIR"]) / f"alarm_load-{run}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    broker = Mosquitto() if not args.broker_url else None
    ok = True
    try:
        if broker:
            broker.__enter__()
        url = args.broker_url or broker.url
        client_id = f"kangyang-bench-load-{run}"
        ingester = Ingester(url, client_id, log_path, "--batch-size", str(args.batch_size))
        ingester.start()
        pub = publisher(url)
        wait_subscribed(pub, probe)
        pub.disconnect()
        pub.loop_stop()
        connection.close()
        watcher = Watcher(os.environ["DATABASE_URL"], prefix)
        watcher.start()
        time.sleep(0.5)
        if "a" in args.phases:
            ok &= phase_sustained(url, watcher, alarm_devices, args, prefix, deadline)
        if "b" in args.phases:
            ok &= phase_peak(url, watcher, alarm_devices, args, prefix, deadline)
        if "c" in args.phases:
            ok &= phase_heartbeats(url, beat_devices, args, deadline)
        watcher.stop.set()
        code = ingester.stop()
        if args.broker_url:
            forget_session(url, client_id)
        print(f"ingester exited with {code}; log {log_path}")
    finally:
        if broker:
            broker.__exit__(None, None, None)
    print("targets (≥ 1,000 alarms/s, ≥ 5,000 heartbeats/s, p99 ≤ 1 s):", "MET" if ok else "NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
