"""Importing elders from a community worker's Excel sheet (registry/imports/)."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto, residentid
from kangyang.regions.models import Household
from kangyang.registry import imports
from kangyang.registry.imports import applying, jobs
from kangyang.registry.models import Elder, HealthRecord, ImportJob

HEADERS = ["姓名", "身份证号", "社区", "性别", "出生日期", "联系电话", "小区", "住址", "居住情况", "特殊困难类别"]


def make_id(year: int, month: int, day: int, sequence: int) -> str:
    return residentid.make("360103", dt.date(year, month, day), sequence)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def xlsx(rows, *, headers=HEADERS, title_rows=(), name="长者名单.xlsx", write_only=False) -> SimpleUploadedFile:
    """A sheet as Excel saves it (with a <dimension>), or as openpyxl's write-only mode does (without)."""
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    for row in (*title_rows, headers, *rows):
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(by, rows, **kwargs) -> ImportJob:
    with translation.override("en"):  # the source language, so that reasons read as written here
        return imports.start_import(by=by, uploaded_file=xlsx(rows, **kwargs))


def rejected_rows(job: ImportJob) -> dict[int, dict[str, object]]:
    """The error file as {original row number: {header: value}}."""
    with job.error_file.open("rb") as f:
        sheet = load_workbook(f).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "原行号" and header[-1] == "错误原因"
    return {row[0]: dict(zip(header, row)) for row in rows[1:]}


ID_1 = make_id(1945, 3, 12, 22)  # woman
ID_2 = make_id(1940, 1, 1, 11)  # man
ID_3 = make_id(1950, 7, 30, 24)
ID_4 = make_id(1938, 12, 5, 13)
GOOD = [
    ["王秀英", ID_1, "360103001001", "女", "1945/3/12", "13807911234", "桃花小区", "桃花小区1栋101", "独居", "独居、低保"],
    ["刘德明", ID_2, "桃花社区", "男", dt.datetime(1940, 1, 1), "0791-86123456", "", "桃花小区1栋101", "与配偶同住", "空巢,失能"],
    ["陈玉珍", ID_3, 360103001001, None, "19500730", None, None, None, None, None],
    ["赵国强", ID_4, "360103001001", "", "", "", "", "", "机构", ""],
]
# (row, reason the error file must give); the rows follow the good ones, from sheet row 6.
BAD = [
    (["钱一", wrong_check(make_id(1946, 1, 1, 15)), "360103001001"], "check character is wrong"),
    (["孙二", make_id(1946, 1, 2, 15)[:17], "360103001001"], "has 18 characters; this one has 17"),
    (["李三", make_id(1947, 5, 5, 15), "360103001001", "", "1947-05-06"], "birth date does not match"),
    (["周四", make_id(1947, 5, 6, 15), "360103009001"], "no community with the code or name 360103009001"),
    (["吴五", make_id(1947, 5, 7, 15), "360103002001"], "The community 360103002001 is not in your area"),
    (["郑六", make_id(1947, 5, 8, 15), "朝阳社区"], "The community 朝阳社区 is not in your area"),
    (["冯七", make_id(1947, 5, 9, 15), "360103001001", "", "", "", "", "", "", "独居、五保"], "Unknown vulnerability category: 五保"),
    (["陈八", make_id(1947, 5, 10, 15), "360103001001", "", "", "12345"], "is not a mobile number"),
    ([None, make_id(1947, 5, 11, 15), "360103001001"], "Enter the elder's name"),
    (["王秀英", ID_1, "桃花社区"], "Duplicate within this file, see row 2."),
    (["楚九", 360103194601010000, "360103001001"], "Excel stored the ID number as a number"),
    (["魏十", make_id(1947, 5, 12, 15), "360103001001", "", "", "123", "", "", "住院"], "Unknown living arrangement"),
]
SHEET = GOOD + [row for row, _reason in BAD]


@pytest.fixture
def imported(worker_a, community_b):
    return upload(worker_a, SHEET)


def test_worker_imports_the_good_rows_of_a_sheet(imported):
    job = imported
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.total_rows, job.processed_rows) == (len(SHEET), len(SHEET))
    assert (job.created_count, job.existing_count, job.error_count) == (len(GOOD), 0, len(BAD))
    assert job.percent == 100
    numbers = {crypto.lookup_hash(n) for n in (ID_1, ID_2, ID_3, ID_4)}
    assert set(Elder.objects.values_list("id_number_hash", flat=True)) == numbers
    assert HealthRecord.objects.filter(elder__id_number_hash__in=numbers).count() == len(GOOD)


def test_imported_elder_has_every_derived_field(imported, community_a):
    elder = Elder.objects.get(id_number_hash=crypto.lookup_hash(ID_1))
    assert (elder.name, elder.name_initials, elder.sex, elder.birth_date) == ("王秀英", "wxy", "F", dt.date(1945, 3, 12))
    assert elder.id_number_masked == residentid.mask(ID_1)
    assert elder.id_last4_hash == crypto.tail_hash(ID_1[-4:])
    assert elder._id_number() == ID_1 and elder._phone() == "13807911234"
    assert elder.phone_masked == "138****1234"
    assert (elder.community, elder.region_code) == (community_a, "360103001001")
    assert elder.compound.name == "桃花小区"
    assert elder.living_arrangement == "alone"
    assert elder.categories == ["empty_nest", "alone", "low_income"]  # 空巢 derived from 独居
    second = Elder.objects.get(id_number_hash=crypto.lookup_hash(ID_2))
    assert second.categories == ["empty_nest", "disabled"] and second.living_arrangement == "spouse"
    assert second._phone() == "079186123456"


def test_elders_at_one_address_share_one_household(imported, community_a):
    household = Household.objects.get(community=community_a, address="桃花小区1栋101")
    assert household.region_code == community_a.code
    assert household.compound.name == "桃花小区"
    assert household.elders.count() == 2
    assert Elder.objects.get(id_number_hash=crypto.lookup_hash(ID_3)).household is None


def test_error_file_lists_exactly_the_rejected_rows_with_their_reasons(imported):
    rows = rejected_rows(imported)
    first_bad = 2 + len(GOOD)
    assert sorted(rows) == list(range(first_bad, first_bad + len(BAD)))
    for offset, (row, reason) in enumerate(BAD):
        got = rows[first_bad + offset]
        assert reason in got["错误原因"], (first_bad + offset, got["错误原因"])
        assert got["姓名"] == row[0]


def test_error_file_gives_every_reason_of_a_row(imported):
    reasons = rejected_rows(imported)[2 + len(SHEET) - 1]["错误原因"]
    assert "Unknown living arrangement “住院”" in reasons and "is not a mobile number" in reasons
    assert "; " in reasons


def test_reimporting_the_same_sheet_adds_nobody_twice(imported, worker_a):
    again = upload(worker_a, SHEET)
    assert again.status == ImportJob.Status.DONE
    assert (again.created_count, again.existing_count, again.error_count) == (0, len(GOOD), len(BAD))
    assert Elder.objects.count() == len(GOOD)


def test_a_row_registered_in_another_community_counts_as_existing(worker_a, elder_in_b):
    job = upload(worker_a, [["李建国", "360103193807150019", "360103001001"]])
    assert (job.created_count, job.existing_count, job.error_count) == (0, 1, 0)
    assert Elder.objects.get(pk=elder_in_b.pk).region_code == elder_in_b.region_code


def test_each_import_writes_one_audit_entry_without_personal_data(imported, worker_a):
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORT)
    assert entry.actor == worker_a and entry.target_id == str(imported.pk)
    assert entry.changes == {
        "status": "done", "rows": len(SHEET), "processed": len(SHEET), "created": len(GOOD),
        "existing": 0, "rejected": len(BAD),
    }
    text = json.dumps(entry.changes, ensure_ascii=False) + entry.note
    assert ID_1 not in text and "王秀英" not in text
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CREATE).exists()


def test_the_job_keeps_the_uploader_language(imported, worker_a):
    assert imported.language == "en"
    with translation.override("zh-hans"):
        job = imports.start_import(by=worker_a, uploaded_file=xlsx(GOOD[:1]))
    assert job.language == "zh-hans"


def test_a_sheet_without_the_id_column_fails_naming_it(worker_a):
    headers = [h for h in HEADERS if h != "身份证号"]
    job = upload(worker_a, [["王秀英", "360103001001"]], headers=headers)
    assert job.status == ImportJob.Status.FAILED
    assert "身份证号" in job.message and "lacks these required columns" in job.message
    assert not Elder.objects.exists()
    assert AuditEntry.objects.get(action=AuditEntry.Action.IMPORT).changes["status"] == "failed"


def test_a_sheet_without_rows_fails(worker_a):
    job = upload(worker_a, [])
    assert job.status == ImportJob.Status.FAILED and "no rows" in job.message


@pytest.mark.parametrize("name, content", [
    ("elders.csv", "姓名,身份证号,社区\n".encode()),
    ("elders.xls", b"\xd0\xcf\x11\xe0 not a zip"),
])
def test_a_file_that_is_not_xlsx_is_refused(worker_a, name, content):
    with pytest.raises(ValidationError) as refused:
        imports.start_import(by=worker_a, uploaded_file=SimpleUploadedFile(name, content))
    assert refused.value.code == "not_xlsx"
    assert not ImportJob.objects.exists()


def test_an_unreadable_xlsx_is_refused(worker_a):
    with pytest.raises(ValidationError) as refused:
        imports.start_import(by=worker_a, uploaded_file=SimpleUploadedFile("elders.xlsx", b"PK\x03\x04 broken"))
    assert refused.value.code == "unreadable"
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("persona", ["operator", "provider", "elder", "family"])
def test_only_editors_with_an_area_may_import(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        imports.start_import(by=user, uploaded_file=xlsx(GOOD[:1]))


def test_english_headers_and_a_title_row_are_understood(worker_a):
    job = upload(worker_a, [["王秀英", ID_1, "360103001001"], [None, ID_2, "360103001001"]],
                 headers=["Name", "ID number", "community"], title_rows=[["桃花社区老年人花名册"], []])
    assert (job.created_count, job.error_count) == (1, 1)
    assert list(rejected_rows(job)) == [5]  # title, blank, header, first row; then this one


def test_a_large_sheet_is_imported_in_the_background(worker_a, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = upload(worker_a, GOOD)
    assert job.status == ImportJob.Status.QUEUED and job.total_rows == len(GOOD)
    assert not Elder.objects.exists()
    for callback in callbacks:  # what the commit would do: enqueue; the test backend runs it at once
        callback()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.processed_rows, job.percent, job.created_count) == (len(GOOD), 100, len(GOOD))


def test_a_large_sheet_without_dimension_gets_an_estimate_made_exact(worker_a, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 2
    blank_rows = [[None] * len(HEADERS)] * 3  # <row> elements without values: counted by the estimate only
    with django_capture_on_commit_callbacks(execute=True):
        with translation.override("en"):
            job = imports.start_import(by=worker_a, uploaded_file=xlsx(GOOD + blank_rows, write_only=True))
        assert job.total_rows == len(GOOD) + len(blank_rows)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.percent) == (ImportJob.Status.DONE, len(GOOD), 100)


def test_a_job_that_stops_midway_keeps_what_it_added_and_the_same_sheet_completes_it(worker_a, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH_ROWS", 2)
    calls = []
    real = applying._households

    def households_failing_on_the_second_batch(rows):  # fault injection: the disk, the DB …
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("simulated crash")
        return real(rows)

    monkeypatch.setattr(applying, "_households", households_failing_on_the_second_batch)
    job = upload(worker_a, GOOD)
    assert job.status == ImportJob.Status.FAILED
    assert (job.processed_rows, job.created_count) == (2, 2)
    assert "after 2 rows" in job.message and "The 2 elders added" in job.message
    assert Elder.objects.count() == 2
    assert AuditEntry.objects.get(action=AuditEntry.Action.IMPORT).changes["created"] == 2

    monkeypatch.setattr(applying, "_households", real)
    again = upload(worker_a, GOOD)
    assert (again.status, again.created_count, again.existing_count) == (ImportJob.Status.DONE, 2, 2)
    assert Elder.objects.count() == len(GOOD)


def test_a_job_runs_once(imported):
    assert imports.run_import(imported).created_count == len(GOOD)
    assert Elder.objects.count() == len(GOOD)


def test_the_template_has_the_headers_and_a_sheet_of_rules(worker_a):
    workbook = load_workbook(io.BytesIO(imports.template_xlsx(by=worker_a)))
    data, rules = workbook.worksheets
    assert [c.value for c in data[1]] == [c.header for c in imports.COLUMNS]
    assert data.max_row == 1
    assert rules.title == "说明"
    text = {c.value for row in rules.iter_rows() for c in row}
    assert {"360103001001", "桃花社区", "桃花小区"} <= text


def test_the_template_filled_in_imports(worker_a):
    workbook = load_workbook(io.BytesIO(imports.template_xlsx()))
    workbook.worksheets[0].append(GOOD[0])
    out = io.BytesIO()
    workbook.save(out)
    job = imports.start_import(by=worker_a, uploaded_file=SimpleUploadedFile("t.xlsx", out.getvalue()))
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 1)


def test_the_corrected_error_file_imports(imported, worker_a):
    workbook = load_workbook(imported.error_file.open("rb"))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if "is not a mobile number" in row[header.index("错误原因")].value and row[header.index("姓名")].value == "陈八":
            row[header.index("联系电话")].value = "13807910000"
    out = io.BytesIO()
    workbook.save(out)
    with translation.override("en"):
        job = imports.start_import(by=worker_a, uploaded_file=SimpleUploadedFile("fixed.xlsx", out.getvalue()))
    # The corrected row is added; the row that repeated 王秀英 is now simply already registered.
    assert (job.created_count, job.existing_count) == (1, 1)
    assert job.error_count == len(BAD) - 2
    header = next(load_workbook(job.error_file.open("rb")).worksheets[0].iter_rows(values_only=True))
    assert (header.count("原行号"), header.count("错误原因")) == (1, 1)
