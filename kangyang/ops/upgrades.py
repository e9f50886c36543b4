"""What `kangyang migrate` does before Django migrates: carry renamed apps over to their new
label (kangyang/lib/renamed_apps.py), so that a database made before the rename keeps its
rows and its migration history.

It has to run before the migration executor starts: the executor reads which migrations
are applied when it is made, before `pre_migrate` fires, and would see none of the renamed
app's and create its tables anew. So the `migrate` command of kangyang/ops calls
`rename_apps()` first. For each renamed app found in the database under its old label it,
in one transaction:

* renames the tables `<old>_<model>` to `<new>_<model>` (indexes, constraints, sequences and
  grants stay with the table, as after Django's own table renames);
* moves the applied-migration records (`django_migrations.app`);
* moves the content types (`django_content_type.app_label`); permissions and groups refer
  to the content type, so they stay as they were;
* points queued background tasks at the renamed module (`kangyang.<old>.` → `kangyang.<new>.`).

A database where both labels are in use (something created the new app's tables beside
the old ones) is refused, not guessed at.
"""

from dataclasses import dataclass

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from kangyang.lib.renamed_apps import RENAMED_APPS


class UpgradeError(Exception):
    """The database is in a state the upgrade will not guess about."""


@dataclass(frozen=True)
class Renamed:
    old: str
    new: str
    tables: int
    migrations: int
    content_types: int
    tasks: int

    def __str__(self) -> str:
        return _("App %(old)s is now %(new)s: %(tables)d tables, %(migrations)d migration records, "
                 "%(content_types)d content types and %(tasks)d background tasks carried over.") % {
            "old": self.old, "new": self.new, "tables": self.tables, "migrations": self.migrations,
            "content_types": self.content_types, "tasks": self.tasks}


def pending_renames(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    """The renamed apps whose old label the database still uses (their migrations are recorded)."""
    tables = set(connection.introspection.table_names())
    if "django_migrations" not in tables:
        return []  # a new database: nothing to carry over
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT app FROM django_migrations")
        labels = {row[0] for row in cursor.fetchall()}
    pending = []
    for old, new in RENAMED_APPS.items():
        if old not in labels:
            continue
        if new in labels:
            raise UpgradeError(
                _("The database holds migrations of both %(old)s and %(new)s; "
                  "the app was renamed, so only one should be there. Nothing was changed.")
                % {"old": old, "new": new})
        pending.append((old, new))
    return pending


def rename_apps(using: str = "default") -> list[Renamed]:
    """Carry every renamed app over to its new label; a database with none to carry over is
    left alone (running it twice changes nothing). Returns what was carried over."""
    connection = connections[using]
    pending = pending_renames(connection)
    done = []
    if pending:
        # The schema editor is atomic, and on SQLite it also switches the foreign-key checks
        # off while tables are renamed (the references in other tables follow the rename).
        with connection.schema_editor(atomic=True) as editor:
            for old, new in pending:
                done.append(_rename_app(connection, editor, old, new))
    return done


def _rename_app(connection, editor, old: str, new: str) -> Renamed:
    tables = connection.introspection.table_names()
    renames = [(t, new + t[len(old):]) for t in tables if t.startswith(f"{old}_")]
    for table, target in renames:
        if target in tables:
            raise UpgradeError(
                _("Both tables %(old)s and %(new)s exist; nothing was changed.") % {"old": table, "new": target})
        editor.alter_db_table(None, table, target)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE django_migrations SET app = %s WHERE app = %s", [new, old])
        migrations = cursor.rowcount
        content_types = 0
        if "django_content_type" in tables:
            cursor.execute(
                "SELECT model FROM django_content_type WHERE app_label = %s AND model IN "
                "(SELECT model FROM django_content_type WHERE app_label = %s)", [new, old])
            clash = sorted(row[0] for row in cursor.fetchall())
            if clash:
                raise UpgradeError(
                    _("Content types of %(new)s already exist beside those of %(old)s (%(models)s); "
                      "nothing was changed.") % {"new": new, "old": old, "models": ", ".join(clash)})
            cursor.execute("UPDATE django_content_type SET app_label = %s WHERE app_label = %s", [new, old])
            content_types = cursor.rowcount
    return Renamed(old, new, len(renames), migrations, content_types,
                   _move_tasks(connection, tables, old, new))


def _move_tasks(connection, tables, old: str, new: str) -> int:
    """Queued tasks name their function by import path; the module moved with the app."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult._meta.db_table not in tables:
        return 0
    old_prefix, new_prefix = f"kangyang.{old}.", f"kangyang.{new}."
    return (DBTaskResult.objects.using(connection.alias)
            .filter(task_path__startswith=old_prefix)
            .update(task_path=Concat(Value(new_prefix), Substr(F("task_path"), len(old_prefix) + 1))))
