import pytest
from django.db import DatabaseError, connection, transaction

from kangyang.audit.actions import record
from kangyang.audit.models import AppendOnlyError, AuditEntry


def test_entries_cannot_be_changed_or_deleted_through_the_orm(admin):
    entry = record(admin, "login")
    entry.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_to_change_an_entry(admin):
    entry = record(admin, "login")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE audit_auditentry SET note = 'forged' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite refuses deletes in the ORM only (see migration)")
def test_postgresql_refuses_to_delete_an_entry(admin):
    entry = record(admin, "login")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_client_address_is_recorded(client, worker_a):
    client.post("/accounts/login/", {"username": "worker_a", "password": "kangyang-demo"}, REMOTE_ADDR="10.1.2.3")
    assert AuditEntry.objects.get(action="login").ip == "10.1.2.3"


def test_admin_searches_the_log_by_user_and_action(client, admin, worker_a, elder_in_a):
    from kangyang.registry.actions import reveal_elder

    reveal_elder(elder_in_a, by=worker_a, reason="核实补贴资格")
    client.force_login(admin)
    r = client.get("/audit/", {"user": "worker_a", "action": "view_full"})
    assert r.status_code == 200
    assert "核实补贴资格" in r.text
    assert "360103194503120026" not in r.text
    r = client.get("/audit/", {"user": "worker_b"})
    assert "核实补贴资格" not in r.text


@pytest.mark.parametrize("persona", ["worker_a", "subdistrict", "operator", "provider", "elder"])
def test_only_the_bureau_admin_reads_the_audit_log(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/audit/").status_code == 403


def test_changes_of_protected_fields_are_recorded_without_values(worker_a, elder_in_a):
    from kangyang.registry.actions import update_elder

    update_elder(elder_in_a, by=worker_a, phone="13900001111", address="桃花小区1栋")
    entry = AuditEntry.objects.filter(verb="elder.update").latest("id")
    assert entry.changes["phone"] == "changed"
    assert entry.changes["address"][1] == "桃花小区1栋"
    assert "13900001111" not in str(entry.changes)
