import datetime as dt

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from kangyang.registry.models import ImportJob


def _job(user, *, days_old: int, status="done"):
    job = ImportJob.objects.create(created_by=user, filename="长者.xlsx", status=status,
                                   created_at=timezone.now() - dt.timedelta(days=days_old))
    job.source.save("s.xlsx", ContentFile(b"sheet"), save=False)
    job.error_file.save("e.xlsx", ContentFile(b"errors"), save=False)
    job.save()
    return job


def test_old_import_files_are_deleted_and_recent_ones_kept(worker_a):
    old, recent = _job(worker_a, days_old=40), _job(worker_a, days_old=3)
    old_path = old.source.path
    call_command("prune_imports", "--days", "30")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.source and not old.error_file
    assert not __import__("os").path.exists(old_path)
    assert recent.source and recent.error_file
    assert old.filename == "长者.xlsx"  # the job's record stays


def test_a_job_left_running_by_a_killed_worker_is_marked_failed(worker_a):
    stuck = _job(worker_a, days_old=40, status="running")
    call_command("prune_imports", "--days", "30")
    stuck.refresh_from_db()
    assert stuck.status == "failed"
