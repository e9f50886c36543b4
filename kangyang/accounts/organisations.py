"""Writes of the register of organisations: registering and editing an organisation, its
licences, and the blacklist held on it (decided, lifted). Each is atomic and audited; the
acting user is `by` (None: the installation itself, as the demo seeds it)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import BlacklistEntry, Licence, Organisation
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto, phone as phones, uscc
from kangyang.regions.models import Region


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _check_manager(by, region_code: str) -> None:
    if by is not None and not scope.can_manage_organisations(by, region_code):
        raise PermissionDenied


def _credit_code(value: str, *, organisation: Organisation | None = None) -> str:
    """The normalised code ('' when none is given), valid by GB 32100 and not another's."""
    if not (value or "").strip():
        return ""
    try:
        code = uscc.validate(value)
    except ValidationError as e:
        raise ValidationError({"credit_code": e}) from None
    taken = Organisation.objects.filter(credit_code=code)
    if organisation is not None:
        taken = taken.exclude(pk=organisation.pk)
    if taken.exists():
        raise _invalid("credit_code", _("Another organisation is registered with this credit code."), "duplicate")
    return code


def _set_contact_phone(organisation: Organisation, number: str) -> None:
    if number.strip():
        number = phones.normalise(number)
        organisation.contact_phone_encrypted = crypto.encrypt(number)
        organisation.contact_phone_masked = phones.mask(number)
    else:
        organisation.contact_phone_encrypted = organisation.contact_phone_masked = ""


def _name(value: str) -> str:
    name = (value or "").strip()
    if len(name) < 2:
        raise _invalid("name", _("Enter the organisation's registered name."), "required")
    return name


@transaction.atomic
def register_organisation(*, by, name: str, kind: str, region: Region, credit_code: str = "",
                          address: str = "", contact_person: str = "", contact_phone: str = "",
                          credit_status: str = Organisation.CreditStatus.GOOD) -> Organisation:
    """A new organisation in the register, seated in `region` (which the bureau admin's area
    must cover). Its credit code, when given, must pass GB 32100 and be nobody else's."""
    _check_manager(by, region.code)
    organisation = Organisation(
        name=_name(name), kind=kind, region=region, credit_code=_credit_code(credit_code),
        address=address.strip(), contact_person=contact_person.strip(), credit_status=credit_status,
    )
    try:
        _set_contact_phone(organisation, contact_phone)
    except ValidationError as e:
        raise ValidationError({"contact_phone": e}) from None
    organisation.full_clean(exclude=["region"])
    organisation.save()
    record(by, AuditEntry.Action.CREATE, organisation, verb="organisation.register",
           changes={"name": organisation.name, "kind": kind, "credit_code": organisation.credit_code,
                    "region": region.code})
    return organisation


@transaction.atomic
def edit_organisation(organisation: Organisation, *, by, name: str, kind: str, region: Region,
                      credit_code: str = "", address: str = "", contact_person: str = "",
                      contact_phone: str | None = None, credit_status: str | None = None) -> Organisation:
    """Change an organisation's particulars. `contact_phone=None` keeps the stored phone
    ('' removes it). Moving it to another region needs both regions in the admin's area."""
    _check_manager(by, organisation.region.code)
    _check_manager(by, region.code)
    before = {"name": organisation.name, "kind": organisation.kind, "credit_code": organisation.credit_code,
              "region": organisation.region.code, "credit_status": organisation.credit_status,
              "contact_person": organisation.contact_person, "address": organisation.address,
              "contact_phone": organisation.contact_phone_masked}
    organisation.name = _name(name)
    organisation.kind = kind
    organisation.region = region
    organisation.credit_code = _credit_code(credit_code, organisation=organisation)
    organisation.address = address.strip()
    organisation.contact_person = contact_person.strip()
    if credit_status is not None:
        organisation.credit_status = credit_status
    if contact_phone is not None:
        try:
            _set_contact_phone(organisation, contact_phone)
        except ValidationError as e:
            raise ValidationError({"contact_phone": e}) from None
    organisation.full_clean(exclude=["region"])
    organisation.save()
    after = {"name": organisation.name, "kind": organisation.kind, "credit_code": organisation.credit_code,
             "region": region.code, "credit_status": organisation.credit_status,
             "contact_person": organisation.contact_person, "address": organisation.address,
             "contact_phone": organisation.contact_phone_masked}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        record(by, AuditEntry.Action.CHANGE, organisation, verb="organisation.edit", changes=changes)
    return organisation


@transaction.atomic
def add_licence(organisation: Organisation, *, by, kind: str, number: str, issued: dt.date | None = None,
                expires: dt.date | None = None) -> Licence:
    """A licence the organisation holds; it expires on `expires` (None: never)."""
    _check_manager(by, organisation.region.code)
    if not number.strip():
        raise _invalid("number", _("Enter the licence number."), "required")
    if issued and expires and expires < issued:
        raise _invalid("expires", _("A licence cannot expire before it is issued."))
    licence = Licence(organisation=organisation, kind=kind, number=number.strip(), issued=issued, expires=expires)
    licence.full_clean()
    licence.save()
    record(by, AuditEntry.Action.CHANGE, organisation, verb="organisation.licence_add",
           changes={"kind": kind, "number": licence.number, "expires": expires.isoformat() if expires else None})
    return licence


@transaction.atomic
def remove_licence(licence: Licence, *, by) -> None:
    """A licence entered by mistake, or replaced by a new one."""
    organisation = licence.organisation
    _check_manager(by, organisation.region.code)
    record(by, AuditEntry.Action.CHANGE, organisation, verb="organisation.licence_remove",
           changes={"kind": licence.kind, "number": licence.number})
    licence.delete()


@transaction.atomic
def blacklist_organisation(organisation: Organisation, *, by, reason: str, until: dt.date | None = None,
                           decided_on: dt.date | None = None) -> Organisation:
    """Bar the organisation after a serious breach: while the bar holds it receives no order in
    any module (a provider's open orders stay for the bureau to move). The bar ends after
    `until`, or never without it, unless lifted. An organisation barred already: wrong_status."""
    _check_manager(by, organisation.region.code)
    if organisation.is_barred():
        raise ValidationError(_("%(name)s is blacklisted already.") % {"name": organisation.name},
                              code="wrong_status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _invalid("reason", _("Say why the organisation is blacklisted."), "required")
    today = timezone.localdate()
    decided_on = decided_on or today
    if until is not None and until < today:
        raise _invalid("until", _("The end of the blacklist cannot be in the past."))
    BlacklistEntry.objects.create(organisation=organisation, reason=reason, decided_on=decided_on, until=until,
                                  decided_by=by if by is not None and by.is_authenticated else None)
    organisation.blacklisted_at = timezone.now()
    organisation.blacklisted_until = until
    organisation.blacklist_reason = reason
    organisation.save(update_fields=["blacklisted_at", "blacklisted_until", "blacklist_reason"])
    record(by, AuditEntry.Action.CHANGE, organisation, verb="organisation.blacklist", note=reason,
           changes={"blacklisted": True, "until": until.isoformat() if until else None,
                    "decided_on": decided_on.isoformat()})
    return organisation


@transaction.atomic
def lift_blacklist(organisation: Organisation, *, by, reason: str) -> Organisation:
    """End the bar before its term, with the reason recorded on the entry that imposed it.
    An organisation that is not barred: wrong_status."""
    _check_manager(by, organisation.region.code)
    if not organisation.is_barred():
        raise ValidationError(_("%(name)s is not blacklisted.") % {"name": organisation.name},
                              code="wrong_status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _invalid("reason", _("Say why the blacklist is lifted."), "required")
    now = timezone.now()
    entry = organisation.blacklist_entries.filter(lifted_at__isnull=True).first()
    if entry is not None:
        entry.lifted_at, entry.lift_reason = now, reason
        entry.lifted_by = by if by is not None and by.is_authenticated else None
        entry.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    organisation.blacklisted_at = None
    organisation.blacklisted_until = None
    organisation.blacklist_reason = ""
    organisation.save(update_fields=["blacklisted_at", "blacklisted_until", "blacklist_reason"])
    record(by, AuditEntry.Action.CHANGE, organisation, verb="organisation.lift_blacklist", note=reason,
           changes={"blacklisted": False})
    return organisation
