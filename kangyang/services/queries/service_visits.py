"""Reads of verified home visits: one visit, those waiting for review, the elder's home."""

from django.shortcuts import get_object_or_404

from kangyang.accounts import scope
from kangyang.registry.models import Elder
from kangyang.services.models import ServiceVisit, service_filter
from kangyang.services.queries._common import R, supervises
from kangyang.services.queries.providers import manages


def can_review(user, service_visit: ServiceVisit) -> bool:
    """A flagged visit is reviewed by its provider's manager or by a supervisor of the area."""
    return manages(user, service_visit.provider_id) or supervises(user, service_visit.region_code)


def get_service_visit_for(user, service_visit_id: int) -> ServiceVisit:
    service_visits = ServiceVisit.objects.filter(service_filter(user)).select_related("order__item", "elder", "caregiver", "provider")
    return get_object_or_404(service_visits, pk=service_visit_id)


def flagged_service_visits_for(user):
    """Visits waiting for review, that the user may review."""
    service_visits = ServiceVisit.objects.filter(review=ServiceVisit.Review.PENDING).select_related(
        "order__item", "elder", "caregiver", "provider__organisation")
    if user.role == R.PROVIDER_MANAGER:
        return service_visits.filter(provider__organisation_id=user.organisation_id) if user.organisation_id else service_visits.none()
    if scope.supervises_services(user):
        return service_visits.filter(scope.region_filter(user, field="region_code"))
    return service_visits.none()


def home_of(elder: Elder) -> tuple[float, float] | None:
    """The elder's home as (lat, lng) WGS-84: their household's location, else their
    compound's; None when neither is known."""
    for place in (elder.household, elder.compound):
        if place is not None and place.lat is not None and place.lng is not None:
            return place.lat, place.lng
    return None
