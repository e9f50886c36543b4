"""/api/v1/institutions: the register of institutions and facilities, and their residents.

Reading: everyone the register shows them to (scope.institution_filter: the area's supervisors,
inspectors, a provider manager her own organisation's); outside that, 404. Registering and
editing: the bureau admin of the area (403 for the others who read it). Occupancy is counted
from the residents (queries.register.with_occupancy), never sent. The residents of an
institution are personal data: only the staff of the area and the running organisation's
manager read them, each read audited; they carry what accounts.scope.IDENTITY_SHOWN allows
(the age, never the birth date).
"""

from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.accounts import scope
from kangyang.accounts.models import Organisation
from kangyang.institutions.actions import register as actions
from kangyang.institutions.models import Institution, Resident
from kangyang.institutions.queries import register as queries
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, StrictDate
from kangyang.regions.models import Region

router = Router(tags=["institutions"])

KindValue = Literal[tuple(Institution.Kind.values)]  # type: ignore[valid-type]
OwnershipValue = Literal[tuple(Institution.Ownership.values)]  # type: ignore[valid-type]
ModelValue = Literal[tuple(Institution.OperatingModel.values)]  # type: ignore[valid-type]
ConstructionValue = Literal[tuple(Institution.Construction.values)]  # type: ignore[valid-type]
MedicalValue = Literal[tuple(Institution.Medical.values)]  # type: ignore[valid-type]
FlagValue = Literal[tuple(queries.FLAGS)]  # type: ignore[valid-type]
Text = str


class FeeOut(Schema):
    item: str
    unit: str
    price: Decimal
    note: str


class StaffingOut(Schema):
    qualification: str
    count: int


class InstitutionOut(Schema):
    id: int
    name: str
    kind: KindValue
    kind_label: str
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    ownership: str
    operating_model: str
    region_code: str = Field(..., description="The community it stands in.")
    community_name: str = Field(..., alias="community.name")
    address: str
    lat: float | None
    lng: float | None
    beds_total: int
    beds_nursing: int
    beds_occupied: int = Field(..., description="Open stays, counted from the residents' records.")
    beds_available: int
    floor_area_m2: Decimal | None
    medical: str
    stars: int
    opened_on: StrictDate | None
    closed_on: StrictDate | None

    @staticmethod
    def resolve_kind_label(obj: Institution) -> str:
        return str(obj.get_kind_display())


class InstitutionDetailOut(InstitutionOut):
    construction: str
    complete_community: bool
    phone: str
    filing_number: str
    filed_on: StrictDate | None
    medical_partner: str
    medical_agreement_until: StrictDate | None
    fire_safety_accepted_on: StrictDate | None
    liability_insurance_until: StrictDate | None
    emergency_plan_updated_on: StrictDate | None
    prepaid_balance: Decimal
    deposits_held: Decimal
    funds_reported_on: StrictDate | None
    services: list[str]
    description: str
    flags: list[str] = Field(..., description="funds (prepaid fees and deposits above the threshold), documents "
                                              "(medical agreement or insurance ending soon), fire (no fire-safety acceptance).")
    fees: list[FeeOut]
    staffing: list[StaffingOut]

    @staticmethod
    def resolve_flags(obj: Institution) -> list[str]:
        return queries.flags_of(obj)

    @staticmethod
    def resolve_fees(obj: Institution) -> list:
        return list(obj.fees.all())

    @staticmethod
    def resolve_staffing(obj: Institution) -> list:
        return list(obj.staffing.order_by("qualification"))


class InstitutionFilter(Schema):
    kind: KindValue | None = None
    region: str | None = Field(None, pattern=r"^\d{1,12}$", description="A region code or its leading digits.")
    organisation: int | None = Field(None, ge=1, le=DB_INT_MAX, description="An organisation's id.")
    q: str | None = Field(None, max_length=100, description="Part of the name.")
    flag: FlagValue | None = None


@router.get("", response=list[InstitutionOut], summary="List institutions and facilities")
@paginate(Page)
def list_institutions(request, filters: Query[InstitutionFilter]):
    """The register as the caller may read it, with occupancy counted from the residents."""
    return queries.register_for(request.auth, kind=filters.kind or "", region=filters.region or "",
                                organisation=filters.organisation, q=(filters.q or "").replace("\x00", ""),
                                flag=filters.flag or "")


@router.get("/{institution_id}", response=InstitutionDetailOut, summary="An institution or facility")
def get_institution(request, institution_id: int):
    return queries.get_institution_for(request.auth, institution_id)


class InstitutionIn(Schema):
    name: Text = Field(..., min_length=1, max_length=200)
    kind: KindValue
    ownership: OwnershipValue
    operating_model: ModelValue
    construction: ConstructionValue = "existing"
    organisation: int = Field(..., ge=1, le=DB_INT_MAX)
    community: str = Field(..., pattern=r"^\d{12}$", description="The community's region code.")
    complete_community: bool = False
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    phone: str = Field("", max_length=20)
    opened_on: StrictDate | None = None
    closed_on: StrictDate | None = None
    filing_number: str = Field("", max_length=60)
    filed_on: StrictDate | None = None
    floor_area_m2: Decimal | None = Field(None, ge=0, le=Decimal("999999999.9"), decimal_places=1)
    beds_total: int = Field(0, ge=0, le=actions.MAX_BEDS)
    beds_nursing: int = Field(0, ge=0, le=actions.MAX_BEDS)
    medical: MedicalValue = "none"
    medical_partner: str = Field("", max_length=200)
    medical_agreement_until: StrictDate | None = None
    fire_safety_accepted_on: StrictDate | None = None
    liability_insurance_until: StrictDate | None = None
    emergency_plan_updated_on: StrictDate | None = None
    services: list[str] = Field(default_factory=list, max_length=50)
    description: str = Field("", max_length=4000)


class InstitutionPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: KindValue | None = None
    ownership: OwnershipValue | None = None
    operating_model: ModelValue | None = None
    construction: ConstructionValue | None = None
    organisation: int | None = Field(None, ge=1, le=DB_INT_MAX)
    community: str | None = Field(None, pattern=r"^\d{12}$")
    complete_community: bool | None = None
    address: str | None = Field(None, max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    phone: str | None = Field(None, max_length=20)
    opened_on: StrictDate | None = None
    closed_on: StrictDate | None = None
    filing_number: str | None = Field(None, max_length=60)
    filed_on: StrictDate | None = None
    floor_area_m2: Decimal | None = Field(None, ge=0, le=Decimal("999999999.9"), decimal_places=1)
    beds_total: int | None = Field(None, ge=0, le=actions.MAX_BEDS)
    beds_nursing: int | None = Field(None, ge=0, le=actions.MAX_BEDS)
    medical: MedicalValue | None = None
    medical_partner: str | None = Field(None, max_length=200)
    medical_agreement_until: StrictDate | None = None
    fire_safety_accepted_on: StrictDate | None = None
    liability_insurance_until: StrictDate | None = None
    emergency_plan_updated_on: StrictDate | None = None
    services: list[str] | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=4000)


# Fields that may be cleared with null in a PATCH; the others ignore a null.
NULLABLE = {"lat", "lng", "opened_on", "closed_on", "filed_on", "floor_area_m2", "medical_agreement_until",
            "fire_safety_accepted_on", "liability_insurance_until", "emergency_plan_updated_on"}
TEXTS = {"name", "address", "phone", "filing_number", "medical_partner", "description"}


def _resolve(request, values: dict) -> dict:
    """Organisation and community from their ids and codes; NULs refused, field by field."""
    for field, value in values.items():
        if isinstance(value, str) and "\x00" in value or (
                isinstance(value, list) and any("\x00" in s for s in value)):
            raise ValidationError({field: ValidationError(_("The text contains a NUL character."), code="invalid")})
    if "organisation" in values:
        organisation = Organisation.objects.filter(pk=values["organisation"]).first()
        if organisation is None:
            raise ValidationError({"organisation": ValidationError(_("There is no such organisation."), code="unknown")})
        values["organisation"] = organisation
    if "community" in values:
        community = Region.objects.filter(code=values["community"], level=Region.Level.COMMUNITY).first()
        if community is None:
            raise ValidationError({"community": ValidationError(_("There is no such community."), code="unknown")})
        values["community"] = community
    return values


def _detail(request, institution: Institution) -> Institution:
    return queries.get_institution_for(request.auth, institution.pk)


@router.post("", response={201: InstitutionDetailOut}, summary="Register an institution or facility")
def register_institution(request, payload: InstitutionIn):
    """The bureau admin whose area covers the community registers it."""
    if not scope.can_register_institutions(request.auth):
        raise PermissionDenied
    values = _resolve(request, payload.dict())
    institution = actions.register_institution(by=request.auth, **values)
    return Status(201, _detail(request, institution))


@router.patch("/{institution_id}", response=InstitutionDetailOut, summary="Edit an institution's register entry")
def edit_institution(request, payload: InstitutionPatch, institution_id: int):
    """Only the fields sent change; null clears a date, the coordinates or the floor area."""
    institution = queries.get_institution_for(request.auth, institution_id)
    sent = payload.dict(exclude_unset=True)
    values = {k: v for k, v in sent.items() if v is not None or k in NULLABLE}
    values = _resolve(request, values)
    plain = Institution.objects.get(pk=institution.pk)
    actions.edit_institution(plain, by=request.auth, **values)
    return _detail(request, plain)


class ResidentOut(Schema):
    id: int
    elder: int = Field(..., alias="elder_id")
    name: str = Field(..., alias="elder.name")
    sex: str
    age: int
    bed: str
    admitted_on: StrictDate
    left_on: StrictDate | None
    left_reason: str
    centralised_care: bool
    care_level: int | None = Field(None, description="From the elder's latest valid assessment.")

    @staticmethod
    def resolve_sex(obj: Resident) -> str:
        return obj.elder.sex

    @staticmethod
    def resolve_age(obj: Resident) -> int:
        return obj.elder.age()


class ResidentFilter(Schema):
    past: bool = Field(False, description="Those who left (or whom the registry records as dead) instead.")


@router.get("/{institution_id}/residents", response=list[ResidentOut], summary="Residents of an institution")
@paginate(Page)
def list_residents(request, filters: Query[ResidentFilter], institution_id: int):
    """Who lives there now (or lived): for the staff of its area and the manager of the
    organisation running it; each read is in the audit log."""
    institution = get_object_or_404(Institution.objects.visible_to(request.auth), pk=institution_id)
    if not scope.sees_residents_of(request.auth, institution):
        raise PermissionDenied
    stays = queries.residents_of(institution, current=not filters.past)
    actions.audit_residents_read(request.auth, institution, count=stays.count(), via="api")
    return stays


class AdmitIn(Schema):
    id_number: str = Field(..., min_length=18, max_length=18, pattern=r"^\d{17}[\dXx]$",
                           description="The elder's resident ID number (the elder must be in the registry).")
    admitted_on: StrictDate | None = Field(None, description="Today when not sent.")
    bed: Literal[tuple(Resident.Bed.values)] = "general"  # type: ignore[valid-type]


@router.post("/{institution_id}/residents", response={201: ResidentOut}, summary="Admit an elder")
def admit_resident(request, payload: AdmitIn, institution_id: int):
    """The keepers of the residents (the bureau admin and subdistrict officer of the area, the
    running organisation's manager) admit an elder of the registry: one open stay per elder
    (409 when she lives elsewhere or every bed is taken)."""
    institution = get_object_or_404(Institution.objects.visible_to(request.auth), pk=institution_id)
    if not scope.keeps_residents_of(request.auth, institution):
        raise PermissionDenied
    elder = queries.elder_by_id_number(payload.id_number)
    if elder is None:
        raise ValidationError({"id_number": ValidationError(
            _("No elder with this ID number can be admitted: check the number, or ask the community worker of her residence."), code="unknown")})
    stay = actions.admit(institution, by=request.auth, elder=elder, admitted_on=payload.admitted_on, bed=payload.bed)
    return Status(201, queries.residents_of(institution).get(pk=stay.pk))


class LeaveIn(Schema):
    reason: Literal[tuple(Resident.Left.values)]  # type: ignore[valid-type]
    on: StrictDate | None = Field(None, description="Today when not sent.")
    to: int | None = Field(None, ge=1, le=DB_INT_MAX, description="transferred: the institution she moves to.")


@router.post("/{institution_id}/residents/{stay_id}/leave", response=ResidentOut, summary="End a stay")
def end_stay(request, payload: LeaveIn, institution_id: int, stay_id: int):
    """Discharge, move to another institution of the register (`to`), or death (which the
    registry records too)."""
    institution = get_object_or_404(Institution.objects.visible_to(request.auth), pk=institution_id)
    if not scope.keeps_residents_of(request.auth, institution):
        raise PermissionDenied
    stay = get_object_or_404(Resident.objects.select_related("elder", "institution"), pk=stay_id, institution=institution)
    if payload.reason == Resident.Left.DIED:
        actions.record_death(stay, by=request.auth, on=payload.on)
    elif payload.reason == Resident.Left.TRANSFERRED:
        to = Institution.objects.visible_to(request.auth).filter(pk=payload.to).first() if payload.to else None
        if to is None:
            raise ValidationError({"to": ValidationError(_("Choose the institution the elder moves to."), code="required")})
        actions.transfer(stay, by=request.auth, to=to, on=payload.on,
                         bed=Resident.Bed.HOME if to.kind == Institution.Kind.HOME_CARE_BEDS else Resident.Bed.GENERAL)
    else:
        actions.discharge(stay, by=request.auth, on=payload.on)
    return queries.residents_of(institution, current=False).get(pk=stay.pk)
