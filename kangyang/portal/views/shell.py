"""The app shell (/app/): the elder-mode switch, the settings page, and what makes the app a
progressive web app: its manifest, its service worker and the page shown without a connection."""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kangyang.portal import actions, elder_mode
from kangyang.portal.forms import AppSettingsForm
from kangyang.portal.views._common import app_login_required

THEME_COLOUR = "#0b5cad"  # static/css/app.css --accent


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@require_POST
def elder_mode_switch(request: HttpRequest) -> HttpResponse:
    """The switch in the header of every app page (and of the sign-in page): a plain form, so it
    works without JavaScript. Signed in, the choice is kept on the account; always also in a
    cookie, for the signed-out pages of this browser."""
    back = _next(request, reverse("portal:home"))
    value = request.POST.get("on")
    if value not in ("0", "1"):
        messages.error(request, _("Choose whether elder mode is on or off."))
        return redirect(back)
    on = value == "1"
    if request.user.is_authenticated:
        actions.set_elder_mode(request.user, on)
    messages.success(request, _("Elder mode is on.") if on else _("Elder mode is off."))
    response = redirect(back)
    elder_mode.remember(response, on)
    return response


@app_login_required
@require_http_methods(["GET", "POST"])
def app_settings(request: HttpRequest) -> HttpResponse:
    """Elder mode and the read-aloud speed; the language and how one is told are linked."""
    initial = {"elder_mode": "1" if elder_mode.is_on(request) else "0", "speech_rate": elder_mode.speech_rate(request)}
    form = AppSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["elder_mode"]
        actions.set_elder_mode(request.user, on)
        messages.success(request, _("Your settings are saved."))
        response = redirect("portal:settings")
        elder_mode.remember(response, on)
        elder_mode.remember_rate(response, form.cleaned_data["speech_rate"])
        return response
    return render(request, "portal/settings.html", {"form": form})


@require_GET
@cache_control(max_age=86400, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: what a phone needs to install the app on its home screen. Its name
    is the product's, in the platform's language (browsers fetch it without cookies)."""
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Kangyang")
        description = _("Home care, orders and help for elders and their families")
    data = {
        "name": name,
        "short_name": name,
        "description": description,
        "lang": "zh-CN",
        "dir": "ltr",
        "id": reverse("portal:home"),
        "start_url": reverse("portal:home"),
        "scope": reverse("portal:home"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static("img/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


# What the service worker keeps from its installation on: the shell every page needs, and the
# page that says there is no connection.
def precached() -> list[str]:
    return [
        static("css/app.css"), static("js/app.js"), static("js/htmx.min.js"),
        static("img/favicon.svg"), static("img/icon-192.png"), reverse("portal:offline"),
        # The visitor's board (issue 15) keeps records on the phone: its script and styles must
        # be there when the page is opened again without a connection (outbox.js: its queue).
        static("css/route.css"), static("css/app-visits.css"), static("js/outbox.js"),
        static("js/visitor.js"),
    ]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/… cannot serve it: a worker controls only the pages under its own path, so it is
    served at /app/sw.js (scope /app/). Never cached by the browser, so that a new version
    (new static files: a new name for its caches) is picked up on the next visit."""
    config = {"precached": precached(), "scope": reverse("portal:home"),
              "offline": reverse("portal:offline"), "notifications": reverse("portal:notifications"),
              "login": [reverse(settings.LOGIN_URL), reverse("portal:login")],
              "static": settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL}
    # The caches' names change with anything the worker does or keeps: a new version of the
    # static files, or of the worker, starts from fresh caches.
    version = hashlib.sha256(render_to_string("portal/sw.js", {"config": json.dumps(config)}).encode()).hexdigest()[:12]
    body = render_to_string("portal/sw.js", {"config": json.dumps({**config, "version": version})})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("portal:home")
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker for an app page it has not seen when there is no connection:
    says so in words, and offers to call the hotline. Open to everyone (it holds no data)."""
    return render(request, "portal/offline.html", {"offline": True})
