"""Writes of the register of institutions and facilities and of their residents.

Registering and editing an institution is the bureau admin's of its area
(scope.manages_register_of); its fees, staffing, drills and funds report also the running
organisation's manager (scope.keeps_facts_of); residents are admitted, discharged, moved and
their deaths recorded by the bureau admin and subdistrict officer of the area and the running
organisation's manager (scope.keeps_residents_of). Every write is audited.

A death recorded here also marks the elder deceased in the registry (registry.actions.
set_elder_status); a death the registry records first ends the stay for every count at once
(queries.register.stays_open), and the institution closes the stay when it records it.

`warn_expiring_documents` is a daily chore (kangyang/ops/housekeeping.py): it tells the bureau
admins of the institution's district, once per document, end date and threshold, that a
medical agreement or liability insurance ends soon (DocumentWarning).
"""

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.accounts import licences, scope
from kangyang.accounts.models import Organisation, User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.institutions.models import (
    CentralisedCareWish, DocumentWarning, Drill, Fee, Institution, Resident, Staffing,
)
from kangyang.institutions.queries import register as queries
from kangyang.regions.models import Region
from kangyang.registry.models import Elder

log = logging.getLogger("kangyang.institutions.register")

# Organisations that may run an institution or facility of the register.
RUNNING_KINDS = (Organisation.Kind.INSTITUTION, Organisation.Kind.MEAL_POINT, Organisation.Kind.PROVIDER)
# What an institution's register entry holds (besides the funds report and the rating).
FIELDS = (
    "name", "kind", "ownership", "operating_model", "construction", "organisation", "community",
    "complete_community", "address", "lat", "lng", "phone", "opened_on", "closed_on", "filing_number", "filed_on",
    "floor_area_m2", "beds_total", "beds_nursing", "medical", "medical_partner", "medical_agreement_until",
    "fire_safety_accepted_on", "liability_insurance_until", "emergency_plan_updated_on", "services", "description",
)
REQUIRED = ("name", "kind", "ownership", "operating_model", "organisation", "community")
MAX_BEDS = 100_000
MAX_MONEY = Decimal("999999999999.99")
MAX_AREA = Decimal("999999999.9")


def _err(field: str, message, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _jsonable(value):
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


# -- institutions ---------------------------------------------------------------------------
def check_institution(values: dict) -> None:
    """Every rule of a register entry, in words, field by field (all found at once)."""
    errors: dict[str, list[ValidationError]] = {}

    def add(field, message, code="invalid"):
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    for field in REQUIRED:
        value = values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            add(field, _("This field is required."), "required")
    name = (values.get("name") or "").strip()
    if name and len(name) > 200:
        add("name", _("The name is at most 200 characters."))
    for field, choices in (("kind", Institution.Kind), ("ownership", Institution.Ownership),
                           ("operating_model", Institution.OperatingModel), ("construction", Institution.Construction),
                           ("medical", Institution.Medical)):
        value = values.get(field)
        if value not in (None, "") and value not in choices.values:
            add(field, _("Choose one of the offered values."), "choice")
    organisation = values.get("organisation")
    if isinstance(organisation, Organisation) and organisation.kind not in RUNNING_KINDS:
        add("organisation", _("An institution is run by a care institution, a meal point or a home-service "
                              "provider of the register of organisations."), "organisation_kind")
    community = values.get("community")
    if isinstance(community, Region) and community.level != Region.Level.COMMUNITY:
        add("community", _("Choose a community: the institution stands in one."), "level")
    beds_total, beds_nursing = values.get("beds_total") or 0, values.get("beds_nursing") or 0
    for field, beds in (("beds_total", beds_total), ("beds_nursing", beds_nursing)):
        if not isinstance(beds, int) or beds < 0 or beds > MAX_BEDS:
            add(field, _("Enter a number of beds between 0 and %(max)s.") % {"max": MAX_BEDS}, "range")
    if isinstance(beds_total, int) and isinstance(beds_nursing, int) and beds_nursing > beds_total:
        add("beds_nursing", _("The nursing beds cannot be more than all the beds (%(total)s).") % {"total": beds_total},
            "nursing_beds")
    lat, lng = values.get("lat"), values.get("lng")
    if (lat is None) != (lng is None):
        add("lat" if lat is None else "lng", _("Enter both latitude and longitude, or neither."), "coord")
    if lat is not None and not -90 <= lat <= 90:
        add("lat", _("The latitude lies between -90 and 90 degrees."), "range")
    if lng is not None and not -180 <= lng <= 180:
        add("lng", _("The longitude lies between -180 and 180 degrees."), "range")
    area = values.get("floor_area_m2")
    if area is not None and not (Decimal(0) <= Decimal(area) <= MAX_AREA):
        add("floor_area_m2", _("The floor area cannot be negative."), "range")
    opened, closed = values.get("opened_on"), values.get("closed_on")
    if opened and closed and closed < opened:
        add("closed_on", _("It cannot close before it opened."), "dates")
    if values.get("medical") == Institution.Medical.AGREEMENT:
        if not (values.get("medical_partner") or "").strip():
            add("medical_partner", _("Name the medical institution of the agreement."), "required")
        if not values.get("medical_agreement_until"):
            add("medical_agreement_until", _("Enter until when the agreement is valid."), "required")
    services = values.get("services")
    if services is not None and (not isinstance(services, list) or not all(isinstance(s, str) for s in services)
                                 or len(services) > 50 or any(len(s) > 100 for s in services)):
        add("services", _("List the services as short texts (at most 50 of 100 characters)."))
    if errors:
        raise ValidationError(errors)


def _apply(institution: Institution, values: dict) -> dict:
    changes = {}
    for field in FIELDS:
        if field not in values:
            continue
        value = values[field]
        if isinstance(value, str) and field not in ("kind", "ownership", "operating_model", "construction", "medical"):
            value = value.strip()
        if field == "services":
            value = [s.strip() for s in (value or []) if s.strip()]
        old = getattr(institution, field) if field not in ("organisation", "community") or getattr(
            institution, f"{field}_id") else None
        if old != value:
            changes[field] = [_jsonable(old), _jsonable(value)]
            setattr(institution, field, value)
    institution.region_code = institution.community.code
    return changes


def _current(institution: Institution) -> dict:
    return {field: getattr(institution, field) for field in FIELDS
            if field not in ("organisation", "community") or getattr(institution, f"{field}_id")}


@transaction.atomic
def register_institution(*, by, **values) -> Institution:
    """A new entry of the register; its community gives its region code, which the bureau
    admin's area must cover."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    check_institution(values)
    if not scope.manages_register_of(by, values["community"].code):
        raise PermissionDenied
    institution = Institution()
    _apply(institution, {**{"services": []}, **values})
    institution.save()
    record(by, AuditEntry.Action.CREATE, institution, verb="institution.register",
           changes={k: _jsonable(getattr(institution, k)) for k in ("name", "kind", "organisation", "beds_total")})
    return institution


@transaction.atomic
def edit_institution(institution: Institution, *, by, **values) -> Institution:
    """Change the register entry (only the fields given). Moving it to a community outside
    the admin's area is refused as well as editing one outside it."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    if not scope.manages_register_of(by, institution.region_code):
        raise PermissionDenied
    merged = {**_current(institution), **values}
    check_institution(merged)
    if not scope.manages_register_of(by, merged["community"].code):
        raise _err("community", _("The community lies outside your area."), "area")
    changes = _apply(institution, values)
    if changes:
        institution.save()
        record(by, AuditEntry.Action.CHANGE, institution, verb="institution.edit", changes=changes)
    return institution


def _require_facts(by, institution: Institution) -> None:
    if not scope.keeps_facts_of(by, institution):
        raise PermissionDenied


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _err(field, _("Enter an amount in yuan.")) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
        raise _err(field, _("Enter an amount between 0 and %(max)s yuan.") % {"max": MAX_MONEY}, "range")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def report_funds(institution: Institution, *, by, prepaid_balance, deposits_held, on: dt.date | None = None) -> Institution:
    """The prepaid fees (会员卡 / 预付费) and deposits the institution holds, as of `on`."""
    _require_facts(by, institution)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise _err("funds_reported_on", _("The date cannot be in the future."), "future")
    prepaid, deposits = _money(prepaid_balance, "prepaid_balance"), _money(deposits_held, "deposits_held")
    changes = {"prepaid_balance": [str(institution.prepaid_balance), str(prepaid)],
               "deposits_held": [str(institution.deposits_held), str(deposits)], "on": on.isoformat()}
    institution.prepaid_balance, institution.deposits_held, institution.funds_reported_on = prepaid, deposits, on
    institution.save(update_fields=["prepaid_balance", "deposits_held", "funds_reported_on", "updated_at"])
    record(by, AuditEntry.Action.CHANGE, institution, verb="institution.funds", changes=changes)
    return institution


@transaction.atomic
def add_fee(institution: Institution, *, by, item: str, price, unit: str = Fee.Unit.MONTH, note: str = "") -> Fee:
    _require_facts(by, institution)
    item = (item or "").strip()
    if not item or len(item) > 100:
        raise _err("item", _("Name the fee's item (at most 100 characters)."), "required")
    if unit not in Fee.Unit.values:
        raise _err("unit", _("Choose one of the offered values."), "choice")
    if len(note or "") > 200:
        raise _err("note", _("The note is at most 200 characters."))
    fee = Fee.objects.create(institution=institution, item=item, unit=unit, price=_money(price, "price"),
                             note=(note or "").strip())
    record(by, AuditEntry.Action.CREATE, fee, verb="institution.fee", region_code=institution.region_code,
           changes={"item": item, "price": str(fee.price), "unit": unit})
    return fee


@transaction.atomic
def remove_fee(fee: Fee, *, by) -> None:
    _require_facts(by, fee.institution)
    record(by, AuditEntry.Action.CHANGE, fee.institution, verb="institution.fee_removed",
           changes={"item": fee.item, "price": str(fee.price)})
    fee.delete()


@transaction.atomic
def set_staffing(institution: Institution, *, by, qualification: str, count: int) -> Staffing | None:
    """How many staff of one qualification it has (0 removes the line)."""
    _require_facts(by, institution)
    if qualification not in Staffing.Qualification.values:
        raise _err("qualification", _("Choose one of the offered values."), "choice")
    if not isinstance(count, int) or not 0 <= count <= 100_000:
        raise _err("count", _("Enter a number of staff between 0 and 100000."), "range")
    before = Staffing.objects.filter(institution=institution, qualification=qualification).first()
    record(by, AuditEntry.Action.CHANGE, institution, verb="institution.staffing",
           changes={qualification: [before.count if before else 0, count]})
    if count == 0:
        if before:
            before.delete()
        return None
    line, _created = Staffing.objects.update_or_create(
        institution=institution, qualification=qualification, defaults={"count": count})
    return line


@transaction.atomic
def add_drill(institution: Institution, *, by, kind: str, held_on: dt.date, participants: int = 0, record_text: str = "",
              attachment=None) -> Drill:
    """An emergency drill it held, with its record and, optionally, a file (photos, minutes)."""
    _require_facts(by, institution)
    if kind not in Drill.Kind.values:
        raise _err("kind", _("Choose one of the offered values."), "choice")
    if held_on > timezone.localdate():
        raise _err("held_on", _("A drill cannot be recorded before it is held."), "future")
    if not isinstance(participants, int) or not 0 <= participants <= 100_000:
        raise _err("participants", _("Enter a number of participants between 0 and 100000."), "range")
    drill = Drill(institution=institution, kind=kind, held_on=held_on, participants=participants,
                  record=(record_text or "").strip())
    if attachment:
        if attachment.size > 10 * 1024 * 1024:
            raise _err("attachment", _("The file is larger than 10 MB."), "too_large")
        drill.attachment = attachment
    drill.save()
    record(by, AuditEntry.Action.CREATE, drill, verb="institution.drill", region_code=institution.region_code,
           changes={"kind": kind, "held_on": held_on.isoformat(), "participants": participants})
    return drill


# -- residents ----------------------------------------------------------------------------------
def _require_residents(by, institution: Institution) -> None:
    if not scope.keeps_residents_of(by, institution):
        raise PermissionDenied


def is_extremely_poor(elder: Elder) -> bool:
    return Elder.Category.EXTREME_POVERTY in elder.categories


def _check_day(on: dt.date, field: str) -> None:
    if on > timezone.localdate():
        raise _err(field, _("The date cannot be in the future."), "future")


@transaction.atomic
def admit(institution: Institution, *, by, elder: Elder, admitted_on: dt.date | None = None,
          bed: str = Resident.Bed.GENERAL) -> Resident:
    """An elder of the registry moves in. One open stay per elder (a move is `transfer`); a
    特困 elder (extreme poverty) is in centralised care (集中供养) at public expense."""
    _require_residents(by, institution)
    admitted_on = admitted_on or timezone.localdate()
    _check_day(admitted_on, "admitted_on")
    if bed not in Resident.Bed.values:
        raise _err("bed", _("Choose one of the offered values."), "choice")
    if institution.kind == Institution.Kind.HOME_CARE_BEDS and bed != Resident.Bed.HOME:
        raise _err("bed", _("A home-care-bed provider takes elders on home care beds only."), "bed")
    if institution.kind != Institution.Kind.HOME_CARE_BEDS and bed == Resident.Bed.HOME:
        raise _err("bed", _("Only a home-care-bed provider has home care beds."), "bed")
    if institution.closed_on and institution.closed_on <= admitted_on:
        raise _err("admitted_on", _("The institution was closed by then."), "closed")
    if institution.opened_on and admitted_on < institution.opened_on:
        raise _err("admitted_on", _("The institution had not opened by then."), "not_open")
    # Whoever does not keep the elder's record (a provider manager admitting by ID number) learns
    # nothing of her from a refusal: not whether she is dead, moved, or living elsewhere.
    knows_elder = scope.can_edit(by, elder.region_code)
    unknown = _("This elder cannot be admitted here: ask the community worker of her residence.")
    if elder.status != Elder.Status.ACTIVE:
        raise _err("elder", _("The registry records this elder as deceased or moved out.") if knows_elder else unknown,
                   "not_active")
    if admitted_on < elder.birth_date:
        raise _err("admitted_on", _("The date cannot be before the elder's birth."), "before_birth")
    elsewhere = Resident.objects.filter(elder=elder, left_on__isnull=True).select_related("institution").first()
    if elsewhere is not None:
        raise _err("elder", _("The elder already lives in %(place)s: record the move instead.")
                   % {"place": elsewhere.institution.name} if knows_elder or scope.sees_residents_of(by, elsewhere.institution)
                   else unknown, "conflict")
    # Counted under a lock of the institution's row: two admissions at once never overfill it.
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    occupied = queries.occupancy_of(institution, on=admitted_on)
    if occupied >= institution.beds_total:
        raise _err("institution", _("Every bed is taken (%(beds)s beds, %(occupied)s occupied).")
                   % {"beds": institution.beds_total, "occupied": occupied}, "conflict")
    if bed == Resident.Bed.NURSING and institution.beds_nursing == 0:
        raise _err("bed", _("The institution has no nursing beds."), "bed")
    stay = Resident(institution=institution, elder=elder, region_code=institution.region_code, bed=bed,
                    admitted_on=admitted_on, centralised_care=is_extremely_poor(elder), recorded_by=by)
    try:
        with transaction.atomic():
            stay.save()
    except IntegrityError:
        raise _err("elder", _("The elder already lives in another institution."), "conflict") from None
    record(by, AuditEntry.Action.CREATE, stay, verb="institution.admit",
           changes={"elder": elder.pk, "institution": institution.pk, "admitted_on": admitted_on.isoformat(),
                    "bed": bed, "centralised_care": stay.centralised_care})
    return stay


def _close(stay: Resident, *, by, on: dt.date, reason: str, verb: str) -> Resident:
    _check_day(on, "left_on")
    if stay.left_on is not None:
        raise _err("left_on", _("This stay has ended already."), "conflict")
    if on < stay.admitted_on:
        raise _err("left_on", _("The elder cannot leave before being admitted (%(date)s).")
                   % {"date": stay.admitted_on.isoformat()}, "dates")
    stay.left_on, stay.left_reason = on, reason
    stay.save(update_fields=["left_on", "left_reason"])
    record(by, AuditEntry.Action.CHANGE, stay, verb=verb,
           changes={"elder": stay.elder_id, "left_on": on.isoformat(), "left_reason": reason})
    return stay


@transaction.atomic
def discharge(stay: Resident, *, by, on: dt.date | None = None) -> Resident:
    """The elder leaves (home, or anywhere the register does not follow)."""
    _require_residents(by, stay.institution)
    return _close(stay, by=by, on=on or timezone.localdate(), reason=Resident.Left.DISCHARGED, verb="institution.discharge")


@transaction.atomic
def transfer(stay: Resident, *, by, to: Institution, on: dt.date | None = None,
             bed: str = Resident.Bed.GENERAL) -> Resident:
    """The elder moves to another institution of the register on the day: this stay ends and
    a stay there begins (the caller must keep the residents of both)."""
    _require_residents(by, stay.institution)
    if to.pk == stay.institution_id:
        raise _err("to", _("Choose another institution."), "same")
    on = on or timezone.localdate()
    _close(stay, by=by, on=on, reason=Resident.Left.TRANSFERRED, verb="institution.transfer")
    return admit(to, by=by, elder=stay.elder, admitted_on=on, bed=bed)


@transaction.atomic
def record_death(stay: Resident, *, by, on: dt.date | None = None) -> Resident:
    """The elder died: the stay ends, and the registry records the death (unless it has) when
    the one recording it keeps the elder's record (staff of her area); otherwise the stay ends
    and the registry's staff record the death themselves, as they would from any report."""
    from kangyang.registry.actions import set_elder_status

    _require_residents(by, stay.institution)
    elder = stay.elder
    if elder.status == Elder.Status.DECEASED and elder.status_date:
        on = on or elder.status_date
    on = on or timezone.localdate()
    stay = _close(stay, by=by, on=on, reason=Resident.Left.DIED, verb="institution.death")
    if elder.status != Elder.Status.DECEASED and scope.can_edit(by, elder.region_code):
        set_elder_status(elder, by=by, status=Elder.Status.DECEASED, on=on,
                         note=_("Recorded by %(institution)s") % {"institution": stay.institution.name})
    return stay


@transaction.atomic
def record_wish(elder: Elder, *, by, willing: bool = True, on: dt.date | None = None) -> CentralisedCareWish:
    """That a 特困 elder wishes (or no longer wishes) centralised care: the staff of the
    elder's area record it (scope.can_edit)."""
    if not scope.can_edit(by, elder.region_code):
        raise PermissionDenied
    if not is_extremely_poor(elder):
        raise _err("elder", _("Only an elder in extreme poverty (特困) is offered centralised care."), "category")
    on = on or timezone.localdate()
    _check_day(on, "recorded_on")
    wish, _created = CentralisedCareWish.objects.update_or_create(
        elder=elder, defaults={"willing": willing, "recorded_on": on, "recorded_by": by})
    record(by, AuditEntry.Action.CHANGE, elder, verb="elder.centralised_care_wish",
           changes={"willing": willing, "on": on.isoformat()})
    return wish


def audit_residents_read(by, institution: Institution, *, count: int, via: str) -> None:
    """A read of the residents' list (names, ages, care levels) is personal data: audited."""
    record(by, AuditEntry.Action.VIEW_FULL, institution, verb="institution.residents",
           note=f"{via}: {count}")


# -- expiring documents (a daily chore) ------------------------------------------------------
DOCUMENT_WORDS = {
    DocumentWarning.Document.MEDICAL_AGREEMENT: gettext_lazy("medical agreement"),
    DocumentWarning.Document.LIABILITY_INSURANCE: gettext_lazy("liability insurance"),
}


def threshold_due(days_left: int) -> int | None:
    """The warning due (the licences' rule, with the institutions' first warning)."""
    return licences.threshold_due(days_left, first=settings.KANGYANG_INSTITUTION_EXPIRY_DAYS)


def bureau_admins_of(institution: Institution) -> list[User]:
    """The bureau admins of the narrowest area (its district, else the city) covering it."""
    admins = [u for u in User.objects.filter(is_active=True, role=User.Role.BUREAU_ADMIN).select_related("region")
              .order_by("pk") if u.region_id and institution.region_code.startswith(u.region.prefix)]
    if admins:
        narrowest = max(len(u.region.prefix) for u in admins)
        admins = [u for u in admins if len(u.region.prefix) == narrowest]
    return admins


def warn_expiring_documents_once(today: dt.date | None = None) -> int:
    """One pass: tell the district's bureau admins of each medical agreement and liability
    insurance whose warning is due today and not told yet. Returns how many warnings."""
    today = today or timezone.localdate()
    start, end = today - dt.timedelta(days=licences.CATCH_UP_DAYS), today + dt.timedelta(days=settings.KANGYANG_INSTITUTION_EXPIRY_DAYS)
    made = 0
    for institution in (Institution.objects.open(today).select_related("organisation")
                        .filter(medical=Institution.Medical.AGREEMENT, medical_agreement_until__range=(start, end))
                        .order_by("pk")):
        made += _warn(institution, DocumentWarning.Document.MEDICAL_AGREEMENT, institution.medical_agreement_until,
                      today=today)
    for institution in (Institution.objects.open(today).select_related("organisation")
                        .filter(liability_insurance_until__range=(start, end)).order_by("pk")):
        made += _warn(institution, DocumentWarning.Document.LIABILITY_INSURANCE, institution.liability_insurance_until,
                      today=today)
    return made


@transaction.atomic
def _warn(institution: Institution, document: str, expires: dt.date, *, today: dt.date) -> bool:
    from kangyang.notify import actions as notify
    from kangyang.notify import queries as notify_queries
    from kangyang.notify.models import Kind

    threshold = threshold_due((expires - today).days)
    if threshold is None:
        return False
    try:
        with transaction.atomic():  # the claim: a second pass or worker finds it taken
            warning = DocumentWarning.objects.create(institution=institution, region_code=institution.region_code,
                                                     document=document, expires=expires, threshold=threshold)
    except IntegrityError:
        return False
    template = "institution.document_expired" if threshold == 0 else "institution.document_expiring"
    context = {"document": DOCUMENT_WORDS[document], "institution": institution.name,
               "organisation": institution.organisation.name, "date": expires.isoformat()}
    told = 0
    for user in bureau_admins_of(institution):
        recipient = notify_queries.recipient_for(user, audience="bureau")
        queued = notify.notify(recipient, template=template, context=context, kind=Kind.SUPERVISION,
                               key=f"institution_document:{warning.pk}:user:{user.pk}",
                               region_code=institution.region_code)
        told += bool(queued)
    DocumentWarning.objects.filter(pk=warning.pk).update(recipients=told)
    record(None, AuditEntry.Action.CREATE, warning, verb="institution.document_warning",
           changes={"document": document, "expires": expires.isoformat(), "threshold": threshold, "recipients": told})
    log.info("institution %d: %s ends %s, %d-day warning to %d people", institution.pk, document, expires,
             threshold, told)
    return True
