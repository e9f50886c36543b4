"""/api/v1/organisations: the register of organisations (providers, institutions, meal
points, enterprises), their licences and the blacklist held on them. The bureau admin reads
and keeps the organisations of her area; a provider's manager reads her own."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kangyang.accounts import organisations as actions, queries
from kangyang.accounts.models import BlacklistEntry, Licence, Organisation
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import StrictDate, UtcDatetime
from kangyang.regions.models import Region

router = Router(tags=["organisations"])

CODE_PATTERN = r"^\d{12}$"
# Literals, not the TextChoices: inlined in OpenAPI, so no clash with other apps' `Kind`.
Kind = Literal[tuple(Organisation.Kind.values)]  # type: ignore[valid-type]
CreditStatus = Literal[tuple(Organisation.CreditStatus.values)]  # type: ignore[valid-type]
LicenceKind = Literal[tuple(Licence.Kind.values)]  # type: ignore[valid-type]


class LicenceOut(Schema):
    id: int
    kind: LicenceKind
    number: str
    issued: dt.date | None
    expires: dt.date | None = Field(..., description="Null when it does not expire.")
    alert: Literal["", "expiring", "expired"] = Field(
        ..., description="expired, or expiring within 60 days (queries.LICENCE_WARNING); empty otherwise.")

    @staticmethod
    def resolve_alert(obj: Licence) -> str:
        return queries.licence_alert(obj)


class BlacklistOut(Schema):
    since: UtcDatetime
    until: dt.date | None = Field(..., description="The last day of the bar; null for no end.")
    reason: str


class BlacklistEntryOut(Schema):
    reason: str
    decided_on: dt.date
    until: dt.date | None
    decided_by: str | None = Field(..., description="Username of who decided; null for the installation.")
    lifted_at: UtcDatetime | None
    lift_reason: str

    @staticmethod
    def resolve_decided_by(obj: BlacklistEntry) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: Kind
    credit_code: str = Field(..., description="Unified social credit code (GB 32100-2015); empty if none.")
    region: str = Field(..., description="12-digit code of the region where it is seated.")
    address: str
    contact_person: str
    contact_phone: str = Field(..., description="Masked (138****5678).")
    credit_status: CreditStatus
    blacklisted: bool = Field(..., description="Under a blacklist today: no module gives it work.")
    blacklist: BlacklistOut | None = Field(..., description="The bar in force, if any.")
    licences: list[LicenceOut]

    @staticmethod
    def resolve_region(obj: Organisation) -> str:
        return obj.region.code

    @staticmethod
    def resolve_contact_phone(obj: Organisation) -> str:
        return obj.contact_phone_masked

    @staticmethod
    def resolve_blacklisted(obj: Organisation) -> bool:
        return obj.is_barred()

    @staticmethod
    def resolve_blacklist(obj: Organisation) -> dict | None:
        if not obj.is_barred():
            return None
        return {"since": obj.blacklisted_at, "until": obj.blacklisted_until, "reason": obj.blacklist_reason}

    @staticmethod
    def resolve_licences(obj: Organisation) -> list[Licence]:
        return list(obj.licences.all())


class OrganisationIn(Schema):
    name: str = Field(..., max_length=200)
    kind: Kind
    credit_code: str = Field("", max_length=40, description="Checked by its GB 32100 check character.")
    region: str = Field(..., pattern=CODE_PATTERN, description="12-digit code of the region where it is seated.")
    address: str = Field("", max_length=200)
    contact_person: str = Field("", max_length=100)
    contact_phone: str = Field("", max_length=30)
    credit_status: CreditStatus = "good"


class OrganisationFilter(Schema):
    kind: Kind | None = None
    blacklisted: bool | None = Field(None, description="Only those under a blacklist today (or only those not).")
    licences_expiring: bool = Field(False, description="Only those with a licence expired or expiring within 60 days.")
    q: str = Field("", max_length=100, description="Part of the name, or the whole credit code.")


class BlacklistIn(Schema):
    reason: str = Field(..., max_length=2000)
    until: StrictDate | None = Field(None, description="The last day of the bar; none for no end.")


class LiftIn(Schema):
    reason: str = Field(..., max_length=2000)


class LicenceIn(Schema):
    kind: LicenceKind
    number: str = Field(..., max_length=60)
    issued: StrictDate | None = None
    expires: StrictDate | None = None


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": ValidationError(_("No region has this code."), code="invalid")})
    return region


@router.get("", response=list[OrganisationOut])
@paginate(Page)
def list_organisations(request, filters: Query[OrganisationFilter]):
    """Organisations the caller may read, by name: the bureau admin's area (a city bureau's
    every district), a provider manager's own."""
    return queries.organisations_for(
        request.auth, kind=filters.kind or "", blacklisted=filters.blacklisted,
        licences_expiring=filters.licences_expiring, search=filters.q,
    ).prefetch_related("licences")


@router.post("", response={201: OrganisationOut})
def create_organisation(request, payload: OrganisationIn):
    """Register an organisation seated in a region of the caller's area; a credit code that
    fails its check answers 422 with `fields.credit_code`, one already registered 409."""
    organisation = actions.register_organisation(
        by=request.auth, name=payload.name, kind=payload.kind, region=_region(payload.region),
        credit_code=payload.credit_code, address=payload.address, contact_person=payload.contact_person,
        contact_phone=payload.contact_phone, credit_status=payload.credit_status,
    )
    return Status(201, organisation)


@router.get("/{organisation_id}", response=OrganisationOut)
def get_organisation(request, organisation_id: int):
    return queries.get_organisation_for(request.auth, organisation_id)


@router.get("/{organisation_id}/blacklist", response=list[BlacklistEntryOut])
def blacklist_history(request, organisation_id: int):
    """Every blacklist decision on the organisation, newest first, with its lifting."""
    organisation = queries.get_organisation_for(request.auth, organisation_id)
    return list(organisation.blacklist_entries.select_related("decided_by"))


@router.post("/{organisation_id}/blacklist", response=OrganisationOut)
def blacklist(request, organisation_id: int, payload: BlacklistIn):
    """Bar the organisation (until a day, or with no end): no order or contract reaches it.
    Barred already: 409 wrong_status."""
    organisation = queries.get_organisation_for(request.auth, organisation_id, write=True)
    return actions.blacklist_organisation(organisation, by=request.auth, reason=payload.reason, until=payload.until)


@router.post("/{organisation_id}/lift", response=OrganisationOut)
def lift(request, organisation_id: int, payload: LiftIn):
    """Lift the bar before its term, with a reason. Not barred: 409 wrong_status."""
    organisation = queries.get_organisation_for(request.auth, organisation_id, write=True)
    return actions.lift_blacklist(organisation, by=request.auth, reason=payload.reason)


@router.post("/{organisation_id}/licences", response={201: LicenceOut})
def add_licence(request, organisation_id: int, payload: LicenceIn):
    organisation = queries.get_organisation_for(request.auth, organisation_id, write=True)
    licence = actions.add_licence(organisation, by=request.auth, kind=payload.kind, number=payload.number,
                                  issued=payload.issued, expires=payload.expires)
    return Status(201, licence)

