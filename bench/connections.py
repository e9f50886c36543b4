"""Database connections of `kangyang serve` (uvicorn, ASGI) on PostgreSQL under load and
under a fuzzing burst.

    python bench/connections.py [--clients 20] [--seconds 60] [--fuzz-seconds 15] [--no-pool]

Creates its own database (--db, default kangyang_bench_connections; dropped at the end),
migrates it, seeds a small district (--elders) and a bureau admin with an API token, then
starts `python -m kangyang serve` on a free loopback port and runs, one after the other:

  (a) load: --clients threads for --seconds, each looping over a few API and page URLs;
  (b) fuzz: the same number of threads for --fuzz-seconds sending malformed requests (NUL
      characters, page numbers and ids past 2^63, arrays and non-JSON as bodies, numbers as
      dates, bad tokens);

while a sampler counts `pg_stat_activity` rows of the database every 0.25 s. It prints the
most connections seen during each phase, the count a few seconds after each, the requests
answered, the 5xx and transport errors, and whether the server still answers afterwards.

--no-pool runs the server as before the pool (KANGYANG_DB_POOL_SIZE=0,
KANGYANG_DB_CONN_MAX_AGE=60) to show the leak the pool fixes. Loopback only; every request
has a timeout and every loop a deadline; the server is stopped at the end.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://kangyang:kangyang@127.0.0.1:5432"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def recreate_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kangyang(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run([sys.executable, "-m", "kangyang", *args], cwd=ROOT, env=env, check=True,
                            capture_output=capture, text=True, timeout=600)
    return result.stdout if capture else ""


class Sampler(threading.Thread):
    """Counts the database's server connections every 0.25 s (its own connection excluded)."""

    def __init__(self, db: str):
        super().__init__(daemon=True)
        self.db = db
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def count(self, conn) -> int:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.db,),
        ).fetchone()[0]

    def run(self):
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            while not self.stop.is_set():
                self.samples.append((time.monotonic(), self.count(conn)))
                self.stop.wait(0.25)

    def max_between(self, start: float, end: float) -> int:
        return max((n for t, n in self.samples if start <= t <= end), default=0)

    def now(self) -> int:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            return self.count(conn)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_status: dict[int, int] = {}
        self.transport_errors = 0
        self.examples_5xx: list[str] = []

    def add(self, status: int | None, what: str = "") -> None:
        with self.lock:
            if status is None:
                self.transport_errors += 1
            else:
                self.by_status[status] = self.by_status.get(status, 0) + 1
                if status >= 500 and len(self.examples_5xx) < 5:
                    self.examples_5xx.append(what)

    @property
    def total(self) -> int:
        return sum(self.by_status.values()) + self.transport_errors

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.by_status.items() if s >= 500)


def request(port: int, method: str, path: str, headers: dict, body: bytes | None = None) -> int | None:
    conn = http.client.HTTPConnection(HOST, port, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def load_requests(token: str, elder_ids: list[int]):
    auth = {"Authorization": f"Bearer {token}"}
    rnd = random.Random(1)
    while True:
        elder = rnd.choice(elder_ids)
        yield "GET", f"/api/v1/elders?page={rnd.randint(1, 5)}&page_size=20", auth, None
        yield "GET", f"/api/v1/elders/{elder}", auth, None
        yield "GET", "/api/v1/regions?level=community", auth, None
        yield "GET", "/api/v1/alarms", auth, None
        yield "GET", f"/api/v1/elders?q={quote(rnd.choice(['王', '李', 'zh', '13']))}", auth, None
        yield "GET", "/accounts/login/", {}, None


def fuzz_requests(token: str, elder_ids: list[int]):
    auth = {"Authorization": f"Bearer {token}"}
    json_auth = {**auth, "Content-Type": "application/json"}
    huge = str(2**70)
    rnd = random.Random(2)
    elder = elder_ids[0]
    cases = [
        ("GET", "/api/v1/elders?q=a%00b", auth, None),
        ("GET", f"/api/v1/elders?page={huge}", auth, None),
        ("GET", "/api/v1/elders?page=9223372036854775808&page_size=200", auth, None),
        ("GET", f"/api/v1/elders/{huge}", auth, None),
        ("GET", f"/api/v1/alarms?elder={huge}", auth, None),
        ("GET", "/api/v1/allowances/payments?month=0", auth, None),
        ("GET", "/api/v1/regions/%00", auth, None),
        ("PATCH", f"/api/v1/elders/{elder}", json_auth, b"[1, 2]"),
        ("PATCH", f"/api/v1/elders/{elder}", json_auth, b'{"name": "a\\u0000b"}'),
        ("PATCH", f"/api/v1/elders/{elder}", json_auth, b"{not json"),
        ("PATCH", f"/api/v1/elders/{elder}", json_auth, b'{"name": 5, "birth_date": 0}'),
        ("POST", f"/api/v1/elders/{elder}/status", json_auth, b'{"status": "deceased", "date": 0}'),
        ("POST", f"/api/v1/elders/{elder}/reveal", json_auth, b'{"reason": "\\u0000"}'),
        ("POST", "/api/v1/orders/quote", json_auth, f'{{"elder": {huge}, "item": "\\u0000"}}'.encode()),
        ("POST", "/api/v1/alarms", json_auth, f'{{"elder": {huge}}}'.encode()),
        ("GET", "/api/v1/elders", {"Authorization": "Bearer \x7f" + "A" * 300}, None),
        ("GET", "/registry/elders/?q=%00", {}, None),
        ("GET", f"/registry/elders/{huge}/", {}, None),
    ]
    while True:
        yield rnd.choice(cases)


def hammer(port: int, requests, deadline: float, tally: Tally) -> None:
    for method, path, headers, body in requests:
        if time.monotonic() >= deadline:
            return
        status = request(port, method, path, headers, body)
        tally.add(status, f"{method} {path}")


def phase(name: str, port: int, make, clients: int, seconds: float, sampler: Sampler, settle: float):
    tally = Tally()
    start = time.monotonic()
    deadline = start + seconds
    threads = [threading.Thread(target=hammer, args=(port, make(), deadline, tally), daemon=True)
               for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 30)
    end = time.monotonic()
    during = sampler.max_between(start, end)
    time.sleep(settle)
    after = sampler.now()
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.by_status.items()))
    print(f"{name}: {clients} clients × {seconds:.0f} s: {tally.total} requests "
          f"({tally.total / (end - start):.0f}/s; {statuses}); 5xx {tally.server_errors}, "
          f"transport errors {tally.transport_errors}")
    print(f"{name}: connections max during {during}, {settle:.0f} s after {after}")
    for example in tally.examples_5xx:
        print(f"  5xx: {example}")
    return tally, during, after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="kangyang_bench_connections")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--fuzz-seconds", type=float, default=15)
    parser.add_argument("--elders", type=int, default=300)
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--no-pool", action="store_true", help="the old setting: no pool, CONN_MAX_AGE=60")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if not (1 <= args.clients <= 100 and 0 < args.seconds <= 600 and 0 <= args.fuzz_seconds <= 120):
        parser.error("bounded: 1–100 clients, at most 600 s of load and 120 s of fuzzing")

    data_dir = tempfile.mkdtemp(prefix="kangyang-bench-conn-")
    env = {**os.environ, "DATABASE_URL": f"{PG}/{args.db}", "KANGYANG_DATA_DIR": data_dir,
           "KANGYANG_DB_POOL_SIZE": str(args.pool_size)}
    if args.no_pool:
        env.update(KANGYANG_DB_POOL_SIZE="0", KANGYANG_DB_CONN_MAX_AGE="60")
    print(f"database {args.db}; {'no pool, CONN_MAX_AGE=60' if args.no_pool else f'pool of {args.pool_size}'}")
    recreate_database(args.db)
    server = None
    try:
        kangyang(env, "migrate", "-v", "0")
        kangyang(env, "seed", "--elders", str(args.elders))
        made = kangyang(env, "shell", "-c", (
            "import json\n"
            "from kangyang.accounts.actions import issue_api_token\n"
            "from kangyang.accounts.models import User\n"
            "from kangyang.regions.models import Region\n"
            "from kangyang.registry.models import Elder\n"
            "district = Region.objects.get(code='360103000000')\n"
            "user, _ = User.objects.get_or_create(username='bench-admin', defaults={"
            "'role': User.Role.BUREAU_ADMIN, 'region': district})\n"
            "secret, _ = issue_api_token(user)\n"
            "print(json.dumps({'token': secret, 'elders': list(Elder.objects.values_list('id', flat=True)[:50])}))\n"
        ), capture=True)
        setup = json.loads(made.strip().splitlines()[-1])
        token, elder_ids = setup["token"], setup["elders"]

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "kangyang", "serve", "--port", str(port), "-v", "0"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(120):
            if request(port, "GET", "/accounts/login/", {}) is not None:
                break
            time.sleep(0.5)
        else:
            print("the server did not start")
            return 1

        sampler = Sampler(args.db)
        sampler.start()
        time.sleep(1)
        print(f"connections before: {sampler.now()}")
        load, load_max, _ = phase(
            "load", port, lambda: load_requests(token, elder_ids), args.clients, args.seconds, sampler, 5)
        fuzz, fuzz_max, _ = phase(
            "fuzz", port, lambda: fuzz_requests(token, elder_ids), args.clients, args.fuzz_seconds, sampler, 5)
        alive = request(port, "GET", "/api/v1/regions", {"Authorization": f"Bearer {token}"})
        sampler.stop.set()
        print(f"after both: the server answers {alive}")
        ok = alive == 200 and load.server_errors == 0 and fuzz.server_errors == 0
        if not args.no_pool:
            ok = ok and max(load_max, fuzz_max) <= args.pool_size
        print("result:", "OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        if not args.keep_db:
            drop_database(args.db)


if __name__ == "__main__":
    sys.exit(main())
