"""Pages of the health app's contracts topic: the teams of the area, a team's page (members and
contracted elders), an elder's contracts with the sign / renew / end forms, the per-community
contract rates and the resident counts' form. Each read of contracted elders by staff is audited."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.health.actions import audit_read as health_audit_read, contracts as actions
from kangyang.health.forms.contracts import EndForm, RenewForm, ResidentCountForm, SignForm
from kangyang.health.models import Contract, Team
from kangyang.health.queries import contracts as queries
from kangyang.lib.forms import add_errors
from kangyang.registry.models import Elder

PER_PAGE = 50


def _opens(request):
    if not scope.can_open(request.user, "health"):
        raise PermissionDenied


def teams(request):
    _opens(request)
    return render(request, "health/contracts/teams.html", {"teams": queries.teams_for(request.user)})


def team(request, team_id: int):
    _opens(request)
    found = get_object_or_404(Team.objects.filter(scope.team_filter(request.user)).select_related("institution"),
                              pk=team_id)
    q = request.GET.get("q", "")[:50]
    readable = scope.health_filter(request.user, path="elder__")  # a worker reads her own community's elders only
    rows = queries.team_contracts(found, q=q).filter(readable)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    health_audit_read(request.user, found, verb="health.contracts.read", note=str(len(page.object_list)),
                      region_code=found.area_code)
    return render(request, "health/contracts/team.html", {
        "team": found, "members": found.members.all(), "page_obj": page, "q": q,
        "ending": queries.ending_soon(found.contracts.filter(readable).select_related("elder")),
    })


def _elder(request, elder_id: int) -> Elder:
    elder = get_object_or_404(Elder, pk=elder_id)
    if not (scope.reads_health(request.user, elder) or scope.may_sign_for(request.user, elder)):
        raise Http404  # outside scope: as if she were not there
    return elder


def elder_contracts(request, elder_id: int):
    # No module check first: whoever may not read her health gets 404 from _elder, as everywhere.
    elder = _elder(request, elder_id)
    section = queries.elder_section(request.user, elder)
    health_audit_read(request.user, elder, verb="health.contracts.read")
    return render(request, "health/contracts/elder.html", {"elder": elder, "section": section})


def _back(request, elder) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("health:elder_contracts", args=[elder.pk])


def _failed(request, elder, form, error: ValidationError | None = None):
    if error is not None:
        add_errors(form, error)
    for field, errors in form.errors.items():
        for message in errors:
            messages.error(request, message)
    return redirect(_back(request, elder))


@require_POST
def sign(request, elder_id: int):
    elder = _elder(request, elder_id)
    signable = [t for t in actions.teams_serving(elder.region_code)
                if scope.manages_contracts_of(request.user, t, elder)]
    if not signable:
        raise PermissionDenied
    form = SignForm(request.POST, teams=signable, prefix="sign")
    if not form.is_valid():
        return _failed(request, elder, form)
    try:
        actions.sign_contract(elder=elder, by=request.user, **form.cleaned_data)
    except ValidationError as e:
        return _failed(request, elder, form, e)
    messages.success(request, _("The contract is signed."))
    return redirect(_back(request, elder))


def _contract(request, contract_id: int) -> Contract:
    contract = get_object_or_404(Contract.objects.filter(scope.contract_filter(request.user))
                                 .select_related("elder", "team", "package"), pk=contract_id)
    if not scope.manages_contracts_of(request.user, contract.team, contract.elder):
        raise PermissionDenied
    return contract


@require_POST
def renew(request, contract_id: int):
    _opens(request)
    contract = _contract(request, contract_id)
    form = RenewForm(request.POST, prefix="renew")
    if not form.is_valid():
        return _failed(request, contract.elder, form)
    try:
        actions.renew_contract(contract, by=request.user, package=form.cleaned_data.get("package"))
    except ValidationError as e:
        return _failed(request, contract.elder, form, e)
    messages.success(request, _("The contract is renewed."))
    return redirect(_back(request, contract.elder))


@require_POST
def end(request, contract_id: int):
    _opens(request)
    contract = _contract(request, contract_id)
    form = EndForm(request.POST, prefix="end")
    if not form.is_valid():
        return _failed(request, contract.elder, form)
    try:
        actions.end_contract(contract, by=request.user, reason=form.cleaned_data["reason"],
                             on=form.cleaned_data.get("on"))
    except ValidationError as e:
        return _failed(request, contract.elder, form, e)
    messages.success(request, _("The contract has ended."))
    return redirect(_back(request, contract.elder))


def rates(request):
    _opens(request)
    if not scope.reads_contract_rates(request.user):
        raise PermissionDenied
    from kangyang.regions.models import Region

    communities = Region.objects.filter(scope.region_tree_filter(request.user), level=Region.Level.COMMUNITY)
    communities = communities.filter(pk__in=[c.pk for c in communities if scope.enters_resident_counts(request.user, c.code)])
    form = None
    if communities.exists():
        form = ResidentCountForm(request.POST or None, communities=communities.order_by("code"))
        if request.method == "POST" and form.is_valid():
            try:
                actions.record_resident_count(by=request.user, **form.cleaned_data)
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("The counts are recorded."))
                return redirect("health:contract_rates")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "health/contracts/rates.html", {"rows": queries.community_rates(request.user),
                                                           "form": form})


urlpatterns = [
    path("teams/", teams, name="teams"),
    path("teams/<int:team_id>/", team, name="team"),
    path("elders/<int:elder_id>/contracts/", elder_contracts, name="elder_contracts"),
    path("elders/<int:elder_id>/contracts/sign/", sign, name="contract_sign"),
    path("contracts/<int:contract_id>/renew/", renew, name="contract_renew"),
    path("contracts/<int:contract_id>/end/", end, name="contract_end"),
    path("contracts/rates/", rates, name="contract_rates"),
]
