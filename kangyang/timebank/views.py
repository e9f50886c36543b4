"""Time-bank pages. The daily digests page is public (no sign-in): the last hash of each day,
for anyone to copy, so that a ledger rewritten afterwards is caught by what they kept."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kangyang.timebank import queries

DIGESTS_PER_PAGE = 100


@require_safe
def digests(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.digests(), DIGESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "timebank/digests.html", {"page_obj": page, "digests": page.object_list,
                                                     "querystring": ""})
