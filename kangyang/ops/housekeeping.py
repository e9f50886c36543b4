"""Chores the background worker does by itself, without a cron: deleting the import files
(full ID numbers) once their retention period is over.

`kangyang worker` prunes when it starts and then every PRUNE_EVERY, in a thread of its own
beside the task loop; pruning is idempotent, so several workers may do it side by side.
"""

import datetime as dt
import logging
import threading

from django.db import DatabaseError, close_old_connections, connection

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


class PeriodicPrune(threading.Thread):
    """prune_once() now and then every `every` seconds, until stop()."""

    def __init__(self, *, every: float = PRUNE_EVERY.total_seconds()) -> None:
        # A daemon: the worker's own shutdown (Ctrl-C, SIGTERM) ends the process with it.
        super().__init__(name="kangyang-prune", daemon=True)
        self.every = every
        self.passes = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            prune_once()
            self.passes += 1
            self._stopped.wait(self.every)

    def stop(self) -> None:
        self._stopped.set()
