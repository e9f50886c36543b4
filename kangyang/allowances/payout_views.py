"""Pages of bank payouts (batches, return files, failed payments), of applications and their
public notice, and of survival certifications. Parse, gate (queries/scope), act, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from kangyang.accounts import scope
from kangyang.registry.queries import get_elder_for
from kangyang.allowances import actions, queries
from kangyang.allowances.forms import (
    CorrectForm, DecisionForm, PaidForm, PrepareBatchForm, ReturnFileForm, SurvivalForm,
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
def _submit(request: HttpRequest, form, act, done) -> None:
    """One step of a form: `act(cleaned_data)` when the form is valid, then `done(result)` as
    the message; a refused form or a refused step is told to the reader, never dropped (a
    return file sent without a file said nothing before)."""
    if not form.is_valid():
        _errors(request, ValidationError([m for errors in form.errors.values() for m in errors]))
        return
    try:
        result = act(form.cleaned_data)
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, done(result))


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
        "paid_form": PaidForm(initial={"paid_on": timezone.localdate()}), "return_form": ReturnFileForm(),
    })


@login_required
@require_safe
@never_cache
def download(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The bank file: a GET that changes nothing (audited as a full-data view)."""
    batch = queries.get_batch_for(request.user, batch_id)
    data, filename, content_type = actions.bank_file(batch, by=request.user)
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
    })


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

