"""Reading a sheet: opening the workbook, finding the sheet and its header row, and walking
its rows of elders."""

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from kangyang.registry.imports.columns import HEADER_FIELDS, REQUIRED, _key

# A header row is looked for among the first rows, below a title such as "桃花社区老年人花名册".
HEADER_SEARCH_ROWS = 10
# What openpyxl raises on a file that is not a well-formed workbook (XML errors are SyntaxErrors).
READ_ERRORS = (InvalidFileException, BadZipFile, zlib.error, KeyError, ValueError, OSError, SyntaxError, EOFError)


@dataclass
class _Sheet:
    """The sheet of a workbook that holds the elders, and where its columns are."""

    worksheet: object
    header_row: int  # 1-based, as Excel numbers rows
    header: tuple
    columns: dict[str, int]  # field → 0-based column index

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(row number, cell values) of every data row: rows with a value in a known column."""
        known = list(self.columns.values())
        rows = self.worksheet.iter_rows(min_row=self.header_row + 1, values_only=True)
        for number, values in enumerate(rows, start=self.header_row + 1):
            if any(_text(values[i]) for i in known if i < len(values)):
                yield number, values

    def value(self, values: tuple, name: str):
        index = self.columns.get(name)
        return values[index] if index is not None and index < len(values) else None

    def count(self, *, limit: int | None = None) -> int:
        """How many data rows, counting no further than `limit` + 1."""
        count = 0
        for _row in self.rows():
            count += 1
            if limit is not None and count > limit:
                break
        return count

    @cached_property
    def estimate(self) -> int | None:
        """Data rows, at most, without reading the cells: from the sheet's <dimension> (Excel
        and WPS write one), else from its <row> elements; either may count blank rows. None
        if neither can be had."""
        last = self.worksheet.max_row
        if last is None:
            last = self._row_elements()
        return None if not last else max(0, last - self.header_row)

    def _row_elements(self) -> int | None:
        # Sheets written by openpyxl and some other programs have no <dimension>. Reading
        # every cell to count them takes a quarter of an import; scanning the sheet's XML for
        # row tags takes a second. _get_source is openpyxl's own (private) way to that XML.
        get_source = getattr(self.worksheet, "_get_source", None)
        if get_source is None:
            return None
        count, tail = 0, b""
        with get_source() as source:
            while chunk := source.read(1 << 20):
                data = tail + chunk
                count += data.count(b"<row ") + data.count(b":row ")  # x:row with a namespace prefix
                tail = data[-5:]  # shorter than a tag, so no tag is counted twice
        return count or None


def _unreadable() -> ValidationError:
    return ValidationError(
        _("This file cannot be read as an Excel workbook. Open it in Excel and save it as "
          "“Excel Workbook (.xlsx)”."),
        code="unreadable",
    )


def _open_workbook(file):
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except READ_ERRORS as e:
        raise _unreadable() from e


def _find_sheet(workbook) -> _Sheet:
    """The first sheet with a row of at least two known headers near its top. A missing
    required column, or one given twice, is a ValidationError naming the columns."""
    found = None
    for worksheet in workbook.worksheets:
        rows = worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
        for number, values in enumerate(rows, start=1):
            if sum(_key(v) in HEADER_FIELDS for v in values if v is not None) >= 2:
                found = (worksheet, number, values)
                break
        if found:
            break
    if found is None:  # report against the first sheet's first row
        worksheet = workbook.worksheets[0]
        values = next(worksheet.iter_rows(max_row=1, values_only=True), ())
        found = (worksheet, 1, values)
    worksheet, number, header = found
    columns: dict[str, int] = {}
    twice: list[str] = []
    for index, value in enumerate(header):
        name = HEADER_FIELDS.get(_key(value)) if value is not None else None
        if name is None:
            continue
        if name in columns:
            twice.append(str(value).strip())
        columns.setdefault(name, index)
    if twice:
        raise ValidationError(
            _("These columns appear more than once: %(columns)s. Keep one of each.")
            % {"columns": "、".join(twice)},
            code="columns_twice",
        )
    missing = [c.header for c in REQUIRED if c.field not in columns]
    if missing:
        raise ValidationError(
            _("The sheet lacks these required columns: %(columns)s. The first row of the sheet "
              "must hold the column headers, as in the template.")
            % {"columns": "、".join(missing)},
            code="missing_columns",
        )
    return _Sheet(worksheet=worksheet, header_row=number, header=tuple(header), columns=columns)


def _text(value) -> str:
    """A cell as text: numbers typed into Excel (codes, phones) without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
