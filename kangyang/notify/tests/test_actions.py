"""The interface `notify`: queueing, the console transport, keys, quiet hours, retries."""

import datetime as dt
import logging

import pytest
from django.utils import timezone, translation

from kangyang.lib import crypto
from kangyang.notify import actions, messages, queries
from kangyang.notify.actions import Recipient
from kangyang.notify.models import Channel, Delivery, Kind

S = Delivery.Status
PHONE = "13800138000"


def _family(**extra) -> Recipient:
    return Recipient(phone=PHONE, audience="family", **extra)


def test_a_message_to_a_phone_is_sent_by_the_console_and_logged_masked(db, now, caplog, send):
    caplog.set_level(logging.INFO, logger="kangyang.notify")
    with pytest.raises(Exception):  # noqa: PT011 — the template must be known
        send(_family(), template="nope", context={}, kind=Kind.ALARM)
    [delivery] = send(_family(), template="test", context={"site": "康养"}, kind=Kind.ALARM,
                                region_code="360103001001", now=now)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.channel) == (S.SENT, 1, Channel.SMS)
    assert delivery.sent_at is not None and delivery.provider_id.startswith("console-")
    assert delivery.address_masked == "138****8000"
    assert crypto.decrypt(delivery.address_encrypted) == PHONE
    assert PHONE not in delivery.address_encrypted + delivery.context_encrypted
    assert "138****8000" in caplog.text and PHONE not in caplog.text


def test_a_second_call_with_the_same_key_sends_nothing(db, now, send):
    first = send(_family(), template="test", context={"site": "x"}, kind=Kind.ALARM, key="k-1", now=now)
    again = send(_family(), template="test", context={"site": "x"}, kind=Kind.ALARM, key="k-1", now=now)
    assert len(first) == 1 and again == []
    assert Delivery.objects.filter(key="k-1").count() == 1


def test_each_channel_with_an_address_gets_its_own_delivery(db, now, mailoutbox, send):
    recipient = Recipient(phone=PHONE, email="wang@example.org", channels=(Channel.SMS, Channel.EMAIL, Channel.PUSH))
    sent = send(recipient, template="test", context={"site": "康养"}, kind=Kind.ORDER, now=now)
    assert sorted(d.channel for d in sent) == [Channel.EMAIL, Channel.SMS]  # no push subscription
    assert [m.to for m in mailoutbox] == [["wang@example.org"]]
    assert Delivery.objects.get(channel=Channel.EMAIL).address_masked == "w***@example.org"


def test_a_landline_gets_no_sms_and_nothing_is_queued(db, now, send):
    assert send(Recipient(phone="not a number"), template="test", context={"site": "x"},
                          kind=Kind.ALARM, now=now) == []


def test_the_message_is_rendered_in_the_recipients_language(db, now, mailoutbox, send):
    """Lazy values (a translated label) are rendered in each recipient's language, and so is
    the template (whose zh-hans text comes with the catalogue)."""
    from kangyang.accounts.models import User

    label = User.Role.FAMILY.label
    send(Recipient(email="a@example.org", channels=(Channel.EMAIL,), language="en"),
         template="test", context={"site": label}, kind=Kind.ROLL, now=now)
    send(Recipient(email="b@example.org", channels=(Channel.EMAIL,)),
         template="test", context={"site": label}, kind=Kind.ROLL, now=now)
    english, chinese = mailoutbox
    assert english.body == "This is a test message from family member."
    with translation.override("zh-hans"):
        assert str(label) != "family member"
        assert chinese.body == messages.render("test", {"site": str(label)}, language="zh-hans")[1]
        assert str(label) in chinese.body


# -- quiet hours ----------------------------------------------------------------------------
def _at(hour: int, minute: int = 0) -> dt.datetime:
    """That local time two days ago (in the past: the send task runs on the real clock)."""
    local = (timezone.localtime() - dt.timedelta(days=2)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(dt.timezone.utc)


def test_quiet_hours_hold_an_order_message_until_they_end(db, send):
    quiet = _family(quiet_from=dt.time(22, 0), quiet_until=dt.time(7, 0))
    night = _at(23, 30)
    [delivery] = send(quiet, template="test", context={"site": "x"}, kind=Kind.ORDER, now=night)
    delivery.refresh_from_db()
    assert delivery.status == S.QUEUED and delivery.attempts == 0
    morning = timezone.localtime(delivery.next_attempt_at)
    assert (morning.hour, morning.minute) == (7, 0) and morning.date() == timezone.localtime(night).date() + dt.timedelta(days=1)
    assert actions.send_due(now=night + dt.timedelta(hours=1)) == 0  # still night
    assert actions.send_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert delivery.status == S.SENT


def test_quiet_hours_never_hold_an_alarm(db, send):
    quiet = _family(quiet_from=dt.time(22, 0), quiet_until=dt.time(7, 0))
    [delivery] = send(quiet, template="test", context={"site": "x"}, kind=Kind.ALARM, now=_at(23, 30))
    delivery.refresh_from_db()
    assert delivery.status == S.SENT


def test_outside_quiet_hours_nothing_waits(db, send):
    quiet = _family(quiet_from=dt.time(22, 0), quiet_until=dt.time(7, 0))
    [delivery] = send(quiet, template="test", context={"site": "x"}, kind=Kind.ORDER, now=_at(12, 0))
    delivery.refresh_from_db()
    assert delivery.status == S.SENT


# -- retries --------------------------------------------------------------------------------
def test_a_failed_sms_is_retried_with_growing_pauses_then_sent(db, aliyun, now, settings, send):
    aliyun.answers = [(500, b"busy", {}), (200, {"Code": "Throttling", "Message": "too fast"}, {}),
                      (200, {"Code": "OK", "BizId": "900001"}, {})]
    [delivery] = send(_family(), template="test", context={"site": "x"}, kind=Kind.ALARM, now=now)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (S.QUEUED, 1)
    assert "500" in delivery.last_error
    assert delivery.next_attempt_at == delivery.last_attempt_at + settings.NOTIFY_RETRY_AFTER
    # Not due yet: nothing happens.
    actions.deliver(delivery, now=now + dt.timedelta(seconds=5))
    assert delivery.attempts == 1 and len(aliyun.received) == 1
    second = delivery.next_attempt_at
    actions.deliver(delivery, now=second)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (S.QUEUED, 2, "Throttling: too fast")
    assert delivery.next_attempt_at - second == settings.NOTIFY_RETRY_AFTER * 4
    actions.deliver(delivery, now=delivery.next_attempt_at)
    assert (delivery.status, delivery.attempts, delivery.provider_id) == (S.SENT, 3, "900001")
    assert len(aliyun.received) == 3


def test_a_message_fails_for_good_after_the_last_attempt(db, aliyun, now, settings, send):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    aliyun.answers = [(503, b"", {}), (503, b"", {})]
    [delivery] = send(_family(), template="test", context={"site": "x"}, kind=Kind.ALARM, now=now)
    delivery.refresh_from_db()
    actions.deliver(delivery, now=delivery.next_attempt_at)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (S.FAILED, 2, None)
    assert actions.send_due(now=now + dt.timedelta(days=1)) == 0


def test_a_number_the_provider_refuses_fails_at_once(db, aliyun, now, send):
    aliyun.answers = [(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "invalid"}, {})]
    [delivery] = send(_family(), template="test", context={"site": "x"}, kind=Kind.ALARM, now=now)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (S.FAILED, 1)
    assert delivery.last_error.startswith("isv.MOBILE_NUMBER_ILLEGAL")


def test_with_the_database_backend_a_retry_is_enqueued_for_later(transactional_db, aliyun, settings, send):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    aliyun.answers = [(500, b"", {})]
    [delivery] = send(_family(), template="test", context={"site": "x"}, kind=Kind.ALARM)
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [delivery.pk] and task.run_after.year == 9999  # django-tasks-db: "at once"
    actions.deliver(delivery)  # what the worker does
    retry = DBTaskResult.objects.exclude(pk=task.pk).get()
    assert retry.run_after == delivery.next_attempt_at and delivery.status == S.QUEUED


# -- preferences ----------------------------------------------------------------------------
def test_a_person_without_preferences_is_reached_by_the_e_mail_of_the_account(operator):
    operator.email = "zhou@example.org"
    recipient = queries.recipient_for(operator, audience="second_group")
    assert recipient.address(Channel.EMAIL)[0] == "zhou@example.org" and recipient.channels == (Channel.EMAIL,)


def test_a_saved_preference_gives_the_channels_and_keeps_the_number_encrypted(operator):
    pref = actions.save_preference(operator, by=operator, phone="138 0013 8000", sms=True, by_email=False,
                                   quiet_from=dt.time(22), quiet_until=dt.time(7))
    assert pref.phone_masked == "138****8000" and PHONE not in pref.phone_encrypted
    recipient = queries.recipient_for(operator)
    assert recipient.phone == PHONE and recipient.channels == (Channel.SMS,)
    assert recipient.quiet_from == dt.time(22)
    actions.save_preference(operator, by=operator, sms=True, email="z@example.org", by_email=True)
    assert queries.recipient_for(operator).phone == PHONE  # None keeps the number
    assert queries.recipient_for(operator).channels == (Channel.SMS, Channel.EMAIL)
