"""Reads of verified home visits: one visit, those waiting for review, the elder's home."""

from django.shortcuts import get_object_or_404

from kangyang.accounts import scope
from kangyang.registry.models import Elder
from kangyang.services.models import Visit, service_filter
from kangyang.services.queries._common import R, supervises
from kangyang.services.queries.providers import manages


def can_review(user, visit: Visit) -> bool:
    """A flagged visit is reviewed by its provider's manager or by a supervisor of the area."""
    return manages(user, visit.provider_id) or supervises(user, visit.region_code)


def get_visit_for(user, visit_id: int) -> Visit:
    visits = Visit.objects.filter(service_filter(user)).select_related("order__item", "elder", "caregiver", "provider")
    return get_object_or_404(visits, pk=visit_id)


def flagged_visits_for(user):
    """Visits waiting for review, that the user may review."""
    visits = Visit.objects.filter(review=Visit.Review.PENDING).select_related(
        "order__item", "elder", "caregiver", "provider__organisation")
    if user.role == R.PROVIDER_MANAGER:
        return visits.filter(provider__organisation_id=user.organisation_id) if user.organisation_id else visits.none()
    if scope.supervises_services(user):
        return visits.filter(scope.region_filter(user, field="region_code"))
    return visits.none()


def home_of(elder: Elder) -> tuple[float, float] | None:
    """The elder's home as (lat, lng) WGS-84: their household's location, else their
    compound's; None when neither is known."""
    for place in (elder.household, elder.compound):
        if place is not None and place.lat is not None and place.lng is not None:
            return place.lat, place.lng
    return None
