"""Every change to the delivery log and to people's notification preferences.

`notify(recipient, template=…, context=…, kind=…)` is the one way any app sends a message. It
takes plain values and records one Delivery per channel the recipient uses (queued), then,
after commit, hands each to the `send_delivery` task. `deliver(delivery)` makes one attempt:
sent, or back to queued with the next attempt after a backoff, or failed after
NOTIFY_MAX_ATTEMPTS (or at once when the error is permanent). Quiet hours hold back every
kind of message but alarms until they end.

An attempt claims the delivery with a conditional UPDATE (its attempt count), so two workers
never send the same message twice; a repeated `notify` with the same `key` sends nothing new.
"""

import datetime as dt
import json
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.lib import phone as phones
from kangyang.notify import constants, messages, tasks, transports
from kangyang.notify.models import Channel, Delivery, Kind, Preference

log = logging.getLogger("kangyang.notify")
S = Delivery.Status


@dataclass(frozen=True)
class Recipient:
    """Where and how to tell one person, as plain values. `channels` in the order of
    preference; each one with an address is used. Quiet hours are local times."""

    phone: str = ""
    email: str = ""
    push_subscription: dict | None = None
    channels: tuple[str, ...] = (Channel.SMS,)
    language: str = ""
    quiet_from: dt.time | None = None
    quiet_until: dt.time | None = None
    audience: str = ""  # who they are to the sender: "family", "duty_officer"…

    def address(self, channel: str) -> tuple[str, str]:
        """(address, masked) for the channel, or ("", "") when there is none."""
        if channel == Channel.SMS and self.phone:
            try:
                number = phones.normalise(self.phone)
            except ValidationError:
                return "", ""
            return number, phones.mask(number)
        if channel == Channel.EMAIL and self.email:
            return self.email, transports.mask_email(self.email)
        if channel == Channel.PUSH and self.push_subscription:
            return json.dumps(self.push_subscription, sort_keys=True), transports.mask_push(self.push_subscription)
        return "", ""


def quiet_until(recipient: Recipient, *, kind: str, now: dt.datetime) -> dt.datetime | None:
    """When the recipient's quiet hours end, if `now` is inside them; None otherwise (and
    always for alarms, health alerts and sign-in codes). A window may run over midnight (22:00–07:00)."""
    start, end = recipient.quiet_from, recipient.quiet_until
    if kind in (Kind.ALARM, Kind.HEALTH_ALERT, Kind.SIGN_IN) or start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    t = local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += dt.timedelta(days=1)
    return ends


def notify(recipient: Recipient, *, template: str, context: dict, kind: str, key: str = "",
           region_code: str = "", now: dt.datetime | None = None) -> list[Delivery]:
    """Queue the message for each of the recipient's channels that has an address, and send
    it after commit (held back to the end of quiet hours, never for alarms). With a `key`,
    a second call for the same key and channel queues nothing: the first delivery stands.
    Returns the deliveries queued by this call."""
    if template not in messages.TEMPLATES:
        raise KeyError(f"unknown message template {template!r}")
    if kind not in Kind.values:
        raise ValueError(f"unknown message kind {kind!r}")
    now = now or timezone.now()
    language = recipient.language or settings.LANGUAGE_CODE
    messages.render(template, context, language=language)  # a missing placeholder fails here, not in the worker
    held = quiet_until(recipient, kind=kind, now=now)
    with override(language):  # lazy values (a type's label) in the recipient's language
        plain = {k: str(v) for k, v in context.items()}
    queued = []
    for channel in dict.fromkeys(recipient.channels):
        address, masked = recipient.address(channel)
        if not address:
            continue
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    kind=kind, channel=channel, template=template, audience=recipient.audience,
                    address_encrypted=crypto.encrypt(address), address_masked=masked,
                    context_encrypted=crypto.encrypt(json.dumps(plain, ensure_ascii=False)), language=language,
                    region_code=region_code, key=key, created_at=now, next_attempt_at=held or now,
                )
        except IntegrityError:
            log.info("notification %s over %s already queued; not again", key, channel)
            continue
        queued.append(delivery)
        transaction.on_commit(partial(_schedule, delivery.pk, held))
    if not queued and not any(recipient.address(c)[0] for c in recipient.channels):
        log.warning("no address for the %s message (%s) to %s", kind, template, recipient.audience or "someone")
    return queued


def _schedule(delivery_id: int, when: dt.datetime | None) -> None:
    """Enqueue the attempt, at `when` if the task backend can wait (the database backend
    can; the immediate one of the tests cannot, and leaves it to `send_due`)."""
    task = tasks.send_delivery
    if when is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=when)
    task.enqueue(delivery_id)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: NOTIFY_RETRY_AFTER × 4^(n-1), at most
    an hour."""
    return min(settings.NOTIFY_RETRY_AFTER * constants.BACKOFF_FACTOR ** (attempts - 1), constants.BACKOFF_CAP)


def deliver(delivery: Delivery, *, now: dt.datetime | None = None) -> Delivery:
    """One attempt at a queued delivery that is due. Sent, or queued again after a backoff,
    or failed (after NOTIFY_MAX_ATTEMPTS, or at once on a permanent error). Anything else
    (sent, failed, not yet due, claimed by another worker) is left as it is."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery.pk, status=S.QUEUED, attempts=delivery.attempts, next_attempt_at__lte=now,
    ).update(attempts=delivery.attempts + 1, last_attempt_at=now)
    delivery.refresh_from_db()
    if not claimed:
        return delivery
    context = json.loads(crypto.decrypt(delivery.context_encrypted))
    subject, body = messages.render(delivery.template, context, language=delivery.language)
    outgoing = transports.Outgoing(address=crypto.decrypt(delivery.address_encrypted), subject=subject, body=body,
                                   template=delivery.template, context=context)
    try:
        provider_id = transports.transport_for(delivery.channel).send(outgoing)
    except transports.TransportError as e:
        gave_up = e.permanent or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS
        delivery.last_error = str(e)[: constants.ERROR_KEEP]
        delivery.status = S.FAILED if gave_up else S.QUEUED
        delivery.next_attempt_at = None if gave_up else now + backoff(delivery.attempts)
        delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
        log.warning("delivery %d (%s, %s) attempt %d failed%s: %s", delivery.pk, delivery.channel,
                    delivery.address_masked, delivery.attempts, "; giving up" if gave_up else "", e)
        if not gave_up:
            transaction.on_commit(partial(_schedule, delivery.pk, delivery.next_attempt_at))
        return delivery
    delivery.status, delivery.sent_at, delivery.next_attempt_at = S.SENT, now, None
    delivery.provider_id = (provider_id or "")[:100]
    delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "provider_id"])
    return delivery


def send_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Attempt every queued delivery whose time has come (a task lost with a crashed worker,
    a backend that cannot wait); returns how many were attempted."""
    now = now or timezone.now()
    due = list(Delivery.objects.filter(status=S.QUEUED, next_attempt_at__lte=now).order_by("next_attempt_at")[:limit])
    for delivery in due:
        deliver(delivery, now=now)
    return len(due)


# -- preferences ----------------------------------------------------------------------------
@transaction.atomic
def save_preference(user, *, by, phone: str | None = None, email: str = "", sms: bool = True, by_email: bool = False,
                    push: bool = False, language: str = "", quiet_from: dt.time | None = None,
                    quiet_until: dt.time | None = None) -> Preference:
    """Set how `user` is told (`by`: the person themselves). `phone=None` keeps the number on
    file, "" removes it."""
    preference, _created = Preference.objects.get_or_create(user=user)
    if phone is not None:
        number = phones.normalise(phone) if phone.strip() else ""
        preference.phone_encrypted = crypto.encrypt(number) if number else ""
        preference.phone_masked = phones.mask(number) if number else ""
    preference.email = email.strip()
    preference.sms, preference.by_email, preference.push = sms, by_email, push
    preference.language = language or settings.LANGUAGE_CODE
    preference.quiet_from, preference.quiet_until = quiet_from, quiet_until
    preference.updated_at = timezone.now()
    preference.full_clean(exclude=["user"])
    preference.save()
    record(by, AuditEntry.Action.CHANGE, preference, verb="notify.preference")
    return preference


@transaction.atomic
def save_push_subscription(user, *, subscription: dict) -> Preference:
    """The app's service worker subscribed (or renewed): keep the subscription, turn push on."""
    if not isinstance(subscription.get("endpoint"), str) or not isinstance(subscription.get("keys"), dict):
        raise ValueError("a push subscription has an endpoint and keys")
    preference, _created = Preference.objects.get_or_create(user=user)
    preference.push_subscription = {"endpoint": subscription["endpoint"], "keys": subscription["keys"]}
    preference.push = True
    preference.updated_at = timezone.now()
    preference.save(update_fields=["push_subscription", "push", "updated_at"])
    return preference


@transaction.atomic
def remove_push_subscription(user) -> Preference | None:
    """The person turned push off on their phone (or the browser withdrew it): forget the
    subscription; messages go by their other channels again."""
    preference = Preference.objects.filter(user=user).first()
    if preference is None:
        return None
    preference.push_subscription = None
    preference.push = False
    preference.updated_at = timezone.now()
    preference.save(update_fields=["push_subscription", "push", "updated_at"])
    return preference
