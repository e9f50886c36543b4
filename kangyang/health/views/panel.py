"""/health/: the panel. For a family-doctor team member: the team's elders, who is due, readings
to look at and open alerts; for the area's staff: who is due in their area. Each topic gives its
own section (`queries.<topic>.panel_section`), shown in the order below."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path

from kangyang.accounts import scope
from kangyang.health.queries import checkups, contracts, followups, readings, screening

SECTIONS = [
    ("readings", readings), ("followups", followups), ("checkups", checkups),
    ("contracts", contracts), ("screening", screening),
]


def index(request):
    if not scope.can_open(request.user, "health"):
        raise PermissionDenied
    sections = []
    for name, module in SECTIONS:
        section = module.panel_section(request.user)
        if section is not None:
            sections.append((f"health/panel/_{name}.html", section))
    return render(request, "health/index.html", {"sections": sections})


urlpatterns = [path("", index, name="index")]
