"""/api/v1/health: the yearly check-up of the 65+.

* `GET /checkups` — check-ups whose elder the caller may read (scope.health_filter), filters
  `elder`, `year`, `complete`; paginated `{"items", "count"}`.
* `POST /checkups` — record or update the year's check-up of an elder (the year is that of
  `examined_on`): `{"elder": 12, "examined_on": "2026-05-10", "parts": ["physical_exam", …],
  "self_care_score": 0–37, "figures": {"systolic": 132, "diastolic": 80, "heart_rate": 72,
  "fasting_glucose": 5.6, "weight_kg": 60.5, "height_cm": 160, "bmi": 23.6, "waist_cm": 80},
  "findings": "…"}`. An elder the caller may not read → 404; may read but not record → 403.
* `GET /checkups/due` — the 65+ the caller follows without a complete check-up of the year
  (`?year`, `?community` a 12-digit code), paginated.

Staff reads are audited (one entry per request: the filter and the number of rows).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kangyang.accounts import scope
from kangyang.health.actions import checkups as actions
from kangyang.health.models import CHECKUP_PARTS, Checkup
from kangyang.health.queries import checkups as queries
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, UtcDatetime
from kangyang.registry.models import Elder
from kangyang.health.actions import audit_read as health_audit_read

router = Router(tags=["health"])


class CheckupFilter(Schema):
    elder: int | None = Field(None, ge=1, le=DB_INT_MAX)
    year: int | None = Field(None, ge=2000, le=2100)
    complete: bool | None = None


class DueFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    community: str = Field("", max_length=12, pattern=r"^\d{12}$|^$")


class CheckupOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    elder_name: str
    year: int
    examined_on: dt.date
    parts: dict[str, bool]
    complete: bool
    self_care_score: int | None
    figures: dict
    findings: str
    team: int | None = Field(None, alias="team_id")
    institution: int | None = Field(None, alias="institution_id")
    recorded_at: UtcDatetime

    @staticmethod
    def resolve_elder_name(obj: Checkup) -> str:
        return obj.elder.name

    @staticmethod
    def resolve_parts(obj: Checkup) -> dict:
        return {p: getattr(obj, p) for p in CHECKUP_PARTS}


class CheckupIn(Schema):
    elder: int = Field(..., ge=1, le=DB_INT_MAX)
    examined_on: dt.date
    parts: list[str] = Field(default_factory=list, max_length=len(CHECKUP_PARTS) * 2)
    self_care_score: int | None = Field(None, ge=0, le=actions.SELF_CARE_MAX)
    figures: dict = Field(default_factory=dict)
    findings: str = Field("", max_length=actions.MAX_FINDINGS)


class DueOut(Schema):
    elder: int = Field(..., alias="pk")
    name: str
    age: int
    community_code: str
    community_name: str
    started: bool

    @staticmethod
    def resolve_age(obj: Elder) -> int:
        return obj.age()

    @staticmethod
    def resolve_community_code(obj: Elder) -> str:
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj: Elder) -> str:
        return obj.community.name


def _audit(request, verb: str, target=None, **changes) -> None:
    health_audit_read(request.auth, target, verb=verb, changes=changes)


@router.get("/checkups", response=list[CheckupOut], summary="List yearly check-ups")
@paginate(Page)
def list_checkups(request, filters: Query[CheckupFilter]):
    if not scope.reads_any_health(request.auth):
        raise PermissionDenied
    qs = queries.checkups_for(request.auth, elder=filters.elder, year=filters.year, complete=filters.complete)
    target = Elder.objects.filter(pk=filters.elder).first() if filters.elder else None
    _audit(request, "checkup.list", target if target is not None and qs.exists() else None,
           filter={k: str(v) for k, v in filters.dict().items() if v is not None})
    return qs


@router.post("/checkups", response={200: CheckupOut, 201: CheckupOut}, summary="Record a yearly check-up")
def post_checkup(request, payload: CheckupIn):
    if "\x00" in payload.findings:
        raise ValidationError({"findings": _("Give text.")})
    elder = get_object_or_404(Elder.objects.filter(scope.health_filter(request.auth)), pk=payload.elder)
    existed = Checkup.objects.filter(elder=elder, year=payload.examined_on.year).exists()
    checkup = actions.record_checkup(
        elder, by=request.auth, examined_on=payload.examined_on, parts=payload.parts,
        self_care_score=payload.self_care_score, figures=payload.figures, findings=payload.findings)
    return Status(200 if existed else 201, Checkup.objects.select_related("elder").get(pk=checkup.pk))


@router.get("/checkups/due", response=list[DueOut], summary="Elders due for the yearly check-up")
@paginate(Page)
def due(request, filters: Query[DueFilter]):
    if not scope.follows_checkups(request.auth):
        raise PermissionDenied
    qs = queries.due_for(request.auth, year=filters.year, community=filters.community)
    _audit(request, "checkup.due_list", filter={k: str(v) for k, v in filters.dict().items() if v})
    return qs
