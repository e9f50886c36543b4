"""Latency of the public directory of institutions (issue 16 §9) with 2,000 institutions and
facilities on PostgreSQL: the directory page under several filter combinations, and map.json.

    DATABASE_URL=postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_directory_bench \\
        python bench/institutions_directory.py [--institutions 2000] [--elders 20000] [--requests 50]

Runs against DATABASE_URL (PostgreSQL only; the database is created when missing, default
kangyang_directory_bench), with KANGYANG_DATA_DIR defaulting to var/bench-directory. The first
run builds the data set, which later runs reuse (--reseed empties the institutions' tables and
builds them again):

* the demo city's Xihu tree (about 10 subdistricts, 100 communities) and --elders synthetic
  elders (the registry's own seeding, as `kangyang seed` does);
* --institutions institutions and facilities of every kind, run by one organisation for each
  ten, spread over the communities with a location, beds, 1–4 fees (monthly for the
  residential kinds), stars, a decided assessors' review each for those rated;
* stays (Resident): one open stay for each elder, in residential institutions, up to their
  beds, and a closed stay for every other elder, so occupancy is counted over ~1.5 rows an
  elder; published inspections with checklist answers for a third of the institutions.

Measures, in-process with Django's test client (anonymous, no network), --requests requests of
each filter combination of the directory page and of map.json, after a warm-up; prints p50 and
p95 of each and of all together. Target: p95 ≤ 150 ms. Stops by itself (--max-seconds bounds
the measuring).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
os.environ.setdefault("DATABASE_URL", "postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_directory_bench")
os.environ.setdefault("KANGYANG_DATA_DIR", str(ROOT / "var" / "bench-directory"))
TARGET_P95_MS = 150

RESIDENTIAL = ["care_home", "township_home", "subdistrict_centre", "embedded_home", "rural_home"]
KINDS = RESIDENTIAL + ["day_care_centre", "meal_point", "home_care_beds"]


def create_database_if_missing(url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("the directory benchmark runs on PostgreSQL (DATABASE_URL=postgres://…)")
    import psycopg

    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


def empty_institutions() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("TRUNCATE institutions_answer, institutions_inspection_inspectors, institutions_inspection, "
                  "institutions_ratingreview_assessors, institutions_ratingreview, institutions_scorecard, "
                  "institutions_fee, institutions_resident, institutions_institution CASCADE")


def seed(args) -> None:
    from django.db import transaction

    from kangyang.accounts.models import Organisation
    from kangyang.institutions.models import (
        Answer, Fee, Inspection, Institution, RatingReview, Resident, Scorecard,
    )
    from kangyang.ops import demo
    from kangyang.regions.models import Region
    from kangyang.registry.models import Elder

    district = demo.get_district()
    hooks = dict(demo.demo_hooks("seed_demo"))
    if not district.children.exists():
        hooks["regions"](district=district, rng=random.Random(1), elders=0)
    have = demo.elder_count()
    if have < args.elders:
        print(f"seeding {args.elders - have:,} elders (have {have:,}) …", flush=True)
        started = time.perf_counter()
        hooks["registry"](district=district, rng=random.Random(f"bench:{have}"), elders=args.elders - have)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    if args.reseed:
        empty_institutions()
    if Institution.objects.count() >= args.institutions:
        print(f"{Institution.objects.count():,} institutions there already", flush=True)
        return

    started = time.perf_counter()
    rng = random.Random("directory-bench")
    today = dt.date.today()
    communities = list(Region.objects.filter(level="community", code__startswith=district.code[:6]).select_related("parent"))
    with transaction.atomic():
        orgs = Organisation.objects.bulk_create([
            Organisation(name=f"基准养老服务机构{i:04d}", kind=Organisation.Kind.INSTITUTION,
                         region=rng.choice(communities).parent, contact_person=f"联系人{i}",
                         credit_status=rng.choice(["good"] * 8 + ["watched", "dishonest"]))
            for i in range(args.institutions // 10 + 1)])
        institutions = []
        for i in range(args.institutions):
            community = rng.choice(communities)
            kind = KINDS[i % len(KINDS)]
            beds = rng.randint(20, 300) if kind in RESIDENTIAL else (rng.randint(0, 20) if kind != "meal_point" else 0)
            stars = rng.choice([0, 0, 1, 2, 3, 3, 4, 5]) if kind in RESIDENTIAL else 0
            institutions.append(Institution(
                organisation=orgs[i // 10], name=f"{community.name}{kind}第{i:04d}号", kind=kind,
                ownership=rng.choice(["public", "private"]), operating_model="private_run", community=community,
                region_code=community.code, address=f"{community.name}某路{i}号",
                lat=28.60 + rng.random() * 0.12, lng=115.82 + rng.random() * 0.12, phone=f"0791-8{i:07d}",
                beds_total=beds, beds_nursing=beds // 2, stars=stars, rated_on=today if stars else None,
                filing_number=f"赣民养备{i:06d}", services=["助餐", "康复护理"],
                opened_on=today - dt.timedelta(days=rng.randint(30, 3000)),
                closed_on=today - dt.timedelta(days=1) if i % 97 == 0 else None))
        institutions = Institution.objects.bulk_create(institutions, batch_size=1000)
        fees = []
        for inst in institutions:
            if inst.kind in RESIDENTIAL:
                low = rng.randint(8, 80) * 100
                fees += [Fee(institution=inst, item="自理床位", unit="month", price=Decimal(low)),
                         Fee(institution=inst, item="护理床位", unit="month", price=Decimal(low + rng.randint(5, 30) * 100)),
                         Fee(institution=inst, item="入住评估", unit="once", price=Decimal(200))]
            elif inst.kind == "meal_point":
                fees.append(Fee(institution=inst, item="午餐", unit="meal", price=Decimal(12)))
            else:
                fees.append(Fee(institution=inst, item="日托", unit="day", price=Decimal(rng.randint(30, 90))))
        Fee.objects.bulk_create(fees, batch_size=5000)
        print(f"  {len(institutions):,} institutions, {len(orgs):,} organisations, {len(fees):,} fees", flush=True)

        # Stays: each elder one open stay where beds are left, and a closed stay elsewhere for every other.
        residential = [inst for inst in institutions if inst.beds_total and inst.closed_on is None]
        room = {inst.pk: int(inst.beds_total * rng.uniform(0.5, 1.0)) for inst in residential}
        elder_ids = list(Elder.objects.filter(region_code__startswith=district.code[:6])
                         .order_by("pk").values_list("pk", flat=True)[:args.elders])
        stays, k = [], 0
        for n, elder_id in enumerate(elder_ids):
            while residential and room[residential[k % len(residential)].pk] <= 0:
                residential.pop(k % len(residential))
            if n % 2 == 0:
                other = rng.choice(institutions)
                admitted = today - dt.timedelta(days=rng.randint(400, 900))
                stays.append(Resident(institution=other, elder_id=elder_id, region_code=other.region_code,
                                      admitted_on=admitted, left_on=admitted + dt.timedelta(days=200),
                                      left_reason="discharged"))
            if not residential:
                continue
            inst = residential[k % len(residential)]
            room[inst.pk] -= 1
            k += 1
            stays.append(Resident(institution=inst, elder_id=elder_id, region_code=inst.region_code,
                                  admitted_on=today - dt.timedelta(days=rng.randint(1, 365))))
        Resident.objects.bulk_create(stays, batch_size=5000)
        print(f"  {len(stays):,} stays", flush=True)

        card = Scorecard.objects.create(name="示例评分表", is_example=True, thresholds={"1": 0, "5": 850})
        RatingReview.objects.bulk_create([
            RatingReview(institution=inst, scorecard=card, kind="assessors", status="decided", stars=inst.stars,
                         points=inst.stars * 170, decided_on=today - dt.timedelta(days=rng.randint(1, 300)))
            for inst in institutions if inst.stars], batch_size=2000)
        inspections = Inspection.objects.bulk_create([
            Inspection(institution=inst, region_code=inst.region_code, status="done",
                       done_on=today - dt.timedelta(days=rng.randint(1, 300)),
                       outcome=rng.choice(["passed", "problems", "serious"]),
                       published_at=dt.datetime.now(dt.timezone.utc))
            for inst in institutions[::3]], batch_size=2000)
        Answer.objects.bulk_create([
            Answer(inspection=i, item=item, result=rng.choice(["ok", "ok", "problem"]))
            for i in inspections for item in ("risk.fall", "risk.choking", "fire.exits", "food.storage")],
            batch_size=5000)
    print(f"institutions seeded in {time.perf_counter() - started:.0f} s", flush=True)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def measure(args) -> int:
    from django.db import connection
    from django.test import Client

    from kangyang.institutions.models import Institution
    from kangyang.regions.models import Region

    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")  # as autovacuum would have: index-only scans of the stays
    subdistrict = (Region.objects.filter(level="subdistrict", code__startswith=Institution.objects.first().region_code[:6])
                   .order_by("code").first().code)
    client = Client(HTTP_HOST="127.0.0.1")
    directory = ["", "page=40", "kind=care_home", f"subdistrict={subdistrict}", "beds=1", "stars=3",
                 "band=2000_3999", f"kind=care_home&subdistrict={subdistrict}&beds=1&stars=2&band=2000_3999"]
    map_json = ["", "kind=care_home", "beds=1&stars=3", f"subdistrict={subdistrict}&band=lt2000"]
    cases = [("directory", f"/public/institutions/?{q}") for q in directory]
    cases += [("map.json", f"/public/institutions/map.json?{q}") for q in map_json]
    count = Institution.objects.open().count()
    print(f"\n{count:,} operating institutions; {args.requests} requests each after 3 warm-up (ms):", flush=True)
    deadline = time.monotonic() + args.max_seconds
    all_times: dict[str, list[float]] = {"directory": [], "map.json": []}
    for surface, url in cases:
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.requests):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, url
            if time.monotonic() > deadline:
                break
        all_times[surface] += times
        found = (response.json()["count"] if surface == "map.json"
                 else response.content.decode().count("data-institution="))
        print(f"  {url:<100} p50 {pct(times, 50):6.1f}  p95 {pct(times, 95):6.1f}  ({found} shown)", flush=True)
        if time.monotonic() > deadline:
            print("  (stopped: --max-seconds reached)")
            break
    worst = 0.0
    print()
    for surface, times in all_times.items():
        if times:
            p95 = pct(times, 95)
            worst = max(worst, p95)
            print(f"{surface:<10} all filters: n={len(times)}  p50 {pct(times, 50):.1f} ms  p95 {p95:.1f} ms", flush=True)
    ok = worst <= TARGET_P95_MS
    print(f"target p95 ≤ {TARGET_P95_MS} ms: {'met' if ok else 'NOT met'} (worst p95 {worst:.1f} ms)")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=2000)
    parser.add_argument("--elders", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50, help="requests of each filter combination")
    parser.add_argument("--max-seconds", type=float, default=300, help="stop measuring after this long")
    parser.add_argument("--reseed", action="store_true", help="empty the institutions' tables and seed them again")
    parser.add_argument("--measure-only", action="store_true", help="measure the data set as it is")
    args = parser.parse_args()
    create_database_if_missing(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not args.measure_only:
        seed(args)
    sys.exit(measure(args))


if __name__ == "__main__":
    main()
