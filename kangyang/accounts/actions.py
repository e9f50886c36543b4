"""Sign-in, throttling of failed sign-ins, second factors, passwords and API tokens."""

import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kangyang.accounts.models import ApiToken, DemoDatabase, Organisation, SignInCounter, User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry

RECOVERY_CODES = 10


# -- throttling -----------------------------------------------------------------------------
# Three counters per attempt: the username from this address (the tight limit), the username
# from anywhere, and the address for any username (both with higher caps). An attempt first
# reserves a slot in each, atomically, and only then is the password checked; so N parallel
# guesses cause at most `limit` password checks. A right answer gives its slot back.

def _throttle_keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    name = username.strip().lower()[:150]
    keys = [
        (f"user-ip:{name}|{ip or '-'}", settings.LOGIN_FAILURE_LIMIT),
        (f"user:{name}", settings.LOGIN_ACCOUNT_FAILURE_LIMIT),
    ]
    if ip:
        keys.append((f"ip:{ip}", settings.LOGIN_ADDRESS_FAILURE_LIMIT))
    return keys


def _take_slot(key: str, limit: int, now: datetime) -> bool:
    """One conditional UPDATE per key: atomic on SQLite and PostgreSQL without row locks
    held across the password check."""
    counters = SignInCounter.objects.filter(key=key)
    # A counter untouched for the lockout period starts again (a parallel attempt that got
    # there first has moved updated_at, so this matches nothing then).
    counters.filter(updated_at__lt=now - settings.LOGIN_LOCKOUT).update(count=0)
    if counters.filter(count__lt=limit).update(count=F("count") + 1, updated_at=now):
        return True
    if limit <= 0:
        return False
    try:
        with transaction.atomic():
            SignInCounter.objects.create(key=key, count=1, updated_at=now)
        return True
    except IntegrityError:  # a parallel attempt created it first: take a slot if one is left
        return bool(counters.filter(count__lt=limit).update(count=F("count") + 1, updated_at=now))


def _give_back(keys: list[str]) -> None:
    SignInCounter.objects.filter(key__in=keys, count__gt=0).update(count=F("count") - 1)


def reserve_attempt(username: str, ip: str | None) -> list[str]:
    """Count one attempt under every key before checking anything; refuse (code "throttled",
    audited) when a key is at its limit. Returns the keys to give back if the answer is right."""
    now = timezone.now()
    taken: list[str] = []
    for key, limit in _throttle_keys(username, ip):
        if not _take_slot(key, limit, now):
            _give_back(taken)
            record(None, AuditEntry.Action.LOGIN_FAILED, verb="login.throttled", note=username[:150])
            minutes = max(1, int(settings.LOGIN_LOCKOUT.total_seconds() // 60))
            raise ValidationError(
                _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes},
                code="throttled",
            )
        taken.append(key)
    return taken


def clear_failures(username: str, ip: str | None) -> None:
    """A complete sign-in forgets the account's failures (not the address's: one good
    account must not reset an address that is guessing at others)."""
    user_keys = [key for key, _limit in _throttle_keys(username, ip) if not key.startswith("ip:")]
    SignInCounter.objects.filter(key__in=user_keys).delete()


def sign_in(request, *, username: str, password: str, ip: str | None) -> User:
    """Check the password, counting failures; ValidationError if refused or throttled.
    The second factor, if any, is the caller's next step (verify_second_factor)."""
    keys = reserve_attempt(username, ip)
    user = authenticate(request, username=username, password=password)
    if user is None:
        record(None, AuditEntry.Action.LOGIN_FAILED, verb="login.failed", note=username[:150])
        raise ValidationError(_("Wrong username or password."), code="invalid_login")
    _give_back(keys)
    return user


# -- second factor --------------------------------------------------------------------------
def has_two_factor(user: User) -> bool:
    """Enrolled: a confirmed authenticator app (recovery codes come with it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify_otp(user: User, token: str) -> Device | None:
    """The device that accepts this code: the authenticator app, or a recovery code (used up)."""
    token = token.strip()
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    recovery = token.replace("-", "").replace(" ", "").lower()
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(recovery):
            record(user, AuditEntry.Action.OTP, user, verb="otp.recovery_code_used")
            return device
    return None


def verify_second_factor(user: User, token: str, *, ip: str | None) -> Device:
    """The second step of a sign-in, throttled and audited like the password."""
    keys = reserve_attempt(user.username, ip)
    device = verify_otp(user, token) if token.strip() else None
    if device is None:
        record(None, AuditEntry.Action.LOGIN_FAILED, verb="login.otp_failed", note=user.username[:150])
        raise ValidationError(
            {"otp": ValidationError(_("That code is not right; check the time on your phone."), code="otp_required")}
        )
    _give_back(keys)
    clear_failures(user.username, ip)
    return device


@transaction.atomic
def start_two_factor(user: User) -> TOTPDevice:
    """A new, unconfirmed TOTP device; it counts once the user has typed one code from it."""
    if not user.is_staff_role:
        raise ValidationError(_("Two-factor sign-in is for staff accounts."), code="not_staff")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def confirm_two_factor(device: TOTPDevice, *, token: str) -> TOTPDevice:
    if not device.verify_token(token.strip()):
        raise ValidationError(_("That code is not right; check the time on your phone."), code="otp")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(device.user, AuditEntry.Action.OTP, device.user, verb="otp.enable")
    return device


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; each works once in place of the app's code. Only
    the caller sees them, once (django-otp keeps them to compare, as it must)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    record(user, AuditEntry.Action.OTP, user, verb="otp.recovery_codes")
    return codes


@transaction.atomic
def disable_two_factor(user: User, *, by: User) -> None:
    """The user turns their own second factor off; refused where it is required."""
    from kangyang.accounts import scope

    if scope.two_factor_required(user):
        raise ValidationError(_("Your role must sign in with two factors; it cannot be turned off."),
                              code="two_factor_required")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(by, AuditEntry.Action.OTP, user, verb="otp.disable")


@transaction.atomic
def reset_two_factor(user: User, *, by: User | None) -> User:
    """A bureau admin (or the superuser, from the command line) removes a user's second factor
    and recovery codes, e.g. after a lost phone; the user enrols again at the next sign-in.
    Their API tokens go too: they may have been on the lost device."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    record(by, AuditEntry.Action.OTP, user, verb="otp.reset")
    return user


# -- passwords ------------------------------------------------------------------------------
@transaction.atomic
def change_password(user: User, *, new_password: str) -> User:
    """The user sets a new password (the form has checked the old one and the validators).
    Their API tokens are revoked; other sessions end by Django's session hash."""
    _set_password(user, new_password, must_change=False)
    record(user, AuditEntry.Action.CHANGE, user, verb="password.change")
    return user


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    """A new password ends the user's API tokens (and, by Django's session hash, sessions)."""
    user.set_password(password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "must_change_password"])
    ApiToken.objects.filter(user=user).delete()


def _temporary_password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread over the phone
    return "-".join("".join(secrets.choice(alphabet) for _i in range(4)) for _j in range(4))


@transaction.atomic
def reset_password(user: User, *, by: User) -> str:
    """A bureau admin gives the user a one-time temporary password (returned once, to tell
    them); they must change it at the next sign-in. Sessions and API tokens end."""
    temporary = _temporary_password()
    _set_password(user, temporary, must_change=True)
    record(by, AuditEntry.Action.CHANGE, user, verb="password.reset")
    return temporary


# -- API tokens -----------------------------------------------------------------------------
@transaction.atomic
def issue_api_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token; the secret is returned once and only its digest is kept."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(secret),
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )
    record(user, AuditEntry.Action.TOKEN, user, verb="token.issue")
    return secret, token


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User) -> None:
    """The token stops working at once. Only its owner revokes it (callers load it so)."""
    record(by, AuditEntry.Action.TOKEN, token.user, verb="token.revoke", note=str(token.pk))
    token.delete()


def user_for_token(secret: str, *, now: datetime | None = None) -> User | None:
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__region")
        .filter(digest=ApiToken.digest_of(secret), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# -- staff accounts (issue 11) ----------------------------------------------------------------
# Who may give which account what is decided in scope.py ("staff accounts"); these functions
# check the shape of the input (422), then the caller's reach (403), then write and audit.

def _area_code(region, organisation) -> str:
    """The region code an account's audit entries are filed under (so the area's admin reads them)."""
    if region is not None:
        return region.code
    return organisation.region.code if organisation is not None else ""


def _checked_assignment(by: User, *, role: str, region, organisation):
    """(region, organisation) as the account keeps them: an area role keeps no organisation,
    an organisation role no area. ValidationError for input that does not fit the role,
    PermissionDenied for an area or organisation beyond the caller's."""
    from kangyang.accounts import scope

    if role not in scope.MANAGED_ROLES:
        raise ValidationError({"role": ValidationError(
            _("Accounts of elders and their families are not made here."), code="invalid")})
    if role in scope.AREA_ACCOUNT_ROLES:
        organisation = None
        if region is None:
            raise ValidationError({"region": ValidationError(_("This role needs an area."), code="required")})
    else:
        region = None
        if organisation is None:
            raise ValidationError({"organisation": ValidationError(
                _("This role needs an organisation."), code="required")})
    refusal = scope.assignment_refusal(by, role=role, region=region, organisation=organisation)
    if refusal:
        raise PermissionDenied(refusal)
    if region is not None and region.level not in scope.ACCOUNT_AREA_LEVELS[role]:
        levels = "、".join(str(type(region).Level(level).label) for level in scope.ACCOUNT_AREA_LEVELS[role])
        raise ValidationError({"region": ValidationError(
            _("This role works at the level of: %(levels)s.") % {"levels": levels}, code="level")})
    return region, organisation


def _require_manages(by: User, account: User) -> None:
    from kangyang.accounts import scope

    if not User.objects.filter(scope.account_filter(by), pk=account.pk).exists():
        raise PermissionDenied(_("This account is not one you manage."))


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    field = User._meta.get_field("username")
    try:
        field.run_validators(username)
        if not username:
            raise ValidationError(_("Enter a username."), code="required")
        if len(username) > field.max_length:
            raise ValidationError(_("At most %(n)d characters.") % {"n": field.max_length}, code="max_length")
    except ValidationError as e:
        raise ValidationError({"username": e}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ValidationError(
            _("This username is taken."), code="duplicate")})
    return username


@transaction.atomic
def create_account(
    *, by: User, username: str, role: str, full_name: str = "", region=None,
    organisation: Organisation | None = None, password: str | None = None,
    must_change_password: bool = False,
) -> tuple[User, str | None]:
    """A new staff account with a role and an area or organisation no wider than the caller's.
    With a password, it must pass Django's validators; without one, a temporary password is
    made, returned once (the second value), and must be changed at the first sign-in.
    The account sets up its second factor at its first sign-in, as every staff account does."""
    username = _clean_username(username)
    region, organisation = _checked_assignment(by, role=role, region=region, organisation=organisation)
    full_name = (full_name or "").strip()[: User._meta.get_field("full_name").max_length]
    account = User(username=username, role=role, full_name=full_name, region=region, organisation=organisation)
    temporary = None
    if password:
        try:
            validate_password(password, user=account)
        except ValidationError as e:
            raise ValidationError({"password": e}) from None
    else:
        temporary = password = _temporary_password()
        must_change_password = True
    account.set_password(password)
    account.must_change_password = must_change_password
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # a parallel request took the username first
        raise ValidationError({"username": ValidationError(_("This username is taken."), code="duplicate")}) from None
    record(by, AuditEntry.Action.CREATE, account, verb="account.create",
           region_code=_area_code(region, organisation),
           changes={"role": role, "region": region.code if region else None,
                    "organisation": organisation.pk if organisation else None,
                    "temporary_password": temporary is not None})
    return account, temporary


@transaction.atomic
def update_account(
    account: User, *, by: User, full_name: str, role: str, region=None,
    organisation: Organisation | None = None,
) -> User:
    """Change a managed account's name, role, area or organisation, by the rules of
    create_account. Nobody changes the role or area of their own account here."""
    from kangyang.accounts import scope

    _require_manages(by, account)
    full_name = (full_name or "").strip()[: User._meta.get_field("full_name").max_length]
    region, organisation = _checked_assignment(by, role=role, region=region, organisation=organisation)
    before = {"role": account.role, "region": account.region.code if account.region_id else None,
              "organisation": account.organisation_id}
    after = {"role": role, "region": region.code if region else None,
             "organisation": organisation.pk if organisation else None}
    if before != after:
        refusal = scope.account_change_refusal(by, account)
        if refusal:
            raise PermissionDenied(refusal)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if full_name != account.full_name:
        changes["full_name"] = "changed"  # a name is personal data: the log says only that it changed
    if not changes:
        return account
    account.full_name, account.role, account.region, account.organisation = full_name, role, region, organisation
    account.save(update_fields=["full_name", "role", "region", "organisation"])
    record(by, AuditEntry.Action.CHANGE, account, verb="account.update",
           region_code=_area_code(region, organisation), changes=changes)
    return account


@transaction.atomic
def deactivate_account(account: User, *, by: User, reason: str = "") -> User:
    """The account can no longer sign in: its API tokens are revoked at once, and its open
    web sessions end at their next request (Django refuses an inactive user's session).
    Deactivating twice changes nothing. Nobody deactivates their own account."""
    from kangyang.accounts import scope

    _require_manages(by, account)
    refusal = scope.account_change_refusal(by, account)
    if refusal:
        raise PermissionDenied(refusal)
    if not account.is_active:
        return account
    account.is_active = False
    account.save(update_fields=["is_active"])
    revoked = ApiToken.objects.filter(user=account).delete()[0]
    record(by, AuditEntry.Action.CHANGE, account, verb="account.deactivate", note=reason[:500],
           region_code=_area_code(account.region, account.organisation), changes={"tokens_revoked": revoked})
    return account


@transaction.atomic
def reactivate_account(account: User, *, by: User) -> User:
    """A deactivated account may sign in again (with its old password and second factor;
    its revoked tokens stay revoked). Reactivating an active account changes nothing."""
    from kangyang.accounts import scope

    _require_manages(by, account)
    refusal = scope.account_change_refusal(by, account)
    if refusal:
        raise PermissionDenied(refusal)
    if account.is_active:
        return account
    account.is_active = True
    account.save(update_fields=["is_active"])
    record(by, AuditEntry.Action.CHANGE, account, verb="account.reactivate",
           region_code=_area_code(account.region, account.organisation))
    return account


# -- demo -----------------------------------------------------------------------------------
@transaction.atomic
def mark_demo_database() -> DemoDatabase:
    """Only `kangyang demo` calls this, after seeding: from then on this database is a demo
    (its demo accounts sign in without a second factor; every page says so)."""
    mark = DemoDatabase.objects.first()
    if mark is None:
        mark = DemoDatabase.objects.create()
        record(None, AuditEntry.Action.CHANGE, verb="demo.mark")
    return mark
