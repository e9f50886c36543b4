"""Sign-in, throttling of failed sign-ins, API tokens and two-factor devices."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kangyang.accounts.models import ApiToken, User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry


def _throttle_keys(username: str, ip: str | None) -> list[str]:
    keys = [f"login-fail:user:{username.lower()}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def check_throttle(username: str, ip: str | None) -> None:
    """Refuse further attempts after LOGIN_FAILURE_LIMIT failures for the same username or
    from the same address, until LOGIN_LOCKOUT has passed since the last failure."""
    limit = settings.LOGIN_FAILURE_LIMIT
    if any((cache.get(key) or 0) >= limit for key in _throttle_keys(username, ip)):
        minutes = int(settings.LOGIN_LOCKOUT.total_seconds() // 60)
        raise ValidationError(
            _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes},
            code="throttled",
        )


def note_failure(username: str, ip: str | None) -> None:
    timeout = int(settings.LOGIN_LOCKOUT.total_seconds())
    for key in _throttle_keys(username, ip):
        cache.add(key, 0, timeout)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)
        cache.touch(key, timeout)
    record(None, AuditEntry.Action.LOGIN_FAILED, verb="login.failed", note=username[:150])


def clear_failures(username: str, ip: str | None) -> None:
    cache.delete_many(_throttle_keys(username, ip))


def sign_in(request, *, username: str, password: str, ip: str | None) -> User:
    """Check the password, counting failures; ValidationError if refused or throttled."""
    check_throttle(username, ip)
    user = authenticate(request, username=username, password=password)
    if user is None:
        note_failure(username, ip)
        raise ValidationError(_("Wrong username or password."), code="invalid_login")
    clear_failures(username, ip)
    return user


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify_otp(user: User, token: str) -> TOTPDevice | None:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token.strip()):
            return device
    return None


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
def disable_two_factor(user: User, *, by: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    record(by, AuditEntry.Action.OTP, user, verb="otp.disable")


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
