"""The caregiver's view in the app: today's route (/app/route/) in the app's layout.

The same route as the services app's caregiver page (services/queries: caregiver_route,
the fragment templates/services/_route.html and static/js/caregiver.js, which keeps checks
on the phone while there is no connection); its buttons post to the services app's own
steps (accept, on my way, check in, check out, nobody home, decline), which answer with
the fragment, or send a plain form back here (`next`)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.accounts import scope
from kangyang.portal.views._common import app_login_required
from kangyang.services import queries as services


@app_login_required
@require_safe
@never_cache
@vary_on_headers("HX-Request")
def route(request: HttpRequest) -> HttpResponse:
    """Today's visits in route order, the done ones too; the fragment alone for htmx and
    caregiver.js (which ask for it again after a check)."""
    if not scope.uses_caregiver_route(request.user):
        raise PermissionDenied
    caregiver = services.caregiver_of(request.user)
    today = timezone.localdate()
    context = {"caregiver": caregiver, "today": today, "back": reverse("portal:route"),
               "route_url": reverse("portal:route"), **services.caregiver_route(caregiver, today)}
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    return render(request, "services/_route.html" if fragment else "portal/route.html", context)
