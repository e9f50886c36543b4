"""/api/v1/health: the contracts topic.

GET /teams — the family-doctor teams the caller may read (scope.team_filter);
GET /contracts — contracts the caller may read (?elder, ?team, ?valid=true for those in force today);
POST /contracts — sign (a member of the team, or a bureau admin of the elder's area);
POST /contracts/{id}/renew, POST /contracts/{id}/end — the same people.
A contract outside the caller's scope is 404; every staff read of contracts (the elder's health
data) is audited.
"""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.accounts import scope
from kangyang.health.actions import contracts as actions
from kangyang.health.models import Contract, ServicePackage, Team
from kangyang.health.models.contracts import valid_on
from kangyang.health.queries import contracts as queries
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, StrictDate
from kangyang.registry.models import Elder
from kangyang.health.actions import audit_read as health_audit_read

router = Router(tags=["health"])


class MemberOut(Schema):
    name: str
    function: str
    lead: bool


class TeamOut(Schema):
    id: int
    name: str
    institution: str = Field(..., alias="institution.name")
    area_code: str
    active: bool
    contracted: int = Field(..., description="Elders with a contract in force today.")
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Team) -> list:
        return list(obj.members.all())


@router.get("/teams", response=list[TeamOut], summary="Family-doctor teams")
@paginate(Page)
def list_teams(request):
    return queries.teams_for(request.auth).prefetch_related("members")


class ContractOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    elder_name: str = Field(..., alias="elder.name")
    team: int = Field(..., alias="team_id")
    team_name: str = Field(..., alias="team.name")
    package: str = Field(..., alias="package.code")
    package_name: str = Field(..., alias="package.name")
    signed_on: StrictDate
    starts_on: StrictDate
    ends_on: StrictDate
    ended_on: StrictDate | None
    end_reason: str
    renewed_from: int | None = Field(None, alias="renewed_from_id")
    in_force: bool

    @staticmethod
    def resolve_in_force(obj: Contract) -> bool:
        today = timezone.localdate()
        return obj.starts_on <= today <= obj.ends_on and (obj.ended_on is None or obj.ended_on > today)


class ContractFilter(Schema):
    elder: int | None = Field(None, ge=1, le=DB_INT_MAX)
    team: int | None = Field(None, ge=1, le=DB_INT_MAX)
    valid: bool | None = Field(None, description="true: in force today; false: not in force today.")


def _audit(request, *, note: str, elder: Elder | None = None, region_code: str = "") -> None:
    health_audit_read(request.auth, elder, verb="health.contracts.read", note=note, region_code=region_code)


@router.get("/contracts", response=list[ContractOut], summary="Family-doctor contracts")
@paginate(Page)
def list_contracts(request, filters: Query[ContractFilter]):
    rows = queries.contracts_for(request.auth)
    elder = None
    if filters.elder is not None:
        rows = rows.filter(elder_id=filters.elder)
        elder = Elder.objects.filter(pk=filters.elder).first()
    if filters.team is not None:
        rows = rows.filter(team_id=filters.team)
    if filters.valid is not None:
        today_rule = valid_on(timezone.localdate())
        rows = rows.filter(today_rule) if filters.valid else rows.exclude(today_rule)
    _audit(request, note="api", elder=elder)
    return rows.order_by("-starts_on", "-pk")


def _read(request, contract_id: int) -> Contract:
    return get_object_or_404(queries.contracts_for(request.auth), pk=contract_id)


class SignIn(Schema):
    elder: int = Field(..., ge=1, le=DB_INT_MAX)
    team: int = Field(..., ge=1, le=DB_INT_MAX)
    package: str = Field(..., min_length=1, max_length=30, pattern=r"^[-a-zA-Z0-9_]+$",
                         description="The service package's code.")
    signed_on: StrictDate | None = Field(None, description="Today when not sent.")


@router.post("/contracts", response={201: ContractOut}, summary="Sign a family-doctor contract")
def sign_contract(request, payload: SignIn):
    elder = Elder.objects.filter(scope.health_filter(request.auth) | Q(pk__in=_elders_of_teams(request.auth)),
                                 pk=payload.elder).first()
    if elder is None:
        raise ValidationError({"elder": ValidationError(_("There is no such elder in your area."), code="unknown")})
    team = Team.objects.filter(pk=payload.team).first()
    if team is None:
        raise ValidationError({"team": ValidationError(_("There is no such team."), code="unknown")})
    if not scope.manages_contracts_of(request.auth, team, elder):
        raise PermissionDenied
    package = ServicePackage.objects.filter(code=payload.package).first()
    if package is None:
        raise ValidationError({"package": ValidationError(_("There is no such service package."), code="unknown")})
    if payload.signed_on and payload.signed_on > timezone.localdate():
        raise ValidationError({"signed_on": ValidationError(_("The day cannot be in the future."), code="future")})
    contract = actions.sign_contract(elder=elder, team=team, package=package, signed_on=payload.signed_on,
                                     by=request.auth)
    return Status(201, _read(request, contract.pk))


def _elders_of_teams(user):
    """A team member signs elders of the area her team serves, before they have a contract."""
    teams = Team.objects.filter(pk__in=scope.team_ids(user), active=True)
    prefixes = [actions._area_prefix(t.area_code) for t in teams]
    if not prefixes:
        return Elder.objects.none().values("pk")
    rule = Q()
    for p in prefixes:
        rule |= Q(region_code__startswith=p)
    return Elder.objects.filter(rule).values("pk")


class RenewIn(Schema):
    package: str | None = Field(None, min_length=1, max_length=30, pattern=r"^[-a-zA-Z0-9_]+$",
                                description="Another package's code; the same when not sent.")


@router.post("/contracts/{contract_id}/renew", response={201: ContractOut}, summary="Renew a contract")
def renew_contract(request, payload: RenewIn, contract_id: int):
    contract = _read(request, contract_id)
    if not scope.manages_contracts_of(request.auth, contract.team, contract.elder):
        raise PermissionDenied
    package = None
    if payload.package:
        package = ServicePackage.objects.filter(code=payload.package).first()
        if package is None:
            raise ValidationError({"package": ValidationError(_("There is no such service package."), code="unknown")})
    renewal = actions.renew_contract(Contract.objects.get(pk=contract.pk), by=request.auth, package=package)
    return Status(201, _read(request, renewal.pk))


class EndIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)
    on: StrictDate | None = Field(None, description="Today when not sent.")


@router.post("/contracts/{contract_id}/end", response=ContractOut, summary="End a contract early")
def end_contract(request, payload: EndIn, contract_id: int):
    contract = _read(request, contract_id)
    if not scope.manages_contracts_of(request.auth, contract.team, contract.elder):
        raise PermissionDenied
    # The contract as ended, from the action: once it has ended today, its elder may have left the
    # doctor's view (scope/health.py: a team reads its elders while a contract is in force).
    return actions.end_contract(Contract.objects.get(pk=contract.pk), by=request.auth, reason=payload.reason,
                                on=payload.on)


__all__ = ["router"]
