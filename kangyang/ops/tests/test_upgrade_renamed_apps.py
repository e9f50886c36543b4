"""Upgrading a database made before the app `subsidies` was renamed `allowances`.

Each test makes such a database the way an older release left it: migrated, with data, then
its tables, migration records, content types and queued tasks put back under the old label
(by SQL here, not by the code under test). `kangyang migrate` must then keep every row and
permission, and leave `migrate --check` and `makemigrations --check` clean.
"""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from kangyang.allowances import actions, constants, tasks
from kangyang.allowances.models import PaymentLine, PaymentRoll, Policy, PolicyBand, PolicyVersion
from kangyang.allowances.tests.conftest import generate, last_month, longevity, make_elder, this_month  # noqa: F401
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.audit.queries import audit_entries_for
from kangyang.lib.renamed_apps import former_labels, former_model_labels
from kangyang.ops import upgrades

OLD, NEW = "subsidies", "allowances"
TASK = "kangyang.allowances.tasks.generate_payment_rolls"


def table_names() -> set[str]:
    return set(connection.introspection.table_names())


def make_old(*, drop_latest: bool = False) -> None:
    """Put the allowances app back under its old label, as a database of 0.4.0 has it.
    With `drop_latest`, the database is also one migration behind (0001 only)."""
    if drop_latest:
        executor = MigrationExecutor(connection)
        executor.migrate([(NEW, "0001_initial")])
    with connection.schema_editor(atomic=True) as editor:
        for table in sorted(t for t in table_names() if t.startswith(f"{NEW}_")):
            editor.alter_db_table(None, table, OLD + table[len(NEW):])
        with connection.cursor() as cursor:
            cursor.execute("UPDATE django_migrations SET app = %s WHERE app = %s", [OLD, NEW])
            cursor.execute("UPDATE django_content_type SET app_label = %s WHERE app_label = %s", [OLD, NEW])
            cursor.execute(f"UPDATE {DBTaskResult._meta.db_table} SET task_path = %s WHERE task_path = %s",
                           [TASK.replace(NEW, OLD), TASK])
    ContentType.objects.clear_cache()


@pytest.fixture
def restore():
    """Whatever a failing test left, the database is carried over again for the next test."""
    yield
    upgrades.rename_apps()
    ContentType.objects.clear_cache()


@pytest.fixture
def data(admin, district, worker_a, community_a, longevity, generate, last_month):  # noqa: F811
    """A policy with its version and bands, a generated roll with a line, a permission given to
    a user through the content type, and a task still waiting in the queue."""
    make_elder(worker_a, community_a, birth=dt.date(1935, 5, 1), name="王秀英")
    generate(admin, longevity, last_month, district)
    roll = PaymentRoll.objects.get(policy=longevity, month=last_month)
    assert roll.lines.count() == 1
    worker_a.user_permissions.add(Permission.objects.get(content_type__app_label=NEW, codename="view_paymentroll"))
    waiting = DBTaskResult.objects.create(
        task_path=TASK, args_kwargs={"args": [0], "kwargs": {}}, backend_name="default", run_after=timezone.now())
    return {
        "policies": list(Policy.objects.values_list("pk", "name")),
        "versions": PolicyVersion.objects.count(), "bands": PolicyBand.objects.count(),
        "lines": list(PaymentLine.objects.values_list("pk", "amount")),
        "roll": roll, "task": waiting.pk, "user": worker_a,
    }


def upgrade() -> str:
    out = io.StringIO()
    call_command("migrate", interactive=False, verbosity=1, stdout=out)
    return out.getvalue()


def assert_clean():
    call_command("migrate", check_unapplied=True, verbosity=0)  # exits 1 if anything is unapplied
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
    assert not [t for t in table_names() if t.startswith(f"{OLD}_")]
    assert not ContentType.objects.filter(app_label=OLD).exists()
    assert not MigrationRecorder.Migration.objects.filter(app=OLD).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("behind", [False, True], ids=["latest", "one-migration-behind"])
def test_migrate_carries_an_old_database_over_and_keeps_its_data(data, restore, admin, district, behind):
    make_old(drop_latest=behind)
    assert {f"{OLD}_policy", f"{OLD}_paymentline"} <= table_names()
    assert (OLD, "0001_initial") in MigrationRecorder(connection).applied_migrations()
    with pytest.raises(SystemExit):  # before the upgrade there is work to do
        call_command("migrate", check_unapplied=True, verbosity=0, stdout=io.StringIO())
    # The old label's entries, as the audit log of 0.4.0 holds them (it is never rewritten).
    AuditEntry.objects.create(actor=admin, action=AuditEntry.Action.CHANGE, verb="payment_roll.approve",
                              target_type=f"{OLD}.paymentroll", target_id=str(data["roll"].pk))

    output = upgrade()

    assert f"{OLD}" in output and f"{NEW}" in output
    applied = MigrationRecorder(connection).applied_migrations()
    assert (NEW, "0001_initial") in applied and (NEW, "0002_voucherentry_refund") in applied
    assert list(Policy.objects.values_list("pk", "name")) == data["policies"]
    assert PolicyVersion.objects.count() == data["versions"] and PolicyBand.objects.count() == data["bands"]
    assert list(PaymentLine.objects.values_list("pk", "amount")) == data["lines"]
    user = type(data["user"]).objects.get(pk=data["user"].pk)
    assert user.has_perm(f"{NEW}.view_paymentroll")
    assert import_string(DBTaskResult.objects.get(pk=data["task"]).task_path) is tasks.generate_payment_rolls
    record(admin, AuditEntry.Action.VIEW_FULL, PaymentRoll.objects.get(pk=data["roll"].pk), verb="payment_roll.export")
    found = audit_entries_for(admin, target=f"{NEW}.paymentroll:{data['roll'].pk}")
    assert {e.target_type for e in found} == {f"{OLD}.paymentroll", f"{NEW}.paymentroll"}
    assert_clean()
    # New rows go on from the old ids.
    care = actions.create_policy(by=admin, kind=Policy.Kind.CARE, name="护理补贴", region=district,
                                 effective_from=dt.date(2020, 1, 1), bands=constants.EXAMPLE_CARE_BANDS)
    assert care.pk > max(pk for pk, _name in data["policies"])

    assert upgrade().count(OLD) == 0  # a second run has nothing to carry over
    assert_clean()


@pytest.mark.django_db(transaction=True)
def test_migrate_check_and_plan_change_nothing_on_an_old_database(data, restore):
    make_old()
    out = io.StringIO()
    call_command("migrate", plan=True, stdout=out)
    assert f"{OLD}" in out.getvalue() and f"{OLD}_policy" in table_names()
    assert upgrades.pending_renames(connection) == [(OLD, NEW)]


@pytest.mark.django_db(transaction=True)
def test_migrate_refuses_a_database_with_both_labels_and_changes_nothing(restore):
    MigrationRecorder(connection).record_applied(OLD, "0001_initial")
    try:
        with pytest.raises(CommandError):
            call_command("migrate", verbosity=0)
        assert f"{NEW}_policy" in table_names() and (OLD, "0001_initial") in MigrationRecorder(
            connection).applied_migrations()
    finally:
        MigrationRecorder(connection).record_unapplied(OLD, "0001_initial")


def test_a_new_database_has_nothing_to_carry_over(db):
    assert upgrades.pending_renames(connection) == []


def test_former_labels_follow_a_chain_of_renames(monkeypatch):
    monkeypatch.setattr("kangyang.lib.renamed_apps.RENAMED_APPS", {"a": "b", "b": "c"})
    assert former_labels("c") == ["b", "a"]
    assert former_model_labels("c.roll") == ["b.roll", "a.roll"]
    assert former_labels("a") == [] and former_model_labels("nodot") == []
