"""The database itself refuses to change or remove ledger entries and digests, and the chain
starts with its head row.

PostgreSQL: a trigger function refuses UPDATE and DELETE row by row. SQLite: triggers refuse
UPDATE always and DELETE unless `timebank_erasable()` says the whole database is being emptied
(only the test suite says so; see kangyang/timebank/triggers.py). An intruder with the owner's
rights can drop a trigger; then `kangyang timebank verify` finds the change by the hashes.
"""

from django.db import migrations

TABLES = ("timebank_entry", "timebank_digest")
SQLITE = [
    sql
    for table in TABLES
    for sql in (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'time-bank ledger is append-only'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN NOT timebank_erasable() "
        "BEGIN SELECT RAISE(ABORT, 'time-bank ledger is append-only'); END;",
    )
]
SQLITE_REVERSE = [
    sql for table in TABLES
    for sql in (f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;")
]
POSTGRES = [
    """CREATE FUNCTION timebank_refuse_change() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'time-bank ledger is append-only'; END; $$ LANGUAGE plpgsql;""",
    *(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
      "FOR EACH ROW EXECUTE FUNCTION timebank_refuse_change();" for table in TABLES),
]
POSTGRES_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};" for table in TABLES),
    "DROP FUNCTION IF EXISTS timebank_refuse_change();",
]


def forward(apps, schema_editor):
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)
    ChainHead = apps.get_model("timebank", "ChainHead")
    ChainHead.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"last_seq": 0, "last_hash": "0" * 64})


def backward(apps, schema_editor):
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("timebank", "0001_ledger")]
    operations = [migrations.RunPython(forward, backward)]
