"""The elder's and family's own health page in the app (/app/health/): the latest readings by
kind, the last check-ups, the contract in force (team, doctor, the health centre's phone), and for
the elder herself the switch that lets her family be told of her health alerts. The health app's
queries read (kangyang/health/queries/records.py) and its actions write; the portal only shows."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.health.actions import records as health_actions
from kangyang.health.queries import records as health_queries
from kangyang.portal.views._common import app_login_required


@app_login_required
def health(request: HttpRequest) -> HttpResponse:
    if not scope.has_own_page(request.user):
        raise PermissionDenied
    return render(request, "portal/health.html", {"pages": health_queries.my_health(request.user)})


@app_login_required
@require_POST
def health_consent(request: HttpRequest) -> HttpResponse:
    """The elder's own choice (only she sets it here; her family cannot)."""
    if request.user.role != scope.R.ELDER:
        raise PermissionDenied
    elder = next((p.elder for p in health_queries.my_health(request.user) if p.can_set_consent), None)
    if elder is None:
        raise PermissionDenied
    consent = request.POST.get("alerts_to_family") == "yes"
    health_actions.set_alerts_to_family(elder, by=request.user, consent=consent)
    messages.success(request, _("Your family will be told of your health alerts.") if consent
                     else _("Your family will not be told of your health alerts."))
    return redirect("portal:health")
