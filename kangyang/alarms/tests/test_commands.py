"""The alarm centre's commands, through call_command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kangyang.alarms import actions
from kangyang.alarms.models import Alarm, Device, WorkerTask


def test_escalate_once_escalates_what_is_overdue_and_checks_devices(pendant_a, pendant_b, settings):
    settings.ALARM_ESCALATE_AFTER = dt.timedelta(seconds=60)
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    overdue, _ = actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="o", now=long_ago)
    fresh, _ = actions.raise_alarm(source="device", type="sos", device=pendant_b, msg_id="f")
    actions.record_heartbeat(pendant_b, ts=timezone.now())
    Device.objects.filter(pk=pendant_a.pk).update(last_seen_at=long_ago - dt.timedelta(hours=1))
    call_command("escalate", "--once", stdout=StringIO())
    assert Alarm.objects.get(pk=overdue.pk).escalation_tier == 2
    assert Alarm.objects.get(pk=fresh.pk).escalation_tier == 0
    assert Device.objects.get(pk=pendant_a.pk).status == "offline"
    assert WorkerTask.objects.filter(device=pendant_a, kind="device_offline").exists()
    assert Device.objects.get(pk=pendant_b.pk).status == "online"


def test_the_embedded_broker_refuses_to_listen_beyond_loopback(settings):
    settings.MQTT_URL = "mqtt://0.0.0.0:1883"
    with pytest.raises(CommandError):
        call_command("broker")


def test_the_demo_starts_an_embedded_broker_only_when_none_answers(settings):
    from kangyang.alarms import broker, demo

    settings.MQTT_URL = f"mqtt://127.0.0.1:{broker.free_port()}"
    processes = demo.demo_processes()
    assert [argv[0] for argv in processes] == ["broker", "ingest", "escalate", "simulate_devices"]
    assert processes[1][-2:] == ["--protocol", "3.1.1"]
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        settings.MQTT_URL = f"mqtt://127.0.0.1:{s.getsockname()[1]}"
        assert [argv[0] for argv in demo.demo_processes()] == ["ingest", "escalate", "simulate_devices"]
