"""The caregiver's phone page: today's route in order, and the steps of each visit (accept,
decline, on my way, check in, check out, nobody home). Check-in and check-out carry the
phone's location when it gives one (static/js/caregiver.js); without it they still go
through and the visit is flagged for review — a failed check never blocks the caregiver."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.services import actions, planning, queries
from kangyang.services.forms import CheckForm, DeclineForm, NoShowForm
from kangyang.services.models import Caregiver, Order, ServiceVisit
from kangyang.services.views._common import R, form_errors, is_fragment, refusal

S = Order.Status
# Shown as done on the page: nothing more to do today.
DONE = (S.CHECKED_OUT, S.CONFIRMED, S.SETTLED, S.NO_SHOW)


def _caregiver(request: HttpRequest) -> Caregiver | None:
    """The signed-in caregiver's profile; the page is for caregivers only."""
    if request.user.role != R.CAREGIVER:
        raise PermissionDenied
    return queries.caregiver_of(request.user)


def _navigate(place: tuple[float, float] | None) -> dict | None:
    """A geo: URI (RFC 5870, WGS-84) opens whichever map app the phone has, online or not;
    the coordinates are shown too, to copy into any other."""
    if place is None:
        return None
    lat, lng = place
    return {"geo": f"geo:{lat:.6f},{lng:.6f}?q={lat:.6f},{lng:.6f}", "text": f"{lat:.6f}, {lng:.6f}"}


def route_context(request: HttpRequest, caregiver: Caregiver | None, **extra) -> dict:
    today = timezone.localdate()
    orders = list(queries.caregiver_day(caregiver, today).select_related("elder__community")) if caregiver else []
    for o in orders:
        o.planned = getattr(o, "stop", None)  # RelatedObjectDoesNotExist is an AttributeError
        o.the_visit = getattr(o, "service_visit", None)
        o.starts = o.planned.start if o.planned else o.window_start
        o.navigate = _navigate(planning.location_of(o))
        o.done = o.status in DONE
    return {
        "caregiver": caregiver, "orders": orders, "today": today,
        "open_count": sum(1 for o in orders if not o.done),
        "decline_form": DeclineForm(), "no_show_form": NoShowForm(), "check_form": CheckForm(),
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
    return redirect("services:route")


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
