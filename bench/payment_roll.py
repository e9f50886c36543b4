"""Eligibility and the monthly payment rolls for a whole district of a million elders.

    python bench/payment_roll.py [--elders 1000000] [--assessed 0.2] [--month 2026-11] [--explain]

Runs against DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/kangyang_bench_roll
(created when missing), with KANGYANG_DATA_DIR defaulting to var/bench (the field key that
encrypted the seeded numbers: keep it with the database). Before measuring, and only when
missing, it migrates, seeds the synthetic district up to --elders (`kangyang seed`; a
million takes a quarter of an hour or more), adds signed GB/T 42195 assessments for a share
of the elders (one INSERT … SELECT, levels spread 0–4), and the district's four policies
with the demo's example amounts and the consumption voucher preset.

Then it measures, for the month (default: this one), over the whole district:

  eligibility  per policy, how many elders each rule pays and how much
               (eligibility.eligible_summary: one COUNT/SUM query)
  roll         per policy, the draft rolls of every community generated
               (actions.generate_payment_rolls: one INSERT … SELECT), from nothing
  again        the same generation a second time (drafts replaced), which must give the
               same lines and totals
  check        every roll's stored total against the sum of its lines (one query)
  one elder    eligibility.explain_eligibility for 200 paid elders (the elder page, the API)

and prints seconds, rows and the process's peak RSS before and after (memory stays flat:
no elder is loaded into Python). Target: eligibility and rolls of all policies ≤ 120 s.
--explain prints EXPLAIN ANALYZE of the care allowance's eligibility query.
"""

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kangyang_bench_roll")
os.environ.setdefault("KANGYANG_DATA_DIR", str(ROOT / "var" / "bench"))
TARGET_SECONDS = 120
DISTRICT_CODE = "360103000000"
BENCH_PLACE = "基准测试"  # marks the assessments this script added


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


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process, in MB."""
    current = peak = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return current, peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def add_assessments(share: float, month: dt.date) -> int:
    """Signed assessments for about `share` of the district's elders, valid in `month`, in
    one INSERT … SELECT. Columns not named here get their model default."""
    from django.db import connection

    from kangyang.assessment.models import Assessment
    from kangyang.assessment.standard import STANDARD

    if Assessment.objects.filter(place=BENCH_PLACE).exists():
        return 0
    modulo = max(1, round(1 / share))
    # Final levels, about 30% 0, 25% 1, 20% 2, 15% 3, 10% 4, fixed by the elder's id.
    spread = "mod(e.id * 7919, 100)"
    level = (f"(CASE WHEN {spread} < 30 THEN 0 WHEN {spread} < 55 THEN 1 WHEN {spread} < 75 THEN 2 "
             f"WHEN {spread} < 90 THEN 3 ELSE 4 END)")
    assessed_on = "(%s::date - mod(e.id, 300)::int)"  # within the 300 days before the month
    known = {
        "elder": "e.id", "region_code": "e.region_code", "standard": "%s", "status": "%s", "place": "%s",
        "final_level": level, "preliminary_level": level, "assessed_on": assessed_on,
        "valid_until": f"({assessed_on} + 365)", "signed_at": "now()", "created_at": "now()",
    }
    known_params = {
        "standard": [STANDARD], "status": [Assessment.Status.SIGNED], "place": [BENCH_PLACE],
        "assessed_on": [month], "valid_until": [month],
    }
    columns, exprs, params = [], [], []
    for field in Assessment._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in known:
            exprs.append(known[field.name])
            params += known_params.get(field.name, [])
        elif field.null:
            exprs.append("NULL")
        else:
            exprs.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(Assessment._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(exprs)} FROM registry_elder e WHERE e.region_code LIKE %s AND mod(e.id, {modulo}) = 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, DISTRICT_CODE[:6] + "%"])
        added = cursor.rowcount
        cursor.execute("ANALYZE assessment_assessment")
    return added


def bench_policies(district):
    from kangyang.accounts.models import User
    from kangyang.allowances import actions, constants
    from kangyang.allowances.models import Policy

    existing = list(Policy.objects.filter(region=district).order_by("pk"))
    if existing:
        return existing
    admin = User.objects.filter(role=User.Role.BUREAU_ADMIN, region=district).first()
    if admin is None:
        admin = User.objects.create_user(username="bench-admin", role=User.Role.BUREAU_ADMIN, region=district)
    since = dt.date(2020, 1, 1)
    made = [
        actions.create_policy(by=admin, kind=kind, name=name, region=district, effective_from=since, bands=bands,
                              is_example=True)
        for kind, name, bands in [
            (Policy.Kind.LONGEVITY, "高龄津贴（示例金额）", constants.EXAMPLE_LONGEVITY_BANDS),
            (Policy.Kind.CARE, "护理补贴（示例金额）", constants.EXAMPLE_CARE_BANDS),
            (Policy.Kind.SERVICE, "服务补贴（示例金额）", constants.EXAMPLE_SERVICE_BANDS),
        ]
    ]
    made.append(actions.create_policy(by=admin, kind=Policy.Kind.CONSUMPTION_VOUCHER, name="养老服务消费补贴",
                                      region=district, effective_from=since, **constants.CONSUMPTION_VOUCHER_PRESET))
    return made


def clear_month(policies, month: dt.date) -> None:
    """Remove the month's draft rolls of these policies (earlier runs of this script), so
    that the first generation starts from nothing. Rolls past draft are never touched."""
    from django.db import connection

    from kangyang.allowances.models import PaymentRoll

    drafts = PaymentRoll.objects.filter(month=month, policy__in=policies, status=PaymentRoll.Status.DRAFT)
    ids = list(drafts.values_list("pk", flat=True))
    if ids:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM allowances_paymentline WHERE roll_id = ANY(%s)", [ids])
        drafts.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elders", type=int, default=1_000_000)
    parser.add_argument("--assessed", type=float, default=0.2, help="share of elders with an assessment")
    parser.add_argument("--month", default="", help="YYYY-MM (default: this month)")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    create_database_if_missing(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from kangyang.regions.models import Region
    from kangyang.registry.models import Elder
    from kangyang.allowances import actions, eligibility as rules

    call_command("migrate", interactive=False, verbosity=0)
    have = Elder.objects.filter(region_code__startswith=DISTRICT_CODE[:6]).count()
    if have < args.elders:
        print(f"seeding {args.elders - have} elders (have {have}) …", flush=True)
        call_command("seed", elders=args.elders - have)
        have = Elder.objects.filter(region_code__startswith=DISTRICT_CODE[:6]).count()
    month = (dt.datetime.strptime(args.month, "%Y-%m").date() if args.month
             else rules.month_start(timezone.localdate()))
    started = time.perf_counter()
    added = add_assessments(args.assessed, month)
    if added:
        print(f"added {added} assessments in {time.perf_counter() - started:.1f} s", flush=True)
    district = Region.objects.get(code=DISTRICT_CODE)
    policies = bench_policies(district)
    clear_month(policies, month)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_elder")
        cursor.execute("ANALYZE allowances_paymentline")
        cursor.execute("SELECT count(*) FROM assessment_assessment WHERE status = 'signed'")
        assessed = cursor.fetchone()[0]

    print(f"\n{connection.vendor}, {have} elders, {assessed} signed assessments, month {month:%Y-%m}, "
          f"{Region.objects.filter(level='community', code__startswith=DISTRICT_CODE[:6]).count()} communities")
    rss_start = rss_mb()
    print(f"RSS at start: {rss_start[0]:.0f} MB (peak so far {rss_start[1]:.0f} MB)\n")
    print(f"{'policy':<24}{'phase':<13}{'seconds':>9}{'payees':>10}{'yuan':>16}")
    prefix = DISTRICT_CODE[:6]
    totals = {"eligibility": 0.0, "roll": 0.0, "again": 0.0}
    results = {}
    for policy in policies:
        version = rules.version_in_force(policy, month)
        t = time.perf_counter()
        summary = rules.eligible_summary(version, prefix=prefix, month=month)
        seconds = time.perf_counter() - t
        totals["eligibility"] += seconds
        print(f"{policy.kind:<24}{'eligibility':<13}{seconds:>9.2f}{sum(n for _b, n, _t in summary):>10}"
              f"{sum(t for _b, _n, t in summary):>16}", flush=True)
        for phase in ("roll", "again"):
            t = time.perf_counter()
            result = actions.generate_payment_rolls(policy=policy, month=month, region=district)
            seconds = time.perf_counter() - t
            totals[phase] += seconds
            print(f"{policy.kind:<24}{phase:<13}{seconds:>9.2f}{result.lines:>10}{result.total:>16}", flush=True)
            results.setdefault(policy.kind, []).append((result.lines, result.total))

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE r.total <> coalesce(s.total, 0) OR r.line_count <> coalesce(s.n, 0)) "
            "FROM allowances_paymentroll r LEFT JOIN (SELECT roll_id, sum(amount) AS total, count(*) AS n "
            "FROM allowances_paymentline GROUP BY roll_id) s ON s.roll_id = r.id WHERE r.month = %s",
            [month],
        )
        rolls, mismatched = cursor.fetchone()
    check = time.perf_counter() - t
    same = all(first == again for first, again in results.values())
    rss_end = rss_mb()
    print(f"\ncheck: {rolls} rolls, {mismatched} totals differing from their lines ({check:.2f} s); "
          f"generating again gave {'the same' if same else 'DIFFERENT'} lines and totals")
    both = totals["eligibility"] + totals["roll"]
    print(f"eligibility {totals['eligibility']:.1f} s + rolls {totals['roll']:.1f} s = {both:.1f} s "
          f"(target ≤ {TARGET_SECONDS} s: {'met' if both <= TARGET_SECONDS else 'NOT met'}); "
          f"generating again {totals['again']:.1f} s")
    print(f"RSS: {rss_start[0]:.0f} MB at start, {rss_end[0]:.0f} MB at the end; peak {rss_end[1]:.0f} MB "
          f"(peak before measuring {rss_start[1]:.0f} MB)")

    # One elder's explanation, as the elder page and GET /allowances/eligibility/{id} ask for it.
    from kangyang.allowances.models import PaymentLine

    sample = list(PaymentLine.objects.filter(month=month).order_by("?").values_list("elder_id", flat=True)[:200])
    timings = []
    for elder in Elder.objects.filter(pk__in=sample):
        t = time.perf_counter()
        rules.explain_eligibility(elder, on=month)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    if timings:
        print(f"one elder's eligibility explained: median {timings[len(timings) // 2]:.1f} ms, "
              f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms ({len(timings)} elders)")

    if args.explain:
        from kangyang.allowances.models import Policy

        care = next(p for p in policies if p.kind == Policy.Kind.CARE)
        sql, params = rules.eligible_rows_sql(rules.version_in_force(care, month), prefix=prefix, month=month)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({sql}) y", params)
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
