"""Names and addresses that look like formulas stay inert in the registry's sheets: the
elder export, the rejected-row file and the template's list of compounds."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from kangyang.lib import residentid
from kangyang.lib.sheets import SafeWorkbook
from kangyang.lib.tests.formulas import FORMULAS, assert_xlsx_inert
from kangyang.regions.models import Compound
from kangyang.registry import exports, imports
from kangyang.registry.actions import create_elder
from kangyang.registry.models import Elder
from kangyang.registry.tests.test_imports import HEADERS


def test_the_elder_export_writes_formula_like_names_and_addresses_as_text(worker_a, community_a):
    for sequence, (name, address) in enumerate([FORMULAS[:2], FORMULAS[2:]], start=11):
        create_elder(by=worker_a, name=name, address=address, community=community_a,
                     id_number=residentid.make("360103", dt.date(1944, 2, sequence), sequence))
    data = exports.export_elders_xlsx(Elder.objects.all(), by=worker_a)
    assert_xlsx_inert(data)


def test_the_rejected_rows_come_back_as_text_and_import_again_unchanged(worker_a, community_a):
    bad_id = residentid.make("360103", dt.date(1946, 1, 1), 15)[:17]  # 17 characters: rejected
    rows = [[formula, bad_id, "360103001001", "", "", "", "", FORMULAS[1]] for formula in FORMULAS]
    workbook = SafeWorkbook()  # the names typed as text into the worker's sheet, as Excel stores them
    sheet = workbook.create_sheet("长者名单")
    for row in (HEADERS, *rows):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    with translation.override("en"):
        job = imports.start_import(by=worker_a, uploaded_file=SimpleUploadedFile("长者名单.xlsx", out.getvalue()))
    assert job.error_count == len(FORMULAS)
    with job.error_file.open("rb") as f:
        data = f.read()
    assert_xlsx_inert(data)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == list(FORMULAS)  # the text itself is unchanged, for the next upload


def test_the_template_lists_a_formula_like_compound_as_text(worker_a, community_a):
    Compound.objects.filter(community=community_a).update(name=FORMULAS[0])
    data = imports.template_xlsx(by=worker_a)
    assert_xlsx_inert(data, expected=FORMULAS[:1])
