"""Pages: operating subsidies for institutions (/institutions/subsidies/) — the rolls of the
districts a bureau admin runs, making a roll, a roll's lines, approving it and marking it
paid, its sheet, and the rates. Rules: actions/subsidies.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.institutions.actions import subsidies as actions
from kangyang.assessment.standard import LEVEL_NAMES
from kangyang.institutions.forms.subsidies import RateForm, RollForm
from kangyang.institutions.queries import subsidies as queries

ROLLS_PER_PAGE = 24
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bureau(user) -> None:
    if not (scope.can_open(user, "institutions") and (user.role == "bureau_admin" or user.is_superuser)):
        raise PermissionDenied


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def subsidy_home(request):
    _bureau(request.user)
    districts = queries.districts_for(request.user)
    form = RollForm(districts=districts, initial={"month": timezone.localdate().replace(day=1)})
    rolls = Paginator(queries.rolls_for(request.user).order_by("-month", "region_code"), ROLLS_PER_PAGE)
    rates = queries.rates_for(request.user).order_by("region_code", "kind", "care_level", "-valid_from")[:200]
    return render(request, "institutions/subsidies.html", {
        "form": form, "page_obj": rolls.get_page(request.GET.get("page")), "rates": rates,
        "can_make": bool(districts), "can_rate": bool(queries.rate_regions_for(request.user)),
    })


@login_required
@require_POST
def make_roll(request):
    _bureau(request.user)
    form = RollForm(request.POST, districts=queries.districts_for(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
        return redirect("institutions:subsidies")
    try:
        roll = actions.generate_roll(form.cleaned_data["district"], form.cleaned_data["month"], request.user)
    except ValidationError as e:
        messages.error(request, _refusal(e))
        return redirect("institutions:subsidies")
    messages.success(request, _("The roll is made: %(n)s lines, %(total)s yuan.") % {
        "n": roll.line_count, "total": roll.total})
    return redirect("institutions:subsidy_roll", roll.pk)


@login_required
def roll_detail(request, roll_id: int):
    roll = queries.get_roll_for(request.user, roll_id)
    lines = list(queries.lines_of(roll))
    for line in lines:
        line.level_words = (_("not assessed") if line.care_level is None
                            else str(LEVEL_NAMES.get(line.care_level, (line.care_level,))[0]))
    may = scope.manages_subsidies_of(request.user, roll.region_code)
    return render(request, "institutions/subsidies_roll.html", {
        "roll": roll, "lines": lines, "may": may, "by_kind": queries.totals_by_kind(roll),
    })


def _step(request, roll_id: int, step, done: str):
    roll = queries.get_roll_for(request.user, roll_id)
    try:
        step(roll, request.user)
    except ValidationError as e:
        messages.error(request, _refusal(e))
    else:
        messages.success(request, done)
    return redirect("institutions:subsidy_roll", roll.pk)


@login_required
@require_POST
def approve(request, roll_id: int):
    return _step(request, roll_id, actions.approve_roll, _("The roll is approved."))


@login_required
@require_POST
def paid(request, roll_id: int):
    return _step(request, roll_id, actions.mark_paid, _("The roll is marked paid."))


@login_required
@require_POST
def remake(request, roll_id: int):
    roll = queries.get_roll_for(request.user, roll_id)
    try:
        actions.generate_roll(roll.region, roll.month, request.user)
    except ValidationError as e:
        messages.error(request, _refusal(e))
    else:
        messages.success(request, _("The roll is made again from the records."))
    return redirect("institutions:subsidy_roll", roll.pk)


@login_required
def export(request, roll_id: int):
    roll = queries.get_roll_for(request.user, roll_id)
    data = actions.roll_xlsx(roll, by=request.user)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="subsidy-roll-{roll.region_code}-{roll.month:%Y-%m}.xlsx"'
    return response


@login_required
def add_rate(request):
    _bureau(request.user)
    regions = queries.rate_regions_for(request.user)
    if not regions:
        raise PermissionDenied
    form = RateForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_rate(by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("The rate is added."))
            return redirect("institutions:subsidies")
    return render(request, "institutions/subsidies_rate.html", {"form": form})


urlpatterns = [
    path("subsidies/", subsidy_home, name="subsidies"),
    path("subsidies/make/", make_roll, name="subsidy_make"),
    path("subsidies/rates/add/", add_rate, name="subsidy_rate_add"),
    path("subsidies/<int:roll_id>/", roll_detail, name="subsidy_roll"),
    path("subsidies/<int:roll_id>/approve/", approve, name="subsidy_approve"),
    path("subsidies/<int:roll_id>/paid/", paid, name="subsidy_paid"),
    path("subsidies/<int:roll_id>/remake/", remake, name="subsidy_remake"),
    path("subsidies/<int:roll_id>/roll.xlsx", export, name="subsidy_export"),
]
