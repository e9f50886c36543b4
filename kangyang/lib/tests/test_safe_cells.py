"""Cells that no spreadsheet runs as a formula (lib/sheets.py): CSV and .xlsx."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell

from kangyang.lib.sheets import SafeCsvWriter, SafeWorkbook, new_sheet, read_rows, safe_cell
from kangyang.lib.tests.formulas import FORMULAS, assert_csv_inert, assert_xlsx_inert


@pytest.mark.parametrize("text", [*FORMULAS, "\t=1+1", "\r=1+1", "-", "+", "=", "@"])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [
    "王秀英", "桃花小区1栋101", "", "a=b", "'=already", "-5", "+8613807911234", "-12.50",
    None, 42, -3, Decimal("-2.50"), 1.5, dt.date(2026, 1, 1),
])
def test_other_values_stay_as_they_are(value):
    assert safe_cell(value) is value


def test_the_csv_writer_neutralises_every_cell():
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\r\n")
    writer.writerow(["姓名", "金额"])
    writer.writerows([[f, "-5.00"] for f in FORMULAS])
    assert_csv_inert(out.getvalue())
    assert "-5.00" in out.getvalue() and "'-5.00" not in out.getvalue()


def test_a_safe_workbook_writes_no_formula_in_any_sheet_or_cell():
    workbook, sheet = new_sheet("名单", ["姓名", "住址"], [10, 20])
    sheet.append([FORMULAS[2], FORMULAS[1]])
    styled = WriteOnlyCell(sheet, value=FORMULAS[0])  # a caller's own cell, made a formula by openpyxl
    assert styled.data_type == "f"
    sheet.append([styled, 7])
    other = workbook.create_sheet("导出信息")
    other.append((v for v in [FORMULAS[3], dt.date(2026, 1, 1)]))
    out = io.BytesIO()
    workbook.save(out)
    assert_xlsx_inert(out.getvalue())
    about = load_workbook(io.BytesIO(out.getvalue())).worksheets[1]
    assert about["B1"].is_date and sheet.title == "名单"


def test_a_neutralised_sheet_imports_back_unchanged():
    workbook = SafeWorkbook()
    sheet = workbook.create_sheet("s")
    sheet.append(["名称", "代码"])
    sheet.append([FORMULAS[0], "360103001001"])
    out = io.BytesIO()
    workbook.save(out)
    aliases = {"名称": "name", "代码": "code"}
    assert list(read_rows(out.getvalue(), "s.xlsx", aliases=aliases, required={"code"})) == [
        (2, {"name": FORMULAS[0], "code": "360103001001"})]
