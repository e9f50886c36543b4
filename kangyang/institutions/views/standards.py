"""Pages: the standards check — the bureau's list of shortfalls (/institutions/standards/).

An institution's own checks are an include (templates/institutions/_standards.html) that the
register's institution page renders with `checks = standards.check(institution)`."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from kangyang.accounts import scope
from kangyang.institutions.models import Institution
from kangyang.institutions.queries import standards as queries


PER_PAGE = 50  # institutions


@login_required
def shortfall_list(request):
    if not scope.can_open(request.user, "institutions"):
        raise PermissionDenied
    kinds = [(k, label) for k, label in Institution.Kind.choices if k in queries.CHECKED_KINDS]
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(kinds) else ""
    subdistricts = list(queries.subdistricts_for(request.user))
    subdistrict = request.GET.get("subdistrict", "")
    subdistrict = subdistrict if subdistrict in {r.code for r in subdistricts} else ""
    missing = request.GET.get("missing", "1") != "0"
    rows = queries.shortfalls(request.user, kind=kind, subdistrict=subdistrict, missing=missing)
    return render(request, "institutions/standards.html", {
        "rows": rows, "page_obj": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")), "kinds": kinds, "kind": kind, "subdistricts": subdistricts, "subdistrict": subdistrict,
        "missing": missing,
    })


urlpatterns = [
    path("standards/", shortfall_list, name="standards"),
]
