"""Health alerts: raised per urgent reading for the right people only (the family only with the
elder's consent), the rules of who acknowledges and closes, escalation once per level with a
moving clock, the worker's pass, and the audit of every step."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.health.actions import alerts
from kangyang.health.models import HealthAlert
from kangyang.health.tests.alerts_world import store, told, world  # noqa: F401
from kangyang.notify.models import Delivery, Kind
from kangyang.registry.models import HealthRecord

NOW = timezone.now()


def _raise(reading, capture, now=NOW):
    with capture(execute=True):
        with transaction.atomic():
            return alerts.raise_alerts([reading], now=now)


def test_an_urgent_reading_raises_one_alert_for_the_team_and_the_community(world, django_capture_on_commit_callbacks):
    urgent = store(world.elder_a)
    calm = store(world.elder_a, classification="controlled", systolic=128, diastolic=80)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            made = alerts.raise_alerts([urgent, calm], now=NOW)
            assert not Delivery.objects.exists()  # nothing is sent before the reading is committed
    assert len(made) == 1
    alert = HealthAlert.objects.get()
    assert (alert.reading_id, alert.team_id, alert.region_code) == (urgent.pk, world.team_a.pk,
                                                                    world.elder_a.region_code)
    assert alert.status == "open" and alert.rule == "blood_pressure.urgent"
    # the team's members with accounts and community A's worker; nobody else
    assert told(alert.pk) == {world.doctor_a.pk, world.nurse_a.pk, world.worker_a.pk}
    assert told(alert.pk, "family") == set()
    assert not alert.family_told
    assert set(Delivery.objects.values_list("kind", flat=True)) == {Kind.HEALTH_ALERT}
    assert AuditEntry.objects.filter(verb="health_alert.raise", target_id=str(alert.pk)).count() == 1


def test_the_staff_messages_name_nobody(world, django_capture_on_commit_callbacks):
    from kangyang.notify import messages

    alert = _raise(store(world.elder_a), django_capture_on_commit_callbacks)[0]
    context = alerts._staff_context(alert, NOW)
    for template in ("health.alert", "health.alert_escalated"):
        text = messages.render(template, context, language="zh-hans")
        assert world.elder_a.name not in str(text)
        assert f"#{alert.pk}" in str(text)


def test_a_reading_raises_its_alert_once(world, django_capture_on_commit_callbacks):
    reading = store(world.elder_a)
    _raise(reading, django_capture_on_commit_callbacks)
    assert _raise(reading, django_capture_on_commit_callbacks) == []
    assert HealthAlert.objects.count() == 1


def test_the_family_is_told_only_when_the_elder_agreed(world, django_capture_on_commit_callbacks):
    first = _raise(store(world.elder_a), django_capture_on_commit_callbacks)[0]
    assert told(first.pk, "family") == set()
    HealthRecord.objects.filter(elder=world.elder_a).update(alerts_to_family=True)
    second = _raise(store(world.elder_a), django_capture_on_commit_callbacks)[0]
    assert told(second.pk, "family") == {world.family.pk}
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.family_told and not first.family_told
    # the family's message names the elder, whom they know; the staff's do not
    family = Delivery.objects.get(key=f"health_alert:{second.pk}:family:user:{world.family.pk}")
    assert family.template == "health.alert_family" and family.audience == "family"


def test_an_elder_without_a_contract_in_force_alerts_her_community_only(world, django_capture_on_commit_callbacks):
    world.elder_a.contracts.update(ended_on=timezone.localdate() - dt.timedelta(days=1))
    alert = _raise(store(world.elder_a), django_capture_on_commit_callbacks)[0]
    assert alert.team_id is None
    assert told(alert.pk) == {world.worker_a.pk}


# -- acknowledging and closing ---------------------------------------------------------------
@pytest.fixture
def alert(world, django_capture_on_commit_callbacks):
    return _raise(store(world.elder_a), django_capture_on_commit_callbacks)[0]


@pytest.mark.parametrize("who", ["doctor_a", "nurse_a", "worker_a", "officer_1", "admin"])
def test_the_team_and_the_areas_staff_acknowledge(world, alert, who):
    user = getattr(world, who)
    acknowledged = alerts.acknowledge(alert, user)
    assert (acknowledged.status, acknowledged.acknowledged_by) == ("acknowledged", user)
    assert AuditEntry.objects.filter(verb="health_alert.acknowledge", actor=user, target_id=str(alert.pk)).exists()


@pytest.mark.parametrize("who", ["doctor_b", "worker_b", "officer_2", "operator", "provider", "caregiver", "family"])
def test_nobody_else_acknowledges_or_closes(world, alert, who):
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        alerts.acknowledge(alert, user)
    with pytest.raises(PermissionDenied):
        alerts.close(alert, user, "visited")
    alert.refresh_from_db()
    assert alert.status == "open"


def test_acknowledged_once_then_closed_with_an_outcome(world, alert):
    alerts.acknowledge(alert, world.doctor_a)
    with pytest.raises(ValidationError):
        alerts.acknowledge(alert, world.worker_a)
    for empty in ("", "   "):
        with pytest.raises(ValidationError) as e:
            alerts.close(alert, world.doctor_a, empty)
        assert "outcome" in e.value.message_dict
    closed = alerts.close(alert, world.doctor_a, "  上门复测，血压 165/95，已调整用药  ")
    assert (closed.status, closed.outcome, closed.closed_by) == ("closed", "上门复测，血压 165/95，已调整用药", world.doctor_a)
    assert closed.acknowledged_by == world.doctor_a  # kept from the acknowledgement
    with pytest.raises(ValidationError):
        alerts.close(alert, world.worker_a, "again")
    assert AuditEntry.objects.filter(verb="health_alert.close", target_id=str(alert.pk)).count() == 1


def test_an_open_alert_closed_at_once_counts_as_acknowledged(world, alert):
    closed = alerts.close(alert, world.worker_a, "电话联系家属，已送医")
    assert closed.acknowledged_by == world.worker_a and closed.acknowledged_at == closed.closed_at


# -- escalation ------------------------------------------------------------------------------
@override_settings(KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES=30)
def test_escalation_goes_a_level_at_a_time_each_once(world, alert):
    raised = alert.raised_at

    def at(minutes):
        return alerts.escalate_health_alerts_once(raised + dt.timedelta(minutes=minutes))

    assert at(29) == 0
    assert at(30) == 1
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert told(alert.pk, "level1") == {world.officer_1.pk}  # subdistrict 1's officer, not subdistrict 2's
    assert at(45) == 0
    assert at(59) == 0
    assert at(60) == 1
    alert.refresh_from_db()
    assert alert.escalation_level == 2
    assert told(alert.pk, "level2") == {world.admin.pk}
    assert at(200) == 0
    assert Delivery.objects.filter(key__contains=f"health_alert:{alert.pk}:level").count() == 2
    assert AuditEntry.objects.filter(verb="health_alert.escalate", target_id=str(alert.pk)).count() == 2


@override_settings(KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES=30)
def test_a_late_pass_makes_both_levels_at_once(world, alert):
    assert alerts.escalate_health_alerts_once(alert.raised_at + dt.timedelta(minutes=90)) == 2
    assert told(alert.pk, "level1") == {world.officer_1.pk} and told(alert.pk, "level2") == {world.admin.pk}


@override_settings(KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES=30)
def test_an_acknowledged_alert_stops_escalating(world, alert):
    assert alerts.escalate_health_alerts_once(alert.raised_at + dt.timedelta(minutes=31)) == 1
    alerts.acknowledge(alert, world.worker_a)
    assert alerts.escalate_health_alerts_once(alert.raised_at + dt.timedelta(minutes=300)) == 0
    alert.refresh_from_db()
    assert alert.escalation_level == 1


@override_settings(KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES=30)
def test_the_workers_minute_pass_escalates(world, alert, monkeypatch):
    from kangyang.ops import housekeeping

    HealthAlert.objects.filter(pk=alert.pk).update(raised_at=timezone.now() - dt.timedelta(minutes=40))
    # the pass closes its thread's connection; here it is the test's own, in its transaction
    monkeypatch.setattr(housekeeping, "connection", type("C", (), {"close": staticmethod(lambda: None)}))
    monkeypatch.setattr(housekeeping, "close_old_connections", lambda: None)
    assert housekeeping.health_alerts_once() == 1
    assert housekeeping.health_alerts_once() == 0
    assert housekeeping.PeriodicHealthAlerts().every == 60


# -- the demo --------------------------------------------------------------------------------
def test_the_demo_raises_and_handles_alerts_without_sending(world):
    readings = [store(world.elder_a, at=NOW - dt.timedelta(days=d)) for d in (9, 6, 3, 1)]
    readings.append(store(world.elder_a, classification="controlled", systolic=130, diastolic=80))
    assert alerts.seed_demo_alerts(readings, now=NOW, handled_by=world.doctor_a) == 4
    assert alerts.seed_demo_alerts(readings, now=NOW, handled_by=world.doctor_a) == 0
    assert not Delivery.objects.exists()
    statuses = list(HealthAlert.objects.order_by("raised_at").values_list("status", flat=True))
    assert statuses == ["closed", "closed", "acknowledged", "open"]
