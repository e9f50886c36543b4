"""The alarm centre of `kangyang demo`: devices, a month of history, a queue right now."""

from io import StringIO

import pytest
from django.core.management import call_command

from kangyang.alarms.models import Alarm, AlarmEvent, Device, WorkerTask
from kangyang.registry.models import Elder


@pytest.fixture(scope="module")
def demo(shared_data):
    """One demo district for every test of this module (see conftest.py `shared_data`)."""
    yield from shared_data(lambda: call_command("demo", "--no-serve", "--elders", "300", stdout=StringIO()))


def test_the_demo_has_devices_for_vulnerable_elders_and_the_elder_s_pendant(demo):
    assert Device.objects.count() > 50
    assert Device.objects.filter(elder__user__username="elder", kind="sos_pendant").exists()
    assert set(Device.objects.values_list("status", flat=True)) <= {"online", "offline"}
    for task in WorkerTask.objects.filter(kind="device_offline"):
        assert task.device.status == "offline"


def test_the_history_is_handled_by_the_operator_mostly_within_60_seconds(demo):
    resolved = Alarm.objects.filter(status="resolved")
    assert resolved.count() > 30
    assert not resolved.filter(acknowledged_by__isnull=True).exists()
    within = sum(a.seconds_to_acknowledge < 60 for a in resolved)
    assert within / resolved.count() > 0.9
    for a in resolved.filter(escalation_tier__gt=0):
        assert a.events.filter(kind=AlarmEvent.Kind.ESCALATED).count() == a.escalation_tier


def test_two_alarms_wait_in_the_queue_and_a_second_run_adds_none(demo):
    raised = Alarm.objects.filter(status="raised")
    assert raised.filter(region_code__startswith="360103").count() == 2
    assert raised.filter(elder__user__username="elder").exists()
    assert raised.filter(region_code__startswith="360104").count() == 1  # the second district's queue
    call_command("demo", "--no-serve", stdout=StringIO())
    assert raised.count() == 3
    # Her one pendant (the health demo gives her a blood-pressure meter too), not a second one.
    assert Elder.objects.filter(user__username="elder").get().devices.filter(kind="sos_pendant").count() == 1


def test_the_escalated_alarms_of_the_history_are_in_the_delivery_log(demo):
    from kangyang.notify.models import Delivery, Preference

    assert Preference.objects.filter(user__username="operator").exclude(phone_masked="").exists()
    # About 2% of the history is escalated: with 300 elders there may be none (the rule itself
    # is tested in test_notifications.py); whatever there is, is in the log.
    escalated = list(Alarm.objects.filter(escalation_tier__gt=0).order_by("-received_at", "-pk")[:8])
    told = {int(key.split(":")[1]) for key in Delivery.objects.filter(kind="alarm").exclude(
        template="alarm.family_app").values_list("key", flat=True)}
    assert told == {a.pk for a in escalated}
    for alarm in escalated:
        told = Delivery.objects.filter(key__startswith=f"alarm:{alarm.pk}:")
        assert told.filter(audience="second_group", status="sent").count() == 1
        assert told.filter(audience="duty_officer").count() == (1 if alarm.escalation_tier == 2 else 0)
        assert all(d.sent_at >= alarm.received_at for d in told)
    count = Delivery.objects.count()
    call_command("demo", "--no-serve", stdout=StringIO())
    assert Delivery.objects.count() == count  # a second run adds none


def test_the_elders_waiting_sos_was_raised_three_times_and_merged(demo):
    alarm = Alarm.objects.get(status="raised", elder__user__username="elder")
    assert alarm.repeat_count == 2 and alarm.repeats.count() == 2
    assert alarm.events.filter(kind=AlarmEvent.Kind.REPEATED).count() == 2


def test_the_devices_page_has_offline_low_battery_and_stock_devices_to_show(demo, client):
    from kangyang.accounts.models import User

    stock = Device.objects.filter(elder__isnull=True, household__isnull=True)
    assert stock.count() >= 3 and not WorkerTask.objects.filter(device__in=stock).exists()
    assert Device.objects.filter(status="offline").exists()
    assert Device.objects.filter(battery__lte=20).exists()
    client.force_login(User.objects.get(username="operator"))
    page = client.get("/alarms/devices/", {"state": "offline"})
    assert page.status_code == 200 and 'data-state="offline"' in page.text


def test_the_family_was_told_of_her_mothers_waiting_alarm_once(demo):
    """Issue 14: the demo's `family` finds one alarm notice in the app, of her mother's waiting SOS."""
    from kangyang.accounts.models import User
    from kangyang.notify.queries import deliveries_to

    alarm = Alarm.objects.get(status="raised", elder__user__username="elder")
    [notice] = deliveries_to(User.objects.get(username="family"))
    assert (notice.template, notice.status, notice.key) == (
        "alarm.family_app", "sent", f"alarm:{alarm.pk}:family:user:{notice.key.rsplit(':', 1)[1]}")
