"""Whom the alarm centre tells when an alarm waits (issue 12 §2), and what; notify sends.

Escalation (actions.escalate_overdue) raises an alarm's tier once per step; after commit the
task `tell_escalation` calls `tell_escalation(alarm, tier)` here:

* tier 1, not answered within ALARM_ESCALATE_AFTER: the second operator group, the community
  worker of the alarm's community, and the elder's contacts who are to be told of alarms
  (Contact.tell_of_alarms: only if the elder agreed);
* tier 2, not answered after twice as long: the duty officer.

The second operator group is the operators (whose area covers the alarm) in the Django group
SECOND_GROUP, kept in the admin site; while that group has none of them, every operator of the
area is paged. The duty officer is the bureau admin of the narrowest area that covers the
alarm (the district's before the city's).

The family in the app (issue 14): when an alarm of an elder is raised, every family member
bound to her in the app (a Contact with a `user`, active) whom she agreed to have told
(Contact.tell_of_alarms) is told at once (`tell_family_at_raise`, queued after commit by
raise_alarm / raise_device_alarms): by web push when their notification preference holds a
push subscription with push on, by SMS otherwise (the number of their preference, else the
contact's). Once per alarm and person: the key `alarm:<id>:family:user:<user id>`, checked
over every channel, so a later push subscription does not tell them again by push. At the
escalation step such a person is not sent the family SMS again (they know already); a contact
without an account, or one the raise could not reach, still gets it as before.

Each message has a key (alarm, step, person), so a step that runs twice, or a task that is
retried, sends nothing twice. Staff messages carry the alarm's number, type, community and
wait, no name; only the family's names the elder, whom they know.
"""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import lazy

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.alarms import constants
from kangyang.alarms.models import Alarm
from kangyang.lib import crypto
from kangyang.notify import actions as notify
from kangyang.notify import queries as notify_queries
from kangyang.notify.models import Channel, Delivery, Kind
from kangyang.regions.models import Region

log = logging.getLogger("kangyang.alarms.notify")

# The Django group (admin site → Groups) of the alarm centre's second line.
SECOND_GROUP = "alarm_second_group"


def second_group(alarm: Alarm) -> list[User]:
    operators = [u for u in User.objects.filter(role=User.Role.HOTLINE_OPERATOR, is_active=True)
                 .select_related("region").order_by("pk") if scope.in_area(u, alarm.region_code)]
    grouped = [u for u in operators if u.groups.filter(name=SECOND_GROUP).exists()]
    return grouped or operators


def duty_officers(alarm: Alarm) -> list[User]:
    """The bureau admins of the narrowest area that covers the alarm."""
    admins = [u for u in User.objects.filter(role=User.Role.BUREAU_ADMIN, is_active=True)
              .select_related("region").order_by("pk") if u.region_id and scope.in_area(u, alarm.region_code)]
    if not admins:
        return []
    narrowest = max(len(u.region.prefix) for u in admins)
    return [u for u in admins if len(u.region.prefix) == narrowest]


def community_workers(alarm: Alarm) -> list[User]:
    return list(User.objects.filter(role=User.Role.COMMUNITY_WORKER, is_active=True,
                                    region__code=alarm.region_code).order_by("pk"))


def family_to_tell(alarm: Alarm) -> list:
    if alarm.elder_id is None:
        return []
    return list(alarm.elder.contacts.filter(tell_of_alarms=True).order_by("priority", "pk"))


def _staff_context(alarm: Alarm, now) -> dict:
    community = Region.objects.filter(code=alarm.region_code).values_list("name", flat=True).first()
    return {
        "alarm": f"#{alarm.pk}",
        "type": Alarm.Type(alarm.type).label,  # lazy: rendered in each recipient's language
        "community": community or alarm.region_code,
        "minutes": max(1, int((now - alarm.received_at).total_seconds() // 60)),
    }


def tell_escalation(alarm: Alarm, tier: int, *, now=None) -> list[Delivery]:
    """Queue the messages of escalation step `tier` of the alarm (see the module's rules);
    nothing when it has been answered meanwhile. Returns the deliveries queued now."""
    if alarm.status != Alarm.Status.RAISED:
        return []
    return _tell(alarm, tier, now=now or timezone.now())


def _tell(alarm: Alarm, tier: int, *, now) -> list[Delivery]:
    staff = _staff_context(alarm, now)
    sent: list[Delivery] = []

    def tell_user(user: User, audience: str, template: str, step: str) -> None:
        recipient = notify_queries.recipient_for(user, audience=audience)
        sent.extend(notify.notify(recipient, template=template, context=staff, kind=Kind.ALARM,
                                  key=f"alarm:{alarm.pk}:{step}:user:{user.pk}", region_code=alarm.region_code,
                                  now=now))

    if tier == constants.TIER_SECOND_GROUP:
        for user in second_group(alarm):
            tell_user(user, "second_group", "alarm.escalated", "tier1")
        for user in community_workers(alarm):
            tell_user(user, "community_worker", "alarm.worker", "worker")
        for contact in family_to_tell(alarm):
            if contact.user_id is not None and notify_queries.was_told(family_app_key(alarm, contact.user_id)):
                continue  # told in the app when the alarm was raised (issue 14)
            recipient = notify.Recipient(phone=crypto.decrypt(contact.phone_encrypted), channels=(Channel.SMS,),
                                         audience="family", language=settings.LANGUAGE_CODE)
            context = {"elder": alarm.elder.name, "type": Alarm.Type(alarm.type).label,
                       "time": timezone.localtime(alarm.raised_at).strftime("%H:%M")}
            sent.extend(notify.notify(recipient, template="alarm.family", context=context, kind=Kind.ALARM,
                                      key=f"alarm:{alarm.pk}:family:contact:{contact.pk}",
                                      region_code=alarm.region_code, now=now))
    elif tier == constants.TIER_DUTY_OFFICER:
        for user in duty_officers(alarm):
            tell_user(user, "duty_officer", "alarm.escalated", "tier2")
    log.info("alarm %d tier %d: %d messages queued", alarm.pk, tier, len(sent))
    return sent


# -- issue 14 (elder app): the family is told at once ------------------------------------------
def family_app_key(alarm: Alarm, user_id: int) -> str:
    return f"alarm:{alarm.pk}:family:user:{user_id}"


def bound_family(alarm: Alarm) -> list:
    """(user, contact) of each active family account bound to the alarm's elder whom she
    agreed to have told, once per account, in her call order."""
    if alarm.elder_id is None:
        return []
    found = {}
    for contact in (alarm.elder.contacts.filter(tell_of_alarms=True, user__isnull=False, user__is_active=True)
                    .select_related("user").order_by("priority", "pk")):
        found.setdefault(contact.user_id, (contact.user, contact))
    return list(found.values())


def family_app_recipient(user: User, contact) -> notify.Recipient | None:
    """Web push where the person's phone subscribed (and push is on), else SMS to the number
    of their preference or, without one, the contact's number on the elder's record."""
    preference = notify_queries.preference_of(user)
    language = preference.language if preference is not None else settings.LANGUAGE_CODE
    if preference is not None and preference.push and preference.push_subscription:
        return notify.Recipient(push_subscription=preference.push_subscription, channels=(Channel.PUSH,),
                                audience="family", language=language)
    phone = ""
    if preference is not None and preference.phone_encrypted:
        phone = crypto.decrypt(preference.phone_encrypted)
    elif contact.phone_encrypted:
        phone = crypto.decrypt(contact.phone_encrypted)
    if not phone:
        return None
    return notify.Recipient(phone=phone, channels=(Channel.SMS,), audience="family", language=language)


def _time_in_words(at):
    # Lazy: rendered by notify in the recipient's language ("2025年3月5日 14:05").
    return lazy(lambda: formats.date_format(timezone.localtime(at), "DATETIME_FORMAT"), str)()


def tell_family_at_raise(alarm: Alarm, *, now=None) -> list[Delivery]:
    """Tell the bound family of the alarm at once (the module's rules); nothing twice.
    Returns the deliveries queued now."""
    now = now or timezone.now()
    sent: list[Delivery] = []
    if alarm.elder_id is None:
        return sent
    context = {"elder": alarm.elder.name, "type": Alarm.Type(alarm.type).label, "time": _time_in_words(alarm.raised_at),
               "link": settings.PUBLIC_URL + reverse("portal:notifications")}
    for user, contact in bound_family(alarm):
        key = family_app_key(alarm, user.pk)
        if notify_queries.was_told(key):
            continue
        recipient = family_app_recipient(user, contact)
        if recipient is None:
            continue
        sent.extend(notify.notify(recipient, template="alarm.family_app", context=context, kind=Kind.ALARM,
                                  key=key, region_code=alarm.region_code, now=now))
    if sent:
        log.info("alarm %d: %d family members told at once", alarm.pk, len(sent))
    return sent


def seed_demo_deliveries(*, region_code: str, limit: int = 8) -> int:
    """The delivery log of the demo: the messages the latest `limit` escalated alarms of the
    history would have sent at their escalation steps, sent by the console transport. Done
    once per alarm (the keys); returns how many deliveries were added."""
    alarms = (Alarm.objects.filter(region_code__startswith=region_code, escalation_tier__gt=0)
              .select_related("elder").order_by("-received_at", "-pk")[:limit])
    added = 0
    for alarm in alarms:
        if Delivery.objects.filter(key__startswith=f"alarm:{alarm.pk}:").exists():
            continue
        for tier in range(1, alarm.escalation_tier + 1):
            at = alarm.received_at + settings.ALARM_ESCALATE_AFTER * tier
            queued = _tell(alarm, tier, now=at)
            Delivery.objects.filter(pk__in=[d.pk for d in queued]).update(
                status=Delivery.Status.SENT, attempts=1, last_attempt_at=at, sent_at=at, next_attempt_at=None,
                provider_id="console-demo",
            )
            added += len(queued)
    return added


def seed_demo_family_notice(elder) -> int:
    """The demo's `family` finds in the app the notice of her mother's latest alarm, sent
    (console) when it was raised; once (the keys). Returns how many
    deliveries were added."""
    if elder is None:
        return 0
    alarm = Alarm.objects.filter(elder=elder).select_related("elder").order_by("-raised_at", "-pk").first()
    if alarm is None:
        return 0
    at = alarm.received_at
    queued = tell_family_at_raise(alarm, now=at)
    Delivery.objects.filter(pk__in=[d.pk for d in queued]).update(
        status=Delivery.Status.SENT, attempts=1, last_attempt_at=at, sent_at=at, next_attempt_at=None,
        provider_id="console-demo",
    )
    return len(queued)
