"""The rules of alarms/actions/, called directly."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from kangyang.alarms import actions
from kangyang.alarms.models import Alarm, AlarmEvent, AlarmRepeat, Device, WorkerTask
from kangyang.audit.models import AuditEntry

S = Alarm.Status
K = AlarmEvent.Kind


def kinds(alarm):
    return list(alarm.events.values_list("kind", flat=True))


# -- raising ---------------------------------------------------------------------------------
def test_a_device_alarm_takes_the_elder_and_region_of_its_device(alarm_a, pendant_a, elder_in_a):
    assert alarm_a.elder == elder_in_a and alarm_a.region_code == elder_in_a.region_code
    assert alarm_a.household == elder_in_a.household
    assert alarm_a.status == S.RAISED and alarm_a.priority == Alarm.Priority.URGENT
    assert kinds(alarm_a) == [K.RAISED]


def test_the_same_msg_id_twice_is_one_alarm(pendant_a, now):
    first, created = actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="x", now=now)
    again, created_again = actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="x", now=now)
    assert created and not created_again and again.pk == first.pk
    assert Alarm.objects.count() == 1 and AlarmEvent.objects.count() == 1


def test_the_same_msg_id_from_two_devices_is_two_alarms(pendant_a, pendant_b, now):
    actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="x", now=now)
    actions.raise_alarm(source="device", type="sos", device=pendant_b, msg_id="x", now=now)
    assert Alarm.objects.count() == 2


def test_a_batch_with_duplicates_inside_and_before_stores_each_alarm_once(pendant_a, pendant_b, now, settings):
    settings.ALARM_REPEAT_WINDOW = dt.timedelta(0)  # merging off: each new message is an alarm
    actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="old", now=now)
    items = [actions.DeviceAlarm(device=d, msg_id=m, type="sos", raised_at=now)
             for d, m in [(pendant_a, "old"), (pendant_a, "n1"), (pendant_b, "n1"), (pendant_a, "n1")]]
    results = actions.raise_device_alarms(items, now=now)
    assert [r.created for r in results] == [False, True, True, False]
    assert results[1].alarm_id == results[3].alarm_id
    assert results[0].alarm_id == Alarm.objects.get(msg_id="old").pk
    assert Alarm.objects.count() == 3 and AlarmEvent.objects.filter(kind=K.RAISED).count() == 3


def test_a_batch_merges_an_elders_repeats_and_still_drops_duplicates(pendant_a, pendant_b, now):
    old, _created = actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="old", now=now)
    items = [actions.DeviceAlarm(device=d, msg_id=m, type="sos", raised_at=now)
             for d, m in [(pendant_a, "old"), (pendant_a, "n1"), (pendant_b, "n1"), (pendant_a, "n1"),
                          (pendant_b, "n2")]]
    results = actions.raise_device_alarms(items, now=now)
    assert [(r.created, r.repeat) for r in results] == [
        (False, False), (False, True), (True, False), (False, False), (False, True)]
    assert results[0].alarm_id == results[1].alarm_id == results[3].alarm_id == old.pk
    assert results[4].alarm_id == results[2].alarm_id != old.pk  # b's second merges into b's first
    assert Alarm.objects.count() == 2
    old.refresh_from_db()
    assert old.repeat_count == 1 and list(old.repeats.values_list("msg_id", flat=True)) == ["n1"]
    assert Alarm.objects.get(pk=results[2].alarm_id).repeat_count == 1
    # Redelivered, the batch changes nothing.
    again = actions.raise_device_alarms(items, now=now)
    assert [r.alarm_id for r in again] == [r.alarm_id for r in results]
    assert not any(r.created or r.repeat for r in again)
    assert AlarmRepeat.objects.count() == 2


def test_an_app_alarm_with_a_key_is_idempotent_and_without_one_is_not(elder_in_a, elder, now, settings):
    settings.ALARM_REPEAT_WINDOW = dt.timedelta(0)  # merging off: each new message is an alarm
    a1, c1 = actions.raise_alarm(source="app", type="sos", elder=elder_in_a, msg_id="k", by=elder, now=now)
    a2, c2 = actions.raise_alarm(source="app", type="sos", elder=elder_in_a, msg_id="k", by=elder, now=now)
    assert c1 and not c2 and a1.pk == a2.pk
    actions.raise_alarm(source="app", type="sos", elder=elder_in_a, by=elder, now=now)
    actions.raise_alarm(source="app", type="sos", elder=elder_in_a, by=elder, now=now)
    assert Alarm.objects.count() == 3
    assert AuditEntry.objects.filter(verb="alarm.raise").count() == 3


def test_an_alarm_needs_a_device_an_elder_or_a_household():
    with pytest.raises(ValidationError):
        actions.raise_alarm(source="hotline", type="sos")


# -- acknowledging ---------------------------------------------------------------------------
def test_an_operator_acknowledges_a_raised_alarm(alarm_a, operator, now):
    later = now + dt.timedelta(seconds=12)
    alarm = actions.acknowledge_alarm(alarm_a, by=operator, now=later)
    assert alarm.status == S.ACKNOWLEDGED and alarm.acknowledged_by == operator
    assert alarm.seconds_to_acknowledge == 12 and alarm.updated_at == later
    assert kinds(alarm) == [K.RAISED, K.ACKNOWLEDGED]
    assert AuditEntry.objects.filter(verb="alarm.acknowledge", actor=operator).exists()


def test_acknowledging_twice_by_the_same_operator_changes_nothing(alarm_a, operator):
    actions.acknowledge_alarm(alarm_a, by=operator)
    actions.acknowledge_alarm(alarm_a, by=operator)
    assert alarm_a.events.filter(kind=K.ACKNOWLEDGED).count() == 1


def test_the_second_operator_is_told_who_took_the_alarm(alarm_a, operator, second_operator):
    stale = Alarm.objects.get(pk=alarm_a.pk)  # both operators loaded it while it was raised
    actions.acknowledge_alarm(alarm_a, by=operator)
    with pytest.raises(ValidationError) as e:
        actions.acknowledge_alarm(stale, by=second_operator)
    assert e.value.code == "taken" and operator.full_name in e.value.messages[0]
    assert Alarm.objects.get(pk=alarm_a.pk).acknowledged_by == operator


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_operators_acknowledging_at_the_same_moment_only_one_takes_it(alarm_a, operator, second_operator):
    barrier, results = threading.Barrier(2), {}

    def take(user):
        try:
            alarm = Alarm.objects.get(pk=alarm_a.pk)
            barrier.wait()
            actions.acknowledge_alarm(alarm, by=user)
            results[user.username] = "took"
        except ValidationError as e:
            results[user.username] = e.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(u,)) for u in (operator, second_operator)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results.values()) == ["taken", "took"]
    assert AlarmEvent.objects.filter(alarm=alarm_a, kind=K.ACKNOWLEDGED).count() == 1


def test_a_community_worker_cannot_acknowledge(alarm_a, worker_a):
    with pytest.raises(PermissionDenied):
        actions.acknowledge_alarm(alarm_a, by=worker_a)


# -- actions and resolving -------------------------------------------------------------------
def test_actions_need_the_alarm_in_hand(alarm_a, operator):
    with pytest.raises(ValidationError) as e:
        actions.record_alarm_action(alarm_a, by=operator, kind=K.CALLED_ELDER)
    assert e.value.code == "not_acknowledged"


def test_calls_to_contacts_are_recorded_in_order_with_whether_they_answered(alarm_a, operator, family, elder_in_a):
    actions.acknowledge_alarm(alarm_a, by=operator)
    daughter = elder_in_a.contacts.get()
    actions.record_alarm_action(alarm_a, by=operator, kind=K.CALLED_ELDER, reached=False)
    actions.record_alarm_action(alarm_a, by=operator, kind=K.CALLED_CONTACT, contact=daughter, reached=True)
    actions.record_alarm_action(alarm_a, by=operator, kind=K.CALLED_120, note="送往省人民医院")
    calls = list(alarm_a.events.filter(kind__in=AlarmEvent.ACTIONS).values_list("kind", "contact", "reached"))
    assert calls == [(K.CALLED_ELDER, None, False), (K.CALLED_CONTACT, daughter.pk, True), (K.CALLED_120, None, None)]


def test_a_call_to_a_contact_must_name_one_of_the_elder_s_contacts(alarm_b, operator, family, elder_in_a):
    actions.acknowledge_alarm(alarm_b, by=operator)
    with pytest.raises(ValidationError):
        actions.record_alarm_action(alarm_b, by=operator, kind=K.CALLED_CONTACT, contact=elder_in_a.contacts.get())


def test_the_community_worker_may_add_a_note_but_not_an_action(alarm_a, worker_a, worker_b):
    actions.record_alarm_action(alarm_a, by=worker_a, kind=K.NOTE, note="已上门，老人无恙")
    with pytest.raises(PermissionDenied):
        actions.record_alarm_action(alarm_a, by=worker_a, kind=K.SENT_WORKER)
    with pytest.raises(PermissionDenied):
        actions.record_alarm_action(alarm_a, by=worker_b, kind=K.NOTE, note="x")


def test_an_unacknowledged_alarm_cannot_be_resolved(alarm_a, operator):
    with pytest.raises(ValidationError) as e:
        actions.resolve_alarm(alarm_a, by=operator, outcome=Alarm.Outcome.FALSE_ALARM)
    assert e.value.code == "not_acknowledged"


def test_resolving_records_the_outcome_once(alarm_a, operator, second_operator, now):
    actions.acknowledge_alarm(alarm_a, by=operator, now=now + dt.timedelta(seconds=5))
    alarm = actions.resolve_alarm(alarm_a, by=operator, outcome="real_emergency", now=now + dt.timedelta(minutes=30))
    assert alarm.status == S.RESOLVED and alarm.outcome == "real_emergency" and alarm.seconds_to_resolve == 1800
    with pytest.raises(ValidationError) as e:
        actions.resolve_alarm(alarm, by=second_operator, outcome="false_alarm")
    assert e.value.code == "already_resolved"
    assert Alarm.objects.get(pk=alarm.pk).outcome == "real_emergency"


def test_no_answer_sends_the_community_worker_to_the_door_once(alarm_a, operator, worker_a):
    actions.acknowledge_alarm(alarm_a, by=operator)
    actions.resolve_alarm(alarm_a, by=operator, outcome=Alarm.Outcome.NO_ANSWER, note="三位联系人均未接听")
    task = WorkerTask.objects.get(alarm=alarm_a)
    assert task.kind == WorkerTask.Kind.DOOR_VISIT and task.region_code == alarm_a.region_code
    assert actions.request_door_visit(alarm_a) == task
    assert kinds(alarm_a)[-2:] == [K.RESOLVED, K.DOOR_VISIT]
    actions.complete_task(task, by=worker_a, note="老人在家，电话静音")
    with pytest.raises(ValidationError):
        actions.complete_task(task, by=worker_a)


def test_a_test_alarm_counts_as_the_pendant_s_monthly_test(alarm_a, pendant_a, operator):
    actions.acknowledge_alarm(alarm_a, by=operator)
    actions.resolve_alarm(alarm_a, by=operator, outcome=Alarm.Outcome.TEST)
    assert Device.objects.get(pk=pendant_a.pk).last_test_alarm_at == alarm_a.raised_at


# -- escalation ------------------------------------------------------------------------------
def test_escalation_fires_at_the_configured_time(alarm_a, now, settings):
    settings.ALARM_ESCALATE_AFTER = dt.timedelta(seconds=60)
    assert actions.escalate_overdue(now=now + dt.timedelta(seconds=59)) == []
    assert [a.pk for a in actions.escalate_overdue(now=now + dt.timedelta(seconds=60))] == [alarm_a.pk]
    alarm_a.refresh_from_db()
    assert alarm_a.escalation_tier == 1 and alarm_a.status == S.RAISED
    # idempotent per tier: again at the same moment, nothing
    assert actions.escalate_overdue(now=now + dt.timedelta(seconds=61)) == []
    assert actions.escalate_overdue(now=now + dt.timedelta(seconds=119)) == []
    actions.escalate_overdue(now=now + dt.timedelta(seconds=120))
    alarm_a.refresh_from_db()
    assert alarm_a.escalation_tier == 2  # the duty officer
    assert actions.escalate_overdue(now=now + dt.timedelta(hours=1)) == []
    tiers = list(alarm_a.events.filter(kind=K.ESCALATED).values_list("tier", flat=True))
    assert tiers == [1, 2]


def test_escalation_follows_the_setting(alarm_a, now, settings):
    settings.ALARM_ESCALATE_AFTER = dt.timedelta(seconds=30)
    assert len(actions.escalate_overdue(now=now + dt.timedelta(seconds=30))) == 1


def test_an_acknowledged_alarm_is_not_escalated(alarm_a, operator, now):
    actions.acknowledge_alarm(alarm_a, by=operator, now=now + dt.timedelta(seconds=20))
    assert actions.escalate_overdue(now=now + dt.timedelta(minutes=10)) == []


def test_an_escalated_alarm_can_still_be_acknowledged(alarm_a, operator, now):
    actions.escalate_overdue(now=now + dt.timedelta(seconds=90))
    alarm = actions.acknowledge_alarm(alarm_a, by=operator, now=now + dt.timedelta(seconds=95))
    assert alarm.escalation_tier == 1 and alarm.status == S.ACKNOWLEDGED


# -- devices ---------------------------------------------------------------------------------
def test_registering_a_device_checks_scope_and_uniqueness(elder_in_a, elder_in_b, worker_a, operator):
    with pytest.raises(PermissionDenied):
        actions.register_device(by=worker_a, device_id="X1", kind="sos_pendant", elder=elder_in_b)
    with pytest.raises(PermissionDenied):
        actions.register_device(by=operator, device_id="X1", kind="sos_pendant", elder=elder_in_a)
    device = actions.register_device(by=worker_a, device_id="X1", kind="smoke", model="KY-S1", elder=elder_in_a)
    assert device.heartbeat_interval == dt.timedelta(minutes=30)  # per model
    with pytest.raises(ValidationError):
        actions.register_device(by=worker_a, device_id="X1", kind="smoke", elder=elder_in_a)
    with pytest.raises(ValidationError):
        actions.register_device(by=worker_a, device_id="bad/id", kind="smoke", elder=elder_in_a)


def test_a_device_that_misses_its_heartbeat_is_offline_after_the_grace_period(pendant_a, now, settings):
    settings.ALARM_OFFLINE_GRACE = dt.timedelta(minutes=5)
    actions.record_heartbeat(pendant_a, ts=now, battery=80)
    assert actions.mark_offline_devices(now=now + dt.timedelta(minutes=9, seconds=59)) == []
    assert [d.pk for d in actions.mark_offline_devices(now=now + dt.timedelta(minutes=10, seconds=1))] == [pendant_a.pk]
    assert actions.mark_offline_devices(now=now + dt.timedelta(minutes=20)) == []
    pendant_a.refresh_from_db()
    assert pendant_a.status == Device.Status.OFFLINE
    task = WorkerTask.objects.get(device=pendant_a)
    assert task.kind == WorkerTask.Kind.DEVICE_OFFLINE and task.status == WorkerTask.Status.OPEN
    # heard from again: online, and the task closes by itself
    actions.record_heartbeat(pendant_a, ts=now + dt.timedelta(minutes=30))
    actions.mark_offline_devices(now=now + dt.timedelta(minutes=31))
    pendant_a.refresh_from_db()
    task.refresh_from_db()
    assert pendant_a.status == Device.Status.ONLINE and task.status == WorkerTask.Status.DONE


def test_a_late_heartbeat_does_not_move_last_seen_back(pendant_a, now):
    actions.record_heartbeat(pendant_a, ts=now, battery=50)
    actions.record_heartbeat(pendant_a, ts=now - dt.timedelta(minutes=3), battery=90)
    pendant_a.refresh_from_db()
    assert pendant_a.last_seen_at == now and pendant_a.battery == 50


def test_a_low_battery_gives_one_task_that_closes_when_charged(pendant_a, now):
    actions.record_heartbeat(pendant_a, ts=now, battery=15)
    assert actions.flag_low_batteries(now=now) == 1
    assert actions.flag_low_batteries(now=now) == 0
    actions.record_heartbeat(pendant_a, ts=now + dt.timedelta(minutes=5), battery=100)
    actions.flag_low_batteries(now=now)
    assert WorkerTask.objects.get(device=pendant_a, kind=WorkerTask.Kind.LOW_BATTERY).status == WorkerTask.Status.DONE


def test_a_pendant_without_a_test_alarm_for_a_month_gets_a_task(pendant_a, operator, now):
    Device.objects.filter(pk=pendant_a.pk).update(registered_at=now - dt.timedelta(days=60))
    assert actions.flag_missing_test_alarms(now=now) == 1
    alarm, _ = actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="t", now=now)
    actions.acknowledge_alarm(alarm, by=operator, now=now)
    actions.resolve_alarm(alarm, by=operator, outcome="test", now=now)
    actions.flag_missing_test_alarms(now=now + dt.timedelta(minutes=1))
    assert not WorkerTask.objects.filter(kind=WorkerTask.Kind.TEST_OVERDUE, status="open").exists()


def test_no_water_for_12_hours_raises_one_low_priority_check_on_alarm(elder_in_a, worker_a, now):
    meter = actions.register_device(by=worker_a, device_id="M1", kind="water_meter", model="KY-M1", elder=elder_in_a)
    actions.record_heartbeat(meter, ts=now - dt.timedelta(hours=13), reading=10.0)
    actions.record_heartbeat(meter, ts=now - dt.timedelta(minutes=5), reading=10.0)  # no use since
    raised = actions.apply_no_water_rule(now=now)
    assert len(raised) == 1
    alarm = raised[0]
    assert (alarm.source, alarm.type, alarm.priority) == ("rule", "check_on", Alarm.Priority.LOW)
    assert alarm.elder == elder_in_a
    assert actions.apply_no_water_rule(now=now + dt.timedelta(minutes=1)) == []
    # water used: the rule is quiet
    actions.record_heartbeat(meter, ts=now + dt.timedelta(minutes=2), reading=10.2)
    assert actions.apply_no_water_rule(now=now + dt.timedelta(hours=1)) == []


def test_the_no_water_rule_ignores_elders_who_do_not_live_alone(elder_in_b, worker_b, now):
    meter = actions.register_device(by=worker_b, device_id="M2", kind="water_meter", elder=elder_in_b)
    actions.record_heartbeat(meter, ts=now - dt.timedelta(hours=20), reading=3.0)
    assert actions.apply_no_water_rule(now=now) == []
