from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.urls import include, path
from django.views.generic import RedirectView

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.api import api


def home(request):
    """Where signing in lands: an elder or a family member on their own page, a caregiver on
    today's route in the app, a volunteer on her visits of the day in the app, a provider's
    manager on the orders board, a bureau admin (of a district or the city) on the indicators
    against the plans' targets, everyone else on the elder registry (which asks strangers to
    sign in)."""
    if scope.has_own_page(request.user):
        return redirect("portal:home")
    role = getattr(request.user, "role", None)
    if role == User.Role.BUREAU_ADMIN and scope.can_open(request.user, "indicators"):
        return redirect("indicators:dashboard")
    if scope.uses_caregiver_route(request.user):
        return redirect("portal:route")
    if role == User.Role.PROVIDER_MANAGER:
        return redirect("services:board")
    if scope.uses_timebank_app(request.user):
        return redirect("portal:visits")
    if role == User.Role.INSPECTOR:  # their own inspections (issue 16 §5)
        return redirect("institutions:inspections_mine")
    if role == User.Role.DOCTOR:  # their team's panel (issue 17 §8)
        return redirect("health:index")
    return redirect("registry:list")


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (expired, or from another site): said in words
    (CSRF_FAILURE_VIEW), not Django's page for developers."""
    return render(request, "403_csrf.html", status=403)


FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.svg"


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links (the API docs, a JSON answer):
    the same drawing as base.html's icon link, an SVG, which they take from any path."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")


urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include("kangyang.accounts.urls")),
    path("regions/", include("kangyang.regions.urls")),
    path("organisations/", include("kangyang.accounts.organisation_urls")),
    path("registry/", include("kangyang.registry.urls")),
    path("assessment/", include("kangyang.assessment.urls")),
    path("allowances/", include("kangyang.allowances.urls")),
    path("alarms/", include("kangyang.alarms.urls")),
    path("services/", include("kangyang.services.urls")),
    # Care calls (issue 15 §4) before any other visits page, so "visits/" cannot shadow them.
    path("visits/calls/", include("kangyang.visits.urls_calls")),
    path("visits/", include("kangyang.visits.urls")),
    path("indicators/", include("kangyang.indicators.urls")),
    path("timebank/", include("kangyang.timebank.urls")),
    path("institutions/", include("kangyang.institutions.urls")),
    path("public/institutions/", include("kangyang.institutions.urls_public")),
    path("health/", include("kangyang.health.urls")),
    path("app/", include("kangyang.portal.urls")),
    # The own page lived at /me/ before the app: old links and bookmarks still arrive.
    path("me/", RedirectView.as_view(url="/app/", query_string=True)),
    path("me/survival/", RedirectView.as_view(url="/app/survival/", query_string=True)),
    path("audit/", include("kangyang.audit.urls")),
    path("notifications/", include("kangyang.notify.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
