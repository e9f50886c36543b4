"""The provider's back office beyond the board: caregivers and their shifts, the day's
routes on a map, visits flagged for review, the monthly settlement, and complaints to follow
up. A manager works on their own provider; bureau staff and subdistrict officers read the
providers of their area and act where the rules let them (plan, review, issue)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib.forms import add_errors
from kangyang.services import actions, exports, planning, queries
from kangyang.services.actions.settlement import month_end
from kangyang.services.forms import (
    WEEKDAYS, CaregiverForm, DayForm, FollowUpForm, IssueForm, PlanForm, ReviewForm, ShiftsForm, parse_month,
    previous_month,
)
from kangyang.services.models import Caregiver, Order
from kangyang.services.views import _routemap
from kangyang.services.views._common import (
    R, Office, back_office, form_errors, is_fragment, office_context, refusal,
)
from kangyang.services.views.board import after_order_action

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SETTLEMENT_ROWS = 200  # rows shown on the page; the statement file has them all
S = Order.Status


def _provider(office: Office):
    if office.provider is None:
        raise Http404
    return office.provider


# -- caregivers ------------------------------------------------------------------------------
@login_required
@require_safe
def caregiver_list(request: HttpRequest) -> HttpResponse:
    """The provider's caregivers with their skills, level, masked phone, week and today's load."""
    office = back_office(request)
    provider = office.provider
    caregivers = list(queries.caregivers_of(provider)) if provider else []
    loads = queries.caregiver_loads(provider, timezone.localdate()) if provider else {}
    for c in caregivers:
        c.load = loads.get(c.pk, {"orders": 0, "minutes": 0})
        by_day = {s.weekday: s for s in c.shifts.all()}
        c.week = [(label, by_day.get(day)) for day, label in WEEKDAYS]
    return render(request, "services/caregivers.html", {
        **office_context(office, "caregivers"), "caregivers": caregivers,
        "can_manage": provider is not None and queries.can_manage_caregivers(request.user, provider),
    })


def _check_can_manage(user, provider) -> None:
    if not queries.can_manage_caregivers(user, provider):
        raise PermissionDenied


def _to_caregivers(office: Office) -> str:
    query = office.query()
    return reverse("services:caregivers") + (f"?{query}" if query else "")


@login_required
@require_http_methods(["GET", "POST"])
def caregiver_create(request: HttpRequest) -> HttpResponse:
    """Add a caregiver with skills and weekly shifts (the manager, or bureau staff)."""
    office = back_office(request, request.POST if request.method == "POST" else request.GET)
    provider = _provider(office)
    _check_can_manage(request.user, provider)
    accounts = queries.unlinked_caregiver_accounts(provider)
    if request.method == "POST":
        form, shifts = CaregiverForm(request.POST, accounts=accounts), ShiftsForm(request.POST)
        if form.is_valid() and shifts.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():  # the caregiver and their week, or neither
                    caregiver = actions.add_caregiver(
                        provider, by=request.user, name=data["name"], skills=data["skills"], phone=data["phone"],
                        level=data["level"], certificate_number=data["certificate_number"],
                        home_lat=data["home_lat"], home_lng=data["home_lng"], user=data["user"],
                    )
                    actions.set_shifts(caregiver, by=request.user, shifts=shifts.shifts())
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("%(name)s is added.") % {"name": caregiver.name})
                return redirect(_to_caregivers(office))
    else:
        form = CaregiverForm(accounts=accounts, initial={"skills": []})
        shifts = ShiftsForm(initial=ShiftsForm.initial_for(None))
    return render(request, "services/caregiver_form.html", {
        **office_context(office, "caregivers"), "form": form, "shifts": shifts, "caregiver": None,
    })


@login_required
@require_http_methods(["GET", "POST"])
def caregiver_edit(request: HttpRequest, caregiver_id: int) -> HttpResponse:
    """Change a caregiver's skills, level, home base, whether they work, and their week."""
    caregiver = queries.get_caregiver_for(request.user, caregiver_id)
    provider = caregiver.provider
    _check_can_manage(request.user, provider)
    office = Office(provider=provider, providers=[provider], manager=queries.manages(request.user, provider.pk))
    if request.method == "POST":
        form, shifts = CaregiverForm(request.POST, editing=True), ShiftsForm(request.POST)
        if form.is_valid() and shifts.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    actions.update_caregiver(caregiver, by=request.user, skills=data["skills"], level=data["level"],
                                             active=data["active"], home_lat=data["home_lat"], home_lng=data["home_lng"])
                    actions.set_shifts(caregiver, by=request.user, shifts=shifts.shifts())
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("%(name)s is saved.") % {"name": caregiver.name})
                return redirect(_to_caregivers(office))
    else:
        form = CaregiverForm(editing=True, initial={
            "skills": caregiver.skills, "level": caregiver.level, "active": caregiver.active,
            "home_lat": caregiver.home_lat, "home_lng": caregiver.home_lng,
        })
        shifts = ShiftsForm(initial=ShiftsForm.initial_for(caregiver))
    return render(request, "services/caregiver_form.html", {
        **office_context(office, "caregivers"), "form": form, "shifts": shifts, "caregiver": caregiver,
    })


# -- routes ----------------------------------------------------------------------------------
def _home_base(caregiver: Caregiver) -> tuple[float, float] | None:
    """Where the caregiver's day starts (their home base, else the provider's office), as the
    planner takes it."""
    for lat, lng in ((caregiver.home_lat, caregiver.home_lng), (caregiver.provider.lat, caregiver.provider.lng)):
        if lat is not None and lng is not None:
            return lat, lng
    return None


def _label(order: Order) -> str:
    return _("#%(id)d %(elder)s, %(item)s") % {"id": order.pk, "elder": order.elder.name, "item": order.item.name}


def routes_context(request: HttpRequest, office: Office, day, **extra) -> dict:
    """The day's plan: each caregiver's stops in order with planned times and travel, the
    orders nobody could take, and the orders of the day the plan does not hold (placed after
    it, or not plannable), drawn on a map (the shared map component)."""
    provider = office.provider
    context = {**office_context(office, "routes"), "day": day, "plan": None, "routes": [], "unassigned": [],
               "outside": [], "map": None, "plan_form": PlanForm(initial={"day": day}),
               "can_plan": provider is not None and (queries.manages(request.user, provider.pk)
                                                     or queries.supervises(request.user, provider.region_code)),
               "past": day < timezone.localdate(), **extra}
    if provider is None:
        return context
    run = queries.latest_plan_run(provider, day)
    context.update(run=run, run_busy=run is not None and run.busy, querystring=office.query(day=day.isoformat()))
    orders = {o.pk: o for o in queries.board_orders(request.user, provider, day).select_related(
        "item", "caregiver", "elder__household", "elder__compound")}
    plan = queries.plan_of(provider, day)
    routes, planned = {}, set()
    if plan is not None:
        for stop in queries.route_stops(plan):
            if stop.order_id not in orders:  # outside a supervisor's area: not shown
                continue
            planned.add(stop.order_id)
            route = routes.setdefault(stop.caregiver_id, {"caregiver": stop.caregiver, "stops": [], "seconds": 0, "metres": 0})
            stop.travel_minutes = round(stop.travel_seconds / 60)
            stop.travel_km = stop.travel_metres / 1000
            route["stops"].append(stop)
            route["seconds"] += stop.travel_seconds
            route["metres"] += stop.travel_metres
    unassigned_ids = set(plan.unassigned) if plan else set()
    unassigned = [o for pk, o in orders.items() if pk in unassigned_ids and o.status in queries.IN_PLAN]
    outside = [o for pk, o in orders.items()
               if pk not in planned and pk not in unassigned_ids and o.status in queries.IN_PLAN] if plan else []
    routes = sorted(routes.values(), key=lambda r: (r["caregiver"].name, r["caregiver"].pk))
    shapes = []
    for r in routes:
        stops = [(loc[0], loc[1], _label(s.order)) for s in r["stops"] if (loc := planning.location_of(s.order))]
        shapes.append(_routemap.Route(key=r["caregiver"].pk, name=r["caregiver"].name,
                                    home=_home_base(r["caregiver"]), stops=stops))
    loose = [(loc[0], loc[1], _label(o)) for o in unassigned + outside if (loc := planning.location_of(o))]
    drawing = _routemap.draw(shapes, loose)
    for i, r in enumerate(routes):
        r["colour"], r["dash"] = _routemap.colour(i)
        r["minutes"] = round(r["seconds"] / 60)
        r["km"] = r["metres"] / 1000
    context.update(plan=plan, plan_minutes=round(plan.travel_seconds / 60) if plan else 0, routes=routes, unassigned=unassigned, outside=outside, map=drawing)
    return context


@login_required
@require_safe
@vary_on_headers("HX-Request")
def routes(request: HttpRequest) -> HttpResponse:
    office = back_office(request)
    context = routes_context(request, office, DayForm(request.GET).chosen())
    return render(request, "services/_routes.html" if is_fragment(request) else "services/routes.html", context)


@login_required
@require_POST
def plan_day(request: HttpRequest) -> HttpResponse:
    """Plan the day (PyVRP) in the background: every open order of the day onto the
    caregivers on shift; the routes page shows the progress, then the routes."""
    office = back_office(request, request.POST)
    provider = _provider(office)
    form = PlanForm(request.POST)
    done = refused = None
    day = DayForm(request.POST).chosen()
    if form.is_valid():
        day = form.cleaned_data["day"]
        try:
            run = actions.request_route_plan(provider, day=day, by=request.user)
        except ValidationError as e:
            refused = refusal(e)
        else:
            run.refresh_from_db()  # a backend that runs tasks at once has planned it already
            if run.status == run.Status.DONE:
                done = ngettext(
                    "The day is planned: %(planned)d order on the routes, %(unassigned)d left for you to assign.",
                    "The day is planned: %(planned)d orders on the routes, %(unassigned)d left for you to assign.",
                    run.planned,
                ) % {"planned": run.planned, "unassigned": run.unassigned}
            elif run.status == run.Status.FAILED:
                refused = _("The day could not be planned: %(message)s") % {"message": run.message}
            else:
                done = _("Planning %(day)s: the routes appear here when they are ready.") % {"day": day.isoformat()}
    else:
        refused = form_errors(form)
    if is_fragment(request):
        return render(request, "services/_routes.html",
                      routes_context(request, office, day, done=done, refused=refused))
    if done:
        messages.success(request, done)
    if refused:
        messages.error(request, refused)
    return redirect(f"{reverse('services:routes')}?{office.query(day=day.isoformat())}")


# -- flagged visits --------------------------------------------------------------------------
def flags_context(request: HttpRequest, office: Office, **extra) -> dict:
    service_visits = queries.flagged_service_visits_for(request.user)
    if office.provider is None:
        service_visits = service_visits.none()
    elif office.supervisor:
        service_visits = service_visits.filter(provider=office.provider)
    service_visits = list(service_visits.select_related("order__elder__community").prefetch_related("flags").order_by("checked_in_at"))
    return {**office_context(office, "flags"), "visits": service_visits, "review_form": ReviewForm(), **extra}


@login_required
@require_safe
@vary_on_headers("HX-Request")
def flags(request: HttpRequest) -> HttpResponse:
    """Visits held back for review: why (reason codes and details), where and when."""
    office = back_office(request)
    context = flags_context(request, office)
    return render(request, "services/_flags.html" if is_fragment(request) else "services/flags.html", context)


@login_required
@require_POST
def review(request: HttpRequest, service_visit_id: int) -> HttpResponse:
    """Accept a flagged visit (it is paid) or reject it (the order is void), with a note."""
    service_visit = queries.get_service_visit_for(request.user, service_visit_id)
    form = ReviewForm(request.POST)
    done = refused = None
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            actions.review_service_visit(service_visit, by=request.user, accept=accept, note=form.cleaned_data["note"])
        except ValidationError as e:
            refused = refusal(e)
        else:
            done = (_("The visit of order #%(id)d is accepted and will be paid.") if accept else
                    _("The visit of order #%(id)d is rejected: the order is cancelled and nothing is paid.")) % {
                "id": service_visit.order_id}
    else:
        refused = form_errors(form)
    return after_order_action(request, service_visit.order_id, done=done, refused=refused)


# -- settlement ------------------------------------------------------------------------------
def settlement_context(request: HttpRequest, office: Office, month, **extra) -> dict:
    """The month's statement: issued (its rows, and the check that it reconciles) or a
    preview of what it would hold now; the visits held back either way."""
    user = request.user
    provider = office.provider
    context = {**office_context(office, "settlement"), "month": month, "readable": False, **extra}
    if provider is None:
        return context
    # Statements are the provider's and the district's where it is registered (Settlement.visible_to).
    readable = office.manager or scope.in_area(user, provider.region_code)
    context["readable"] = readable
    if not readable:
        return context
    preview = actions.preview_settlement(provider, month=month)
    issued = queries.settlements_of(user, provider).filter(month=month).first()
    visible = queries.orders_for(user)
    if issued is not None:
        rows = issued.orders.filter(pk__in=visible.values("pk"))
        totals = {"count": issued.order_count, "total": issued.total, "allowance": issued.allowance_total,
                  "voucher": issued.voucher_total, "own": issued.self_total}
        problems = actions.reconcile(issued)
    else:
        rows = preview.included.filter(pk__in=visible.values("pk"))
        t = preview.totals
        totals = {"count": t.count, "total": t.total, "allowance": t.allowance, "voucher": t.voucher, "own": t.own}
        problems = None
    rows = rows.select_related("elder__community", "item", "caregiver", "service_visit").order_by("service_visit__checked_out_at", "id")
    held = preview.held.filter(pk__in=visible.values("pk")).select_related("elder__community").prefetch_related("service_visit__flags")
    ended = month_end(month) <= timezone.now()
    can_manage = queries.can_manage_settlement(user, provider)
    context.update(
        issued=issued, totals=totals, rows=list(rows[:SETTLEMENT_ROWS]), more=max(0, rows.count() - SETTLEMENT_ROWS),
        held=list(held), held_totals=preview.held_totals, problems=problems, ended=ended,
        can_issue=issued is None and ended and can_manage, can_download=issued is not None and can_manage,
        statements=list(queries.settlements_of(user, provider)[:24]),
        issue_form=IssueForm(initial={"month": f"{month:%Y-%m}"}),
    )
    return context


@login_required
@require_safe
@vary_on_headers("HX-Request")
def settlement(request: HttpRequest) -> HttpResponse:
    office = back_office(request)
    month = parse_month(request.GET.get("month")) or previous_month(timezone.localdate())
    context = settlement_context(request, office, month)
    return render(request, "services/_settlement.html" if is_fragment(request) else "services/settlement.html", context)


@login_required
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    """Issue the month's statement (once, after the month): its orders become settled."""
    office = back_office(request, request.POST)
    provider = _provider(office)
    form = IssueForm(request.POST)
    month = previous_month(timezone.localdate())
    done = refused = None
    if form.is_valid():
        month = form.cleaned_data["month"]
        try:
            issued = actions.issue_settlement(provider, month=month, by=request.user)
        except ValidationError as e:
            refused = refusal(e)
        else:
            done = ngettext(
                "The statement of %(month)s is issued: %(count)d visit, ¥%(total)s.",
                "The statement of %(month)s is issued: %(count)d visits, ¥%(total)s.", issued.order_count,
            ) % {"month": f"{month:%Y-%m}", "count": issued.order_count, "total": issued.total}
    else:
        refused = form_errors(form)
    if is_fragment(request):
        return render(request, "services/_settlement.html",
                      settlement_context(request, office, month, done=done, refused=refused))
    if done:
        messages.success(request, done)
    if refused:
        messages.error(request, refused)
    return redirect(f"{reverse('services:settlement')}?{office.query(month=f'{month:%Y-%m}')}")


@login_required
@require_safe
def statement(request: HttpRequest, settlement_id: int) -> HttpResponse:
    """The issued statement as .xlsx (for those who issue statements; the download is audited)."""
    issued = queries.get_settlement_for(request.user, settlement_id)
    if not queries.can_manage_settlement(request.user, issued.provider):
        raise PermissionDenied
    data = exports.settlement_xlsx(issued)
    record(request.user, AuditEntry.Action.EXPORT, issued, verb="settlement.export",
           changes={"month": f"{issued.month:%Y-%m}", "orders": issued.order_count})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, exports.settlement_filename(issued))
    return response


# -- complaints ------------------------------------------------------------------------------


def complaints_context(request: HttpRequest, **extra) -> dict:
    user = request.user
    data = request.POST if request.method == "POST" else None
    office = back_office(request, data) if user.role != R.HOTLINE_OPERATOR else None
    complaints = queries.open_complaints_for(user).select_related("caregiver").order_by("created_at")
    if office is not None and office.supervisor:
        complaints = complaints.filter(provider=office.provider) if office.provider else complaints.none()
    return {"office": office, "provider": office.provider if office else None, "tab": "complaints",
            "complaints": list(complaints), "follow_up_form": FollowUpForm(),
            "may_follow_up": scope.may_follow_up_complaints(user), **extra}


@login_required
@require_safe
@vary_on_headers("HX-Request")
def complaints(request: HttpRequest) -> HttpResponse:
    """Open complaints to follow up, oldest first."""
    if not scope.may_follow_up_complaints(request.user):
        raise PermissionDenied
    context = complaints_context(request)
    return render(request, "services/_complaints.html" if is_fragment(request) else "services/complaints.html", context)


@login_required
@require_POST
def close_complaint(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = queries.get_complaint_for(request.user, complaint_id)
    form = FollowUpForm(request.POST)
    done = refused = None
    if form.is_valid():
        try:
            actions.close_complaint(complaint, by=request.user, follow_up=form.cleaned_data["follow_up"])
        except ValidationError as e:
            refused = refusal(e)
        else:
            done = _("The complaint about order #%(id)d is closed.") % {"id": complaint.order_id}
    else:
        refused = form_errors(form)
    if is_fragment(request):
        return render(request, "services/_complaints.html", complaints_context(request, done=done, refused=refused))
    if done:
        messages.success(request, done)
    if refused:
        messages.error(request, refused)
    return redirect("services:complaints")
