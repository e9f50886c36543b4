from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kangyang.accounts import scope
from kangyang.portal.queries import own_page_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The elder's or family member's own page: orders, alarms and allowances of their elders."""
    if not scope.has_own_page(request.user):
        raise PermissionDenied
    return render(request, "portal/home.html", {"summaries": own_page_for(request.user)})
