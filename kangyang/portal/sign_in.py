"""Signing in to the app without a password: a one-time code by SMS, or the elder's QR card.
The write functions (the portal's actions for this topic); views parse, call these, render.

Codes: six digits, a salted keyed hash kept, valid CODE_MINUTES, at most CODE_TRIES tries; one
new code per number every RESEND_SECONDS, at most CODES_PER_PHONE_HOUR per number and
CODES_PER_ADDRESS_HOUR per client address (Django's cache). Every answer to "send me a code" is
the same whether or not an account uses the number: a code row is made either way and only
sent when there is one. A right code signs in the one elder or family account with that number
(the elder's registered phone, or the phone of the contact a family account is linked to).

Cards: a random token in the QR code, its SHA-256 kept; printing a new card revokes the old;
opening it signs in the elder's own account (made, of role elder, when she has none).
"""

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.lib import phone as phones
from kangyang.portal.models import ElderCard, SignInCode
from kangyang.registry.models import Contact, Elder

CODE_DIGITS = 6
CODE_MINUTES = 5
CODE_TRIES = 5
RESEND_SECONDS = 60
CODES_PER_PHONE_HOUR = 5
CODES_PER_ADDRESS_HOUR = 20
# Wrong codes from one address in an hour, over every number (guessing across numbers).
TRIES_PER_ADDRESS_HOUR = 30

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_HMAC_SALT = "kangyang.portal.sign_in_code"


class SignInRefused(ValidationError):
    """A refusal to show the person, in words (code: "wrong", "expired", "tries", "wait",
    "limit", "no_account", "several_accounts")."""


# -- numbers -------------------------------------------------------------------------------------
def mobile_number(value: str) -> str:
    """The 11-digit mobile number in what was typed (+86, spaces and dashes allowed), or
    ValidationError: a code goes by SMS, so a landline will not do."""
    try:
        number = phones.normalise(value or "")
    except ValidationError:
        number = ""
    if not _MOBILE.match(number):
        raise ValidationError(_("Enter your mobile number: 11 digits starting with 1."), code="phone")
    return number


def accounts_with_phone(number: str) -> list[User]:
    """The active elder and family accounts whose number this is: the elder's registered
    phone (her own account), the phone of a contact linked to a family account."""
    digest = crypto.lookup_hash(number)
    elder_users = Elder.objects.filter(phone_hash=digest, user__isnull=False).values_list("user_id", flat=True)
    family_users = Contact.objects.filter(phone_hash=digest, user__role=User.Role.FAMILY).values_list("user_id", flat=True)
    ids = set(elder_users) | set(family_users)
    return [u for u in User.objects.filter(pk__in=ids, is_active=True).order_by("pk") if scope.signs_in_without_password(u)]


# -- limits (Django's cache: shared by every process of the site) ---------------------------------
def _count(key: str, seconds: int) -> int:
    """Add one to a counter that lives `seconds` from its first use; the new value."""
    if cache.add(key, 1, seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        return 1


def _peek(key: str) -> int:
    return int(cache.get(key) or 0)


def _phone_key(digest: str) -> str:
    return digest[:32]


# -- codes ---------------------------------------------------------------------------------------
def _code_digest(code: str, salt: str) -> str:
    return f"{salt}${salted_hmac(_HMAC_SALT, f'{salt}:{code}', algorithm='sha256').hexdigest()}"


def _code_matches(code: str, stored: str) -> bool:
    salt, _sep, _digest = stored.partition("$")
    return constant_time_compare(_code_digest(code, salt), stored)


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def request_code(number: str, *, ip: str | None, now: dt.datetime | None = None) -> SignInCode:
    """Make a code for the number and send it if an account uses it; the same answer either
    way. SignInRefused ("wait", "limit") when the number or the address asked too often."""
    from kangyang.notify import actions as notify
    from kangyang.notify.models import Channel, Kind

    now = now or timezone.now()
    digest = crypto.lookup_hash(number)
    key = _phone_key(digest)
    if not cache.add(f"signin:resend:{key}", 1, RESEND_SECONDS):
        raise SignInRefused(_("A code was sent less than a minute ago. Please wait a minute before asking again."),
                            code="wait")
    if _count(f"signin:phone-hour:{key}", 3600) > CODES_PER_PHONE_HOUR or (
            ip and _count(f"signin:ip-hour:{ip}", 3600) > CODES_PER_ADDRESS_HOUR):
        raise SignInRefused(_("Too many codes were asked for. Please try again in an hour, or sign in with "
                              "your username and password."), code="limit")
    code = new_code()
    users = accounts_with_phone(number)
    with transaction.atomic():
        # A new code replaces any earlier one of the number.
        SignInCode.objects.filter(phone_hash=digest, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        challenge = SignInCode.objects.create(
            phone_hash=digest, code_hash=_code_digest(code, secrets.token_hex(8)), created_at=now,
            expires_at=now + dt.timedelta(minutes=CODE_MINUTES), sent=bool(users),
        )
        if users:
            notify.notify(
                notify.Recipient(phone=number, channels=(Channel.SMS,), audience="sign_in"),
                template="sign_in.code", context={"code": code, "minutes": CODE_MINUTES}, kind=Kind.SIGN_IN,
                key=f"sign_in:{challenge.pk}", now=now,
            )
    return challenge


def verify_code(number: str, code: str, *, ip: str | None, now: dt.datetime | None = None) -> User:
    """The account the code signs in, or SignInRefused in words: wrong (with the tries left),
    expired, too many tries, no account or several accounts with the number (both said only
    after a right code: the person has shown the phone is theirs)."""
    now = now or timezone.now()
    code = (code or "").strip()
    if ip and _peek(f"signin:ip-tries:{ip}") >= TRIES_PER_ADDRESS_HOUR:
        raise SignInRefused(_("Too many wrong codes. Please try again in an hour."), code="limit")
    digest = crypto.lookup_hash(number)
    challenge = SignInCode.objects.filter(phone_hash=digest, used_at__isnull=True).order_by("-created_at", "-pk").first()
    if challenge is None:
        raise SignInRefused(_("There is no code for this number. Ask for a code first."), code="expired")
    if challenge.expires_at <= now:
        raise SignInRefused(_("The code has expired. Ask for a new code."), code="expired")
    # Take a try before comparing: parallel guesses cannot pass CODE_TRIES.
    if not SignInCode.objects.filter(pk=challenge.pk, attempts__lt=CODE_TRIES, used_at__isnull=True).update(
            attempts=F("attempts") + 1):
        raise SignInRefused(_("Too many wrong tries. Ask for a new code."), code="tries")
    if not (code.isdigit() and len(code) == CODE_DIGITS and _code_matches(code, challenge.code_hash)):
        if ip:
            _count(f"signin:ip-tries:{ip}", 3600)
        record(None, AuditEntry.Action.LOGIN_FAILED, verb="login.sms_code_failed")
        left = CODE_TRIES - challenge.attempts - 1
        if left <= 0:
            raise SignInRefused(_("Too many wrong tries. Ask for a new code."), code="tries")
        raise SignInRefused(_("The code is not right. You may try %(n)d more times.") % {"n": left}, code="wrong")
    if not SignInCode.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=now):
        raise SignInRefused(_("The code has expired. Ask for a new code."), code="expired")
    users = accounts_with_phone(number)
    if not users:
        raise SignInRefused(_("No elder or family account uses this number. Ask your community worker, "
                              "or sign in with your username and password."), code="no_account")
    if len(users) > 1:
        raise SignInRefused(_("Several accounts use this number. Please sign in with your username and password."),
                            code="several_accounts")
    return users[0]


# -- cards ---------------------------------------------------------------------------------------
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def elder_account(elder: Elder, *, by: User | None) -> User:
    """The elder's own account (role elder, linked to her record), made if she has none; it
    has no usable password until she or her family sets one."""
    if elder.user_id:
        return elder.user
    base = f"elder-{elder.pk}"
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(username=username, role=User.Role.ELDER, full_name=elder.name, region=elder.community)
    user.set_unusable_password()
    user.save()
    elder.user = user
    elder.save(update_fields=["user", "updated_at"])
    record(by, AuditEntry.Action.CREATE, user, verb="account.create_elder", region_code=elder.region_code,
           changes={"role": User.Role.ELDER, "elder": elder.pk})
    return user


@transaction.atomic
def print_card(elder: Elder, *, by: User, now: dt.datetime | None = None, token: str = "") -> tuple[ElderCard, str]:
    """A new card for the elder (the old one stops working), and its token, returned this
    once for the QR code. The community worker (scope.prints_cards_of) only. `token` is for
    the demo alone (the same card on every run); otherwise a random one is drawn."""
    if not scope.prints_cards_of(by, elder.region_code):
        raise PermissionDenied(_("You may not print cards for this elder."))
    if elder.status == Elder.Status.DECEASED:
        raise ValidationError(_("The elder is recorded as deceased: no card is printed."), code="deceased")
    now = now or timezone.now()
    elder_account(elder, by=by)
    revoked = ElderCard.objects.filter(elder=elder, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
    token = token or secrets.token_urlsafe(24)
    card = ElderCard.objects.create(elder=elder, region_code=elder.region_code, digest=token_digest(token),
                                    printed_at=now, printed_by=by)
    record(by, AuditEntry.Action.CREATE, elder, verb="app_card.print", changes={"card": card.pk, "revoked": revoked})
    return card, token


@transaction.atomic
def revoke_cards(elder: Elder, *, by: User, now: dt.datetime | None = None) -> int:
    """The elder's card stops working (lost, or taken by someone else)."""
    if not scope.prints_cards_of(by, elder.region_code):
        raise PermissionDenied(_("You may not print cards for this elder."))
    revoked = ElderCard.objects.filter(elder=elder, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now(), revoked_by=by)
    if revoked:
        record(by, AuditEntry.Action.CHANGE, elder, verb="app_card.revoke", changes={"revoked": revoked})
    return revoked


def card_for_token(token: str) -> ElderCard | None:
    """The card of a token, revoked or not; None for a token that never was one."""
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return None
    return ElderCard.objects.select_related("elder", "elder__user").filter(digest=token_digest(token)).first()


class CardRefused(Exception):
    """Why a card does not sign in: "unknown", "revoked" or "closed" (no elder account may
    open, or the elder is deceased)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def open_card(token: str, *, now: dt.datetime | None = None) -> User:
    """The elder's account the card signs in (audited), or CardRefused (audited too: no
    transaction around the refusals, so their audit entries stay)."""
    now = now or timezone.now()
    card = card_for_token(token)
    if card is None:
        record(None, AuditEntry.Action.LOGIN_FAILED, verb="login.card_unknown")
        raise CardRefused("unknown")
    elder = card.elder
    if card.revoked_at is not None:
        record(None, AuditEntry.Action.LOGIN_FAILED, elder, verb="login.card_revoked", changes={"card": card.pk})
        raise CardRefused("revoked")
    if elder.status == Elder.Status.DECEASED:
        raise CardRefused("closed")
    with transaction.atomic():
        user = elder_account(elder, by=None)
    if not scope.signs_in_without_password(user):
        record(None, AuditEntry.Action.LOGIN_FAILED, elder, verb="login.card_refused", changes={"card": card.pk})
        raise CardRefused("closed")
    with transaction.atomic():
        ElderCard.objects.filter(pk=card.pk).update(last_used_at=now)
        record(user, AuditEntry.Action.LOGIN, user, verb="login.card", region_code=elder.region_code,
               changes={"card": card.pk})
    return user


def card_url(token: str) -> str:
    """The address in the QR code: the app's public address (KANGYANG_PUBLIC_URL, as the
    links in messages) + /app/card/<token>/, whichever address the worker printed it from."""
    from django.urls import reverse

    return settings.PUBLIC_URL + reverse("portal:card", args=[token])
