from datetime import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kangyang.accounts import actions, queries, scope
from kangyang.accounts.models import ApiToken
from kangyang.audit.context import client_ip

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str = ""


class TokenOut(Schema):
    token: str
    expires_at: str


class ApiTokenOut(Schema):
    id: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    current: bool


class Forbidden(HttpError):
    """403 with our own error code (the API's HttpError handler reads `code`)."""

    def __init__(self, code: str, message: str):
        super().__init__(403, message)
        self.code = code


def _bearer_digest(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    return ApiToken.digest_of(secret.strip()) if scheme.lower() == "bearer" else ""


@router.post("/token", auth=None, response=TokenOut)
def token(request, payload: TokenIn):
    """Exchange a username and password, and a one-time code (the authenticator app's or a
    recovery code) for accounts that sign in with two factors, for a token."""
    ip = client_ip.get()
    user = actions.sign_in(request, username=payload.username, password=payload.password, ip=ip)
    if actions.has_two_factor(user):
        if not payload.otp.strip():
            # The code goes on the inner error: Django drops `code=` given beside a dict.
            raise ValidationError(
                {"otp": ValidationError(_("Enter the code from your authenticator app."), code="otp_required")}
            )
        actions.verify_second_factor(user, payload.otp, ip=ip)
    elif scope.needs_second_factor(user):
        raise Forbidden("two_factor_enrolment_required", _(
            "Your account must sign in with two factors: sign in on the web once to set it up, "
            "then send the code as otp."))
    else:
        actions.clear_failures(user.username, ip)
    if user.must_change_password:
        raise Forbidden("password_change_required", _(
            "Your password is a temporary one: sign in on the web and change it first."))
    secret, tok = actions.issue_api_token(user)
    return {"token": secret, "expires_at": tok.expires_at.isoformat()}


@router.get("/tokens", response=list[ApiTokenOut])
def tokens(request):
    """The caller's own tokens (never their secrets); `current` marks the one in use."""
    digest = _bearer_digest(request)
    return [
        {"id": t.pk, "created_at": t.created_at, "last_used_at": t.last_used_at,
         "expires_at": t.expires_at, "current": t.digest == digest}
        for t in queries.tokens_of(request.auth)
    ]


@router.delete("/tokens/{token_id}", response={204: None})
def revoke(request, token_id: int):
    """Revoke one of the caller's tokens; another user's answers 404."""
    actions.revoke_api_token(get_object_or_404(queries.tokens_of(request.auth), pk=token_id), by=request.auth)
    return Status(204, None)


@router.post("/logout", response={204: None})
def logout(request):
    """Revoke the token this request was sent with."""
    actions.revoke_api_token(
        get_object_or_404(queries.tokens_of(request.auth), digest=_bearer_digest(request)), by=request.auth)
    return Status(204, None)
