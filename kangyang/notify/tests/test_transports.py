"""Each transport against a stand-in on 127.0.0.1 (never the internet): the SMS provider's
signed request, Django's mail, and a web push decrypted with the subscription's own key."""

import base64
import datetime as dt
import json
import os
from urllib.parse import parse_qsl

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

from kangyang.notify import transports
from kangyang.notify.models import Channel, Delivery, Kind
from kangyang.notify.actions import Recipient
from kangyang.notify.transports import Outgoing, TransportError

S = Delivery.Status


# -- Alibaba Cloud SMS ----------------------------------------------------------------------
def test_the_signature_matches_the_providers_documented_example():
    """The worked example of Alibaba Cloud's SMS signing documentation (GET, testId/testSecret)."""
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }
    assert transports.aliyun_signature(params, secret="testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_the_aliyun_transport_sends_a_signed_request_the_provider_can_check(aliyun):
    aliyun.answers = [(200, {"Code": "OK", "Message": "OK", "BizId": "123^0", "RequestId": "r"}, {})]
    message = Outgoing(address="13800138000", subject="s", body="b", template="alarm.family",
                       context={"elder": "张桂兰", "type": "紧急呼叫", "time": "08:15"})
    assert transports.sms_transport().send(message) == "123^0"
    [request] = aliyun.received
    assert request["method"] == "POST"
    form = dict(parse_qsl(request["body"].decode()))
    signature = form.pop("Signature")
    # What the provider does: recompute over the other parameters with the shared secret.
    assert transports.aliyun_signature(form, secret="testSecret", method="POST") == signature
    assert (form["Action"], form["Version"], form["SignatureMethod"]) == ("SendSms", "2017-05-25", "HMAC-SHA1")
    assert (form["PhoneNumbers"], form["TemplateCode"], form["SignName"]) == ("13800138000", "SMS_100002", "康养平台")
    assert json.loads(form["TemplateParam"]) == {"elder": "张桂兰", "type": "紧急呼叫", "time": "08:15"}
    stamp = dt.datetime.strptime(form["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert abs(dt.datetime.now(dt.timezone.utc) - stamp) < dt.timedelta(minutes=1)


def test_a_template_without_a_provider_template_is_a_permanent_error(aliyun):
    with pytest.raises(TransportError) as e:
        transports.sms_transport().send(Outgoing("13800138000", "s", "b", "roll.ready", {}))
    assert e.value.permanent and aliyun.received == []


def test_an_unreachable_provider_is_a_temporary_error(aliyun, settings):
    settings.ALIYUN_SMS_ENDPOINT = "http://127.0.0.1:9/"  # discard port: nothing listens
    with pytest.raises(TransportError) as e:
        transports.sms_transport().send(Outgoing("13800138000", "s", "b", "alarm.family", {}))
    assert not e.value.permanent


def test_the_aliyun_transport_without_keys_refuses_to_start(settings):
    settings.SMS_TRANSPORT = "aliyun"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = ""
    with pytest.raises(ImproperlyConfigured):
        transports.sms_transport()


# -- e-mail ---------------------------------------------------------------------------------
def test_an_e_mail_goes_through_djangos_mail(db, mailoutbox, send, settings):
    settings.DEFAULT_FROM_EMAIL = "noreply@kangyang.example"
    [delivery] = send(Recipient(email="wang@example.org", channels=(Channel.EMAIL,), language="en"),
                      template="test", context={"site": "Kangyang"}, kind=Kind.LICENCE)
    [mail] = mailoutbox
    assert (mail.subject, mail.to, mail.from_email) == ("Test message", ["wang@example.org"], "noreply@kangyang.example")
    delivery.refresh_from_db()
    assert delivery.status == S.SENT


# -- web push -------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def browser(local_server):
    """A browser's push subscription at the local push service: its own P-256 key pair and
    auth secret, as PushManager.subscribe() makes them."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    auth = os.urandom(16)
    local_server.answers = [(201, b"", {"Location": local_server.url + "msg/1"})]
    return {
        "key": key, "auth": auth, "server": local_server,
        "subscription": {"endpoint": local_server.url + "push/abc123", "keys": {"p256dh": _b64(public), "auth": _b64(auth)}},
    }


def test_a_push_reaches_the_push_service_encrypted_for_the_subscription_only(db, browser, send, settings):
    settings.VAPID_PRIVATE_KEY = transports.new_vapid_key()
    recipient = Recipient(push_subscription=browser["subscription"], channels=(Channel.PUSH,), language="en")
    [delivery] = send(recipient, template="test", context={"site": "Kangyang"}, kind=Kind.ALARM)
    delivery.refresh_from_db()
    assert delivery.status == S.SENT and delivery.address_masked.startswith("127.0.0.1:")
    [request] = browser["server"].received
    assert request["path"] == "/push/abc123" and request["headers"]["content-encoding"] == "aes128gcm"
    # The push service sees only ciphertext; the browser decrypts with its private key.
    assert b"Kangyang" not in request["body"]
    plain = http_ece.decrypt(request["body"], private_key=browser["key"], auth_secret=browser["auth"], version="aes128gcm")
    assert json.loads(plain) == {"title": "Test message", "body": "This is a test message from Kangyang.", "template": "test"}
    # Signed by our VAPID key, whose public half the app subscribes with.
    scheme, token = request["headers"]["authorization"].split(" ", 1)
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in token.split(","))
    assert fields["k"] == transports.vapid_public_key()
    assert Vapid.verify(request["headers"]["authorization"])  # the JWT's signature checks out with k
    claims = json.loads(base64.urlsafe_b64decode(fields["t"].split(".")[1] + "=="))
    assert claims["aud"] == browser["server"].url.rstrip("/") and claims["sub"] == settings.VAPID_SUBJECT


def test_a_subscription_the_push_service_no_longer_knows_fails_at_once(db, browser, send, settings):
    settings.VAPID_PRIVATE_KEY = transports.new_vapid_key()
    browser["server"].answers = [(410, b"gone", {})]
    recipient = Recipient(push_subscription=browser["subscription"], channels=(Channel.PUSH,))
    [delivery] = send(recipient, template="test", context={"site": "x"}, kind=Kind.ORDER)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (S.FAILED, 1, "push service: HTTP 410")


def test_without_a_configured_key_one_is_generated_once_into_the_data_dir(settings, tmp_path):
    settings.VAPID_PRIVATE_KEY = ""
    settings.DATA_DIR = tmp_path
    first = transports.vapid_public_key()
    assert (tmp_path / "vapid.key").exists() and transports.vapid_public_key() == first
    assert len(base64.urlsafe_b64decode(first + "==")) == 65  # an uncompressed P-256 point
