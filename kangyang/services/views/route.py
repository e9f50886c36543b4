"""The caregiver's phone page: today's route in order, and the steps of each visit (accept,
decline, on my way, check in, check out, nobody home). Check-in and check-out carry the
phone's location when it gives one (static/js/caregiver.js); without it they still go
through and the visit is flagged for review — a failed check never blocks the caregiver."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.services import actions, queries
from kangyang.services.forms import CheckForm, DeclineForm, NoShowForm
from kangyang.services.models import Caregiver, Order, ServiceVisit
from kangyang.services.views._common import R, form_errors, is_fragment, refusal

S = Order.Status
SITE_PATH = re.compile(r"/[A-Za-z0-9/_-]{0,200}")


def _caregiver(request: HttpRequest) -> Caregiver | None:
    """The signed-in caregiver's profile; the page is for caregivers only."""
    if request.user.role != R.CAREGIVER:
        raise PermissionDenied
    return queries.caregiver_of(request.user)


def _back(request: HttpRequest) -> str:
    """The page a plain form goes back to: the route page it was sent from when that page
    says so in `next` (the app shows the same route at its own address), a path of this
    site only; else "" (this page)."""
    back = request.POST.get("next", "") if request.method == "POST" else ""
    if SITE_PATH.fullmatch(back) and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return back
    return ""


def route_context(request: HttpRequest, caregiver: Caregiver | None, **extra) -> dict:
    return {
        "caregiver": caregiver, "today": timezone.localdate(), "back": _back(request),
        **queries.caregiver_route(caregiver, timezone.localdate()),
        **extra,
    }


@login_required
@require_safe
@never_cache
@vary_on_headers("HX-Request")
def route(request: HttpRequest) -> HttpResponse:
    """Today's visits in route order, the done ones too."""
    caregiver = _caregiver(request)
    context = route_context(request, caregiver)
    return render(request, "services/_route.html" if is_fragment(request) else "services/route.html", context)


def _respond(request: HttpRequest, *, done: str | None = None, refused: str | None = None,
             result: dict | None = None) -> HttpResponse:
    """The route again, saying what happened: the fragment for htmx and the page's script,
    the page (after a redirect) for a plain form."""
    if is_fragment(request):
        return render(request, "services/_route.html",
                      route_context(request, _caregiver(request), done=done, refused=refused, result=result))
    if result:
        (messages.success if result["kind"] == "ok" else messages.warning)(request, result["text"])
    if done:
        messages.success(request, done)
    if refused:
        messages.error(request, refused)
    return redirect(_back(request) or "services:route")


def _metres(distance: int | None) -> str:
    return formats.number_format(distance, force_grouping=True)


def _result(service_visit: ServiceVisit, *, leaving: bool) -> dict:
    """What the caregiver reads after a check: how far from home, and whether the visit is
    flagged for a supervisor (and why)."""
    distance = service_visit.check_out_distance_m if leaving else service_visit.check_in_distance_m
    if leaving:
        lead = (_("Checked out, %(distance)s m from home, after %(minutes)d minutes.") % {
            "distance": _metres(distance), "minutes": service_visit.minutes or 0} if distance is not None else
            _("Checked out without a location, after %(minutes)d minutes.") % {"minutes": service_visit.minutes or 0})
    else:
        lead = (_("Checked in, %(distance)s m from home.") % {"distance": _metres(distance)} if distance is not None
                else _("Checked in without a location."))
    if service_visit.review != ServiceVisit.Review.PENDING:
        return {"kind": "ok", "text": lead, "distance": distance}
    reasons = pgettext("between items of a list", "; ").join(str(f.get_code_display()) for f in service_visit.flags.all())
    text = _("%(lead)s Flagged: %(reasons)s. Your supervisor will review the visit; carry on with it.") % {
        "lead": lead, "reasons": reasons}
    return {"kind": "flagged", "text": text, "distance": distance}


@login_required
@require_POST
def accept(request: HttpRequest, order_id: int) -> HttpResponse:
    order = queries.get_order_for(request.user, order_id)
    try:
        actions.accept_order(order, by=request.user)
    except ValidationError as e:
        return _respond(request, refused=refusal(e))
    return _respond(request, done=_("You took order #%(id)d: %(name)s.") % {"id": order.pk, "name": order.elder.name})


@login_required
@require_POST
def decline(request: HttpRequest, order_id: int) -> HttpResponse:
    order = queries.get_order_for(request.user, order_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _respond(request, refused=form_errors(form))
    try:
        actions.decline_order(order, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as e:
        return _respond(request, refused=refusal(e))
    return _respond(request, done=_("You declined order #%(id)d; it goes to someone else.") % {"id": order.pk})


@login_required
@require_POST
def travel(request: HttpRequest, order_id: int) -> HttpResponse:
    order = queries.get_order_for(request.user, order_id)
    try:
        actions.start_travel(order, by=request.user)
    except ValidationError as e:
        return _respond(request, refused=refusal(e))
    return _respond(request, done=_("On your way to %(name)s.") % {"name": order.elder.name})


@login_required
@require_POST
def check_in(request: HttpRequest, order_id: int) -> HttpResponse:
    """Arrived: with the phone's location if it gave one, at the time the check was made
    (a check queued while offline arrives later)."""
    order = queries.get_order_for(request.user, order_id)
    form = CheckForm(request.POST)
    if not form.is_valid():
        return _respond(request, refused=form_errors(form))
    now = timezone.now()
    try:
        service_visit = actions.check_in(order, by=request.user, fix=form.fix(), at=form.moment(now), now=now)
    except ValidationError as e:
        return _respond(request, refused=refusal(e))
    return _respond(request, result=_result(service_visit, leaving=False))


@login_required
@require_POST
def check_out(request: HttpRequest, order_id: int) -> HttpResponse:
    order = queries.get_order_for(request.user, order_id)
    form = CheckForm(request.POST)
    if not form.is_valid():
        return _respond(request, refused=form_errors(form))
    now = timezone.now()
    try:
        service_visit = actions.check_out(order, by=request.user, fix=form.fix(), notes=form.cleaned_data["notes"],
                                  at=form.moment(now), now=now)
    except ValidationError as e:
        return _respond(request, refused=refusal(e))
    return _respond(request, result=_result(service_visit, leaving=True))


@login_required
@require_POST
def nobody_home(request: HttpRequest, order_id: int) -> HttpResponse:
    """Nobody opened the door: a no-show of the elder; nothing is charged."""
    order = queries.get_order_for(request.user, order_id)
    form = NoShowForm(request.POST)
    if not form.is_valid():
        return _respond(request, refused=form_errors(form))
    try:
        actions.report_no_show(order, by=request.user, party=Order.NoShowParty.ELDER, reason=form.cleaned_data["reason"])
    except ValidationError as e:
        return _respond(request, refused=refusal(e))
    return _respond(request, done=_("Recorded: nobody was home at %(name)s's. Nothing is charged.") % {
        "name": order.elder.name})
