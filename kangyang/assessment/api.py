"""/api/v1/assessments: capability assessments over HTTP, for third-party assessment
agencies and partner systems.

`POST` takes a complete assessment (the elder, the Annex A heading and basics, all 26 item
answers), scores it with GB/T 42195-2022 and stores it signed, in one call: a missing or
out-of-range item is a 422 naming it under `items.<code>`, and nothing is stored. The
caller must be allowed to assess the elder (staff whose area covers them); an elder outside
the caller's view is a 404, one they can see but not assess (the hotline operator) a 403.

Reads are scoped like the registry: a list never holds an assessment of an elder outside
the caller's view, and such an assessment, or such an elder given as `?elder=`, is a 404.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Respond
from pydantic import NonNegativeInt, StrictInt

from kangyang.lib.pagination import Page
from kangyang.lib.schemas import StrictDate, UtcDatetime
from kangyang.assessment import actions, queries
from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import DIMENSIONS, ITEMS_BY_CODE, PREVIOUS_STANDARD, RISK_EVENTS, STANDARD
from kangyang.registry.queries import get_elder_for

router = Router(tags=["assessments"])


def _one_of(values):
    """A Literal of the allowed values, inlined in the OpenAPI document (no enum components
    whose names could clash with another app's)."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


Reason = _one_of(Assessment.Reason.values)
Status = _one_of(Assessment.Status.values)
Standard = _one_of([STANDARD, PREVIOUS_STANDARD])
RiskEvent = _one_of(RISK_EVENTS)
Dimension = _one_of(DIMENSIONS)


class AssessmentIn(Schema):
    """A complete GB/T 42195-2022 assessment, scored and signed on arrival."""

    elder: int = Field(..., description="Id of the elder.")
    reason: Reason = Field(..., description="Annex A: first, routine, immediate (status changed), dispute, other.")
    assessed_on: StrictDate | None = Field(None, description="Date of the assessment; today if left out.")
    place: str = Field("", max_length=200)
    assessor_1: str = Field(..., min_length=1, max_length=50, description="Name of the first assessor.")
    assessor_2: str = Field(..., min_length=1, max_length=50, description="Name of the second assessor.")
    informant: str = Field("", max_length=50, description="Who gave the information.")
    informant_relation: str = Field("", max_length=30)
    items: dict[str, StrictInt] = Field(
        ..., description='All 26 item answers by code, in points: {"B.1.1": 4, …, "B.4.5": 4}.'
    )
    diagnoses: list[str] = Field([], description="ICD-10 codes, e.g. F01, I10.", max_length=30)
    coma: bool = False
    risk_events_30d: dict[RiskEvent, NonNegativeInt] = Field(
        {}, description="Care-risk events in the last 30 days (A.2.14) by kind, counted."
    )
    special_care: str = Field("", max_length=2000)


class AssessmentOut(Schema):
    id: int
    elder: int
    standard: Standard
    imported: bool = Field(..., description="Imported history (MZ/T 039-2013): never a current level.")
    status: Status
    reason: Reason
    assessed_on: dt.date
    place: str
    assessor_1: str
    assessor_2: str
    informant: str
    informant_relation: str
    diagnoses: list[str]
    coma: bool
    risk_events_30d: dict[str, int]
    special_care: str
    items: dict[str, int]
    dimensions: dict[Dimension, int] | None = Field(None, description="Score per dimension, once signed.")
    total: int | None
    preliminary_level: int | None
    final_level: int | None
    level_change_reasons: list[str] = Field(..., description="coma, dementia, mental_disorder, risk_events")
    valid_until: dt.date | None = Field(None, description="Re-assessment due by this date.")
    signed_at: UtcDatetime | None
    signed_by: str | None = Field(None, description="Username of the account that signed.")

    @staticmethod
    def resolve_elder(obj: Assessment) -> int:
        return obj.elder_id

    @staticmethod
    def resolve_items(obj: Assessment) -> dict:
        return obj.answers

    @staticmethod
    def resolve_dimensions(obj: Assessment):
        return obj.dimension_scores or None

    @staticmethod
    def resolve_signed_by(obj: Assessment) -> str | None:
        return obj.signed_by.username if obj.signed_by_id else None


class AssessmentFilter(Schema):
    elder: int | None = Field(None, description="Only this elder's assessments.")
    standard: Standard | None = None
    status: Status | None = None


def _under_items(error: ValidationError) -> ValidationError:
    """Errors about item codes named as the request names them: `items.B.1.1`."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({
        (f"items.{key}" if key in ITEMS_BY_CODE or key not in AssessmentIn.model_fields else key): value
        for key, value in error.error_dict.items()
    })


@router.post("", response={201: AssessmentOut})
def create(request, payload: AssessmentIn):
    """Score and store a complete assessment (GB/T 42195-2022), signed."""
    elder = get_elder_for(request.auth, payload.elder, write=True)
    try:
        assessment = actions.record_assessment(
            elder, by=request.auth, reason=payload.reason, assessed_on=payload.assessed_on,
            place=payload.place, assessor_1=payload.assessor_1, assessor_2=payload.assessor_2,
            informant=payload.informant, informant_relation=payload.informant_relation,
            answers=payload.items, diagnoses=payload.diagnoses, coma=payload.coma,
            risk_events_30d=payload.risk_events_30d, special_care=payload.special_care,
        )
    except ValidationError as e:
        raise _under_items(e) from None
    return Respond(201, assessment)


@router.get("", response=list[AssessmentOut])
@paginate(Page)
def list_assessments(request, filters: Query[AssessmentFilter]):
    """Assessments the caller may see, newest first; `?elder=` for one elder's history."""
    qs = Assessment.objects.visible_to(request.auth).select_related("signed_by")
    if filters.elder is not None:
        qs = qs.filter(elder=get_elder_for(request.auth, filters.elder))
    if filters.standard:
        qs = qs.filter(standard=filters.standard)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-assessed_on", "-id")


@router.get("/{assessment_id}", response=AssessmentOut)
def detail(request, assessment_id: int):
    """One assessment; outside the caller's scope, 404."""
    return queries.get_assessment_for(request.auth, assessment_id)
