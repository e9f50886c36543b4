"""The assessor's pages: start, the stepper, review and sign, the report (page and PDF), the
elder's history, the due list and the import of MZ/T 039-2013 history.
Parse, gate (queries/scope), act (actions), render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.accounts import scope
from kangyang.assessment import actions, queries, report, scoring
from kangyang.lib.forms import add_errors
from kangyang.assessment.forms import (
    RISK_CHOICES, RISK_PREFIX, DueFilterForm, LegacyImportForm, RequestForm, StartForm, answers_from_post,
)
from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import DIMENSIONS, ITEMS, RISK_EVENTS, STANDARD
from kangyang.registry.models import Elder
from kangyang.registry.queries import get_elder_for

PAGE_SIZE = 50
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# One step per dimension (Annex B), the basics of Annex A before them and the review after.
STEPS = ("basics", *DIMENSIONS, "review")
STEP_LABELS = {
    "basics": gettext_lazy("Basic information"),
    "review": gettext_lazy("Review and sign"),
}
# The sheet's file name is Chinese whatever the interface language (a shared file format).
PDF_FILENAME = "老年人能力评估报告"


def _is_fragment_request(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _steps(assessment: Assessment, current: str) -> list[dict]:
    """The stepper's steps, each with how many of its items are answered."""
    answers = assessment.answers
    out = []
    for number, key in enumerate(STEPS, start=1):
        entry = {"key": key, "number": number, "current": key == current,
                 "url": reverse("assessment:step", args=[assessment.pk, key])}
        if key in DIMENSIONS:
            info = report.dimension_info(key)
            codes = [i.code for i in ITEMS if i.dimension == key]
            entry.update(zh=info["zh"], en=info["en"], total=len(codes),
                         answered=sum(1 for c in codes if c in answers))
            entry["done"] = entry["answered"] == entry["total"]
        else:
            entry.update(label=str(STEP_LABELS[key]), done=False)
        out.append(entry)
    return out


def _items_of(assessment: Assessment, dimension: str) -> list[dict]:
    return [
        {"code": i.code, "zh": i.zh, "en": i.en, "options": i.options, "answer": assessment.answers.get(i.code)}
        for i in ITEMS if i.dimension == dimension
    ]


def _risk_rows(assessment: Assessment) -> list[dict]:
    return [
        {"name": RISK_PREFIX + kind, "zh": zh, "en": str(en), "value": assessment.risk_events_30d.get(kind),
         "choices": RISK_CHOICES}
        for kind, (en, zh) in RISK_EVENTS.items()
    ]


def _step_context(assessment: Assessment, step: str, *, error: ValidationError | None = None) -> dict:
    index = STEPS.index(step)
    context = {
        "assessment": assessment, "elder": assessment.elder, "step": step, "steps": _steps(assessment, step),
        "previous_step": STEPS[index - 1] if index > 0 else None,
        "next_step": STEPS[index + 1] if index + 1 < len(STEPS) else None,
        "show_en": report.show_english(), "error": error,
    }
    if step in DIMENSIONS:
        context["dimension"] = report.dimension_info(step)
        context["items"] = _items_of(assessment, step)
    elif step == "basics":
        context["risk_rows"] = _risk_rows(assessment)
        context["diagnoses_text"] = ", ".join(assessment.diagnoses)
    else:
        context.update(_review_context(assessment))
    return context


def _review_context(assessment: Assessment) -> dict:
    """What the review step shows: every answer, what is missing, and the result the
    answers would give if signed now (not stored until signed)."""
    missing = actions.missing_items(assessment)
    preview = None
    stack = bool(getattr(settings, "ASSESSMENT_STACK_RAISES", False))
    if not missing:
        try:
            preview = scoring.score(
                assessment.answers, coma=assessment.coma, diagnoses=assessment.diagnoses,
                risk_events_30d=assessment.risk_events_30d, stack_raises=stack,
            )
        except ValidationError:
            preview = None
    data = report.report_data(assessment)
    if preview is not None:
        for d in data["dimensions"]:
            d["score"] = preview.dimensions[d["key"]]
        data["preview"] = {
            "total": preview.total, "preliminary": report.level_info(preview.preliminary_level),
            "final": report.level_info(preview.final_level),
        }
        data["reasons"] = report.reason_texts(preview.reasons, preliminary_level=preview.preliminary_level,
                                              stack_raises=stack)
    data["missing"] = missing
    return {"review": data}


def _suggested_reason(elder: Elder) -> str:
    if queries.open_request_for(elder) is not None:
        return Assessment.Reason.IMMEDIATE
    has_one = Assessment.objects.signed().filter(elder=elder, standard=STANDARD).exists()
    return Assessment.Reason.ROUTINE if has_one else Assessment.Reason.FIRST


# -- start ---------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, elder_id: int) -> HttpResponse:
    """The assessment's heading data (Annex A.1): reason, date, place, assessors, informant."""
    elder = get_elder_for(request.user, elder_id, write=True)
    form = StartForm(request.POST or None, initial={"reason": _suggested_reason(elder)})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = actions.start_assessment(elder, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            return redirect("assessment:step", assessment.pk, STEPS[0])
    drafts = Assessment.objects.drafts().filter(elder=elder).order_by("-id")
    return render(request, "assessment/start.html", {"elder": elder, "form": form, "drafts": drafts})


# -- the stepper ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def step(request: HttpRequest, assessment_id: int, step: str) -> HttpResponse:
    """One step. A POST saves whatever answers it carries (htmx: returns the save status;
    a plain form: goes on to the step named by `go`)."""
    if step not in STEPS:
        raise Http404
    assessment = queries.get_assessment_for(request.user, assessment_id, write=True)
    if assessment.is_signed and not _is_fragment_request(request):
        return redirect("assessment:report", assessment.pk)
    error = None
    if request.method == "POST":
        try:
            actions.save_answers(assessment, by=request.user, **answers_from_post(request.POST))
        except ValidationError as e:
            error = e
        if _is_fragment_request(request):
            return render(request, "assessment/_save_status.html",
                          {"error": error, "saved_at": timezone.now()}, status=422 if error else 200)
        if error is None:
            go = request.POST.get("go", step)
            return redirect("assessment:step", assessment.pk, go if go in STEPS else step)
    context = _step_context(assessment, step, error=error)
    return render(request, "assessment/step.html", context, status=422 if error else 200)


@login_required
@require_POST
def sign(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = queries.get_assessment_for(request.user, assessment_id, write=True)
    try:
        actions.sign_assessment(assessment, by=request.user)
    except ValidationError as e:
        context = _step_context(assessment, "review", error=e)
        return render(request, "assessment/step.html", context, status=422)
    messages.success(request, _("The assessment is signed: final level %(level)d.") % {"level": assessment.final_level})
    return redirect("assessment:report", assessment.pk)


@login_required
@require_POST
def discard(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = queries.get_assessment_for(request.user, assessment_id, write=True)
    elder_id = assessment.elder_id
    try:
        actions.discard_draft(assessment, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("assessment:report", assessment.pk)
    messages.success(request, _("The draft is discarded."))
    return redirect("assessment:history", elder_id)


# -- the report ----------------------------------------------------------------------------
def _signed_for(request: HttpRequest, assessment_id: int) -> Assessment:
    assessment = queries.get_assessment_for(request.user, assessment_id)
    if not assessment.is_signed:
        raise Http404
    return assessment


@login_required
@require_safe
def report_page(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Annex C: dimension scores, total, preliminary level, reason for a change, final level."""
    assessment = queries.get_assessment_for(request.user, assessment_id)
    if not assessment.is_signed:
        if scope.can_edit(request.user, assessment.region_code):
            return redirect("assessment:step", assessment.pk, "review")
        raise Http404
    return render(request, "assessment/report.html", {
        "assessment": assessment, "elder": assessment.elder, "report": report.report_data(assessment),
        "show_en": report.show_english(),
        # the age, not the birth date, beside the masked ID number (accounts.scope.IDENTITY_SHOWN)
        "age_at_assessment": assessment.elder.age(assessment.assessed_on),
    })


@login_required
@require_safe
def report_pdf(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _signed_for(request, assessment_id)
    response = HttpResponse(report.render_pdf(assessment), content_type="application/pdf")
    filename = f"{PDF_FILENAME}-{assessment.elder.name}-{assessment.assessed_on:%Y%m%d}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


# -- one elder's history -------------------------------------------------------------------
def _history_context(request: HttpRequest, elder: Elder, *, request_form: RequestForm | None = None) -> dict:
    today = timezone.localdate()
    rows = list(queries.history_for(request.user, elder))
    for a in rows:
        a.level = report.level_info(a.final_level, standard=a.standard)
    current = queries.current_assessment(elder, on=today)
    if current is not None:
        current.level_info = report.level_info(current.final_level)
    return {
        "elder": elder, "assessments": rows, "current": current,
        "open_request": queries.open_request_for(elder), "today": today,
        "can_edit": scope.can_edit(request.user, elder.region_code) and elder.status == Elder.Status.ACTIVE,
        "request_form": request_form or RequestForm(), "show_en": report.show_english(),
        "standard": STANDARD,
    }


@login_required
@require_safe
def history(request: HttpRequest, elder_id: int) -> HttpResponse:
    """Every assessment of the elder; imported MZ/T 039-2013 levels shown apart."""
    elder = get_elder_for(request.user, elder_id)
    return render(request, "assessment/history.html", _history_context(request, elder))


@login_required
@require_POST
def request_reassessment(request: HttpRequest, elder_id: int) -> HttpResponse:
    """The elder's status changed: put them on the due list now."""
    elder = get_elder_for(request.user, elder_id, write=True)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            actions.request_reassessment(elder, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("A re-assessment is due now: %(name)s is on the due list.") % {"name": elder.name})
            return redirect("assessment:history", elder.pk)
    return render(request, "assessment/history.html", _history_context(request, elder, request_form=form), status=422)


# -- the due list --------------------------------------------------------------------------
@login_required
@require_safe
@vary_on_headers("HX-Request")
def due_list(request: HttpRequest) -> HttpResponse:
    """Elders whose assessment is due within 30 days or has run out, who were asked to be
    re-assessed, or who are disabled and have none; per community, most urgent first."""
    form = DueFilterForm(request.GET, user=request.user)
    filters = form.filters()
    today = timezone.localdate()
    page = Paginator(queries.due_for(request.user, on=today, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for elder in page:
        elder.level = report.level_info(elder.last_level)
        elder.overdue = elder.due_on is not None and elder.due_on < today
    querystring = urlencode(filters)
    context = {"form": form, "page_obj": page, "querystring": querystring, "today": today,
               "can_edit": scope.can_import(request.user)}
    if not _is_fragment_request(request):
        return render(request, "assessment/due.html", context)
    response = render(request, "assessment/_due_table.html", context)
    shown = urlencode({**filters, "page": page.number}) if page.number > 1 else querystring
    response["HX-Push-Url"] = f"{request.path}?{shown}" if shown else request.path
    return response


# -- MZ/T 039-2013 history -----------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def legacy_import(request: HttpRequest) -> HttpResponse:
    """Upload past MZ/T 039-2013 levels (身份证号, 评估日期, 等级); bad rows are listed."""
    if not scope.can_import(request.user):
        raise PermissionDenied
    form = LegacyImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than 10 MB."))
        else:
            try:
                outcome = actions.import_legacy_sheet(by=request.user, data=upload.read(), filename=upload.name)
            except ValidationError as e:
                form.add_error("file", e)
    return render(request, "assessment/import.html", {"form": form, "outcome": outcome})
