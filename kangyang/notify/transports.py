"""Transports: each sends one rendered message to one address and returns the provider's
message id, or raises TransportError (temporary: try again later; permanent: give up).
They take plain values only. Which SMS transport runs is a setting (KANGYANG_SMS_TRANSPORT):
the console (default, and the demo's) or Alibaba Cloud SMS.

Personal data in logs: an address is logged masked, a body never (it may name an elder).
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection

from kangyang.lib import phone as phones
from kangyang.notify import constants

log = logging.getLogger("kangyang.notify")


class TransportError(Exception):
    """A message was not sent. `permanent`: the same attempt can never succeed (a number the
    provider refuses, a push subscription that is gone); otherwise it is retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """One message, rendered, with its template code and values (an SMS provider sends
    approved templates with parameters, not free text)."""

    address: str
    subject: str
    body: str
    template: str
    context: dict


def mask_email(address: str) -> str:
    """w***@example.org: the first letter of the mailbox and the domain."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_push(subscription: dict) -> str:
    """The push service's host and the end of the endpoint: which browser, not whose."""
    endpoint = str(subscription.get("endpoint", ""))
    host = endpoint.split("/")[2] if endpoint.count("/") >= 2 else "?"
    return f"{host}/…{endpoint[-6:]}"


# -- SMS ------------------------------------------------------------------------------------
class ConsoleSms:
    """Writes the message to the log instead of sending it: for development, tests and the
    demo. The number is masked and the body left out; the delivery log keeps the rest."""

    name = "console"

    def send(self, message: Outgoing) -> str:
        log.info("SMS (console) to %s: template %s, %d characters",
                 phones.mask(message.address), message.template, len(message.body))
        return f"console-{uuid.uuid4().hex[:12]}"


def aliyun_percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's RPC signature wants it: UTF-8, unreserved
    characters kept, space as %20, `*` as %2A, `~` kept."""
    return quote(value, safe="~")


def aliyun_signature(params: dict[str, str], *, secret: str, method: str = "GET") -> str:
    """Base64(HMAC-SHA1(secret + "&", METHOD & %2F & encode(sorted, encoded query))), the
    signature version 1.0 of Alibaba Cloud's RPC APIs (its SMS signing documentation)."""
    query = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    """Alibaba Cloud SMS (dysmsapi, API version 2017-05-25, action SendSms), signed requests
    over HTTPS. Codes that say the number or template can never work are permanent errors;
    throttling, HTTP and network errors are retried."""

    name = "aliyun"
    # Provider codes after which the same request can never succeed.
    PERMANENT = ("isv.MOBILE_NUMBER_ILLEGAL", "isv.INVALID_PARAMETERS", "isv.SMS_TEMPLATE_ILLEGAL",
                 "isv.SMS_SIGNATURE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.BLACK_KEY_CONTROL_LIMIT",
                 "isv.MOBILE_COUNT_OVER_LIMIT", "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL",
                 "SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound")

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str,
                 templates: dict[str, str], endpoint: str, region: str, timeout: float = constants.TRANSPORT_TIMEOUT):
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.sign_name, self.templates = sign_name, templates
        self.endpoint, self.region, self.timeout = endpoint, region, timeout

    def params(self, message: Outgoing, *, nonce: str, timestamp: str) -> dict[str, str]:
        template = self.templates.get(message.template)
        if not template:
            raise TransportError(f"no provider template for {message.template}", permanent=True)
        return {
            "AccessKeyId": self.access_key_id, "Action": "SendSms", "Format": "JSON",
            "PhoneNumbers": message.address, "RegionId": self.region, "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce, "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps({k: str(v) for k, v in message.context.items()}, ensure_ascii=False,
                                        separators=(",", ":")),
            "Timestamp": timestamp, "Version": "2017-05-25",
        }

    def send(self, message: Outgoing) -> str:
        params = self.params(message, nonce=uuid.uuid4().hex,
                             timestamp=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        params["Signature"] = aliyun_signature(params, secret=self.access_key_secret, method="POST")
        try:
            response = requests.post(self.endpoint, data=params, timeout=self.timeout)
        except requests.RequestException as e:
            raise TransportError(f"provider unreachable: {type(e).__name__}") from e
        try:
            answer = response.json()
        except ValueError:
            raise TransportError(f"provider answered HTTP {response.status_code} without JSON") from None
        code = str(answer.get("Code", ""))
        if code == "OK":
            log.info("SMS (aliyun) to %s: template %s, BizId %s",
                     phones.mask(message.address), message.template, answer.get("BizId", ""))
            return str(answer.get("BizId", ""))
        raise TransportError(f"{code or response.status_code}: {answer.get('Message', '')}"[: constants.ERROR_KEEP],
                             permanent=code in self.PERMANENT)


def sms_transport():
    """The SMS transport the settings name."""
    if settings.SMS_TRANSPORT == "console":
        return ConsoleSms()
    if settings.SMS_TRANSPORT == "aliyun":
        if not (settings.ALIYUN_SMS_ACCESS_KEY_ID and settings.ALIYUN_SMS_ACCESS_KEY_SECRET and settings.ALIYUN_SMS_SIGN_NAME):
            raise ImproperlyConfigured(
                "KANGYANG_SMS_TRANSPORT=aliyun needs KANGYANG_ALIYUN_SMS_ACCESS_KEY_ID, "
                "KANGYANG_ALIYUN_SMS_ACCESS_KEY_SECRET and KANGYANG_ALIYUN_SMS_SIGN_NAME"
            )
        return AliyunSms(
            access_key_id=settings.ALIYUN_SMS_ACCESS_KEY_ID, access_key_secret=settings.ALIYUN_SMS_ACCESS_KEY_SECRET,
            sign_name=settings.ALIYUN_SMS_SIGN_NAME, templates=settings.ALIYUN_SMS_TEMPLATES,
            endpoint=settings.ALIYUN_SMS_ENDPOINT, region=settings.ALIYUN_SMS_REGION,
        )
    raise ImproperlyConfigured("KANGYANG_SMS_TRANSPORT must be 'console' or 'aliyun'")


# -- e-mail ---------------------------------------------------------------------------------
class Email:
    """Django's mail (KANGYANG_EMAIL_URL; without it, the console backend)."""

    name = "email"

    def send(self, message: Outgoing) -> str:
        try:
            sent = EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.address],
                                connection=get_connection(timeout=constants.TRANSPORT_TIMEOUT)).send()
        except OSError as e:  # smtplib's errors are OSErrors too
            raise TransportError(f"mail server: {type(e).__name__}: {e}"[: constants.ERROR_KEEP]) from e
        if not sent:
            raise TransportError("mail server accepted nothing")
        log.info("e-mail to %s: template %s", mask_email(message.address), message.template)
        return ""


# -- web push -------------------------------------------------------------------------------
def new_vapid_key() -> str:
    """A fresh VAPID private key (P-256), as the raw 32 bytes in base64url, which
    pywebpush reads."""
    from cryptography.hazmat.primitives.asymmetric import ec

    number = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


def vapid_private_key() -> str:
    """KANGYANG_VAPID_PRIVATE_KEY, or one generated once into the data dir."""
    from kangyang.lib.env import data_dir_key

    return settings.VAPID_PRIVATE_KEY or data_dir_key(settings.DATA_DIR, "vapid.key", generate=new_vapid_key)


def vapid_public_key() -> str:
    """The application server key the app's service worker subscribes with (base64url of
    the uncompressed P-256 point)."""
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid

    key = Vapid.from_string(vapid_private_key()).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode()


class WebPush:
    """Web push (RFC 8030/8291/8292) to the app's service worker, through pywebpush. The
    address is the subscription as JSON; 404 and 410 mean it is gone (permanent)."""

    name = "push"

    def send(self, message: Outgoing) -> str:
        from pywebpush import WebPushException, webpush

        subscription = json.loads(message.address)
        payload = json.dumps({"title": message.subject, "body": message.body, "template": message.template},
                             ensure_ascii=False)
        try:
            response = webpush(subscription, payload, vapid_private_key=vapid_private_key(),
                               vapid_claims={"sub": settings.VAPID_SUBJECT}, timeout=constants.TRANSPORT_TIMEOUT,
                               ttl=24 * 3600)
        except WebPushException as e:
            status = getattr(e.response, "status_code", None)
            raise TransportError(f"push service: HTTP {status}" if status else "push service refused",
                                 permanent=status in (404, 410)) from e
        except requests.RequestException as e:
            raise TransportError(f"push service unreachable: {type(e).__name__}") from e
        log.info("push to %s: template %s", mask_push(subscription), message.template)
        return response.headers.get("Location", "")[:100]


def transport_for(channel: str):
    from kangyang.notify.models import Channel

    return {Channel.SMS: sms_transport, Channel.EMAIL: Email, Channel.PUSH: WebPush}[channel]()
