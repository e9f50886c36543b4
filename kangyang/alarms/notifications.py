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

Each message has a key (alarm, step, person), so a step that runs twice, or a task that is
retried, sends nothing twice. Staff messages carry the alarm's number, type, community and
wait, no name; only the family's names the elder, whom they know.
"""

import logging

from django.conf import settings
from django.utils import timezone

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
