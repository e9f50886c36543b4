"""The wall display (可视化大屏): a full-screen page for the command room, and the small JSON it
polls. Parse, gate (accounts/scope.py: sees_wall_of), read (indicators/wall.py), render."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kangyang.accounts import scope
from kangyang.indicators import wall
from kangyang.regions.models import Region


def _region(request: HttpRequest) -> Region:
    """The region asked for (?region=CODE), else the user's own; 403 for a role that has no
    wall, 404 for a region outside the user's area (as for any record out of scope)."""
    user = request.user
    if not scope.sees_wall_display(user):
        raise PermissionDenied
    code = request.GET.get("region", "")
    if code:
        region = Region.objects.filter(code=code).first() if code.isdigit() and len(code) == 12 else None
    else:
        region = wall.default_region_for(user)
    if region is None or not scope.sees_wall_of(user, region.code):
        raise Http404
    return region


@login_required
@require_safe
def wall_display(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    figures = wall.figures(region)
    return render(request, "indicators/wall.html", {
        "region": region, "regions": wall.regions_for(request.user), "figures": figures,
        "map": wall.map_config(region, elders=figures["elders"]),
        "refresh_seconds": settings.WALL_REFRESH_SECONDS, "time_zone": settings.TIME_ZONE,
    })


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


@require_safe
@never_cache
def wall_data(request: HttpRequest) -> JsonResponse:
    """The wall's changing figures (wall.figures), polled by static/js/wall.js. Refusals in the
    API's error format, so the page can say what happened (signed out, no longer allowed)."""
    if not request.user.is_authenticated:
        return _error(401, "not_signed_in", _("Signed out: sign in again to see fresh figures."))
    try:
        region = _region(request)
    except PermissionDenied:
        return _error(403, "forbidden", _("You may not see the wall display."))
    except Http404:
        return _error(404, "not_found", _("Not found."))
    return JsonResponse(wall.figures(region), json_dumps_params={"ensure_ascii": False})
