"""Family bindings: a family account asks to see an elder in the app; it takes effect only
with consent, recorded. Writes (the portal's actions for this topic) and the reads they need.

What a family account sees is decided by registry.Contact.user (scope.elder_filter): approving
links the account to the elder's contact with the family member's number (made if there is
none), refusing leaves it unlinked, removing unlinks it (the contact stays, a person to call).
Every step is audited on the elder.
"""

import datetime as dt
import secrets

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.lib import phone as phones
from kangyang.portal.models import Binding, BindingCode
from kangyang.registry.actions import add_contact
from kangyang.registry.models import Contact, Elder

S = Binding.Status
CODE_MINUTES = 10
CODE_ALPHABET = "23456789"  # digits only, without 0 and 1 (read aloud on the phone, typed on a keypad)
CODE_LENGTH = 6
REQUEST_DAYS = 14  # a request nobody answers expires
REQUESTS_PER_DAY = 10  # per family account: asking by number and name is not a search


def _limit(user: User) -> None:
    key = f"binding:asks:{user.pk}"
    if cache.add(key, 1, 86400):
        return
    try:
        count = cache.incr(key)
    except ValueError:
        return
    if count > REQUESTS_PER_DAY:
        raise ValidationError(_("You have asked too many times today. Please try again tomorrow."), code="limit")


def _family_phone(value: str) -> str:
    try:
        return phones.normalise(value or "")
    except ValidationError:
        raise ValidationError({"family_phone": ValidationError(
            _("Enter your own phone number: a mobile number of 11 digits, or a landline with its area code."),
            code="phone")}) from None


def _relation(value: str) -> str:
    if value not in Contact.Relation.values:
        raise ValidationError({"relation": ValidationError(_("Choose how you are related."), code="relation")})
    return value


def _expire_old(now: dt.datetime) -> None:
    Binding.objects.filter(status=S.PENDING, requested_at__lt=now - dt.timedelta(days=REQUEST_DAYS)).update(
        status=S.EXPIRED, decided_at=now)


@transaction.atomic
def ask(family: User, *, relation: str, family_name: str, family_phone: str, elder_phone: str = "",
        elder_name: str = "", code: str = "", now: dt.datetime | None = None) -> Binding:
    """A family account asks to be bound to an elder, by her phone number and name, or by the
    code she shows in her app. The request is kept the same way whether or not anything
    matched (the answer does not tell who is registered); one open request per elder."""
    if not scope.asks_bindings(family):
        raise PermissionDenied(_("Only family accounts ask to be bound to an elder."))
    now = now or timezone.now()
    relation = _relation(relation)
    number = _family_phone(family_phone)
    family_name = (family_name or "").strip()[:50]
    if not family_name:
        raise ValidationError({"family_name": ValidationError(_("Enter your name."), code="required")})
    _limit(family)
    _expire_old(now)
    elder = None
    if code:
        entered = "".join(ch for ch in code if ch.isdigit())
        found = BindingCode.objects.select_related("elder").filter(
            digest=crypto.lookup_hash(f"binding:{entered}"), expires_at__gt=now).first()
        if found is None:
            raise ValidationError({"code": ValidationError(
                _("This code is not right or has expired. Ask the elder to show a new one."), code="code")})
        elder, via, asked_name = found.elder, Binding.Via.CODE, found.elder.name
    else:
        try:
            elder_number = phones.normalise(elder_phone or "")
        except ValidationError:
            raise ValidationError({"elder_phone": ValidationError(
                _("Enter the elder's phone number: a mobile number of 11 digits, or a landline with its area code."),
                code="phone")}) from None
        asked_name = (elder_name or "").strip()[:50]
        if not asked_name:
            raise ValidationError({"elder_name": ValidationError(_("Enter the elder's name."), code="required")})
        elder = (Elder.objects.filter(phone_hash=crypto.lookup_hash(elder_number), name=asked_name)
                 .exclude(status=Elder.Status.DECEASED).order_by("pk").first())
        via = Binding.Via.PHONE
    if elder is not None:
        if elder.contacts.filter(user=family).exists():
            raise ValidationError(_("You are already bound to this elder."), code="bound")
        open_request = Binding.objects.filter(family=family, elder=elder, status=S.PENDING).first()
        if open_request is not None:
            return open_request
    try:
        with transaction.atomic():
            binding = Binding.objects.create(
                family=family, elder=elder, region_code=elder.region_code if elder else "", via=via,
                asked_name=asked_name, relation=relation, family_name=family_name,
                family_phone_encrypted=crypto.encrypt(number), family_phone_masked=phones.mask(number),
                requested_at=now,
            )
    except IntegrityError:  # a parallel request for the same elder came first
        return Binding.objects.get(family=family, elder=elder, status=S.PENDING)
    record(family, AuditEntry.Action.CREATE, elder if elder else binding, verb="binding.ask",
           changes={"binding": binding.pk, "via": via, "matched": elder is not None})
    return binding


@transaction.atomic
def show_code(elder: Elder, *, by: User, now: dt.datetime | None = None) -> str:
    """A new binding code for the elder to show (her earlier ones stop working)."""
    if not scope.decides_own_bindings(by, elder):
        raise PermissionDenied
    now = now or timezone.now()
    BindingCode.objects.filter(elder=elder).delete()
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        digest = crypto.lookup_hash(f"binding:{code}")
        if not BindingCode.objects.filter(digest=digest).exists():
            break
    BindingCode.objects.create(elder=elder, digest=digest, created_at=now,
                               expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
    record(by, AuditEntry.Action.CHANGE, elder, verb="binding.code")
    return code


def _link(binding: Binding, *, by: User) -> Contact:
    """Link the family account to the elder's contact with the family member's number, made
    (last in the call order) when there is none."""
    elder = binding.elder
    number = crypto.decrypt(binding.family_phone_encrypted)
    contact = (elder.contacts.filter(user=binding.family).first()
               or elder.contacts.filter(phone_hash=crypto.lookup_hash(number), user__isnull=True).first())
    if contact is None:
        contact = add_contact(elder, by=by, name=binding.family_name, relation=binding.relation, phone=number,
                              user=binding.family)
    elif contact.user_id != binding.family_id:
        contact.user = binding.family
        contact.save(update_fields=["user"])
    return contact


def _pending(binding: Binding) -> None:
    if binding.status != S.PENDING or binding.elder_id is None:
        raise ValidationError(_("This request has been answered already."), code="answered")


@transaction.atomic
def approve(binding: Binding, *, by: User, consent_by: str = Binding.ConsentBy.ELDER,
            consent_how: str = Binding.ConsentHow.APP, consent_at: dt.datetime | None = None, note: str = "",
            now: dt.datetime | None = None) -> Binding:
    """Consent given: by the elder in her app, or recorded by the community worker (who
    consented, when, how). The family account sees the elder from now on."""
    binding = Binding.objects.select_for_update(of=("self",)).select_related("elder", "family").get(pk=binding.pk)
    _pending(binding)
    elder = binding.elder
    now = now or timezone.now()
    if scope.decides_own_bindings(by, elder):
        consent_by, consent_how, consent_at = Binding.ConsentBy.ELDER, Binding.ConsentHow.APP, now
    elif scope.consents_bindings_of(by, elder.region_code):
        if consent_by not in Binding.ConsentBy.values:
            raise ValidationError({"consent_by": ValidationError(_("Say who consented."), code="required")})
        if consent_how not in Binding.ConsentHow.values or consent_how == Binding.ConsentHow.APP:
            raise ValidationError({"consent_how": ValidationError(_("Say how the consent was given."),
                                                                  code="required")})
        consent_at = consent_at or now
        if consent_at > now + dt.timedelta(minutes=5):
            raise ValidationError({"consent_at": ValidationError(_("The consent cannot be in the future."),
                                                                 code="future")})
    else:
        raise PermissionDenied(_("You may not decide on this elder's family accounts."))
    binding.contact = _link(binding, by=by)
    binding.status = S.APPROVED
    binding.decided_at, binding.decided_by = now, by
    binding.consent_by, binding.consent_how, binding.consent_at = consent_by, consent_how, consent_at
    binding.consent_note = (note or "").strip()[:200]
    binding.save()
    record(by, AuditEntry.Action.CHANGE, elder, verb="binding.approve",
           changes={"binding": binding.pk, "family": binding.family_id, "contact": binding.contact_id,
                    "consent_by": consent_by, "consent_how": consent_how, "consent_at": consent_at.isoformat()},
           note=binding.consent_note)
    return binding


@transaction.atomic
def refuse(binding: Binding, *, by: User, note: str = "", now: dt.datetime | None = None) -> Binding:
    """The elder, or the community worker for her, says no: the family account sees nothing."""
    binding = Binding.objects.select_for_update(of=("self",)).select_related("elder").get(pk=binding.pk)
    _pending(binding)
    elder = binding.elder
    if not (scope.decides_own_bindings(by, elder) or scope.consents_bindings_of(by, elder.region_code)):
        raise PermissionDenied(_("You may not decide on this elder's family accounts."))
    binding.status = S.REFUSED
    binding.decided_at, binding.decided_by = now or timezone.now(), by
    binding.consent_note = (note or "").strip()[:200]
    binding.save(update_fields=["status", "decided_at", "decided_by", "consent_note"])
    record(by, AuditEntry.Action.CHANGE, elder, verb="binding.refuse",
           changes={"binding": binding.pk, "family": binding.family_id}, note=binding.consent_note)
    return binding


@transaction.atomic
def unbind(elder: Elder, family: User, *, by: User, now: dt.datetime | None = None) -> int:
    """The family account no longer sees the elder: removed by the elder, by the community
    worker, or by the family member herself. Her contacts stay as people to call."""
    if not (scope.decides_own_bindings(by, elder) or scope.consents_bindings_of(by, elder.region_code)
            or by.pk == family.pk):
        raise PermissionDenied(_("You may not decide on this elder's family accounts."))
    now = now or timezone.now()
    unlinked = Contact.objects.filter(elder=elder, user=family).update(user=None)
    ended = Binding.objects.filter(elder=elder, family=family, status=S.APPROVED).update(
        status=S.REVOKED, ended_at=now, ended_by=by)
    if unlinked or ended:
        record(by, AuditEntry.Action.CHANGE, elder, verb="binding.revoke",
               changes={"family": family.pk, "contacts": unlinked})
    return unlinked


# -- reads -----------------------------------------------------------------------------------------
def pending_for_elder(elder: Elder) -> QuerySet:
    _expire_old(timezone.now())
    return Binding.objects.filter(elder=elder, status=S.PENDING).select_related("family").order_by("requested_at")


def bound_families(elder: Elder) -> list[User]:
    """The family accounts that see the elder (one per account, in call order)."""
    seen, found = set(), []
    for contact in elder.contacts.filter(user__isnull=False).select_related("user").order_by("priority", "pk"):
        if contact.user_id not in seen:
            seen.add(contact.user_id)
            found.append(contact)
    return found


def requests_of(family: User) -> QuerySet:
    """A family account's own requests, latest first (what it typed, and the state)."""
    return Binding.objects.filter(family=family).order_by("-requested_at", "-pk")[:20]


def history_of(elder: Elder) -> QuerySet:
    return Binding.objects.filter(elder=elder).exclude(status=S.PENDING).select_related(
        "family", "decided_by").order_by("-requested_at", "-pk")[:20]
