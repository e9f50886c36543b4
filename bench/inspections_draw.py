"""A random-inspection draw over 2,000 institutions and 200 inspectors (issue 16: ≤ 1 s).

    python bench/inspections_draw.py [--targets 2000] [--inspectors 200] [--repeat 3] [--pure-only]

(a) the pure draw (kangyang/institutions/inspections.py `draw`) with every institution drawn,
two inspectors each, and one conflict of interest per inspector; (b) end to end on PostgreSQL:
`actions.draw_plan` on a plan of the district — freezing the pools from the database (open
institutions, whether each was inspected this year, the inspectors and their conflicts),
drawing, recording the result and creating the 2,000 inspections with their inspectors — in
a transaction rolled back after each repeat.

DATABASE_URL defaults to postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_inspections_bench
(created and migrated when missing); KANGYANG_DATA_DIR to var/bench-inspections. The first run
builds the data (a district with one community, 400 organisations, the institutions, the
inspectors), later runs reuse it. Exit status 0 when the figures are within the target.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
os.environ.setdefault("DATABASE_URL", "postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_inspections_bench")
os.environ.setdefault("KANGYANG_DATA_DIR", str(ROOT / "var" / "bench-inspections"))
TARGET_S = 1.0


def create_database_if_missing(url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("the end-to-end draw runs on PostgreSQL (DATABASE_URL=postgres://…); --pure-only needs none")
    import psycopg

    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def pure(targets: int, inspectors: int, repeat: int) -> float:
    from kangyang.institutions.inspections import draw

    pool = [{"institution": i, "organisation": 1 + i % 400, "due": i % 5 != 0} for i in range(1, targets + 1)]
    people = list(range(1, inspectors + 1))
    conflicts = [[i, 1 + i % 400] for i in people]
    best = float("inf")
    for n in range(repeat):
        started = time.perf_counter()
        result = draw(seed=f"bench-{n}", targets=pool, inspectors=people, conflicts=conflicts, target_count=targets,
                      inspectors_per_target=2)
        best = min(best, time.perf_counter() - started)
    assert len(result) == targets
    return best


def build(targets: int, inspectors: int):
    from kangyang.accounts.models import Organisation, User
    from kangyang.institutions.actions import inspections as actions
    from kangyang.institutions.models import Conflict, Institution, InspectorPool
    from kangyang.regions.models import Region

    district, _ = Region.objects.get_or_create(code="360103000000", defaults={"name": "西湖区", "level": "district"})
    sub, _ = Region.objects.get_or_create(code="360103001000", defaults={
        "name": "南浦街道", "level": "subdistrict", "parent": district})
    community, _ = Region.objects.get_or_create(code="360103001001", defaults={
        "name": "桃花社区", "level": "community", "parent": sub})
    have = Institution.objects.filter(region_code__startswith="360103").count()
    if have < targets:
        print(f"building {targets - have} institutions …", flush=True)
        organisations = list(Organisation.objects.filter(name__startswith="bench-org-"))
        if len(organisations) < 400:
            organisations += Organisation.objects.bulk_create([
                Organisation(name=f"bench-org-{i}", kind="institution", region=district)
                for i in range(len(organisations), 400)])
        Institution.objects.bulk_create([
            Institution(organisation=organisations[i % 400], name=f"bench-home-{i}", kind="care_home",
                        ownership="private", operating_model="private_run", community=community,
                        region_code=community.code) for i in range(have, targets)])
    users = list(User.objects.filter(username__startswith="bench-inspector-").order_by("pk"))
    if len(users) < inspectors:
        made = [User(username=f"bench-inspector-{i}", role="inspector", region=district, full_name=f"检查员{i}")
                for i in range(len(users), inspectors)]
        for u in made:
            u.set_unusable_password()
        User.objects.bulk_create(made)
        users = list(User.objects.filter(username__startswith="bench-inspector-").order_by("pk"))
    organisations = list(Organisation.objects.filter(name__startswith="bench-org-").order_by("pk"))
    Conflict.objects.bulk_create([Conflict(inspector=u, organisation=organisations[i % 400], reason="bench")
                                  for i, u in enumerate(users)], ignore_conflicts=True)
    pool = InspectorPool.objects.filter(name="bench pool").first()
    if pool is None:
        pool = actions.create_pool(by=None, name="bench pool", region=district)
        pool.inspectors.add(*users[:inspectors])
        actions.publish_pool(pool, by=None)
    return district, pool


def end_to_end(targets: int, inspectors: int, repeat: int) -> float:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from kangyang.institutions.actions import inspections as actions

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        district, pool = build(targets, inspectors)
    best = float("inf")
    for n in range(repeat):
        with transaction.atomic():
            today = timezone.localdate()
            plan = actions.create_plan(by=None, name=f"bench {n}", region=district, year=today.year, pool=pool,
                                       target_count=targets, inspectors_per_target=2, due_by=today)
            started = time.perf_counter()
            plan = actions.draw_plan(plan, by=None, seed=f"bench-{n}")
            took = time.perf_counter() - started
            assert plan.inspections.count() == targets
            transaction.set_rollback(True)
        best = min(best, took)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=2000)
    parser.add_argument("--inspectors", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pure-only", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    took = pure(args.targets, args.inspectors, args.repeat)
    print(f"pure draw: {args.targets} institutions × {args.inspectors} inspectors: {took * 1000:.1f} ms (best of {args.repeat})")
    ok = took <= TARGET_S
    if not args.pure_only:
        create_database_if_missing(os.environ["DATABASE_URL"])
        took = end_to_end(args.targets, args.inspectors, args.repeat)
        print(f"draw_plan on PostgreSQL (freeze pools, draw, record, {args.targets} inspections): "
              f"{took * 1000:.0f} ms (best of {args.repeat}); target ≤ {TARGET_S * 1000:.0f} ms")
        ok = ok and took <= TARGET_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
