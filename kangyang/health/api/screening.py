"""/api/v1/health: the screening topic — cognitive screenings, referrals and their steps, home
sickbeds. Lists and records are those of elders whose health data the caller reads
(scope.health_filter; another's is a 404); writes are the elder's family-doctor team's (403
otherwise). A referral step its status does not allow is 409 `wrong_status`; a second open
sickbed is 409 `conflict`. Staff reads are audited."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.accounts import scope
from kangyang.health.actions import screening as actions
from kangyang.health.models import MedicalInstitution, Referral, Screening
from kangyang.health.queries import screening as queries
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, StrictDate, UtcDatetime
from kangyang.registry.models import Elder

router = Router(tags=["health"])

ToolValue = Literal[tuple(Screening.Tool.values)]  # type: ignore[valid-type]
StatusValue = Literal[tuple(Referral.Status.values)]  # type: ignore[valid-type]
Id = Field(..., ge=1, le=DB_INT_MAX)
Text = Field(..., max_length=4000)


class ElderFilter(Schema):
    elder: int | None = Field(None, ge=1, le=DB_INT_MAX)


class ReferralFilter(ElderFilter):
    status: StatusValue | None = None


class SickbedFilter(ElderFilter):
    open: bool | None = Field(None, description="true: only open episodes; false: only closed ones.")


class ScreeningOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    tool: ToolValue
    screened_on: dt.date
    answers: dict[str, str]
    score: int
    positive: bool
    result: str
    team: int | None = Field(None, alias="team_id")
    recorded_at: UtcDatetime

    @staticmethod
    def resolve_result(obj: Screening) -> str:
        return queries.result_words(obj)


class ScreeningIn(Schema):
    elder: int = Id
    tool: ToolValue
    answers: dict[str, Any] = Field(..., description="{question key: answer}: Mini-Cog recall 0–3, clock 0|2; "
                                                     "AD8 q1…q8 yes|no|unknown.")
    screened_on: StrictDate | None = None


class ReferralOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    to_institution: int = Field(..., alias="to_institution_id")
    to_institution_name: str
    from_team: int | None = Field(None, alias="from_team_id")
    reason: str
    urgent: bool
    referred_on: dt.date
    status: StatusValue
    status_label: str
    received_on: dt.date | None
    returned_on: dt.date | None
    return_summary: str

    @staticmethod
    def resolve_to_institution_name(obj: Referral) -> str:
        return obj.to_institution.name

    @staticmethod
    def resolve_status_label(obj: Referral) -> str:
        return str(obj.get_status_display())


class ReferralIn(Schema):
    elder: int = Id
    to_institution: int = Id
    reason: str = Text
    urgent: bool = False
    referred_on: StrictDate | None = None


class ReturnIn(Schema):
    summary: str = Text
    on: StrictDate | None = None


class SickbedOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    institution: int = Field(..., alias="institution_id")
    institution_name: str
    diagnosis: str
    opened_on: dt.date
    closed_on: dt.date | None
    close_reason: str
    visits_per_week: int

    @staticmethod
    def resolve_institution_name(obj) -> str:
        return obj.institution.name


class SickbedIn(Schema):
    elder: int = Id
    institution: int = Id
    diagnosis: str = Field(..., max_length=16)
    visits_per_week: int = Field(1, ge=1, le=actions.MAX_VISITS_PER_WEEK)
    opened_on: StrictDate | None = None


class CloseIn(Schema):
    reason: str = Field(..., max_length=200)
    closed_on: StrictDate | None = None


def _elder(user, elder_id: int) -> Elder:
    try:
        return Elder.objects.filter(scope.health_filter(user)).get(pk=elder_id)
    except Elder.DoesNotExist:
        raise Http404 from None


def _institution(pk: int, field: str) -> MedicalInstitution:
    try:
        return MedicalInstitution.objects.get(pk=pk)
    except MedicalInstitution.DoesNotExist:
        raise actions._invalid(field, _("No such medical institution.")) from None


def _audited(request, qs, verb: str):
    """The page of a list the caller gets is audited when it is a staff read."""
    queries.audit_read(request.auth, verb=verb)
    return qs


@router.get("/screenings", response=list[ScreeningOut], summary="List cognitive screenings")
@paginate(Page)
def list_screenings(request, filters: Query[ElderFilter]):
    qs = queries.screenings_for(request.auth)
    if filters.elder:
        qs = qs.filter(elder_id=filters.elder)
    return _audited(request, qs, "health.screening.list")


@router.post("/screenings", response={201: ScreeningOut}, summary="Record a cognitive screening")
def create_screening(request, payload: ScreeningIn):
    """Scores the answers (Mini-Cog: recall + clock, positive below 3; AD8: count of “yes”, positive from 2)."""
    elder = _elder(request.auth, payload.elder)
    screening = actions.record_screening(by=request.auth, elder=elder, tool=payload.tool, answers=payload.answers,
                                         screened_on=payload.screened_on)
    return Status(201, screening)


@router.get("/referrals", response=list[ReferralOut], summary="List referrals")
@paginate(Page)
def list_referrals(request, filters: Query[ReferralFilter]):
    qs = queries.referrals_for(request.auth, status=filters.status or "")
    if filters.elder:
        qs = qs.filter(elder_id=filters.elder)
    return _audited(request, qs, "health.referral.list")


@router.post("/referrals", response={201: ReferralOut}, summary="Refer an elder to a medical institution")
def create_referral(request, payload: ReferralIn):
    elder = _elder(request.auth, payload.elder)
    referral = actions.refer(by=request.auth, elder=elder,
                             to_institution=_institution(payload.to_institution, "to_institution"),
                             reason=payload.reason, urgent=payload.urgent, referred_on=payload.referred_on)
    return Status(201, referral)


@router.post("/referrals/{referral_id}/receive", response=ReferralOut, summary="Mark a referral received")
def receive_referral(request, referral_id: int):
    referral = queries.get_referral_for(request.auth, referral_id)
    return actions.mark_received(referral, by=request.auth)


@router.post("/referrals/{referral_id}/return", response=ReferralOut, summary="Return a referral to the community")
def return_referral(request, referral_id: int, payload: ReturnIn):
    referral = queries.get_referral_for(request.auth, referral_id)
    return actions.return_to_community(referral, by=request.auth, summary=payload.summary, on=payload.on)


@router.post("/referrals/{referral_id}/cancel", response=ReferralOut, summary="Cancel a referral")
def cancel_referral(request, referral_id: int):
    referral = queries.get_referral_for(request.auth, referral_id)
    return actions.cancel_referral(referral, by=request.auth)


@router.get("/sickbeds", response=list[SickbedOut], summary="List home sickbeds")
@paginate(Page)
def list_sickbeds(request, filters: Query[SickbedFilter]):
    qs = queries.sickbeds_for(request.auth)
    if filters.elder:
        qs = qs.filter(elder_id=filters.elder)
    if filters.open is not None:
        qs = qs.filter(closed_on__isnull=filters.open)
    return _audited(request, qs, "health.sickbed.list")


@router.post("/sickbeds", response={201: SickbedOut}, summary="Open a home sickbed")
def open_sickbed(request, payload: SickbedIn):
    elder = _elder(request.auth, payload.elder)
    sickbed = actions.open_sickbed(by=request.auth, elder=elder,
                                   institution=_institution(payload.institution, "institution"),
                                   diagnosis=payload.diagnosis, visits_per_week=payload.visits_per_week,
                                   opened_on=payload.opened_on)
    return Status(201, sickbed)


@router.post("/sickbeds/{sickbed_id}/close", response=SickbedOut, summary="Close a home sickbed")
def close_sickbed(request, sickbed_id: int, payload: CloseIn):
    sickbed = queries.get_sickbed_for(request.auth, sickbed_id)
    return actions.close_sickbed(sickbed, by=request.auth, reason=payload.reason, closed_on=payload.closed_on)
