"""Pages of bank payouts (batches, return files, failed payments), of applications and their
public notice, and of survival certifications. Parse, gate (queries/scope), act, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from kangyang.accounts import scope
from kangyang.registry.queries import elders_for, get_elder_for
from kangyang.allowances import actions, queries
from kangyang.allowances.forms import (
    ApplicationForm, CancelBatchForm, CorrectForm, DecisionForm, FindingForm, ObjectionForm, PaidForm,
    PrepareBatchForm, ReturnFileForm, ReviewForm, SurvivalForm,
)
from kangyang.allowances.models import Application

PAGE_SIZE = 100


def _staff_only(request: HttpRequest) -> None:
    if not queries.works_with_allowances(request.user):
        raise PermissionDenied


def _errors(request: HttpRequest, error) -> None:
    for message in (error.messages if isinstance(error, ValidationError) else [str(error)]):
        messages.error(request, message)


# -- bank batches --------------------------------------------------------------------------------
def _submit(request: HttpRequest, form, act, done):
    """One step of a form: `act(cleaned_data)` when the form is valid, then `done(result)` as
    the message; a refused form or a refused step is told to the reader, never dropped (a
    return file sent without a file said nothing before). Returns the result, or None when
    refused (the page may then show the form again, filled in)."""
    if not form.is_valid():
        _errors(request, ValidationError([m for errors in form.errors.values() for m in errors]))
        return None
    try:
        result = act(form.cleaned_data)
    except ValidationError as e:
        _errors(request, e)
        return None
    messages.success(request, done(result))
    return result


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    """Bank batches of the user's area; the bureau admin makes one per policy and month."""
    _staff_only(request)
    user = request.user
    can_prepare = user.region_id is not None and queries.can_pay_out_in(user, user.region.code)
    form = PrepareBatchForm(request.POST or None, user=user)
    if request.method == "POST":
        if not can_prepare:
            raise PermissionDenied
        if form.is_valid():
            try:
                batch = actions.prepare_payout_batch(by=user, region=user.region, **form.cleaned_data)
            except ValidationError as e:
                _errors(request, e)
            else:
                messages.success(request, _("The bank batch is made; download its file below."))
                return redirect("allowances:batch", batch.pk)
    page = Paginator(queries.batches_for(user), 50).get_page(request.GET.get("page"))
    return render(request, "allowances/batches.html", {
        "page_obj": page, "form": form, "can_prepare": can_prepare, "querystring": "",
        "held": queries.held_payments_for(user).count(),
    })


@login_required
@require_safe
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = queries.get_batch_for(request.user, batch_id)
    lines = Paginator(queries.batch_lines(batch), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "allowances/batch.html", {
        "batch": batch, "page_obj": lines, "querystring": "", "rolls": batch.rolls.select_related("region"),
        "returns": batch.returns.select_related("imported_by"),
        "can_pay_out": queries.can_pay_out_in(request.user, batch.region_code),
        "can_cancel": scope.batch_cancellable_by(request.user, batch) and not batch.returns.exists(),
        "paid_form": PaidForm(initial={"paid_on": timezone.localdate()}), "return_form": ReturnFileForm(),
        "cancel_form": CancelBatchForm(),
    })


@login_required
@require_safe
@never_cache
def download(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The bank file: a GET that changes nothing (audited as a full-data view)."""
    batch = queries.get_batch_for(request.user, batch_id)
    try:
        data, filename, content_type = actions.bank_file(batch, by=request.user)
    except ValidationError as e:  # a cancelled batch has no file for the bank
        _errors(request, e)
        return redirect("allowances:batch", batch.pk)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_POST
def record_paid(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = queries.get_batch_for(request.user, batch_id)
    _submit(request, PaidForm(request.POST), lambda data: actions.record_batch_paid(batch, by=request.user, **data),
            lambda _result: _("The batch is recorded as paid."))
    return redirect("allowances:batch", batch.pk)


@login_required
@require_POST
def cancel_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Cancel a batch the bank has not paid; its rolls are free for a new batch."""
    _staff_only(request)
    batch = queries.get_batch_for(request.user, batch_id)
    _submit(request, CancelBatchForm(request.POST),
            lambda data: actions.cancel_payout_batch(batch, by=request.user, reason=data["reason"]),
            lambda _result: _("The batch is cancelled; its rolls can go into a new batch."))
    return redirect("allowances:batch", batch.pk)


@login_required
@require_POST
def import_return(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = queries.get_batch_for(request.user, batch_id)
    _submit(request, ReturnFileForm(request.POST, request.FILES),
            lambda data: actions.import_bank_return(batch, by=request.user, data=data["file"].read(),
                                                    filename=data["file"].name),
            lambda result: _("%(rows)d rows read: %(failed)d failed payments held, %(errors)d rows not "
                             "understood.") % {"rows": result.rows, "failed": result.failed,
                                               "errors": len(result.errors)})
    return redirect("allowances:batch", batch.pk)


@login_required
@require_safe
def held_list(request: HttpRequest) -> HttpResponse:
    """Payments the bank returned, to correct; and those corrected, waiting for the next roll."""
    _staff_only(request)
    return render(request, "allowances/held.html", {
        "held": queries.held_payments_for(request.user)[:500],
        "released": queries.held_payments_for(request.user, payout="released")[:500],
        "form": CorrectForm(),
    })


@login_required
@require_POST
def correct(request: HttpRequest, line_id: int) -> HttpResponse:
    _staff_only(request)
    line = queries.get_held_payment_for(request.user, line_id)
    _submit(request, CorrectForm(request.POST),
            lambda data: actions.correct_failed_payment(line, by=request.user, **data),
            lambda _result: _("Corrected: the payment goes into the next roll as back pay."))
    return redirect("allowances:held")


# -- applications and public notice -----------------------------------------------------------
STEPS = {"notice": actions.publish_notice, "approve": actions.approve_application,
         "reject": actions.reject_application}


@login_required
@require_safe
def application_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    status = request.GET.get("status", "")
    page = Paginator(queries.applications_for(request.user, status=status), 50).get_page(request.GET.get("page"))
    return render(request, "allowances/applications.html", {
        "page_obj": page, "status": status, "statuses": Application.Status.choices, "today": timezone.localdate(),
        "querystring": f"status={status}" if status else "", "form": DecisionForm(),
    })


@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    """A new application, recorded by staff of the elder's area: first the elder (from the
    elder's page, or found by name, pinyin initials or ID number here), then the form."""
    _staff_only(request)
    elder_id = request.GET.get("elder") or request.POST.get("elder")
    if not elder_id:
        q = request.GET.get("q", "").strip()
        found = list(elders_for(request.user, q=q).order_by("name", "pk")[:20]) if q else []
        return render(request, "allowances/application_new.html", {"q": q, "found": found, "elder": None})
    elder = get_elder_for(request.user, int(elder_id) if str(elder_id).isdigit() else 0)
    if not scope.records_allowance_cases_of(request.user, elder.region_code):
        raise PermissionDenied
    form = ApplicationForm(request.POST or None, user=request.user, elder=elder,
                           initial={"applied_on": timezone.localdate(), "applicant": "elder", "channel": "counter"})
    if request.method == "POST":
        application = _submit(
            request, form, lambda data: actions.submit_application(elder, by=request.user, **data),
            lambda _result: _("The application is recorded. Put it on public notice when the documents are checked."),
        )
        if application is not None:
            return redirect("allowances:application", application.pk)
    return render(request, "allowances/application_new.html", {
        "elder": elder, "form": form, "applications": queries.applications_of(request.user, elder)[:10],
    })


@login_required
@require_safe
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    """One application: its notice, the objections raised during it and what checking them
    found, and the next step."""
    _staff_only(request)
    application = queries.get_application_for(request.user, application_id)
    today = timezone.localdate()
    return render(request, "allowances/application.html", {
        "application": application, "objections": application.objections.select_related("recorded_by"),
        "today": today, "form": DecisionForm(),
        "objection_form": ObjectionForm(initial={"received_on": today}), "finding_form": FindingForm(),
        "records": scope.records_allowance_cases_of(request.user, application.region_code),
        "decides": scope.decides_applications_of(request.user, application.region_code),
    })


@login_required
@require_POST
def objection_new(request: HttpRequest, application_id: int) -> HttpResponse:
    """An objection received while the application is on public notice."""
    _staff_only(request)
    application = queries.get_application_for(request.user, application_id)
    _submit(request, ObjectionForm(request.POST),
            lambda data: actions.record_objection(application, by=request.user, **data),
            lambda _result: _("The objection is recorded. Check it, then write down what you found."))
    return redirect("allowances:application", application.pk)


@login_required
@require_POST
def objection_answer(request: HttpRequest, objection_id: int) -> HttpResponse:
    _staff_only(request)
    objection = queries.get_objection_for(request.user, objection_id)
    _submit(request, FindingForm(request.POST),
            lambda data: actions.answer_objection(objection, by=request.user, finding=data["finding"]),
            lambda _result: _("The finding is recorded."))
    return redirect("allowances:application", objection.application_id)


@login_required
@require_POST
def application_step(request: HttpRequest, application_id: int, step: str) -> HttpResponse:
    _staff_only(request)
    application = queries.get_application_for(request.user, application_id)
    if step not in STEPS:
        raise PermissionDenied
    note = DecisionForm(request.POST).data.get("note", "")
    try:
        if step == "notice":
            actions.publish_notice(application, by=request.user)
        else:
            STEPS[step](application, by=request.user, note=note)
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Saved."))
    if request.POST.get("back") == "application":
        return redirect("allowances:application", application.pk)
    return redirect("allowances:applications")


@login_required
@require_safe
def notice_board(request: HttpRequest) -> HttpResponse:
    """What is on public notice today, community by community: printable for the notice
    board, with names and masked ID numbers only (scope.NOTICE_SHOWN)."""
    _staff_only(request)
    today = timezone.localdate()
    applications = queries.on_notice(request.user, community=request.GET.get("community", ""), on=today)
    rows = [{"application": a, **scope.notice_view(a.elder)} for a in applications]
    return render(request, "allowances/notice.html", {"rows": rows, "today": today})


# -- survival certification --------------------------------------------------------------------
@login_required
@require_safe
def survival_list(request: HttpRequest) -> HttpResponse:
    """Whom the community worker must see: certifications overdue (payment paused) or due soon."""
    _staff_only(request)
    today = timezone.localdate()
    return render(request, "allowances/survival.html", {
        "due": queries.survival_due_for(request.user, today=today), "today": today,
        "form": SurvivalForm(initial={"checked_on": today}),
        "photos": queries.survival_photos_to_review(request.user), "review_form": ReviewForm(),
    })


@login_required
@require_safe
@never_cache
def survival_photo(request: HttpRequest, check_id: int) -> HttpResponse:
    """A survival photo, for the community worker of the elder's area; each view audited."""
    _staff_only(request)
    check = queries.get_survival_check_for(request.user, check_id)
    try:
        data, content_type = actions.open_survival_photo(check, by=request.user)
    except ValidationError as e:
        _errors(request, e)
        return redirect("allowances:survival")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def review_survival(request: HttpRequest, check_id: int) -> HttpResponse:
    """The community worker accepts or rejects a photo sent in the app."""
    _staff_only(request)
    check = queries.get_survival_check_for(request.user, check_id)
    _submit(request, ReviewForm(request.POST),
            lambda data: actions.review_survival_check(check, by=request.user, **data),
            lambda result: _("Accepted: the survival certification is on record.") if result.status == "accepted"
            else _("Rejected: the elder's family sees your note and may send another photo."))
    return redirect(reverse("allowances:survival") + "#photos")


@login_required
@require_POST
def record_survival(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = get_elder_for(request.user, elder_id)
    form = SurvivalForm(request.POST)
    if form.is_valid():
        try:
            actions.record_survival_check(elder, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            _errors(request, e)
        else:
            messages.success(request, _("The survival certification is recorded."))
    else:
        _errors(request, ValidationError([m for errors in form.errors.values() for m in errors]))
    return redirect("allowances:survival")

