"""An import job: start_import() checks and stores the upload, then reads it at once or
leaves it to the background worker; run_import() validates every row, adds the good ones in
batches and writes the rejected ones, each with its reasons, to a sheet the worker can correct
and upload again."""

import gc
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.registry import tasks
from kangyang.registry.imports.applying import COUNTS, _commit
from kangyang.registry.imports.files import _Rejected
from kangyang.registry.imports.reading import READ_ERRORS, _find_sheet, _open_workbook, _unreadable
from kangyang.registry.imports.rows import _check_row, _Places, _Row
from kangyang.registry.models import ImportJob

logger = logging.getLogger(__name__)

# Rows validated, then committed together: one transaction, one existing-ID query, one
# household query and one progress update per batch.
BATCH_ROWS = 1000
XLSX_EXTENSION = ".xlsx"


def start_import(*, by, uploaded_file) -> ImportJob:
    """Check and store an uploaded sheet; read it now if it is small, else in the background.

    A file that is not a readable .xlsx is refused (ValidationError, nothing stored). A
    sheet without the required columns, or without any rows, makes a failed job saying so."""
    if not scope.can_import(by):
        raise PermissionDenied
    filename = os.path.basename(uploaded_file.name or "")
    if not filename.lower().endswith(XLSX_EXTENSION):
        raise ValidationError(
            _("Upload the sheet as an Excel workbook (.xlsx). In Excel: File → Save As → “Excel "
              "Workbook (.xlsx)”."),
            code="not_xlsx",
        )
    uploaded_file.seek(0)
    workbook = _open_workbook(uploaded_file)
    problem = None
    total = 0
    limit = settings.IMPORT_BACKGROUND_ROWS
    try:
        try:
            sheet = _find_sheet(workbook)
            # Count only as far as needed to choose; a large sheet gets an estimate for its
            # progress bar, made exact as the worker reads it.
            total = sheet.count(limit=limit)
            if total > limit:
                total = max(total, sheet.estimate or 0)
        except ValidationError as e:
            problem = " ".join(e.messages)
        except READ_ERRORS as e:  # the workbook opened, but a later part of it is broken
            raise _unreadable() from e
    finally:
        workbook.close()
    if problem is None and total == 0:
        problem = _("The sheet has no rows of elders below its headers.")

    uploaded_file.seek(0)
    job = ImportJob(
        created_by=by, filename=filename[:200], total_rows=total,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.source.save(f"{uuid.uuid4().hex}{XLSX_EXTENSION}", uploaded_file, save=False)
    job.save()
    if problem is not None:
        _finish(job, by=by, status=ImportJob.Status.FAILED, message=problem)
    elif total <= limit:
        run_import(job)
    else:
        transaction.on_commit(partial(tasks.run_import.enqueue, job.id))
    return job


def run_import(job: ImportJob) -> ImportJob:
    """Read the job's sheet: add every row that passes all checks, count the rows already
    registered, and write the rejected ones with their reasons to the job's error file.
    Rows are added in batches; a job that stops midway keeps the batches it added, and the
    same sheet uploaded again adds the rest. Running a job that is not queued does nothing."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    job.refresh_from_db()
    if not claimed:
        return job
    by = job.created_by
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _run(job, by=by)
        except ValidationError as e:  # the sheet as a whole is unusable
            _finish(job, by=by, status=ImportJob.Status.FAILED, message=" ".join(e.messages))
        except Exception:
            # The one broad handler: whatever stopped the import, the job must say so. Log the
            # job, never row contents.
            logger.exception("import job %s stopped after %s rows", job.pk, job.processed_rows)
            job.refresh_from_db(fields=[*COUNTS, "total_rows"])
            _finish(job, by=by, status=ImportJob.Status.FAILED, message=_(
                "The import stopped unexpectedly after %(rows)d rows. The %(created)d elders added "
                "until then are kept; upload the same sheet again to add the rest."
            ) % {"rows": job.processed_rows, "created": job.created_count})
    return job


@contextmanager
def _full_collections_paused() -> Iterator[None]:
    """The garbage collector's automatic passes off; run_import collects each batch's young
    garbage itself. A large sheet keeps hundreds of thousands of long-lived objects (its shared
    strings, the parser's spent row elements), and the automatic full passes over them took a
    third of a 100,000-row import (73 s of CPU instead of 47 s in bench/import_elders.py).
    The switch is process-wide: a small import run during a request pauses it for a second."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_full_collections_paused()
def _run(job: ImportJob, *, by) -> None:
    if not scope.can_import(by):
        raise ValidationError(_("Your account may no longer import elders."), code="permission")
    places = _Places(by)
    seen: dict[str, int] = {}  # ID number → the row that first gave it
    with job.source.open("rb") as file:
        workbook = _open_workbook(file)
        try:
            sheet = _find_sheet(workbook)
            if job.total_rows > settings.IMPORT_BACKGROUND_ROWS and sheet.estimate is None:
                job.total_rows = sheet.count()  # for the progress bar: the upload stopped counting
                job.save(update_fields=["total_rows"])
            rejected = _Rejected(sheet)
            batch: list[_Row] = []
            processed = errors = 0
            for number, values in sheet.rows():
                row, reasons = _check_row(sheet, values, number=number, places=places)
                if row is not None:
                    first = seen.setdefault(row.rid.number, number)
                    if first != number:
                        row, reasons = None, [
                            _("Duplicate within this file, see row %(row)d.") % {"row": first}
                        ]
                if row is None:
                    rejected.add(number, values, reasons)
                    errors += 1
                else:
                    batch.append(row)
                processed += 1
                if processed >= BATCH_ROWS:
                    _commit(job, batch, processed=processed, errors=errors)
                    batch, processed, errors = [], 0, 0
                    gc.collect(1)  # this batch's garbage; see _full_collections_paused
            _commit(job, batch, processed=processed, errors=errors)
        finally:
            workbook.close()
    if rejected.rows:
        job.error_file.save(f"{job.pk}-rejected.xlsx", ContentFile(rejected.content()), save=False)
    job.total_rows = job.processed_rows  # exact, where the upload may have estimated
    _finish(job, by=by, status=ImportJob.Status.DONE, message=_(
        "%(created)d added, %(existing)d already registered, %(errors)d rejected."
    ) % {"created": job.created_count, "existing": job.existing_count, "errors": job.error_count})


@transaction.atomic
def _finish(job: ImportJob, *, by, status: str, message: str) -> None:
    """Close the job and write its one audit entry: counts only, never row contents."""
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at", "total_rows", "error_file"])
    record(
        by, AuditEntry.Action.IMPORT, job, verb="elder.import",
        region_code=by.region.code if by.region_id else "",
        changes={
            "status": status, "rows": job.total_rows, "processed": job.processed_rows,
            "created": job.created_count, "existing": job.existing_count, "rejected": job.error_count,
        },
    )
