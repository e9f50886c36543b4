"""What every request passes: the sign-in guard (second factor, temporary password, absolute
session age) and the Content-Security-Policy header."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from kangyang.accounts import scope
from kangyang.accounts.actions import has_two_factor

SIGNED_IN_AT = "kangyang-signed-in-at"
PENDING = "kangyang-otp-pending"  # {"user": pk, "at": epoch seconds}: password right, second factor to come

# Reachable by a signed-in user whose session still lacks its second factor. The API is
# outside: it takes bearer tokens only, and issues them only after the second factor.
OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/static/", "/i18n/", "/api/", "/favicon.ico",
                 # The app's service worker, manifest and offline page: no data, fetched by the browser.
                 "/app/sw.js", "/app/manifest.webmanifest", "/app/offline/")


def set_pending(request, user) -> None:
    request.session[PENDING] = {"user": user.pk, "at": int(time.time())}


def with_next(url_name: str, request) -> str:
    target = request.get_full_path() if request.method == "GET" else "/"
    return f"{reverse(url_name)}?{urlencode({'next': target})}"


class SignInGuardMiddleware:
    """No page of an account that needs a second factor opens in a session without one (such a
    session goes back to the second step of signing in); an account with a temporary password
    sees only the password page; a session ends SESSION_MAX_HOURS after signing in, however busy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self.guard(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def guard(self, request, user):
        now = int(time.time())
        signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
        if now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
            logout(request)
            return redirect(with_next("accounts:login", request))
        path = request.path_info
        if path.startswith(OPEN_PREFIXES):
            return None
        if not user.is_verified() and (has_two_factor(user) or scope.needs_second_factor(user)):
            enrolled = has_two_factor(user)
            logout(request)
            set_pending(request, user)
            return redirect(with_next("accounts:login_otp" if enrolled else "accounts:enrol", request))
        if user.must_change_password and path not in (reverse("accounts:password"), reverse("accounts:recovery_codes")):
            return redirect("accounts:password")
        return None


# Scripts, styles, images and fonts from this site only; no inline script or style, no
# eval (htmx runs with allowEval off), no framing, forms post only here. Map tiles are the one
# exception, and only when a tile server is configured (KANGYANG_MAP_TILES): its host may
# serve images, nothing else.
def content_security_policy(img_sources: tuple[str, ...] = ()) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        " ".join(("img-src 'self' data:", *img_sources)),
        "font-src 'self'",
        "connect-src 'self'",
        # The app's service worker (/app/sw.js) and manifest: this site's only.
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


CONTENT_SECURITY_POLICY = content_security_policy()


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read per response: the tile source is a setting (tests change it).
        response.headers.setdefault("Content-Security-Policy", content_security_policy(settings.MAP_TILES.img_sources))
        return response
