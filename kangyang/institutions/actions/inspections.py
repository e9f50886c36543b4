"""Writes of random inspections (双随机、一公开): the inspector pools and conflicts of interest,
plans and their recorded draws, the inspections with their checklist answers (a problem opens
a hazard), finishing and publishing.

The permission checks are the callers' (views and API gate through scope); these functions
keep the domain rules (a draw only once, a pool published before it is drawn from, an answer
only to a started inspection, …) and refuse with a translatable ValidationError."""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.accounts import scope
from kangyang.accounts.models import Organisation, User
from kangyang.institutions import inspections as rules
from kangyang.institutions.actions.hazards import open_hazard
from kangyang.regions import codes
from kangyang.institutions.models import (
    Answer, Conflict, Hazard, Inspection, InspectionPlan, Institution, InspectorPool,
)

__all__ = [
    "create_pool", "add_inspector", "remove_inspector", "publish_pool", "declare_conflict",
    "create_plan", "frozen_pools", "draw_plan", "publish_plan", "create_inspection", "start_inspection",
    "answer_item", "finish_inspection", "publish_inspection",
]


def _record(by, verb: str, target, **extra) -> None:
    """The audit entry: creating a record is a create, every other step a change; `verb` the event."""
    action = AuditEntry.Action.CREATE if verb.endswith((".create", ".declare")) else AuditEntry.Action.CHANGE
    record(by, action, target, verb=verb, **extra)


# -- pools and conflicts ------------------------------------------------------------------------
@transaction.atomic
def create_pool(*, by: User, name: str, region) -> InspectorPool:
    pool = InspectorPool.objects.create(name=name, region=region, region_code=region.code)
    _record(by, "inspections.pool.create", pool)
    return pool


@transaction.atomic
def add_inspector(pool: InspectorPool, *, by: User, inspector: User) -> InspectorPool:
    """Only inspectors of the pool's area (or of the city above it) join a pool."""
    if not scope.may_be_drawn_for(inspector, pool.region_code):
        raise ValidationError(_("Only an active inspector of this area can join the pool."), code="not_inspector")
    pool.inspectors.add(inspector)
    _record(by, "inspections.pool.add", pool, note=str(inspector.pk))
    return _unpublish(pool)


@transaction.atomic
def remove_inspector(pool: InspectorPool, *, by: User, inspector: User) -> InspectorPool:
    """A draw already made keeps its frozen pool; later draws go without them."""
    pool.inspectors.remove(inspector)
    _record(by, "inspections.pool.remove", pool, note=str(inspector.pk))
    return _unpublish(pool)


def _unpublish(pool: InspectorPool) -> InspectorPool:
    """A pool whose members changed is no longer the published one: it is published again
    before the next draw, so that every draw comes from a pool as the public saw it."""
    if pool.published_at is not None:
        pool.published_at = None
        pool.save(update_fields=["published_at"])
    return pool


@transaction.atomic
def publish_pool(pool: InspectorPool, *, by: User) -> InspectorPool:
    if not pool.inspectors.exists():
        raise ValidationError(_("An empty pool cannot be published."), code="empty")
    if pool.published_at is None:
        pool.published_at = timezone.now()
        pool.save(update_fields=["published_at"])
        _record(by, "inspections.pool.publish", pool)
    return pool


@transaction.atomic
def declare_conflict(*, by: User, inspector: User, organisation: Organisation, reason: str) -> Conflict:
    """Declaring the same conflict twice keeps the first declaration."""
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(_("Say why there is a conflict."), code="required")})
    conflict, made = Conflict.objects.get_or_create(
        inspector=inspector, organisation=organisation, defaults={"reason": reason.strip()})
    if made:
        _record(by, "inspections.conflict.declare", conflict, note=str(organisation.pk))
    return conflict


# -- plans and draws -----------------------------------------------------------------------------
@transaction.atomic
def create_plan(*, by: User, name: str, region, year: int, pool: InspectorPool, target_count: int,
                due_by: dt.date, kinds: list[str] | None = None, inspectors_per_target: int = 2) -> InspectionPlan:
    kinds = sorted(set(kinds or []))
    unknown = [k for k in kinds if k not in Institution.Kind.values]
    errors = {}
    if unknown:
        errors["kinds"] = ValidationError(_("Unknown kind of institution: %(kinds)s") % {"kinds": ", ".join(unknown)},
                                          code="invalid")
    prefix = scope.supervision_prefix(by) if by is not None else ""  # the demo and commands act as nobody
    if prefix is None or not region.code.startswith(prefix):
        errors["region"] = ValidationError(_("The region is outside your area."), code="invalid")
    if not (pool.region_code.startswith(region.prefix) or region.code.startswith(codes.prefix(pool.region_code))):
        errors["pool"] = ValidationError(_("The pool belongs to another area."), code="invalid")
    if target_count < 1:
        errors["target_count"] = ValidationError(_("Draw at least one institution."), code="invalid")
    if inspectors_per_target < 1:
        errors["inspectors_per_target"] = ValidationError(_("Each institution needs at least one inspector."),
                                                          code="invalid")
    if not 2000 <= year <= 2100:
        errors["year"] = ValidationError(_("The year is not plausible."), code="invalid")
    if errors:
        raise ValidationError(errors)
    plan = InspectionPlan.objects.create(
        name=name, region=region, region_code=region.code, year=year, kinds=kinds, pool=pool,
        target_count=target_count, inspectors_per_target=inspectors_per_target, due_by=due_by)
    _record(by, "inspections.plan.create", plan)
    return plan


def _inspected_or_planned(year: int):
    """Institutions inspected on site in `year`, or already planned to be (a pending
    on-site inspection due that year)."""
    return Inspection.objects.filter(on_site=True).filter(
        Q(done_on__year=year) | Q(done_on__isnull=True, due_by__year=year)).values("institution_id")


def frozen_pools(plan: InspectionPlan, *, on: dt.date | None = None) -> dict:
    """The pools as they stand now, in the recorded form (sorted; see inspections.draw):
    the open institutions of the plan's region and kinds with their organisations and whether
    each is due, the pool's inspectors, and their conflicts of interest."""
    institutions = Institution.objects.open(on).filter(region_code__startswith=plan.region.prefix)
    if plan.kinds:
        institutions = institutions.filter(kind__in=plan.kinds)
    done = set(_inspected_or_planned(plan.year).values_list("institution_id", flat=True))
    targets = [{"institution": pk, "organisation": org, "due": pk not in done}
               for pk, org in institutions.order_by("pk").values_list("pk", "organisation_id")]
    inspectors = sorted(plan.pool.inspectors.filter(is_active=True).values_list("pk", flat=True))
    organisations = {t["organisation"] for t in targets}
    conflicts = sorted([i, o] for i, o in Conflict.objects.filter(
        inspector_id__in=inspectors, organisation_id__in=organisations).values_list("inspector_id", "organisation_id"))
    return {"target_pool": targets, "inspector_pool": inspectors, "conflicts": conflicts}


@transaction.atomic
def draw_plan(plan: InspectionPlan, *, by: User, seed: str | None = None) -> InspectionPlan:
    """Draw once: record the seed (a random one unless given), the frozen pools, the conflicts
    and the result, and make an Inspection per drawn institution with its inspectors. A plan is
    drawn from a published pool only, and never twice."""
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != InspectionPlan.Status.DRAFT:
        raise ValidationError(_("This plan has been drawn already."), code="conflict")
    if plan.pool.published_at is None:
        raise ValidationError(_("Publish the inspector pool before drawing from it."), code="conflict")
    seed = (seed or "").strip() or secrets.token_hex(16)
    if len(seed) > 64:
        raise ValidationError({"seed": ValidationError(_("A seed has at most 64 characters."), code="invalid")})
    pools = frozen_pools(plan)
    try:
        result = rules.draw(seed=seed, targets=pools["target_pool"], inspectors=pools["inspector_pool"],
                            conflicts=pools["conflicts"], target_count=plan.target_count,
                            inspectors_per_target=plan.inspectors_per_target)
    except rules.DrawRefused as e:
        raise ValidationError(str(e), code="conflict") from None
    plan.seed = seed
    plan.target_pool = pools["target_pool"]
    plan.inspector_pool = pools["inspector_pool"]
    plan.conflicts = pools["conflicts"]
    plan.result = result
    plan.drawn_at = timezone.now()
    plan.drawn_by = by
    plan.status = InspectionPlan.Status.DRAWN
    plan.save(update_fields=["seed", "target_pool", "inspector_pool", "conflicts", "result", "drawn_at",
                             "drawn_by", "status"])
    regions = dict(Institution.objects.filter(pk__in=[r["institution"] for r in result])
                   .values_list("pk", "region_code"))
    made = Inspection.objects.bulk_create([
        Inspection(plan=plan, institution_id=r["institution"], region_code=regions[r["institution"]],
                   on_site=True, due_by=plan.due_by) for r in result])
    Through = Inspection.inspectors.through
    Through.objects.bulk_create([
        Through(inspection_id=inspection.pk, user_id=u)
        for inspection, r in zip(made, result, strict=True) for u in r["inspectors"]])
    _record(by, "inspections.plan.draw", plan, note=seed)
    return plan


@transaction.atomic
def publish_plan(plan: InspectionPlan, *, by: User) -> InspectionPlan:
    if plan.status == InspectionPlan.Status.DRAFT:
        raise ValidationError(_("Draw the plan before publishing it."), code="conflict")
    if plan.status == InspectionPlan.Status.DRAWN:
        plan.status = InspectionPlan.Status.PUBLISHED
        plan.published_at = timezone.now()
        plan.save(update_fields=["status", "published_at"])
        _record(by, "inspections.plan.publish", plan)
    return plan


# -- inspections ----------------------------------------------------------------------------------
@transaction.atomic
def create_inspection(*, by: User, institution: Institution, inspectors: list[User], due_by: dt.date | None = None,
                      on_site: bool = True) -> Inspection:
    """An ad-hoc inspection (no plan): after a complaint, an incident, a re-check."""
    if not inspectors:
        raise ValidationError({"inspectors": ValidationError(_("Name at least one inspector."), code="required")})
    wrong = [u for u in inspectors if not scope.may_be_drawn_for(u, institution.region_code)]
    if wrong:
        raise ValidationError({"inspectors": ValidationError(
            _("Only active inspectors of the institution's area can inspect it."), code="invalid")})
    conflicted = Conflict.objects.filter(inspector__in=inspectors, organisation_id=institution.organisation_id)
    if conflicted.exists():
        raise ValidationError({"inspectors": ValidationError(
            _("An inspector named has a conflict of interest with this institution."), code="conflict")})
    inspection = Inspection.objects.create(
        institution=institution, region_code=institution.region_code, on_site=on_site, due_by=due_by)
    inspection.inspectors.set(inspectors)
    _record(by, "inspections.inspection.create", inspection)
    return inspection


@transaction.atomic
def start_inspection(inspection: Inspection, *, by: User) -> Inspection:
    """Starting twice changes nothing."""
    if inspection.status == Inspection.Status.DONE:
        raise ValidationError(_("This inspection is finished."), code="conflict")
    if inspection.status == Inspection.Status.PLANNED:
        inspection.status = Inspection.Status.IN_PROGRESS
        inspection.started_at = timezone.now()
        inspection.save(update_fields=["status", "started_at"])
        _record(by, "inspections.inspection.start", inspection)
    return inspection


@transaction.atomic
def answer_item(inspection: Inspection, *, by: User, item: str, result: str, note: str = "", photo=None,
                severity: str = "", responsible_person: str = "", deadline: dt.date | None = None,
                evidence_required: str = "") -> Answer:
    """Record one checklist item (again: the new answer replaces the old). A problem opens a
    hazard with the severity, the person responsible and the deadline the inspector gives,
    once per item of an inspection (under a lock of the inspection's row: two answers at once
    never open two hazards, nor land after the inspection is finished)."""
    inspection.status = Inspection.objects.select_for_update().values_list("status", flat=True).get(pk=inspection.pk)
    if inspection.status == Inspection.Status.DONE:
        raise ValidationError(_("This inspection is finished."), code="conflict")
    errors = {}
    if item not in rules.ITEMS:
        errors["item"] = ValidationError(_("Unknown checklist item."), code="invalid")
    if result not in Answer.Result.values:
        errors["result"] = ValidationError(_("Choose in order, problem found or not applicable."), code="invalid")
    problem = result == Answer.Result.PROBLEM
    if problem:
        if not note.strip():
            errors["note"] = ValidationError(_("Describe the problem."), code="required")
        if severity not in Hazard.Severity.values:
            errors["severity"] = ValidationError(_("Choose the severity."), code="required")
        if not responsible_person.strip():
            errors["responsible_person"] = ValidationError(_("Name the person responsible."), code="required")
        if deadline is None:
            errors["deadline"] = ValidationError(_("Give the deadline."), code="required")
        elif deadline < timezone.localdate() and inspection.done_on is None:
            errors["deadline"] = ValidationError(_("The deadline cannot be in the past."), code="invalid")
    if errors:
        raise ValidationError(errors)
    if inspection.status == Inspection.Status.PLANNED:
        start_inspection(inspection, by=by)
    answer, _made = Answer.objects.update_or_create(
        inspection=inspection, item=item, defaults={"result": result, "note": note.strip()})
    if photo:
        answer.photo = photo
        answer.save(update_fields=["photo"])
    if problem and not Hazard.objects.filter(inspection=inspection, item=item).exists():
        open_hazard(institution=inspection.institution, description=note.strip(), severity=severity,
                    responsible_person=responsible_person.strip(), deadline=deadline,
                    evidence_required=evidence_required, inspection=inspection, item=item, by=by)
    _record(by, "inspections.inspection.answer", inspection, note=f"{item}={result}")
    return answer


@transaction.atomic
def finish_inspection(inspection: Inspection, *, by: User, outcome: str, summary: str,
                      done_on: dt.date | None = None) -> Inspection:
    """Close the inspection with its outcome: every item of the checklist must be answered,
    and an outcome of "no problems" cannot stand beside a problem found."""
    if inspection.status == Inspection.Status.DONE:
        raise ValidationError(_("This inspection is finished."), code="conflict")
    errors = {}
    if outcome not in Inspection.Outcome.values:
        errors["outcome"] = ValidationError(_("Choose the outcome."), code="required")
    answered = dict(inspection.answers.values_list("item", "result"))
    missing = [code for code in rules.ITEMS if code not in answered]
    if missing:
        errors["answers"] = ValidationError(
            _("%(n)d checklist items are not answered yet.") % {"n": len(missing)}, code="incomplete")
    if outcome == Inspection.Outcome.PASSED and Answer.Result.PROBLEM in answered.values():
        errors["outcome"] = ValidationError(_("Problems were found: the outcome cannot be 'no problems'."),
                                            code="invalid")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    inspection.status = Inspection.Status.DONE
    inspection.outcome = outcome
    inspection.summary = summary.strip()
    inspection.done_on = done_on or today
    inspection.started_at = inspection.started_at or timezone.now()
    inspection.save(update_fields=["status", "outcome", "summary", "done_on", "started_at"])
    _record(by, "inspections.inspection.finish", inspection, note=outcome)
    return inspection


@transaction.atomic
def publish_inspection(inspection: Inspection, *, by: User) -> Inspection:
    """Publishing twice changes nothing; only a finished inspection is published."""
    if inspection.status != Inspection.Status.DONE:
        raise ValidationError(_("Finish the inspection before publishing its result."), code="conflict")
    if inspection.published_at is None:
        inspection.published_at = timezone.now()
        inspection.save(update_fields=["published_at"])
        _record(by, "inspections.inspection.publish", inspection)
    return inspection
