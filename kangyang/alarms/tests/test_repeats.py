"""Repeated alarms of one elder (issue 12): merged into her open alarm within the window."""

import datetime as dt

import pytest

from kangyang.alarms import actions
from kangyang.alarms.models import Alarm, AlarmEvent, AlarmRepeat
from kangyang.audit.models import AuditEntry

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _ten_minutes(settings):
    settings.ALARM_REPEAT_WINDOW = dt.timedelta(minutes=10)


def sos(device, msg_id, at, **extra):
    return actions.raise_alarm(source="device", type="sos", device=device, msg_id=msg_id, raised_at=at, now=at,
                               **extra)


def test_a_second_sos_within_the_window_is_counted_on_the_open_alarm(pendant_a, now):
    first, created = sos(pendant_a, "m-1", now)
    again, created_again = sos(pendant_a, "m-2", now + 4 * MINUTE, battery=61, lat=28.66, lng=115.89)
    assert created and not created_again and again.pk == first.pk
    assert Alarm.objects.count() == 1
    assert again.repeat_count == 1 and again.last_repeat_at == now + 4 * MINUTE
    assert again.updated_at == now + 4 * MINUTE  # the console sees it changed
    repeat = again.repeats.get()
    assert (repeat.msg_id, repeat.battery, repeat.lat, repeat.device_id) == ("m-2", 61, 28.66, pendant_a.pk)
    assert list(again.events.values_list("kind", flat=True)) == [AlarmEvent.Kind.RAISED, AlarmEvent.Kind.REPEATED]


def test_the_window_runs_from_the_latest_repeat(pendant_a, now):
    first, _ = sos(pendant_a, "m-1", now)
    sos(pendant_a, "m-2", now + 9 * MINUTE)
    third, _ = sos(pendant_a, "m-3", now + 18 * MINUTE)  # 18 min after the first, 9 after the last
    assert third.pk == first.pk and third.repeat_count == 2


def test_an_sos_after_the_window_is_a_new_alarm(pendant_a, now):
    first, _ = sos(pendant_a, "m-1", now)
    later, created = sos(pendant_a, "m-2", now + 11 * MINUTE)
    assert created and later.pk != first.pk
    first.refresh_from_db()
    assert first.repeat_count == 0 and not AlarmRepeat.objects.exists()


def test_a_resolved_alarm_takes_no_repeats(pendant_a, operator, now):
    first, _ = sos(pendant_a, "m-1", now)
    actions.acknowledge_alarm(first, by=operator, now=now + MINUTE)
    actions.resolve_alarm(first, by=operator, outcome="false_alarm", now=now + 2 * MINUTE)
    again, created = sos(pendant_a, "m-2", now + 3 * MINUTE)
    assert created and again.pk != first.pk and again.status == Alarm.Status.RAISED


def test_an_acknowledged_alarm_takes_repeats_and_stays_in_hand(pendant_a, operator, now):
    first, _ = sos(pendant_a, "m-1", now)
    actions.acknowledge_alarm(first, by=operator, now=now + MINUTE)
    again, created = sos(pendant_a, "m-2", now + 2 * MINUTE)
    assert not created and again.pk == first.pk
    assert again.status == Alarm.Status.ACKNOWLEDGED and again.acknowledged_by == operator


def test_another_type_or_another_elder_is_its_own_alarm(pendant_a, pendant_b, now):
    first, _ = sos(pendant_a, "m-1", now)
    fall, created_fall = actions.raise_alarm(source="device", type="fall", device=pendant_a, msg_id="m-2",
                                             raised_at=now, now=now + MINUTE)
    other, created_other = sos(pendant_b, "m-1", now + MINUTE)
    assert created_fall and created_other and len({first.pk, fall.pk, other.pk}) == 3


def test_the_apps_sos_is_merged_into_the_pendants(pendant_a, elder_in_a, elder, now):
    first, _ = sos(pendant_a, "m-1", now)
    again, created = actions.raise_alarm(source="app", type="sos", elder=elder_in_a, msg_id="app-1", by=elder,
                                         now=now + 2 * MINUTE)
    assert not created and again.pk == first.pk and again.repeat_count == 1
    assert again.repeats.get().source == Alarm.Source.APP
    assert AuditEntry.objects.filter(verb="alarm.repeat", actor=elder).count() == 1
    # The app sending its key again is the same repeat, not another.
    same, _ = actions.raise_alarm(source="app", type="sos", elder=elder_in_a, msg_id="app-1", by=elder,
                                  now=now + 3 * MINUTE)
    assert same.pk == first.pk and Alarm.objects.get(pk=first.pk).repeat_count == 1


def test_a_hotline_alarm_is_never_merged(pendant_a, elder_in_a, operator, now):
    first, _ = sos(pendant_a, "m-1", now)
    call, created = actions.raise_alarm(source="hotline", type="sos", elder=elder_in_a, by=operator,
                                        now=now + MINUTE)
    assert created and call.pk != first.pk


def test_a_repeat_delivered_twice_is_one_repeat(pendant_a, now):
    first, _ = sos(pendant_a, "m-1", now)
    sos(pendant_a, "m-2", now + MINUTE)
    again, created = sos(pendant_a, "m-2", now + 2 * MINUTE)  # MQTT redelivery of the repeat
    assert not created and again.pk == first.pk
    assert Alarm.objects.get(pk=first.pk).repeat_count == 1 and AlarmRepeat.objects.count() == 1


def test_merging_is_off_with_a_window_of_zero(pendant_a, now, settings):
    settings.ALARM_REPEAT_WINDOW = dt.timedelta(0)
    sos(pendant_a, "m-1", now)
    sos(pendant_a, "m-2", now + MINUTE)
    assert Alarm.objects.count() == 2


def test_the_batch_path_merges_within_the_window_and_not_outside(pendant_a, now):
    first, _ = sos(pendant_a, "m-1", now)
    inside = actions.raise_device_alarms(
        [actions.DeviceAlarm(device=pendant_a, msg_id="m-2", type="sos", raised_at=now)], now=now + 5 * MINUTE)
    assert inside == [actions.Raised(first.pk, False, True)]
    outside = actions.raise_device_alarms(
        [actions.DeviceAlarm(device=pendant_a, msg_id="m-3", type="sos", raised_at=now)], now=now + 16 * MINUTE)
    assert outside[0].created and outside[0].alarm_id != first.pk
    assert Alarm.objects.get(pk=first.pk).repeat_count == 1


def test_the_batch_path_does_not_merge_into_a_resolved_alarm(pendant_a, operator, now):
    first, _ = sos(pendant_a, "m-1", now)
    actions.acknowledge_alarm(first, by=operator, now=now)
    actions.resolve_alarm(first, by=operator, outcome="test", now=now)
    [raised] = actions.raise_device_alarms(
        [actions.DeviceAlarm(device=pendant_a, msg_id="m-2", type="sos", raised_at=now)], now=now + MINUTE)
    assert raised.created and raised.alarm_id != first.pk


def test_the_ingester_counts_a_repeat_as_such(pendant_a, now):
    import json

    from kangyang.alarms import ingest

    sos(pendant_a, "m-1", now)
    payload = {"msg_id": "m-2", "type": "sos", "ts": now.isoformat()}
    [outcome] = ingest.handle_messages([(f"kangyang/devices/{pendant_a.device_id}/alarm", json.dumps(payload).encode())],
                                       now=now + MINUTE)
    assert outcome.kind == "repeat" and outcome.alarm_id == Alarm.objects.get().pk
