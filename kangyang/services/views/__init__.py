"""The home-service pages, by who uses them: the bureau's provider register (providers.py),
the provider's back office (board.py, office.py), the caregiver's phone page (route.py) and
ordering by phone (phone.py). Views parse, gate (queries/), act (actions/) and render; none
saves a model."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from kangyang.accounts import scope
from kangyang.services.views._common import R
from kangyang.services.views.board import assign, board, cancel, complain, confirm, order_detail
from kangyang.services.views.office import (
    caregiver_create, caregiver_edit, caregiver_list, close_complaint, complaints, flags, issue, plan_day, review,
    routes, settlement, statement,
)
from kangyang.services.views.phone import elder_page, phone, place, quote
from kangyang.services.views.providers import provider_create, provider_edit, provider_list, provider_prices
from kangyang.services.views.route import accept, check_in, check_out, decline, nobody_home, route, travel

__all__ = [
    "accept", "assign", "board", "cancel", "caregiver_create", "caregiver_edit", "caregiver_list", "check_in",
    "check_out", "close_complaint", "complain", "complaints", "confirm", "decline", "elder_page", "flags", "index",
    "issue", "nobody_home", "order_detail", "phone", "place", "plan_day", "provider_create", "provider_edit",
    "provider_list", "provider_prices", "quote", "review", "route", "routes",
    "settlement", "statement", "travel",
]


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The module's entry in the navigation: each role's own first page."""
    role = request.user.role
    if role == R.CAREGIVER:
        return redirect("services:route")
    if role == R.PROVIDER_MANAGER or scope.supervises_services(request.user):
        return redirect("services:board")
    if role in scope.DESK_ROLES:
        return redirect("services:phone")
    raise PermissionDenied
