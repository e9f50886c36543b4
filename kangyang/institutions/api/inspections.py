"""/api/v1/inspections: random-inspection plans with their recorded draws, and the inspections
with their checklist answers.

Plans and inspections are read within the caller's area (an inspector reads only the
inspections they are assigned to; a record outside answers 404). The bureau admin of the area
draws a plan (`POST /plans/{id}/draw`, optionally with the seed to use). The draw's algorithm is
published in kangyang/institutions/inspections.py; `GET /plans/{id}` carries the seed, the
frozen pools, the conflicts and the result, so anyone can re-run it."""

from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kangyang.institutions import inspections as rules
from kangyang.institutions.actions import inspections as actions
from kangyang.institutions.models import Answer, Inspection, InspectionPlan
from kangyang.institutions.queries import inspections as queries
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, StrictDate, UtcDatetime

router = Router(tags=["inspections"])

PlanStatus = Literal[tuple(InspectionPlan.Status.values)]  # type: ignore[valid-type]
InspectionStatus = Literal[tuple(Inspection.Status.values)]  # type: ignore[valid-type]


class TargetOut(Schema):
    institution: int
    organisation: int
    due: bool = Field(..., description="Not inspected on site in the plan's year when drawn (drawn first).")


class DrawnOut(Schema):
    institution: int
    inspectors: list[int]


class PlanOut(Schema):
    id: int
    name: str
    year: int
    region_code: str
    kinds: list[str]
    pool: int = Field(..., alias="pool_id")
    status: PlanStatus
    target_count: int
    inspectors_per_target: int
    due_by: StrictDate
    seed: str = Field(..., description="Empty until drawn.")
    drawn_at: UtcDatetime | None
    published_at: UtcDatetime | None


class PlanDetailOut(PlanOut):
    target_pool: list[TargetOut]
    inspector_pool: list[int]
    conflicts: list[list[int]] = Field(..., description="Pairs [inspector id, organisation id].")
    result: list[DrawnOut]


class PlanFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    status: PlanStatus | None = None


@router.get("/plans", response=list[PlanOut], summary="List inspection plans")
@paginate(Page)
def list_plans(request, filters: Query[PlanFilter]):
    """The plans of the caller's area, the latest first."""
    plans = queries.plans_for(request.auth)
    if filters.year is not None:
        plans = plans.filter(year=filters.year)
    if filters.status:
        plans = plans.filter(status=filters.status)
    return plans


@router.get("/plans/{plan_id}", response=PlanDetailOut, summary="An inspection plan with its draw")
def get_plan(request, plan_id: int):
    return queries.get_plan_for(request.auth, _id(plan_id))


class DrawIn(Schema):
    seed: str = Field("", max_length=64, description="Empty: a random seed is made (and recorded).")


@router.post("/plans/{plan_id}/draw", response=PlanDetailOut, summary="Draw an inspection plan")
def draw_plan(request, plan_id: int, payload: DrawIn):
    """Draw the plan once from its published pool: 409 when drawn already, when the pool is not
    published, or when it has too few inspectors without a conflict of interest."""
    plan = queries.get_plan_for(request.auth, _id(plan_id), write=True)
    return actions.draw_plan(plan, by=request.auth, seed=payload.seed)


class AnswerOut(Schema):
    item: str
    item_label: str
    section: str
    result: str
    note: str
    has_photo: bool

    @staticmethod
    def resolve_item_label(obj: Answer) -> str:
        item = rules.ITEMS.get(obj.item)
        return str(item.name) if item else obj.item

    @staticmethod
    def resolve_section(obj: Answer) -> str:
        return rules.section_of(obj.item)

    @staticmethod
    def resolve_has_photo(obj: Answer) -> bool:
        return bool(obj.photo)


class InspectionOut(Schema):
    id: int
    plan: int | None = Field(None, alias="plan_id")
    institution: int = Field(..., alias="institution_id")
    institution_name: str = Field(..., alias="institution.name")
    region_code: str
    inspectors: list[int]
    on_site: bool
    due_by: StrictDate | None
    status: InspectionStatus
    started_at: UtcDatetime | None
    done_on: StrictDate | None
    outcome: str
    summary: str
    published_at: UtcDatetime | None

    @staticmethod
    def resolve_inspectors(obj: Inspection) -> list[int]:
        return sorted(u.pk for u in obj.inspectors.all())


class InspectionDetailOut(InspectionOut):
    answers: list[AnswerOut]
    hazards: list[int] = Field(..., description="Ids of the hazards its problems opened (/api/v1/hazards).")

    @staticmethod
    def resolve_answers(obj: Inspection) -> list[Answer]:
        return list(obj.answers.order_by("id"))

    @staticmethod
    def resolve_hazards(obj: Inspection) -> list[int]:
        return list(obj.hazards.order_by("id").values_list("id", flat=True))


class InspectionFilter(Schema):
    plan: int | None = Field(None, ge=1, le=DB_INT_MAX)
    institution: int | None = Field(None, ge=1, le=DB_INT_MAX)
    status: InspectionStatus | None = None


@router.get("", response=list[InspectionOut], summary="List inspections")
@paginate(Page)
def list_inspections(request, filters: Query[InspectionFilter]):
    """Inspections the caller may read (an inspector: their own), latest first; by plan,
    institution and status."""
    return queries.inspections_for(request.auth, plan=filters.plan, institution=filters.institution,
                                   status=filters.status).order_by("-done_on", "due_by", "-id")


@router.get("/{inspection_id}", response=InspectionDetailOut, summary="An inspection with its answers")
def get_inspection(request, inspection_id: int):
    return queries.get_inspection_for(request.auth, _id(inspection_id))


def _id(value: int) -> int:
    """A path id too large for the database is no record (404), never a 500."""
    from django.http import Http404

    if not 1 <= value <= DB_INT_MAX:
        raise Http404
    return value

