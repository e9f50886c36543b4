"""Care calls (关爱电话): the hotline calls every elder living alone on a schedule.

* `schedule_care_calls(now)`: every active elder living alone (living arrangement "alone", or
  the category "living alone") with no call waiting and none made within
  CARE_CALL_EVERY_DAYS gets a pending call. An elder never called before is spread over the
  interval by her id (a district's first run does not put ten thousand calls on one
  morning's list); one called before is due at once. Set-based (one query finds them, batched
  inserts add them) and idempotent: one pending call per elder is a constraint, so a second
  pass, or a second worker at the same moment, adds nothing.
* `take_call(call, by=…)`: the operator who is about to dial claims the call; another
  operator is refused ("taken by …") until the call is recorded or the claim lapses
  (CLAIM_LAPSES: an operator who went home does not hold a call for ever).
* `record_outcome(call, by=…, outcome=…)`: well → done; needs help → done, and a home visit
  is due within 24 hours, assigned to her community worker, who is told; no answer → tried
  again after CARE_CALL_RETRY_MINUTES, and after CARE_CALL_RETRIES unanswered calls in a row
  a home visit is due within 24 hours (reason "care calls not answered"), assigned to and told
  to her community worker.

Claims and outcomes are conditional UPDATEs (the call must still be pending and free for the
caller), so two operators never both record one call, on SQLite and PostgreSQL alike.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.notify import actions as notify
from kangyang.notify import queries as notify_queries
from kangyang.notify.models import Kind
from kangyang.regions.models import Region
from kangyang.registry.models import Elder
from kangyang.visits.models import CareCall, Pairing, VisitDue, VisitProfile

log = logging.getLogger("kangyang.visits.calls")

O = CareCall.Outcome
# Outcomes an operator records (pending is the state before).
RECORDED = (O.WELL, O.NEEDS_HELP, O.NO_ANSWER)
# An operator's claim on a call lapses after this long without an outcome.
CLAIM_LAPSES = dt.timedelta(minutes=30)
# A visit a care call made due: within 24 hours (issue 15 §4).
VISIT_WITHIN = dt.timedelta(hours=24)
# Reasons of a visit due that a care call opens; an open one still due soon is reused.
CALL_REASONS = (VisitDue.Reason.CARE_CALL, VisitDue.Reason.CALL_HELP)
INSERT_BATCH = 2000


def every() -> dt.timedelta:
    return dt.timedelta(days=settings.CARE_CALL_EVERY_DAYS)


def retry_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CARE_CALL_RETRY_MINUTES)


def living_alone(path: str = "") -> Q:
    """Elders who live alone: by the living arrangement, or by the category in force."""
    return Q(**{f"{path}living_arrangement": Elder.LivingArrangement.ALONE}) | Q(
        **{f"{path}categories_text__contains": f",{Elder.Category.ALONE},"})


def elders_due_a_call(now: dt.datetime, *, region_prefix: str = ""):
    """(id, region code, called before) of each active elder living alone with no call
    waiting and none made within the interval (of the area `region_prefix`, '' for all)."""
    recent = CareCall.objects.filter(elder=OuterRef("pk")).filter(
        Q(outcome=O.PENDING) | Q(called_at__gt=now - every()))
    return (
        Elder.objects.filter(living_alone(), status=Elder.Status.ACTIVE, region_code__startswith=region_prefix)
        .filter(~Exists(recent))
        .annotate(called_before=Exists(CareCall.objects.filter(elder=OuterRef("pk"))))
        .values_list("pk", "region_code", "called_before")
    )


def schedule_care_calls(now: dt.datetime | None = None, *, region_prefix: str = "") -> int:
    """Give each elder living alone whose last call is older than the interval a pending
    call (the module's rules), in the area `region_prefix` ('' for the installation). Returns
    how many calls it asked to add (a call another worker added at the same moment is not
    added twice)."""
    now = now or timezone.now()
    days = settings.CARE_CALL_EVERY_DAYS
    batch: list[CareCall] = []
    added = 0
    for elder_id, region_code, called_before in elders_due_a_call(now, region_prefix=region_prefix).iterator(chunk_size=INSERT_BATCH):
        when = now if called_before else now + dt.timedelta(days=elder_id % days)
        batch.append(CareCall(elder_id=elder_id, region_code=region_code, scheduled_for=when))
        if len(batch) >= INSERT_BATCH:
            added += _insert(batch)
            batch = []
    added += _insert(batch)
    if added:
        log.info("care calls scheduled: %d", added)
    return added


def _insert(calls: list[CareCall]) -> int:
    if calls:
        CareCall.objects.bulk_create(calls, ignore_conflicts=True)
    return len(calls)


# -- taking and recording a call --------------------------------------------------------------
def _free_for(by, now: dt.datetime) -> Q:
    """A pending call nobody holds, held by `by`, or whose claim lapsed."""
    return Q(taken_at__isnull=True) | Q(operator=by) | Q(taken_at__lt=now - CLAIM_LAPSES)


def _check(by, call: CareCall) -> None:
    if not scope.makes_care_calls_of(by, call.region_code):
        raise PermissionDenied


def _refusal(call: CareCall, now: dt.datetime) -> ValidationError:
    """Why a claim or an outcome did not go through, read from the call as it is now."""
    call.refresh_from_db()
    if call.outcome != O.PENDING:
        return ValidationError(
            _("This call is recorded already: %(outcome)s.") % {"outcome": call.get_outcome_display()},
            code="done")
    if call.scheduled_for > now:
        return ValidationError(_("This call is not due yet."), code="not_due")
    holder = (call.operator.full_name or call.operator.username) if call.operator_id else ""
    return ValidationError(_("%(name)s has taken this call and is dialling.") % {"name": holder}, code="taken")


def take_call(call: CareCall, *, by, now: dt.datetime | None = None) -> CareCall:
    """Claim a due call before dialling: nobody else may take or record it until it is
    recorded or the claim lapses. Taking one's own call again changes nothing."""
    _check(by, call)
    now = now or timezone.now()
    with transaction.atomic():
        claimed = (CareCall.objects.filter(pk=call.pk, outcome=O.PENDING, scheduled_for__lte=now)
                   .filter(_free_for(by, now)).exclude(operator=by, taken_at__gte=now - CLAIM_LAPSES)
                   .update(operator=by, taken_at=now))
        if not claimed:
            call.refresh_from_db()
            if call.outcome == O.PENDING and call.operator_id == by.pk and call.scheduled_for <= now:
                return call  # already in hand
            raise _refusal(call, now)
        record(by, AuditEntry.Action.CHANGE, call, verb="care_call.take")
    call.refresh_from_db()
    return call


def record_outcome(call: CareCall, *, by, outcome: str, note: str = "", now: dt.datetime | None = None) -> CareCall:
    """Record what the call found (the module's rules). A call is recorded once; a call
    another operator holds is refused."""
    _check(by, call)
    now = now or timezone.now()
    note = (note or "").strip()
    if outcome not in RECORDED:
        raise ValidationError({"outcome": ValidationError(_("Choose what the call found."), code="outcome")})
    if outcome == O.NEEDS_HELP and not note:
        raise ValidationError({"note": ValidationError(_("Say what help the elder needs."), code="note")})
    with transaction.atomic():
        done = (CareCall.objects.filter(pk=call.pk, outcome=O.PENDING, scheduled_for__lte=now)
                .filter(_free_for(by, now))
                .update(outcome=outcome, operator=by, called_at=now, note=note,
                        taken_at=Case(When(operator=by, taken_at__isnull=False, then=F("taken_at")),
                                      default=Value(now))))
        if not done:
            raise _refusal(call, now)
        call.refresh_from_db()
        record(by, AuditEntry.Action.CHANGE, call, verb="care_call.record", changes={"outcome": outcome})
        if outcome == O.NO_ANSWER and call.attempt < settings.CARE_CALL_RETRIES:
            _schedule_retry(call, now=now)
        elif outcome in (O.NO_ANSWER, O.NEEDS_HELP):
            reason = VisitDue.Reason.CARE_CALL if outcome == O.NO_ANSWER else VisitDue.Reason.CALL_HELP
            call.visit_due = open_visit_after_call(call, by=by, reason=reason, now=now)
            call.save(update_fields=["visit_due"])
    return call


def _schedule_retry(call: CareCall, *, now: dt.datetime) -> CareCall | None:
    try:
        with transaction.atomic():
            return CareCall.objects.create(elder_id=call.elder_id, region_code=call.region_code,
                                           scheduled_for=now + retry_after(), attempt=call.attempt + 1)
    except IntegrityError:
        return None  # a call is waiting already (the scheduler's): that one is the retry


# -- the visit a call makes due ---------------------------------------------------------------
def community_worker_for(elder: Elder, *, on: dt.date) -> User | None:
    """Who visits after a call: her paired community worker, else the first active community
    worker of her community."""
    pairing = (Pairing.objects.filter(elder=elder, kind=Pairing.Kind.COMMUNITY_WORKER, helper__is_active=True,
                                      started_on__lte=on)
               .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
               .select_related("helper").order_by("-started_on", "-pk").first())
    if pairing is not None:
        return pairing.helper
    return (User.objects.filter(role=User.Role.COMMUNITY_WORKER, is_active=True, region__code=elder.region_code)
            .order_by("pk").first())


def open_visit_after_call(call: CareCall, *, by, reason: str, now: dt.datetime) -> VisitDue:
    """A home visit due within 24 hours, assigned to the elder's community worker, who is told
    (after commit). An open visit a call made due that is still due within 24 hours is
    reused, and nobody is told twice."""
    elder = call.elder
    existing = (VisitDue.objects.filter(elder=elder, status=VisitDue.Status.OPEN, reason__in=CALL_REASONS,
                                        due_by__lte=now + VISIT_WITHIN, due_by__gte=now)
                .order_by("due_by", "pk").first())
    if existing is not None:
        return existing
    worker = community_worker_for(elder, on=timezone.localdate(now))
    local = timezone.localtime(now)
    visit_due = VisitDue.objects.create(
        elder=elder, region_code=elder.region_code,
        tier_id=VisitProfile.objects.filter(elder=elder).values_list("tier_id", flat=True).first(),
        month=local.date().replace(day=1), reason=reason, due_by=now + VISIT_WITHIN,
        proposed_visitor=worker, visitor=worker, note=call.note, created_at=now,
    )
    record(by, AuditEntry.Action.CREATE, visit_due, verb="visit_due.after_call",
           changes={"reason": reason, "call": call.pk})
    if worker is None:
        log.warning("visit due %d after a care call: no community worker in %s", visit_due.pk, elder.region_code)
    else:
        tell_visitor(visit_due, call=call, worker=worker, now=now)
    return visit_due


def tell_visitor(visit_due: VisitDue, *, call: CareCall, worker: User, now: dt.datetime) -> int:
    """The community worker hears of the visit: the community, the calls, the deadline, the
    visit's number; no name. Queued now, sent after commit (notify); once per call and person."""
    template = "care_call.no_answer" if visit_due.reason == VisitDue.Reason.CARE_CALL else "care_call.needs_help"
    community = Region.objects.filter(code=visit_due.region_code).values_list("name", flat=True).first()
    context = {
        "community": community or visit_due.region_code,
        "attempts": call.attempt,
        "due": timezone.localtime(visit_due.due_by).strftime("%m-%d %H:%M"),
        "visit": f"#{visit_due.pk}",
    }
    recipient = notify_queries.recipient_for(worker, audience="community_worker")
    return len(notify.notify(recipient, template=template, context=context, kind=Kind.CARE_CALL,
                             key=f"care_call:{call.pk}:visit_due:{visit_due.pk}:user:{worker.pk}",
                             region_code=visit_due.region_code, now=now))
