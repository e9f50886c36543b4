"""The background worker deletes import files past their retention period by itself: at
start (also with --batch) and then periodically, without a cron."""

import datetime as dt
import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from kangyang.ops.housekeeping import PeriodicPrune
from kangyang.registry.models import ImportJob


def _job(user, *, days_old: int) -> ImportJob:
    job = ImportJob.objects.create(created_by=user, filename="长者.xlsx", status="done",
                                   created_at=timezone.now() - dt.timedelta(days=days_old))
    job.source.save("s.xlsx", ContentFile(b"sheet with ID numbers"), save=False)
    job.error_file.save("e.xlsx", ContentFile(b"rejected rows"), save=False)
    job.save()
    return job


def _has_files(job: ImportJob) -> bool:
    job.refresh_from_db()
    return bool(job.source or job.error_file)


@pytest.mark.django_db(transaction=True)
def test_the_worker_prunes_old_import_files_when_it_starts(settings, worker_a):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_RETENTION_DAYS = 10
    old, recent = _job(worker_a, days_old=11), _job(worker_a, days_old=9)
    old_path = old.source.path
    call_command("worker", "--batch", stdout=StringIO())
    assert not _has_files(old) and not os.path.exists(old_path)
    assert _has_files(recent)
    assert old.filename == "长者.xlsx"  # the job's record stays


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_pruning_while_it_runs(settings, worker_a):
    settings.IMPORT_RETENTION_DAYS = 30
    first = _job(worker_a, days_old=31)
    pruner = PeriodicPrune(every=0.05)
    pruner.start()
    try:
        _wait_for(lambda: not _has_files(first))
        later = _job(worker_a, days_old=45)  # e.g. a job that came of age since the last pass
        _wait_for(lambda: not _has_files(later))
        assert pruner.passes >= 2
    finally:
        pruner.stop()
        pruner.join(timeout=5)
    assert not pruner.is_alive()


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not pruned in time"
        time.sleep(0.02)
