"""Reading the first sheet of an .xlsx or a .csv file as dictionaries keyed by field name."""

import csv
import io
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed into Excel as a number
    return str(value).strip()


def read_rows(data: bytes, filename: str, *, aliases: dict[str, str], required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (sheet row number, {field: text}) for every non-empty data row.

    `aliases` maps accepted header texts (Chinese or English, case-insensitive) to field
    names. A missing required column is a ValidationError naming it."""
    name = filename.lower()
    if name.endswith(".csv"):
        text = data.decode("utf-8-sig") if not data.startswith(b"\xff\xfe") else data.decode("utf-16")
        rows = list(csv.reader(io.StringIO(text)))
    elif name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError) as e:
            raise ValidationError(_("This is not a readable .xlsx file."), code="bad_file") from e
        rows = ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
    else:
        raise ValidationError(_("Upload an .xlsx or .csv file."), code="bad_file")
    rows = iter(rows)
    header = next(rows, None) or []
    lookup = {k.strip().lower(): v for k, v in aliases.items()}
    columns = [lookup.get(str(h).strip().lower()) for h in header]
    missing = required - set(columns)
    if missing:
        labels = [next(k for k, v in aliases.items() if v == m) for m in sorted(missing)]
        raise ValidationError(
            _("Missing columns: %(columns)s.") % {"columns": "、".join(labels)}, code="missing_columns"
        )
    for number, row in enumerate(rows, start=2):
        values = {c: _cell(v) for c, v in zip(columns, row) if c}
        if any(values.values()):
            yield number, values


def sheet_value(worksheet, value):
    """A value for a write-only sheet that is never a formula: text that starts with = stays
    text (a name or address such as =HYPERLINK(…) must not run in the reader's Excel)."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def new_sheet(title: str, headers: list[str], widths: list[int]) -> tuple[Workbook, object]:
    """A write-only workbook whose one sheet has a bold, frozen header row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return workbook, sheet
