"""Reads of the delivery log and of people's preferences."""

from django.conf import settings
from django.db.models import QuerySet

from kangyang.lib import crypto
from kangyang.notify.actions import Recipient
from kangyang.notify.models import Channel, Delivery, Preference


def deliveries_for(user, *, status: str = "", channel: str = "", kind: str = "", audience: str = "",
                   template: str = "") -> QuerySet[Delivery]:
    """The delivery log as `user` may see it (accounts/scope.py: delivery_filter), newest first."""
    deliveries = Delivery.objects.visible_to(user)
    for name, value in (("status", status), ("channel", channel), ("kind", kind), ("audience", audience),
                        ("template", template)):
        if value:
            deliveries = deliveries.filter(**{name: value})
    return deliveries.order_by("-created_at", "-id")


def preference_of(user) -> Preference | None:
    return Preference.objects.filter(user=user).first()


def recipient_for(user, *, audience: str = "") -> Recipient:
    """How to reach a person with an account: their preference's channels and addresses; a
    person who set none is reached by the e-mail address of their account, if any."""
    preference = preference_of(user)
    if preference is None:
        return Recipient(email=user.email or "", channels=(Channel.EMAIL,), audience=audience,
                         language=settings.LANGUAGE_CODE)
    channels = [c for c, on in ((Channel.PUSH, preference.push), (Channel.SMS, preference.sms),
                                (Channel.EMAIL, preference.by_email)) if on]
    return Recipient(
        phone=crypto.decrypt(preference.phone_encrypted) if preference.phone_encrypted else "",
        email=preference.email or user.email or "", push_subscription=preference.push_subscription,
        channels=tuple(channels), language=preference.language, quiet_from=preference.quiet_from,
        quiet_until=preference.quiet_until, audience=audience,
    )


# -- issue 14 (elder app): what a person was told ----------------------------------------------
def deliveries_to(user, *, kind: str = "") -> QuerySet[Delivery]:
    """The messages sent to a person with an account, newest first: by the senders' key
    convention, a message to one account has a key ending in ":user:<id>" (alarms, licences,
    the elder's orders, the family's alarm notices). Messages to a bare phone number (a
    contact without an account) are not theirs to read here."""
    deliveries = Delivery.objects.filter(key__endswith=f":user:{user.pk}")
    if kind:
        deliveries = deliveries.filter(kind=kind)
    return deliveries.order_by("-created_at", "-id")


def was_told(key: str) -> bool:
    """Whether a message with this key went out (or is queued) over any channel."""
    return Delivery.objects.filter(key=key).exists()
