"""alarms.ingest.handle_message(s), called directly: what the MQTT ingester and the webhook
do with each message. The real-broker path is in test_mqtt.py."""

import datetime as dt
import json
import logging

import pytest
from django.db import OperationalError

from kangyang.alarms import ingest
from kangyang.alarms.models import Alarm, BadMessage, Device
from kangyang.lib import coords

TS = "2026-11-20T09:30:00+08:00"


def alarm_msg(device="P-A-001", **fields):
    body = {"msg_id": "m-1", "type": "sos", "ts": TS, **fields}
    return f"kangyang/devices/{device}/alarm", json.dumps(body).encode()


def beat_msg(device="P-A-001", **fields):
    return f"kangyang/devices/{device}/heartbeat", json.dumps({"ts": TS, **fields}).encode()


def test_a_valid_alarm_is_stored_with_the_device_time(pendant_a, elder_in_a):
    outcome = ingest.handle_message(*alarm_msg(battery=64))
    alarm = Alarm.objects.get()
    assert outcome == ingest.Outcome("alarm", alarm_id=alarm.pk)
    assert alarm.elder == elder_in_a and alarm.source == "device" and alarm.type == "sos"
    assert alarm.raised_at == dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.timezone.utc)
    assert alarm.battery == 64
    pendant_a.refresh_from_db()
    assert pendant_a.battery == 64 and pendant_a.last_seen_at is not None


def test_the_same_msg_id_twice_is_one_alarm(pendant_a):
    first = ingest.handle_message(*alarm_msg())
    second = ingest.handle_message(*alarm_msg(type="fall"))
    assert first.kind == "alarm" and second.kind == "duplicate" and second.alarm_id == first.alarm_id
    assert Alarm.objects.count() == 1 and Alarm.objects.get().type == "sos"


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_coordinates_are_stored_as_wgs84(pendant_a, system):
    wgs = (115.8921, 28.6765)
    lng, lat = coords.wgs84_to_gcj02(*wgs) if system == "gcj02" else coords.wgs84_to_bd09(*wgs)
    ingest.handle_message(*alarm_msg(lat=lat, lng=lng, coord=system))
    alarm = Alarm.objects.get()
    assert abs(alarm.lng - wgs[0]) < 1e-6 and abs(alarm.lat - wgs[1]) < 1e-6


def test_coordinates_without_a_system_are_wgs84(pendant_a):
    ingest.handle_message(*alarm_msg(lat=28.6765, lng=115.8921))
    assert (Alarm.objects.get().lat, Alarm.objects.get().lng) == (28.6765, 115.8921)


@pytest.mark.parametrize("topic, payload, reason", [
    ("kangyang/devices/P-A-001/alarm", b"{not json", "malformed"),
    ("kangyang/devices/P-A-001/alarm", b"\xff\xfe\x00", "malformed"),
    ("kangyang/devices/P-A-001/alarm", b"[1, 2]", "malformed"),
    ("kangyang/devices/P-A-001/alarm", b'{"type": "sos", "ts": "2026-11-20T09:30:00Z"}', "invalid"),
    ("kangyang/devices/P-A-001/alarm", b'{"msg_id": "a\\u0000b", "type": "sos", "ts": "2026-11-20T09:30:00Z"}', "invalid"),
    ("kangyang/devices/P-A-001/alarm", b'{"msg_id": "x", "type": "earthquake", "ts": "2026-11-20T09:30:00Z"}', "unknown_type"),
    ("kangyang/devices/P-A-001/alarm", b'{"msg_id": "x", "type": "sos", "ts": "yesterday"}', "bad_ts"),
    ("kangyang/devices/P-A-001/alarm", b'{"msg_id": "x", "type": "sos", "ts": "2026-11-20T09:30:00"}', "bad_ts"),
    ("kangyang/devices/P-A-001/alarm", b'{"msg_id": "x", "type": "sos", "ts": 1763601000}', "bad_ts"),
    ("kangyang/devices/P-A-001/alarm", b'{"msg_id": "x", "type": "sos"}', "bad_ts"),
    ("kangyang/devices/P-A-001/heartbeat", b'{"ts": "2026-13-40T09:30:00Z"}', "bad_ts"),
    ("kangyang/devices/NOPE/alarm", b'{"msg_id": "x", "type": "sos", "ts": "2026-11-20T09:30:00Z"}', "unknown_device"),
    ("kangyang/devices/P-A-001/status", b"{}", "bad_topic"),
    ("other/topic", b"{}", "bad_topic"),
])
def test_a_bad_message_is_counted_and_kept_for_review_never_raised(pendant_a, topic, payload, reason, caplog):
    before = ingest.counts[f"bad:{reason}"]
    with caplog.at_level(logging.INFO, logger="kangyang.alarms.ingest"):
        outcome = ingest.handle_message(topic, payload)
    assert outcome == ingest.Outcome("bad", reason=reason)
    bad = BadMessage.objects.get()
    assert bad.reason == reason and bad.topic == topic and bad.payload_size == len(payload)
    assert ingest.counts[f"bad:{reason}"] == before + 1
    assert not Alarm.objects.exists()
    assert "2026-11-20T09:30" not in caplog.text  # no payload in the log


def test_a_huge_payload_is_refused_and_stored_truncated(pendant_a):
    ingest.handle_message("kangyang/devices/P-A-001/alarm", b"x" * 100_000)
    bad = BadMessage.objects.get()
    assert bad.payload_size == 100_000 and len(bad.payload) == 2000


def test_invalid_optional_fields_are_dropped_and_the_sos_still_raised(pendant_a):
    outcome = ingest.handle_message(*alarm_msg(battery=250, lat=200.0, lng="east", coord="utm"))
    alarm = Alarm.objects.get()
    assert outcome.kind == "alarm"
    assert (alarm.battery, alarm.lat, alarm.lng) == (None, None, None)


def test_a_heartbeat_updates_the_device(pendant_a):
    outcome = ingest.handle_message(*beat_msg(battery=77))
    pendant_a.refresh_from_db()
    assert outcome.kind == "heartbeat"
    assert pendant_a.battery == 77 and pendant_a.last_seen_at == dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.timezone.utc)


def test_a_heartbeat_from_the_future_counts_as_now(pendant_a):
    ingest.handle_message("kangyang/devices/P-A-001/heartbeat", b'{"ts": "2099-01-01T00:00:00Z"}')
    pendant_a.refresh_from_db()
    assert pendant_a.last_seen_at.year < 2099


def test_a_batch_mixes_alarms_heartbeats_and_bad_messages_in_order(pendant_a, pendant_b):
    outcomes = ingest.handle_messages([
        alarm_msg(), beat_msg("P-B-001", battery=30), ("kangyang/devices/P-A-001/alarm", b"{"),
        alarm_msg(), alarm_msg("P-B-001"),
    ])
    assert [o.kind for o in outcomes] == ["alarm", "heartbeat", "bad", "duplicate", "alarm"]
    assert Alarm.objects.count() == 2 and BadMessage.objects.count() == 1
    assert Device.objects.get(pk=pendant_b.pk).battery == 30


def test_a_webhook_vendor_may_only_speak_for_its_own_devices(pendant_a):
    assert ingest.handle_message(*alarm_msg(), vendor="颐安科技").reason == "unknown_device"
    assert ingest.handle_message(*alarm_msg(), vendor="康联智能").kind == "alarm"


def test_a_lost_database_is_not_bad_input_and_propagates(pendant_a, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ingest, "raise_device_alarms", down)
    with pytest.raises(OperationalError):
        ingest.handle_message(*alarm_msg())
    assert not BadMessage.objects.exists()


def test_an_unexpected_error_costs_only_its_own_message(pendant_a, pendant_b, monkeypatch):
    real = ingest.raise_device_alarms

    def flaky(items, **kwargs):
        if any(i.device.device_id == "P-B-001" for i in items):
            raise ZeroDivisionError
        return real(items, **kwargs)

    monkeypatch.setattr(ingest, "raise_device_alarms", flaky)
    outcomes = ingest.handle_messages([alarm_msg(), alarm_msg("P-B-001")])
    assert [o.kind for o in outcomes] == ["bad", "alarm"] or [o.kind for o in outcomes] == ["alarm", "bad"]
    assert Alarm.objects.get().device == pendant_a
    assert BadMessage.objects.get().reason == "error"
