"""Spreadsheets in and out: reading the first sheet of an .xlsx or a .csv file as
dictionaries keyed by field name, and writing cells that no spreadsheet runs as formulas."""

import csv
import io
import re
from collections.abc import Iterator
from types import GeneratorType

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._write_only import WriteOnlyWorksheet


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


# What a spreadsheet program may take for the start of a formula (OWASP, "CSV Injection"):
# =, +, - and @, and a tab or carriage return before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number ("-5", "+86…") is not a formula; it keeps its sign unescaped.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?\Z")


def _looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value)


def safe_cell(value):
    """A value for a CSV cell that no spreadsheet runs as a formula: text that starts like
    one gets a leading apostrophe (OWASP's advice); numbers, dates, None and other text stay
    as they are."""
    return "'" + value if _looks_like_formula(value) else value


class SafeCsvWriter:
    """csv.writer whose every cell goes through safe_cell."""

    def __init__(self, out, **kwargs) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def sheet_value(worksheet, value):
    """A value for an .xlsx sheet that is never a formula. Text that starts like one (a name
    or address such as =HYPERLINK(…)) is written as a text cell with Excel's quote prefix,
    which is what Excel itself stores when one types '=…: shown as typed, and still text
    after the cell is edited. The text itself is unchanged, so a rejected-row sheet imports
    again as it was. Cells made by the caller (with a style) are checked the same way."""
    if isinstance(value, Cell):
        if _looks_like_formula(value.value):
            value.data_type = "s"
            value.quotePrefix = True
        return value
    if _looks_like_formula(value):
        cell = WriteOnlyCell(worksheet, value=value)  # a Cell with a position, for any sheet
        cell.data_type = "s"  # openpyxl makes any text starting with = a formula
        cell.quotePrefix = True
        return cell
    return value


def money_cell(worksheet, amount):
    """An amount of yuan as a number cell shown as 2,306,550.00 (thousands separators, two
    decimals): the sheet sums it, and reads it as the pages write it."""
    from kangyang.lib.numbers import MONEY_FORMAT

    cell = WriteOnlyCell(worksheet, value=amount)
    cell.number_format = MONEY_FORMAT
    return cell


def sheet_row(worksheet, values) -> list:
    """sheet_value for every value of a row."""
    return [sheet_value(worksheet, v) for v in values]


class _SafeWriteOnlySheet(WriteOnlyWorksheet):
    """A write-only sheet whose append() passes every value through sheet_value."""

    def append(self, row):
        if not isinstance(row, (list, tuple, range, GeneratorType)):
            self._invalid_row(row)  # openpyxl's own TypeError, as for a plain sheet
        super().append(sheet_row(self, row))


class SafeWorkbook(Workbook):
    """A write-only workbook whose sheets never hold a formula, whatever is appended: every
    .xlsx export starts from this (or new_sheet), so no writer can forget a cell."""

    def __init__(self) -> None:
        super().__init__(write_only=True)

    def create_sheet(self, title=None, index=None):
        sheet = _SafeWriteOnlySheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)  # as Workbook.create_sheet does (openpyxl 3.1)
        return sheet


def new_sheet(title: str, headers: list[str], widths: list[int]) -> tuple[Workbook, object]:
    """A SafeWorkbook whose one sheet has a bold, frozen header row."""
    workbook = SafeWorkbook()
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
