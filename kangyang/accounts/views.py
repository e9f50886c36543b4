import time
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kangyang.accounts import actions, imports, queries, scope
from kangyang.accounts.forms import (
    AccountForm, LoginForm, OtpForm, SecondFactorForm, StaffFilterForm, StaffImportForm,
)
from kangyang.accounts.middleware import PENDING, set_pending
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.audit.context import client_ip
from kangyang.audit.models import AuditEntry

RECOVERY = "kangyang-recovery-codes"  # shown once on the next page, then dropped
PENDING_SECONDS = 600
STAFF_IMPORT_MAX_BYTES = 5 * 1024 * 1024  # a city's staff fit in far less  # the second step must follow the password within ten minutes


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _with_next(url_name: str, request: HttpRequest) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': _next_url(request)})}"


def _pending_user(request: HttpRequest) -> User | None:
    """The user who gave the right password in this session and has the second step to do."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending.get("user"), is_active=True).first()


def _finish_login(request: HttpRequest, user: User, device=None) -> None:
    request.session.pop(PENDING, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    actions.clear_failures(user.username, client_ip.get())
    record(user, AuditEntry.Action.LOGIN, user, verb="login")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Username and password; then a code (enrolled accounts) or enrolment (accounts that
    must have a second factor and have none yet)."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.sign_in(request, ip=client_ip.get(), **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            if actions.has_two_factor(user):
                set_pending(request, user)
                return redirect(_with_next("accounts:login_otp", request))
            if scope.needs_second_factor(user):
                set_pending(request, user)
                return redirect(_with_next("accounts:enrol", request))
            _finish_login(request, user)
            return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def login_otp(request: HttpRequest) -> HttpResponse:
    """The second step: the authenticator app's code or a recovery code."""
    user = _pending_user(request)
    if user is None:
        return redirect(_with_next("accounts:login", request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = actions.verify_second_factor(user, form.cleaned_data["token"], ip=client_ip.get())
        except ValidationError as e:
            form.add_error(None, e.error_dict["otp"] if hasattr(e, "error_dict") else e)
        else:
            _finish_login(request, user, device)
            return redirect(_next_url(request))
    return render(request, "accounts/login_otp.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of an account that must have a second factor: scan the QR code, type one
    code; then the recovery codes are shown once."""
    user = _pending_user(request)
    if user is None:
        return redirect(_with_next("accounts:login", request))
    if actions.has_two_factor(user):
        return redirect(_with_next("accounts:login_otp", request))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or actions.start_two_factor(user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reserve_attempt(user.username, client_ip.get())  # guesses count as failures
            actions.confirm_two_factor(device, token=form.cleaned_data["token"])
        except ValidationError as e:
            form.add_error(None, e)
        else:
            codes = actions.new_recovery_codes(user)
            _finish_login(request, user, device)
            request.session[RECOVERY] = codes
            return redirect(_with_next("accounts:recovery_codes", request))
    qr = segno.make(device.config_url).svg_inline(scale=4)
    return render(request, "accounts/enrol.html", {"form": form, "qr": qr, "next": _next_url(request)})


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown this once."""
    codes = request.session.pop(RECOVERY, None)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out of this browser. API tokens are not tied to browser sessions (scripts hold
    them); they end by POST /api/v1/auth/logout, the tokens page, or a password change. A form
    may name where to go next on this site (the app sends its people to the app's sign-in)."""
    asked = request.POST.get("next")
    logout(request)
    return redirect(_next_url(request) if asked else settings.LOGOUT_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in on (scan, then confirm with one code), make new recovery codes,
    or, where the role does not require it, turn it off."""
    user = request.user
    enabled = actions.has_two_factor(user)
    form = OtpForm(request.POST or None)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "start":
                device = actions.start_two_factor(user)
            elif step == "confirm" and device is not None and form.is_valid():
                actions.confirm_two_factor(device, token=form.cleaned_data["token"])
                otp_login(request, device)
                request.session[RECOVERY] = actions.new_recovery_codes(user)
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("accounts:recovery_codes")
            elif step == "recovery" and enabled:
                request.session[RECOVERY] = actions.new_recovery_codes(user)
                return redirect("accounts:recovery_codes")
            elif step == "disable" and enabled:
                actions.disable_two_factor(user, by=user)
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("accounts:two_factor")
        except ValidationError as e:
            form.add_error(None, e)
    qr = segno.make(device.config_url).svg_inline(scale=4) if device and not enabled else ""
    return render(request, "accounts/two_factor.html", {
        "enabled": enabled, "device": device if not enabled else None, "qr": qr, "form": form,
        "allowed": user.is_staff_role, "required": scope.two_factor_required(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def password(request: HttpRequest) -> HttpResponse:
    """Change one's own password: the old one, then the new one twice (Django's validators)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.change_password(request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed."))
        return redirect("home")
    return render(request, "accounts/password.html", {"form": form, "temporary": request.user.must_change_password})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens, with a button to revoke each."""
    return render(request, "accounts/tokens.html", {"tokens": queries.tokens_of(request.user)})


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(queries.tokens_of(request.user), pk=token_id)
    actions.revoke_api_token(token, by=request.user)
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:tokens")


def _require_manager(request: HttpRequest) -> None:
    if not scope.can_manage_accounts(request.user):
        raise PermissionDenied


STAFF_PAGE_SIZE = 50


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    """The accounts the signed-in manager manages (scope.account_filter), filtered by role,
    state or name, with their actions."""
    _require_manager(request)
    form = StaffFilterForm(request.GET or None, by=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    active = {"yes": True, "no": False}.get(filters.get("active") or "")
    accounts = queries.accounts_for(request.user, role=filters.get("role") or None, is_active=active,
                                    search=filters.get("q") or "")
    page = Paginator(accounts, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    enrolled = set(TOTPDevice.objects.filter(user__in=page.object_list, confirmed=True).values_list("user_id", flat=True))
    rows = [{"user": u, "enrolled": u.pk in enrolled, "required": scope.two_factor_required(u),
             "self": u.pk == request.user.pk} for u in page.object_list]
    querystring = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "accounts/staff.html", {
        "rows": rows, "form": form, "page_obj": page, "querystring": querystring,
    })


def _account_input(form: AccountForm) -> dict:
    data = form.cleaned_data
    return {"full_name": data.get("full_name", ""), "role": data["role"],
            "region": data.get("region"), "organisation": data.get("organisation")}


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    """A new account; a temporary password, if one was made, is shown once."""
    _require_manager(request)
    form = AccountForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account, temporary = actions.create_account(
                by=request.user, username=form.cleaned_data["username"],
                password=form.cleaned_data.get("password") or None,
                must_change_password=form.cleaned_data.get("must_change_password", False),
                **_account_input(form))
        except (ValidationError, PermissionDenied) as e:
            _form_errors(form, e)
        else:
            if temporary:
                return render(request, "accounts/temporary_password.html",
                              {"account": account, "temporary": temporary})
            messages.success(request, _("The account %(user)s is made.") % {"user": account.username})
            return redirect("accounts:staff")
    return render(request, "accounts/staff_form.html", {"form": form, "account": None})


def _form_errors(form, e) -> None:
    if isinstance(e, PermissionDenied):
        form.add_error(None, str(e) or _("You may not do this."))
    elif hasattr(e, "error_dict"):
        for name, errors in e.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, e)


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_manager(request)
    account = queries.get_account_for(request.user, user_id)
    initial = {"full_name": account.full_name, "role": account.role, "region": account.region,
               "organisation": account.organisation}
    form = AccountForm(request.POST or None, by=request.user, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_account(account, by=request.user, **_account_input(form))
        except (ValidationError, PermissionDenied) as e:
            _form_errors(form, e)
        else:
            messages.success(request, _("The account %(user)s is changed.") % {"user": account.username})
            return redirect("accounts:staff")
    return render(request, "accounts/staff_form.html", {"form": form, "account": account})


@login_required
@require_POST
def staff_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_manager(request)
    account = queries.get_account_for(request.user, user_id)
    try:
        actions.deactivate_account(account, by=request.user, reason=request.POST.get("reason", ""))
    except PermissionDenied as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("%(user)s can no longer sign in.") % {"user": account.username})
    return redirect("accounts:staff")


@login_required
@require_POST
def staff_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_manager(request)
    account = queries.get_account_for(request.user, user_id)
    try:
        actions.reactivate_account(account, by=request.user)
    except PermissionDenied as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("%(user)s may sign in again.") % {"user": account.username})
    return redirect("accounts:staff")


@login_required
@require_http_methods(["GET", "POST"])
def staff_import(request: HttpRequest) -> HttpResponse:
    """Upload a sheet: the good rows become accounts (temporary passwords shown once), the
    others are listed by row number with the reason."""
    _require_manager(request)
    form = StaffImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > STAFF_IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is too large."))
        else:
            try:
                result = imports.import_accounts(upload.read(), upload.name, by=request.user)
            except ValidationError as e:
                form.add_error("file", e)
    return render(request, "accounts/staff_import.html", {"form": form, "result": result})


@login_required
def staff_import_template(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="staff-accounts.xlsx"'
    imports.template_workbook().save(response)
    return response


@login_required
@require_POST
def reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_manager(request)
    user = queries.get_account_for(request.user, user_id)
    actions.reset_two_factor(user, by=request.user)
    messages.success(request, _("%(user)s will set up two-factor sign-in again at the next sign-in.") % {
        "user": user.username})
    return redirect("accounts:staff")


@login_required
@require_POST
def reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    """Shows the temporary password once; it is not stored anywhere in clear."""
    _require_manager(request)
    user = queries.get_account_for(request.user, user_id)
    temporary = actions.reset_password(user, by=request.user)
    return render(request, "accounts/temporary_password.html", {"account": user, "temporary": temporary})
