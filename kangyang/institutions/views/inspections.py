"""Pages of random inspections (双随机、一公开): the overview (plans, pools, inspections due,
institutions not inspected on site this year), a pool, a plan with its draw, an inspector's own
inspections (their landing page) and the inspection form (the checklist on a phone or tablet).

Parse, gate, act, render: the rules are in actions/inspections.py and scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.accounts.models import Organisation, User
from kangyang.institutions import inspections as rules
from kangyang.institutions.actions import inspections as actions
from kangyang.institutions.forms.inspections import (
    AdhocForm, AnswerForm, ConflictForm, DrawForm, FinishForm, MemberForm, PlanForm, PoolForm,
)
from kangyang.institutions.models import Conflict, Hazard, Institution
from kangyang.institutions.queries import inspections as queries
from kangyang.lib.forms import add_errors
from kangyang.regions.models import Region


def _gate(request) -> None:
    if not scope.can_open(request.user, "institutions"):
        raise PermissionDenied


def _area(user) -> Region | None:
    """The region a bureau admin manages inspections of (their own node)."""
    return user.region if user.region_id and scope.manages_inspections_of(user, user.region.code) else None


def _refusal(e: ValidationError) -> str:
    return " ".join(e.messages)


def _inspectors_of(region_code: str):
    users = User.objects.filter(role=User.Role.INSPECTOR, is_active=True, region__isnull=False).select_related("region")
    return User.objects.filter(pk__in=[u.pk for u in users if scope.may_be_drawn_for(u, region_code)]).order_by(
        "full_name", "username")


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _gate(request)
    user = request.user
    area = _area(user)
    year = timezone.localdate().year
    pools = queries.pools_for(user)
    context = {
        "plans": queries.plans_for(user)[:50],
        "pools": pools,
        "due": queries.due_soon(user)[:100],
        "not_inspected": queries.not_inspected_on_site(user, year=year)[:200],
        "year": year,
        "area": area,
        "is_inspector": user.role == User.Role.INSPECTOR,
    }
    if area:
        context["pool_form"] = PoolForm()
        context["plan_form"] = PlanForm(pools=pools, initial={"year": year, "inspectors_per_target": 2})
        context["adhoc_form"] = AdhocForm(institutions=Institution.objects.visible_to(user).open(),
                                          inspectors=_inspectors_of(area.code))
    return render(request, "institutions/inspections/overview.html", context)


@login_required
@require_POST
def pool_create(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = _area(request.user)
    if area is None:
        raise PermissionDenied
    form = PoolForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the pool a name."))
        return redirect("institutions:inspections")
    pool = actions.create_pool(by=request.user, name=form.cleaned_data["name"], region=area)
    return redirect("institutions:inspections_pool", pool.pk)


@login_required
def pool_detail(request: HttpRequest, pool_id: int) -> HttpResponse:
    _gate(request)
    pool = queries.get_pool_for(request.user, pool_id)
    manages = scope.manages_inspections_of(request.user, pool.region_code)
    members = pool.inspectors.order_by("full_name", "username")
    conflicts = Conflict.objects.filter(inspector__in=members).select_related("inspector", "organisation").order_by(
        "inspector__full_name", "organisation__name")
    context = {"pool": pool, "members": members, "conflicts": conflicts, "manages": manages}
    if manages:
        candidates = _inspectors_of(pool.region_code).exclude(pk__in=members.values("pk"))
        context["member_form"] = MemberForm(inspectors=candidates)
        context["conflict_form"] = ConflictForm(
            inspectors=members, organisations=Organisation.objects.filter(
                institutions__region_code__startswith=pool.region.prefix).distinct().order_by("name"))
    return render(request, "institutions/inspections/pool.html", context)


@login_required
@require_POST
def pool_change(request: HttpRequest, pool_id: int, step: str) -> HttpResponse:
    """Add or remove an inspector, publish the pool, declare a conflict of interest."""
    _gate(request)
    pool = queries.get_pool_for(request.user, pool_id, write=True)
    try:
        if step == "publish":
            actions.publish_pool(pool, by=request.user)
            messages.success(request, _("The pool is published."))
        elif step in ("add", "remove"):
            inspectors = _inspectors_of(pool.region_code) if step == "add" else pool.inspectors.all()
            form = MemberForm(request.POST, inspectors=inspectors)
            if not form.is_valid():
                messages.error(request, _("Choose an inspector."))
            elif step == "add":
                actions.add_inspector(pool, by=request.user, inspector=form.cleaned_data["inspector"])
            else:
                actions.remove_inspector(pool, by=request.user, inspector=form.cleaned_data["inspector"])
        elif step == "conflict":
            form = ConflictForm(request.POST, inspectors=pool.inspectors.all(),
                                organisations=Organisation.objects.all())
            if not form.is_valid():
                messages.error(request, _("Choose the inspector and the organisation, and say why."))
            else:
                actions.declare_conflict(by=request.user, **form.cleaned_data)
                messages.success(request, _("The conflict of interest is recorded."))
    except ValidationError as e:
        messages.error(request, _refusal(e))
    return redirect("institutions:inspections_pool", pool.pk)


@login_required
@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = _area(request.user)
    if area is None:
        raise PermissionDenied
    form = PlanForm(request.POST, pools=queries.pools_for(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
        return redirect("institutions:inspections")
    try:
        plan = actions.create_plan(by=request.user, region=area, **form.cleaned_data)
    except ValidationError as e:
        messages.error(request, _refusal(e))
        return redirect("institutions:inspections")
    return redirect("institutions:inspections_plan", plan.pk)


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    _gate(request)
    plan = queries.get_plan_for(request.user, plan_id)
    users = {u.pk: u for u in User.objects.filter(pk__in=plan.inspector_pool or plan.pool.inspectors.values("pk"))}
    institutions = {i.pk: i for i in Institution.objects.filter(pk__in=[r["institution"] for r in plan.result])}
    inspections = {i.institution_id: i for i in plan.inspections.all()}
    result = [{"institution": institutions.get(r["institution"]), "institution_id": r["institution"],
               "inspectors": [users.get(u) for u in r["inspectors"]], "inspection": inspections.get(r["institution"])}
              for r in plan.result]
    due = sum(1 for t in plan.target_pool if t.get("due"))
    return render(request, "institutions/inspections/plan.html", {
        "plan": plan, "result": result, "pool_members": [users[pk] for pk in sorted(users)],
        "target_total": len(plan.target_pool), "target_due": due, "counts": queries.plan_counts(plan),
        "manages": scope.manages_inspections_of(request.user, plan.region_code), "draw_form": DrawForm(),
    })


@login_required
@require_POST
def plan_change(request: HttpRequest, plan_id: int, step: str) -> HttpResponse:
    _gate(request)
    plan = queries.get_plan_for(request.user, plan_id, write=True)
    try:
        if step == "draw":
            form = DrawForm(request.POST)
            seed = form.cleaned_data["seed"] if form.is_valid() else ""
            plan = actions.draw_plan(plan, by=request.user, seed=seed)
            messages.success(request, _("Drawn with the seed %(seed)s.") % {"seed": plan.seed})
        elif step == "publish":
            actions.publish_plan(plan, by=request.user)
            messages.success(request, _("The plan and its draw are published."))
    except ValidationError as e:
        messages.error(request, _refusal(e))
    return redirect("institutions:inspections_plan", plan.pk)


@login_required
@require_POST
def adhoc_create(request: HttpRequest) -> HttpResponse:
    _gate(request)
    area = _area(request.user)
    if area is None:
        raise PermissionDenied
    form = AdhocForm(request.POST, institutions=Institution.objects.visible_to(request.user).open(),
                     inspectors=_inspectors_of(area.code))
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
        return redirect("institutions:inspections")
    try:
        inspection = actions.create_inspection(
            by=request.user, institution=form.cleaned_data["institution"],
            inspectors=list(form.cleaned_data["inspectors"]), due_by=form.cleaned_data["due_by"],
            on_site=form.cleaned_data["on_site"])
    except ValidationError as e:
        messages.error(request, _refusal(e))
        return redirect("institutions:inspections")
    return redirect("institutions:inspections_detail", inspection.pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """An inspector's own inspections: to do first, by due date; then the finished ones."""
    _gate(request)
    inspections = list(queries.my_inspections(request.user)[:200])
    return render(request, "institutions/inspections/mine.html", {
        "todo": [i for i in inspections if i.status != "done"],
        "done": [i for i in inspections if i.status == "done"],
        "today": timezone.localdate(),
    })


@login_required
def detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    _gate(request)
    inspection = queries.get_inspection_for(request.user, inspection_id)
    return _render_detail(request, inspection)


def _render_detail(request, inspection, *, failed: dict | None = None, finish_form=None, status=200):
    works = scope.works_on_inspection(request.user, inspection) and inspection.status != "done"
    answers = {a.item: a for a in inspection.answers.all()}
    hazards = {h.item: h for h in Hazard.objects.filter(inspection=inspection)}
    sections = []
    for section in rules.CHECKLIST:
        lines = []
        for item in section.items:
            answer = answers.get(item.code)
            form = (failed or {}).get(item.code)
            if form is None and works:
                form = AnswerForm(initial={"item": item.code, "result": answer.result if answer else "",
                                           "note": answer.note if answer else ""}, prefix=item.code)
            lines.append({"item": item, "answer": answer, "hazard": hazards.get(item.code), "form": form})
        sections.append({"section": section, "lines": lines})
    return render(request, "institutions/inspections/detail.html", {
        "inspection": inspection, "sections": sections, "works": works,
        "answered": len(answers), "total": len(rules.ITEMS),
        "finish_form": finish_form or (FinishForm() if works else None),
        "may_publish": inspection.status == "done" and inspection.published_at is None
        and scope.may_publish_inspection(request.user, inspection),
        "inspectors": inspection.inspectors.order_by("full_name"),
    }, status=status)


@login_required
@require_POST
def answer(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """One checklist item (each item is its own small form, saved on its own on a phone)."""
    _gate(request)
    inspection = queries.get_inspection_for(request.user, inspection_id, work=True)
    item = request.POST.get("item", "")
    form = AnswerForm(request.POST, request.FILES, prefix=item if item in rules.ITEMS else None)
    if item not in rules.ITEMS or not form.is_valid():
        if item in rules.ITEMS:
            return _render_detail(request, inspection, failed={item: form}, status=422)
        messages.error(request, _("Unknown checklist item."))
        return redirect("institutions:inspections_detail", inspection.pk)
    data = form.cleaned_data
    try:
        actions.answer_item(inspection, by=request.user, item=item, result=data["result"], note=data["note"],
                            photo=data["photo"], severity=data["severity"],
                            responsible_person=data["responsible_person"], deadline=data["deadline"],
                            evidence_required=data["evidence_required"])
    except ValidationError as e:
        add_errors(form, e)
        return _render_detail(request, inspection, failed={item: form}, status=422)
    return redirect(f"{reverse('institutions:inspections_detail', args=[inspection.pk])}#item-{item}")


@login_required
@require_POST
def finish(request: HttpRequest, inspection_id: int) -> HttpResponse:
    _gate(request)
    inspection = queries.get_inspection_for(request.user, inspection_id, work=True)
    form = FinishForm(request.POST)
    if form.is_valid():
        try:
            actions.finish_inspection(inspection, by=request.user, **form.cleaned_data)
            messages.success(request, _("The inspection is finished."))
            return redirect("institutions:inspections_detail", inspection.pk)
        except ValidationError as e:
            form.add_error(None, e.messages)
    return _render_detail(request, inspection, finish_form=form, status=422)


@login_required
@require_POST
def publish(request: HttpRequest, inspection_id: int) -> HttpResponse:
    _gate(request)
    inspection = queries.get_inspection_for(request.user, inspection_id)
    if not scope.may_publish_inspection(request.user, inspection):
        raise PermissionDenied
    try:
        actions.publish_inspection(inspection, by=request.user)
        messages.success(request, _("The result is published."))
    except ValidationError as e:
        messages.error(request, _refusal(e))
    return redirect("institutions:inspections_detail", inspection.pk)


urlpatterns = [
    path("inspections/", overview, name="inspections"),
    path("inspections/mine/", mine, name="inspections_mine"),
    path("inspections/pools/new/", pool_create, name="inspections_pool_create"),
    path("inspections/pools/<int:pool_id>/", pool_detail, name="inspections_pool"),
    *[path(f"inspections/pools/<int:pool_id>/{step}/", pool_change, {"step": step}, name=f"inspections_pool_{step}")
      for step in ("add", "remove", "publish", "conflict")],
    path("inspections/plans/new/", plan_create, name="inspections_plan_create"),
    path("inspections/plans/<int:plan_id>/", plan_detail, name="inspections_plan"),
    *[path(f"inspections/plans/<int:plan_id>/{step}/", plan_change, {"step": step}, name=f"inspections_plan_{step}")
      for step in ("draw", "publish")],
    path("inspections/new/", adhoc_create, name="inspections_adhoc"),
    path("inspections/<int:inspection_id>/", detail, name="inspections_detail"),
    path("inspections/<int:inspection_id>/answer/", answer, name="inspections_answer"),
    path("inspections/<int:inspection_id>/finish/", finish, name="inspections_finish"),
    path("inspections/<int:inspection_id>/publish/", publish, name="inspections_publish"),
]
