"""Reads of random inspections: the gates (`get_*_for`), the lists of the pages and the API, the
re-run of a recorded draw, and what the public pages show (`published_results`: no inspector,
no resident, no staff member)."""

import datetime as dt
from collections import Counter

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.institutions import inspections as rules
from kangyang.lib.schemas import DB_INT_MAX
from kangyang.institutions.models import Answer, Inspection, InspectionPlan, Institution, InspectorPool

__all__ = [
    "plans_for", "get_plan_for", "pools_for", "get_pool_for", "inspections_for", "get_inspection_for",
    "my_inspections", "not_inspected_on_site", "rerun_draw", "published_results",
]


def _pk(value: int) -> int:
    """An id too large for the database is no record (404), never a 500."""
    if not 1 <= int(value) <= DB_INT_MAX:
        raise Http404
    return value


def plans_for(user) -> QuerySet:
    return InspectionPlan.objects.filter(scope.inspection_plan_filter(user)).select_related("pool")


def get_plan_for(user, plan_id: int, *, write: bool = False) -> InspectionPlan:
    """Outside the area: 404; inside but not the area's bureau admin, for a write: 403."""
    from django.core.exceptions import PermissionDenied

    plan = get_object_or_404(plans_for(user), pk=_pk(plan_id))
    if write and not scope.manages_inspections_of(user, plan.region_code):
        raise PermissionDenied
    return plan


def pools_for(user) -> QuerySet:
    return InspectorPool.objects.filter(scope.inspection_plan_filter(user))


def get_pool_for(user, pool_id: int, *, write: bool = False) -> InspectorPool:
    from django.core.exceptions import PermissionDenied

    pool = get_object_or_404(pools_for(user), pk=_pk(pool_id))
    if write and not scope.manages_inspections_of(user, pool.region_code):
        raise PermissionDenied
    return pool


def inspections_for(user, *, plan: int | None = None, institution: int | None = None,
                    status: str | None = None) -> QuerySet:
    qs = Inspection.objects.filter(scope.inspection_filter(user)).distinct()
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if institution is not None:
        qs = qs.filter(institution_id=institution)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("institution", "plan").prefetch_related("inspectors")


def get_inspection_for(user, inspection_id: int, *, work: bool = False) -> Inspection:
    """`work`: recording answers, finishing; only its own inspectors (others 403)."""
    from django.core.exceptions import PermissionDenied

    inspection = get_object_or_404(inspections_for(user), pk=_pk(inspection_id))
    if work and not scope.works_on_inspection(user, inspection):
        raise PermissionDenied
    return inspection


def my_inspections(user) -> QuerySet:
    """An inspector's inspections: the ones to do first (by due date), then the finished."""
    return (Inspection.objects.filter(inspectors=user).select_related("institution", "plan")
            .order_by("status", "due_by", "-done_on", "id"))


def not_inspected_on_site(user, *, year: int | None = None) -> QuerySet:
    """Open institutions of the user's area with no on-site inspection done in the year."""
    year = year or timezone.localdate().year
    done = Inspection.objects.filter(institution=OuterRef("pk"), on_site=True, status=Inspection.Status.DONE,
                                     done_on__year=year)
    return (Institution.objects.visible_to(user).open().annotate(done=Exists(done)).filter(done=False)
            .order_by("region_code", "name"))


def rerun_draw(plan: InspectionPlan) -> dict:
    """The plan's draw re-run from its recorded seed and pools, as the command prints it."""
    result = rules.draw(seed=plan.seed, targets=plan.target_pool, inspectors=plan.inspector_pool,
                        conflicts=plan.conflicts, target_count=plan.target_count,
                        inspectors_per_target=plan.inspectors_per_target)
    return {
        "plan": plan.pk,
        "name": plan.name,
        "seed": plan.seed,
        "target_count": plan.target_count,
        "inspectors_per_target": plan.inspectors_per_target,
        "target_pool": plan.target_pool,
        "inspector_pool": plan.inspector_pool,
        "conflicts": plan.conflicts,
        "result": result,
        "recorded": plan.result,
        "matches_recorded": result == plan.result,
    }


def problems_by_section(inspection_ids) -> dict[int, dict[str, int]]:
    counts: dict[int, Counter] = {}
    for inspection_id, item in Answer.objects.filter(
            inspection_id__in=list(inspection_ids), result=Answer.Result.PROBLEM).values_list("inspection_id", "item"):
        counts.setdefault(inspection_id, Counter())[rules.section_of(item)] += 1
    return {k: dict(v) for k, v in counts.items()}


def published_results(institution: Institution) -> list[dict]:
    """What the public sees of an institution's inspections: finished and published ones, with
    the date, on site or not, the outcome and the number of problems by section of the
    checklist. No inspector, resident or member of staff is named, and no text an inspector
    wrote (a summary may name people)."""
    inspections = list(Inspection.objects.filter(
        institution=institution, status=Inspection.Status.DONE, published_at__isnull=False).order_by("-done_on", "-id"))
    problems = problems_by_section(i.pk for i in inspections)
    return [{
        "id": i.pk,
        "done_on": i.done_on,
        "on_site": i.on_site,
        "outcome": i.outcome,
        "outcome_label": i.get_outcome_display(),
        "problems": [{"section": code, "name": rules.SECTIONS[code].name, "count": n}
                     for code, n in sorted(problems.get(i.pk, {}).items()) if code in rules.SECTIONS],
        "problem_count": sum(problems.get(i.pk, {}).values()),
    } for i in inspections]



def plan_counts(plan: InspectionPlan) -> dict:
    rows = dict(plan.inspections.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {"planned": rows.get("planned", 0), "in_progress": rows.get("in_progress", 0), "done": rows.get("done", 0)}


def due_soon(user, *, within: dt.timedelta = dt.timedelta(days=30)) -> QuerySet:
    """Inspections not finished and due within `within` (or overdue)."""
    until = timezone.localdate() + within
    return inspections_for(user).exclude(status=Inspection.Status.DONE).filter(due_by__lte=until).order_by("due_by")
