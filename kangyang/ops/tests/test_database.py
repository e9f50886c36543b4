"""PostgreSQL goes through a bounded connection pool (bench/connections.py measures it)."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

PG_URL = "postgres://u:p@127.0.0.1:5432/x"
READ = (
    "import json; from kangyang import settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'max_age': d['CONN_MAX_AGE'], 'pool': d.get('OPTIONS', {}).get('pool')}))"
)


def database_settings(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KANGYANG_DB_", "DATABASE_URL"))}
    out = subprocess.run([sys.executable, "-c", READ], env={**clean, **env}, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_postgresql_gets_a_pool_of_ten_and_no_persistent_connections():
    found = database_settings(DATABASE_URL=PG_URL)
    assert found["max_age"] == 0
    assert found["pool"]["max_size"] == 10 and found["pool"]["min_size"] == 2


def test_the_pool_size_is_a_setting_and_zero_turns_the_pool_off():
    assert database_settings(DATABASE_URL=PG_URL, KANGYANG_DB_POOL_SIZE="4")["pool"]["max_size"] == 4
    off = database_settings(DATABASE_URL=PG_URL, KANGYANG_DB_POOL_SIZE="0", KANGYANG_DB_CONN_MAX_AGE="60")
    assert off == {"max_age": 60, "pool": None}


def test_sqlite_has_no_pool():
    assert database_settings()["pool"] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")
def test_the_running_connection_comes_from_the_pool(db):
    assert connection.pool is not None
    assert connection.pool.max_size == int(os.getenv("KANGYANG_DB_POOL_SIZE", "10"))
