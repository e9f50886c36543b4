import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from kangyang.lib.sheets import read_rows

ALIASES = {"名称": "name", "代码": "code", "name": "name", "code": "code"}


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_rows_are_keyed_by_field_with_sheet_row_numbers():
    data = _xlsx([["代码", "名称"], [360103001001, "桃花社区"], [None, None], ["360103001002", "新洲社区"]])
    assert list(read_rows(data, "t.xlsx", aliases=ALIASES, required={"code"})) == [
        (2, {"code": "360103001001", "name": "桃花社区"}),
        (4, {"code": "360103001002", "name": "新洲社区"}),
    ]


def test_csv_with_bom_and_english_headers_is_read():
    data = "\ufeffcode,name\n360103001001,桃花社区\n".encode()
    assert list(read_rows(data, "t.csv", aliases=ALIASES, required={"code"})) == [
        (2, {"code": "360103001001", "name": "桃花社区"})
    ]


def test_a_missing_required_column_is_named():
    with pytest.raises(ValidationError) as e:
        list(read_rows(_xlsx([["名称"], ["x"]]), "t.xlsx", aliases=ALIASES, required={"code"}))
    assert "代码" in e.value.messages[0]


def test_a_damaged_file_is_refused_clearly():
    with pytest.raises(ValidationError) as e:
        list(read_rows(b"not a zip", "t.xlsx", aliases=ALIASES, required=set()))
    assert e.value.code == "bad_file"
