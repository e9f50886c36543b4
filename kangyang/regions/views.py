from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from kangyang.accounts import scope
from kangyang.regions import imports
from kangyang.regions.forms import TreeImportForm
from kangyang.regions.models import Region


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    """The part of the region tree the user works in, with compounds and elders per node."""
    regions = (
        Region.objects.visible_to(request.user)
        .annotate(compound_count=Count("compounds", distinct=True))
        .order_by("code")
    )
    return render(request, "regions/list.html", {
        "regions": regions, "can_import": scope.can_read_audit(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def tree_import(request: HttpRequest) -> HttpResponse:
    """The bureau admin loads the tree (or compounds) from the statistics bureau's sheet."""
    if not scope.can_read_audit(request.user):  # bureau admin only
        raise PermissionDenied
    form = TreeImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = imports.import_regions if form.cleaned_data["kind"] == "regions" else imports.import_compounds
        try:
            result = run(upload.read(), upload.name, by=request.user)
        except ValidationError as e:
            form.add_error("file", e)
    return render(request, "regions/import.html", {"form": form, "result": result})
