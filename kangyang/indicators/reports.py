"""The monthly report a bureau sends upward (上报): the indicators of a region for a month or
a year against the plans' targets, the sub-regions' breakdown of the key ones, and charts, as a
printable page, an .xlsx workbook or a PDF. Files are in Chinese, whoever asks for them.

`report_data()` gathers what every form shows (in the current language); `render()` makes a
file of it; `download()` makes one for a reader and audits it. Figures are computed live
(queries.rows_for, queries.breakdown). A rate is shown with as many decimals as keep it on its
own side of every target it is measured against (kangyang/lib/numbers.py): 98.97 against a
target of 99 reads 98.97%, never 99.0%.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kangyang.indicators import queries
from kangyang.indicators import targets as T
from kangyang.indicators.registry import (COUNT, HUNDRED_MILLION_YUAN, LEVELS, PER_1000, PERCENT, PERMILLE,
                                          SECONDS, YEARS, YUAN, Period)
from kangyang.lib import numbers
from kangyang.regions import codes
from kangyang.regions.models import Region

PDF, XLSX = "pdf", "xlsx"
FORMATS = (PDF, XLSX)
CONTENT_TYPES = {PDF: "application/pdf",
                 XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
REPORT_LANGUAGE = "zh-hans"  # the report goes upward, to a bureau that reads Chinese
KEY_INDICATORS = 6  # how many indicators the breakdown by sub-region shows

# The plans of plan-targets.yaml, as its header names them (a bureau's own file may name
# others: they show by their key).
PLAN_NAMES = {
    "xihu-2023": "南昌市西湖区健康养老产业高质量发展三年行动计划（2023—2025年）",
    "nanchang-14th": "南昌市“十四五”养老服务体系建设规划",
    "shapotou-2027": "沙坡头区健康养老产业发展重点任务清单",
    "xianning-2025": "咸宁市加快康养产业发展若干措施",
}
PLAN_SHORT_NAMES = {
    "xihu-2023": "西湖区三年行动计划",
    "nanchang-14th": "南昌市“十四五”规划",
    "shapotou-2027": "沙坡头区任务清单",
    "xianning-2025": "咸宁市康养措施",
}
OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}
# The order the summary counts the plans' indicators in.
STATUS_ORDER = (T.MET, T.ON_TRACK, T.BEHIND, T.NO_DATA)
DEFAULT_PLACES = {PERCENT: 1, PERMILLE: 1, PER_1000: 1, YEARS: 1, SECONDS: 1, HUNDRED_MILLION_YUAN: 2}


# -- numbers in words --------------------------------------------------------------------------

def unit_label(unit: str) -> str:
    return {
        PERCENT: "%", PERMILLE: "‰", COUNT: "", YUAN: pgettext("unit", "yuan"),
        SECONDS: pgettext("unit", "s"), YEARS: pgettext("unit of age", "years"),
        PER_1000: _("per 1,000 people"), HUNDRED_MILLION_YUAN: _("100 million yuan"),
        "stars": pgettext("unit", "stars"),
    }.get(unit, unit)


def shown_number(value: Decimal, targets: list[Decimal], places: int) -> tuple[Decimal, int]:
    """`value` rounded to `places` decimals, or to more where that would put it on the other
    side of any of `targets` than the value itself (numbers.percent_places, for each)."""
    while True:
        found = [numbers.percent_places(value, t, places) for t in targets] or [(value.quantize(
            Decimal(1).scaleb(-places)), places)]
        most = max(p for _shown, p in found)
        if most == places:
            return found[0]
        places = most


def number_text(value: Decimal | None, unit: str, targets: list[Decimal] = ()) -> str:
    """A figure as the report prints it: 98.97%, ¥2,306,550.00, 12,408, 77.9 岁; "—" for none."""
    if value is None:
        return numbers.NONE
    if unit == YUAN:
        return numbers.yuan(value)
    places = DEFAULT_PLACES.get(unit, 0 if value == value.to_integral_value() else 1)
    shown, p = shown_number(Decimal(value), list(targets), places)
    text = f"{shown:,.{p}f}"
    label = unit_label(unit)
    if unit in (PERCENT, PERMILLE):
        return text + label
    return f"{text} {label}" if label else text


def target_text(value: Decimal, unit: str) -> str:
    """A target as the plan writes it: 78%, 77.8 岁, 45 亿元 (no decimals it does not have)."""
    if unit == YUAN:
        return numbers.yuan(value)
    places = max(0, -value.normalize().as_tuple().exponent)
    text = f"{value:,.{places}f}"
    label = unit_label(unit)
    if unit in (PERCENT, PERMILLE):
        return text + label
    return f"{text} {label}" if label else text


def count_text(value: Decimal | None, unit: str = COUNT) -> str:
    """A numerator or denominator: a count with thousands separators (money as money)."""
    if value is None:
        return numbers.NONE
    if unit == YUAN:
        return numbers.yuan(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def period_text(period: Period) -> str:
    if period.month is None:
        return _("year %(year)s") % {"year": period.year}
    return formats.date_format(period.first_day, "YEAR_MONTH_FORMAT")


def region_full_name(region: Region) -> str:
    """南昌市西湖区南浦街道: the names from the top of the tree down."""
    names, node = [], region
    while node is not None:
        names.append(node.name)
        node = node.parent
    return "".join(reversed(names))


def row_name(row: queries.Row) -> str:
    """A plan's indicator by the plans' own wording; the platform's by its translated name."""
    return row.plan.name_zh if row.plan is not None and row.plan.name_zh else str(row.name)


def plan_name(plan: str, *, short: bool = True) -> str:
    return (PLAN_SHORT_NAMES if short else PLAN_NAMES).get(plan, plan)


# -- what every form shows -----------------------------------------------------------------------

@dataclass
class TargetLine:
    plan: str  # the plan's key
    plan_name: str
    text: str  # ≥ 78%（2025 年目标）
    status: str
    status_text: str


@dataclass
class Line:
    """One indicator as the report shows it."""

    row: queries.Row
    name: str
    kind_text: str
    value_text: str
    counts_text: str  # numerator / denominator of a share
    targets: list[TargetLine]
    status_text: str
    formula: str

    @property
    def code(self) -> str:
        return self.row.code

    @property
    def status(self) -> str:
        return self.row.status


@dataclass
class Column:
    code: str
    name: str
    unit: str
    empty: Decimal | None = None  # a sub-region without records: a count of 0, a share of nothing


@dataclass
class Breakdown:
    """Key indicators by the sub-regions one level down."""

    level: str
    level_text: str
    regions: list[Region]
    columns: list[Column]
    figures: dict[str, dict[str, object]]  # {indicator code: {region code: Figure}}

    def value(self, code: str, region_code: str) -> Decimal | None:
        figure = self.figures[code].get(region_code)
        if figure is None:  # the breakdown lists the sub-regions that have records
            return next(c.empty for c in self.columns if c.code == code)
        return figure.value

    def table(self) -> list[tuple[Region, list[str]]]:
        return [(region, [number_text(self.value(c.code, region.code), c.unit) for c in self.columns])
                for region in self.regions]


@dataclass
class Bar:
    label: str
    value: Decimal | None
    text: str
    share: float  # of the longest bar, 0–1
    key: str = ""  # a status code, for the bar's colour (its words say the same)


@dataclass
class Report:
    region: Region
    region_name: str
    period: Period
    period_text: str
    title: str
    as_of: object  # date
    generated_at: object  # aware datetime, local time
    rows: list[queries.Row]
    lines: list[Line]  # for reading: binding misses first
    counts: dict[str, int]  # the plans' indicators by status
    platform_count: int  # the platform's own indicators (no target)
    breakdown: Breakdown | None
    chart_code: str | None  # the indicator the bar chart shows by sub-region
    plans: list[tuple[str, str]] = field(default_factory=list)  # (key, full name) of the plans cited

    @property
    def binding_misses(self) -> list[Line]:
        return [line for line in self.lines if line.row.binding_miss]

    @property
    def behind(self) -> list[Line]:
        return [line for line in self.lines if line.status == T.BEHIND and not line.row.binding_miss]

    @property
    def timezone_name(self) -> str:
        return timezone.get_current_timezone_name()

    def status_bars(self) -> list[Bar]:
        most = max(self.counts.values(), default=0) or 1
        return [Bar(str(queries.STATUS_LABELS[s]), Decimal(self.counts[s]), str(self.counts[s]),
                    self.counts[s] / most, key=s) for s in STATUS_ORDER]

    def chart_column(self) -> Column | None:
        if self.breakdown is None or self.chart_code is None:
            return None
        return next(c for c in self.breakdown.columns if c.code == self.chart_code)

    def region_bars(self) -> list[Bar]:
        column = self.chart_column()
        if column is None:
            return []
        values = [self.breakdown.value(column.code, r.code) for r in self.breakdown.regions]
        most = max((v for v in values if v is not None), default=0) or 1
        return [Bar(region.name, value, number_text(value, column.unit),
                    float(value / most) if value is not None and value > 0 else 0.0)
                for region, value in zip(self.breakdown.regions, values)]


def _line(row: queries.Row) -> Line:
    target_values = [t.value for t, _s in row.targets]
    targets = [TargetLine(plan=t.plan, plan_name=plan_name(t.plan),
                          text=_("%(op)s %(value)s (%(year)s target)") % {
                              "op": OPS.get(t.op, t.op), "value": target_text(t.value, row.unit), "year": t.year},
                          status=s, status_text=str(queries.STATUS_LABELS[s]))
               for t, s in row.targets]
    figure = row.figure
    counts = ""
    if row.indicator is not None and row.origin == queries.COMPUTED and row.indicator.is_share:
        counts = f"{count_text(figure.numerator)} / {count_text(figure.denominator)}"
    status = row.status if row.plan is not None else (T.NO_DATA if figure.value is None else T.NO_TARGET)
    return Line(
        row=row, name=row_name(row),
        kind_text={"binding": _("binding"), "expected": _("expected")}.get(row.kind, ""),
        value_text=number_text(figure.value, row.unit, target_values), counts_text=counts, targets=targets,
        status_text=str(queries.STATUS_LABELS[status]), formula=formula_text(row))


def formula_text(row: queries.Row) -> str:
    """How the figure is made, in words: what is counted, over what, which records."""
    indicator = row.indicator
    if row.origin == queries.ENTERED and row.entered is not None:
        return _("Entered by the bureau: %(source)s, as of %(date)s.") % {
            "source": row.entered.source, "date": row.entered.as_of.isoformat()}
    if row.origin == queries.NONE or indicator is None:
        return _("No module computes it yet, and the bureau has entered no figure.")
    if indicator.is_share:
        text = _("%(numerator)s ÷ %(denominator)s × %(scale)s") % {
            "numerator": indicator.numerator_text, "denominator": indicator.denominator_text,
            "scale": indicator.scale}
    else:
        text = str(indicator.numerator_text)
    return f"{text}；{indicator.as_of_text}"


def _key_rows(rows: list[queries.Row], level: str) -> list[queries.Row]:
    """The indicators the breakdown shows: the plans' indicators the platform computes, then
    the first indicator of each group (an app lists its headline figure first)."""
    computed = [r for r in rows if r.origin == queries.COMPUTED and r.indicator is not None
                and LEVELS.index(level) <= LEVELS.index(r.indicator.level)]
    chosen = [r for r in computed if r.plan is not None]
    groups = {r.group for r in chosen}
    for row in computed:
        if row.plan is None and row.group not in groups:
            chosen.append(row)
            groups.add(row.group)
    return chosen[:KEY_INDICATORS]


def _breakdown(region: Region, period: Period, rows: list[queries.Row]) -> Breakdown | None:
    level = codes.level_of(region.code)
    if level == LEVELS[-1]:
        return None
    below = LEVELS[LEVELS.index(level) + 1]
    key = _key_rows(rows, below)
    regions = list(Region.objects.filter(level=below, code__startswith=codes.prefix(region.code)).order_by("code"))
    if not key or not regions:
        return None
    figures = {row.code: queries.breakdown(row.indicator, region.code, period, below) for row in key}
    return Breakdown(level=below, level_text=str(Region.Level(below).label), regions=regions,
                     columns=[Column(r.code, row_name(r), r.unit, r.indicator.empty_figure().value) for r in key],
                     figures=figures)


def _chart_code(breakdown: Breakdown | None) -> str | None:
    """The first key indicator whose bars would show something (a sub-region above zero), else the
    first that some sub-region has a figure for: a chart of empty bars tells the reader nothing."""
    if breakdown is None:
        return None
    for shows in (lambda v: v is not None and v != 0, lambda v: v is not None):
        for column in breakdown.columns:
            if any(shows(f.value) for f in breakdown.figures[column.code].values()):
                return column.code
    return breakdown.columns[0].code


def report_data(region_code: str, period: Period) -> Report:
    """Everything the report shows, in the current language."""
    region = Region.objects.select_related("parent__parent__parent").get(code=region_code)
    rows = queries.rows_for(region_code, period)
    lines = [_line(row) for row in queries.ordered_for_reading(rows)]
    counts = {s: 0 for s in STATUS_ORDER}
    for row in rows:
        if row.plan is not None and row.status in counts:  # a plan with no target at all is not counted
            counts[row.status] += 1
    breakdown = _breakdown(region, period, rows)
    cited = sorted({t.plan for row in rows for t, _s in row.targets})
    name = region_full_name(region)
    shown = period_text(period)
    return Report(
        region=region, region_name=name, period=period, period_text=shown,
        title=_("%(region)s: elder-care indicators, %(period)s") % {"region": name, "period": shown},
        as_of=period.as_of, generated_at=timezone.localtime(), rows=rows, lines=lines, counts=counts,
        platform_count=sum(1 for row in rows if row.plan is None), breakdown=breakdown,
        chart_code=_chart_code(breakdown), plans=[(p, plan_name(p, short=False)) for p in cited])


def summary_text(report: Report) -> str:
    counts = report.counts
    return _("Of the plans' %(total)s indicators, %(met)s are met, %(on_track)s on track, %(behind)s behind "
             "and %(no_data)s without data; %(binding)s binding indicators are missed. The platform adds "
             "%(own)s indicators of its own.") % {
        "total": sum(counts.values()), "met": counts[T.MET], "on_track": counts[T.ON_TRACK],
        "behind": counts[T.BEHIND], "no_data": counts[T.NO_DATA], "binding": len(report.binding_misses),
        "own": report.platform_count}


# -- files -------------------------------------------------------------------------------------

def render(format: str, *, region_code: str, period: Period) -> bytes:
    """The report as an .xlsx workbook or a PDF, in Chinese."""
    if format not in FORMATS:
        raise ValueError(f"unknown report format {format!r}")
    with translation.override(REPORT_LANGUAGE):
        report = report_data(region_code, period)
        if format == XLSX:
            from kangyang.indicators.report_xlsx import workbook

            return workbook(report)
        from kangyang.indicators.report_pdf import document

        return document(report)


def filename(format: str, *, region_code: str, period: Period) -> str:
    name = Region.objects.filter(code=region_code).values_list("name", flat=True).first() or region_code
    return f"养老服务指标报告-{name}-{period.key}.{format}"


def download(format: str, *, region_code: str, period: Period, by) -> bytes:
    """The file a reader downloads, audited: who took which region's report for which period."""
    from kangyang.audit.actions import record
    from kangyang.audit.models import AuditEntry

    data = render(format, region_code=region_code, period=period)
    record(by, AuditEntry.Action.EXPORT, None, verb="indicators.report", region_code=region_code,
           changes={"format": format, "period": period.key})
    return data
