"""Reads of hazards: the three lists (隐患清单 hazards, 整改清单 rectification, 责任清单
responsibility) are one scoped query with filters; one hazard and its photos for those who
may see it (404 otherwise)."""

import datetime as dt

from django.http import Http404
from django.utils import timezone

from kangyang.institutions.models import Hazard, HazardPhoto

LISTS = ("hazards", "rectification", "responsibility")


def hazards_for(user, *, institution: int | None = None, status: str = "", severity: str = "",
                overdue: bool | None = None, today: dt.date | None = None):
    today = today or timezone.localdate()
    hazards = Hazard.objects.visible_to(user).select_related("institution", "institution__organisation")
    if institution:
        hazards = hazards.filter(institution_id=institution)
    if status:
        hazards = hazards.filter(status=status)
    if severity:
        hazards = hazards.filter(severity=severity)
    if overdue is True:
        hazards = hazards.overdue(on=today)
    elif overdue is False:
        hazards = hazards.exclude(pk__in=Hazard.objects.overdue(on=today).values("pk"))
    return hazards.order_by("status", "deadline", "id")


def get_hazard_for(user, hazard_id: int) -> Hazard:
    hazard = (Hazard.objects.visible_to(user).select_related("institution", "institution__organisation",
                                                              "rechecked_by").filter(pk=hazard_id).first())
    if hazard is None:
        raise Http404
    return hazard


def get_photo_for(user, photo_id: int) -> HazardPhoto:
    photo = HazardPhoto.objects.filter(pk=photo_id, hazard__in=Hazard.objects.visible_to(user)).first()
    if photo is None:
        raise Http404
    return photo


def days_overdue(hazard: Hazard, today: dt.date | None = None) -> int:
    """Days past the deadline of a hazard still to be put right (0 when not overdue)."""
    today = today or timezone.localdate()
    if hazard.status != Hazard.Status.OPEN or hazard.deadline >= today:
        return 0
    return (today - hazard.deadline).days


def counts_for(user, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    visible = Hazard.objects.visible_to(user)
    return {
        "open": visible.filter(status=Hazard.Status.OPEN).count(),
        "rectified": visible.filter(status=Hazard.Status.RECTIFIED).count(),
        "closed": visible.filter(status=Hazard.Status.CLOSED).count(),
        "overdue": visible.overdue(on=today).count(),
    }
