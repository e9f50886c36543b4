"""Chores the background worker does by itself, without a cron: deleting the import files
(full ID numbers) once their retention period is over; telling people of licences that lapse
soon; publishing the time bank's daily digests (the last hash of each day that is over); and
the indicators' snapshots (the running month and year every
KANGYANG_INDICATORS_REFRESH_MINUTES, each month that ended once more after its end, so the
history keeps its final figures); the care calls due to elders living alone (every
CARE_CALLS_EVERY; idempotent: one pending call per elder); the care visits' daily plan and
hourly reminders (kangyang/visits/actions/chores.py).

`kangyang worker` does each when it starts and then periodically, in threads of their own
beside the task loop: it prunes every PRUNE_EVERY and makes the licence pass on the first of
those passes of each local day (in the same thread), and checks for due snapshots every
minute. All are idempotent (the pruned files are gone; each licence warning is recorded once:
accounts/licences.py; a snapshot replaces the period's figures), so several workers may do
them side by side.
"""

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection
from django.utils import timezone

from kangyang.accounts.licences import warn_expiring_licences
from kangyang.health.actions.alerts import escalate_health_alerts_once
from kangyang.health.actions.contracts import remind_renewals_once
from kangyang.indicators.actions import periods_due, take_snapshot
from kangyang.institutions.actions.credit import compute_scores
from kangyang.institutions.actions.hazards import escalate_overdue_hazards_once
from kangyang.institutions.actions.register import warn_expiring_documents_once
from kangyang.registry.imports.files import prune_expired_import_files
from kangyang.services.notifications import warn_expiring_provider_licences
from kangyang.timebank.actions import publish_due_digests
from kangyang.visits.actions.calls import schedule_care_calls
from kangyang.visits.actions.chores import daily_visit_chores, hourly_visit_chores

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


def publish_digests_once(*, today: dt.date | None = None) -> int | None:
    """Publish the time bank's digests of the days that are over and not yet published
    (idempotent: a day's digest is made once); None when the database failed."""
    close_old_connections()
    try:
        made = publish_due_digests(today=today)
    except DatabaseError:
        logger.exception("publishing the time bank's digests failed; trying again within %s", PRUNE_EVERY)
        return None
    finally:
        connection.close()
    if made:
        logger.info("published %d daily digests of the time bank", made)
    return made


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


# How often the worker gives elders living alone whose last care call is older than
# KANGYANG_CARE_CALL_EVERY_DAYS a new one (visits/actions/calls.py): one query when none is due.
CARE_CALLS_EVERY = dt.timedelta(minutes=10)


def schedule_care_calls_once(*, now: dt.datetime | None = None) -> int:
    """One scheduling pass over the elders living alone; a database error is logged and the
    next pass tries again (the pass is idempotent). Returns how many calls were added."""
    close_old_connections()
    try:
        return schedule_care_calls(now or timezone.now())
    except DatabaseError:
        logger.exception("scheduling care calls failed; trying again in %s", CARE_CALLS_EVERY)
        return 0
    finally:
        connection.close()


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
    """prune_once() now and then every `every` seconds, and warn_licences_once() and
    publish_digests_once() on the first of these passes of each local day."""

    def __init__(self, *, every: float = PRUNE_EVERY.total_seconds()) -> None:
        super().__init__(self._pass, every=every, name="kangyang-housekeeping")
        self.licences_checked_on: dt.date | None = None
        self.digests_published_on: dt.date | None = None

    def _pass(self) -> None:
        prune_once()
        today = timezone.localdate()
        if self.licences_checked_on != today and warn_licences_once(today=today) is not None:
            self.licences_checked_on = today
        if self.digests_published_on != today and publish_digests_once(today=today) is not None:
            self.digests_published_on = today


class PeriodicCareCalls(Periodic):
    """schedule_care_calls_once() now and then every `every` seconds."""

    def __init__(self, *, every: float = CARE_CALLS_EVERY.total_seconds()) -> None:
        super().__init__(schedule_care_calls_once, every=every, name="kangyang-care-calls")


# Care visits (kangyang/visits/actions/chores.py): the reminders every hour, the plan daily.
VISITS_EVERY = dt.timedelta(hours=1)


def visits_once(*, now: dt.datetime | None = None, daily: bool = True) -> int | None:
    """One pass of the care-visit chores (the daily ones too when `daily`); None when the
    database failed (the next pass tries again)."""
    close_old_connections()
    try:
        if daily:
            daily_visit_chores(now=now)
        return hourly_visit_chores(now=now)
    except DatabaseError:
        logger.exception("the care-visit chores failed; trying again in %s", VISITS_EVERY)
        return None
    finally:
        connection.close()


class PeriodicVisits(Periodic):
    """visits_once() every hour, with the daily chores on the first pass of each local day."""

    def __init__(self, *, every: float = VISITS_EVERY.total_seconds()) -> None:
        super().__init__(self._pass, every=every, name="kangyang-visits")
        self.planned_on: dt.date | None = None

    def _pass(self) -> None:
        today = timezone.localdate()
        if visits_once(daily=self.planned_on != today) is not None:
            self.planned_on = today


class PeriodicSnapshots(Periodic):
    """snapshot_once() now and then every `every` seconds."""

    def __init__(self, *, every: float = SNAPSHOT_CHECK_EVERY.total_seconds()) -> None:
        super().__init__(snapshot_once, every=every, name="kangyang-snapshots")


# -- institutions (issue 16) ------------------------------------------------------------------
# Daily: tell of the medical agreements and liability insurances that end soon, escalate the
# overdue hazards (each level once), then score the organisations' credit (after the escalation,
# so the day's scores see the day's overdue hazards). Each chore is idempotent for a day.
INSTITUTIONS_EVERY = dt.timedelta(hours=1)


def institutions_once(*, today: dt.date | None = None) -> int | None:
    """One daily pass; returns how many documents and hazards were told of, None when the
    database failed (the next pass tries again)."""
    close_old_connections()
    today = today or timezone.localdate()
    try:
        told = warn_expiring_documents_once(today) + escalate_overdue_hazards_once(today)
        compute_scores(today)
    except DatabaseError:
        logger.exception("the institutions' daily pass failed; trying again in %s", INSTITUTIONS_EVERY)
        return None
    finally:
        connection.close()
    if told:
        logger.info("told of %d expiring institution documents and overdue hazards", told)
    return told


class PeriodicInstitutions(Periodic):
    """institutions_once() on the first pass of each local day (checked every hour)."""

    def __init__(self, *, every: float = INSTITUTIONS_EVERY.total_seconds()) -> None:
        super().__init__(self._pass, every=every, name="kangyang-institutions")
        self.done_on: dt.date | None = None

    def _pass(self) -> None:
        today = timezone.localdate()
        if self.done_on != today and institutions_once(today=today) is not None:
            self.done_on = today


# -- health (issue 17) ------------------------------------------------------------------------
# Daily: each health topic's chore, in the order of HEALTH_DAILY (a topic appends its own; each
# takes the day and returns how many things it told of or did, and is idempotent for a day).
HEALTH_DAILY = [remind_renewals_once]
HEALTH_EVERY = dt.timedelta(hours=1)


def health_once(*, today: dt.date | None = None) -> int | None:
    """One daily pass of the health chores; None when the database failed (the next pass tries again)."""
    close_old_connections()
    today = today or timezone.localdate()
    try:
        done = sum(chore(today) or 0 for chore in HEALTH_DAILY)
    except DatabaseError:
        logger.exception("the health daily pass failed; trying again in %s", HEALTH_EVERY)
        return None
    finally:
        connection.close()
    if done:
        logger.info("health daily pass: %d reminders and chores", done)
    return done


class PeriodicHealth(Periodic):
    """health_once() on the first pass of each local day (checked every hour)."""

    def __init__(self, *, every: float = HEALTH_EVERY.total_seconds()) -> None:
        super().__init__(self._pass, every=every, name="kangyang-health")
        self.done_on: dt.date | None = None

    def _pass(self) -> None:
        today = timezone.localdate()
        if self.done_on != today and health_once(today=today) is not None:
            self.done_on = today


# -- health alerts (issue 17) -----------------------------------------------------------------
# Every minute: each open health alert nobody acknowledged within
# KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES goes to the subdistrict, after twice as long to the
# district (kangyang/health/actions/alerts.py); each level once, so the pass is idempotent.
HEALTH_ALERTS_EVERY = dt.timedelta(minutes=1)


def health_alerts_once(*, now: dt.datetime | None = None) -> int | None:
    """One escalation pass; returns how many escalations were made, None when the database failed."""
    close_old_connections()
    try:
        return escalate_health_alerts_once(now)
    except DatabaseError:
        logger.exception("escalating health alerts failed; trying again in %s", HEALTH_ALERTS_EVERY)
        return None
    finally:
        connection.close()


class PeriodicHealthAlerts(Periodic):
    """health_alerts_once() now and then every `every` seconds."""

    def __init__(self, *, every: float = HEALTH_ALERTS_EVERY.total_seconds()) -> None:
        super().__init__(health_alerts_once, every=every, name="kangyang-health-alerts")
