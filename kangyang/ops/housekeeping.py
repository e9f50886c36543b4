"""Chores the background worker does by itself, without a cron: deleting the import files
(full ID numbers) once their retention period is over, and the indicators' snapshots (the
running month and year every KANGYANG_INDICATORS_REFRESH_MINUTES, each month that ended once
more after its end, so the history keeps its final figures).

`kangyang worker` does each when it starts and then periodically, each in a thread of its own
beside the task loop; both are idempotent, so several workers may do them side by side.
"""

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection
from django.utils import timezone

from kangyang.indicators.actions import periods_due, take_snapshot
from kangyang.registry.imports.files import prune_expired_import_files

logger = logging.getLogger(__name__)

PRUNE_EVERY = dt.timedelta(hours=1)


def prune_once() -> int:
    """One pass; a database or file error is logged and the next pass tries again.
    Returns how many imports lost their files."""
    close_old_connections()
    try:
        removed = prune_expired_import_files()
    except (DatabaseError, OSError):
        logger.exception("pruning import files failed; trying again in %s", PRUNE_EVERY)
        return 0
    finally:
        connection.close()  # this thread's connection; the next pass opens a fresh one
    if removed:
        logger.info("deleted the files of %d imports past their retention period", removed)
    return removed


# How often the worker asks which indicator periods are due (the refresh setting decides
# whether one is): a few cheap queries.
SNAPSHOT_CHECK_EVERY = dt.timedelta(minutes=1)


def snapshot_once(*, now: dt.datetime | None = None) -> int:
    """Snapshot the indicator periods that are due (indicators.actions.periods_due); an error
    is logged and the next pass tries again. Returns how many figures were stored."""
    close_old_connections()
    now = now or timezone.now()
    stored = 0
    try:
        for period in periods_due(timezone.localdate(now), refresh=settings.INDICATORS_REFRESH, now=now):
            stored += take_snapshot(period)
    except IntegrityError:
        # Another worker stored the same period at the same moment: its figures are as new.
        logger.info("indicator snapshot taken by another worker at the same time")
    except DatabaseError:
        logger.exception("indicator snapshot failed; trying again in %s", SNAPSHOT_CHECK_EVERY)
    except Exception:
        # An app's own indicator formula (its indicators.py) may fail in ways nobody here can
        # name; it must not end the snapshots of every other indicator, nor the worker.
        logger.exception("an indicator failed while taking a snapshot; trying again in %s", SNAPSHOT_CHECK_EVERY)
    finally:
        connection.close()
    return stored


class Periodic(threading.Thread):
    """`chore()` now and then every `every` seconds, until stop()."""

    def __init__(self, chore, *, every: float, name: str) -> None:
        # A daemon: the worker's own shutdown (Ctrl-C, SIGTERM) ends the process with it.
        super().__init__(name=name, daemon=True)
        self.chore = chore
        self.every = every
        self.passes = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            self.chore()
            self.passes += 1
            self._stopped.wait(self.every)

    def stop(self) -> None:
        self._stopped.set()


class PeriodicPrune(Periodic):
    """prune_once() now and then every `every` seconds."""

    def __init__(self, *, every: float = PRUNE_EVERY.total_seconds()) -> None:
        super().__init__(prune_once, every=every, name="kangyang-prune")


class PeriodicSnapshots(Periodic):
    """snapshot_once() now and then every `every` seconds."""

    def __init__(self, *, every: float = SNAPSHOT_CHECK_EVERY.total_seconds()) -> None:
        super().__init__(snapshot_once, every=every, name="kangyang-snapshots")
