from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kangyang.accounts import scope
from kangyang.audit.forms import AuditFilterForm
from kangyang.audit.presentation import describe
from kangyang.audit.queries import audit_entries_for


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """The bureau admin searches who did or saw what."""
    if not scope.can_read_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries_for(
        request.user, username=filters.get("user", ""), action=filters.get("action", ""),
        target=filters.get("target", ""), ip=filters.get("ip"), since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(entries.select_related("actor"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "audit/_table.html" if request.htmx else "audit/list.html"
    return render(request, template, {
        "form": form, "page_obj": page, "lines": describe(page), "querystring": query.urlencode(),
    })
