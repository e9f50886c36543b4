"""Time to verify a 1,000,000-entry time-bank ledger (target ≤ 60 s).

    python bench/timebank_verify.py [--entries 1000000] [--accounts 2000] [--fresh] [--command]

Runs against DATABASE_URL, by default postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_timebank_bench
(created and migrated when missing; KANGYANG_DATA_DIR defaults to var/bench-timebank).

Builds the ledger once, fast, when it holds fewer entries than asked (or with --fresh, which
empties it first with TRUNCATE, as only the tables' owner can): volunteer accounts, then
transactions of two entries each — deposits from `issued` (70 %), redemptions into `redeemed`
(25 %, when the balance allows) and transfers between volunteers (5 %) — spread over 100
days, their hashes computed in Python exactly as the actions compute them (timebank/chain.py)
and written with COPY; then the cached balances, the chain head and a digest per day.

Then times `queries.verify()` (what `kangyang timebank verify` runs) and prints the figures;
--command also times the command itself in a subprocess. Exit status 0 when the ledger
verifies within the target, 1 otherwise.
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
os.environ.setdefault("DATABASE_URL", "postgres://kangyang:kangyang@127.0.0.1:5432/kangyang_timebank_bench")
os.environ.setdefault("KANGYANG_DATA_DIR", str(ROOT / "var" / "bench-timebank"))
TARGET_SECONDS = 60
DAYS = 100


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


def empty_ledger() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("TRUNCATE timebank_entry, timebank_digest, timebank_attendance")
        c.execute("UPDATE timebank_chainhead SET last_seq = 0, last_hash = %s", ["0" * 64])
        c.execute("UPDATE timebank_account SET balance_minutes = 0")


def volunteer_accounts(n: int) -> list[int]:
    from django.contrib.auth.hashers import make_password

    from kangyang.accounts.models import User
    from kangyang.timebank.models import Account

    have = list(Account.objects.filter(kind="volunteer", user__username__startswith="tbbench_")
                .order_by("pk").values_list("pk", flat=True))
    if len(have) >= n:
        return have[:n]
    password = make_password(None)
    users = User.objects.bulk_create([
        User(username=f"tbbench_{i}", password=password, role=User.Role.VOLUNTEER)
        for i in range(len(have), n)
    ])
    Account.objects.bulk_create([
        Account(kind="volunteer", user=u, real_name=f"志愿者{u.username[8:]}", birth_date=dt.date(1960, 1, 1),
                region_code="360103001001")
        for u in users
    ])
    return list(Account.objects.filter(kind="volunteer", user__username__startswith="tbbench_")
                .order_by("pk").values_list("pk", flat=True))[:n]


def build(entries: int, accounts: int, rng: random.Random) -> float:
    """Append `entries` (rounded down to whole transactions) to the ledger; returns seconds."""
    from django.db import connection, transaction

    from kangyang.timebank import chain
    from kangyang.timebank.actions import _system_account
    from kangyang.timebank.models import Account, ChainHead, Digest

    started = time.monotonic()
    people = volunteer_accounts(accounts)
    issued = _system_account(Account.System.ISSUED).pk
    redeemed = _system_account(Account.System.REDEEMED).pk
    head = ChainHead.objects.get(pk=1)
    balances = dict(Account.objects.values_list("pk", "balance_minutes"))
    seq, prev = head.last_seq, head.last_hash
    transactions = (entries - seq) // 2
    if transactions <= 0:
        return 0.0
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=DAYS)
    step = dt.timedelta(days=DAYS) / transactions
    columns = ("seq", "txn", "account_id", "amount_minutes", "kind", "source", "memo", "created_at",
               "created_by_id", "balance_after", "prev_hash", "hash")
    entry_hash = chain.entry_hash
    day_last: dict[dt.date, tuple[int, str, int]] = {}
    local = dt.timezone(dt.timedelta(hours=8))
    with transaction.atomic(), connection.cursor() as c:
        with c.cursor.copy(f"COPY timebank_entry ({', '.join(columns)}) FROM STDIN") as copy:
            for n in range(transactions):
                at = start + step * n
                roll = rng.random()
                person = rng.choice(people)
                minutes = rng.choice((30, 60, 60, 90, 120, 180))
                if roll < 0.25 and balances.get(person, 0) >= minutes:
                    kind, debit, credit, source = "redemption", person, redeemed, "service_item:bench"
                elif roll < 0.30 and balances.get(person, 0) >= minutes:
                    kind, debit, credit = "transfer", person, rng.choice(people)
                    if credit == debit:
                        continue
                    source = f"account:{credit}"
                else:
                    kind, debit, credit, source = "deposit", issued, person, f"attendance:{seq + 1}"
                txn = seq + 1
                for account, amount in ((debit, -minutes), (credit, minutes)):
                    seq += 1
                    after = balances.get(account, 0) + amount
                    balances[account] = after
                    h = entry_hash(prev, seq, txn, account, amount, kind, source, "", at, None, after)
                    copy.write_row((seq, txn, account, amount, kind, source, "", at, None, after, prev, h))
                    prev = h
                day = at.astimezone(local).date()
                previous = day_last.get(day)
                day_last[day] = (seq, prev, (previous[2] if previous else 0) + 2)
        c.execute("UPDATE timebank_chainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, prev])
        rows = list(balances.items())
        for i in range(0, len(rows), 1000):
            chunk = rows[i:i + 1000]
            c.execute(
                "UPDATE timebank_account AS a SET balance_minutes = v.b FROM (VALUES "
                + ", ".join(["(%s::bigint, %s::bigint)"] * len(chunk)) + ") AS v(id, b) WHERE a.id = v.id",
                [x for pair in chunk for x in pair],
            )
        today = dt.datetime.now(local).date()
        Digest.objects.bulk_create([
            Digest(day=day, last_seq=s, last_hash=h, entries=count)
            for day, (s, h, count) in sorted(day_last.items()) if day < today
        ], ignore_conflicts=True)
    with connection.cursor() as c:
        c.execute("ANALYZE timebank_entry")
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--fresh", action="store_true", help="empty the ledger first (TRUNCATE)")
    parser.add_argument("--command", action="store_true", help="also time `kangyang timebank verify`")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()

    create_database_if_missing(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kangyang.timebank import queries
    from kangyang.timebank.models import Entry

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.fresh:
        empty_ledger()
    have = Entry.objects.count()
    if have < args.entries:
        seconds = build(args.entries, args.accounts, random.Random(args.seed))
        print(f"built {Entry.objects.count() - have:,} entries in {seconds:.1f} s")
    result = queries.verify()
    print(f"verify: {'intact' if result.ok else 'BROKEN: ' + result.problem.message}")
    print(f"  entries {result.entries:,}  transactions {result.transactions:,}  accounts {result.accounts:,}  "
          f"digests {result.digests:,}")
    rate = result.entries / result.seconds if result.seconds else 0
    print(f"  {result.seconds:.1f} s ({rate:,.0f} entries/s); target ≤ {TARGET_SECONDS} s")
    ok = result.ok and result.seconds <= TARGET_SECONDS
    if args.command:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "kangyang", "timebank", "verify", "--language", "en"],
                              cwd=ROOT, capture_output=True, text=True)
        took = time.monotonic() - started
        print(f"kangyang timebank verify: exit {done.returncode} in {took:.1f} s (with start-up)")
        print("  " + (done.stdout or done.stderr).strip())
        ok = ok and done.returncode == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
