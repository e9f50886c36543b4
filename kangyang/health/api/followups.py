"""/api/v1/health: the followups topic.

* `GET /follow-ups` — follow-ups the caller may read (filters: elder, programme, classification,
  since); `GET /follow-ups/{id}`; `POST /follow-ups` — record one (the elder's family-doctor team;
  classified by the active rules with the elder's age on the day).
* `GET /follow-ups/due` — patients due: next follow-up overdue or none yet, or fewer than four this year.
* `GET /rule-sets` — every version of the follow-up rules, the active one marked.
* `POST /classify` — classify one reading (the JSON object `kangyang health classify` reads) without
  storing it: `{"class", "rule", "rule_set", "text"}`; a bad value is 422 naming the field.
"""

import datetime as dt
import json
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kangyang.health import rules as health_rules
from kangyang.health.actions import followups as actions
from kangyang.health.models import Classification, FollowUp
from kangyang.health.models.records import Programme
from kangyang.health.queries import followups as queries
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, StrictDate, UtcDatetime
from kangyang.registry.models import Elder

router = Router(tags=["health"])

ProgrammeValue = Literal[tuple(Programme.values)]  # type: ignore[valid-type]
ClassValue = Literal[tuple(v for v in Classification.values if v)]  # type: ignore[valid-type]
ModeValue = Literal[tuple(FollowUp.Mode.values)]  # type: ignore[valid-type]


class FollowUpFilter(Schema):
    elder: int | None = Field(None, ge=1, le=DB_INT_MAX)
    programme: ProgrammeValue | None = None
    classification: ClassValue | None = None
    since: StrictDate | None = None


class FollowUpOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    elder_name: str
    programme: ProgrammeValue
    programme_label: str
    followed_on: dt.date
    mode: ModeValue
    team: int | None = Field(None, alias="team_id")
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    fasting_glucose: float | None
    weight_kg: float | None
    symptoms: str
    advice: str
    classification: str
    classification_label: str
    rule: str
    rule_text: str
    rule_set: str
    next_due_on: dt.date | None
    recorded_at: UtcDatetime

    @staticmethod
    def resolve_elder_name(obj: FollowUp) -> str:
        return obj.elder.name

    @staticmethod
    def resolve_programme_label(obj: FollowUp) -> str:
        return str(obj.get_programme_display())

    @staticmethod
    def resolve_fasting_glucose(obj: FollowUp) -> float | None:
        return None if obj.fasting_glucose is None else float(obj.fasting_glucose)

    @staticmethod
    def resolve_weight_kg(obj: FollowUp) -> float | None:
        return None if obj.weight_kg is None else float(obj.weight_kg)

    @staticmethod
    def resolve_classification_label(obj: FollowUp) -> str:
        return str(obj.get_classification_display()) if obj.classification else ""

    @staticmethod
    def resolve_rule_text(obj: FollowUp) -> str:
        return queries.describe(obj)["rule_text"]

    @staticmethod
    def resolve_rule_set(obj: FollowUp) -> str:
        return obj.rule_set.version if obj.rule_set_id else ""


class FollowUpIn(Schema):
    elder: int = Field(..., ge=1, le=DB_INT_MAX)
    programme: ProgrammeValue
    followed_on: StrictDate
    mode: ModeValue = FollowUp.Mode.CLINIC
    systolic: int | None = Field(None, ge=0, le=1000)
    diastolic: int | None = Field(None, ge=0, le=1000)
    heart_rate: int | None = Field(None, ge=0, le=1000)
    fasting_glucose: float | None = Field(None, ge=0, le=1000)
    weight_kg: float | None = Field(None, ge=0, le=1000)
    symptoms: str = Field("", max_length=4000)
    advice: str = Field("", max_length=4000)


class DueOut(Schema):
    elder: int
    elder_name: str
    region_code: str
    programme: ProgrammeValue
    programme_label: str
    last_on: dt.date | None
    last_class: str
    next_due_on: dt.date | None
    this_year: int
    overdue: bool
    fewer_than_four: bool


class DueFilter(Schema):
    programme: ProgrammeValue | None = None
    community: str | None = Field(None, pattern=r"^\d{12}$")
    reason: Literal["overdue", "short"] | None = None


class RuleSetOut(Schema):
    version: str
    source: str
    active: bool
    published_at: UtcDatetime


class ClassOut(Schema):
    class_: str = Field(..., alias="class")
    rule: str
    rule_set: str
    text: str


class _Rows:
    """A list the project's paginator can count and slice."""

    def __init__(self, rows):
        self.rows = rows

    def count(self) -> int:
        return len(self.rows)

    def __getitem__(self, item):
        return self.rows[item]


@router.get("/follow-ups", response=list[FollowUpOut], summary="List follow-ups")
@paginate(Page)
def list_follow_ups(request, filters: Query[FollowUpFilter]):
    """Follow-ups of the elders whose health data the caller may read, newest first."""
    actions.audit_read(request.auth, "health.follow_ups.list",
                       Elder.objects.filter(pk=filters.elder).first() if filters.elder else None)
    return queries.follow_ups_for(request.auth, elder=filters.elder, programme=filters.programme or "",
                                  classification=filters.classification, since=filters.since)


@router.get("/follow-ups/due", response=list[DueOut], summary="Patients due for a follow-up")
@paginate(Page)
def due_follow_ups(request, filters: Query[DueFilter]):
    rows = queries.due(request.auth, programme=filters.programme or "", community=filters.community or "",
                       reason=filters.reason or "")
    actions.audit_read(request.auth, "health.follow_ups.due", note=f"api {len(rows)}")
    return _Rows([{
        "elder": r.elder.pk, "elder_name": r.elder.name, "region_code": r.elder.region_code, "programme": r.programme,
        "programme_label": r.programme_label, "last_on": r.last_on, "last_class": r.last_class,
        "next_due_on": r.next_due_on, "this_year": r.this_year, "overdue": r.overdue, "fewer_than_four": r.short,
    } for r in rows])


@router.get("/follow-ups/{followup_id}", response=FollowUpOut, summary="A follow-up")
def get_follow_up(request, followup_id: int):
    found = queries.get_follow_up_for(request.auth, followup_id)
    actions.audit_read(request.auth, "health.follow_ups.read", found.elder)
    return found


@router.post("/follow-ups", response={201: FollowUpOut}, summary="Record a follow-up")
def create_follow_up(request, payload: FollowUpIn):
    """By the elder's family-doctor team; the programme must be one the elder is on (a coded
    condition); the programme's reading is required (blood pressure, fasting glucose)."""
    elder = Elder.objects.filter(pk=payload.elder).first()
    from kangyang.accounts import scope

    if elder is None or not scope.reads_health(request.auth, elder):
        from django.http import Http404

        raise Http404
    data = payload.dict()
    data.pop("elder")
    follow_up = actions.record_follow_up(elder, by=request.auth, **data)
    return Status(201, queries.follow_ups_for(request.auth).get(pk=follow_up.pk))


@router.get("/rule-sets", response=list[RuleSetOut], summary="Versions of the follow-up rules")
@paginate(Page)
def list_rule_sets(request):
    health_rules.active_rule_set()
    return queries.rule_sets()


@router.post("/classify", response=ClassOut, by_alias=True, summary="Classify one reading (nothing is stored)")
def classify(request):
    """The body is one reading, as `kangyang health classify` reads it, e.g. `{"kind":
    "blood_pressure", "systolic": 150, "diastolic": 85, "age": 70}`."""
    try:
        text = request.body.decode("utf-8")
        reading = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError({"body": ValidationError(_("Send the reading as a JSON object."), code="invalid")}) from None
    if "\x00" in text or not isinstance(reading, dict):
        raise ValidationError({"body": ValidationError(_("Send the reading as a JSON object."), code="invalid")})
    rules = health_rules.active_rules()
    try:
        result = health_rules.classify(reading, rules=rules)
    except health_rules.InvalidReading as e:
        raise ValidationError({e.field: ValidationError(e.message, code="invalid")}) from None
    if not result.classification:
        raise ValidationError({"kind": ValidationError(
            _("No rule classifies this reading (kind “%(kind)s”).") % {"kind": reading["kind"]}, code="no_rule")})
    return {"class": result.classification, "rule": result.rule, "rule_set": result.rule_set,
            "text": health_rules.rule_text(result.rule, rules)}
