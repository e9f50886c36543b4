"""Pages: the register of institutions and facilities."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path

from kangyang.accounts import scope
from kangyang.institutions.models import Institution


@login_required
def institution_list(request):
    if not scope.can_open(request.user, "institutions"):
        raise PermissionDenied
    institutions = Institution.objects.visible_to(request.user).select_related("organisation")[:200]
    return render(request, "institutions/list.html", {"institutions": institutions})


urlpatterns = [
    path("", institution_list, name="list"),
]
