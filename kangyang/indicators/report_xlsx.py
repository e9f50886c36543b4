"""The indicators report as an .xlsx workbook: a summary sheet with the status chart, the
indicators (the report's JSON figures, as numbers), the plans' targets, and the key indicators
by sub-region with a bar chart. Every sheet is a SafeWorkbook's (no cell is ever a formula)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kangyang.indicators import queries
from kangyang.indicators import targets as T
from kangyang.indicators.queries import _number as json_number  # the JSON report's own rounding
from kangyang.indicators.registry import COUNT, YUAN
from kangyang.indicators.reports import (DEFAULT_PLACES, OPS, STATUS_ORDER, Report, plan_name, row_name,
                                         shown_number, summary_text, unit_label)
from kangyang.lib.numbers import MONEY_FORMAT
from kangyang.lib.sheets import SafeWorkbook

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="EEF2F4")
MISS_FILL = PatternFill("solid", fgColor="FBE9E7")
BEHIND_FILL = PatternFill("solid", fgColor="FFF3E0")
WRAP = Alignment(wrap_text=True, vertical="top")
SUMMARY, INDICATORS, TARGETS, BREAKDOWN = 0, 1, 2, 3  # the sheets, in order


def workbook(report: Report) -> bytes:
    book = SafeWorkbook()
    _summary(book.create_sheet(_("Summary")), report)
    _indicators(book.create_sheet(_("Indicators")), report)
    _targets(book.create_sheet(_("Targets")), report)
    if report.breakdown is not None:
        _breakdown(book.create_sheet(_("By %(level)s") % {"level": report.breakdown.level_text}), report)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet, value, *, font=None, fill=None, number_format=None, wrap=False):
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if number_format is not None:
        cell.number_format = number_format
    if wrap:
        cell.alignment = WRAP
    return cell


def _header(sheet, texts: list[str], widths: list[int]) -> None:
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, t, font=BOLD, fill=HEAD_FILL, wrap=True) for t in texts])


def number_format(value: Decimal | None, unit: str, targets: list[Decimal] = ()) -> str:
    """The cell's format: the decimals the report shows (never rounded across a target)."""
    if unit == YUAN:
        return MONEY_FORMAT
    if value is None:
        return "General"
    places = DEFAULT_PLACES.get(unit, 0 if value == value.to_integral_value() else 1)
    places = shown_number(Decimal(value), list(targets), places)[1]
    return "#,##0" + ("." + "0" * places if places else "")


def _count_format(unit: str) -> str:
    return MONEY_FORMAT if unit == YUAN else "#,##0"


def _summary(sheet, report: Report) -> None:
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 60
    sheet.append([_cell(sheet, report.title, font=TITLE)])
    sheet.append([_("Period"), report.period_text])
    sheet.append([_("Figures as of"), _cell(sheet, report.as_of, number_format="yyyy-mm-dd")])
    sheet.append([_("Computed at"), f"{report.generated_at:%Y-%m-%d %H:%M} ({report.timezone_name})"])
    sheet.append([_("Region code"), report.region.code])
    sheet.append([])
    sheet.append([summary_text(report)])
    sheet.append([])
    first = 10  # the row of the first status below its header
    sheet.append([_cell(sheet, _("Status"), font=BOLD, fill=HEAD_FILL),
                  _cell(sheet, _("Number of indicators"), font=BOLD, fill=HEAD_FILL)])
    for status in STATUS_ORDER:
        sheet.append([str(queries.STATUS_LABELS[status]), report.counts[status]])
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = _("The plans' indicators by status")
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=2, min_row=first - 1, max_row=first + len(STATUS_ORDER) - 1),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=first + len(STATUS_ORDER) - 1))
    chart.x_axis.scaling.orientation = "maxMin"  # the first status on top
    chart.dataLabels = DataLabelList(showVal=True)
    chart.height, chart.width = 6.5, 13
    sheet.add_chart(chart, "D2")
    sheet.append([])
    sheet.append([_cell(sheet, _("Binding indicators missed"), font=BOLD)])
    misses = report.binding_misses
    if not misses:
        sheet.append([_("None: every binding indicator is met or on track.")])
    for line in misses:
        sheet.append([_cell(sheet, line.name, wrap=True), line.value_text,
                      _cell(sheet, "；".join(f"{t.plan_name}：{t.text}，{t.status_text}" for t in line.targets),
                            wrap=True)])
    if report.plans:
        sheet.append([])
        sheet.append([_cell(sheet, _("Plans cited"), font=BOLD)])
        for key, name in report.plans:
            sheet.append([key, name])


def _indicators(sheet, report: Report) -> None:
    """One row per indicator, binding misses first: the JSON report's figures, as numbers."""
    _header(sheet, [_("Code"), _("Indicator"), _("Kind"), _("Value"), _("Unit"), _("Numerator"), _("Denominator"),
                    _("Status"), _("Targets of the plans"), _("As of"), _("Source of the figure"),
                    _("How it is computed")],
            [30, 36, 9, 14, 10, 14, 14, 10, 44, 12, 10, 70])
    origins = {queries.COMPUTED: _("computed"), queries.ENTERED: _("entered"), queries.NONE: _("none")}
    for line in report.lines:
        row, figure = line.row, line.row.figure
        data = row.as_json()
        fill = MISS_FILL if row.binding_miss else BEHIND_FILL if line.status == T.BEHIND else None
        targets = [t.value for t, _s in row.targets]
        as_of = dt.date.fromisoformat(data["as_of"]) if data["as_of"] else None
        summed = row.unit if row.indicator is not None and row.indicator.measure else COUNT  # money summed
        sheet.append([
            _cell(sheet, row.code, fill=fill), _cell(sheet, line.name, fill=fill, wrap=True),
            _cell(sheet, line.kind_text, fill=fill),
            _cell(sheet, data["value"], fill=fill, number_format=number_format(figure.value, row.unit, targets)),
            _cell(sheet, unit_label(row.unit), fill=fill),
            _cell(sheet, data["numerator"], fill=fill, number_format=_count_format(summed)),
            _cell(sheet, data["denominator"], fill=fill, number_format=_count_format(COUNT)),
            _cell(sheet, line.status_text, fill=fill),
            _cell(sheet, "；".join(f"{t.plan_name}：{t.text}，{t.status_text}" for t in line.targets),
                  fill=fill, wrap=True),
            _cell(sheet, as_of, fill=fill, number_format="yyyy-mm-dd"),
            _cell(sheet, origins.get(row.origin, row.origin), fill=fill),
            _cell(sheet, line.formula, fill=fill, wrap=True),
        ])


def _targets(sheet, report: Report) -> None:
    """One row per plan's target of an indicator (the JSON report's targets)."""
    _header(sheet, [_("Code"), _("Indicator"), _("Plan"), _("Plan's name"), _("Year of the target"),
                    _("Comparison"), _("Target"), _("Unit"), _("Status")],
            [30, 36, 16, 30, 10, 8, 10, 10, 10])
    for line in report.lines:
        row = line.row
        for target, status in row.targets:
            sheet.append([row.code, line.name, target.plan, plan_name(target.plan), target.year,
                          OPS.get(target.op, target.op), float(target.value), unit_label(row.unit),
                          str(queries.STATUS_LABELS[status])])


def _breakdown(sheet, report: Report) -> None:
    """Sub-regions down, key indicators across, with a bar chart of one of them."""
    breakdown = report.breakdown
    columns = breakdown.columns
    _header(sheet, [_("Region code"), breakdown.level_text, *[c.name for c in columns]],
            [14, 18, *[18] * len(columns)])
    sheet.append([_cell(sheet, _("Code"), font=BOLD), None, *[c.code for c in columns]])
    first = 3
    for region in breakdown.regions:
        cells = [region.code, region.name]
        for column in columns:
            value = breakdown.value(column.code, region.code)
            number = json_number(value)
            cells.append(_cell(sheet, number, number_format=number_format(value, column.unit)))
        sheet.append(cells)
    last = first + len(breakdown.regions) - 1
    chart_column = report.chart_column()
    if chart_column is None or not breakdown.regions:
        return
    col = 3 + columns.index(chart_column)
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = _("%(indicator)s by %(level)s") % {"indicator": chart_column.name, "level": breakdown.level_text}
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=col, min_row=first, max_row=last), titles_from_data=False)
    chart.set_categories(Reference(sheet, min_col=2, min_row=first, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.dataLabels = DataLabelList(showVal=True)
    chart.height = max(7.5, 0.6 * len(breakdown.regions) + 2)
    chart.width = 16
    sheet.add_chart(chart, f"{get_column_letter(len(columns) + 4)}2")
