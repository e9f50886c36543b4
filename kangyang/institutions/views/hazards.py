"""Pages: hazards. One page with the three lists as tabs — 隐患清单 (hazards by institution,
severity and status), 整改清单 (what to put right by when, with what evidence), 责任清单 (who
answers for each) — a hazard's page with its photos, the report that it was put right and
the re-check; photos streamed only to those who may see the hazard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.institutions.actions import hazards as actions
from kangyang.institutions.forms.hazards import LIST_LABELS, HazardFilterForm, RecheckForm, RectifyForm
from kangyang.institutions.files import photo_response
from kangyang.institutions.queries import hazards as queries
from kangyang.lib.forms import add_errors


def _may_open(user) -> bool:
    return scope.can_open(user, "institutions") or (user.role == scope.R.PROVIDER_MANAGER
                                                     and user.organisation_id is not None)


@login_required
def hazard_list(request):
    if not _may_open(request.user):
        raise PermissionDenied
    form = HazardFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    which = data.get("list") or "hazards"
    today = timezone.localdate()
    hazards = queries.hazards_for(request.user, institution=data.get("institution"), status=data.get("status", ""),
                                  severity=data.get("severity", ""),
                                  overdue={"yes": True, "no": False}.get(data.get("overdue") or ""), today=today)
    if which == "responsibility":
        hazards = hazards.order_by("institution__name", "responsible_person", "deadline", "id")
    elif which == "hazards":
        hazards = hazards.order_by("institution__name", "status", "deadline", "id")
    page = Paginator(hazards, 50).get_page(request.GET.get("page"))
    for hazard in page:
        hazard.days_late = queries.days_overdue(hazard, today)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("list", None)
    return render(request, "institutions/hazards.html", {
        "form": form, "page_obj": page, "which": which, "lists": LIST_LABELS.items(), "query": query.urlencode(),
        "counts": queries.counts_for(request.user, today),
    })


def _detail(request, hazard, *, rectify_form=None, recheck_form=None, status=200):
    hazard.days_late = queries.days_overdue(hazard)
    return render(request, "institutions/hazards_detail.html", {
        "hazard": hazard, "photos": hazard.photos.all(),
        "may_rectify": hazard.status == hazard.Status.OPEN and scope.may_rectify_hazard(request.user, hazard),
        "may_recheck": hazard.status == hazard.Status.RECTIFIED and scope.may_recheck_hazard(request.user, hazard),
        "rectify_form": rectify_form or RectifyForm(), "recheck_form": recheck_form or RecheckForm(),
    }, status=status)


@login_required
def hazard_detail(request, hazard_id: int):
    return _detail(request, queries.get_hazard_for(request.user, hazard_id))


@login_required
@require_POST
def hazard_rectify(request, hazard_id: int):
    hazard = queries.get_hazard_for(request.user, hazard_id)
    if not scope.may_rectify_hazard(request.user, hazard):
        raise PermissionDenied
    form = RectifyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.rectify_hazard(hazard, by=request.user, text=form.cleaned_data["text"],
                                   photos=form.cleaned_data["photos"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Reported put right; it awaits the re-check."))
            return redirect("institutions:hazard", hazard_id=hazard.pk)
    return _detail(request, hazard, rectify_form=form, status=422)


@login_required
@require_POST
def hazard_recheck(request, hazard_id: int):
    hazard = queries.get_hazard_for(request.user, hazard_id)
    if not scope.may_recheck_hazard(request.user, hazard):
        raise PermissionDenied
    form = RecheckForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            hazard = actions.recheck_hazard(hazard, by=request.user, passed=form.cleaned_data["passed"],
                                            note=form.cleaned_data["note"], photos=form.cleaned_data["photos"],
                                            new_deadline=form.cleaned_data["deadline"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The hazard is closed.") if hazard.status == hazard.Status.CLOSED
                             else _("The hazard is back to be put right."))
            return redirect("institutions:hazard", hazard_id=hazard.pk)
    return _detail(request, hazard, recheck_form=form, status=422)


@login_required
def hazard_photo(request, photo_id: int):
    """The photo itself, to those who may see its hazard (never a public media address)."""
    return photo_response(queries.get_photo_for(request.user, photo_id))



urlpatterns = [
    path("hazards/", hazard_list, name="hazards"),
    path("hazards/<int:hazard_id>/", hazard_detail, name="hazard"),
    path("hazards/<int:hazard_id>/rectify/", hazard_rectify, name="hazard_rectify"),
    path("hazards/<int:hazard_id>/recheck/", hazard_recheck, name="hazard_recheck"),
    path("hazards/photos/<int:photo_id>/", hazard_photo, name="hazard_photo"),
]
