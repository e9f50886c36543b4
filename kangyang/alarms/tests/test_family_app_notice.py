"""The family in the app is told of an alarm at once (issue 14 §3): a family member bound to
the elder (a contact with her account) whom the elder agreed to have told gets a web push
where her phone subscribed, an SMS otherwise; once per alarm; not again at escalation. And
her notifications page lists what she was told."""

import base64
import datetime as dt
import json
import os
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.utils import timezone

from kangyang.alarms import actions, notifications
from kangyang.alarms.actions import DeviceAlarm
from kangyang.lib import crypto
from kangyang.notify import messages
from kangyang.notify.actions import save_push_subscription
from kangyang.notify.models import Channel, Delivery, Preference
from kangyang.notify.tests.conftest import LocalServer
from kangyang.registry.actions import add_contact

DAUGHTER_PHONE = "13607915555"  # the `family` persona's number (conftest.py)
S = Delivery.Status


@pytest.fixture
def consent(family, elder_in_a):
    """The elder agreed that her daughter (bound in the app) is told of her alarms."""
    elder_in_a.contacts.filter(user=family).update(tell_of_alarms=True)
    return family


@pytest.fixture
def push_service():
    server = LocalServer()
    server.answers = [(201, b"", {"Location": server.url + "msg/1"})] * 3
    yield server
    server.close()


def _subscription(server) -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    return {"endpoint": server.url + "push/abc", "keys": {"p256dh": b64(public), "auth": b64(os.urandom(16))}}


def _raise(pendant, msg_id="m-1", **kw):
    return actions.raise_alarm(source="device", type="fall", device=pendant, msg_id=msg_id, **kw)[0]


def _told(user) -> list[Delivery]:
    return list(Delivery.objects.filter(key__endswith=f":family:user:{user.pk}").order_by("pk"))


def test_the_bound_daughter_is_sent_an_sms_at_once_with_name_type_time_and_link(
    consent, elder_in_a, pendant_a, settings, django_capture_on_commit_callbacks,
):
    settings.PUBLIC_URL = "https://app.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        alarm = _raise(pendant_a)
    [sms] = _told(consent)
    assert (sms.channel, sms.template, sms.kind, sms.status, sms.audience) == (Channel.SMS, "alarm.family_app", "alarm", S.SENT, "family")
    assert crypto.decrypt(sms.address_encrypted) == DAUGHTER_PHONE
    context = json.loads(crypto.decrypt(sms.context_encrypted))
    assert set(context) == {"elder", "type", "time", "link"}  # nothing else of her
    _subject, body = messages.render(sms.template, context, language="zh-hans")
    local = timezone.localtime(alarm.raised_at)
    assert elder_in_a.name in body and "跌倒" in body and f"{local.year}年{local.month}月{local.day}日" in body
    assert "https://app.example.org/app/notifications/" in body


def test_a_daughter_whose_phone_subscribed_is_told_by_push_not_sms(
    consent, pendant_a, push_service, django_capture_on_commit_callbacks,
):
    save_push_subscription(consent, subscription=_subscription(push_service))
    with django_capture_on_commit_callbacks(execute=True):
        _raise(pendant_a)
    [push] = _told(consent)
    assert (push.channel, push.status) == (Channel.PUSH, S.SENT)
    assert [r["path"] for r in push_service.received] == ["/push/abc"]


def test_without_consent_or_without_an_account_nobody_is_told_at_once(
    family, elder_in_a, worker_a, pendant_a, django_capture_on_commit_callbacks,
):
    # The bound daughter without the elder's consent; a neighbour with consent but no account.
    add_contact(elder_in_a, by=worker_a, name="邻居", relation="neighbour", phone="13607917777", tell_of_alarms=True)
    with django_capture_on_commit_callbacks(execute=True):
        _raise(pendant_a)
    assert Delivery.objects.count() == 0


def test_told_once_however_often_the_alarm_comes_or_the_task_runs(
    consent, pendant_a, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        alarm = _raise(pendant_a)
        _raise(pendant_a)  # the same message again
        _raise(pendant_a, msg_id="m-2")  # pressed again: a repeat of the open alarm
    notifications.tell_family_at_raise(alarm)  # a retried task
    assert len(_told(consent)) == 1


def test_device_batches_tell_the_family_too(consent, pendant_a, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        actions.raise_device_alarms([DeviceAlarm(device=pendant_a, msg_id="b-1", type="sos", raised_at=now)], now=now)
    assert [d.template for d in _told(consent)] == ["alarm.family_app"]


def test_at_escalation_the_daughter_told_at_once_is_not_sent_a_second_sms_but_others_are(
    consent, elder_in_a, worker_a, pendant_a, settings, django_capture_on_commit_callbacks,
):
    neighbour = add_contact(elder_in_a, by=worker_a, name="邻居", relation="neighbour", phone="13607917777",
                            tell_of_alarms=True)
    at = timezone.now() - settings.ALARM_ESCALATE_AFTER - dt.timedelta(seconds=15)
    with django_capture_on_commit_callbacks(execute=True):
        _raise(pendant_a, raised_at=at, now=at)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalate", "--once", stdout=StringIO())
    family_messages = Delivery.objects.filter(audience="family").order_by("pk")
    assert [d.template for d in family_messages] == ["alarm.family_app", "alarm.family"]
    assert family_messages[1].key.endswith(f":family:contact:{neighbour.pk}")


def test_the_daughter_sees_what_she_was_told_and_others_do_not(
    client, consent, elder_in_a, pendant_a, stranger_family, operator, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _raise(pendant_a)
    client.force_login(consent)
    page = client.get("/app/notifications/")
    assert page.status_code == 200 and elder_in_a.name in page.text and 'class="card notice"' in page.text
    assert 'href="/app/"' in page.text
    client.force_login(stranger_family)
    page = client.get("/app/notifications/")
    assert page.status_code == 200 and elder_in_a.name not in page.text
    client.force_login(operator)
    assert client.get("/app/notifications/").status_code == 403


@pytest.fixture
def stranger_family(elder_in_b, worker_b):
    from kangyang.accounts.models import User

    user = User.objects.create_user(username="stranger", password="kangyang-demo", role="family")
    add_contact(elder_in_b, by=worker_b, name="李强", relation="son", phone="13607916666", user=user, tell_of_alarms=True)
    return user


def test_the_phone_subscribes_and_unsubscribes_at_the_app_endpoint(client, consent):
    from kangyang.notify.queries import preference_of

    client.force_login(consent)
    sub = {"endpoint": "https://push.example.org/send/abc", "keys": {"p256dh": "BNcRd-x_1", "auth": "tBHI"}}
    r = client.post("/app/notifications/push/", json.dumps(sub), content_type="application/json")
    assert r.status_code == 200 and r.json()["push"] is True
    assert preference_of(consent).push_subscription == sub
    assert 'data-push="on" hidden' in client.get("/app/notifications/").text
    r = client.delete("/app/notifications/push/")
    assert r.status_code == 200 and preference_of(consent).push_subscription is None
    client.post("/app/notifications/push/", json.dumps(sub), content_type="application/json")
    r = client.post("/app/notifications/push/", {"action": "off"})
    assert r.status_code == 302 and preference_of(consent).push is False


@pytest.mark.parametrize("body", [
    "not json", "[]", '{"endpoint": "ftp://x", "keys": {}}', '{"endpoint": "https://p.example/\\u0000", "keys": {"p256dh": "a", "auth": "b"}}',
    '{"endpoint": "https://p.example/x", "keys": {"p256dh": "<script>", "auth": "b"}}',
    '{"endpoint": "https://p.example/x", "keys": {"p256dh": 5, "auth": "b"}}', "x" * 10000,
])
def test_what_is_not_a_subscription_is_refused_in_words(client, consent, body):
    client.force_login(consent)
    r = client.post("/app/notifications/push/", body, content_type="application/json")
    assert r.status_code == 400  # a NUL is refused earlier, by the input guard, in a page of its own
    assert r["Content-Type"] != "application/json" or r.json()["error"]
    assert not Preference.objects.filter(user=consent, push_subscription__isnull=False).exists()


def test_the_push_endpoint_is_not_for_anonymous_visitors_or_staff(client, operator):
    assert client.post("/app/notifications/push/", "{}", content_type="application/json").status_code == 302
    client.force_login(operator)
    assert client.post("/app/notifications/push/", "{}", content_type="application/json").status_code == 403
