"""Handling an alarm: acknowledge, act (calls, notes), send the community worker to the door,
resolve, and escalate what nobody acknowledged in time; the worker completing a task; the
full phone numbers of the elder's contacts for the operator. A change of status is a
conditional UPDATE (`… WHERE status = 'raised'`), so two operators, or the operator and the
escalation loop, never both take the same step."""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.alarms import constants, tasks
from kangyang.alarms.actions.access import can_handle, can_note
from kangyang.alarms.models import Alarm, AlarmEvent, Device, WorkerTask
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.registry.models import Contact, Elder

log = logging.getLogger(__name__)

S = Alarm.Status
K = AlarmEvent.Kind


def _refusal(alarm: Alarm) -> ValidationError:
    """Why a step could not be taken, from the alarm as it is now in the database."""
    if alarm.status == S.RESOLVED:
        return ValidationError(_("This alarm has already been resolved."), code="already_resolved")
    if alarm.status == S.ACKNOWLEDGED:
        who = alarm.acknowledged_by
        return ValidationError(
            _("This alarm has already been taken by %(name)s.") % {"name": str(who) if who else "?"},
            code="taken",
        )
    return ValidationError(_("Acknowledge the alarm first."), code="not_acknowledged")


@transaction.atomic
def acknowledge_alarm(alarm: Alarm, *, by, note: str = "", now: dt.datetime | None = None) -> Alarm:
    """An operator takes the alarm. Only one can: the step is an UPDATE … WHERE
    status='raised', and the loser is told who took it. The same operator acknowledging
    again changes nothing."""
    if not can_handle(by, alarm.region_code):
        raise PermissionDenied
    now = now or timezone.now()
    claimed = Alarm.objects.filter(pk=alarm.pk, status=S.RAISED).update(
        status=S.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=now, updated_at=now,
    )
    alarm.refresh_from_db()
    if not claimed:
        if alarm.status == S.ACKNOWLEDGED and alarm.acknowledged_by_id == by.pk:
            return alarm
        raise _refusal(alarm)
    AlarmEvent.objects.create(
        alarm=alarm, region_code=alarm.region_code, kind=K.ACKNOWLEDGED, at=now, by=by, note=note,
    )
    record(by, AuditEntry.Action.CHANGE, alarm, verb="alarm.acknowledge", note=note)
    return alarm


@transaction.atomic
def record_alarm_action(
    alarm: Alarm, *, by, kind: str, contact: Contact | None = None, reached: bool | None = None,
    note: str = "", now: dt.datetime | None = None,
) -> AlarmEvent:
    """The operator did something for the alarm (called the elder or a contact, sent the
    worker, a caregiver or a volunteer, called 120/110/119, wrote a note). Actions need the
    alarm acknowledged and not resolved; a note can be added at any time, also by the
    community worker. A call to a contact names a contact of the alarm's elder."""
    now = now or timezone.now()
    if kind not in AlarmEvent.ACTIONS:
        raise ValidationError({"kind": ValidationError(_("Unknown action."), code="invalid")})
    if kind == K.NOTE:
        if not can_note(by, alarm.region_code):
            raise PermissionDenied
        if not note.strip():
            raise ValidationError({"note": ValidationError(_("Write the note."), code="required")})
    else:
        if not can_handle(by, alarm.region_code):
            raise PermissionDenied
        current = Alarm.objects.filter(pk=alarm.pk).values_list("status", flat=True).first()
        if current != S.ACKNOWLEDGED:
            alarm.refresh_from_db()
            raise _refusal(alarm)
    if kind == K.CALLED_CONTACT:
        if contact is None or alarm.elder_id is None or contact.elder_id != alarm.elder_id:
            raise ValidationError({"contact": ValidationError(
                _("Choose one of the elder's contacts."), code="invalid")})
    elif contact is not None:
        raise ValidationError({"contact": ValidationError(
            _("Only a call to a contact names a contact."), code="invalid")})
    if reached is not None and kind not in AlarmEvent.CALLS:
        reached = None
    event = AlarmEvent.objects.create(
        alarm=alarm, region_code=alarm.region_code, kind=kind, at=now, by=by, contact=contact,
        reached=reached, note=note.strip(),
    )
    Alarm.objects.filter(pk=alarm.pk).update(updated_at=now)
    record(by, AuditEntry.Action.CHANGE, alarm, verb="alarm.action", note=kind)
    return event


@transaction.atomic
def request_door_visit(alarm: Alarm, *, by=None, note: str = "", now: dt.datetime | None = None) -> WorkerTask:
    """Nobody could be reached: the community worker of the elder's community gets a task
    to knock on the door. One per alarm; asking again returns the same task."""
    now = now or timezone.now()
    if by is not None and not can_handle(by, alarm.region_code):
        raise PermissionDenied
    task = WorkerTask.objects.filter(alarm=alarm, kind=WorkerTask.Kind.DOOR_VISIT).first()
    if task is not None:
        return task
    task = WorkerTask.objects.create(
        kind=WorkerTask.Kind.DOOR_VISIT, alarm=alarm, elder_id=alarm.elder_id,
        region_code=alarm.region_code, created_at=now, note=note,
    )
    AlarmEvent.objects.create(alarm=alarm, region_code=alarm.region_code, kind=K.DOOR_VISIT, at=now, by=by, note=note)
    Alarm.objects.filter(pk=alarm.pk).update(updated_at=now)
    transaction.on_commit(partial(tasks.tell_worker_of_door_visit.enqueue, task.pk))
    return task


@transaction.atomic
def resolve_alarm(
    alarm: Alarm, *, by, outcome: str, note: str = "", now: dt.datetime | None = None,
) -> Alarm:
    """The alarm is dealt with, with its outcome. Only an acknowledged alarm can be resolved,
    once. "No answer" also asks for a door visit; "test" counts as the device's monthly
    test alarm."""
    if not can_handle(by, alarm.region_code):
        raise PermissionDenied
    if outcome not in Alarm.Outcome.values:
        raise ValidationError({"outcome": ValidationError(_("Choose an outcome."), code="required")})
    now = now or timezone.now()
    claimed = Alarm.objects.filter(pk=alarm.pk, status=S.ACKNOWLEDGED).update(
        status=S.RESOLVED, outcome=outcome, resolved_by=by, resolved_at=now, updated_at=now,
    )
    alarm.refresh_from_db()
    if not claimed:
        raise _refusal(alarm)
    AlarmEvent.objects.create(
        alarm=alarm, region_code=alarm.region_code, kind=K.RESOLVED, at=now, by=by,
        note=note.strip(),
    )
    if outcome == Alarm.Outcome.NO_ANSWER:
        request_door_visit(alarm, by=by, note=note.strip(), now=now)
    if outcome == Alarm.Outcome.TEST and alarm.device_id is not None:
        Device.objects.filter(pk=alarm.device_id).filter(
            Q(last_test_alarm_at__isnull=True) | Q(last_test_alarm_at__lt=alarm.raised_at)
        ).update(last_test_alarm_at=alarm.raised_at)
    record(by, AuditEntry.Action.CHANGE, alarm, verb="alarm.resolve", note=outcome)
    return alarm


def escalate_overdue(*, now: dt.datetime | None = None) -> list[Alarm]:
    """An alarm not acknowledged within ALARM_ESCALATE_AFTER of its arrival goes to the
    second operator group; after twice that, to the duty officer. Each step is an event and
    happens once: a conditional UPDATE from tier t to t+1 (idempotent per tier, and safe
    with two loops running). Returns the alarms escalated by this call."""
    now = now or timezone.now()
    after = settings.ALARM_ESCALATE_AFTER
    escalated = []
    for tier in range(constants.MAX_TIER):
        due = Alarm.objects.filter(
            status=S.RAISED, escalation_tier=tier, received_at__lte=now - after * (tier + 1)
        ).order_by("received_at")
        for alarm in due[:500]:
            with transaction.atomic():
                claimed = Alarm.objects.filter(pk=alarm.pk, status=S.RAISED, escalation_tier=tier).update(
                    escalation_tier=tier + 1, escalated_at=now, updated_at=now,
                )
                if not claimed:
                    continue
                alarm.escalation_tier, alarm.escalated_at, alarm.updated_at = tier + 1, now, now
                AlarmEvent.objects.create(
                    alarm=alarm, region_code=alarm.region_code, kind=K.ESCALATED, at=now, tier=tier + 1,
                )
                transaction.on_commit(partial(tasks.tell_escalation.enqueue, alarm.pk, tier + 1))
            escalated.append(alarm)
    if escalated:
        log.warning("alarms escalated: %d", len(escalated))
    return escalated


# -- worker tasks ----------------------------------------------------------------------------
@transaction.atomic
def complete_task(task: WorkerTask, *, by, note: str = "", now: dt.datetime | None = None) -> WorkerTask:
    """The community worker has done the task (visited, changed the battery…). Once."""
    if not scope.can_edit(by, task.region_code):
        raise PermissionDenied
    now = now or timezone.now()
    done = WorkerTask.objects.filter(pk=task.pk, status=WorkerTask.Status.OPEN).update(
        status=WorkerTask.Status.DONE, done_at=now, done_by=by, note=note.strip() or task.note,
    )
    task.refresh_from_db()
    if not done:
        raise ValidationError(_("This task is already done."), code="already_done")
    record(by, AuditEntry.Action.CHANGE, task, verb="alarm_task.complete", note=note)
    return task


# -- the card's phone numbers ----------------------------------------------------------------
def reveal_contact_phones(elder: Elder, *, by, reason: str) -> list[dict]:
    """The full phone numbers of the elder's contacts, in call order, for someone whose area
    covers the elder and who states why (an operator calling back). One audit entry,
    `elder.reveal_contacts`, is written before the numbers are returned."""
    if not scope.can_reveal(by, elder.region_code):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("State why you need the full number.")}, code="reason")
    contacts = list(elder.contacts.order_by("priority", "id"))
    record(by, AuditEntry.Action.VIEW_FULL, elder, verb="elder.reveal_contacts", note=reason)
    return [{"contact": c, "phone": crypto.decrypt(c.phone_encrypted) if c.phone_encrypted else ""} for c in contacts]
