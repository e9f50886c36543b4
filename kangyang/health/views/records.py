"""Pages of the health app's records topic: the elder's health page (/health/elders/<id>/),
which shows her health record and then one section per topic, and the record's small forms
(conditions, medications, disabilities, allergies, consent). Outside the reader's scope the page
answers 404 (never 403, which would say she exists); every staff read is audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.health.actions import records as actions
from kangyang.health.forms.records import (
    AllergiesForm, ConditionForm, ConsentForm, DisabilityForm, MedicationForm,
)
from kangyang.health.models import Condition, Disability, Medication
from kangyang.health.queries import checkups, contracts, followups, readings, records, screening

# After the record itself, each topic's section, in this order.
SECTIONS = [
    ("contracts", contracts), ("checkups", checkups), ("followups", followups),
    ("readings", readings), ("screening", screening),
]


def _page(request: HttpRequest, elder, **forms) -> HttpResponse:
    user = request.user
    sections = []
    for name, module in SECTIONS:
        section = module.elder_section(user, elder)
        if section is not None:
            sections.append((f"health/elder/_{name}.html", section))
    record = records.elder_section(user, elder)
    return render(request, "health/elder.html", {
        "elder": elder, "record": record, "sections": sections,
        "condition_form": forms.get("condition_form") or ConditionForm(),
        "medication_form": forms.get("medication_form") or MedicationForm(),
        "disability_form": forms.get("disability_form") or DisabilityForm(),
        "allergies_form": forms.get("allergies_form") or AllergiesForm(
            initial={"allergies": record["health"].allergies if record["health"] else ""}),
        "consent_form": ConsentForm(initial={"alerts_to_family": bool(
            record["health"] and record["health"].alerts_to_family)}),
    }, status=400 if forms else 200)


@login_required
def elder(request: HttpRequest, elder_id: int) -> HttpResponse:
    """The elder's health page. A POST here does nothing (the forms post to their own URLs)."""
    elder = records.elder_for(request.user, elder_id)
    if request.method != "GET":
        return HttpResponse(status=405)
    actions.audit_health_read(request.user, elder, via="page")
    return _page(request, elder)


def _write(request: HttpRequest, elder_id: int, form_class, form_name: str, act) -> HttpResponse:
    """Parse, act, redirect (the page again with the form's errors when the action refuses)."""
    elder = records.elder_for(request.user, elder_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(elder, form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as e:
            from kangyang.lib.forms import add_errors

            add_errors(form, e)
        else:
            messages.success(request, _("The health record is saved."))
            return redirect("health:elder", elder.pk)
    actions.audit_health_read(request.user, elder, via="page")
    return _page(request, elder, **{form_name: form})


@login_required
@require_POST
def add_condition(request, elder_id: int):
    return _write(request, elder_id, ConditionForm, "condition_form",
                  lambda elder, d: actions.add_condition(elder, by=request.user, **d))


@login_required
@require_POST
def remove_condition(request, elder_id: int, condition_id: int):
    elder = records.elder_for(request.user, elder_id)
    condition = get_object_or_404(Condition.objects.visible_to(request.user), pk=condition_id, elder=elder)
    actions.remove_condition(condition, by=request.user)
    messages.success(request, _("The health record is saved."))
    return redirect("health:elder", elder.pk)


@login_required
@require_POST
def add_medication(request, elder_id: int):
    return _write(request, elder_id, MedicationForm, "medication_form",
                  lambda elder, d: actions.add_medication(elder, by=request.user, **d))


@login_required
@require_POST
def stop_medication(request, elder_id: int, medication_id: int):
    elder = records.elder_for(request.user, elder_id)
    medication = get_object_or_404(Medication.objects.visible_to(request.user), pk=medication_id, elder=elder)
    try:
        actions.stop_medication(medication, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The health record is saved."))
    return redirect("health:elder", elder.pk)


@login_required
@require_POST
def set_disability(request, elder_id: int):
    return _write(request, elder_id, DisabilityForm, "disability_form",
                  lambda elder, d: actions.set_disability(elder, by=request.user, kind=d["kind"],
                                                          grade=int(d["grade"]) if d["grade"] else None))


@login_required
@require_POST
def remove_disability(request, elder_id: int, disability_id: int):
    elder = records.elder_for(request.user, elder_id)
    disability = get_object_or_404(Disability.objects.visible_to(request.user), pk=disability_id, elder=elder)
    actions.remove_disability(disability, by=request.user)
    messages.success(request, _("The health record is saved."))
    return redirect("health:elder", elder.pk)


@login_required
@require_POST
def set_allergies(request, elder_id: int):
    return _write(request, elder_id, AllergiesForm, "allergies_form",
                  lambda elder, d: actions.set_allergies(elder, by=request.user, **d))


@login_required
@require_POST
def set_consent(request, elder_id: int):
    return _write(request, elder_id, ConsentForm, "consent_form",
                  lambda elder, d: actions.set_alerts_to_family(elder, by=request.user,
                                                                consent=d["alerts_to_family"]))


urlpatterns = [
    path("elders/<int:elder_id>/", elder, name="elder"),
    path("elders/<int:elder_id>/conditions/", add_condition, name="add_condition"),
    path("elders/<int:elder_id>/conditions/<int:condition_id>/remove/", remove_condition, name="remove_condition"),
    path("elders/<int:elder_id>/medications/", add_medication, name="add_medication"),
    path("elders/<int:elder_id>/medications/<int:medication_id>/stop/", stop_medication, name="stop_medication"),
    path("elders/<int:elder_id>/disabilities/", set_disability, name="set_disability"),
    path("elders/<int:elder_id>/disabilities/<int:disability_id>/remove/", remove_disability,
         name="remove_disability"),
    path("elders/<int:elder_id>/allergies/", set_allergies, name="set_allergies"),
    path("elders/<int:elder_id>/consent/", set_consent, name="set_consent"),
]
