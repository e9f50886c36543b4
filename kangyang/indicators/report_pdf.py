"""The indicators report as a PDF (A4 landscape): title, summary with its charts, binding
misses, the table of indicators, the key indicators by sub-region, the plans cited. Charts are
reportlab's own graphics; the Chinese font is embedded (kangyang/lib/pdf_fonts.py)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from kangyang.indicators import targets as T
from kangyang.indicators.reports import STATUS_ORDER, Bar, Report, summary_text
from kangyang.lib import pdf_fonts

INK = "#1f2a30"
MUTED = "#5f6b73"
GRID = "#8a959c"
HEAD = "#eef2f4"
# Status colours; every bar and cell also says its status in words, so none depends on colour.
STATUS_FILL = {T.MET: "#2e7d4f", T.ON_TRACK: "#2f6fb0", T.BEHIND: "#c0392b", T.NO_DATA: "#9aa5ab"}
ROW_FILL = {"miss": "#fbe9e7", T.BEHIND: "#fff3e0"}
MAX_BARS = 25  # sub-regions a chart shows; the table below it lists them all


def document(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = pdf_fonts.register()
    page_width, page_height = landscape(A4)
    margin = 14 * mm
    width = page_width - 2 * margin
    base = ParagraphStyle("base", fontName=font, fontSize=8.5, leading=11.5, wordWrap="CJK",
                          textColor=colors.HexColor(INK))
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10)
    muted = ParagraphStyle("muted", parent=small, textColor=colors.HexColor(MUTED))
    title = ParagraphStyle("title", parent=base, fontSize=17, leading=24, alignment=1, spaceAfter=2)
    subtitle = ParagraphStyle("subtitle", parent=base, fontSize=9, alignment=1, textColor=colors.HexColor(MUTED))
    heading = ParagraphStyle("heading", parent=base, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4,
                             keepWithNext=1)
    summary = ParagraphStyle("summary", parent=base, fontSize=10, leading=15)
    number = ParagraphStyle("number", parent=base, alignment=2)  # right-aligned figures

    def p(text, style=base) -> Paragraph:
        return Paragraph(pdf_fonts.markup(text), style)

    def targets(line) -> Paragraph:
        """One line per plan's target."""
        texts = [f"{t.plan_name}：{t.text}，{t.status_text}" for t in line.targets] or ["—"]
        return Paragraph("<br/>".join(pdf_fonts.markup(t) for t in texts), base)

    def grid(extra=()) -> TableStyle:
        return TableStyle([
            ("FONT", (0, 0), (-1, -1), font, 8.5),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID)),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEAD)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ])

    generated = report.generated_at.strftime("%Y-%m-%d %H:%M")
    story = [
        p(report.title, title),
        p(_("Figures as of %(date)s; computed at %(time)s (%(zone)s) from the platform's records.") % {
            "date": report.as_of.isoformat(), "time": generated, "zone": report.timezone_name}, subtitle),
        Spacer(1, 4 * mm),
        p(_("Summary"), heading),
        p(summary_text(report), summary),
        Spacer(1, 3 * mm),
    ]

    # The charts, side by side: the plans' indicators by status; a key indicator by sub-region.
    half = (width - 6 * mm) / 2
    charts = [_bar_chart(report.status_bars(), width=half, title=_("The plans' indicators by status"),
                         fills=[STATUS_FILL[s] for s in STATUS_ORDER], font=font)]
    column = report.chart_column()
    if column is not None:
        bars = report.region_bars()[:MAX_BARS]
        charts.append(_bar_chart(bars, width=half, font=font, fills=["#2f6fb0"] * len(bars),
                                 title=_("%(indicator)s by %(level)s") % {
                                     "indicator": column.name, "level": report.breakdown.level_text}))
    story.append(Table([charts], colWidths=[half + 6 * mm, half], style=TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 8),  # a table's own default is Helvetica, not in the file
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])))

    story.append(p(_("Binding indicators missed"), heading))
    misses = report.binding_misses
    if misses:
        rows = [[p(_("Indicator")), p(_("Value")), p(_("Targets and status"))]]
        for line in misses:
            rows.append([p(line.name), p(line.value_text, number), targets(line)])
        story.append(Table(rows, colWidths=[0.4 * width, 0.15 * width, 0.45 * width], style=grid(), repeatRows=1))
    else:
        story.append(p(_("None: every binding indicator is met or on track.")))

    # The table of indicators, binding misses first.
    story.append(p(_("Indicators"), heading))
    header = [p(_("Indicator")), p(_("Value")), p(_("Numerator / denominator")), p(_("Targets of the plans")),
              p(_("Status")), p(_("How it is computed"))]
    rows, marks = [header], []
    for n, line in enumerate(report.lines, start=1):
        name = line.name + (f"（{line.kind_text}）" if line.kind_text else "")
        rows.append([p(name), p(line.value_text, number), p(line.counts_text or "—", number), targets(line),
                     p(line.status_text), p(line.formula, small)])
        if line.row.binding_miss:
            marks.append(("BACKGROUND", (0, n), (-1, n), colors.HexColor(ROW_FILL["miss"])))
        elif line.status == T.BEHIND:
            marks.append(("BACKGROUND", (0, n), (-1, n), colors.HexColor(ROW_FILL[T.BEHIND])))
    story.append(Table(rows, colWidths=[w * width for w in (0.2, 0.09, 0.1, 0.29, 0.08, 0.24)],
                       style=grid(marks), repeatRows=1))

    breakdown = report.breakdown
    if breakdown is not None:
        story.append(p(_("Key indicators by %(level)s") % {"level": breakdown.level_text}, heading))
        first = 0.18 * width
        rest = (width - first) / len(breakdown.columns)
        rows = [[p(breakdown.level_text)] + [p(c.name, small) for c in breakdown.columns]]
        for region, texts in breakdown.table():
            rows.append([p(region.name)] + [p(t, number) for t in texts])
        story.append(Table(rows, colWidths=[first] + [rest] * len(breakdown.columns), style=grid(), repeatRows=1))

    if report.plans:
        story.append(KeepTogether([
            p(_("Plans cited"), heading),
            *[p(f"{key}：{name}", small) for key, name in report.plans],
        ]))
    story.append(Spacer(1, 3 * mm))
    story.append(p(_("A rate is shown with as many decimals as keep it on its own side of each target."), muted))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.HexColor(MUTED))
        canvas.drawString(margin, 8 * mm, report.title)
        canvas.drawRightString(page_width - margin, 8 * mm, _("page %(n)s") % {"n": doc.page})
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=(page_width, page_height), leftMargin=margin, rightMargin=margin,
                            topMargin=12 * mm, bottomMargin=14 * mm, title=report.title, author="Kangyang",
                            subject=report.period_text, initialFontName=font)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _bar_chart(bars: list[Bar], *, width: float, title: str, fills: list[str], font: str):
    """A horizontal bar chart, each bar labelled with its category and its figure."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    row = 6.5 * mm if len(bars) <= 8 else 4.6 * mm
    label_width = 30 * mm
    height = max(1, len(bars)) * row + 12 * mm
    drawing = Drawing(width, height, initialFontName=font)  # else it names Helvetica, not in the file
    drawing.add(String(0, height - 4 * mm, title, fontName=font, fontSize=9.5, fillColor=colors.HexColor(INK)))
    if not bars:
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 2 * mm
    chart.width, chart.height = width - label_width - 26 * mm, len(bars) * row
    chart.data = [[float(b.value or 0) for b in bars]]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([float(b.value or 0) for b in bars] + [0]) or 1
    chart.valueAxis.visible = False
    chart.valueAxis.labels.fontName = font
    chart.categoryAxis.categoryNames = [b.label for b in bars]
    chart.categoryAxis.reverseDirection = True  # the first bar on top, as the table reads
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2
    chart.categoryAxis.strokeColor = colors.HexColor(GRID)
    chart.barWidth = row * 0.7
    chart.groupSpacing = row * 0.3
    chart.bars.strokeColor = None
    for n, fill in enumerate(fills):
        chart.bars[(0, n)].fillColor = colors.HexColor(fill)
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[b.text for b in bars]]
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    return drawing
