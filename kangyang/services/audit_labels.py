"""The home-services app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kangyang.services.models import OrderEvent, Provider, ServiceItem

VERBS = {
    "provider.register": _("registered a provider"),
    "provider.areas": _("changed a provider's service areas"),
    "provider.update": _("changed a provider"),
    "provider.price": _("set a provider's price"),
    "service_item.create": _("added a service item"),
    "caregiver.create": _("added a caregiver"),
    "caregiver.update": _("changed a caregiver"),
    "caregiver.shifts": _("changed a caregiver's shifts"),
    "order.create": _("placed an order"),
    "complaint.create": _("made a complaint"),
    "complaint.close": _("closed a complaint"),
    "recurrence.create": _("set up a recurring order"),
    "recurrence.stop": _("stopped a recurring order"),
    "route_plan.plan": _("planned the day's routes"),
    "route_plan.request": _("asked for the day's routes to be planned"),
    "visit.review": _("reviewed a flagged visit"),
    "settlement.issue": _("issued a settlement statement"),
    "settlement.export": _("downloaded a settlement statement"),
    # One per step of an order's timeline: "Order: dispatched".
    **{f"order.{value}": format_lazy(_("Order: {step}"), step=label) for value, label in OrderEvent.Kind.choices},
}


def _plan(plan) -> str:
    return _("Routes of %(provider)s on %(day)s") % {"provider": plan.provider, "day": date_format(plan.day, "Y-m-d")}


def _visit(visit) -> str:
    return _("Visit of order #%(order)s") % {"order": visit.order_id}


def _recurrence(recurrence) -> str:
    return _("Recurring %(item)s for %(elder)s") % {"item": recurrence.item, "elder": recurrence.elder.name}


def item_names(codes) -> dict:
    return dict(ServiceItem.objects.filter(code__in=[c for c in codes if isinstance(c, str)]).values_list("code", "name"))


def provider_names(ids) -> dict:
    providers = Provider.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).select_related("organisation")
    return {p.pk: str(p) for p in providers}


VALUES = {"item": item_names, "provider": provider_names}
TARGETS = {"services.routeplan": _plan, "services.routeplanrun": _plan, "services.servicevisit": _visit, "services.recurrence": _recurrence}
FIELDS = {
    "item": _("service item"), "provider": _("provider"), "quantity": _("quantity"), "price": _("price"),
    "allowance": _("service allowance"), "voucher": _("consumption voucher"), "own": _("elder pays"),
    "channel": _("channel"), "urgent": _("urgent"), "caregiver": _("caregiver"), "caregivers": _("caregivers"),
    "rating": _("rating"), "distance_m": _("distance (m)"), "within": _("within the radius"),
    "day": _("day"), "orders": _("orders"), "planned": _("planned"), "unassigned": _("unassigned"),
    "travel_seconds": _("travel (seconds)"), "held": _("held back"), "weekdays": _("weekdays"),
    "skills": _("skills"), "areas": _("service areas"), "review": _("review"), "order": _("order"),
    "override_reason": _("reason for the override"),
}
