"""The indicators of a city of a million elders with a year of orders and alarms, on PostgreSQL:
live computation of the city's report, and the dashboard page read from snapshots.

    python bench/indicators.py [--elders 1000000] [--repeat 5] [--pages 40]

Runs against DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/kangyang_bench_ind
(created when missing), with KANGYANG_DATA_DIR defaulting to var/bench-ind. The first run
builds the data set, which later runs reuse:

* the demo city's region tree and `--elders` synthetic elders in Xihu (the registry's own
  seeding, as `kangyang seed` does; a million takes a quarter of an hour or more);
* every other app's demo data for a few thousand of them (providers, caregivers, orders,
  visits, assessments, allowances, devices, alarms), made by the apps' own demo hooks;
* then a year of activity at a million elders' scale, by copying those rows in SQL with a
  random elder of the city and a random time of the last 365 days each (`--orders`,
  `--alarms`, … per year); copies are counted and summed like any record.

Measures (targets from the indicators issue):
  (a) the city's report computed live (queries.report, every indicator, as `kangyang
      indicators --region 360100000000 --year Y` does): best and median of --repeat runs,
      target ≤ 5 s;
  (b) the dashboard page for the city from snapshots (GET /indicators/ signed in as `city`,
      Django's test client in-process): p50 and p95 over --pages requests, target ≤ 200 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kangyang_bench_ind")
os.environ.setdefault("KANGYANG_DATA_DIR", str(ROOT / "var" / "bench-ind"))
LIVE_TARGET_S = 5.0
PAGE_TARGET_MS = 200

# Copies per year at a million elders' scale (scaled down with --elders).
PER_MILLION = {"alarms_alarm": 250_000, "services_order": 1_200_000, "services_servicevisit": 1_000_000,
               "assessment_assessment": 150_000, "allowances_paymentline": 1_500_000}


def create_database_if_missing(url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("the indicators benchmark runs on PostgreSQL (DATABASE_URL=postgres://…)")
    import psycopg

    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def seed_elders(n: int) -> None:
    """Regions and the registry's synthetic elders only (the other apps' hooks come after, on
    a few thousand of them)."""
    from kangyang.ops import demo

    district = demo.get_district()
    demo.get_second_district()
    have = demo.elder_count()
    hooks = dict(demo.demo_hooks("seed_demo"))
    if not district.children.exists():
        hooks["regions"](district=district, rng=random.Random(1), elders=0)
    if have < n:
        print(f"seeding {n - have:,} elders (have {have:,}) …", flush=True)
        started = time.perf_counter()
        hooks["registry"](district=district, rng=random.Random(f"bench:{have}"), elders=n - have)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)


def seed_activity(n_elders: int) -> None:
    """The other apps' demo data for a few thousand elders, by their own hooks (once)."""
    from kangyang.alarms.models import Alarm
    from kangyang.ops import demo

    district = demo.get_district()
    started = time.perf_counter()
    if not Alarm.objects.exists():
        for label, hook in demo.demo_hooks("seed_demo"):
            if label not in ("regions", "registry"):
                hook(district=district, rng=random.Random(f"bench:{label}"), elders=min(n_elders, 4000))
    demo.create_demo_accounts(district)  # idempotent
    print(f"apps' demo data in {time.perf_counter() - started:.0f} s", flush=True)


def _columns(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _copy_expr(f, *, elder: str, shift: str, overrides: dict) -> str:
    from django.db import models

    col = f.column
    if col in overrides:
        return overrides[col]
    if isinstance(f, models.ForeignKey) and f.related_model._meta.label == "registry.Elder":
        return f"CASE WHEN src.{col} IS NULL THEN NULL ELSE {elder}.id END"
    if col == "region_code":
        return f"{elder}.region_code"
    if isinstance(f, models.DateTimeField):
        return f"src.{col} - {shift}"
    if isinstance(f, models.DateField):
        return f"(src.{col} - {shift})::date"
    return f"src.{col}"


def clone(model, target: int, *, overrides: dict | None = None, template_where: str = "TRUE") -> int:
    """Copy the model's existing rows (the templates) until it has `target` rows: each copy
    with a random elder of the city (her id and region code) and its times moved back by a
    random span of up to a year. Returns the rows added."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as c:
        c.execute(f"SELECT count(*), max(id) FROM {table}")
        have, max_id = c.fetchone()
        if not have or have >= target:
            return 0
        c.execute("SELECT min(id), max(id) FROM registry_elder")
        lo, hi = c.fetchone()
        overrides = overrides or {}
        fields = _columns(model)
        columns = [f.column for f in fields] + [col for col in overrides if col not in {f.column for f in fields}]
        exprs = [_copy_expr(f, elder="e", shift="p.shift", overrides=overrides) for f in fields]
        exprs += [overrides[col] for col in columns[len(fields):]]
        c.execute(f"""
            WITH tpl AS (SELECT row_number() OVER (ORDER BY id) AS rn, * FROM {table}
                         WHERE id <= %s AND {template_where}),
                 picks AS (SELECT g, %s + floor(random() * (%s - %s + 1))::bigint AS eid,
                                  make_interval(secs => floor(random() * 365 * 86400)) AS shift,
                                  1 + (g %% (SELECT count(*) FROM tpl)) AS rn
                           FROM generate_series(1, %s) g)
            INSERT INTO {table} ({", ".join(columns)})
            SELECT {", ".join(exprs)} FROM picks p JOIN tpl src ON src.rn = p.rn
            JOIN registry_elder e ON e.id = p.eid
            ON CONFLICT DO NOTHING""", [max_id, lo, hi, lo, target - have])
        return c.rowcount


def clone_visits(max_template_order: int) -> int:
    """A service visit for each copied order that its template order had one for, moved by
    the same span as the order."""
    from django.db import connection

    from kangyang.services.models import ServiceVisit

    fields = _columns(ServiceVisit)
    overrides = {"order_id": "o.id", "elder_id": "o.elder_id", "region_code": "o.region_code"}
    shift = "(tplo.window_start - o.window_start)"
    exprs = [_copy_expr(f, elder="o", shift=shift, overrides=overrides) for f in fields]
    with connection.cursor() as c:
        c.execute(f"""
            INSERT INTO services_servicevisit ({", ".join(f.column for f in fields)})
            SELECT {", ".join(exprs)}
            FROM services_order o
            JOIN services_order tplo ON tplo.id = o.copied_from
            JOIN services_servicevisit src ON src.order_id = tplo.id
            WHERE o.id > %s
            ON CONFLICT DO NOTHING""",
                  [max_template_order])
        return c.rowcount


def seed_year(n_elders: int) -> None:
    """A year of activity at the city's scale (PER_MILLION), copied from the demo's rows."""
    from django.db import connection

    from kangyang.alarms.models import Alarm
    from kangyang.allowances.models import PaymentLine
    from kangyang.assessment.models import Assessment
    from kangyang.services.models import Order

    scale = n_elders / 1_000_000
    started = time.perf_counter()
    added = clone(Alarm, int(PER_MILLION["alarms_alarm"] * scale),
                  overrides={"msg_id": "CASE WHEN src.msg_id = '' THEN '' ELSE src.msg_id || '-' || p.g END"})
    print(f"  alarms: +{added:,}", flush=True)
    added = clone(Assessment, int(PER_MILLION["assessment_assessment"] * scale))
    print(f"  assessments: +{added:,}", flush=True)
    added = clone(PaymentLine, int(PER_MILLION["allowances_paymentline"] * scale), template_where="kind <> 'retry'",
                  overrides={"month": "date_trunc('month', src.month - p.shift)::date"})
    print(f"  payment lines: +{added:,}", flush=True)
    # Orders remember their template for a moment, so their visits can follow them.
    with connection.cursor() as c:
        c.execute("ALTER TABLE services_order ADD COLUMN IF NOT EXISTS copied_from bigint")
        c.execute("SELECT max(id) FROM services_order")
        max_order = c.fetchone()[0]
    # A past year's orders are done (or cancelled, or nobody was home): copied from the demo's
    # orders in those states, not from its coming ones, which wait to be dispatched.
    added = clone(Order, int(PER_MILLION["services_order"] * scale),
                  overrides={"recurrence_id": "NULL", "copied_from": "src.id"},
                  template_where="status IN ('checked_out', 'confirmed', 'settled', 'cancelled', 'no_show')")
    print(f"  orders: +{added:,}", flush=True)
    if added:
        print(f"  service visits: +{clone_visits(max_order):,}", flush=True)
    with connection.cursor() as c:
        c.execute("ALTER TABLE services_order DROP COLUMN IF EXISTS copied_from")
        c.execute("VACUUM ANALYZE")
    print(f"a year of activity in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--seed-only", action="store_true", help="build the data set and stop")
    parser.add_argument("--measure-only", action="store_true", help="measure the data set as it is")
    args = parser.parse_args()

    create_database_if_missing(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if not args.measure_only:
        seed_elders(args.elders)
        seed_activity(args.elders)
        seed_year(args.elders)
    if args.seed_only:
        return
    sys.exit(measure(args))


def signed_in_client(user):
    """Django's test client with a staff session that passed its second factor (a code-less
    device marks it verified, as bench/elder_list.py does)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    device, _created = StaticDevice.objects.get_or_create(user=user, name="bench session", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(args) -> int:
    from django.db import connection
    from django.utils import timezone

    from kangyang.accounts.models import User
    from kangyang.indicators import queries
    from kangyang.indicators.actions import take_snapshot
    from kangyang.indicators.registry import Period, site
    from kangyang.ops import demo

    city = demo.CITY_CODE
    today = timezone.localdate()
    year = Period(today.year)
    with connection.cursor() as c:
        c.execute("SELECT (SELECT count(*) FROM registry_elder), (SELECT count(*) FROM alarms_alarm), "
                  "(SELECT count(*) FROM services_order), (SELECT count(*) FROM services_servicevisit), "
                  "(SELECT count(*) FROM allowances_paymentline), (SELECT count(*) FROM assessment_assessment)")
        counts = c.fetchone()
    print("\ndata: {:,} elders, {:,} alarms, {:,} orders, {:,} service visits, {:,} payment lines, "
          "{:,} assessments".format(*counts))
    print(f"indicators declared: {len(site.all())} ({', '.join(sorted({i.app_label for i in site.all()}))})")
    failures = []

    # (a) the city's report for the year, computed live.
    timings = []
    for _i in range(args.repeat):
        started = time.perf_counter()
        report = queries.report(city, year)
        timings.append(time.perf_counter() - started)
    computed = sum(1 for i in report["indicators"] if i["origin"] == "computed")
    best, median = min(timings), statistics.median(timings)
    verdict = "ok" if median <= LIVE_TARGET_S else "FAIL"
    print(f"\n(a) live report, city {city}, year {year.year}: {computed} computed indicators, "
          f"best {best:.2f} s, median {median:.2f} s, worst {max(timings):.2f} s  [{verdict}; target ≤ {LIVE_TARGET_S} s]")
    if verdict != "ok":
        failures.append("live report")

    # Snapshots of the running month and year at every level (what the worker does).
    for period in (Period(today.year, today.month), year):
        started = time.perf_counter()
        stored = take_snapshot(period, roots=[city])
        print(f"    snapshot {period.key}: {stored:,} figures in {time.perf_counter() - started:.1f} s")

    # (b) the dashboard page from the snapshots, as the city admin.
    client = signed_in_client(User.objects.get(username="city"))
    url = f"/indicators/?region={city}&year={today.year}"
    response = client.get(url)  # warm-up
    if response.status_code != 200:
        print(f"(b) GET {url}: HTTP {response.status_code}")
        return 1
    page_ms = []
    for _i in range(args.pages):
        started = time.perf_counter()
        response = client.get(url)
        page_ms.append((time.perf_counter() - started) * 1000)
    p50, p95 = pct(page_ms, 50), pct(page_ms, 95)
    verdict = "ok" if p95 <= PAGE_TARGET_MS and response.status_code == 200 else "FAIL"
    print(f"(b) dashboard page from snapshots, {url}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
          f"max {max(page_ms):.0f} ms over {args.pages} requests  [{verdict}; target p95 ≤ {PAGE_TARGET_MS} ms]")
    if verdict != "ok":
        failures.append("dashboard page")
    print("\nall targets met" if not failures else f"\nFAILED: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    main()
