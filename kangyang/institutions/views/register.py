"""Pages: the register of institutions and facilities, an institution's page, its register
entry's forms, and its residents (admission, discharge, move, death). Rules are in
accounts.scope (`# -- register --` of scope/institutions.py) and actions/register.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.institutions import standards
from kangyang.institutions.actions import register as actions
from kangyang.institutions.forms import register as forms
from kangyang.institutions.models import Fee, Institution, Resident
from kangyang.institutions.queries import register as queries
from kangyang.lib.forms import add_errors
from kangyang.regions.models import Region

PER_PAGE = 50


def _require_register(user) -> None:
    if not scope.opens_register(user):
        raise PermissionDenied


def _subdistricts(user):
    prefix = scope.supervision_prefix(user)
    if prefix is None:
        return Region.objects.none()
    return Region.objects.filter(level=Region.Level.SUBDISTRICT, code__startswith=prefix).order_by("code")


@login_required
def institution_list(request):
    _require_register(request.user)
    form = forms.FilterForm(request.GET or None, subdistricts=_subdistricts(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    institutions = queries.register_for(request.user, kind=filters.get("kind", ""), region=filters.get("region", ""),
                                        q=filters.get("q", ""), flag=filters.get("flag", ""), today=today)
    page = Paginator(institutions, PER_PAGE).get_page(request.GET.get("page"))
    for institution in page.object_list:
        institution.flags = queries.flags_of(institution, today=today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "institutions/list.html", {
        "form": form, "page_obj": page, "institutions": page.object_list, "querystring": query.urlencode(),
        "threshold": queries.funds_threshold(), "can_register": scope.can_register_institutions(request.user),
    })


def _institution(request, institution_id: int) -> Institution:
    _require_register(request.user)
    return queries.get_institution_for(request.user, institution_id)


@login_required
def institution_detail(request, institution_id: int):
    institution = _institution(request, institution_id)
    keeps = scope.keeps_facts_of(request.user, institution)
    return render(request, "institutions/register_detail.html", {
        "institution": institution,
        "flags": queries.flags_of(institution),
        "expiring": queries.expiring_of(institution),
        "threshold": queries.funds_threshold(),
        "fees": institution.fees.all(),
        "staffing": institution.staffing.order_by("qualification"),
        "drills": institution.drills.all()[:20],
        "can_edit": scope.manages_register_of(request.user, institution.region_code),
        "keeps_facts": keeps,
        "sees_residents": scope.sees_residents_of(request.user, institution),
        "checks": standards.check(institution),  # institutions/_standards.html shows them
        "fee_form": forms.FeeForm(prefix="fee") if keeps else None,
        "staffing_form": forms.StaffingForm(prefix="staff") if keeps else None,
        "drill_form": forms.DrillForm(prefix="drill") if keeps else None,
        "funds_form": forms.FundsForm(prefix="funds", initial={
            "prepaid_balance": institution.prepaid_balance, "deposits_held": institution.deposits_held}) if keeps else None,
    })


@login_required
def institution_create(request):
    _require_register(request.user)
    if not scope.can_register_institutions(request.user):
        raise PermissionDenied
    prefix = scope.area_prefix(request.user) or ""
    form = forms.InstitutionForm(request.POST or None, prefix_code=prefix)
    if request.method == "POST" and form.is_valid():
        try:
            institution = actions.register_institution(by=request.user, **form.values())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The institution is registered."))
            return redirect("institutions:detail", institution.pk)
    return render(request, "institutions/register_form.html", {"form": form, "institution": None})


@login_required
def institution_edit(request, institution_id: int):
    institution = _institution(request, institution_id)
    if not scope.manages_register_of(request.user, institution.region_code):
        raise PermissionDenied
    plain = Institution.objects.get(pk=institution.pk)
    form = forms.InstitutionForm(request.POST or None, instance=plain, prefix_code=scope.area_prefix(request.user) or "")
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_institution(Institution.objects.get(pk=institution.pk), by=request.user, **form.values())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The register entry is saved."))
            return redirect("institutions:detail", institution.pk)
    return render(request, "institutions/register_form.html", {"form": form, "institution": institution})


def _fact(request, institution_id: int, form_class, prefix: str, save):
    institution = _institution(request, institution_id)
    if not scope.keeps_facts_of(request.user, institution):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES, prefix=prefix) if form_class is forms.DrillForm else form_class(
        request.POST, prefix=prefix)
    if form.is_valid():
        try:
            save(institution, form.cleaned_data)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Saved."))
    else:
        for field, errors in form.errors.items():
            for m in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {m}" if label else m)
    return redirect("institutions:detail", institution.pk)


@login_required
@require_POST
def add_fee(request, institution_id: int):
    return _fact(request, institution_id, forms.FeeForm, "fee", lambda inst, d: actions.add_fee(
        inst, by=request.user, item=d["item"], price=d["price"], unit=d["unit"], note=d["note"]))


@login_required
@require_POST
def remove_fee(request, institution_id: int, fee_id: int):
    institution = _institution(request, institution_id)
    fee = get_object_or_404(Fee, pk=fee_id, institution=institution)
    if not scope.keeps_facts_of(request.user, institution):
        raise PermissionDenied
    actions.remove_fee(fee, by=request.user)
    messages.success(request, _("The fee is removed."))
    return redirect("institutions:detail", institution.pk)


@login_required
@require_POST
def set_staffing(request, institution_id: int):
    return _fact(request, institution_id, forms.StaffingForm, "staff", lambda inst, d: actions.set_staffing(
        inst, by=request.user, qualification=d["qualification"], count=d["count"]))


@login_required
@require_POST
def add_drill(request, institution_id: int):
    return _fact(request, institution_id, forms.DrillForm, "drill", lambda inst, d: actions.add_drill(
        inst, by=request.user, kind=d["kind"], held_on=d["held_on"], participants=d["participants"],
        record_text=d["record"], attachment=d.get("attachment")))


@login_required
@require_POST
def report_funds(request, institution_id: int):
    return _fact(request, institution_id, forms.FundsForm, "funds", lambda inst, d: actions.report_funds(
        Institution.objects.get(pk=inst.pk), by=request.user, prepaid_balance=d["prepaid_balance"],
        deposits_held=d["deposits_held"], on=d["on"]))


# -- residents ----------------------------------------------------------------------------------
def _residents_institution(request, institution_id: int) -> Institution:
    institution = get_object_or_404(Institution.objects.visible_to(request.user), pk=institution_id)
    if not scope.sees_residents_of(request.user, institution):
        raise PermissionDenied
    return institution


@login_required
def residents(request, institution_id: int):
    institution = _residents_institution(request, institution_id)
    keeps = scope.keeps_residents_of(request.user, institution)
    admit_form = forms.AdmitForm(prefix="admit") if keeps else None
    if request.method == "POST":
        if not keeps:
            raise PermissionDenied
        admit_form = forms.AdmitForm(request.POST, prefix="admit")
        if admit_form.is_valid():
            elder = queries.elder_by_id_number(admit_form.cleaned_data["id_number"])
            if elder is None:
                admit_form.add_error("id_number", _("No elder with this ID number can be admitted: check the number, or ask the community worker of her residence."))
            else:
                try:
                    actions.admit(institution, by=request.user, elder=elder,
                                  admitted_on=admit_form.cleaned_data["admitted_on"], bed=admit_form.cleaned_data["bed"])
                except ValidationError as exc:
                    add_errors(admit_form, exc)
                else:
                    messages.success(request, _("The elder is admitted."))
                    return redirect("institutions:residents", institution.pk)
    past = request.GET.get("past") == "1"
    stays = queries.residents_of(institution, current=not past)
    page = Paginator(stays, PER_PAGE).get_page(request.GET.get("page"))
    actions.audit_residents_read(request.user, institution, count=len(page.object_list), via="page")
    others = Institution.objects.visible_to(request.user).exclude(pk=institution.pk).order_by("name")
    for stay in page.object_list:
        stay.ended_by_registry = queries.ended_by_registry(stay)
    return render(request, "institutions/register_residents.html", {
        "institution": institution, "page_obj": page, "stays": page.object_list, "past": past,
        "keeps": keeps, "admit_form": admit_form, "querystring": "past=1" if past else "",
        "leave_form": forms.LeaveForm(institutions=others) if keeps else None,
        "occupied": queries.occupancy_of(institution),
        "wish_form": forms.WishForm(prefix="wish") if scope.can_edit(request.user, institution.region_code) else None,
    })


@login_required
@require_POST
def leave(request, institution_id: int, stay_id: int):
    institution = _residents_institution(request, institution_id)
    stay = get_object_or_404(Resident.objects.select_related("elder", "institution"), pk=stay_id, institution=institution)
    if not scope.keeps_residents_of(request.user, institution):
        raise PermissionDenied
    others = Institution.objects.visible_to(request.user).exclude(pk=institution.pk)
    form = forms.LeaveForm(request.POST, institutions=others)
    if not form.is_valid():
        for errors in form.errors.values():
            for m in errors:
                messages.error(request, m)
        return redirect("institutions:residents", institution.pk)
    data = form.cleaned_data
    try:
        if data["reason"] == Resident.Left.DIED:
            actions.record_death(stay, by=request.user, on=data["on"])
        elif data["reason"] == Resident.Left.TRANSFERRED:
            if data["to"] is None:
                raise ValidationError({"to": _("Choose the institution the elder moves to.")})
            actions.transfer(stay, by=request.user, to=data["to"], on=data["on"],
                             bed=Resident.Bed.HOME if data["to"].kind == Institution.Kind.HOME_CARE_BEDS
                             else Resident.Bed.GENERAL)
        else:
            actions.discharge(stay, by=request.user, on=data["on"])
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("The stay is ended."))
    return redirect("institutions:residents", institution.pk)


@login_required
@require_POST
def record_wish(request, institution_id: int):
    institution = _residents_institution(request, institution_id)
    form = forms.WishForm(request.POST, prefix="wish")
    if form.is_valid():
        elder = queries.elder_by_id_number(form.cleaned_data["id_number"])
        if elder is None or not elder.__class__.objects.visible_to(request.user).filter(pk=elder.pk).exists():
            messages.error(request, _("There is no elder with this ID number in your area."))
        else:
            try:
                actions.record_wish(elder, by=request.user, willing=form.cleaned_data["willing"])
            except ValidationError as exc:
                for m in exc.messages:
                    messages.error(request, m)
            else:
                messages.success(request, _("The wish is recorded."))
    else:
        messages.error(request, _("Enter the elder's 18-character ID number."))
    return redirect(reverse("institutions:residents", args=[institution.pk]))


urlpatterns = [
    path("", institution_list, name="list"),
    path("new/", institution_create, name="create"),
    path("<int:institution_id>/", institution_detail, name="detail"),
    path("<int:institution_id>/edit/", institution_edit, name="edit"),
    path("<int:institution_id>/fees/", add_fee, name="add_fee"),
    path("<int:institution_id>/fees/<int:fee_id>/remove/", remove_fee, name="remove_fee"),
    path("<int:institution_id>/staffing/", set_staffing, name="set_staffing"),
    path("<int:institution_id>/drills/", add_drill, name="add_drill"),
    path("<int:institution_id>/funds/", report_funds, name="report_funds"),
    path("<int:institution_id>/residents/", residents, name="residents"),
    path("<int:institution_id>/residents/<int:stay_id>/leave/", leave, name="leave"),
    path("<int:institution_id>/residents/wish/", record_wish, name="record_wish"),
]
