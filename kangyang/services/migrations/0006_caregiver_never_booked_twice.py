"""The database refuses a caregiver booked twice at once (issue 12 §1), behind the check in
actions/dispatch.py, for two dispatchers choosing her in the same moment.

Two orders of one caregiver whose busy times (Order.busy_from → busy_until: from the
window's end to the earliest end of the service) overlap cannot both be kept, whatever the
order and the travel. While both hold her time (dispatched, accepted, on the way, checked in)
the database refuses the second:

* PostgreSQL: an exclusion constraint over (caregiver, busy time) with btree_gist (a trusted
  extension since PostgreSQL 13: the database's owner may create it);
* SQLite: triggers before insert and update that abort the statement.

Django's ExclusionConstraint is PostgreSQL-only and a Meta constraint would break SQLite, so
both are written here by hand, like audit 0002. Orders placed before this migration get their
busy times first (a schema change, then a data fill, then the guard).
"""

import datetime as dt

from django.db import migrations

HOLDING = "('dispatched', 'accepted', 'en_route', 'checked_in')"

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist;",
    "ALTER TABLE services_order ADD CONSTRAINT order_caregiver_not_booked_twice EXCLUDE USING gist "
    "(caregiver_id WITH =, tstzrange(busy_from, busy_until, '()') WITH &&) "
    f"WHERE (caregiver_id IS NOT NULL AND busy_from IS NOT NULL AND status IN {HOLDING});",
]
POSTGRES_REVERSE = ["ALTER TABLE services_order DROP CONSTRAINT IF EXISTS order_caregiver_not_booked_twice;"]

_CLASH = (
    "SELECT RAISE(ABORT, 'order_caregiver_not_booked_twice') WHERE NEW.caregiver_id IS NOT NULL "
    f"AND NEW.busy_from IS NOT NULL AND NEW.status IN {HOLDING} AND EXISTS ("
    "SELECT 1 FROM services_order o WHERE o.caregiver_id = NEW.caregiver_id AND o.id != NEW.id "
    f"AND o.busy_from IS NOT NULL AND o.status IN {HOLDING} "
    "AND o.busy_from < NEW.busy_until AND NEW.busy_from < o.busy_until);"
)
SQLITE = [
    f"CREATE TRIGGER order_caregiver_not_booked_twice_insert BEFORE INSERT ON services_order BEGIN {_CLASH} END;",
    "CREATE TRIGGER order_caregiver_not_booked_twice_update BEFORE UPDATE OF caregiver_id, status, busy_from, "
    f"busy_until ON services_order BEGIN {_CLASH} END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS order_caregiver_not_booked_twice_insert;",
    "DROP TRIGGER IF EXISTS order_caregiver_not_booked_twice_update;",
]


def fill_busy_times(apps, schema_editor):
    Order = apps.get_model("services", "Order")
    batch = []
    for o in Order.objects.filter(busy_from__isnull=True).select_related("item").iterator(chunk_size=2000):
        end = o.window_start + dt.timedelta(minutes=o.item.duration_minutes * o.quantity)
        if o.window_end < end:
            o.busy_from, o.busy_until = o.window_end, end
            batch.append(o)
        if len(batch) >= 2000:
            Order.objects.bulk_update(batch, ["busy_from", "busy_until"])
            batch = []
    if batch:
        Order.objects.bulk_update(batch, ["busy_from", "busy_until"])


def release_clashes(apps, schema_editor):
    """Orders booked at once before the guard (the demo's persona had two at 15:00): the one
    placed first keeps its busy time, the later one loses it (the guard then passes it by)."""
    Order = apps.get_model("services", "Order")
    kept: dict[int, list[tuple]] = {}
    holding = ["dispatched", "accepted", "en_route", "checked_in"]
    rows = (Order.objects.filter(caregiver__isnull=False, busy_from__isnull=False, status__in=holding)
            .order_by("created_at", "id").values_list("id", "caregiver_id", "busy_from", "busy_until"))
    released = []
    for pk, caregiver, start, end in rows.iterator(chunk_size=2000):
        mine = kept.setdefault(caregiver, [])
        if any(s < end and start < e for s, e in mine):
            released.append(pk)
        else:
            mine.append((start, end))
    Order.objects.filter(pk__in=released).update(busy_from=None, busy_until=None)


def forward(apps, schema_editor):
    fill_busy_times(apps, schema_editor)
    release_clashes(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE if vendor == "sqlite" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("services", "0005_dispatch_warning_busy_time_plan_runs")]
    operations = [migrations.RunPython(forward, backward)]
