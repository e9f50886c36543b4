"""/api/v1/elders: the elder registry over HTTP.

Scope. Every handler loads elders through registry.queries (`elders_for`,
`get_elder_for`), so an elder outside the caller's scope answers 404 everywhere, and a
list never holds one. An elder the caller can see but may not change (the operator's,
an elder's own record) answers 403 to a write.

Community codes in a body (create, PATCH). A code that is malformed or names no
community is a 422 on `community`. A community that exists but lies outside the
caller's view is a 404, as any record outside scope is (CONTRACTS.md): region codes
are published statistics, so telling "no such community" from "not yours" gives
nothing away. A community the caller can see but may not register elders in (the
hotline operator's district) is a 403, from the action. A compound is named by its id
and must lie in the elder's community, else a 422 on `compound`; moving an elder to
another community without naming a compound there clears the compound.

Personal numbers. ElderOut carries only what accounts.scope.IDENTITY_SHOWN allows: the
masked ID number and masked phone, and the age instead of the birth date (the mask hides
exactly the birth-date digits). The full values and the birth date leave the API in one
place, `POST /{id}/reveal`, which needs a stated reason and writes a `view_full` audit
entry before answering.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kangyang.accounts import scope
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import StrictDate
from kangyang.regions.models import Compound, Region
from kangyang.registry import actions, queries
from kangyang.registry.models import Elder, HealthRecord

router = Router(tags=["elders"])

CODE_PATTERN = r"^\d{12}$"


def _one_of(values):
    """A Literal of the allowed values. Inlined in the OpenAPI document, so that our
    `Status` and another app's `Status` never clash as component names."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


Sex = _one_of(Elder.Sex.values)
Category = _one_of(Elder.Category.values)
LivingArrangement = _one_of(Elder.LivingArrangement.values)
Status = _one_of(Elder.Status.values)
AgeBand = _one_of(queries.AGE_BANDS)


# -- schemas ---------------------------------------------------------------------------------
class HealthOut(Schema):
    chronic_conditions: str
    allergies: str
    family_doctor_contract: bool
    family_doctor: str
    contract_signed_on: dt.date | None
    last_checkup_on: dt.date | None
    notes: str


class CategoryOut(Schema):
    """One category in force (or a derived one an override cleared), and why."""

    code: Category
    label: str
    in_force: bool
    source: Literal["assessment", "household", "override", "manual"]
    reason: str = Field(description="Why, in the caller's language; for an override, the reason given.")
    by: str | None = Field(None, description="Who made the override.")
    at: str | None = Field(None, description="When the override was made (local time, with offset).")


class ElderOut(Schema):
    """An elder as the API shows it: never the full ID number or phone."""

    id: int
    name: str
    sex: Sex
    age: int = Field(description="Age today. The birth date is not shown beside the masked ID "
                                 "number (which hides exactly its digits); reveal gives it.")
    id_number_masked: str
    phone_masked: str
    community: str = Field(description="12-digit code of the elder's community.")
    community_name: str
    compound: int | None = Field(None, description="Id of the residential compound, if known.")
    compound_name: str | None = None
    address: str
    living_arrangement: str
    categories: list[str]
    category_details: list[CategoryOut] = Field(
        description="The categories with where each comes from: the latest signed assessment "
                    "(disabled, cognitively_impaired), the household record (alone, empty_nest, "
                    "without_family), an override, or a manual entry (0.4)."
    )
    registered_community: str = Field(
        description="12-digit code of the community of registered residence (户籍地); `community` "
                    "is where the elder lives, which scopes and counts her (0.4)."
    )
    status: Status
    status_date: dt.date | None
    health: HealthOut | None = Field(
        None, description="The health summary; null unless the caller may see it."
    )

    @staticmethod
    def resolve_age(obj: Elder) -> int:
        return obj.age()

    @staticmethod
    def resolve_id_number_masked(obj: Elder, context) -> str:
        """As accounts.scope.identity_view allows the caller (every role that reaches this
        resource sees the mask; a role that may not would get "")."""
        return scope.identity_view(context["request"].auth, obj).get("id_number_masked", "")

    @staticmethod
    def resolve_community(obj: Elder) -> str:
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj: Elder) -> str:
        return obj.community.name

    @staticmethod
    def resolve_category_details(obj: Elder) -> list[dict]:
        return obj.category_details()

    @staticmethod
    def resolve_registered_community(obj: Elder) -> str:
        return obj.registered_community.code

    @staticmethod
    def resolve_compound(obj: Elder) -> int | None:
        return obj.compound_id

    @staticmethod
    def resolve_compound_name(obj: Elder) -> str | None:
        return obj.compound.name if obj.compound_id else None

    @staticmethod
    def resolve_health(obj: Elder, context):
        if not scope.can_see_health(context["request"].auth, obj):
            return None
        try:
            return obj.health
        except ObjectDoesNotExist:
            return None


class ElderIn(Schema):
    """A new elder. Birth date and sex come from the ID number; if sent, they must agree."""

    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=32, description="18-character resident ID number.")
    community: str = Field(..., pattern=CODE_PATTERN, description="12-digit code of the community she lives in.")
    registered_community: str | None = Field(
        None, pattern=CODE_PATTERN, description="12-digit code of the community of registered "
                                                "residence, if not the same.")
    compound: int | None = Field(None, description="Id of a compound in that community.")
    phone: str = Field("", max_length=32)
    address: str = Field("", max_length=200)
    categories: list[Category] = []
    living_arrangement: LivingArrangement | Literal[""] = ""
    birth_date: StrictDate | None = None
    sex: Sex | None = None


class ElderPatch(Schema):
    """Only the fields sent change. Compound, phone, address, living arrangement and
    categories may be cleared with null (or "" / []); the other fields cannot be cleared."""

    name: str | None = Field(None, max_length=50)
    id_number: str | None = Field(None, max_length=32)
    community: str | None = Field(None, pattern=CODE_PATTERN)
    registered_community: str | None = Field(None, pattern=CODE_PATTERN)
    compound: int | None = None
    phone: str | None = Field(None, max_length=32)
    address: str | None = Field(None, max_length=200)
    categories: list[Category] | None = None
    living_arrangement: LivingArrangement | Literal[""] | None = None
    birth_date: StrictDate | None = None
    sex: Sex | None = None


class ElderFilter(Schema):
    q: str = Field(
        "", max_length=50, description="Name, pinyin initials, last 4 of the ID, full ID or phone."
    )
    community: str | None = Field(
        None, pattern=CODE_PATTERN,
        description="A community code, or a subdistrict or district code for all below it.",
    )
    age_band: AgeBand | None = None
    category: Category | None = None
    status: Status | None = None


class StatusIn(Schema):
    status: Status
    date: StrictDate | None = Field(
        None, description="Date of death or moving out; required unless the status is active."
    )
    note: str = Field("", max_length=500)


class RevealIn(Schema):
    reason: str = Field(..., max_length=500)


class RevealOut(Schema):
    id_number: str
    phone: str
    birth_date: dt.date


# -- helpers (parsing only) ------------------------------------------------------------------
NOT_CLEARABLE = ("name", "id_number", "community", "birth_date", "sex", "registered_community")
CLEARED = {"compound": None, "phone": "", "address": "", "living_arrangement": "", "categories": []}


def _community(user, code: str) -> Region:
    """The community a body names: 422 if there is none with that code, 404 if the caller
    cannot see it (see the module docstring)."""
    region = Region.objects.filter(code=code, level=Region.Level.COMMUNITY).first()
    if region is None:
        raise ValidationError(
            {"community": ValidationError(
                _("There is no community with this code."), code="unknown_community"
            )}
        )
    if not Region.objects.visible_to(user).filter(pk=region.pk).exists():
        raise Http404
    return region


def _registered_community(code: str) -> Region:
    """Any community of the installation: the registered residence gives no access, and an
    elder may be registered in another district (README "Registry")."""
    region = Region.objects.filter(code=code, level=Region.Level.COMMUNITY).first()
    if region is None:
        raise ValidationError({"registered_community": ValidationError(
            _("There is no community with this code."), code="unknown_community")})
    return region


def _compound(compound_id: int, community: Region) -> Compound:
    """A compound of the given community; any other id (unknown, or another community's)
    is the same 422 on `compound`."""
    compound = Compound.objects.filter(pk=compound_id, community=community).first()
    if compound is None:
        raise ValidationError(
            {"compound": ValidationError(
                _("There is no such compound in this community."), code="unknown_compound"
            )}
        )
    return compound


# -- endpoints -------------------------------------------------------------------------------
@router.get("", response=list[ElderOut])
@paginate(Page)
def list_elders(request, filters: Query[ElderFilter]):
    """Elders the caller may see, searched and filtered."""
    return queries.elders_for(
        request.auth, q=filters.q, community=filters.community or "",
        age_band=filters.age_band or "", category=filters.category or "",
        status=filters.status or "",
    ).select_related("compound", "health", "registered_community")


@router.post("", response={201: ElderOut})
def create(request, payload: ElderIn):
    """Register an elder. The same ID number twice is a 409."""
    community = _community(request.auth, payload.community)
    compound = _compound(payload.compound, community) if payload.compound is not None else None
    registered = _registered_community(payload.registered_community) if payload.registered_community else None
    elder = actions.create_elder(
        by=request.auth, name=payload.name, id_number=payload.id_number, community=community,
        registered_community=registered,
        compound=compound, phone=payload.phone, address=payload.address,
        categories=payload.categories, living_arrangement=payload.living_arrangement,
        birth_date=payload.birth_date, sex=payload.sex,
    )
    return 201, elder


@router.get("/{elder_id}", response=ElderOut)
def detail(request, elder_id: int):
    """One elder's card; outside the caller's scope, 404. Its health summary, when shown, is audited."""
    elder = queries.get_elder_for(request.auth, elder_id)
    if scope.can_see_health(request.auth, elder) and HealthRecord.objects.filter(elder=elder).exists():
        actions.audit_health_summary_read(request.auth, elder)
    return elder


@router.patch("/{elder_id}", response=ElderOut)
def update(request, elder_id: int, payload: ElderPatch):
    """Change the fields sent; each change is audited by the action."""
    sent = payload.dict(exclude_unset=True)
    cleared = [key for key in NOT_CLEARABLE if key in sent and sent[key] is None]
    if cleared:
        raise ValidationError(
            {key: ValidationError(_("This field cannot be emptied."), code="required")
             for key in cleared}
        )
    elder = queries.get_elder_for(request.auth, elder_id, write=True)
    fields = {key: CLEARED[key] if value is None else value for key, value in sent.items()}
    if "community" in fields:
        fields["community"] = _community(request.auth, fields["community"])
        if fields["community"].pk != elder.community_id:
            fields.setdefault("compound", None)
    if "registered_community" in fields:
        fields["registered_community"] = _registered_community(fields["registered_community"])
    if fields.get("compound") is not None:
        community = fields.get("community", elder.community)
        fields["compound"] = _compound(fields["compound"], community)
    return actions.update_elder(elder, by=request.auth, **fields)


@router.post("/{elder_id}/status", response=ElderOut)
def change_status(request, elder_id: int, payload: StatusIn):
    """Record death or moving out (or a return to active); records are never deleted."""
    elder = queries.get_elder_for(request.auth, elder_id, write=True)
    return actions.set_elder_status(
        elder, by=request.auth, status=payload.status, on=payload.date, note=payload.note
    )


@router.post("/{elder_id}/reveal", response=RevealOut)
def reveal(request, elder_id: int, payload: RevealIn, response: HttpResponse):
    """The full ID number and phone, with a stated reason; audited as `view_full`.
    The only place a full ID number leaves the API."""
    elder = queries.get_elder_for(request.auth, elder_id)
    response["Cache-Control"] = "no-store"
    return actions.reveal_elder(elder, by=request.auth, reason=payload.reason)
