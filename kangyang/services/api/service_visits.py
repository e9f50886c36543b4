"""/api/v1/orders, verified visits: check-in and check-out at the elder's home, and the visit
with its flags as an order shows it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from kangyang.lib.schemas import StrictAwareDatetime, UtcDatetime
from kangyang.services import actions, queries
from kangyang.services.api._common import CoordSystem, FlagCode, OrderStatus, Review, router
from kangyang.services.models import Order, ServiceVisit, ServiceVisitFlag


class ServiceVisitFlagOut(Schema):
    code: FlagCode
    label: str
    detail: str = Field(..., description="The figures behind the flag in words, e.g. \"2013 m from home\".")
    facts: dict = Field(..., description="The same figures as data: distance_m, accuracy_m, minutes, planned, km, order, since.")
    created_at: UtcDatetime

    @staticmethod
    def resolve_label(obj: ServiceVisitFlag) -> str:
        return str(obj.get_code_display())

    @staticmethod
    def resolve_detail(obj: ServiceVisitFlag) -> str:
        return obj.describe()


class ServiceVisitOut(Schema):
    """The verified visit: distances from the elder's home and whether each check was
    within the radius (null when it could not be told), never the location itself."""

    checked_in_at: UtcDatetime
    check_in_distance_m: int | None = Field(None, description="Metres from the elder's home at check-in.")
    check_in_accuracy_m: int | None = Field(None, description="The phone's accuracy radius at check-in.")
    check_in_within_radius: bool | None = Field(None, alias="check_in_ok")
    checked_out_at: UtcDatetime | None
    check_out_distance_m: int | None
    check_out_accuracy_m: int | None
    check_out_within_radius: bool | None = Field(None, alias="check_out_ok")
    minutes: int | None = Field(None, description="At the home, from check-in to check-out.")
    notes: str = Field(..., description="The caregiver's notes at check-out.")
    review: Review = Field(..., description="Flagged visits wait for review before they are paid.")
    held_back: bool = Field(..., description="Not settled until a supervisor has reviewed the flags.")
    flags: list[ServiceVisitFlagOut]

    @staticmethod
    def resolve_flags(obj: ServiceVisit):
        return list(obj.flags.all())


def _service_visit_of(order: Order) -> ServiceVisit | None:
    try:
        return order.service_visit
    except ServiceVisit.DoesNotExist:
        return None


class PointIn(Schema):
    """Where the phone is. Latitude and longitude are optional: a phone without a location
    still checks in, and the visit is flagged `no_location`."""

    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=100_000, description="The phone's accuracy radius in metres.")
    coord: CoordSystem = Field("wgs84", description="gcj02 for AMap and Tencent, bd09 for Baidu.")
    at: StrictAwareDatetime | None = Field(
        None, description="When the check was made, for a check queued while the phone was offline (≤ 12 h ago).")


class CheckInIn(PointIn):
    pass


class CheckOutIn(PointIn):
    notes: str = Field("", max_length=4000, description="What was done, for the record.")


class CheckOut(Schema):
    """The result of a check-in or check-out, for the caregiver app to show."""

    order: int
    status: OrderStatus
    radius_m: int = Field(..., description="The radius around the elder's home a check must be within.")
    distance_m: int | None = Field(None, description="Metres from the elder's home at this check; null if unknown.")
    within_radius: bool | None = Field(None, description="Null when there was no location or no known home.")
    raised: list[FlagCode] = Field(..., description="Flags this check raised (the visit goes to review).")
    visit: ServiceVisitOut


def _fix(point: PointIn) -> actions.Fix | None:
    if point.lat is None and point.lng is None:
        return None
    if point.lat is None or point.lng is None:
        missing = "lat" if point.lat is None else "lng"
        raise ValidationError({missing: ValidationError(
            _("Send both latitude and longitude, or neither."), code="coord")})
    return actions.Fix(lat=point.lat, lng=point.lng, accuracy_m=point.accuracy, system=point.coord)


def _check_result(order: Order, service_visit: ServiceVisit, *, before: set[str], checking_out: bool) -> dict:
    service_visit = ServiceVisit.objects.prefetch_related("flags").get(pk=service_visit.pk)
    return {
        "order": order.pk, "status": order.status, "radius_m": settings.VISIT_RADIUS_M,
        "distance_m": service_visit.check_out_distance_m if checking_out else service_visit.check_in_distance_m,
        "within_radius": service_visit.check_out_ok if checking_out else service_visit.check_in_ok,
        "raised": [f.code for f in service_visit.flags.all() if f.code not in before],
        "visit": service_visit,
    }


@router.post("/{order_id}/check-in", response=CheckOut, summary="Check in at the home (caregiver)")
def check_in(request, order_id: int, payload: CheckInIn):
    """The assigned caregiver arrives. The answer says how far from the elder's home the
    phone was, whether that was within the radius, and the flags the visit got (far,
    imprecise, no location, overlap, impossible travel); a failed check never refuses."""
    order = queries.get_order_for(request.auth, order_id)
    fix = _fix(payload)
    service_visit = actions.check_in(order, by=request.auth, fix=fix, at=payload.at)
    return _check_result(service_visit.order, service_visit, before=set(), checking_out=False)


@router.post("/{order_id}/check-out", response=CheckOut, summary="Check out (caregiver)")
def check_out(request, order_id: int, payload: CheckOutIn):
    """The assigned caregiver leaves, with notes. As for check-in, plus a visit much
    shorter than planned is flagged."""
    order = queries.get_order_for(request.auth, order_id)
    fix = _fix(payload)
    service_visit = _service_visit_of(order)
    before = set(service_visit.flags.values_list("code", flat=True)) if service_visit else set()
    service_visit = actions.check_out(order, by=request.auth, fix=fix, notes=payload.notes, at=payload.at)
    return _check_result(service_visit.order, service_visit, before=before, checking_out=True)
