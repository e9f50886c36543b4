"""Readings from home devices ingested and classified on PostgreSQL: readings/s through
`ingest.handle_messages`, the path the MQTT ingester and the webhook take, in the ingester's
batches.

    python bench/health_readings.py [--readings 50000] [--devices 5000] [--batch-size 1000]
                                    [--urgent 0.01] [--measure-only] [--profile]

Runs against DATABASE_URL, by default postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_readings_bench
(created when missing), with KANGYANG_DATA_DIR defaulting to var/bench-readings. The first run
builds the data set, which later runs reuse (`--measure-only` skips building): the demo
district's region tree, `--devices` synthetic elders (the registry's own seeding) and one health
meter each (blood-pressure meters, glucose meters, oximeters and scales in turn).

Measures: `--readings` reading messages of this run (JSON bytes made beforehand, as they come
off the broker; `--urgent` of them urgent), from every device in turn, handed to
handle_messages in batches of `--batch-size` (the ingester's `--batch-size`, 1,000 by default):
each batch parsed and validated, each reading classified with its elder's age, inserted once
per (device, msg_id), the devices' heartbeats recorded and an alert raised for each urgent one,
in one transaction per batch. Then the whole run once more as redelivered duplicates (stores
nothing, raises nothing). Prints readings/s, p50/p95 batch time, readings stored and alerts
raised. Target (issue 17): ≥ 5,000 readings/s. `--profile` prints the top of a cProfile of the
first run instead of only timing it.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
os.environ.setdefault("DATABASE_URL", "postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_readings_bench")
os.environ.setdefault("KANGYANG_DATA_DIR", str(ROOT / "var" / "bench-readings"))
from cpu_share import QUIET, OthersMeter  # noqa: E402 - after the path

TARGET = 5000
METERS = ("bp_meter", "glucose_meter", "oximeter", "scale")


def create_database_if_missing(url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("the readings benchmark runs on PostgreSQL (DATABASE_URL=postgres://…)")
    import psycopg

    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def build(n_devices: int) -> None:
    from kangyang.alarms.models import Device
    from kangyang.ops import demo
    from kangyang.registry.models import Elder

    district = demo.get_district()
    hooks = dict(demo.demo_hooks("seed_demo"))
    if not district.children.exists():
        hooks["regions"](district=district, rng=random.Random(1), elders=0)
    have = demo.elder_count()
    if have < n_devices:
        print(f"seeding {n_devices - have:,} elders …", flush=True)
        hooks["registry"](district=district, rng=random.Random(f"bench:{have}"), elders=n_devices - have)
    have = Device.objects.filter(device_id__startswith="HB-").count()
    if have < n_devices:
        elders = list(Elder.objects.order_by("pk").values_list("pk", "region_code", "household_id")[:n_devices])
        Device.objects.bulk_create([
            Device(device_id=f"HB-{i}", kind=METERS[i % 4], vendor="bench", elder_id=pk, household_id=hh,
                   region_code=code)
            for i, (pk, code, hh) in enumerate(elders) if i >= have
        ], batch_size=5000, ignore_conflicts=True)
        print(f"  {n_devices - have:,} meters", flush=True)


def body(kind: str, rng: random.Random, urgent: bool) -> dict:
    if kind == "bp_meter":
        s = rng.randint(182, 200) if urgent else rng.randint(110, 165)
        return {"kind": "blood_pressure", "systolic_mmhg": s, "diastolic_mmhg": rng.randint(60, min(105, s - 20)),
                "pulse_bpm": rng.randint(55, 95)}
    if kind == "glucose_meter":
        return {"kind": "fasting_glucose", "glucose_mmol_l": 18.2 if urgent else round(rng.uniform(4.5, 9.5), 1)}
    if kind == "oximeter":
        return {"kind": "spo2", "spo2_percent": 86 if urgent else rng.randint(92, 99), "pulse_bpm": rng.randint(55, 95)}
    return {"kind": "weight", "weight_kg": round(rng.uniform(40, 90), 1)}


def messages(n: int, n_devices: int, urgent_share: float, run: str) -> list[tuple[str, bytes]]:
    rng = random.Random(run)
    out = []
    for i in range(n):
        d = i % n_devices
        kind = METERS[d % 4]
        # Scales have no urgent class: the urgent share is taken from the other three.
        urgent = kind != "scale" and rng.random() < urgent_share * 4 / 3
        payload = {"msg_id": f"{run}-{i}", "ts": "2026-12-05T07:30:00+08:00", **body(kind, rng, urgent),
                   "battery": rng.randint(20, 100)}
        out.append((f"kangyang/devices/HB-{d}/reading", json.dumps(payload).encode()))
    return out


def backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend (/proc, same machine), or 0."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def run_batches(msgs, batch_size: int) -> tuple[list[float], dict[str, int]]:
    from kangyang.alarms import ingest

    times, kinds = [], {}
    for start in range(0, len(msgs), batch_size):
        batch = msgs[start:start + batch_size]
        t0 = time.perf_counter()
        for o in ingest.handle_messages(batch):
            kinds[o.kind] = kinds.get(o.kind, 0) + 1
        times.append(time.perf_counter() - t0)
    return times, kinds


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def report(label: str, n: int, times: list[float], kinds: dict, others: float, cpu: tuple[float, float]) -> float:
    total = sum(times)
    rate = n / total
    flag = "!" if others >= QUIET else " "
    ingester, backend = cpu
    print(f"{label}: {n:,} readings in {total:.2f} s = {rate:,.0f} readings/s{flag} "
          f"(batch p50 {statistics.median(times) * 1000:.0f} ms, p95 {pct(times, 95) * 1000:.0f} ms; "
          f"others used {others:.2f} CPU) {kinds}")
    if ingester + backend > 0:
        # The ingester waits for the database, so on an idle machine a reading costs the sum.
        print(f"    CPU: ingester {ingester:.2f} s + PostgreSQL backend {backend:.2f} s = "
              f"{n / (ingester + backend):,.0f} readings per CPU-second")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=50_000)
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=1000, help="the ingester's --batch-size")
    parser.add_argument("--urgent", type=float, default=0.01, help="share of urgent readings")
    parser.add_argument("--measure-only", action="store_true", help="measure the data set as it is")
    parser.add_argument("--profile", action="store_true", help="cProfile the first run")
    args = parser.parse_args()
    create_database_if_missing(os.environ["DATABASE_URL"])
    import logging

    import django

    django.setup()
    logging.getLogger("kangyang.alarms.ingest").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if not args.measure_only:
        build(args.devices)
    from kangyang.alarms.models import Device
    from kangyang.health.models import HealthAlert, Reading

    n_devices = min(args.devices, Device.objects.filter(device_id__startswith="HB-").count())
    run = uuid.uuid4().hex[:8]
    msgs = messages(args.readings, n_devices, args.urgent, run)
    alerts_before, readings_before = HealthAlert.objects.count(), Reading.objects.count()
    print(f"{args.readings:,} readings from {n_devices:,} meters, batches of {args.batch_size:,}, "
          f"{args.urgent:.0%} urgent", flush=True)
    # The ingester is a long-running process: the URL configuration its alert messages link with is
    # loaded once, at its first alert. Load it before the clock starts, as a running ingester has.
    from django.urls import get_resolver

    get_resolver().url_patterns
    meter, cpu0 = OthersMeter(), (own_cpu(), backend_cpu())
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        times, kinds = run_batches(msgs, args.batch_size)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    else:
        times, kinds = run_batches(msgs, args.batch_size)
    rate = report("new readings", args.readings, times, kinds, meter.cpus(),
                  (own_cpu() - cpu0[0], backend_cpu() - cpu0[1]))
    stored = Reading.objects.count() - readings_before
    alerts = HealthAlert.objects.count() - alerts_before
    meter, cpu0 = OthersMeter(), (own_cpu(), backend_cpu())
    times, kinds = run_batches(msgs, args.batch_size)
    report("redelivered ", args.readings, times, kinds, meter.cpus(), (own_cpu() - cpu0[0], backend_cpu() - cpu0[1]))
    print(f"stored {stored:,} readings (expected {args.readings:,}), raised {alerts:,} alerts; "
          f"after redelivery {Reading.objects.count() - readings_before:,} readings, "
          f"{HealthAlert.objects.count() - alerts_before:,} alerts")
    ok = rate >= TARGET and stored == args.readings
    print(f"target ≥ {TARGET:,} readings/s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
