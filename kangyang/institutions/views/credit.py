"""Pages: credit. The bureau admin's list of organisations running institutions or providers,
each with its latest score, its credit status, the score's breakdown, its blacklist state and
history; from here the admin blacklists an organisation (the register's own action; the
dishonest band only proposes it) or lifts the bar."""

from django import forms
from django.core.paginator import Paginator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.accounts.models import Organisation
from kangyang.institutions import credit
from kangyang.institutions.actions import credit as actions
from kangyang.institutions.queries import credit as queries
from kangyang.lib.forms import add_errors


class CreditFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Credit status"), required=False,
                               choices=[("", gettext_lazy("all")), *Organisation.CreditStatus.choices])
    barred = forms.ChoiceField(label=gettext_lazy("Blacklist"), required=False, choices=[
        ("", gettext_lazy("all")), ("yes", gettext_lazy("blacklisted")), ("no", gettext_lazy("not blacklisted"))])


class BlacklistForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=gettext_lazy("The last day of the blacklist; empty for no end."))


class LiftForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for lifting"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


def _check(user) -> None:
    if not scope.may_see_credit(user):
        raise PermissionDenied


@login_required
def credit_page(request):
    _check(request.user)
    form = CreditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(queries.credit_rows_for(request.user, status=data.get("status", ""),
                                             barred=data.get("barred", "")), 100).get_page(request.GET.get("page"))
    return render(request, "institutions/credit.html", {
        "form": form, "page": page,
        "rows": [{"organisation": o, "proposes": actions.proposes_blacklist(o), "barred": o.is_barred()}
                 for o in page],
        "weights": credit.WEIGHTS, "overdue_factor": credit.OVERDUE_FACTOR,
        "good_from": credit.GOOD_FROM, "watched_from": credit.WATCHED_FROM,
    })


def _organisation(user, organisation_id: int) -> Organisation:
    organisation = (queries.scored_organisations().filter(scope.organisation_filter(user))
                    .select_related("region").filter(pk=organisation_id).first())
    if organisation is None:
        raise Http404
    return organisation


@login_required
def credit_detail(request, organisation_id: int, *, blacklist_form=None, lift_form=None, status=200):
    _check(request.user)
    organisation = _organisation(request.user, organisation_id)
    return render(request, "institutions/credit_detail.html", {
        "organisation": organisation, "scores": queries.history_of(organisation),
        "barred": organisation.is_barred(), "proposes": actions.proposes_blacklist(organisation),
        "entries": organisation.blacklist_entries.select_related("decided_by", "lifted_by"),
        "may_decide": scope.can_manage_organisations(request.user, organisation.region.code),
        "blacklist_form": blacklist_form or BlacklistForm(), "lift_form": lift_form or LiftForm(),
    }, status=status)


def _decide(request, organisation_id: int, form_class, key: str, act, done):
    _check(request.user)
    organisation = _organisation(request.user, organisation_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(organisation, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, done(organisation))
            return redirect("institutions:credit_organisation", organisation_id=organisation.pk)
    return credit_detail(request, organisation_id, status=422, **{key: form})


@login_required
@require_POST
def credit_blacklist(request, organisation_id: int):
    return _decide(request, organisation_id, BlacklistForm, "blacklist_form", actions.blacklist,
                   lambda o: _("%(name)s is blacklisted: no module gives it work.") % {"name": o.name})


@login_required
@require_POST
def credit_lift(request, organisation_id: int):
    return _decide(request, organisation_id, LiftForm, "lift_form", actions.lift,
                   lambda o: _("The blacklist of %(name)s is lifted.") % {"name": o.name})


urlpatterns = [
    path("credit/", credit_page, name="credit"),
    path("credit/<int:organisation_id>/", credit_detail, name="credit_organisation"),
    path("credit/<int:organisation_id>/blacklist/", credit_blacklist, name="credit_blacklist"),
    path("credit/<int:organisation_id>/lift/", credit_lift, name="credit_lift"),
]

