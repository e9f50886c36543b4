"""The staff pages of the visit policy and plans: a region's plan for a month (assign, cancel,
make the plan), overdue visits, the monthly visit rate with drill-down to the unvisited elders,
and an elder's visit profile (tier and why, the override, pairings, recent visits). For the
planning staff of an area (accounts.scope.sees_visit_plans; anyone else gets 403 on a list);
a record outside the reader's area is a 404, for every role (the gates of queries/plans.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST, require_safe

from kangyang.accounts import scope
from kangyang.regions import codes
from kangyang.regions.models import Region
from kangyang.visits import actions, queries
from kangyang.visits.actions.plans import visitors_of
from kangyang.visits.forms import (
    AssignForm, CancelForm, EndPairingForm, MakePlanForm, PairingForm, PlaceForm, PlanFilterForm, TierForm,
)
from kangyang.visits.models import CareVisit

LINES_PER_PAGE = 100


def _planner(request: HttpRequest) -> None:
    if not scope.sees_visit_plans(request.user):
        raise PermissionDenied


def _place(request: HttpRequest, form_class=PlaceForm):
    """(form, region, month) of a page: a region outside the reader's area is a 404; a malformed
    value falls back to the reader's own area and this month."""
    asked = request.GET.get("region", "")
    if asked and not scope.in_area(request.user, asked) and Region.objects.filter(code=asked).exists():
        raise Http404
    form = form_class(request.GET or None, user=request.user)
    region, month = form.place()
    if region is None or not scope.in_area(request.user, region.code):
        raise Http404
    return form, region, month


def _refusal(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (a local address only)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


# -- the plan -----------------------------------------------------------------------------------------

@login_required
@require_safe
def plan(request: HttpRequest) -> HttpResponse:
    """A region's plan for a month: who, tier, due by, proposed and assigned visitor, status."""
    _planner(request)
    form, region, month = _place(request, PlanFilterForm)
    status = form.cleaned_data.get("status", "") if form.is_bound and form.is_valid() else ""
    every = queries.plan_for(request.user, month=month, region_code=region.code)
    lines = every.filter(status=status) if status else every
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    pools: dict[str, list] = {}
    for line in page:
        if line.region_code not in pools:
            pools[line.region_code] = list(visitors_of(line.region_code))
        line.choices = pools[line.region_code]
    loads = dict(queries.visitor_loads(every))
    names = {u.pk: u.full_name or u.username for pool in pools.values() for u in pool}
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "visits/plan.html", {
        "form": form, "region": region, "month": month, "page_obj": page, "counts": queries.plan_counts(every),
        "loads": [(names.get(pk, pk), n) for pk, n in loads.items()], "querystring": query.urlencode(),
        "make_form": MakePlanForm(initial={"region": region.code, "month": month}, user=request.user),
        "can_plan": scope.plans_visits_of(request.user, region.code), "now": timezone.now(),
        "here": request.get_full_path(),
    })


@login_required
@require_POST
def make_plan(request: HttpRequest) -> HttpResponse:
    """The "make the plan" button: the month's lines for the region (idempotent)."""
    _planner(request)
    form = MakePlanForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
        return redirect("visits:plan")
    code, month = form.cleaned_data["region"], form.cleaned_data["month"]
    if not scope.plans_visits_of(request.user, code):
        raise PermissionDenied
    actions.refresh_profiles(region_code=codes.prefix(code))
    made = actions.make_monthly_plan(month, region_code=codes.prefix(code), by=request.user)
    messages.success(request, ngettext("%(n)d visit added to the plan.", "%(n)d visits added to the plan.",
                                       made.created) % {"n": made.created})
    return redirect(f"{reverse('visits:plan')}?{urlencode({'region': code, 'month': month.strftime('%Y-%m')})}")


@login_required
@require_POST
def assign(request: HttpRequest, due_id: int) -> HttpResponse:
    due = queries.get_visit_due_for(request.user, due_id, write=True)
    form = AssignForm(request.POST, visitors=visitors_of(due.region_code))
    if form.is_valid():
        try:
            actions.assign_visitor(due, visitor=form.cleaned_data["visitor"], by=request.user)
            messages.success(request, _("The visit of %(name)s is given to %(visitor)s.") % {
                "name": due.elder.name, "visitor": due.visitor.full_name or due.visitor.username})
        except ValidationError as e:
            messages.error(request, _refusal(e))
    else:
        messages.error(request, _("Choose a visitor of the elder's community."))
    return _back(request, reverse("visits:plan"))


@login_required
@require_POST
def cancel(request: HttpRequest, due_id: int) -> HttpResponse:
    due = queries.get_visit_due_for(request.user, due_id, write=True)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            actions.cancel_visit_due(due, note=form.cleaned_data["note"], by=request.user)
            messages.success(request, _("The visit of %(name)s is cancelled.") % {"name": due.elder.name})
        except ValidationError as e:
            messages.error(request, _refusal(e))
    else:
        messages.error(request, _("Say why the visit is cancelled."))
    return _back(request, reverse("visits:plan"))


@login_required
@require_safe
def overdue(request: HttpRequest) -> HttpResponse:
    """Open visits past their time, of any month, in the region."""
    _planner(request)
    form, region, _month = _place(request)
    lines = queries.overdue_for(request.user, region_code=region.code)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "visits/overdue.html", {"form": form, "region": region, "page_obj": page,
                                                   "querystring": query.urlencode()})


# -- the rate ---------------------------------------------------------------------------------------

@login_required
@require_safe
def rate(request: HttpRequest) -> HttpResponse:
    """The monthly visit rate of a region and of each region one level down, with links down
    the tree and to the unvisited elders."""
    _planner(request)
    form, region, month = _place(request)
    tree = queries.rate_tree(region.code, month)
    whole = tree.get(region.code)
    level = codes.level_of(region.code)
    rows = []
    if level != "community":
        below = codes.LEVELS[codes.LEVELS.index(level) + 1]
        figures = {code: f for code, f in tree.items() if codes.level_of(code) == below}
        for child in Region.objects.filter(parent=region).order_by("code"):
            rows.append({"region": child, "figure": figures.get(child.code)})
    return render(request, "visits/rate.html", {
        "form": form, "region": region, "month": month, "whole": whole, "rows": rows,
        "month_key": month.strftime("%Y-%m"),
    })


@login_required
@require_safe
def unvisited(request: HttpRequest) -> HttpResponse:
    """The drill-down: the elders due in the month and not visited, in the reader's area."""
    _planner(request)
    form, region, month = _place(request)
    elders = (queries.unvisited_for(request.user, region_code=region.code, month=month)
              .annotate(last_visit=Max("care_visits__started_at", filter=Q(care_visits__status=CareVisit.Status.DONE)))
              .order_by("region_code", "name", "pk"))
    page = Paginator(elders, LINES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "visits/unvisited.html", {
        "form": form, "region": region, "month": month, "page_obj": page, "querystring": query.urlencode(),
        "month_key": month.strftime("%Y-%m"),
    })


# -- an elder's visit profile ----------------------------------------------------------------------

@login_required
@require_safe
def profile(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = queries.get_elder_for(request.user, elder_id)
    page = queries.profile_page(elder)
    can = scope.plans_visits_of(request.user, elder.region_code)
    prof = page["profile"]
    return render(request, "visits/profile.html", {
        "elder": elder, **page, "can_plan": can,
        "tier_form": TierForm(initial={"tier": prof.override_tier_id, "reason": prof.override_reason}),
        "pairing_form": PairingForm(helpers=visitors_of(elder.region_code)),
        "end_form": EndPairingForm(initial={"ended_on": timezone.localdate()}),
    })


@login_required
@require_POST
def set_tier(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    form = TierForm(request.POST)
    if form.is_valid():
        try:
            actions.override_tier(elder, tier=form.cleaned_data["tier"], reason=form.cleaned_data["reason"],
                                  by=request.user)
            messages.success(request, _("The visit tier is saved."))
        except ValidationError as e:
            messages.error(request, _refusal(e))
    else:
        messages.error(request, _("Say why the tier is set by hand."))
    return redirect("visits:profile", elder_id=elder.pk)


@login_required
@require_POST
def add_pairing(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    form = PairingForm(request.POST, helpers=visitors_of(elder.region_code))
    if form.is_valid():
        try:
            actions.create_pairing(elder, by=request.user, **form.cleaned_data)
            messages.success(request, _("The pairing is recorded."))
        except ValidationError as e:
            messages.error(request, _refusal(e))
    else:
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
    return redirect("visits:profile", elder_id=elder.pk)


@login_required
@require_POST
def end_pairing(request: HttpRequest, pairing_id: int) -> HttpResponse:
    pairing = queries.get_pairing_for(request.user, pairing_id, write=True)
    form = EndPairingForm(request.POST)
    if form.is_valid():
        try:
            actions.end_pairing(pairing, ended_on=form.cleaned_data["ended_on"], by=request.user)
            messages.success(request, _("The pairing is ended."))
        except ValidationError as e:
            messages.error(request, _refusal(e))
    else:
        messages.error(request, _("Enter the day the pairing ends."))
    return redirect("visits:profile", elder_id=pairing.elder_id)


