from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from kangyang.accounts import actions, queries, scope
from kangyang.accounts.models import ApiToken
from kangyang.lib.pagination import Page
from kangyang.audit.context import client_ip
from kangyang.lib.schemas import DB_INT_MAX, UtcDatetime

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str = ""


class TokenOut(Schema):
    token: str
    expires_at: UtcDatetime


class ApiTokenOut(Schema):
    id: int
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None
    expires_at: UtcDatetime
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
    return {"token": secret, "expires_at": tok.expires_at}


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


# -- /api/v1/users: staff accounts (issue 11) ---------------------------------------------------
# Who may make whose account is scope.py's "staff accounts". An account outside the caller's
# reach answers 404 (as any record outside scope); giving an area or organisation beyond the
# caller's answers 403 `forbidden`, with the reason; input that does not fit the role, 422.

users_router = Router(tags=["users"])

Role = Literal[tuple(str(r) for r in scope.MANAGED_ROLES)]  # type: ignore[valid-type]
RegionCode = Annotated[str, Field(pattern=r"^\d{12}$", description="12-digit region code of the account's area.")]
OrganisationId = Annotated[int, Field(ge=1, le=DB_INT_MAX, description="Id of the account's organisation.")]


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    region: str | None = Field(description="Region code of the account's area (area roles).")
    organisation: int | None = Field(description="Id of the account's organisation (provider roles).")
    is_active: bool
    must_change_password: bool


class UserCreatedOut(UserOut):
    temporary_password: str | None = Field(
        None, description="Only when no password was given: made for the account, shown this once; "
                          "it must be changed at the first sign-in.")


class UserIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str | None = Field(None, max_length=128, description=(
        "Checked by the password rules; leave it out to have a temporary one made."))
    role: Role
    region: RegionCode | None = Field(None, description="For bureau admin, subdistrict officer, community "
                                                       "worker, hotline operator, inspector, volunteer.")
    organisation: OrganisationId | None = Field(None, description="For provider manager and caregiver.")
    full_name: str = Field("", max_length=100)
    must_change_password: bool = False


class UserPatch(Schema):
    full_name: str | None = Field(None, max_length=100)
    role: Role | None = None
    region: RegionCode | None = None
    organisation: OrganisationId | None = None


class UserFilter(Schema):
    role: str | None = None
    region: RegionCode | None = None
    is_active: bool | None = None
    q: str = Field("", max_length=100, description="Part of the username or name.")


def _user_out(user) -> dict:
    return {
        "id": user.pk, "username": user.username, "full_name": user.full_name, "role": user.role,
        "region": user.region.code if user.region_id else None, "organisation": user.organisation_id,
        "is_active": user.is_active, "must_change_password": user.must_change_password,
    }


def _region(code: str | None):
    if code is None:
        return None
    region = queries.region_by_code(code)
    if region is None:
        raise ValidationError({"region": ValidationError(_("No region has this code."), code="invalid")})
    return region


def _organisation(organisation_id: int | None):
    if organisation_id is None:
        return None
    organisation = queries.organisation_by_id(organisation_id)
    if organisation is None:
        raise ValidationError({"organisation": ValidationError(_("No such organisation."), code="invalid")})
    return organisation


def _refused(e: PermissionDenied) -> Forbidden:
    return Forbidden("forbidden", str(e) or _("You may not do this."))


def _manager(request):
    if not scope.can_manage_accounts(request.auth):
        raise Forbidden("forbidden", _("Your role does not manage accounts."))
    return request.auth


@users_router.post("", response={201: UserCreatedOut})
def create_user(request, payload: UserIn):
    """Make a staff account with a role and an area (`region`) or an organisation, no wider
    than the caller's; 403 `forbidden` when it is."""
    by = _manager(request)
    try:
        user, temporary = actions.create_account(
            by=by, username=payload.username, role=payload.role, full_name=payload.full_name,
            region=_region(payload.region), organisation=_organisation(payload.organisation),
            password=payload.password, must_change_password=payload.must_change_password,
        )
    except PermissionDenied as e:
        raise _refused(e) from None
    return Status(201, {**_user_out(user), "temporary_password": temporary})


@users_router.get("", response=list[UserOut])
@paginate(Page)
def list_users(request, filters: Query[UserFilter]):
    """The accounts the caller manages, by username."""
    by = _manager(request)
    accounts = queries.accounts_for(by, role=filters.role, region_code=filters.region,
                                    is_active=filters.is_active, search=filters.q)
    return _Rows(accounts)


class _Rows:
    """A queryset that pagination slices and counts, shown as UserOut dicts."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __getitem__(self, index):
        return [_user_out(u) for u in self.queryset[index]]

    def count(self) -> int:
        return self.queryset.count()


@users_router.get("/{user_id}", response=UserOut)
def get_user(request, user_id: int):
    return _user_out(queries.get_account_for(_manager(request), user_id))


@users_router.patch("/{user_id}", response=UserOut)
def update_user(request, user_id: int, payload: UserPatch):
    """Change the name, role, area or organisation; fields left out keep their value. Changing
    to an area role drops the organisation, to an organisation role the area."""
    by = _manager(request)
    account = queries.get_account_for(by, user_id)
    given = payload.model_fields_set
    role = payload.role if "role" in given and payload.role else account.role
    region = _region(payload.region) if "region" in given else account.region
    organisation = _organisation(payload.organisation) if "organisation" in given else account.organisation
    full_name = payload.full_name if "full_name" in given and payload.full_name is not None else account.full_name
    try:
        account = actions.update_account(account, by=by, full_name=full_name, role=role,
                                         region=region, organisation=organisation)
    except PermissionDenied as e:
        raise _refused(e) from None
    return _user_out(account)


@users_router.post("/{user_id}/deactivate", response=UserOut)
def deactivate_user(request, user_id: int):
    """The account can no longer sign in; its tokens are revoked and its sessions end."""
    return _account_step(request, user_id, actions.deactivate_account)


@users_router.post("/{user_id}/reactivate", response=UserOut)
def reactivate_user(request, user_id: int):
    return _account_step(request, user_id, actions.reactivate_account)


def _account_step(request, user_id: int, step):
    by = _manager(request)
    account = queries.get_account_for(by, user_id)
    try:
        account = step(account, by=by)
    except PermissionDenied as e:
        raise _refused(e) from None
    return _user_out(account)
