import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kangyang.accounts import actions
from kangyang.accounts.forms import LoginForm, OtpForm
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.audit.context import client_ip
from kangyang.audit.models import AuditEntry

PENDING = "kangyang-otp-pending-user"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _finish_login(request: HttpRequest, user: User, device=None) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    record(user, AuditEntry.Action.LOGIN, user, verb="login")
    return redirect(_next_url(request))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Username and password; then, for accounts with two-factor on, a one-time code."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.sign_in(request, ip=client_ip.get(), **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            if actions.has_two_factor(user):
                request.session[PENDING] = user.pk
                return redirect(f"{request.path}otp/?next={_next_url(request)}")
            return _finish_login(request, user)
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def login_otp(request: HttpRequest) -> HttpResponse:
    user = User.objects.filter(pk=request.session.get(PENDING), is_active=True).first()
    if user is None:
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_throttle(user.username, client_ip.get())
        except ValidationError as e:
            form.add_error(None, e)
        else:
            device = actions.verify_otp(user, form.cleaned_data["token"])
            if device is None:
                actions.note_failure(user.username, client_ip.get())
                form.add_error("token", _("That code is not right; check the time on your phone."))
            else:
                del request.session[PENDING]
                return _finish_login(request, user, device)
    return render(request, "accounts/login_otp.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in on (scan, then confirm with one code) or off."""
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
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("accounts:two_factor")
            elif step == "disable" and enabled:
                actions.disable_two_factor(user, by=user)
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("accounts:two_factor")
        except ValidationError as e:
            form.add_error(None, e)
    qr = segno.make(device.config_url).svg_inline(scale=4) if device and not enabled else ""
    return render(request, "accounts/two_factor.html", {
        "enabled": enabled, "device": device if not enabled else None, "qr": qr, "form": form,
        "allowed": user.is_staff_role,
    })
