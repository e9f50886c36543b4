"""Latency of the elder search with a million elders: the list page and the API list.

    python bench/elder_list.py [--elders 1000000] [--repeat 5] [--explain]

Runs against DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/kangyang_bench
(created when missing), with KANGYANG_DATA_DIR defaulting to var/bench (its field key
encrypted the seeded numbers: keep it with the database). Seeds the synthetic district up
to --elders first (`kangyang seed`; a million takes a quarter of an hour or more).

Measures, in-process with Django's test client (no network, no server), p50 and p95 of

  (a) GET /registry/elders/?q=<term>   the page, signed in
  (b) GET /api/v1/elders?q=<term>      the API, with a bearer token

for a community worker (`worker_a`) and the bureau admin (`admin`), over a mix of search
terms: a surname, a name's first two characters, pinyin initials, the last four of an ID
number, a whole ID number and a phone number, each drawn from elders the user can see.
Target: p95 ≤ 150 ms. --explain prints EXPLAIN ANALYZE of the list and count queries.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kangyang_bench")
os.environ.setdefault("KANGYANG_DATA_DIR", str(ROOT / "var" / "bench"))
TARGET_P95_MS = 150


def create_database_if_missing(url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def terms_for(user, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, term) pairs that find something in the user's area."""
    from kangyang.registry.models import Elder

    visible = Elder.objects.visible_to(user)
    ids = list(visible.values_list("pk", flat=True)[:5000]) if user.region.level == "community" else None

    def some_elder(**filters):
        qs = visible.filter(**filters)
        if ids is not None:
            return qs.filter(pk=rng.choice(ids)).first() or qs.first()
        top = qs.order_by("-pk").values_list("pk", flat=True).first()
        return qs.filter(pk__gte=rng.randint(1, top)).order_by("pk").first() or qs.first()

    out = [("surname", s) for s in ("王", "刘", "熊")]
    for _i in range(3):
        e = some_elder()
        out += [("name prefix", e.name[:2]), ("initials", e.name_initials),
                ("initials prefix", e.name_initials[:2]), ("ID last 4", e._id_number()[-4:]),
                ("ID number", e._id_number())]
        p = some_elder(phone_hash__gt="")
        out.append(("phone", p._phone()))
    return out


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per term (after one warm-up)")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    create_database_if_missing(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from kangyang.accounts.actions import issue_api_token
    from kangyang.ops import demo
    from kangyang.registry import queries

    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}")
    call_command("migrate", interactive=False, verbosity=0)
    have = demo.elder_count()
    if have < args.elders:
        print(f"seeding {args.elders - have:,} elders (have {have:,}) …", flush=True)
        started = time.perf_counter()
        call_command("seed", elders=args.elders - have)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        # What autovacuum does in time after a bulk load: planner statistics, and the
        # visibility map that lets counts be answered from an index alone.
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE registry_elder")
            c.execute("ANALYZE")
    accounts, _messages = demo.create_demo_accounts(demo.get_district())
    print(f"elders in the district: {demo.elder_count():,}")

    rng = random.Random(1)
    failures = []
    summary = []
    for username in ("worker_a", "admin"):
        user = accounts[username]
        terms = terms_for(user, rng)
        page_client = Client(HTTP_HOST="127.0.0.1")
        page_client.force_login(user)
        # A staff session passes the second factor before any page opens (accounts/middleware.py);
        # mark this one verified with a code-less device, so the demo accounts' sign-in is unchanged.
        device, _created = StaticDevice.objects.get_or_create(user=user, name="bench session", defaults={"confirmed": True})
        session = page_client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        token, _t = issue_api_token(user)
        api_client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
        visible = queries.elders_for(user).count()
        print(f"\n{username}: {visible:,} elders in scope, {len(terms)} terms × {args.repeat} runs")
        for label, client, path in (
            ("page /registry/elders/", page_client, "/registry/elders/?q="),
            ("API  /api/v1/elders", api_client, "/api/v1/elders?q="),
        ):
            timings: list[float] = []
            by_kind: dict[str, list[float]] = {}
            statuses = set()
            for kind, term in terms:
                url = path + quote(term)
                r = client.get(url)  # warm-up
                statuses.add(r.status_code)
                for _i in range(args.repeat):
                    t = time.perf_counter()
                    r = client.get(url)
                    ms = (time.perf_counter() - t) * 1000
                    timings.append(ms)
                    by_kind.setdefault(kind, []).append(ms)
            p50, p95 = pct(timings, 50), pct(timings, 95)
            ok = statuses == {200}
            verdict = "ok" if ok and p95 <= TARGET_P95_MS else ("FAIL" if ok else f"HTTP {sorted(statuses)}")
            print(f"  {label:24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {max(timings):7.1f} ms   [{verdict}]")
            for kind, values in by_kind.items():
                print(f"      {kind:16} p50 {pct(values, 50):7.1f} ms   p95 {pct(values, 95):7.1f} ms")
            summary.append((username, label, p50, p95, sorted(statuses)))
            if verdict != "ok":
                failures.append(f"{username} {label}: {verdict}")
        if args.explain and connection.vendor == "postgresql":
            for kind, term in terms[::7]:
                qs = queries.elders_for(user, q=term)
                print(f"\n  EXPLAIN ANALYZE list, {kind} {term!r}:")
                print("    " + qs[:50].explain(analyze=True).replace("\n", "\n    "))
                print(f"  EXPLAIN ANALYZE count, {kind} {term!r}:")
                print("    " + _explain_count(qs).replace("\n", "\n    "))

    print(f"\nsummary (target p95 ≤ {TARGET_P95_MS} ms):")
    for username, label, p50, p95, statuses in summary:
        print(f"  {username:9} {label:24} p50 {p50:7.1f}  p95 {p95:7.1f}  HTTP {statuses}")
    if failures:
        print("not met: " + "; ".join(failures))


def _explain_count(qs) -> str:
    from django.db import connection

    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as c:
        c.execute(f"EXPLAIN ANALYZE SELECT COUNT(*) FROM ({sql}) t", params)
        return "\n".join(row[0] for row in c.fetchall())


if __name__ == "__main__":
    main()
