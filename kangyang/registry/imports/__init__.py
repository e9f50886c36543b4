"""Importing elders from the sheet a community worker keeps in Excel.

start_import() checks and stores the upload, then reads it at once or leaves it to the
background worker; run_import() validates every row, adds the good ones in batches and
writes the rejected ones, each with its reasons, to a sheet the worker can correct and
upload again. Uploading the same sheet twice adds nobody twice: a row whose ID number is
already registered is counted as such and skipped.

The column headers and the words in the cells (男/女, 独居, 低保 …) are a file format
shared between offices: the same in every interface language, so that a sheet made by
one person imports for another. Everything the program says about a sheet (the rules,
the reasons a row is rejected) is translated.

By topic: `columns` (the sheet's format and the template), `reading` (opening the
workbook, finding the sheet), `rows` (checking one row), `applying` (adding a batch),
`files` (the sheet of rejected rows, retention of the stored files) and `jobs` (start and
run an import). The public names are re-exported here, so `imports.start_import` works as
before.
"""

from kangyang.registry.imports.columns import (
    CATEGORY_LABELS, COLUMNS, LIVING_LABELS, REQUIRED, SEX_LABELS, Column, template_xlsx,
)
from kangyang.registry.imports.files import (
    open_error_file, prune_expired_import_files, prune_import_files, reencrypt_import_files,
)
from kangyang.registry.imports.jobs import BATCH_ROWS, XLSX_EXTENSION, run_import, start_import

__all__ = [
    "BATCH_ROWS", "CATEGORY_LABELS", "COLUMNS", "LIVING_LABELS", "REQUIRED", "SEX_LABELS",
    "XLSX_EXTENSION", "Column", "open_error_file", "prune_expired_import_files",
    "prune_import_files", "reencrypt_import_files", "run_import", "start_import",
    "template_xlsx",
]
