"""Plain helpers of the plan, tier and rate tests: elders made quickly (the registry's own
builder, saved without the registry's scope and audit), care visits at given local times."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from kangyang.lib import residentid
from kangyang.registry.actions import build_elder
from kangyang.registry.models import Elder
from kangyang.visits.models import CareVisit

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    """A moment in Asia/Shanghai."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def make_elder(community, *, name="", birth=dt.date(1950, 5, 1), categories=("low_income",), living="spouse",
               registered=None, created_at=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI)) -> Elder:
    """An elder registered (by default) on 1 January 2026, with the categories given."""
    n = next(_numbers)
    rid = residentid.parse(residentid.make("360103", birth, n % 1000))
    elder = build_elder(name=name or f"长者{n}", rid=rid, community=community, living_arrangement=living,
                        categories=categories, registered_community=registered)
    elder.save()
    if created_at is not None:
        Elder.objects.filter(pk=elder.pk).update(created_at=created_at)
        elder.created_at = created_at
    return elder


def visit(elder, visitor, *, when: dt.datetime, mode="home", status="done") -> CareVisit:
    return CareVisit.objects.create(elder=elder, region_code=elder.region_code, visitor=visitor, mode=mode,
                                    status=status, started_at=when)


def gone(elder, status: str, on: dt.date) -> Elder:
    Elder.objects.filter(pk=elder.pk).update(status=status, status_date=on)
    elder.refresh_from_db()
    return elder
