"""Chores the background worker does by itself, without a cron: deleting the import files
(full ID numbers) once their retention period is over, and telling people of licences that
lapse soon.

`kangyang worker` runs them in a thread of its own beside the task loop: it prunes when it
starts and then every PRUNE_EVERY, and makes the licence pass when it starts and then once a
day (the first pass after local midnight). Both are idempotent (the pruned files are gone;
each licence warning is recorded once: accounts/licences.py), so several workers may do them
side by side.
"""

import datetime as dt
import logging
import threading

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from kangyang.accounts.licences import warn_expiring_licences
from kangyang.registry.imports.files import prune_expired_import_files
from kangyang.services.notifications import warn_expiring_provider_licences

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


def warn_licences_once(*, today: dt.date | None = None) -> int | None:
    """One licence pass over the register's licences and the providers' own; returns how many
    warnings were made, None when the database failed (the next pass tries again)."""
    close_old_connections()
    try:
        made = warn_expiring_licences(today=today) + warn_expiring_provider_licences(today=today)
    except DatabaseError:
        logger.exception("the licence pass failed; trying again within %s", PRUNE_EVERY)
        return None
    finally:
        connection.close()
    if made:
        logger.info("told of %d expiring licences", made)
    return made


class PeriodicPrune(threading.Thread):
    """prune_once() now and then every `every` seconds, and warn_licences_once() on the first
    of these passes of each local day, until stop()."""

    def __init__(self, *, every: float = PRUNE_EVERY.total_seconds()) -> None:
        # A daemon: the worker's own shutdown (Ctrl-C, SIGTERM) ends the process with it.
        super().__init__(name="kangyang-housekeeping", daemon=True)
        self.every = every
        self.passes = 0
        self.licences_checked_on: dt.date | None = None
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            prune_once()
            self.passes += 1
            today = timezone.localdate()
            if self.licences_checked_on != today and warn_licences_once(today=today) is not None:
                self.licences_checked_on = today
            self._stopped.wait(self.every)

    def stop(self) -> None:
        self._stopped.set()
