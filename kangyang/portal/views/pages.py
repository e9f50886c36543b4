from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.lib.cards import site
from kangyang.lib.forms import add_errors
from kangyang.allowances import actions as allowances
from kangyang.allowances.models import SurvivalCheck
from kangyang.portal.forms import SurvivalPhotoForm, new_msg_id
from kangyang.portal.queries import home_for, own_elders, sos_elder_of, survival_checks_of
from kangyang.portal.views._common import app_login_required


def _own_page_only(request: HttpRequest) -> None:
    if not scope.has_own_page(request.user):
        raise PermissionDenied


@app_login_required
def home(request: HttpRequest) -> HttpResponse:
    """The app's home screen. An elder: the SOS button first, then her cards (each app's
    cards.py). A family member: one part per elder she is bound to, with the same cards and
    no SOS (only the elder herself presses hers). Staff who work in the app (a visitor): the
    staff cards that have something for them (lib/cards.py, audience "staff")."""
    if not scope.has_own_page(request.user):
        cards = site.shown_to_staff(request.user) if request.user.is_authenticated else []
        if not cards:
            raise PermissionDenied
        return render(request, "portal/staff_home.html", {"cards": cards})
    return render(request, "portal/home.html", {
        "homes": home_for(request.user), "sos_elder": sos_elder_of(request.user),
        "is_elder": request.user.role == scope.R.ELDER, "msg_id": new_msg_id(),
    })


@app_login_required
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
