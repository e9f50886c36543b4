"""Health alerts: raised by urgent readings (the ingestion calls `raise_alerts` inside its
transaction), acknowledged, escalated when nobody does, closed with an outcome.

Who is told (kangyang/notify, Kind.HEALTH_ALERT, never held by quiet hours):
* when raised (after the raising transaction commits): the members with an account of the team
  of the elder's contract in force, the community workers of the elder's community, and — only
  when the elder agreed (registry.HealthRecord.alerts_to_family) — her family contacts with an
  account (`family_told` records it);
* not acknowledged within KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES: level 1, the subdistrict
  officers of the elder's subdistrict; after twice as long: level 2, the bureau admins of her
  district. Each level once (a conditional update claims it, so two workers never tell twice).

Staff messages carry the alert's number, the kind of reading and the community, never a name
(as the alarms' do); only the family's names the elder, whom they know. Each message has a key
(alert, step, person), so nothing is sent twice. Every step is audited.
"""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.health.models import Contract, HealthAlert, Reading, TeamMember
from kangyang.health.models.readings import ReadingKind

log = logging.getLogger("kangyang.health.alerts")
S = HealthAlert.Status
URGENT = "urgent"
MAX_OUTCOME = 4000


def escalate_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES)


# -- raising ----------------------------------------------------------------------------------
def raise_alerts(readings: list[Reading], *, now: dt.datetime, tell: bool = True) -> list[HealthAlert]:
    """One alert per urgent reading (stored readings, with pk), for the elder's team and community.
    Called inside the caller's transaction; notifications go out after it commits (not with
    `tell=False`: the demo's history). A reading that has an alert already raises none again."""
    urgent = [r for r in readings if r.classification == URGENT and r.pk is not None]
    if not urgent:
        return []
    already = set(HealthAlert.objects.filter(reading_id__in=[r.pk for r in urgent]).values_list("reading_id", flat=True))
    urgent = [r for r in urgent if r.pk not in already]
    if not urgent:
        return []
    from kangyang.registry.models import Elder

    elder_ids = {r.elder_id for r in urgent}
    regions = dict(Elder.objects.filter(pk__in=elder_ids).values_list("pk", "region_code"))
    teams = {}
    for elder_id, team_id in (Contract.objects.valid_on(timezone.localdate(now)).filter(elder_id__in=elder_ids)
                              .order_by("starts_on", "pk").values_list("elder_id", "team_id")):
        teams[elder_id] = team_id  # the latest contract in force wins
    alerts = HealthAlert.objects.bulk_create([
        HealthAlert(elder_id=r.elder_id, region_code=regions.get(r.elder_id, ""), reading_id=r.pk,
                    team_id=teams.get(r.elder_id), rule=r.rule, raised_at=now)
        for r in urgent])
    if alerts and alerts[0].pk is None:  # a backend that returns no ids from a bulk insert
        alerts = list(HealthAlert.objects.filter(reading_id__in=[r.pk for r in urgent]))
    for alert in alerts:
        record(None, AuditEntry.Action.CREATE, alert, verb="health_alert.raise",
               changes={"rule": [None, alert.rule]})
    if tell:
        transaction.on_commit(partial(tell_raised, [a.pk for a in alerts], now=now))
    return alerts


def _alerts(ids) -> list[HealthAlert]:
    return list(HealthAlert.objects.filter(pk__in=ids).select_related("elder", "reading").order_by("pk"))


def _kind_label(alert: HealthAlert):
    kind = alert.reading.kind if alert.reading_id else ""
    return ReadingKind(kind).label if kind in ReadingKind.values else _("reading")


def _community_name(region_code: str) -> str:
    from kangyang.regions.models import Region

    return Region.objects.filter(code=region_code).values_list("name", flat=True).first() or region_code


def _link(alert: HealthAlert) -> str:
    return settings.PUBLIC_URL + reverse("health:alert", args=[alert.pk])


def _staff_context(alert: HealthAlert, now: dt.datetime) -> dict:
    return {
        "alert": f"#{alert.pk}",
        "kind": _kind_label(alert),  # lazy: in each recipient's language
        "community": _community_name(alert.region_code),
        "minutes": max(1, int((now - alert.raised_at).total_seconds() // 60)),
        "link": _link(alert),
    }


def _time_in_words(at):
    return lazy(lambda: formats.date_format(timezone.localtime(at), "DATETIME_FORMAT"), str)()


def team_members(alert: HealthAlert) -> list[User]:
    if alert.team_id is None:
        return []
    return list(User.objects.filter(
        pk__in=TeamMember.objects.filter(team_id=alert.team_id, team__active=True, user__isnull=False)
        .values("user_id"), is_active=True, role=User.Role.DOCTOR).order_by("pk"))


def community_workers(alert: HealthAlert) -> list[User]:
    return list(User.objects.filter(role=User.Role.COMMUNITY_WORKER, is_active=True,
                                    region__code=alert.region_code).order_by("pk"))


def family_to_tell(alert: HealthAlert) -> list:
    """(user, contact) of each active family account of the elder, once per account, when she
    agreed to have her family told of health alerts; nobody otherwise."""
    from kangyang.registry.models import HealthRecord

    if not HealthRecord.objects.filter(elder_id=alert.elder_id, alerts_to_family=True).exists():
        return []
    found = {}
    for contact in (alert.elder.contacts.filter(user__isnull=False, user__is_active=True, user__role=User.Role.FAMILY)
                    .select_related("user").order_by("priority", "pk")):
        found.setdefault(contact.user_id, (contact.user, contact))
    return list(found.values())


def subdistrict_officers(alert: HealthAlert) -> list[User]:
    return list(User.objects.filter(role=User.Role.SUBDISTRICT_OFFICER, is_active=True,
                                    region__code=alert.region_code[:9] + "000").order_by("pk"))


def district_admins(alert: HealthAlert) -> list[User]:
    return list(User.objects.filter(role=User.Role.BUREAU_ADMIN, is_active=True,
                                    region__code=alert.region_code[:6] + "000000").order_by("pk"))


def _tell_user(alert: HealthAlert, user: User, *, audience: str, template: str, step: str, context: dict, now) -> int:
    from kangyang.notify import actions as notify
    from kangyang.notify import queries as notify_queries
    from kangyang.notify.models import Kind

    recipient = notify_queries.recipient_for(user, audience=audience)
    return len(notify.notify(recipient, template=template, context=context, kind=Kind.HEALTH_ALERT,
                             key=f"health_alert:{alert.pk}:{step}:user:{user.pk}", region_code=alert.region_code,
                             now=now))


def tell_raised(ids, *, now: dt.datetime | None = None) -> int:
    """Queue the messages of newly raised alerts (the module's rules); returns how many."""
    from kangyang.alarms.notifications import family_app_recipient
    from kangyang.notify import actions as notify
    from kangyang.notify.models import Kind

    now = now or timezone.now()
    sent = 0
    for alert in _alerts(ids):
        if alert.status == S.CLOSED:
            continue
        staff = _staff_context(alert, now)
        for user in team_members(alert):
            sent += _tell_user(alert, user, audience="health_team", template="health.alert", step="raise",
                               context=staff, now=now)
        for user in community_workers(alert):
            sent += _tell_user(alert, user, audience="community_worker", template="health.alert", step="raise",
                               context=staff, now=now)
        family = family_to_tell(alert)
        told_family = False
        for user, contact in family:
            recipient = family_app_recipient(user, contact)
            if recipient is None:
                continue
            context = {"elder": alert.elder.name, "kind": _kind_label(alert), "time": _time_in_words(alert.raised_at)}
            queued = notify.notify(recipient, template="health.alert_family", context=context, kind=Kind.HEALTH_ALERT,
                                   key=f"health_alert:{alert.pk}:family:user:{user.pk}",
                                   region_code=alert.region_code, now=now)
            sent += len(queued)
            told_family = True
        if told_family and not alert.family_told:
            HealthAlert.objects.filter(pk=alert.pk).update(family_told=True)
            record(None, AuditEntry.Action.CHANGE, alert, verb="health_alert.family_told",
                   changes={"family_told": [False, True]})
    if sent:
        log.info("health alerts %s: %d messages queued", ids, sent)
    return sent


# -- handling ---------------------------------------------------------------------------------
def _may_handle(alert: HealthAlert, by) -> None:
    if not scope.handles_health_alert(by, alert):
        raise PermissionDenied(_("Only the elder's family-doctor team and the staff of her area handle her alerts."))


@transaction.atomic
def acknowledge(alert: HealthAlert, by, *, now: dt.datetime | None = None) -> HealthAlert:
    """Someone has taken the alert in hand: it stops escalating."""
    _may_handle(alert, by)
    now = now or timezone.now()
    claimed = HealthAlert.objects.filter(pk=alert.pk, status=S.OPEN).update(
        status=S.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=by)
    if not claimed:
        raise ValidationError(_("The alert is no longer open: someone acknowledged or closed it."), code="wrong_status")
    alert.refresh_from_db()
    record(by, AuditEntry.Action.CHANGE, alert, verb="health_alert.acknowledge",
           changes={"status": [S.OPEN, S.ACKNOWLEDGED]})
    return alert


@transaction.atomic
def close(alert: HealthAlert, by, outcome: str, *, now: dt.datetime | None = None) -> HealthAlert:
    """Close the alert with what was done (required). An open alert closed at once counts as
    acknowledged by the same person."""
    _may_handle(alert, by)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": ValidationError(_("Say what was done."), code="required")})
    if len(outcome) > MAX_OUTCOME or "\x00" in outcome:
        raise ValidationError({"outcome": ValidationError(_("At most %(n)d characters of text.") % {"n": MAX_OUTCOME},
                                                          code="invalid")})
    now = now or timezone.now()
    current = HealthAlert.objects.select_for_update().get(pk=alert.pk)
    if current.status == S.CLOSED:
        raise ValidationError(_("The alert is closed already."), code="wrong_status")
    before = current.status
    if current.status == S.OPEN:
        current.acknowledged_at, current.acknowledged_by = now, by
    current.status, current.closed_at, current.closed_by, current.outcome = S.CLOSED, now, by, outcome
    current.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "closed_at", "closed_by", "outcome"])
    record(by, AuditEntry.Action.CHANGE, current, verb="health_alert.close", changes={"status": [before, S.CLOSED]})
    return current


# -- escalation -------------------------------------------------------------------------------
def escalate_health_alerts_once(now: dt.datetime | None = None) -> int:
    """One pass (the worker runs it every minute): each open alert goes up to the level its wait
    calls for, each level told once. Returns how many escalations were made."""
    now = now or timezone.now()
    after = escalate_after()
    made = 0
    waiting = (HealthAlert.objects.filter(status=S.OPEN, escalation_level__lt=2, raised_at__lte=now - after)
               .select_related("elder", "reading").order_by("raised_at", "pk"))
    for alert in waiting.iterator():
        waited = now - alert.raised_at
        for level, due, people, audience in ((1, waited >= after, subdistrict_officers, "subdistrict_officer"),
                                             (2, waited >= 2 * after, district_admins, "bureau")):
            if not due:
                break
            with transaction.atomic():
                claimed = HealthAlert.objects.filter(pk=alert.pk, status=S.OPEN, escalation_level=level - 1).update(
                    escalation_level=level, escalated_at=now)
                if not claimed:
                    continue
                context = _staff_context(alert, now)
                for user in people(alert):
                    _tell_user(alert, user, audience=audience, template="health.alert_escalated",
                               step=f"level{level}", context=context, now=now)
                record(None, AuditEntry.Action.CHANGE, alert, verb="health_alert.escalate",
                       changes={"escalation_level": [level - 1, level]})
            made += 1
    if made:
        log.info("escalated %d health alerts", made)
    return made


# -- the demo ---------------------------------------------------------------------------------
def seed_demo_alerts(readings, *, now: dt.datetime, handled_by=None) -> int:
    """For demo_readings.py: raise the alerts of the given stored urgent readings (as the
    ingestion would, without sending anything: the demo's messages are not real), then handle
    them as a team would — the older ones closed with an outcome, one acknowledged, the newest
    left open — when `handled_by` (a team member's or worker's account) is given. Returns how
    many alerts were made."""
    urgent = sorted((r for r in readings if r.classification == URGENT and r.pk is not None),
                    key=lambda r: (r.measured_at, r.pk))
    made = []
    for reading in urgent:
        with transaction.atomic():
            alerts = HealthAlert.objects.filter(reading=reading)
            if alerts.exists():
                continue
            # raised when measured (plus a minute to arrive), as the ingestion would have
            at = min(reading.measured_at + dt.timedelta(minutes=1), now)
            made.extend(raise_alerts([reading], now=at, tell=False))
    if handled_by is not None and made:
        for index, alert in enumerate(made[:-1]):
            if not scope.handles_health_alert(handled_by, alert):
                continue
            at = alert.raised_at + dt.timedelta(minutes=12)
            if index == len(made) - 2:
                acknowledge(alert, handled_by, now=at)
            else:
                close(alert, handled_by, _("Called the elder; the reading was repeated and the doctor visited."),
                      now=at)
    return len(made)
