"""The care-visit policy, the month's plan and the monthly visit rate for 200,000 vulnerable
elders, on PostgreSQL.

    python bench/visits.py [--elders 200000] [--repeat 3] [--measure-only]

Runs against DATABASE_URL, by default postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_visitplan_bench
(created when missing), with KANGYANG_DATA_DIR defaulting to var/bench-visits. The first run
builds the data set, which later runs reuse:

* the demo city's region tree and `--elders` synthetic elders in Xihu (the registry's own
  seeding, as `kangyang seed` does), every one of them then made vulnerable in SQL (a mix of
  categories by id; none left in an institution), so that each has a visit tier;
* a community worker for each community (the plan's visitors);
* last month's care visits in SQL: nine in ten elders visited once, three in ten a second
  time (one visit in ten by phone), picked by id.

Measures, each from scratch (the visit tables emptied first): (a) `refresh_profiles()` deriving
every tier (and again with nothing changed); (b) `make_monthly_plan(last month)` for the whole
city (and again, idempotent); (c) the visit rate of the city for last month with its breakdown
by district, subdistrict and community (`rate_by_region`). Target: (b) + (c) ≤ 30 s; the
figure with (a) is printed beside it.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
os.environ.setdefault("DATABASE_URL", "postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_visitplan_bench")
os.environ.setdefault("KANGYANG_DATA_DIR", str(ROOT / "var" / "bench-visits"))
TARGET_S = 30.0

# Categories given by elder id mod 20 (the tiers they lead to under the default policy).
MIX = ["alone", "empty_nest", "disabled", "low_income", "low_income", "empty_nest", "severely_disabled",
       "entitled", "cognitively_impaired", "low_income_margin", "bereaved", "extreme_poverty", "left_behind",
       "without_family", "low_income", "empty_nest", "disabled", "alone", "low_income", "entitled"]


def create_database_if_missing(url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("the visits benchmark runs on PostgreSQL (DATABASE_URL=postgres://…)")
    import psycopg

    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def seed(n: int) -> None:
    from django.db import connection

    from kangyang.accounts.models import User
    from kangyang.ops import demo
    from kangyang.regions.models import Region

    district = demo.get_district()
    hooks = dict(demo.demo_hooks("seed_demo"))
    if not district.children.exists():
        hooks["regions"](district=district, rng=random.Random(1), elders=0)
    have = demo.elder_count()
    if have < n:
        print(f"seeding {n - have:,} elders (have {have:,}) …", flush=True)
        started = time.perf_counter()
        hooks["registry"](district=district, rng=random.Random(f"bench:{have}"), elders=n - have)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    cases = " ".join(f"WHEN {i} THEN ',{c},'" for i, c in enumerate(MIX))
    with connection.cursor() as c:
        c.execute(f"""UPDATE registry_elder SET categories_text = CASE id % {len(MIX)} {cases} END
                      WHERE categories_text = ''""")
        made = c.rowcount
        c.execute("UPDATE registry_elder SET living_arrangement = 'spouse' WHERE living_arrangement = 'institution'")
        c.execute("UPDATE registry_elder SET status = 'active', status_date = NULL WHERE status <> 'active'")
    if made:
        print(f"  {made:,} elders made vulnerable", flush=True)
    workers = []
    staffed = set(User.objects.filter(role="community_worker").values_list("region_id", flat=True))
    for community in Region.objects.filter(level="community", code__startswith=district.prefix):
        if community.pk not in staffed:
            workers.append(User(username=f"bench-visitor-{community.code}", role="community_worker",
                                region=community, full_name=f"{community.name}探访员", password="!"))
    User.objects.bulk_create(workers, batch_size=1000)
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE registry_elder")


def seed_visits(month, visitor_id: int) -> int:
    from django.db import connection

    from kangyang.visits.actions.plans import local

    start = local(month)
    with connection.cursor() as c:
        c.execute("""
            INSERT INTO visits_carevisit (elder_id, region_code, visitor_id, mode, status, started_at, ended_at,
                                          distance_m, accuracy_m, location_ok, location_flag, findings, notes,
                                          client_id, recorded_at)
            SELECT e.id, e.region_code, %s, CASE WHEN (e.id * 31 + g) %% 10 = 0 THEN 'phone' ELSE 'home' END, 'done',
                   %s + (((e.id * 17 + g * 5) %% 2700) / 100.0 + 0.3) * interval '1 day', NULL, 10, 15, true, '',
                   '{}', '', '', now()
            FROM registry_elder e, generate_series(1, 2) g
            WHERE (g = 1 AND (e.id * 7) %% 10 < 9) OR (g = 2 AND (e.id * 13) %% 10 < 3)""", [visitor_id, start])
        n = c.rowcount
        c.execute("VACUUM ANALYZE visits_carevisit")
    return n


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    took = time.perf_counter() - started
    print(f"  {label}: {took:.2f} s  ({result})", flush=True)
    return took, result


def measure(args) -> int:
    from django.db import connection
    from django.utils import timezone

    from kangyang.accounts.models import User
    from kangyang.ops import demo
    from kangyang.visits.actions import ensure_default_tiers, make_monthly_plan, refresh_profiles
    from kangyang.visits.actions.plans import local, month_start
    from kangyang.visits.queries import rate_tree

    month = month_start(month_start(timezone.localdate()) - __import__("datetime").timedelta(days=1))
    with connection.cursor() as c:
        c.execute("TRUNCATE visits_visitdue, visits_carecall, visits_followup, visits_carevisit, "
                  "visits_pairing, visits_visitprofile")
    ensure_default_tiers()
    visitor = User.objects.filter(role="community_worker").order_by("pk").first()
    visits = seed_visits(month, visitor.pk)
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM registry_elder")
        elders = c.fetchone()[0]
    print(f"\ndata: {elders:,} elders, {visits:,} care visits in {month:%Y-%m}; "
          f"{User.objects.filter(role='community_worker').count():,} community workers")
    worst = {}
    for run in range(args.repeat):
        if run:
            with connection.cursor() as c:
                c.execute("TRUNCATE visits_visitdue, visits_visitprofile CASCADE")
        print(f"run {run + 1}:")
        a, made = timed("(a) refresh_profiles, every tier derived", refresh_profiles)
        timed("    refresh_profiles again, nothing changed", refresh_profiles)
        b, plan = timed(f"(b) make_monthly_plan {month:%Y-%m}, the city",
                        lambda: make_monthly_plan(month, now=local(month)))
        timed("    make_monthly_plan again (adds nothing)", lambda: make_monthly_plan(month, now=local(month)).created)

        def the_rate():
            tree = rate_tree(demo.CITY_CODE, month)
            city = tree[demo.CITY_CODE]
            return (f"city {float(city.value):.2f}% = {int(city.numerator):,} / {int(city.denominator):,}; "
                    f"{len(tree)} regions")

        c_, _r = timed("(c) visit rate of the city and of every district, subdistrict and community", the_rate)
        worst = max(worst, {"a": a, "b": b, "c": c_}, key=lambda w: w.get("b", 0) + w.get("c", 0)) if worst else {
            "a": a, "b": b, "c": c_}
        print(f"    plan + rate: {b + c_:.2f} s; with the refresh: {a + b + c_:.2f} s")
    total = worst["b"] + worst["c"]
    verdict = "ok" if total <= TARGET_S else "FAIL"
    print(f"\nworst run: plan + rate {total:.2f} s [{verdict}; target ≤ {TARGET_S:.0f} s]; "
          f"with refresh_profiles {total + worst['a']:.2f} s")
    return 0 if verdict == "ok" else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure-only", action="store_true", help="measure the data set as it is")
    args = parser.parse_args()
    create_database_if_missing(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if not args.measure_only:
        seed(args.elders)
    sys.exit(measure(args))


if __name__ == "__main__":
    main()
