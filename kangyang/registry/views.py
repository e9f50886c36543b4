"""The community worker's registry pages: parse, gate (queries/scope), act (actions), render."""

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.accounts import scope
from kangyang.audit.models import AuditEntry
from kangyang.audit.presentation import describe
from kangyang.registry import actions, exports, imports, queries
from kangyang.lib.forms import add_errors
from kangyang.registry.forms import (
    CategoryOverrideForm, ContactForm, ElderFilterForm, ElderForm, HealthForm, HouseholdMemberForm,
    ImportForm, RevealForm, StatusForm,
)
from kangyang.registry.models import Elder, HealthRecord, ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
HISTORY_LENGTH = 20
# The sheets are a Chinese file format whatever the interface language (imports/columns.py,
# exports.py), and so are their file names; sent RFC 5987-encoded.
EXPORT_FILENAME = "长者名单"
TEMPLATE_FILENAME = "长者信息导入模板"
REJECTED_FILENAME = "导入未通过的行"


def _is_fragment_request(request: HttpRequest) -> bool:
    """An htmx swap wants the fragment; htmx restoring history after a cache miss wants the page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# -- list and export -----------------------------------------------------------------------
@login_required
@require_safe
@vary_on_headers("HX-Request")
def elder_list(request: HttpRequest) -> HttpResponse:
    """Search and filter the elders of the user's area; htmx swaps only the table."""
    form = ElderFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page = Paginator(queries.elders_for(request.user, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = urlencode(filters)
    context = {
        "form": form, "page_obj": page, "querystring": querystring,
        "can_edit": scope.can_import(request.user), "can_export": scope.can_export(request.user),
    }
    if not _is_fragment_request(request):
        return render(request, "registry/list.html", context)
    response = render(request, "registry/_table.html", context)
    # The address bar shows the filters in use, not every empty field of the form.
    shown = urlencode({**filters, "page": page.number}) if page.number > 1 else querystring
    response["HX-Push-Url"] = f"{request.path}?{shown}" if shown else request.path
    return response


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The list as filtered on screen, as an .xlsx download (the export itself is audited)."""
    if not scope.can_export(request.user):
        raise PermissionDenied
    filters = ElderFilterForm(request.GET, user=request.user).filters()
    data = exports.export_elders_xlsx(
        queries.elders_for(request.user, **filters), by=request.user, filters=filters
    )
    filename = f"{EXPORT_FILENAME}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# -- one elder -----------------------------------------------------------------------------
def _history(elder: Elder) -> list:
    """The record's recent changes in words (audit/presentation.py): who, when, what, and
    old → new values except for protected fields, which show only that they changed."""
    entries = (
        AuditEntry.objects.filter(target_type=Elder._meta.label_lower, target_id=str(elder.pk))
        .exclude(action=AuditEntry.Action.VIEW_FULL).select_related("actor")[:HISTORY_LENGTH]
    )
    return describe(entries)


def _detail_context(request: HttpRequest, elder: Elder, **forms) -> dict:
    user = request.user
    can_see_health = scope.can_see_health(user, elder)
    health = HealthRecord.objects.filter(elder=elder).first() if can_see_health else None
    if health is not None:
        actions.audit_health_summary_read(user, elder)
    return {
        "elder": elder,
        "identity": scope.identity_view(user, elder),
        "contacts": elder.contacts.all(),
        "can_see_health": can_see_health,
        "health": health,
        "can_edit": scope.can_edit(user, elder.region_code),
        "can_reveal": scope.can_reveal(user, elder.region_code),
        "reveal_form": forms.get("reveal_form") or RevealForm(),
        "revealed": forms.get("revealed"),
        "status_form": forms.get("status_form") or StatusForm(initial={
            "status": elder.status, "status_date": elder.status_date,
        }),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "members": elder.members.all(),
        "member_form": forms.get("member_form") or HouseholdMemberForm(),
        "override_form": forms.get("override_form") or CategoryOverrideForm(),
        "category_details": elder.category_details(),
        # The record's history is for staff of its area, not for the elder or family.
        "history": _history(elder) if scope.in_area(user, elder.region_code) else None,
    }


@login_required
@require_safe
def elder_detail(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = queries.get_elder_for(request.user, elder_id)
    return render(request, "registry/detail.html", _detail_context(request, elder))


@login_required
@require_POST
@never_cache
def reveal(request: HttpRequest, elder_id: int) -> HttpResponse:
    """The full ID number and phone, with a stated reason; each reveal is audited."""
    elder = queries.get_elder_for(request.user, elder_id)
    if not scope.can_reveal(request.user, elder.region_code):
        raise PermissionDenied
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = actions.reveal_elder(elder, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            add_errors(form, e)
    if _is_fragment_request(request):
        template = "registry/_revealed.html" if revealed else "registry/_reveal.html"
        return render(request, template, {"elder": elder, "reveal_form": form, "revealed": revealed})
    return render(request, "registry/detail.html",
                  _detail_context(request, elder, reveal_form=form, revealed=revealed))


@login_required
@require_http_methods(["GET", "POST"])
def elder_create(request: HttpRequest) -> HttpResponse:
    if not scope.can_import(request.user):  # an editor with an area
        raise PermissionDenied
    form = ElderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            elder = actions.create_elder(by=request.user, **form.action_fields())
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": elder.name})
            return redirect("registry:detail", elder.pk)
    return render(request, "registry/form.html", {"form": form, "elder": None})


@login_required
@require_http_methods(["GET", "POST"])
def elder_edit(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    form = ElderForm(request.POST or None, user=request.user, elder=elder)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_elder(elder, by=request.user, **form.action_fields())
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The record is saved."))
            return redirect("registry:detail", elder.pk)
    return render(request, "registry/form.html", {"form": form, "elder": elder})


@login_required
@require_POST
def elder_status(request: HttpRequest, elder_id: int) -> HttpResponse:
    """Death, moving out, or back to active; the record itself stays."""
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            actions.set_elder_status(
                elder, by=request.user, status=form.cleaned_data["status"],
                on=form.cleaned_data["status_date"], note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The status is saved."))
            return redirect("registry:detail", elder.pk)
    return render(request, "registry/detail.html", _detail_context(request, elder, status_form=form))


@login_required
@require_http_methods(["GET", "POST"])
def health(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    if not scope.can_see_health(request.user, elder):
        raise PermissionDenied
    record = HealthRecord.objects.filter(elder=elder).first()
    initial = {f: getattr(record, f) for f in HealthForm._meta.fields} if record else {}
    form = HealthForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_health_record(elder, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The health record is saved."))
            return redirect("registry:detail", elder.pk)
    return render(request, "registry/health.html", {"form": form, "elder": elder})


@login_required
@require_POST
def add_contact(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    return _post_on_detail(request, elder, ContactForm(request.POST), act=actions.add_contact,
                           done=_("The contact is added."), form_name="contact_form")


def _post_on_detail(request: HttpRequest, elder, form, *, act, done: str, form_name: str) -> HttpResponse:
    """A form of the elder page: on success the action runs and the page is shown again with
    `done`; on an error the page comes back with the form and its messages."""
    if form.is_valid():
        try:
            act(elder, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, done)
            return redirect("registry:detail", elder.pk)
    return render(request, "registry/detail.html", _detail_context(request, elder, **{form_name: form}))


@login_required
@require_POST
def add_member(request: HttpRequest, elder_id: int) -> HttpResponse:
    """A spouse, child or other relative, and where they live; the categories follow."""
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    return _post_on_detail(request, elder, HouseholdMemberForm(request.POST), act=actions.add_household_member,
                           done=_("The household member is added."), form_name="member_form")


@login_required
@require_POST
def remove_member(request: HttpRequest, elder_id: int, member_id: int) -> HttpResponse:
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    member = elder.members.filter(pk=member_id).first()
    if member is None:
        raise Http404
    actions.remove_household_member(member, by=request.user)
    messages.success(request, _("The household member is removed."))
    return redirect("registry:detail", elder.pk)


@login_required
@require_POST
def confirm_household(request: HttpRequest, elder_id: int) -> HttpResponse:
    """The household as listed is complete (also: no spouse and no children)."""
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    actions.confirm_household(elder, by=request.user)
    messages.success(request, _("The household record is confirmed."))
    return redirect("registry:detail", elder.pk)


@login_required
@require_POST
def override_category(request: HttpRequest, elder_id: int) -> HttpResponse:
    """Correct a derived category, with a reason (audited)."""
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    return _post_on_detail(request, elder, CategoryOverrideForm(request.POST), act=actions.override_category,
                           done=_("The correction is saved."), form_name="override_form")


@login_required
@require_POST
def remove_override(request: HttpRequest, elder_id: int, category: str) -> HttpResponse:
    """Let the data decide the category again."""
    elder = queries.get_elder_for(request.user, elder_id, write=True)
    actions.remove_category_override(elder, by=request.user, category=category)
    messages.success(request, _("The correction is removed: the data decide again."))
    return redirect("registry:detail", elder.pk)


# -- import --------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a sheet of elders; the rows are read in the background."""
    if not scope.can_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.start_import(by=request.user, uploaded_file=form.cleaned_data["file"])
        except ValidationError as e:
            form.add_error("file" if not hasattr(e, "error_dict") else None, e)
        else:
            return redirect("registry:import_job", job.pk)
    recent = ImportJob.objects.filter(created_by=request.user)[:10]
    return render(request, "registry/import.html", {"form": form, "recent": recent})


@login_required
@require_safe
def import_template(request: HttpRequest) -> HttpResponse:
    if not scope.can_import(request.user):
        raise PermissionDenied
    response = HttpResponse(imports.template_xlsx(by=request.user), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{TEMPLATE_FILENAME}.xlsx")
    return response


@login_required
@require_safe
@vary_on_headers("HX-Request")
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """One import's progress; the fragment polls itself while the job is queued or running."""
    job = queries.get_import_job_for(request.user, job_id)
    template = "registry/_import_progress.html" if _is_fragment_request(request) else "registry/import_job.html"
    return render(request, template, {
        "job": job, "in_progress": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
    })


@login_required
@require_safe
def import_errors(request: HttpRequest, job_id: int) -> FileResponse:
    """The rejected rows, each with the reason, to correct and upload again."""
    job = queries.get_import_job_for(request.user, job_id)
    if not job.error_file:
        raise Http404
    extension = os.path.splitext(job.error_file.name)[1] or ".xlsx"
    filename = f"{REJECTED_FILENAME}-{job.pk}{extension}"
    return FileResponse(imports.open_error_file(job, by=request.user), as_attachment=True, filename=filename)
