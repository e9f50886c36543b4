"""/api/v1/visits: recording a care visit, reading one, and its follow-ups.

A visit is recorded by whoever made it (accounts.scope.may_record_care_visit): an elder the
caller may see but not visit is a 403, one they cannot see a 404. The phone sends each record
with its own `client_id`; a record sent again with the same id answers the record kept the
first time (200 instead of 201), never a second record. Times are RFC 3339 with an offset;
answers are in UTC ("Z"). A home visit's answer carries the distance from the elder's home
and whether it was within the radius, never the location sent.
"""

from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.accounts import scope
from kangyang.lib import coords
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, Month, StrictAwareDatetime, UtcDatetime
from kangyang.services.models import Order
from kangyang.visits import actions, queries
from kangyang.visits.api import router
from kangyang.visits.actions.records import FINDING_ITEMS, LOCATION_FLAGS
from kangyang.visits.models import CareVisit, FollowUp, Mode


ModeValue = Literal[tuple(Mode.values)]  # type: ignore[valid-type]
FindingItem = Literal[tuple(FINDING_ITEMS)]  # type: ignore[valid-type]
CoordSystem = Literal[tuple(coords.SYSTEMS)]  # type: ignore[valid-type]
FollowUpKind = Literal[tuple(FollowUp.Kind.values)]  # type: ignore[valid-type]
VisitStatus = Literal[tuple(CareVisit.Status.values)]  # type: ignore[valid-type]
FollowUpStatus = Literal[tuple(FollowUp.Status.values)]  # type: ignore[valid-type]
Id = int


class FindingIn(Schema):
    state: Literal["ok", "concern"]
    note: str = Field("", max_length=500, description="Required for a concern: what it is.")


class VisitIn(Schema):
    """A care visit as the phone or the office records it."""

    elder: Id = Field(..., ge=1, le=DB_INT_MAX)
    mode: ModeValue = Field(..., description="home, phone, video, or proxy (through a neighbour or relative).")
    started_at: StrictAwareDatetime
    ended_at: StrictAwareDatetime | None = None
    met: bool = Field(True, description="False: the visitor went but did not meet the elder (settles nothing).")
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=100_000, description="The phone's accuracy radius in metres.")
    coord: CoordSystem = Field("wgs84", description="gcj02 for AMap and Tencent, bd09 for Baidu.")
    findings: dict[FindingItem, FindingIn] = Field(
        default_factory=dict, description="Checklist: health, safety, living, needs, mood; each ok or concern.")
    notes: str = Field("", max_length=4000)
    client_id: str = Field("", max_length=64, pattern=r"^[A-Za-z0-9._:-]*$",
                           description="The phone's id of the record: sent again, the same record answers.")


class FindingOut(Schema):
    state: str
    note: str


class FollowUpOut(Schema):
    id: int
    visit: int = Field(..., alias="visit_id")
    elder: int = Field(..., alias="elder_id")
    kind: FollowUpKind
    kind_label: str
    finding: str
    note: str
    status: FollowUpStatus
    order: int | None = Field(None, alias="order_id")
    opened_at: UtcDatetime
    closed_at: UtcDatetime | None
    outcome: str

    @staticmethod
    def resolve_kind_label(obj: FollowUp) -> str:
        return str(obj.get_kind_display())


class VisitOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    elder_name: str = Field(..., alias="elder.name")
    region_code: str = Field(..., description="The elder's community when visited.")
    visitor: str
    mode: ModeValue
    status: VisitStatus
    started_at: UtcDatetime
    ended_at: UtcDatetime | None
    recorded_at: UtcDatetime
    radius_m: int
    distance_m: int | None = Field(None, description="Home visits: metres from the elder's home.")
    within_radius: bool | None = Field(None, alias="location_ok", description="Null when it could not be told.")
    location_flag: str = Field(..., description="far, imprecise, no_location, home_unknown; empty when it passed.")
    location_flag_label: str
    findings: dict[str, FindingOut] | None = Field(None, description="Null for the elder and her family.")
    notes: str | None = None
    client_id: str
    settled: list[int] = Field(..., description="The visits due this visit settled.")
    follow_ups: list[FollowUpOut] = []

    @staticmethod
    def resolve_visitor(obj: CareVisit) -> str:
        return obj.visitor.full_name or obj.visitor.username

    @staticmethod
    def resolve_radius_m(obj: CareVisit) -> int:
        return settings.VISIT_RADIUS_M

    @staticmethod
    def resolve_location_flag_label(obj: CareVisit) -> str:
        return str(LOCATION_FLAGS.get(obj.location_flag, ""))

    @staticmethod
    def resolve_settled(obj: CareVisit) -> list[int]:
        return list(obj.settled.values_list("pk", flat=True).order_by("pk"))

    # Findings, notes and follow-ups only for those who see them (scope.sees_visit_details).
    @staticmethod
    def resolve_findings(obj: CareVisit, context):
        return obj.findings if _details(obj, context) else None

    @staticmethod
    def resolve_notes(obj: CareVisit, context):
        return obj.notes if _details(obj, context) else None

    @staticmethod
    def resolve_follow_ups(obj: CareVisit, context):
        return list(obj.follow_ups.order_by("pk")) if _details(obj, context) else []


def _details(visit: CareVisit, context) -> bool:
    return scope.sees_visit_details(context["request"].auth, visit)


def _out(request, visit: CareVisit) -> CareVisit:
    return CareVisit.objects.select_related("visitor").get(pk=visit.pk)


def _fix(payload: VisitIn) -> actions.Fix | None:
    if payload.lat is None and payload.lng is None:
        return None
    if payload.lat is None or payload.lng is None:
        missing = "lat" if payload.lat is None else "lng"
        raise ValidationError({missing: ValidationError(_("Send both latitude and longitude, or neither."), code="coord")})
    return actions.Fix(lat=payload.lat, lng=payload.lng, accuracy_m=payload.accuracy, system=payload.coord)


@router.post("", response={200: VisitOut, 201: VisitOut}, summary="Record a care visit")
def record_visit(request, payload: VisitIn):
    """Record a visit made by the caller. A home visit without a location is kept and flagged
    `no_location`; far from home, `far`. The same `client_id` sent again answers 200 with the
    record kept the first time."""
    if payload.client_id:
        kept = CareVisit.objects.filter(visitor=request.auth, client_id=payload.client_id).first()
        if kept is not None:  # sent again: the record kept the first time, whatever changed since
            return Status(200, _out(request, kept))
    elder = queries.elder_to_visit(request.auth, payload.elder)
    status = 201
    visit = actions.record_visit(
        elder, by=request.auth, mode=payload.mode, started_at=payload.started_at, ended_at=payload.ended_at,
        fix=_fix(payload), findings={k: v.dict() for k, v in payload.findings.items()}, notes=payload.notes,
        client_id=payload.client_id, met=payload.met,
    )
    return Status(status, _out(request, visit))


class CareVisitFilter(Schema):
    elder: int | None = Field(None, ge=1, le=DB_INT_MAX, description="An elder's id.")
    month: Month | None = Field(None, description="A month of Asia/Shanghai: visits that started in it.")


@router.get("", response=list[VisitOut], summary="List care visits")
@paginate(Page)
def list_visits(request, filters: Query[CareVisitFilter]):
    """Care visits the caller may see, latest first; of one elder, of one month (each as
    GET /visits/{id} answers it: findings and notes only for those who see them)."""
    return queries.care_visits_for(request.auth, elder=filters.elder, month=filters.month)


@router.get("/{visit_id}", response=VisitOut, summary="A care visit")
def get_visit(request, visit_id: int):
    return _out(request, queries.get_visit_for(request.auth, visit_id))


class FollowUpIn(Schema):
    kind: FollowUpKind
    note: str = Field(..., max_length=4000, description="What is needed.")
    finding: FindingItem | Literal[""] = Field("", description="The checklist item of concern it follows.")
    order: Id | None = Field(None, ge=1, le=DB_INT_MAX, description="service_order: an order placed for the elder.")


class CloseIn(Schema):
    outcome: str = Field(..., max_length=4000)


@router.post("/{visit_id}/follow-ups", response={201: FollowUpOut}, summary="Open a follow-up of a visit")
def open_follow_up(request, visit_id: int, payload: FollowUpIn):
    visit = queries.get_visit_for(request.auth, visit_id)
    order = None
    if payload.order is not None:
        order = Order.objects.visible_to(request.auth).filter(pk=payload.order).first()
        if order is None:
            raise ValidationError({"order": ValidationError(_("There is no such order."), code="unknown")})
    follow_up = actions.open_follow_up(visit, by=request.auth, kind=payload.kind, note=payload.note,
                                       finding=payload.finding, order=order)
    return Status(201, follow_up)


@router.post("/follow-ups/{follow_up_id}/close", response=FollowUpOut, summary="Close a follow-up")
def close_follow_up(request, follow_up_id: int, payload: CloseIn):
    follow_up = queries.get_follow_up_for(request.auth, follow_up_id)
    return actions.close_follow_up(follow_up, by=request.auth, outcome=payload.outcome)
