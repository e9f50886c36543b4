"""/api/v1/health: the readings topic — readings (`GET /readings`, a reading entered by hand with
`POST /readings`) and health alerts (`GET /alerts`, `GET /alerts/{id}`, acknowledge, close).

Readings follow the one rule of who reads health data (accounts/scope/health.py); alerts their
own (`health_alert_filter`: the team, the area's community workers, officers and admins, the
elder and her family). A record outside the caller's scope is a 404; staff reads are audited.
`POST /readings` takes {"elder", "kind", "measured_at" (RFC 3339 with offset), and the values of
the kind: systolic/diastolic (pulse), glucose (mmol/L), spo2 (%), pulse (heart rate), weight_kg},
classifies it by the follow-up rules and raises an alert when urgent. Acknowledging an alert
that is not open, or closing a closed one, is 409 `wrong_status`;
closing without an outcome is 422."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.accounts import scope
from kangyang.health.actions import alerts as actions
from kangyang.health.actions.reviews import enter_reading
from kangyang.health.models import HealthAlert, Reading
from kangyang.health.models.followups import Classification
from kangyang.health.models.readings import ReadingKind
from kangyang.health.queries import readings as queries
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, StrictAwareDatetime, UtcDatetime

router = Router(tags=["health"])

KindValue = Literal[tuple(ReadingKind.values)]  # type: ignore[valid-type]
ClassValue = Literal[tuple(v for v in Classification.values if v)]  # type: ignore[valid-type]
StatusValue = Literal[tuple(HealthAlert.Status.values)]  # type: ignore[valid-type]


class ReadingFilter(Schema):
    elder: int | None = Field(None, ge=1, le=DB_INT_MAX)
    kind: KindValue | None = None
    classification: ClassValue | None = None
    since: StrictAwareDatetime | None = Field(None, description="Measured at or after (RFC 3339 with offset).")


class ReadingOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    device: int | None = Field(None, alias="device_id")
    kind: KindValue
    kind_label: str
    measured_at: UtcDatetime
    received_at: UtcDatetime
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    glucose: float | None
    spo2: int | None
    weight_kg: float | None
    classification: str
    classification_label: str
    rule: str
    reviewed_at: UtcDatetime | None

    @staticmethod
    def resolve_kind_label(obj: Reading) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_classification_label(obj: Reading) -> str:
        return str(obj.get_classification_display()) if obj.classification else ""


class ReadingIn(Schema):
    elder: int = Field(..., ge=1, le=DB_INT_MAX)
    kind: KindValue
    measured_at: StrictAwareDatetime
    systolic: int | None = Field(None, ge=0, le=1000)
    diastolic: int | None = Field(None, ge=0, le=1000)
    pulse: int | None = Field(None, ge=0, le=1000)
    glucose: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    spo2: int | None = Field(None, ge=0, le=1000)
    weight_kg: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)


class AlertFilter(Schema):
    status: StatusValue | None = None
    elder: int | None = Field(None, ge=1, le=DB_INT_MAX)


class AlertOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    elder_name: str
    region_code: str
    team: int | None = Field(None, alias="team_id")
    reading: ReadingOut | None
    rule: str
    status: StatusValue
    status_label: str
    raised_at: UtcDatetime
    acknowledged_at: UtcDatetime | None
    escalation_level: int
    escalated_at: UtcDatetime | None
    closed_at: UtcDatetime | None
    outcome: str
    family_told: bool

    @staticmethod
    def resolve_elder_name(obj: HealthAlert) -> str:
        return obj.elder.name

    @staticmethod
    def resolve_status_label(obj: HealthAlert) -> str:
        return str(obj.get_status_display())


class CloseIn(Schema):
    outcome: str = Field(..., max_length=actions.MAX_OUTCOME)


def _elder_for(user, elder_id: int | None):
    if elder_id is None:
        return None
    from kangyang.registry.models import Elder

    elder = Elder.objects.filter(scope.health_filter(user), pk=elder_id).first()
    if elder is None:
        raise Http404
    return elder


@router.get("/readings", response=list[ReadingOut], summary="List readings")
@paginate(Page)
def list_readings(request, filters: Query[ReadingFilter]):
    """Readings the caller may read, newest first; filters: elder, kind, classification, since."""
    elder = _elder_for(request.auth, filters.elder)
    queries.audit_read(request.auth, elder, verb="reading.read", note="api")
    return queries.readings_for(request.auth, elder=elder, kind=filters.kind or "",
                                classification=filters.classification, since=filters.since)


@router.post("/readings", response={201: ReadingOut}, summary="Enter a reading by hand")
def create_reading(request, payload: ReadingIn):
    """By the elder's team, or the elder and her family in the app; classified, and an urgent one
    raises a health alert."""
    elder = _elder_for(request.auth, payload.elder)
    if not scope.enters_readings(request.auth, elder):
        raise PermissionDenied(_("Only the elder's family-doctor team, the elder and her family enter her readings."))
    values = payload.dict(include={"systolic", "diastolic", "pulse", "glucose", "spo2", "weight_kg"})
    reading = enter_reading(elder, by=request.auth, kind=payload.kind, measured_at=payload.measured_at, values=values)
    return Status(201, reading)


@router.get("/alerts", response=list[AlertOut], summary="List health alerts")
@paginate(Page)
def list_alerts(request, filters: Query[AlertFilter]):
    """Health alerts the caller may see: open first, then acknowledged, then closed; newest first."""
    alerts = queries.alerts_for(request.auth, status=filters.status or "")
    if filters.elder is not None:
        alerts = alerts.filter(elder_id=filters.elder)
    queries.audit_read(request.auth, None, verb="health_alert.list", note="api")
    return alerts


@router.get("/alerts/{alert_id}", response=AlertOut, summary="A health alert")
def get_alert(request, alert_id: int):
    alert = queries.get_alert_for(request.auth, alert_id)
    queries.audit_read(request.auth, alert, verb="health_alert.read")
    return alert


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut, summary="Acknowledge a health alert")
def acknowledge(request, alert_id: int):
    alert = queries.get_alert_for(request.auth, alert_id)
    actions.acknowledge(alert, request.auth)
    return queries.get_alert_for(request.auth, alert_id)


@router.post("/alerts/{alert_id}/close", response=AlertOut, summary="Close a health alert with what was done")
def close(request, alert_id: int, payload: CloseIn):
    alert = queries.get_alert_for(request.auth, alert_id)
    actions.close(alert, request.auth, payload.outcome)
    return queries.get_alert_for(request.auth, alert_id)

