"""The database itself refuses to change or remove audit entries.

PostgreSQL: a trigger function refuses UPDATE and DELETE row by row (TRUNCATE, an
owner's maintenance operation, is not a row change). SQLite, the embedded single-user
default: a trigger aborts UPDATE; DELETE is refused by the ORM only, because Django's
`flush` (used by the test suite between browser tests) empties tables with DELETE.
"""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
]
POSTGRES = [
    """CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_auditentry;",
    "DROP FUNCTION IF EXISTS audit_entry_refuse_change();",
]


def forward(apps, schema_editor):
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
