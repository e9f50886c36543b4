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
