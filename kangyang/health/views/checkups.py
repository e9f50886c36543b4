"""Pages of the yearly check-up of the 65+: who is due (with the community worker's Excel
export), the rate per community for a year, the check-up form and the health record's link to
the health centre's system. Every page that shows elders' health data is audited for staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kangyang.accounts import scope
from kangyang.health import exports_checkups
from kangyang.health.actions import checkups as actions
from kangyang.health.forms.checkups import CheckupForm, DueFilterForm, EhrForm
from kangyang.health.models import Checkup
from kangyang.health.queries import checkups as queries
from kangyang.lib.forms import add_errors
from kangyang.regions.models import Region
from kangyang.registry.models import Elder, HealthRecord
from kangyang.health.actions import audit_read as health_audit_read

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
EXPORT_FILENAME = "待体检老年人"


def _follower(request):
    if not scope.follows_checkups(request.user):
        raise PermissionDenied
    return request.user


def _communities(user):
    followed = Elder.objects.filter(scope.checkup_panel_filter(user)).values("community_id")
    return Region.objects.filter(pk__in=followed).order_by("code")


def _audit_list(user, verb: str, **changes) -> None:
    health_audit_read(user, verb=verb, changes=changes)


@login_required
@require_safe
def due(request):
    user = _follower(request)
    form = DueFilterForm(request.GET or None, communities=_communities(user))
    filters = form.filters()
    page = Paginator(queries.due_for(user, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    _audit_list(user, "checkup.due_list", n=len(page.object_list), filter={k: str(v) for k, v in filters.items() if v})
    return render(request, "health/checkups/due.html", {
        "tab": "checkups", "form": form, "page_obj": page, "year": filters["year"], "today": timezone.localdate(),
        "querystring": urlencode({k: v for k, v in filters.items() if v}),
        "can_export": scope.exports_checkups_due(user),
    })


@login_required
@require_safe
def due_export(request):
    user = _follower(request)
    if not scope.exports_checkups_due(user):
        raise PermissionDenied
    filters = DueFilterForm(request.GET or None, communities=_communities(user)).filters()
    data = exports_checkups.export_due_xlsx(queries.due_for(user, **filters), by=user, filters=filters)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{EXPORT_FILENAME}-{filters['year']}-{timezone.localdate():%Y%m%d}.xlsx")
    return response


@login_required
@require_safe
def rates(request):
    user = _follower(request)
    form = DueFilterForm(request.GET or None)
    year = form.filters()["year"]
    rows = queries.rates_for(user, year=year)
    return render(request, "health/checkups/rates.html", {
        "tab": "checkups", "year": year, "rows": rows, "totals": queries.totals(rows),
        "as_of": queries.as_of_for(year), "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    })


def _elder_for(user, elder_id: int) -> Elder:
    """An elder whose health data the user reads (else 404) and whose check-ups she records (else 403)."""
    elder = get_object_or_404(Elder.objects.filter(scope.health_filter(user)).select_related("community"),
                              pk=elder_id)
    if not scope.records_health_facts(user, elder):
        raise PermissionDenied
    return elder


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_checkup(request, elder_id: int):
    elder = _elder_for(request.user, elder_id)
    year = timezone.localdate().year
    existing = Checkup.objects.filter(elder=elder, year=year).first()
    if request.method == "POST":
        form = CheckupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_checkup(elder, by=request.user, examined_on=data["examined_on"], parts=data["parts"],
                                       self_care_score=data["self_care_score"], figures=form.figures(),
                                       findings=data["findings"])
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("The check-up is recorded."))
                return redirect("health:checkup_record", elder_id=elder.pk)
    else:
        form = CheckupForm(initial=CheckupForm.initial_for(existing))
    health = HealthRecord.objects.filter(elder=elder).first()
    ehr_form = EhrForm(initial={"ehr_number": health.ehr_number if health else "",
                                "ehr_opened_on": health.ehr_opened_on if health else None})
    section = queries.elder_section(request.user, elder)
    _audit_elder(request.user, elder)
    return render(request, "health/checkups/form.html", {
        "tab": "checkups", "elder": elder, "form": form, "ehr_form": ehr_form, "existing": existing,
        "section": section, "age": elder.age(),
    })


def _audit_elder(user, elder: Elder) -> None:
    health_audit_read(user, elder, verb="checkup.read")


@login_required
@require_POST
def record_ehr(request, elder_id: int):
    elder = _elder_for(request.user, elder_id)
    form = EhrForm(request.POST)
    if form.is_valid():
        try:
            actions.record_ehr(elder, by=request.user, ehr_number=form.cleaned_data["ehr_number"],
                               ehr_opened_on=form.cleaned_data["ehr_opened_on"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The health record number is saved."))
            return redirect("health:checkup_record", elder_id=elder.pk)
    existing = Checkup.objects.filter(elder=elder, year=timezone.localdate().year).first()
    _audit_elder(request.user, elder)
    return render(request, "health/checkups/form.html", {
        "tab": "checkups", "elder": elder, "form": CheckupForm(initial=CheckupForm.initial_for(existing)),
        "ehr_form": form, "existing": existing, "section": queries.elder_section(request.user, elder),
        "age": elder.age(),
    }, status=422)


urlpatterns = [
    path("checkups/", due, name="checkups_due"),
    path("checkups/due.xlsx", due_export, name="checkups_due_export"),
    path("checkups/rates/", rates, name="checkups_rates"),
    path("elders/<int:elder_id>/checkup/", record_checkup, name="checkup_record"),
    path("elders/<int:elder_id>/ehr/", record_ehr, name="checkup_ehr"),
]
