"""The elder list as an Excel download (registry/exports.py)."""

import datetime as dt
import io
import json
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from kangyang.audit.models import AuditEntry
from kangyang.lib import residentid
from kangyang.registry import exports, queries
from kangyang.registry.actions import create_elder
from kangyang.registry.models import Elder

ID_LIKE = re.compile(r"\d{17}[\dXx]")


def cells(data: bytes) -> list:
    workbook = load_workbook(io.BytesIO(data))
    return [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]


def rows(data: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def full_id_numbers(data: bytes) -> list[str]:
    """Every valid resident ID number anywhere in the workbook."""
    found = []
    for cell in cells(data):
        for candidate in ID_LIKE.findall(str(cell.value or "")):
            try:
                found.append(residentid.parse(candidate).number)
            except ValidationError:
                pass
    return found


def test_worker_exports_the_elders_of_their_community_only(worker_a, elder_in_a, elder_in_b):
    data = exports.export_elders_xlsx(queries.elders_for(worker_a), by=worker_a)
    assert [r["姓名"] for r in rows(data)] == [elder_in_a.name]


def test_export_is_scoped_even_when_given_every_elder(worker_a, elder_in_a, elder_in_b):
    data = exports.export_elders_xlsx(Elder.objects.all(), by=worker_a)
    assert elder_in_b.name not in {c.value for c in cells(data)}


def test_export_holds_no_full_id_number_or_phone(admin, elder_in_a, elder_in_b):
    data = exports.export_elders_xlsx(queries.elders_for(admin), by=admin)
    assert full_id_numbers(data) == []
    text = " ".join(str(c.value) for c in cells(data))
    assert "13807911234" not in text and "13907919876" not in text
    assert {r["身份证号"] for r in rows(data)} == {elder_in_a.id_number_masked, elder_in_b.id_number_masked}


def test_export_writes_chinese_words_age_and_local_time(admin, elder_in_b, today):
    (row,) = rows(exports.export_elders_xlsx(queries.elders_for(admin), by=admin))
    assert row["性别"] == "男" and row["年龄"] == elder_in_b.age(today)
    assert row["联系电话"] == "139****9876"
    assert (row["社区"], row["社区代码"]) == ("朝阳社区", "360103002001")
    assert row["特殊困难类别"] == "空巢、失能" and row["状态"] == "在册"
    local = timezone.localtime(elder_in_b.created_at).replace(tzinfo=None, microsecond=0)
    assert row["建档时间"] == local and str(timezone.localtime().tzinfo) == "Asia/Shanghai"


def test_export_writes_one_audit_entry_with_filter_and_count_but_no_search_term(worker_a, elder_in_a):
    filters = {"q": "张桂兰", "category": "alone", "community": "", "age_band": "", "status": ""}
    exports.export_elders_xlsx(queries.elders_for(worker_a, **filters), by=worker_a, filters=filters)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == worker_a and entry.region_code == "360103001001"
    assert entry.changes == {"rows": 1, "filter": {"category": "alone"}, "search": True}
    assert "张桂兰" not in json.dumps(entry.changes, ensure_ascii=False) + entry.note


def test_text_that_looks_like_a_formula_stays_text(worker_a, community_a):
    create_elder(by=worker_a, name="周琴", id_number=residentid.make("360103", dt.date(1944, 5, 5), 26),
                 community=community_a, address='=HYPERLINK("http://example.com","x")')
    data = exports.export_elders_xlsx(queries.elders_for(worker_a), by=worker_a)
    (cell,) = [c for c in cells(data) if str(c.value).startswith("=HYPERLINK")]
    assert cell.data_type == "s"


def test_an_empty_list_exports_headers_only(worker_a):
    data = exports.export_elders_xlsx(queries.elders_for(worker_a), by=worker_a)
    assert rows(data) == []
    assert AuditEntry.objects.get(action=AuditEntry.Action.EXPORT).changes["rows"] == 0
