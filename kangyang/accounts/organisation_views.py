"""Pages of the register of organisations, for the bureau admin: the list (with licence
alerts), an organisation's page (licences, blacklist history, blacklist or lift), and the
form to register or change one. Parse, gate, act, render; the rules are in the actions."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kangyang.accounts import organisations as actions, queries, scope
from kangyang.accounts.models import Organisation
from kangyang.accounts.organisation_forms import (
    BlacklistForm, LicenceForm, LiftForm, OrganisationFilterForm, OrganisationForm,
)
from kangyang.lib.forms import add_errors

PAGE_SIZE = 50


def _bureau_only(request: HttpRequest) -> None:
    if not scope.can_open(request.user, "organisations"):
        raise PermissionDenied


@login_required
@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    _bureau_only(request)
    form = OrganisationFilterForm(request.GET)
    filters = form.filters()
    organisations = queries.organisations_for(request.user, **filters)
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {k: v for k, v in request.GET.items() if k != "page"}
    return render(request, "organisations/list.html", {
        "form": form, "page_obj": page, "querystring": urlencode(shown),
        "alerts": queries.licences_expiring_for(request.user)[:20],
        "can_register": scope.can_register_organisations(request.user),
    })


def _organisation_form(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    if organisation is None:
        initial = {"credit_status": Organisation.CreditStatus.GOOD, "kind": Organisation.Kind.PROVIDER}
    else:
        initial = {f: getattr(organisation, f) for f in (
            "name", "kind", "credit_code", "address", "contact_person", "credit_status")}
        initial["region"] = organisation.region_id
    form = OrganisationForm(request.POST or None, user=request.user, editing=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if organisation is None:
                organisation = actions.register_organisation(by=request.user, **data)
                messages.success(request, _("%(name)s is registered.") % {"name": organisation.name})
            else:
                phone = data.pop("contact_phone") or None
                actions.edit_organisation(organisation, by=request.user, contact_phone=phone, **data)
                messages.success(request, _("The changes are saved."))
            return redirect("organisations:detail", organisation.pk)
        except ValidationError as e:
            add_errors(form, e)
    return render(request, "organisations/form.html", {"form": form, "organisation": organisation})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    _bureau_only(request)
    if not scope.can_register_organisations(request.user):
        raise PermissionDenied
    return _organisation_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    _bureau_only(request)
    return _organisation_form(request, queries.get_organisation_for(request.user, organisation_id, write=True))


def _detail(request: HttpRequest, organisation: Organisation, *, status: int = 200, **forms) -> HttpResponse:
    licences = [(lic, queries.licence_alert(lic)) for lic in organisation.licences.all()]
    return render(request, "organisations/detail.html", {
        "organisation": organisation, "licences": licences,
        "history": organisation.blacklist_entries.select_related("decided_by", "lifted_by"),
        "barred": organisation.is_barred(),
        "can_manage": scope.can_manage_organisations(request.user, organisation.region.code),
        "licence_form": forms.get("licence_form") or LicenceForm(),
        "blacklist_form": forms.get("blacklist_form") or BlacklistForm(),
        "lift_form": forms.get("lift_form") or LiftForm(),
    }, status=status)


@login_required
@require_safe
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    _bureau_only(request)
    return _detail(request, queries.get_organisation_for(request.user, organisation_id))


@login_required
@require_POST
def add_licence(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _post_on_detail(request, organisation_id, LicenceForm, "licence_form", act=actions.add_licence,
                           done=lambda o: _("The licence is added."))


@login_required
@require_POST
def blacklist(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _post_on_detail(
        request, organisation_id, BlacklistForm, "blacklist_form", act=actions.blacklist_organisation,
        done=lambda o: _("%(name)s is blacklisted: no module gives it work.") % {"name": o.name})


@login_required
@require_POST
def lift(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _post_on_detail(
        request, organisation_id, LiftForm, "lift_form", act=actions.lift_blacklist,
        done=lambda o: _("The blacklist of %(name)s is lifted.") % {"name": o.name})


def _post_on_detail(request: HttpRequest, organisation_id: int, form_class, form_name: str, *, act,
                    done) -> HttpResponse:
    """A form of the organisation page: the action runs and the page is shown again with a
    message, or the page comes back (422) with the form and its errors."""
    _bureau_only(request)
    organisation = queries.get_organisation_for(request.user, organisation_id, write=True)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(organisation, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, done(organisation))
            return redirect("organisations:detail", organisation.pk)
    return _detail(request, organisation, status=422, **{form_name: form})
