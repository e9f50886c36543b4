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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--seed-only", action="store_true", help="build the data set and stop")
    args = parser.parse_args()

    create_database_if_missing(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    seed_elders(args.elders)
    if args.seed_only:
        return


if __name__ == "__main__":
    main()
