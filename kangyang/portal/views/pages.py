from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.lib.forms import add_errors
from kangyang.allowances import actions as allowances
from kangyang.allowances.models import SurvivalCheck
from kangyang.portal.forms import SurvivalPhotoForm
from kangyang.portal.queries import own_elders, own_page_for, survival_checks_of


def _own_page_only(request: HttpRequest) -> None:
    if not scope.has_own_page(request.user):
        raise PermissionDenied


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The elder's or family member's own page: orders, alarms and allowances of their elders."""
    _own_page_only(request)
    return render(request, "portal/home.html", {"summaries": own_page_for(request.user)})


@login_required
def survival(request: HttpRequest) -> HttpResponse:
    """Send a photo for the yearly survival certification; the community worker reviews it.
    Parse, act (allowances.record_survival_check decides whose photo may be sent), render."""
    _own_page_only(request)
    elders = own_elders(request.user)
    form = SurvivalPhotoForm(request.POST or None, request.FILES or None, elders=elders)
    if request.method == "POST" and form.is_valid():
        elder = next(e for e in elders if e.pk == form.cleaned_data["elder"])
        try:
            allowances.record_survival_check(
                elder, by=request.user, method=SurvivalCheck.Method.PHOTO, checked_on=timezone.localdate(),
                evidence=form.cleaned_data["note"], photo=form.cleaned_data["photo"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Thank you: the photo is sent. Your community worker will review it."))
            return redirect("portal:survival")
    return render(request, "portal/survival.html", {
        "form": form, "elders": elders, "checks": survival_checks_of(request.user, elders),
    })
