"""On PostgreSQL the application's role (`kangyang grant_app_role`) reads and appends to the
ledger and its digests but can neither change, delete, empty nor un-trigger them; the chain
head and the accounts it writes as usual."""

import io
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from kangyang.timebank.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)


def _connect(*, user: str, password: str) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, dbname=s["NAME"],
                           user=user, password=password, autocommit=True)


def _refused(conn: psycopg.Connection, sql: str) -> bool:
    try:
        conn.execute(sql)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


@pytest.fixture
def app_role(db):
    if connection.vendor != "postgresql":
        pytest.skip("roles and privileges exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the test database's role may not create roles")
    name, password = f"kangyang_tb_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN PASSWORD %s", [password])
    yield name, password
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT {name} TO current_user")
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


def test_the_app_role_only_reads_and_appends_the_ledger(app_role, vol_account, elder_in_a, worker_a, funder):
    role, password = app_role
    funder(vol_account, 60, by=worker_a, elder=elder_in_a)
    call_command("grant_app_role", role, stdout=io.StringIO())
    with _connect(user=role, password=password) as app:
        assert app.execute("SELECT count(*) FROM timebank_entry").fetchone()[0] == 2
        with app.transaction():
            app.execute("SELECT last_seq FROM timebank_chainhead WHERE id = 1 FOR UPDATE")
            app.execute("UPDATE timebank_account SET balance_minutes = balance_minutes WHERE id = %s",
                        [vol_account.pk])
        for table in ("timebank_entry", "timebank_digest"):
            assert _refused(app, f"UPDATE {table} SET last_hash = 'x'" if "digest" in table
                            else f"UPDATE {table} SET memo = 'rewritten'")
            assert _refused(app, f"DELETE FROM {table}")
            assert _refused(app, f"TRUNCATE {table}")
            assert _refused(app, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert not Entry.objects.filter(memo="rewritten").exists()
