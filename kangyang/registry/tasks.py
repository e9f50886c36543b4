"""Background work of the registry. Thin: load by id, call the function that does the work."""

from django_tasks import task

from kangyang.registry import imports
from kangyang.registry.models import ImportJob


@task()
def run_import(job_id: int) -> None:
    """Read an uploaded sheet of elders (imports.run_import), for sheets too large to read
    while the uploader waits."""
    imports.run_import(ImportJob.objects.get(pk=job_id))
