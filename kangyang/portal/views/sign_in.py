"""Signing in to the app (/app/login/): by a code sent to the phone, by username and password,
or by the elder's QR card (/app/card/<token>/); and the card's printing by the community.
Parse, act (portal/sign_in.py), render."""

import time
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kangyang.accounts import actions as accounts, scope
from kangyang.accounts.middleware import set_pending
from kangyang.audit.actions import record
from kangyang.audit.context import client_ip
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.lib import phone as phones
from kangyang.portal import sign_in
from kangyang.portal.auth_forms import CodeForm, PasswordForm, PhoneForm
from kangyang.registry import queries as registry

# The number a code was asked for in this session (encrypted: it is personal data) and when.
ASKED = "kangyang-app-code-for"
ASKED_SECONDS = 15 * 60


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _landing(request: HttpRequest, user) -> str:
    """Where a sign-in lands: the page asked for, else the app for elders and families and
    wherever `/` sends everyone else."""
    return _next_url(request) or (reverse("portal:home") if scope.has_own_page(user) else reverse("home"))


def _sign_in(request: HttpRequest, user, *, verb: str) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record(user, AuditEntry.Action.LOGIN, user, verb=verb)


def _asked_number(request: HttpRequest) -> str:
    asked = request.session.get(ASKED)
    if not isinstance(asked, dict) or time.time() - asked.get("at", 0) > ASKED_SECONDS:
        return ""
    try:
        return crypto.decrypt(asked["number"])
    except Exception:  # a key rotated away, a tampered session: ask again
        return ""


def _ask_code(request: HttpRequest, number: str) -> None:
    """ValidationError (a limit) or nothing: the answer is the same with or without an account."""
    sign_in.request_code(number, ip=client_ip.get())
    request.session[ASKED] = {"number": crypto.encrypt(number), "at": int(time.time())}


@never_cache
@require_http_methods(["GET", "POST"])
def app_login(request: HttpRequest) -> HttpResponse:
    """The app's sign-in page: the phone number first (a code by SMS), username and password
    below it, and a word about the card."""
    how = request.POST.get("how") if request.method == "POST" else ""
    phone_form = PhoneForm(request.POST if how == "code" else None)
    password_form = PasswordForm(request.POST if how == "password" else None, prefix="pw")
    if how == "code" and phone_form.is_valid():
        try:
            number = sign_in.mobile_number(phone_form.cleaned_data["phone"])
            _ask_code(request, number)
        except ValidationError as e:
            phone_form.add_error("phone" if getattr(e, "code", "") == "phone" else None, e)
        else:
            return redirect(_with_next("portal:login_code", request))
    if how == "password" and password_form.is_valid():
        try:
            user = accounts.sign_in(request, ip=client_ip.get(), username=password_form.cleaned_data["username"],
                                    password=password_form.cleaned_data["password"])
        except ValidationError as e:
            password_form.add_error(None, e)
        else:
            # Staff keep the project's rules: the second step where their role needs one.
            if accounts.has_two_factor(user):
                set_pending(request, user)
                return redirect(_with_login_next("accounts:login_otp", request, user))
            if scope.needs_second_factor(user):
                set_pending(request, user)
                return redirect(_with_login_next("accounts:enrol", request, user))
            accounts.clear_failures(user.username, client_ip.get())
            _sign_in(request, user, verb="login")
            return redirect(_landing(request, user))
    return render(request, "portal/login.html", {
        "phone_form": phone_form, "password_form": password_form, "next": _next_url(request),
        "show_password": how == "password",
    })


def _with_next(url_name: str, request: HttpRequest) -> str:
    target = _next_url(request)
    return f"{reverse(url_name)}?{urlencode({'next': target})}" if target else reverse(url_name)


def _with_login_next(url_name: str, request: HttpRequest, user) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': _landing(request, user)})}"


@never_cache
@require_http_methods(["GET", "POST"])
def app_login_code(request: HttpRequest) -> HttpResponse:
    """Type the code from the SMS (or ask for a new one)."""
    number = _asked_number(request)
    if not number:
        return redirect(_with_next("portal:login", request))
    form = CodeForm(request.POST if request.method == "POST" and request.POST.get("how") != "again" else None)
    if request.method == "POST" and request.POST.get("how") == "again":
        try:
            _ask_code(request, number)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("A new code is on its way."))
            return redirect(_with_next("portal:login_code", request))
    elif form.is_bound and form.is_valid():
        try:
            user = sign_in.verify_code(number, form.cleaned_data["code"], ip=client_ip.get())
        except ValidationError as e:
            form.add_error(None, e)
        else:
            request.session.pop(ASKED, None)
            _sign_in(request, user, verb="login.sms_code")
            return redirect(_landing(request, user))
    return render(request, "portal/login_code.html", {
        "form": form, "masked": phones.mask(number), "minutes": sign_in.CODE_MINUTES, "next": _next_url(request),
    })


@never_cache
def card(request: HttpRequest, token: str) -> HttpResponse:
    """The elder's card: opening it signs her in; a revoked or unknown card says so in words."""
    try:
        user = sign_in.open_card(token)
    except sign_in.CardRefused as refused:
        status = {"unknown": 404, "revoked": 410}.get(refused.reason, 403)
        response = render(request, "portal/card_refused.html", {"reason": refused.reason}, status=status)
    else:
        _sign_in_without_audit(request, user)
        response = redirect("portal:home")
    response["Referrer-Policy"] = "no-referrer"  # the token is in this address
    return response


def _sign_in_without_audit(request: HttpRequest, user) -> None:
    """open_card has audited the sign-in with the card's number."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")


# -- the community's side: printing and revoking cards ---------------------------------------------
@login_required
@never_cache
@require_POST
def elder_card(request: HttpRequest, elder_id: int) -> HttpResponse:
    """Print the elder's card (a new one: the old stops working), or revoke it."""
    elder = registry.get_elder_for(request.user, elder_id)
    if not scope.prints_cards_of(request.user, elder.region_code):
        raise PermissionDenied
    if request.POST.get("action") == "revoke":
        if sign_in.revoke_cards(elder, by=request.user):
            messages.success(request, _("The card no longer signs in."))
        return redirect(reverse("registry:detail", args=[elder.pk]) + "#app-access")
    try:
        card_row, token = sign_in.print_card(elder, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect(reverse("registry:detail", args=[elder.pk]) + "#app-access")
    url = sign_in.card_url(token)
    qr = segno.make(url, error="m").svg_inline(scale=6, omitsize=True)
    response = render(request, "portal/card_print.html", {
        "elder": elder, "qr": qr, "card": card_row,
        "community": elder.community,
    })
    response["Cache-Control"] = "no-store"
    return response
