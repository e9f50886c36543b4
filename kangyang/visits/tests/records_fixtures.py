"""Fixtures of the visit-record tests (records, follow-ups, API, views): tiers, visits due and
a pairing on the project's personas (conftest.py). Import with `from ... import *`."""

import datetime as dt

import pytest
from django.utils import timezone

from kangyang.visits.models import Pairing, Tier, VisitDue


@pytest.fixture
def tier_high(db):
    """Weekly; only a home visit (or one through a neighbour) counts."""
    return Tier.objects.create(code="high", name="高风险", rank=1, interval_days=7, event_within_hours=24,
                               counted_modes=["home", "proxy"])


@pytest.fixture
def tier_general(db):
    """Quarterly; a call counts too."""
    return Tier.objects.create(code="general", name="一般", rank=3, interval_days=91,
                               counted_modes=["home", "phone", "video", "proxy"])


@pytest.fixture
def make_due(db):
    def make(elder, *, visitor=None, tier=None, reason=VisitDue.Reason.PLAN, due_by=None, month=None,
             proposed=None, created_at=None):
        now = timezone.now()
        today = timezone.localdate()
        return VisitDue.objects.create(
            elder=elder, region_code=elder.region_code, tier=tier, reason=reason,
            month=month or today.replace(day=1), due_by=due_by or tonight(),
            visitor=visitor, proposed_visitor=proposed, created_at=created_at or now - dt.timedelta(days=1),
        )
    return make


@pytest.fixture
def due_a(make_due, elder_in_a, volunteer, tier_high):
    """A visit to community A's elder, given to the volunteer, due today."""
    return make_due(elder_in_a, visitor=volunteer, tier=tier_high)


@pytest.fixture
def pairing_a(elder_in_a, worker_a, volunteer, today):
    def make(helper=volunteer, **extra):
        return Pairing.objects.create(elder=elder_in_a, region_code=elder_in_a.region_code, helper=helper,
                                      kind=Pairing.Kind.VOLUNTEER, started_on=today - dt.timedelta(days=30),
                                      created_by=worker_a, **extra)
    return make


def tonight(hour: int = 22) -> dt.datetime:
    """Today at `hour`, local time: due today whatever the time the tests run (past it, overdue)."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour)))


def ago(**kw) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kw)
