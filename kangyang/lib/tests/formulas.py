"""Shared checks that an export holds no formula (tests of every .xlsx and CSV writer)."""

import csv
import io
import re
import zipfile

from openpyxl import load_workbook

# What an attacker types into a name or address (OWASP "CSV Injection" examples).
FORMULAS = ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)")
_FORMULA_ELEMENT = re.compile(rb"<(\w+:)?f[ >/]")


def assert_xlsx_inert(data: bytes, expected=FORMULAS) -> None:
    """No sheet has a formula element, and every expected text is a text cell with Excel's
    quote prefix, unchanged."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not _FORMULA_ELEMENT.search(archive.read(name)), name
    found = set()
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in expected:
                    assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
                    found.add(cell.value)
    assert found == set(expected)


def assert_csv_inert(text: str, expected=FORMULAS) -> None:
    """Every expected text comes out with a leading apostrophe, and no cell starts like a
    formula."""
    values = [v for row in csv.reader(io.StringIO(text)) for v in row]
    for formula in expected:
        assert "'" + formula in values and formula not in values, formula
    for value in values:
        assert not value.startswith(("=", "@", "\t", "\r")), value
        assert not value.startswith(("+", "-")) or re.fullmatch(r"[+-]\d+(\.\d+)?", value), value
