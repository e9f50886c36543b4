"""The background worker keeps the indicators' snapshots by itself: the running month and year
when theirs are older than KANGYANG_INDICATORS_REFRESH_MINUTES, last month once after its end;
an error is logged and never ends the worker."""

import datetime as dt
import logging
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kangyang.indicators.models import Snapshot
from kangyang.indicators.registry import Period
from kangyang.ops import housekeeping

pytestmark = pytest.mark.django_db(transaction=True)


def _periods() -> set[str]:
    return set(Snapshot.objects.filter(region_code="360103000000").values_list("period", flat=True))


def test_the_worker_snapshots_the_due_periods_when_it_starts(settings, tree):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    today = timezone.localdate()
    last = Period(today.year - 1, 12) if today.month == 1 else Period(today.year, today.month - 1)
    call_command("worker", "--batch", stdout=StringIO())
    assert {Period(today.year, today.month).key, Period(today.year).key, last.key} <= _periods()


def test_a_fresh_snapshot_is_not_taken_again_until_it_is_older_than_the_setting(settings, tree):
    settings.INDICATORS_REFRESH = dt.timedelta(minutes=15)
    now = timezone.now()
    assert housekeeping.snapshot_once(now=now) > 0
    taken = Snapshot.objects.filter(period=Period(timezone.localdate().year).key).first().computed_at
    assert housekeeping.snapshot_once(now=now + dt.timedelta(minutes=5)) == 0
    assert housekeeping.snapshot_once(now=now + dt.timedelta(minutes=16)) > 0
    assert Snapshot.objects.filter(period=Period(timezone.localdate().year).key).first().computed_at > taken


def test_a_failing_indicator_is_logged_and_the_worker_goes_on(tree, monkeypatch, caplog):
    def broken(period, roots=None):
        raise ZeroDivisionError("an app's formula divided by zero")

    monkeypatch.setattr(housekeeping, "take_snapshot", broken)
    with caplog.at_level(logging.ERROR, logger="kangyang.ops.housekeeping"):
        assert housekeeping.snapshot_once() == 0
    assert "an indicator failed" in caplog.text
    monkeypatch.undo()
    assert housekeeping.snapshot_once() > 0  # the next pass works again


def test_the_snapshots_keep_coming_while_the_worker_runs(tree):
    chore = housekeeping.PeriodicSnapshots(every=0.05)
    chore.start()
    try:
        deadline = time.monotonic() + 10
        while not (_periods() and chore.passes >= 2):
            assert time.monotonic() < deadline, "no snapshot in time"
            time.sleep(0.02)
    finally:
        chore.stop()
        chore.join(timeout=5)
    assert not chore.is_alive()
