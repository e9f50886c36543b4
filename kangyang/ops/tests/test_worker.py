from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks import task
from django_tasks_db.models import DBTaskResult

DONE = []


@task()
def note(value: str) -> None:
    DONE.append(value)


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_queued_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    note.enqueue("hello")
    call_command("worker", "--batch", stdout=StringIO())
    assert DONE == ["hello"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
