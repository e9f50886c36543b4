"""Whom home services tell, and what (issue 12 §2); notify sends.

* the caregiver, when an order is dispatched to her (automatically, by the manager or by the
  route planner): "order.dispatched";
* the elder, when her caregiver sets off ("order.on_the_way") and checks in
  ("order.checked_in"): through her own account's preferences, else by SMS to her phone;
  an elder with neither is told through her contacts who agreed to be sent messages
  (registry.Contact.tell_of_alarms).

Messages take plain values (the order's number, the service, the caregiver's name, times).
Each has a key (order, step, person), so a step taken twice tells nobody twice. A step
recorded long after it happened (a check-in queued on a phone without a connection, the
demo's history) tells nobody: the news would be stale.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from kangyang.accounts import licences
from kangyang.lib import crypto
from kangyang.notify import actions as notify
from kangyang.notify import queries as notify_queries
from kangyang.notify.models import Channel, Kind
from kangyang.services.models import Caregiver, Order, Provider

# News older than this is not sent.
STALE_AFTER = dt.timedelta(minutes=30)


def _fresh(at: dt.datetime | None) -> bool:
    return at is None or timezone.now() - at <= STALE_AFTER


def _by_phone(encrypted: str, audience: str) -> notify.Recipient | None:
    if not encrypted:
        return None
    return notify.Recipient(phone=crypto.decrypt(encrypted), channels=(Channel.SMS,), audience=audience,
                            language=settings.LANGUAGE_CODE)


def caregiver_recipient(caregiver: Caregiver) -> notify.Recipient | None:
    """Her account's preferences if she set them, else her phone on file, else her account's e-mail."""
    user = caregiver.user
    if user is not None and notify_queries.preference_of(user) is not None:
        return notify_queries.recipient_for(user, audience="caregiver")
    return _by_phone(caregiver.phone_encrypted, "caregiver") or (
        notify_queries.recipient_for(user, audience="caregiver") if user is not None else None)


def elder_recipients(order: Order) -> list[tuple[str, notify.Recipient]]:
    """(key part, recipient) for the elder of the order, see the module's rules."""
    elder = order.elder
    if elder.user_id is not None and notify_queries.preference_of(elder.user) is not None:
        return [(f"user:{elder.user_id}", notify_queries.recipient_for(elder.user, audience="elder"))]
    own = _by_phone(elder.phone_encrypted, "elder")
    if own is not None:
        return [("elder", own)]
    return [(f"contact:{c.pk}", r) for c in elder.contacts.filter(tell_of_alarms=True).order_by("priority", "pk")
            if (r := _by_phone(c.phone_encrypted, "family")) is not None]


def tell_caregiver_dispatched(order: Order, *, at: dt.datetime | None = None) -> int:
    """The caregiver the order has just been given to. Returns the deliveries queued."""
    if order.caregiver is None or not _fresh(at):
        return 0
    recipient = caregiver_recipient(order.caregiver)
    if recipient is None:
        return 0
    start, end = timezone.localtime(order.window_start), timezone.localtime(order.window_end)
    context = {"order": f"#{order.pk}", "day": start.strftime("%m-%d"),
               "window": f"{start:%H:%M}–{end:%H:%M}"}
    return len(notify.notify(recipient, template="order.dispatched", context=context, kind=Kind.ORDER,
                             key=f"order:{order.pk}:dispatched:caregiver:{order.caregiver_id}",
                             region_code=order.region_code))


def tell_elder(order: Order, *, template: str, at: dt.datetime | None = None) -> int:
    """The elder (or her contacts) of a step of her visit: "order.on_the_way" or
    "order.checked_in". Returns the deliveries queued."""
    if order.caregiver is None or not _fresh(at):
        return 0
    context = {"order": f"#{order.pk}", "caregiver": order.caregiver.name, "item": order.item.name,
               "time": timezone.localtime(at or timezone.now()).strftime("%H:%M")}
    queued = 0
    for part, recipient in elder_recipients(order):
        queued += len(notify.notify(recipient, template=template, context=context, kind=Kind.ORDER,
                                    key=f"order:{order.pk}:{template}:{part}", region_code=order.region_code))
    return queued


# -- licences (issue 12 §2) ------------------------------------------------------------------
def expiring_provider_licences(*, today: dt.date) -> list[licences.ExpiringLicence]:
    """The licence on each active provider's own record (Provider.licence_number and
    licence_valid_until) expiring in the window of the pass on `today`. The same number and
    date in the register of organisations is told once, not twice (LicenceWarning)."""
    start, end = licences.warning_window(today)
    providers = (Provider.objects.filter(active=True, licence_valid_until__range=(start, end))
                 .select_related("organisation", "organisation__region").order_by("licence_valid_until", "pk"))
    return [licences.ExpiringLicence(organisation=p.organisation, words=p.licence_number, number=p.licence_number,
                                     expires=p.licence_valid_until) for p in providers]


def warn_expiring_provider_licences(*, today: dt.date | None = None) -> int:
    """The daily pass over providers' own licences (the rule is accounts/licences.py)."""
    today = today or timezone.localdate()
    return licences.warn_expiring_licences(today=today, licences=expiring_provider_licences(today=today))
