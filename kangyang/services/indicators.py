"""The home-service module's indicators: orders, completed, on time, flagged visits, ratings and
the allowance money spent, over the orders whose service window starts in the period.

"Orders of the period": orders whose window (`window_start`) begins within the period in
Asia/Shanghai (until now while the period runs), whatever their status: cancelled orders and
no-shows are orders too. "Completed": delivered and checked out (checked out, confirmed or
settled); an order cancelled after its visit was rejected on review is not.

Region: the order's own `region_code` (the community the elder lived in when ordering).

One grouped query for all of them: they share the base `orders`.
"""

from django.conf import settings
from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kangyang.allowances.models import MONEY
from kangyang.indicators.registry import COUNT, PERCENT, YUAN, Indicator, Query
from kangyang.services.models import Order, ServiceVisitFlag

# An average of 1–5 stars (the order's rating).
STARS = "stars"

COMPLETED = (Order.Status.CHECKED_OUT, Order.Status.CONFIRMED, Order.Status.SETTLED)
ORDERS_AS_OF = _("orders whose service window starts in the period (up to now while it runs), in the community "
                 "the elder lived in when ordering")


def orders(q: Query):
    """Orders whose window starts in the query's period, with `subsidy`: what the service
    allowance and the consumption voucher pay of the price."""
    return Order.objects.filter(window_start__gte=q.start, window_start__lt=q.end).annotate(
        subsidy=ExpressionWrapper(F("allowance_amount") + F("voucher_amount"), output_field=DecimalField(**MONEY)))


def _completed(q: Query) -> Q:
    return Q(status__in=COMPLETED)


def _on_time(q: Query) -> Q:
    """Completed, and checked in at a time that earns no timing flag (rules.check_in_timing):
    not after the window's end, and not earlier than KANGYANG_EARLY_CHECK_IN_HOURS before its
    start. A check-in exactly at the window's end is on time."""
    return _completed(q) & Q(service_visit__checked_in_at__lte=F("window_end"),
                             service_visit__checked_in_at__gte=F("window_start") - settings.EARLY_CHECK_IN)


def _visited(q: Query) -> Q:
    return Q(service_visit__isnull=False)


def _flagged(q: Query) -> Q:
    return _visited(q) & Q(Exists(ServiceVisitFlag.objects.filter(service_visit=OuterRef("service_visit"))))


def _rated(q: Query) -> Q:
    return Q(rating__isnull=False)


INDICATORS = [
    Indicator(
        code="service_orders", name=_("home-service orders"), unit=COUNT, group="services",
        numerator=orders, numerator_text=_("home-service orders, whatever their status"), as_of_text=ORDERS_AS_OF),
    Indicator(
        code="service_orders_completed", name=_("home-service orders completed"), unit=COUNT, group="services",
        numerator=orders, numerator_where=_completed,
        numerator_text=_("orders delivered and checked out (checked out, confirmed or settled)"),
        as_of_text=ORDERS_AS_OF),
    Indicator(
        code="service_orders_on_time_rate", name=_("home-service orders completed on time"), unit=PERCENT,
        group="services", numerator=orders, numerator_where=_on_time,
        numerator_text=_("completed orders whose caregiver checked in on time: not after the ordered window's end "
                         "and not earlier before its start than the check-in rule allows (the times that raise a "
                         "visit's early or late check-in flag)"),
        denominator=orders, denominator_where=_completed, denominator_text=_("completed orders"),
        as_of_text=ORDERS_AS_OF),
    Indicator(
        code="service_visits_flagged_rate", name=_("home-service visits flagged"), unit=PERCENT, group="services",
        numerator=orders, numerator_where=_flagged,
        numerator_text=_("visits with at least one flag for a supervisor's review (far from home, too short, "
                         "overlapping, checked in early or late…)"),
        denominator=orders, denominator_where=_visited,
        denominator_text=_("visits: orders at which a caregiver checked in"), as_of_text=ORDERS_AS_OF),
    Indicator(
        code="service_orders_rated_rate", name=_("home-service orders rated"), unit=PERCENT, group="services",
        numerator=orders, numerator_where=_rated,
        numerator_text=_("completed orders the elder or family rated (1 to 5 stars) on confirming them"),
        denominator=orders, denominator_where=_completed, denominator_text=_("completed orders"),
        as_of_text=ORDERS_AS_OF),
    Indicator(
        code="service_rating_average", name=_("average home-service rating"), unit=STARS, group="services",
        numerator=orders, numerator_where=_rated, measure="rating",
        numerator_text=_("the stars of the rated orders, added up"),
        denominator=orders, denominator_where=_rated, denominator_text=_("rated orders"),
        as_of_text=ORDERS_AS_OF),
    Indicator(
        code="service_subsidy_yuan", name=_("service allowance and vouchers spent"), unit=YUAN, group="services",
        numerator=orders, numerator_where=_completed, measure="subsidy",
        numerator_text=_("what the service allowance and the elder-care consumption voucher paid of the price of "
                         "completed orders"),
        as_of_text=ORDERS_AS_OF),
]
