"""PostgreSQL refuses TRUNCATE of the audit log too, not only its row changes (0002).

TRUNCATE fires no row trigger, so 0002's trigger let `TRUNCATE audit_auditentry` (or a
`TRUNCATE accounts_user CASCADE`) empty the log. A statement-level BEFORE TRUNCATE trigger
refuses it. The application's own role has no TRUNCATE privilege at all (README "Running
with PostgreSQL", `kangyang grant_app_role`); this trigger guards the owner role against
accidents. A session that really means to empty the log (a test database, emptied between
tests by Django's flush) says so first: SET kangyang.audit_truncate = 'allow'. An owner can
disable triggers anyway, which is why the application does not run as the owner.

SQLite has no TRUNCATE; there the log is protected by 0002's UPDATE trigger and the ORM.
"""

from django.db import migrations

POSTGRES = [
    """CREATE FUNCTION audit_entry_refuse_truncate() RETURNS trigger AS $$
    BEGIN
        IF current_setting('kangyang.audit_truncate', true) = 'allow' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit log is append-only: TRUNCATE refused';
    END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_truncate();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;",
    "DROP FUNCTION IF EXISTS audit_entry_refuse_truncate();",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditentry_ip_label")]
    operations = [migrations.RunPython(forward, backward)]
