"""Every change to the elder registry. Views, API, imports and the demo all call these."""

import datetime as dt
import functools
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto, phone as phones, pinyin, residentid
from kangyang.regions.models import Compound, Household, Region
from kangyang.registry import categories as derive
from kangyang.registry.models import CATEGORY_ORDER, Contact, Elder, HealthRecord, HouseholdMember

# Fields whose values never enter the audit log; a change is recorded as changed only.
PROTECTED = {"id_number", "phone"}
EDITABLE = {
    "name", "sex", "birth_date", "id_number", "phone", "community", "compound", "address",
    "living_arrangement", "categories", "door_access_notes", "registered_community",
}


def _parse_id_number(value: str) -> residentid.ResidentId:
    """residentid.parse, with its refusal put on the `id_number` field (forms, API)."""
    try:
        return residentid.parse(value, today=timezone.localdate())
    except ValidationError as e:
        raise ValidationError({"id_number": e}) from None


def _normalise_phone(value: str) -> str:
    """phones.normalise ("" stays ""), with its refusal put on the `phone` field."""
    try:
        return phones.normalise(value) if value else ""
    except ValidationError as e:
        raise ValidationError({"phone": e}) from None


def check_identity(id_number: str, *, birth_date: dt.date | None = None, sex: str | None = None):
    """Validate the ID number; birth date and sex come from it, or must agree with it."""
    rid = _parse_id_number(id_number)
    errors = {}
    if birth_date and birth_date != rid.birth_date:
        errors["birth_date"] = ValidationError(
            _("The birth date does not match the ID number (%(date)s).") % {"date": rid.birth_date},
            code="birth_date_mismatch",
        )
    if sex and sex != rid.sex:
        errors["sex"] = ValidationError(
            _("The sex does not match the ID number."), code="sex_mismatch"
        )
    if errors:
        raise ValidationError(errors)
    return rid


def check_categories(values: Iterable[str]) -> list[str]:
    values = list(values)
    unknown = [v for v in values if v not in CATEGORY_ORDER]
    if unknown:
        raise ValidationError(
            _("Unknown vulnerability category: %(values)s.") % {"values": ", ".join(unknown)},
            code="category",
        )
    return values


def duplicate_error(existing: Elder, by) -> ValidationError:
    """Name the existing record only if the user may see it."""
    if Elder.objects.visible_to(by).filter(pk=existing.pk).exists():
        return ValidationError(
            _("This ID number is already registered: %(name)s (record %(id)d).")
            % {"name": existing.name, "id": existing.pk},
            code="duplicate",
        )
    return ValidationError(
        _("This ID number is already registered in another community."), code="duplicate_elsewhere"
    )


def _set_id_number(elder: Elder, rid: residentid.ResidentId) -> None:
    elder.id_number_encrypted = crypto.encrypt(rid.number)
    elder.id_number_hash = crypto.lookup_hash(rid.number)
    elder.id_last4_hash = crypto.tail_hash(rid.number[-4:])


def _set_phone(elder: Elder, number: str) -> None:
    number = _normalise_phone(number)
    elder.phone_encrypted = crypto.encrypt(number) if number else ""
    elder.phone_hash = crypto.lookup_hash(number) if number else ""
    elder.phone_masked = phones.mask(number) if number else ""


def _check_community(region: Region, *, field: str) -> None:
    if region.level != Region.Level.COMMUNITY:
        raise ValidationError({field: _("Choose a community, not a %(level)s.") % {
            "level": region.get_level_display()}})


def _assign_place(elder: Elder, *, community: Region, compound: Compound | None, address: str) -> None:
    """Community, region code, compound and address, checked; the household is left to the caller."""
    if community.level != Region.Level.COMMUNITY:
        raise ValidationError({"community": _("Choose a community, not a %(level)s.") % {
            "level": community.get_level_display()}})
    if compound is not None and compound.community_id != community.pk:
        raise ValidationError({"compound": _("This compound is not in the chosen community.")})
    elder.community = community
    elder.region_code = community.code
    elder.compound = compound
    elder.address = address.strip()


def _place(elder: Elder, *, community: Region, compound: Compound | None, address: str) -> None:
    _assign_place(elder, community=community, compound=compound, address=address)
    elder.household = (
        Household.objects.get_or_create(
            community=community, address=elder.address,
            defaults={"compound": compound, "lat": compound.lat if compound else None,
                      "lng": compound.lng if compound else None},
        )[0]
        if elder.address else None
    )


# Pure and called once per row by bulk seeding, where a few thousand names recur.
_initials = functools.lru_cache(maxsize=65536)(pinyin.initials)


def build_elder(
    *, name: str, rid: residentid.ResidentId, community: Region, phone: str = "",
    compound: Compound | None = None, address: str = "", household: Household | None = None,
    living_arrangement: str = "", categories: Iterable[str] = (),
    registered_community: Region | None = None,
) -> Elder:
    """An unsaved elder with every derived field computed as create_elder stores it: pinyin
    initials, sex and birth date from the ID number, the encrypted, hashed and masked ID
    number and phone, region code. No database access: no scope, duplicate or household
    lookup. create_elder adds those; the synthetic-district seeder (registry/demo.py)
    passes the household it created and bulk-inserts the result."""
    name = name.strip()
    elder = Elder(
        name=name, name_initials=_initials(name), sex=rid.sex, birth_date=rid.birth_date,
        living_arrangement=living_arrangement,
    )
    elder.categories = check_categories(categories)
    _set_id_number(elder, rid)
    _set_phone(elder, phone)
    _assign_place(elder, community=community, compound=compound, address=address)
    elder.registered_community = registered_community or community
    elder.household = household
    # Household categories from the living arrangement (no members yet): no database access.
    elder.derived_categories = derive.from_household(arrangement=living_arrangement, members=(), recorded=False)
    derive.apply(elder)
    return elder


@transaction.atomic
def create_elder(
    *, by, name: str, id_number: str, community: Region, phone: str = "",
    birth_date: dt.date | None = None, sex: str | None = None, address: str = "",
    compound: Compound | None = None, living_arrangement: str = "",
    categories: Iterable[str] = (), audit: bool = True, registered_community: Region | None = None,
) -> Elder:
    """Register an elder where she actually lives (`community`); her registered residence
    defaults to the same community. The same ID number twice is refused, naming the record
    if in scope."""
    if not scope.can_edit(by, community.code):
        raise PermissionDenied
    if registered_community is not None:
        _check_community(registered_community, field="registered_community")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the elder's name.")})
    rid = check_identity(id_number, birth_date=birth_date, sex=sex)
    existing = Elder.objects.filter(id_number_hash=crypto.lookup_hash(rid.number)).first()
    if existing is not None:
        raise ValidationError({"id_number": duplicate_error(existing, by)})
    elder = build_elder(
        name=name, rid=rid, community=community, phone=phone, compound=compound,
        address=address, living_arrangement=living_arrangement, categories=categories,
        registered_community=registered_community,
    )
    _place(elder, community=community, compound=compound, address=address)
    try:
        with transaction.atomic():
            elder.save()
    except IntegrityError:  # registered by someone else a moment ago
        existing = Elder.objects.get(id_number_hash=elder.id_number_hash)
        raise ValidationError({"id_number": duplicate_error(existing, by)}) from None
    HealthRecord.objects.create(elder=elder, region_code=elder.region_code)
    if audit:
        record(by, AuditEntry.Action.CREATE, elder, verb="elder.create")
    return elder


@transaction.atomic
def update_elder(elder: Elder, *, by, **fields) -> Elder:
    """Change an elder record; each change is kept in the audit log (values of
    protected fields are not). Moving to a community outside the user's area is refused."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    before = {
        "name": elder.name, "sex": elder.sex, "birth_date": elder.birth_date,
        "community": elder.community.code, "compound": elder.compound_id,
        "address": elder.address, "living_arrangement": elder.living_arrangement,
        "categories": elder.categories, "registered_community": elder.registered_community.code,
    }
    changes: dict[str, object] = {}

    if "name" in fields:
        name = fields["name"].strip()
        if not name:
            raise ValidationError({"name": _("Enter the elder's name.")})
        elder.name, elder.name_initials = name, pinyin.initials(name)
    if "id_number" in fields and fields["id_number"]:
        rid = _parse_id_number(fields["id_number"])
        digest = crypto.lookup_hash(rid.number)
        if digest != elder.id_number_hash:
            other = Elder.objects.filter(id_number_hash=digest).exclude(pk=elder.pk).first()
            if other is not None:
                raise ValidationError({"id_number": duplicate_error(other, by)})
            _set_id_number(elder, rid)
            elder.birth_date, elder.sex = rid.birth_date, rid.sex
            changes["id_number"] = "changed"
    rid_birth, rid_sex = elder.birth_date, elder.sex
    if fields.get("birth_date") and fields["birth_date"] != rid_birth:
        raise ValidationError({"birth_date": _("The birth date must match the ID number.")})
    if fields.get("sex") and fields["sex"] != rid_sex:
        raise ValidationError({"sex": _("The sex must match the ID number.")})
    if "phone" in fields:
        new_phone = _normalise_phone(fields["phone"])
        if (crypto.lookup_hash(new_phone) if new_phone else "") != elder.phone_hash:
            _set_phone(elder, new_phone)
            changes["phone"] = "changed"
    if "community" in fields or "compound" in fields or "address" in fields:
        community = fields.get("community", elder.community)
        if community.pk != elder.community_id and not scope.can_edit(by, community.code):
            raise PermissionDenied
        _place(
            elder, community=community, compound=fields.get("compound", elder.compound),
            address=fields.get("address", elder.address),
        )
    if fields.get("registered_community") is not None:
        # The registered residence gives no access (README "Registry"): any community may be named.
        _check_community(fields["registered_community"], field="registered_community")
        elder.registered_community = fields["registered_community"]
    if "living_arrangement" in fields:
        elder.living_arrangement = fields["living_arrangement"] or ""
    if "door_access_notes" in fields:
        notes = (fields["door_access_notes"] or "").strip()
        if notes != elder.door_access_notes:  # may hold a door code: audited without its value
            elder.door_access_notes = notes
            changes["door_access_notes"] = "changed"
    if "categories" in fields:
        # Derivable categories with data are decided by the data (or an override), whatever
        # is sent: a client sending back the list it read changes nothing.
        elder.categories = check_categories(fields["categories"])
    if "living_arrangement" in fields:
        _derive_household(elder)
    derive.apply(elder)

    after = {
        "name": elder.name, "sex": elder.sex, "birth_date": elder.birth_date,
        "community": elder.community.code, "compound": elder.compound_id,
        "address": elder.address, "living_arrangement": elder.living_arrangement,
        "categories": elder.categories, "registered_community": elder.registered_community.code,
    }
    for key, old in before.items():
        if after[key] != old:
            changes[key] = [_jsonable(old), _jsonable(after[key])]
    if not changes:
        return elder
    elder.save()
    if elder.region_code != before["community"]:
        Contact.objects.filter(elder=elder).update(region_code=elder.region_code)
        HealthRecord.objects.filter(elder=elder).update(region_code=elder.region_code)
        HouseholdMember.objects.filter(elder=elder).update(region_code=elder.region_code)
    record(by, AuditEntry.Action.CHANGE, elder, verb="elder.update", changes=changes)
    return elder


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def check_status_date(elder: Elder, on: dt.date) -> None:
    """A death or move-out date lies between the elder's birth and today. A date before the
    birth or in the future (also 1970-01-01 from a `0` sent as a date) is a typing error."""
    if on > timezone.localdate():
        raise ValidationError(
            {"status_date": ValidationError(_("The date cannot be in the future."), code="future")}
        )
    if on < elder.birth_date:
        raise ValidationError({"status_date": ValidationError(
            _("The date cannot be before the elder's birth."), code="before_birth"
        )})


@transaction.atomic
def set_elder_status(elder: Elder, *, by, status: str, on: dt.date | None = None, note: str = "") -> Elder:
    """Record death or moving out (or a return to active), dated between the elder's birth
    and today. Records are never deleted."""
    if status not in Elder.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status != Elder.Status.ACTIVE and on is None:
        raise ValidationError({"status_date": _("Enter the date of death or moving out.")})
    if status == Elder.Status.ACTIVE:
        on = None  # a return to active has no date (one sent with it is ignored)
    if on is not None:
        check_status_date(elder, on)
    if elder.status == status and elder.status_date == on:
        return elder
    changes = {"status": [elder.status, status], "status_date": [_jsonable(elder.status_date), _jsonable(on)]}
    elder.status, elder.status_date = status, (on if status != Elder.Status.ACTIVE else None)
    elder.save(update_fields=["status", "status_date", "updated_at"])
    record(by, AuditEntry.Action.CHANGE, elder, verb="elder.status", changes=changes, note=note)
    return elder


def reveal_elder(elder: Elder, *, by, reason: str) -> dict[str, object]:
    """The full ID number, phone and birth date (accounts.scope.IDENTITY_REVEALED), for a
    user whose area covers the elder and who states why. Each reveal is written to the
    audit log before the values are returned."""
    if not scope.can_reveal(by, elder.region_code):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("State why you need the full number.")}, code="reason")
    record(by, AuditEntry.Action.VIEW_FULL, elder, verb="elder.reveal", note=reason)
    return {"id_number": elder._id_number(), "phone": elder._phone(), "birth_date": elder.birth_date}


@transaction.atomic
def audit_health_summary_read(user, elder: Elder) -> None:
    """A staff member was shown the elder's health summary (the registry's page, the API's card):
    audited like every read of health data (accounts/scope/health.py); the elder's and her
    family's own reads are not."""
    if scope.health_read_is_audited(user):
        record(user, AuditEntry.Action.VIEW_FULL, elder, verb="health.record.read", note="registry")


def save_health_record(elder: Elder, *, by, **fields) -> HealthRecord:
    """Update the health summary; which fields changed is audited, not their values."""
    health, _created = HealthRecord.objects.get_or_create(elder=elder, defaults={"region_code": elder.region_code})
    changed = []
    for key, value in fields.items():
        if getattr(health, key) != value:
            setattr(health, key, value)
            changed.append(key)
    if changed:
        health.full_clean(exclude=["elder"])
        health.save()
        record(by, AuditEntry.Action.CHANGE, elder, verb="elder.health",
               changes={k: "changed" for k in changed})
    return health


def build_contact(
    elder: Elder, *, name: str, relation: str, phone: str, is_guardian: bool = False,
    priority: int = 1, user=None, tell_of_alarms: bool = False,
) -> Contact:
    """An unsaved contact, checked, with the phone encrypted and masked as add_contact stores
    it. No database access; the synthetic-district seeder bulk-inserts what this returns."""
    number = phones.normalise(phone)
    if relation not in Contact.Relation.values:
        raise ValidationError({"relation": _("Unknown relation.")})
    if not name.strip():
        raise ValidationError({"name": _("Enter the contact's name.")})
    return Contact(
        elder=elder, region_code=elder.region_code, name=name.strip(), relation=relation,
        phone_encrypted=crypto.encrypt(number), phone_hash=crypto.lookup_hash(number), phone_masked=phones.mask(number),
        is_guardian=is_guardian, priority=priority, user=user, tell_of_alarms=tell_of_alarms,
    )


@transaction.atomic
def add_contact(
    elder: Elder, *, by, name: str, relation: str, phone: str, is_guardian: bool = False,
    priority: int | None = None, user=None, tell_of_alarms: bool = False,
) -> Contact:
    """Add a guardian or emergency contact, last in the call order unless told otherwise."""
    contact = build_contact(
        elder, name=name, relation=relation, phone=phone, is_guardian=is_guardian,
        priority=1, user=user, tell_of_alarms=tell_of_alarms,
    )
    contact.priority = priority if priority is not None else (elder.contacts.count() or 0) + 1
    contact.save(force_insert=True)
    record(by, AuditEntry.Action.CHANGE, elder, verb="elder.contact_add",
           changes={"contact": contact.pk})
    return contact


def rotate_field_keys(*, batch: int = 1000) -> int:
    """Re-encrypt every protected field under the current (first) key and recompute the
    lookup hashes. Returns how many elder records were rewritten."""
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            elders = list(Elder.objects.filter(pk__gt=last).order_by("pk")[:batch])
            if not elders:
                return done
            for elder in elders:
                number, phone = elder._id_number(), elder._phone()
                _set_id_number(elder, residentid.parse(number))
                _set_phone(elder, phone)
            Elder.objects.bulk_update(
                elders,
                ["id_number_encrypted", "id_number_hash", "id_last4_hash", "phone_encrypted", "phone_hash"],
            )
            contacts = list(Contact.objects.filter(elder__in=elders))
            for c in contacts:
                number = crypto.decrypt(c.phone_encrypted)
                c.phone_encrypted = crypto.encrypt(number)
                c.phone_hash = crypto.lookup_hash(number) if number else ""
            Contact.objects.bulk_update(contacts, ["phone_encrypted", "phone_hash"])
            done += len(elders)
            last = elders[-1].pk


# -- derived categories, overrides and the household (registry.categories) ----------------------
CATEGORY_BATCH = 2000


def _derive_household(elder: Elder, members: list[tuple[str, bool, str]] | None = None) -> None:
    """Replace the elder's household-derived facts (unsaved)."""
    if members is None:
        members = list(elder.members.values_list("relation", "alive", "residence")) if elder.pk else []
    facts = {k: v for k, v in elder.derived_categories.items() if k not in derive.HOUSEHOLD_DERIVED}
    facts.update(derive.from_household(
        arrangement=elder.living_arrangement, members=members,
        recorded=elder.household_recorded_on is not None,
    ))
    elder.derived_categories = facts


def set_assessment_categories(facts: dict[int, dict], *, by=None) -> int:
    """Store what the latest signed assessment of each elder says (elder id →
    categories.from_assessment(...)) and put the categories in force. Called by the
    assessment app when an assessment is signed, and in bulk by its demo seeding and
    refresh command: a few queries per 2,000 elders, none per row. With `by`, each change
    of categories is audited as the signer's. Returns how many elders' categories changed."""
    changed = 0
    ids = sorted(facts)
    for start in range(0, len(ids), CATEGORY_BATCH):
        with transaction.atomic():
            chunk = ids[start:start + CATEGORY_BATCH]
            elders = list(Elder.objects.filter(pk__in=chunk).only(
                "categories_text", "derived_categories", "category_overrides", "region_code"))
            dirty = []
            for elder in elders:
                before, before_facts = elder.categories, elder.derived_categories
                elder.derived_categories = {**elder.derived_categories, **facts[elder.pk]}
                derive.apply(elder)
                if elder.derived_categories != before_facts or elder.categories != before:
                    dirty.append(elder)  # only rows that change are written
                if elder.categories != before:
                    changed += 1
                    if by is not None:
                        record(by, AuditEntry.Action.CHANGE, elder, verb="elder.categories",
                               changes={"categories": [before, elder.categories]})
            Elder.objects.bulk_update(dirty, ["categories_text", "derived_categories"])
    return changed


def refresh_household_categories(elder_ids: Iterable[int]) -> int:
    """Recompute the household-derived categories of many elders from their living
    arrangement and members (bulk paths: a few queries per 2,000 elders). Returns how many
    elders' categories changed."""
    changed = 0
    ids = sorted(set(elder_ids))
    for start in range(0, len(ids), CATEGORY_BATCH):
        with transaction.atomic():
            chunk = ids[start:start + CATEGORY_BATCH]
            members: dict[int, list] = {}
            for elder_id, relation, alive, residence in HouseholdMember.objects.filter(
                elder_id__in=chunk
            ).values_list("elder_id", "relation", "alive", "residence"):
                members.setdefault(elder_id, []).append((relation, alive, residence))
            elders = list(Elder.objects.filter(pk__in=chunk).only(
                "categories_text", "derived_categories", "category_overrides", "living_arrangement",
                "household_recorded_on"))
            dirty = []
            for elder in elders:
                before_facts = elder.derived_categories
                _derive_household(elder, members.get(elder.pk, []))
                moved = derive.apply(elder)
                changed += moved
                if moved or elder.derived_categories != before_facts:
                    dirty.append(elder)  # only rows that change are written
            Elder.objects.bulk_update(dirty, ["categories_text", "derived_categories"])
    return changed


@transaction.atomic
def override_category(elder: Elder, *, by, category: str, value: bool, reason: str) -> Elder:
    """Correct a derived category where the data are wrong: set it (value=True) or clear it,
    with a reason. The override wins over the data until it is removed; audited."""
    if category not in derive.DERIVED:
        raise ValidationError({"category": _("Only a category derived from data can be overridden; "
                                             "set the others by editing the record.")}, code="not_derived")
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why the data are wrong.")}, code="reason")
    before = elder.categories
    elder.category_overrides = {**elder.category_overrides, category: {
        "value": bool(value), "reason": reason, "by": by.pk,
        "by_name": getattr(by, "full_name", "") or by.get_username(),
        "at": timezone.localtime().isoformat(timespec="seconds"),
    }}
    derive.apply(elder)
    elder.save(update_fields=["categories_text", "category_overrides", "updated_at"])
    record(by, AuditEntry.Action.CHANGE, elder, verb="elder.category_override",
           changes={"categories": [before, elder.categories], "override": [category, bool(value)]},
           note=reason)
    return elder


@transaction.atomic
def remove_category_override(elder: Elder, *, by, category: str) -> Elder:
    """Let the data decide again. Removing an override that is not there changes nothing."""
    if category not in elder.category_overrides:
        return elder
    before = elder.categories
    elder.category_overrides = {k: v for k, v in elder.category_overrides.items() if k != category}
    derive.apply(elder)
    elder.save(update_fields=["categories_text", "category_overrides", "updated_at"])
    record(by, AuditEntry.Action.CHANGE, elder, verb="elder.category_override_removed",
           changes={"categories": [before, elder.categories], "override": [category, None]})
    return elder


def build_household_member(
    elder: Elder, *, relation: str, alive: bool = True, residence: str = "", name: str = "",
) -> HouseholdMember:
    """An unsaved household member, checked. No database access (the seeder bulk-inserts)."""
    errors = {}
    if relation not in HouseholdMember.Relation.values:
        errors["relation"] = ValidationError(_("Unknown relation."), code="relation")
    if residence and residence not in HouseholdMember.Residence.values:
        errors["residence"] = ValidationError(_("Unknown place of residence."), code="residence")
    if errors:
        raise ValidationError(errors)
    return HouseholdMember(
        elder=elder, region_code=elder.region_code, relation=relation, alive=alive,
        residence=residence if alive else "", name=name.strip(),
    )


def _household_changed(elder: Elder, *, by, before: list[str], verb: str, changes: dict) -> None:
    elder.household_recorded_on = timezone.localdate()
    _derive_household(elder)
    derive.apply(elder)
    elder.save(update_fields=["categories_text", "derived_categories", "household_recorded_on", "updated_at"])
    if elder.categories != before:
        changes = {**changes, "categories": [before, elder.categories]}
    record(by, AuditEntry.Action.CHANGE, elder, verb=verb, changes=changes)


@transaction.atomic
def add_household_member(
    elder: Elder, *, by, relation: str, alive: bool = True, residence: str = "", name: str = "",
) -> HouseholdMember:
    """Record a spouse, child or other relative and where they live; the household
    categories (独居, 空巢, 孤寡) follow at once."""
    before = elder.categories
    member = build_household_member(elder, relation=relation, alive=alive, residence=residence, name=name)
    member.save(force_insert=True)
    _household_changed(elder, by=by, before=before, verb="elder.member_add",
                       changes={"member": [None, f"{member.relation}:{member.alive}:{member.residence}"]})
    return member


@transaction.atomic
def remove_household_member(member: HouseholdMember, *, by) -> Elder:
    """Remove a household member entered by mistake (a death is recorded as alive=False)."""
    elder = member.elder
    before = elder.categories
    description = f"{member.relation}:{member.alive}:{member.residence}"
    member.delete()
    _household_changed(elder, by=by, before=before, verb="elder.member_remove",
                       changes={"member": [description, None]})
    return elder


@transaction.atomic
def confirm_household(elder: Elder, *, by) -> Elder:
    """The household as recorded is complete (also when it lists nobody: no spouse, no
    children), so 孤寡 can be derived from it."""
    before = elder.categories
    _household_changed(elder, by=by, before=before, verb="elder.household_confirm", changes={})
    return elder
