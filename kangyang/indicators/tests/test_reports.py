"""The report a bureau sends upward: the PDF carries its Chinese font and draws its charts, the
workbook reads back as the JSON report, the command writes both, and the page serves the
same to the readers whose area covers the region (each download audited)."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from kangyang.audit.models import AuditEntry
from kangyang.indicators import queries, reports
from kangyang.indicators.actions import enter_value
from kangyang.indicators.registry import PERCENT, YUAN, Period, site
from kangyang.indicators.report_xlsx import BREAKDOWN, INDICATORS, SUMMARY, TARGETS
from kangyang.indicators.tests.test_framework import people  # noqa: F401 (a fixture)
from kangyang.lib.tests import pdfs

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(today):
    return Period(today.year, today.month)


@pytest.fixture
def entered(admin, district, today):
    """The bureau's own figure of life expectancy (the platform cannot compute it)."""
    return enter_value(by=admin, code="life_expectancy", region_code=district.code, year=today.year,
                       value="78.55", source="西湖区卫健委统计公报", as_of=today)


@pytest.fixture
def pdf(people, entered, district, period):
    return reports.render("pdf", region_code=district.code, period=period)


# -- numbers -----------------------------------------------------------------------------------

def test_a_rate_is_never_rounded_onto_a_target():
    assert reports.number_text(Decimal("98.97"), PERCENT, [Decimal(99)]) == "98.97%"
    assert reports.number_text(Decimal("98.94"), PERCENT, [Decimal(99)]) == "98.9%"
    # Against two plans' targets, the decimals that keep it on its side of both.
    assert reports.number_text(Decimal("77.996"), PERCENT, [Decimal(60), Decimal(78)]) == "77.996%"
    assert reports.number_text(Decimal(200) / 3, PERCENT, [Decimal(78)]) == "66.7%"
    assert reports.number_text(Decimal("2306550"), YUAN) == "¥2,306,550.00"
    assert reports.number_text(Decimal("20481"), "count") == "20,481"
    assert reports.number_text(None, PERCENT) == "—"


# -- the PDF -------------------------------------------------------------------------------------

def test_the_pdf_embeds_its_chinese_font(pdf):
    fonts = pdfs.fonts_of(pdf)
    assert fonts and all(fonts.values()), fonts  # every font's glyphs are in the file
    assert any("NotoSansSC-Kangyang" in name for name in fonts)


def test_the_pdf_says_in_chinese_what_the_json_says(pdf, district, period):
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "西湖区" in text and "南浦街道" in text and "朝阳洲街道" in text  # title and breakdown
    assert "65岁以上老年人家庭医生签约率" in text  # a plan's indicator by the plan's wording
    assert "66.7%" in text and "2 / 3" in text  # two of three 65+ elders have a family doctor
    assert "78.55" in text and "西湖区卫健委统计公报" in text  # entered; not rounded onto 78.6
    assert "南昌市西湖区健康养老产业高质量发展三年行动计划" in text  # the plan cited


def test_the_pdf_page_shows_its_title_and_charts(pdf):
    page = pdfs.render_first_page(pdf, dpi=50)
    assert pdfs.dark_share(page, (0.3, 0.03, 0.7, 0.09)) > 0.03  # the title's characters
    assert pdfs.dark_share(page, (0.02, 0.2, 0.98, 0.95), below=230) > 0.03  # the rest is not blank
    # The charts' bars: the status chart's red (behind) or grey (no data), the sub-regions' blue.
    colours = pdfs.render_first_page(pdf, dpi=50, mode="RGB").getcolors(1 << 20)
    assert pdfs.pixels_near(colours, (0x9A, 0xA5, 0xAB)) > 50  # "no data yet" bar
    assert pdfs.pixels_near(colours, (0x2F, 0x6F, 0xB0)) > 50  # the sub-regions' bars


def test_binding_misses_come_first(people, district, period):
    data = reports.report_data(district.code, period)
    misses = [line.row.binding_miss for line in data.lines]
    assert misses[0] and misses == sorted(misses, reverse=True)
    assert data.counts["no_data"] >= 1 and sum(data.counts.values()) == sum(1 for r in data.rows if r.plan)


# -- the workbook --------------------------------------------------------------------------------

def test_the_workbook_reads_back_as_the_json_report(people, entered, district, period):
    book = load_workbook(io.BytesIO(reports.render("xlsx", region_code=district.code, period=period)))
    report = queries.report(district.code, period)
    expected = {i["code"]: i for i in report["indicators"]}

    sheet = book.worksheets[INDICATORS]
    found = {}
    for code, _name, _kind, value, _unit, numerator, denominator, _status, _targets, as_of, *_rest in \
            sheet.iter_rows(min_row=2, values_only=True):
        found[code] = (value, numerator, denominator, as_of.date().isoformat() if as_of else None)
    assert found == {c: (i["value"], i["numerator"], i["denominator"], i["as_of"]) for c, i in expected.items()}
    assert found["life_expectancy"][0] == 78.55

    targets = sorted((code, plan, year, value) for code, _n, plan, _pn, year, _op, value, *_r in
                     book.worksheets[TARGETS].iter_rows(min_row=2, values_only=True))
    assert targets == sorted((c, t["plan"], t["year"], t["value"]) for c, i in expected.items() for t in i["targets"])


def test_the_workbook_breaks_the_key_indicators_down_and_charts_them(people, district, period,
                                                                     subdistrict_1, subdistrict_2):
    book = load_workbook(io.BytesIO(reports.render("xlsx", region_code=district.code, period=period)))
    sheet = book.worksheets[BREAKDOWN]
    rows = list(sheet.iter_rows(values_only=True))
    codes = list(rows[1][2:])
    assert "elder_family_doctor_rate" in codes and len(codes) == reports.KEY_INDICATORS
    by_region = {row[0]: dict(zip(codes, row[2:])) for row in rows[2:]}
    assert set(by_region) == {subdistrict_1.code, subdistrict_2.code}
    # Each column is the indicator's own breakdown (the plans' indicators first, so which ones
    # fill the columns changes as apps declare theirs).
    for code in codes:
        for region_code, figure in queries.breakdown(site.get(code), district.code, period, "subdistrict").items():
            shown = by_region[region_code][code]
            assert shown == (None if figure.value is None else pytest.approx(float(figure.value), abs=1e-6)), code
    assert by_region[subdistrict_1.code]["elder_family_doctor_rate"] == pytest.approx(200 / 3, abs=1e-6)
    # No 65+ elder in subdistrict 2: no rate. A count without records there is 0, not blank.
    assert by_region[subdistrict_2.code]["elder_family_doctor_rate"] is None
    for code in codes:
        indicator = site.get(code)
        if subdistrict_2.code not in queries.breakdown(indicator, district.code, period, "subdistrict"):
            empty = indicator.empty_figure().value
            assert by_region[subdistrict_2.code][code] == (None if empty is None else int(empty)), code
    assert len(sheet._charts) == 1 and len(book.worksheets[SUMMARY]._charts) == 1
    # The value cell shows the decimals the report prints (66.7, against the plan's 78).
    cell = next(c for c in sheet[3 + 0] if c.value is not None and isinstance(c.value, float))
    assert cell.number_format in ("#,##0.0", "#,##0.00")


# -- the command -----------------------------------------------------------------------------------

def test_the_command_writes_a_pdf_and_a_workbook(people, district, today, tmp_path):
    for format in ("pdf", "xlsx"):
        out = tmp_path / f"report.{format}"
        call_command("indicators", "--region", district.code, "--year", str(today.year), "--month",
                     str(today.month), "--format", format, "--out", str(out), stderr=io.StringIO())
        data = out.read_bytes()
        assert data.startswith(b"%PDF" if format == "pdf" else b"PK")
    assert "西湖区" in PdfReader(tmp_path / "report.pdf").pages[0].extract_text()
    assert load_workbook(tmp_path / "report.xlsx").worksheets[INDICATORS]["A2"].value


def test_the_command_asks_for_a_file_for_a_pdf(district, today):
    with pytest.raises(CommandError, match="--out"):
        call_command("indicators", "--region", district.code, "--year", str(today.year), "--format", "pdf")


def test_a_report_of_a_community_has_no_breakdown_and_of_a_year_says_the_year(people, community_a, today):
    data = reports.report_data(community_a.code, Period(today.year))
    assert data.breakdown is None and data.chart_code is None
    assert str(today.year) in data.period_text
    assert reports.render("pdf", region_code=community_a.code, period=Period(today.year)).startswith(b"%PDF")


# -- the page ------------------------------------------------------------------------------------

def url(region, period, format="html") -> str:
    month = f"&month={period.month}" if period.month else ""
    return f"/indicators/report/?region={region.code}&year={period.year}{month}&format={format}"


def test_the_bureau_reads_the_report_page(client, admin, people, district, period):
    client.force_login(admin)
    r = client.get(url(district, period))
    assert r.status_code == 200
    page = r.content.decode()
    assert "西湖区" in page and "南浦街道" in page and "66.7%" in page and "2 / 3" in page
    assert 'data-code="elder_family_doctor_rate"' in page and "<svg" in page
    assert "format=pdf" in page and "format=xlsx" in page


def test_the_page_without_a_query_shows_this_month_of_the_readers_area(client, admin, people, today):
    client.force_login(admin)
    r = client.get("/indicators/report/")
    assert r.status_code == 200
    assert r.context["report"].region.code == admin.region.code
    assert r.context["report"].period == Period(today.year, today.month)


def test_each_download_is_audited(client, admin, people, district, period):
    client.force_login(admin)
    r = client.get(url(district, period, "pdf"))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    r = client.get(url(district, period, "xlsx"))
    assert r["Content-Type"] == reports.CONTENT_TYPES["xlsx"] and "attachment" in r["Content-Disposition"]
    entries = AuditEntry.objects.filter(verb="indicators.report").order_by("id")
    assert [(e.actor, e.action, e.region_code, e.changes) for e in entries] == [
        (admin, AuditEntry.Action.EXPORT, district.code, {"format": f, "period": period.key}) for f in ("pdf", "xlsx")]
    client.get(url(district, period))
    assert AuditEntry.objects.filter(verb="indicators.report").count() == 2  # reading the page is no download


def test_a_subdistrict_officer_reads_their_own_subdistrict_only(client, subdistrict, subdistrict_1, subdistrict_2,
                                                                 district, period):
    client.force_login(subdistrict)
    assert client.get(url(subdistrict_1, period)).status_code == 200
    for region in (subdistrict_2, district):
        for format in ("html", "pdf", "xlsx"):
            assert client.get(url(region, period, format)).status_code == 404
    assert not AuditEntry.objects.filter(verb="indicators.report").exists()


def test_who_has_no_indicators_is_refused(client, caregiver, district, period):
    client.force_login(caregiver)
    assert client.get(url(district, period, "pdf")).status_code == 403


def test_a_bad_month_is_said_not_served(client, admin, district):
    client.force_login(admin)
    r = client.get(f"/indicators/report/?region={district.code}&year=2026&month=13")
    assert r.status_code == 400 and r.context["report"] is None
    assert client.get(f"/indicators/report/?region={district.code}&year=2026&format=doc").status_code == 400
