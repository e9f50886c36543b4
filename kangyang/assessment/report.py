"""The assessment report (GB/T 42195-2022 Annex C): the data both the page and the PDF show,
and the PDF itself.

The standard's Chinese wording (items, options, dimension and level names) is shown as it
is in every interface language; in English the translation stands beside it. The PDF's text
is set in the Chinese font the package ships, embedded in the file (kangyang/lib/pdf_fonts.py),
so it prints the same on any reader.
"""

import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kangyang.assessment import constants
from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import DIMENSIONS, ITEMS, LEVEL_NAMES, RISK_EVENTS, STANDARD
from kangyang.lib import pdf_fonts

DIMENSION_MAX = {d: sum(i.max_points for i in ITEMS if i.dimension == d) for d in DIMENSIONS}
TOTAL_MAX = sum(DIMENSION_MAX.values())
PDF_FONT = pdf_fonts.FONT


def show_english() -> bool:
    return (translation.get_language() or "").startswith("en")


def level_info(level: int | None, *, standard: str = STANDARD) -> dict | None:
    """A level as the pages show it: number, the standard's Chinese name, its English."""
    if level is None:
        return None
    names = LEVEL_NAMES if standard == STANDARD else constants.PREVIOUS_LEVEL_NAMES
    en, zh = names.get(level, ("", ""))
    return {"number": level, "zh": zh, "en": str(en)}


def dimension_info(key: str) -> dict:
    en, zh = DIMENSIONS[key]
    return {"key": key, "zh": zh, "en": str(en), "max": DIMENSION_MAX[key]}


def reason_texts(reasons: list[str], *, preliminary_level: int | None, stack_raises: bool) -> list[str]:
    """Why the final level differs from the preliminary one, in words (scoring.Result.reasons)."""
    texts = [str(constants.REASON_LABELS[r]) for r in reasons if r in constants.REASON_LABELS]
    if "coma" in reasons or preliminary_level is None:
        return texts
    raises = int(bool({"dementia", "mental_disorder"} & set(reasons))) + int("risk_events" in reasons)
    if raises == 2 and not stack_raises:
        texts.append(_("Both rules apply; by this installation's rule they raise the level by one in all "
                       "(the sources leave this open)."))
        raises = 1
    if preliminary_level + raises > 4:
        texts.append(_("A level is never higher than 4."))
    return texts


def report_data(assessment: Assessment) -> dict:
    """Everything the report shows, in display form."""
    answers = assessment.answers or {}
    dims = []
    for key in DIMENSIONS:
        info = dimension_info(key)
        info["score"] = (assessment.dimension_scores or {}).get(key)
        info["items"] = []
        for item in ITEMS:
            if item.dimension != key:
                continue
            points = answers.get(item.code)
            option = item.option(points) if points is not None else None
            info["items"].append({
                "code": item.code, "zh": item.zh, "en": item.en, "points": points,
                "max": item.max_points, "option": option,
            })
        dims.append(info)
    return {
        "dimensions": dims,
        "total_max": TOTAL_MAX,
        "preliminary": level_info(assessment.preliminary_level),
        "final": level_info(assessment.final_level, standard=assessment.standard),
        "changed": (assessment.final_level is not None and assessment.preliminary_level is not None
                    and assessment.final_level != assessment.preliminary_level),
        "reasons": reason_texts(assessment.level_change_reasons or [], preliminary_level=assessment.preliminary_level,
                                stack_raises=assessment.stack_raises),
        "events": risk_event_rows(assessment),
        "show_en": show_english(),
    }


def risk_event_rows(assessment: Assessment) -> list[dict]:
    """The care-risk events that happened, with their Annex A names."""
    return [
        {"kind": kind, "zh": zh, "en": str(en), "count": assessment.risk_events_30d.get(kind)}
        for kind, (en, zh) in RISK_EVENTS.items() if assessment.risk_events_30d.get(kind)
    ]


# -- PDF -----------------------------------------------------------------------------------
def render_pdf(assessment: Assessment) -> bytes:
    """The signed report as an A4 PDF, in the current language, with Chinese text."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdf_fonts.register()
    data = report_data(assessment)
    en = data["show_en"]
    base = ParagraphStyle("base", fontName=PDF_FONT, fontSize=9.5, leading=13, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11)
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=base, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=4)
    subtitle = ParagraphStyle("subtitle", parent=base, alignment=1, textColor=colors.HexColor("#5f6b73"))

    def p(text, style=base) -> Paragraph:
        return Paragraph(pdf_fonts.markup(text), style)

    def both(zh: str, english: str) -> str:
        return f"{zh} ({english})" if en and english else zh

    def level_text(level: dict | None) -> str:
        if level is None:
            return "—"
        return _("level %(n)d") % {"n": level["number"]} + " " + both(level["zh"], level["en"])

    grid = TableStyle([
        ("FONT", (0, 0), (-1, -1), PDF_FONT, 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a959c")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f4")),
    ])
    facts_style = TableStyle([
        ("FONT", (0, 0), (-1, -1), PDF_FONT, 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a959c")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f4")),
        ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#eef2f4")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ])
    elder = assessment.elder
    a = assessment
    story = [
        p(_("Capability assessment report"), title),
        p(f"{a.standard} 《老年人能力评估规范》" if a.standard == STANDARD else a.standard, subtitle),
        Spacer(1, 4 * mm),
        p(_("Elder and assessment"), heading),
    ]
    facts = [
        [p(_("Name")), p(elder.name), p(_("ID number")), p(elder.id_number_masked)],
        [p(_("Sex")), p(elder.get_sex_display()), p(_("Age at assessment")), p(str(elder.age(a.assessed_on)))],
        [p(_("Community")), p(elder.community.name), p(_("Reason")), p(a.get_reason_display())],
        [p(_("Date of assessment")), p(a.assessed_on.isoformat()), p(_("Place")), p(a.place or "—")],
        [p(_("Assessors")), p("、".join(n for n in (a.assessor_1, a.assessor_2) if n) or "—"),
         p(_("Information provider")),
         p(f"{a.informant}（{a.informant_relation}）" if a.informant and a.informant_relation else a.informant or "—")],
    ]
    story.append(Table(facts, colWidths=[32 * mm, 53 * mm, 32 * mm, 53 * mm], style=facts_style))

    if a.standard == STANDARD:
        story.append(p(_("Result (Annex C)"), heading))
        rows = [[p(_("Dimension")), p(_("Score")), p(_("Maximum"))]]
        for d in data["dimensions"]:
            rows.append([p(both(d["zh"], d["en"])), p(d["score"] if d["score"] is not None else "—"), p(d["max"])])
        rows.append([p(_("Total")), p(a.total if a.total is not None else "—"), p(data["total_max"])])
        story.append(Table(rows, colWidths=[110 * mm, 30 * mm, 30 * mm], style=grid))
        story.append(Spacer(1, 3 * mm))
        reasons = "；".join(data["reasons"]) if data["reasons"] else _("None: the final level is the preliminary level.")
        levels = [
            [p(_("Preliminary level")), p(level_text(data["preliminary"]))],
            [p(_("Reason for a change")), p(reasons)],
            [p(_("Final level")), p(level_text(data["final"]))],
        ]
        story.append(Table(levels, colWidths=[40 * mm, 130 * mm], style=TableStyle([
            ("FONT", (0, 0), (-1, -1), PDF_FONT, 9.5),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a959c")),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f4")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ])))
        events = "、".join(f"{both(e['zh'], e['en'])} × {e['count']}" for e in data["events"]) or "—"
        basics = [
            [p(_("Diagnoses (ICD-10 codes)")), p(", ".join(a.diagnoses) or "—")],
            [p(_("In a coma")), p(_("yes") if a.coma else _("no"))],
            [p(_("Care-risk events in the last 30 days")), p(events)],
            [p(_("Special care")), p(a.special_care or "—")],
        ]
        story.append(Spacer(1, 3 * mm))
        story.append(Table(basics, colWidths=[55 * mm, 115 * mm], style=TableStyle([
            ("FONT", (0, 0), (-1, -1), PDF_FONT, 9.5),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a959c")),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f4")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ])))
        story.append(p(_("Item answers (Annex B)"), heading))
        rows = [[p(_("Item"), small), p(_("Answer"), small), p(_("Points"), small)]]
        for d in data["dimensions"]:
            for item in d["items"]:
                option = item["option"]
                answer = both(option.zh, option.en) if option else "—"
                rows.append([p(f"{item['code']} {both(item['zh'], item['en'])}", small), p(answer, small),
                             p(f"{item['points'] if item['points'] is not None else '—'} / {item['max']}", small)])
        story.append(Table(rows, colWidths=[45 * mm, 105 * mm, 20 * mm], style=grid, repeatRows=1))
    else:
        story.append(p(_("Result"), heading))
        story.append(p(_("Imported history: final level %(level)s under MZ/T 039-2013, which does not map onto "
                         "GB/T 42195-2022 levels.") % {"level": level_text(data["final"])}))

    story.append(Spacer(1, 5 * mm))
    signed_at = timezone.localtime(a.signed_at).strftime("%Y-%m-%d %H:%M") if a.signed_at else "—"
    if a.signed_by:
        signed = _("Signed by %(user)s at %(time)s.") % {
            "user": a.signed_by.full_name or a.signed_by.username, "time": signed_at}
    else:
        signed = _("Signed at %(time)s.") % {"time": signed_at}
    story.append(p(f"{signed} ({timezone.get_current_timezone_name()})", small))
    if a.valid_until:
        story.append(p(_("Re-assessment due by %(date)s.") % {"date": a.valid_until.isoformat()}, small))
    story.append(p(_("Standard: %(standard)s.") % {"standard": a.standard}, small))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        title=_("Capability assessment report"), author="Kangyang",
        initialFontName=PDF_FONT,  # else every page names Helvetica, a font the file does not carry
    )
    doc.build(story)
    return buffer.getvalue()
