"""The audit log on PostgreSQL: TRUNCATE is refused even for the owner (migration 0004), and
the application's role (`kangyang grant_app_role`) can read and append but neither change,
delete, empty nor un-trigger it, while it reads and writes every other table."""

import io
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry

POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql",
                              reason="roles, privileges and TRUNCATE exist on PostgreSQL only")
pytestmark = pytest.mark.django_db(transaction=True)
AUDIT = AuditEntry._meta.db_table


def _can_create_roles() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
        return cursor.fetchone()[0]


def _connect(*, user: str, password: str) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, dbname=s["NAME"],
                           user=user, password=password, autocommit=True)


@pytest.fixture
def app_role(db):
    """A fresh login role, not the owner; dropped afterwards with everything granted to it."""
    if not _can_create_roles():
        pytest.skip("the test database's role may not create roles (ALTER ROLE … CREATEROLE)")
    name, password = f"kangyang_app_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN PASSWORD %s", [password])
    yield name, password
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT {name} TO current_user")  # DROP OWNED needs the role's privileges
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


def _refused(conn: psycopg.Connection, sql: str) -> bool:
    try:
        conn.execute(sql)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


@POSTGRES
def test_the_app_role_reads_and_appends_to_the_audit_log_and_nothing_more(app_role, admin, community_a):
    role, password = app_role
    record(admin, AuditEntry.Action.LOGIN, verb="login")
    call_command("grant_app_role", role, stdout=io.StringIO())
    call_command("grant_app_role", role, stdout=io.StringIO())  # idempotent
    with _connect(user=role, password=password) as app:
        assert app.execute(f"SELECT count(*) FROM {AUDIT}").fetchone()[0] == 1
        app.execute(
            f"INSERT INTO {AUDIT} (at, actor_username, action, verb, target_type, target_id, "
            "region_code, note, changes) VALUES (now(), 'app', 'login', 'login', '', '', '', '', '{}')")
        assert AuditEntry.objects.count() == 2
        # Every other table: rows read and written as usual.
        app.execute("UPDATE regions_region SET name = name || '·' WHERE code = %s", [community_a.code])
        assert app.execute("SELECT count(*) FROM accounts_user").fetchone()[0] >= 1
        # The audit log: not changed, deleted, emptied or un-triggered.
        assert _refused(app, f"UPDATE {AUDIT} SET note = 'rewritten'")
        assert _refused(app, f"DELETE FROM {AUDIT}")
        assert _refused(app, f"TRUNCATE {AUDIT}")
        assert _refused(app, f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL")
        assert _refused(app, f"ALTER TABLE {AUDIT} DISABLE TRIGGER audit_entry_no_change")
        assert _refused(app, f"DROP TABLE {AUDIT}")
        assert _refused(app, "TRUNCATE accounts_user CASCADE")
    assert AuditEntry.objects.count() == 2 and not AuditEntry.objects.filter(note="rewritten").exists()


@POSTGRES
def test_truncate_is_refused_even_for_the_owner(admin):
    record(admin, AuditEntry.Action.LOGIN, verb="login")
    s = connection.settings_dict
    with _connect(user=s["USER"], password=s["PASSWORD"]) as owner:  # a session without the test's permission
        for sql in (f"TRUNCATE {AUDIT}", "TRUNCATE accounts_user CASCADE"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                owner.execute(sql)
    assert AuditEntry.objects.count() == 1


@POSTGRES
def test_the_owner_itself_or_an_unknown_role_is_refused(db):
    with translation.override("en"), pytest.raises(CommandError, match="owner"):
        call_command("grant_app_role", connection.settings_dict["USER"])
    with translation.override("en"), pytest.raises(CommandError, match="no role"):
        call_command("grant_app_role", f"nobody_{uuid.uuid4().hex[:8]}")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite answer")
def test_on_sqlite_the_command_says_there_are_no_roles(db):
    with translation.override("en"), pytest.raises(CommandError, match="PostgreSQL"):
        call_command("grant_app_role", "kangyang_app")
