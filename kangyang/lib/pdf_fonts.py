"""The Chinese font of every PDF the platform makes, embedded in the file.

reportlab's CID fonts (STSong-Light) name a font and leave the glyphs to the reader's
viewer, which may have none (a printer, a phone, a reader without the Adobe Asian font
pack): the text then prints as dots or not at all. So the PDFs set their text in a TrueType
subset of Noto Sans CJK SC shipped with the package (`fonts/README.md` says what it holds and
where it comes from); reportlab embeds the glyphs each file uses.

The subset holds every character of GB 2312. A character beyond it (a rare character of a
personal name) would print as an empty box, so `markup()` sets such a character in the CID
font, the one thing of the file left to the viewer.
"""

from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

FONT = "KangyangSans"
FONT_FILE = Path(__file__).resolve().with_name("fonts") / "NotoSansSC-Kangyang.ttf"
FALLBACK = "STSong-Light"


@cache
def register() -> str:
    """Register the embedded font (and the fallback) with reportlab once per process; the
    font's name, for styles and canvases. Bold and italic map onto the same face: it has one."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT, bold, italic, FONT)
    if FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FONT


@cache
def _covered() -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    register()
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


def covers(text: str) -> bool:
    """Whether the embedded font has a glyph for every character of `text`."""
    covered = _covered()
    return all(ord(ch) in covered or ch in "\n\r\t" for ch in text)


def markup(text) -> str:
    """`text` escaped for a reportlab Paragraph, with any run of characters the embedded font
    lacks set in the fallback font."""
    text = str(text)
    if covers(text):
        return escape(text)
    covered, parts, run, missing = _covered(), [], "", False
    for ch in text:
        lacks = ord(ch) not in covered and ch not in "\n\r\t"
        if lacks != missing and run:
            parts.append(f'<font name="{FALLBACK}">{escape(run)}</font>' if missing else escape(run))
            run = ""
        run, missing = run + ch, lacks
    if run:
        parts.append(f'<font name="{FALLBACK}">{escape(run)}</font>' if missing else escape(run))
    return "".join(parts)
