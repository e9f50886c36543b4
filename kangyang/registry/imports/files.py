"""The files of an import: the sheet of rejected rows (written by the job, downloaded with an
audit entry), and the stored sheets' re-encryption and deletion after the retention period."""

import datetime as dt
import io

from django.conf import settings
from django.utils import timezone, translation
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib.sheets import SafeWorkbook, sheet_value
from kangyang.lib.storage import reencrypt_stored_files
from kangyang.registry.imports.columns import ERROR_HEADER, IGNORED_HEADERS, ROW_HEADER, _key
from kangyang.registry.imports.reading import _Sheet
from kangyang.registry.models import ImportJob


class _Rejected:
    """A copy of the sheet holding only the rejected rows, with their row number and reasons."""

    def __init__(self, sheet: _Sheet) -> None:
        self.sheet = sheet
        self.keep = [i for i, h in enumerate(sheet.header) if h is None or _key(h) not in IGNORED_HEADERS]
        self.workbook = self.worksheet = None  # made at the first rejected row
        self.rows = 0

    def _start(self) -> None:
        self.workbook = SafeWorkbook()  # no cell of the uploaded sheet comes back as a formula
        self.worksheet = self.workbook.create_sheet(self.sheet.worksheet.title)
        self.worksheet.freeze_panes = "B2"
        bold = Font(bold=True)
        cells = []
        for value in [ROW_HEADER, *(self.sheet.header[i] for i in self.keep), ERROR_HEADER]:
            cell = WriteOnlyCell(self.worksheet, value=sheet_value(self.worksheet, value))
            cell.font = bold
            cells.append(cell)
        self.worksheet.append(cells)

    def add(self, number: int, values: tuple, reasons: list[str]) -> None:
        if self.workbook is None:
            self._start()
        self.worksheet.append([
            number,
            *(sheet_value(self.worksheet, values[i]) if i < len(values) else None for i in self.keep),
            _join(reasons),
        ])
        self.rows += 1

    def content(self) -> bytes:
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()


def _join(reasons: list[str]) -> str:
    separator = "；" if (translation.get_language() or "").startswith("zh") else "; "
    return separator.join(reasons)


def open_error_file(job: ImportJob, *, by):
    """The job's rejected rows, decrypted, for download. They hold full ID numbers, so
    every download is audited (who, which job, how many rows)."""
    file = job.error_file.open("rb")
    record(
        by, AuditEntry.Action.EXPORT, job, verb="elder.import_errors.download",
        region_code=by.region.code if getattr(by, "region_id", None) else "",
        changes={"rows": job.error_count},
    )
    return file


def reencrypt_import_files() -> int:
    """Rewrite the stored sheets and error files under the current field key (part of a key
    rotation). Returns how many files were rewritten."""
    names = ImportJob.objects.exclude(source="", error_file="").values_list("source", "error_file")
    return reencrypt_stored_files(name for pair in names.iterator() for name in pair)


def prune_expired_import_files() -> int:
    """prune_import_files for the retention period (KANGYANG_IMPORT_RETENTION_DAYS): what
    the background worker runs every hour."""
    return prune_import_files(older_than=timezone.now() - dt.timedelta(days=settings.IMPORT_RETENTION_DAYS))


def prune_import_files(*, older_than: dt.datetime) -> int:
    """Uploaded sheets and error files hold full ID numbers: delete them once the job is
    older than the retention period (job rows and counts stay). A job still RUNNING by then
    lost its worker (killed, out of memory) and is marked failed."""
    ImportJob.objects.filter(created_at__lt=older_than, status__in=[
        ImportJob.Status.QUEUED, ImportJob.Status.RUNNING,
    ]).update(status=ImportJob.Status.FAILED, finished_at=timezone.now())
    count = 0
    for job in ImportJob.objects.filter(created_at__lt=older_than).exclude(source="", error_file=""):
        for f in (job.source, job.error_file):
            if f:
                f.delete(save=False)
        job.save(update_fields=["source", "error_file"])
        count += 1
    return count
