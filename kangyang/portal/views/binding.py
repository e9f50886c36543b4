"""Family bindings: the family member asks (/app/family/bind/), the elder answers and sees who
is bound (/app/family/requests/), the community records consent on the elder's page.
Parse, act (portal/binding.py), render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.lib.forms import add_errors
from kangyang.portal import binding as bindings
from kangyang.portal.auth_forms import BindForm, ConsentForm, DecisionForm, RemoveForm
from kangyang.portal.models import Binding
from kangyang.portal.queries import own_elders
from kangyang.portal.views._common import app_login_required
from kangyang.registry import queries as registry
from kangyang.registry.models import Elder



@app_login_required
@require_http_methods(["GET", "POST"])
def bind(request: HttpRequest) -> HttpResponse:
    """A family member asks to be bound to an elder; sees her requests and the elders she is
    bound to (and may leave one)."""
    user = request.user
    if not scope.asks_bindings(user):
        raise PermissionDenied
    leaving = request.method == "POST" and request.POST.get("step") == "leave"
    if leaving:
        elder_id = request.POST.get("elder", "")
        elder = next((e for e in own_elders(user) if str(e.pk) == elder_id), None)
        if elder is not None:
            bindings.unbind(elder, user, by=user)
            messages.success(request, _("You no longer see %(name)s in the app.") % {"name": elder.name})
        return redirect("portal:bind")
    form = BindForm(request.POST if request.method == "POST" else None, initial={"family_name": user.full_name})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            bindings.ask(user, relation=data["relation"], family_name=data["family_name"],
                         family_phone=data["family_phone"], elder_phone=data["elder_phone"],
                         elder_name=data["elder_name"], code=data["code"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Your request is sent. You will see the elder here once she, or her "
                                        "community, agrees."))
            return redirect("portal:bind")
    return render(request, "portal/bind.html", {
        "form": form, "requests": bindings.requests_of(user), "elders": own_elders(user),
    })


def _own_record(user) -> Elder:
    elder = Elder.objects.filter(user=user).first() if user.role == User.Role.ELDER else None
    if elder is None:
        raise PermissionDenied
    return elder


@app_login_required
@require_http_methods(["GET", "POST"])
def binding_requests(request: HttpRequest) -> HttpResponse:
    """The elder: who asks to see her in the app (agree or refuse), who sees her (remove),
    and a code to show a relative who wants to ask."""
    user = request.user
    elder = _own_record(user)
    code = None
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "code":
            code = bindings.show_code(elder, by=user)
        elif step == "remove":
            form = RemoveForm(request.POST)
            if form.is_valid():
                family = User.objects.filter(pk=form.cleaned_data["family"], contact_of__elder=elder).first()
                if family is not None:
                    bindings.unbind(elder, family, by=user)
                    messages.success(request, _("%(name)s no longer sees you in the app.") % {
                        "name": family.full_name or family.username})
            return redirect("portal:binding_requests")
        else:
            form = DecisionForm(request.POST)
            if form.is_valid():
                binding = Binding.objects.filter(pk=form.cleaned_data["binding"], elder=elder).first()
                if binding is not None:
                    try:
                        if form.cleaned_data["decision"] == "approve":
                            bindings.approve(binding, by=user)
                            messages.success(request, _("%(name)s now sees you in the app.") % {
                                "name": binding.family_name})
                        else:
                            bindings.refuse(binding, by=user)
                            messages.success(request, _("You said no to %(name)s.") % {"name": binding.family_name})
                    except ValidationError as e:
                        messages.error(request, " ".join(e.messages))
            return redirect("portal:binding_requests")
    return render(request, "portal/binding_requests.html", {
        "elder": elder, "pending": bindings.pending_for_elder(elder), "bound": bindings.bound_families(elder),
        "code": code, "code_minutes": bindings.CODE_MINUTES,
    })


# -- the community's side, on the elder's registry page ---------------------------------------------
@login_required
@never_cache
@require_POST
def elder_family(request: HttpRequest, elder_id: int) -> HttpResponse:
    """Record consent given outside the app (who, when, how), a refusal, or remove a family
    account from the elder."""
    elder = registry.get_elder_for(request.user, elder_id)
    if not scope.consents_bindings_of(request.user, elder.region_code):
        raise PermissionDenied
    back = reverse("registry:detail", args=[elder.pk]) + "#app-access"
    if request.POST.get("step") == "remove":
        form = RemoveForm(request.POST)
        if form.is_valid():
            family = User.objects.filter(pk=form.cleaned_data["family"], contact_of__elder=elder).first()
            if family is not None:
                bindings.unbind(elder, family, by=request.user)
                messages.success(request, _("%(name)s no longer sees the elder in the app.") % {
                    "name": family.full_name or family.username})
        return redirect(back)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The consent was not recorded: %(errors)s") % {
            "errors": " ".join(str(m) for errors in form.errors.values() for m in errors)})
        return redirect(back)
    data = form.cleaned_data
    binding = get_object_or_404(Binding, pk=data["binding"], elder=elder)
    try:
        if data["decision"] == "approve":
            bindings.approve(binding, by=request.user, consent_by=data["consent_by"], consent_how=data["consent_how"],
                             consent_at=data["consent_at"] or timezone.now(), note=data["note"])
            messages.success(request, _("The consent is recorded: %(name)s now sees the elder in the app.") % {
                "name": binding.family_name})
        else:
            bindings.refuse(binding, by=request.user, note=data["note"])
            messages.success(request, _("The request of %(name)s is refused.") % {"name": binding.family_name})
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect(back)
