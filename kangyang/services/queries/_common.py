"""What the reads of home services share: the role and status shorthands, local days, and
who supervises an area's services."""

import datetime as dt

from django.utils import timezone

from kangyang.accounts import scope
from kangyang.services.models import Order


R = scope.R


S = Order.Status


def supervises(user, region_code: str) -> bool:
    """Bureau staff and subdistrict officers whose area covers the record."""
    return scope.supervises_services_of(user, region_code)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A local day as [start, end) in aware datetimes."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
