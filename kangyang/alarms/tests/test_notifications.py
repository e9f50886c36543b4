"""Escalation tells people (issue 12 §2): with the console SMS transport, an alarm left
unanswered past the escalation time sends one message to the next group and one to the family,
recorded in the delivery log, and running the escalation again sends nothing twice."""

import datetime as dt
import json
import logging
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from kangyang.alarms import actions, notifications
from kangyang.alarms.models import Alarm
from kangyang.lib import crypto
from kangyang.notify import messages
from kangyang.notify.actions import save_preference
from kangyang.notify.models import Delivery

S = Delivery.Status
OPERATOR_PHONE, SECOND_PHONE, WORKER_PHONE, ADMIN_PHONE = "13900000001", "13900000002", "13900000003", "13900000004"
DAUGHTER_PHONE = "13607915555"  # the `family` persona's number (conftest.py)


@pytest.fixture
def centre(operator, second_operator, worker_a, admin, family, elder_in_a):
    """Everyone with a phone for messages; the second operator is the second group; the elder
    agreed that her daughter is told of alarms."""
    for user, phone in ((operator, OPERATOR_PHONE), (second_operator, SECOND_PHONE), (worker_a, WORKER_PHONE),
                        (admin, ADMIN_PHONE)):
        save_preference(user, by=user, phone=phone, sms=True)
    Group.objects.create(name=notifications.SECOND_GROUP).user_set.add(second_operator)
    elder_in_a.contacts.filter(user=family).update(tell_of_alarms=True)
    return {"second": second_operator, "worker": worker_a, "admin": admin}


def _overdue_sos(pendant, *, waited: dt.timedelta) -> Alarm:
    at = timezone.now() - waited
    return actions.raise_alarm(source="device", type="sos", device=pendant, msg_id=f"m-{at.timestamp()}",
                               raised_at=at, now=at)[0]


def _sent_to(audience: str) -> list[Delivery]:
    return list(Delivery.objects.filter(audience=audience).order_by("pk"))


def test_an_unanswered_alarm_sends_one_message_to_the_next_group_and_one_to_the_family(
    centre, pendant_a, settings, caplog, django_capture_on_commit_callbacks,
):
    settings.SMS_TRANSPORT = "console"
    caplog.set_level(logging.INFO, logger="kangyang.notify")
    alarm = _overdue_sos(pendant_a, waited=settings.ALARM_ESCALATE_AFTER + dt.timedelta(seconds=15))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalate", "--once", stdout=StringIO())  # as the escalation loop does
    alarm.refresh_from_db()
    assert alarm.escalation_tier == 1

    [group] = _sent_to("second_group")
    [daughter] = _sent_to("family")
    assert crypto.decrypt(group.address_encrypted) == SECOND_PHONE and group.address_masked == "139****0002"
    assert crypto.decrypt(daughter.address_encrypted) == DAUGHTER_PHONE
    assert (group.template, daughter.template) == ("alarm.escalated", "alarm.family")
    for d in (group, daughter):
        assert (d.status, d.attempts, d.channel, d.kind, d.region_code) == (S.SENT, 1, "sms", "alarm", alarm.region_code)
    assert [crypto.decrypt(d.address_encrypted) for d in _sent_to("community_worker")] == [WORKER_PHONE]
    assert _sent_to("duty_officer") == []  # not yet: that is the next step
    # The console wrote them to the log, masked.
    assert "139****0002" in caplog.text and SECOND_PHONE not in caplog.text and DAUGHTER_PHONE not in caplog.text

    # Running the escalation again (the loop does, every second) sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalate", "--once", stdout=StringIO())
        notifications.tell_escalation(alarm, 1)  # even a retried task
    assert Delivery.objects.count() == 3


def test_still_unanswered_after_twice_as_long_the_duty_officer_is_told_once(
    centre, pendant_a, settings, django_capture_on_commit_callbacks,
):
    _overdue_sos(pendant_a, waited=settings.ALARM_ESCALATE_AFTER * 2 + dt.timedelta(seconds=5))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalate", "--once", stdout=StringIO())
        call_command("escalate", "--once", stdout=StringIO())
    [officer] = _sent_to("duty_officer")
    assert crypto.decrypt(officer.address_encrypted) == ADMIN_PHONE and officer.status == S.SENT
    assert len(_sent_to("family")) == 1 and len(_sent_to("second_group")) == 1


def test_an_acknowledged_alarm_tells_nobody(centre, pendant_a, operator, settings, django_capture_on_commit_callbacks):
    alarm = _overdue_sos(pendant_a, waited=dt.timedelta(seconds=10))
    actions.acknowledge_alarm(alarm, by=operator)
    with django_capture_on_commit_callbacks(execute=True):
        actions.escalate_overdue(now=timezone.now() + settings.ALARM_ESCALATE_AFTER * 3)
    assert Delivery.objects.count() == 0


def test_the_family_is_told_only_if_the_elder_agreed(centre, pendant_a, elder_in_a, settings,
                                                     django_capture_on_commit_callbacks):
    elder_in_a.contacts.update(tell_of_alarms=False)
    _overdue_sos(pendant_a, waited=settings.ALARM_ESCALATE_AFTER + dt.timedelta(seconds=5))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalate", "--once", stdout=StringIO())
    assert _sent_to("family") == [] and len(_sent_to("second_group")) == 1


def test_without_a_second_group_every_operator_of_the_area_is_paged(
    centre, pendant_a, settings, django_capture_on_commit_callbacks,
):
    Group.objects.filter(name=notifications.SECOND_GROUP).delete()
    _overdue_sos(pendant_a, waited=settings.ALARM_ESCALATE_AFTER + dt.timedelta(seconds=5))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalate", "--once", stdout=StringIO())
    assert sorted(crypto.decrypt(d.address_encrypted) for d in _sent_to("second_group")) == [OPERATOR_PHONE, SECOND_PHONE]


def test_staff_messages_name_no_elder_and_the_familys_does(centre, pendant_a, elder_in_a, settings):
    alarm = _overdue_sos(pendant_a, waited=dt.timedelta(seconds=90))
    sent = notifications.tell_escalation(alarm, 1)
    bodies = {d.audience: messages.render(d.template, json.loads(crypto.decrypt(d.context_encrypted)),
                                          language="en")[1] for d in sent}
    assert elder_in_a.name in bodies["family"]
    assert elder_in_a.name not in bodies["second_group"] and elder_in_a.name not in bodies["community_worker"]
    assert f"#{alarm.pk}" in bodies["second_group"] and "桃花社区" in bodies["second_group"]


def test_the_demo_log_holds_what_the_historys_escalated_alarms_sent(centre, pendant_a, operator, settings):
    """seed_demo_deliveries: an alarm of the history, escalated twice before it was answered,
    gets its messages as sent at the times of its steps; once."""
    alarm = _overdue_sos(pendant_a, waited=dt.timedelta(hours=3))
    received = alarm.received_at
    actions.escalate_overdue(now=received + settings.ALARM_ESCALATE_AFTER * 2)
    actions.acknowledge_alarm(Alarm.objects.get(pk=alarm.pk), by=operator)
    assert notifications.seed_demo_deliveries(region_code="360103") == 4
    assert notifications.seed_demo_deliveries(region_code="360103") == 0
    sent = {d.audience: d for d in Delivery.objects.all()}
    assert set(sent) == {"second_group", "community_worker", "family", "duty_officer"}
    assert all(d.status == S.SENT for d in sent.values())
    assert sent["family"].sent_at == received + settings.ALARM_ESCALATE_AFTER
    assert sent["duty_officer"].sent_at == received + settings.ALARM_ESCALATE_AFTER * 2
