"""The demo's indicator history: which periods, computed once per district, and the seeded
elders' registration dates it rests on (registry/demo.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.indicators import demo
from kangyang.indicators.models import Snapshot
from kangyang.indicators.registry import Period
from kangyang.registry.demo import REGISTER_TAKEN_OVER_YEARS, _Person, registered_at


def test_the_history_is_the_past_twelve_months_last_year_and_the_running_periods():
    periods = demo.history_periods(dt.date(2026, 2, 10))
    assert [p.key for p in periods] == [
        "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10",
        "2025-11", "2025-12", "2026-01", "2025", "2026-02", "2026"]


def test_the_demo_computes_the_history_once(tree, admin, worker_a, elder_in_a):
    text = demo.seed_demo_finished(districts=[tree])
    assert "15" in text
    assert set(Snapshot.objects.filter(region_code=tree.code).values_list("period", flat=True)) == {
        p.key for p in demo.history_periods(timezone.localdate())}
    assert AuditEntry.objects.filter(verb=demo.VERB, region_code=tree.code).count() == 1
    taken = Snapshot.objects.filter(region_code=tree.code).order_by("computed_at").last().computed_at
    assert demo.seed_demo_finished(districts=[tree]) == ""
    assert Snapshot.objects.filter(region_code=tree.code).order_by("computed_at").last().computed_at == taken
    # The elder registered today is in this month's figure, in none of the months before.
    today = timezone.localdate()
    figures = dict(Snapshot.objects.filter(region_code=tree.code, code="elders").values_list("period", "value"))
    assert figures[Period(today.year, today.month).key] == 1
    assert figures[demo.history_periods(today)[0].key] == 0


def _person(birth: dt.date, **extra) -> _Person:
    return _Person(name="张三", sex="F", birth=birth, age=0, arrangement="alone", id_number="360103196001010026", **extra)


def test_a_seeded_elder_was_registered_when_the_register_was_taken_over_or_at_sixty():
    today = dt.date(2026, 6, 1)
    old = registered_at(_person(dt.date(1940, 5, 5)), today)
    taken_over = dt.date(2026 - REGISTER_TAKEN_OVER_YEARS, 6, 1)
    assert timezone.localtime(old).date() == taken_over
    young = registered_at(_person(dt.date(1965, 3, 1)), today)  # sixty on 2025-03-01
    assert dt.date(2025, 3, 1) <= timezone.localtime(young).date() < dt.date(2025, 5, 1)
    died = registered_at(_person(dt.date(1965, 3, 1), status="deceased", status_date=dt.date(2025, 3, 2)), today)
    assert timezone.localtime(died).date() < dt.date(2025, 3, 2)
    # Drawn from the ID number: the same elder, the same moment.
    assert registered_at(_person(dt.date(1965, 3, 1)), today) == young


@pytest.mark.parametrize("days", [0, 1, 30])
def test_nobody_is_registered_after_now(days):
    """Sixty a few days ago: registered within two months of the birthday, but not later than now."""
    today = timezone.localdate()
    birth = today.replace(year=today.year - 60, day=min(today.day, 28)) - dt.timedelta(days=days)
    assert registered_at(_person(birth), today) <= timezone.now()
