"""/api/v1/orders, dispatch and routes: the caregiver's day in time order, accepting,
declining, setting off, and the manager's assignment (the caregivers who fit first, anyone
else only with an override reason)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.lib.pagination import Page
from kangyang.lib.schemas import UtcDatetime
from kangyang.services import actions, planning, queries
from kangyang.services.api._common import _detail, _referenced, router
from kangyang.services.api.orders import OrderDetailOut, OrderOut, ReasonIn
from kangyang.services.api.service_visits import ServiceVisitOut, _service_visit_of
from kangyang.services.models import Caregiver, Order, RouteStop


class RouteOrderOut(OrderOut):
    """An order of the caregiver's day, in route order."""

    position: int | None = Field(None, description="Place in the planned route (0 first); null if unplanned.")
    planned_start: UtcDatetime | None = Field(None, description="When the plan expects the service to start.")
    visit: ServiceVisitOut | None

    @staticmethod
    def resolve_position(obj: Order) -> int | None:
        stop = _stop_of(obj)
        return stop.position if stop else None

    @staticmethod
    def resolve_planned_start(obj: Order) -> dt.datetime | None:
        stop = _stop_of(obj)
        return stop.start if stop else None

    @staticmethod
    def resolve_visit(obj: Order):
        return _service_visit_of(obj)


def _stop_of(order: Order) -> RouteStop | None:
    try:
        return order.stop
    except RouteStop.DoesNotExist:
        return None


class AssignIn(Schema):
    caregiver: int = Field(..., description="A caregiver's id, of the order's provider.")
    note: str = Field("", max_length=2000)
    override_reason: str = Field(
        "", max_length=2000,
        description="Needed (422 override_needed without it) to choose a caregiver who does not fit the order: "
                    "off shift, late, or past the shift's end (see GET …/caregivers). The order keeps a warning.")


class CaregiverOptionOut(Schema):
    """A caregiver of the order's provider as a choice for it, ranked: those who fit first, by least added travel."""

    caregiver: int
    name: str
    fits: bool = Field(..., description="Fits every rule: may be chosen without an override.")
    allowed: bool = Field(..., description="May be chosen (with an override when she does not fit); never with "
                                           "the skill missing or another visit booked at once.")
    problems: list[str] = Field(..., description="skill, overlap, off_shift, late, overtime.")
    reason: str = Field(..., description='In words, e.g. "on shift 08:00–17:00, 1.2 km added, 3 visits today".')
    added_km: float
    added_minutes: int
    visits_today: int
    planned_start: UtcDatetime  # when the visit would start in her day


@router.get("/today", response=list[RouteOrderOut], summary="The caregiver's route today")
@paginate(Page)
def today(request):
    """For the caregiver app: the caller's own orders of today (local date) in time order —
    by the plan's start where the day is planned, else by the window's start. Only
    caregivers (403 for others)."""
    user = request.auth
    if user.role != queries.R.CAREGIVER:
        raise PermissionDenied
    caregiver = queries.caregiver_of(user)
    if caregiver is None:
        return Order.objects.none()
    return (queries.caregiver_day(caregiver, timezone.localdate())
            .select_related("provider__organisation", "caregiver").prefetch_related("service_visit__flags"))


@router.post("/{order_id}/accept", response=OrderDetailOut, summary="Accept (caregiver)")
def accept(request, order_id: int):
    """The assigned caregiver takes the order on (from `dispatched`)."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.accept_order(order, by=request.auth))


@router.post("/{order_id}/decline", response={204: None}, summary="Decline (caregiver)")
def decline(request, order_id: int, payload: ReasonIn):
    """The assigned caregiver cannot take it, with a reason: it is dispatched again to
    someone else, so it leaves their list (204)."""
    order = queries.get_order_for(request.auth, order_id)
    actions.decline_order(order, by=request.auth, reason=payload.reason)
    return Status(204, None)


@router.post("/{order_id}/en-route", response=OrderDetailOut, summary="On the way (caregiver)")
def en_route(request, order_id: int):
    """The assigned caregiver sets off to the elder (from `accepted`)."""
    order = queries.get_order_for(request.auth, order_id)
    return _detail(actions.start_travel(order, by=request.auth))


@router.post("/{order_id}/assign", response=OrderDetailOut, summary="Assign a caregiver (provider manager)")
def assign(request, order_id: int, payload: AssignIn):
    """The provider's manager gives the order to one of their caregivers who has the skill
    (also to take it from one who accepted it)."""
    user = request.auth
    order = queries.get_order_for(user, order_id)
    if not queries.manages(user, order.provider_id):  # before naming a caregiver they cannot see
        raise PermissionDenied
    caregiver = _referenced(Caregiver.objects.visible_to(user), Caregiver, payload.caregiver, "caregiver",
                            _("There is no such caregiver."))
    return _detail(actions.assign_order(order, by=user, caregiver=caregiver, note=payload.note,
                                        override_reason=payload.override_reason))


@router.get("/{order_id}/caregivers", response=list[CaregiverOptionOut], summary="Caregivers for an order (provider manager)")
def caregiver_options(request, order_id: int):
    """The provider's active caregivers as choices for the order, ranked by the dispatch rules,
    each with the reason; only for the order's provider manager."""
    user = request.auth
    order = queries.get_order_for(user, order_id)
    if not queries.manages(user, order.provider_id):
        raise PermissionDenied
    return [{
        "caregiver": o.caregiver.pk, "name": o.caregiver.name, "fits": o.ok, "allowed": o.allowed,
        "problems": list(o.fit.problems), "reason": o.reason(), "added_km": round(o.fit.added_metres / 1000, 1),
        "added_minutes": round(o.fit.added_seconds / 60), "visits_today": o.fit.visits,
        "planned_start": planning.at_seconds(o.day, o.fit.start),
    } for o in planning.options_for(order)]
