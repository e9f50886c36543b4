"""Pages of the health app's screening topic: an elder's screenings, referrals and sickbeds
(/health/screening/elders/<id>/), the screening form (one question a row, for a phone), the
referral form and its steps, opening and closing a home sickbed, and the list of referrals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.health import screening_tools
from kangyang.health.actions import screening as actions
from kangyang.health.forms import screening as forms
from kangyang.health.models import Referral
from kangyang.health.queries import screening as queries
from kangyang.lib.forms import add_errors
from kangyang.registry.models import Elder


def _elder(user, elder_id) -> Elder:
    try:
        return Elder.objects.filter(scope.health_filter(user)).get(pk=elder_id)
    except Elder.DoesNotExist:
        raise Http404(_("No such elder, or not one whose health data you may read.")) from None


def _writable_elder(user, elder_id) -> Elder:
    elder = _elder(user, elder_id)
    if not scope.writes_health(user, elder):
        raise PermissionDenied(_("Only the elder's family-doctor team records screenings, referrals and sickbeds."))
    return elder


def _back(elder):
    return redirect("health:screening_elder", elder_id=elder.pk)


@login_required
def elder_page(request, elder_id: int):
    elder = _elder(request.user, elder_id)
    section = queries.elder_section(request.user, elder)
    return render(request, "health/screening/elder.html", {"elder": elder, "section": section, "tab": "screening"})


@login_required
def screen(request, elder_id: int, tool: str):
    elder = _writable_elder(request.user, elder_id)
    instrument = screening_tools.INSTRUMENTS.get(tool)
    if instrument is None:
        raise Http404(_("No such screening instrument."))
    form = forms.ScreeningForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            screening = actions.record_screening(by=request.user, elder=elder, tool=tool, answers=form.answers(),
                                                 screened_on=form.cleaned_data["screened_on"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Screening recorded: %(result)s (score %(score)d).")
                             % {"result": queries.result_words(screening), "score": screening.score})
            return _back(elder)
    return render(request, "health/screening/screen.html",
                  {"elder": elder, "form": form, "instrument": instrument, "tab": "screening"})


@login_required
def refer(request, elder_id: int):
    elder = _writable_elder(request.user, elder_id)
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.refer(by=request.user, elder=elder, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Referral sent."))
            return _back(elder)
    return render(request, "health/screening/form.html",
                  {"elder": elder, "form": form, "title": _("Refer to a medical institution"), "tab": "screening"})


@login_required
def referral_return(request, referral_id: int):
    referral = queries.get_referral_for(request.user, referral_id)
    elder = _writable_elder(request.user, referral.elder_id)
    form = forms.ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.return_to_community(referral, by=request.user, summary=form.cleaned_data["return_summary"],
                                        on=form.cleaned_data["returned_on"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Referral returned to the community."))
            return _back(elder)
    return render(request, "health/screening/form.html",
                  {"elder": elder, "form": form, "title": _("Return to the community"), "referral": referral,
                   "tab": "screening"})


@login_required
@require_POST
def referral_step(request, referral_id: int, step: str):
    referral = queries.get_referral_for(request.user, referral_id)
    elder = _writable_elder(request.user, referral.elder_id)
    try:
        if step == "receive":
            actions.mark_received(referral, by=request.user)
        else:
            actions.cancel_referral(referral, by=request.user)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    return _back(elder)


@login_required
def sickbed_open(request, elder_id: int):
    elder = _writable_elder(request.user, elder_id)
    form = forms.SickbedOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.open_sickbed(by=request.user, elder=elder, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Home sickbed opened."))
            return _back(elder)
    return render(request, "health/screening/form.html",
                  {"elder": elder, "form": form, "title": _("Open a home sickbed"), "tab": "screening"})


@login_required
def sickbed_close(request, sickbed_id: int):
    sickbed = queries.get_sickbed_for(request.user, sickbed_id)
    elder = _writable_elder(request.user, sickbed.elder_id)
    form = forms.SickbedCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.close_sickbed(sickbed, by=request.user, reason=form.cleaned_data["close_reason"],
                                  closed_on=form.cleaned_data["closed_on"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Home sickbed closed."))
            return _back(elder)
    return render(request, "health/screening/form.html",
                  {"elder": elder, "form": form, "title": _("Close a home sickbed"), "sickbed": sickbed,
                   "tab": "screening"})


@login_required
def referral_list(request):
    if not scope.can_open(request.user, "health"):
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in Referral.Status.values:
        status = ""
    referrals = list(queries.referrals_for(request.user, status=status)[:200])
    queries.audit_read(request.user, verb="health.referral.list", n=len(referrals))
    return render(request, "health/screening/referrals.html",
                  {"referrals": referrals, "status": status, "statuses": Referral.Status.choices, "tab": "screening"})


urlpatterns = [
    path("screening/referrals/", referral_list, name="screening_referrals"),
    path("screening/elders/<int:elder_id>/", elder_page, name="screening_elder"),
    *[path(f"screening/elders/<int:elder_id>/screen/{tool}/", screen, {"tool": tool}, name=f"screening_screen_{tool}")
      for tool in screening_tools.INSTRUMENTS],
    path("screening/elders/<int:elder_id>/refer/", refer, name="screening_refer"),
    path("screening/elders/<int:elder_id>/sickbed/", sickbed_open, name="screening_sickbed_open"),
    path("screening/referrals/<int:referral_id>/return/", referral_return, name="screening_referral_return"),
    path("screening/referrals/<int:referral_id>/receive/", referral_step, {"step": "receive"},
         name="screening_referral_receive"),
    path("screening/referrals/<int:referral_id>/cancel/", referral_step, {"step": "cancel"},
         name="screening_referral_cancel"),
    path("screening/sickbeds/<int:sickbed_id>/close/", sickbed_close, name="screening_sickbed_close"),
]
