"""The PDFs' Chinese font: shipped with the package, covering GB 2312, with a named fallback
for a character beyond it."""

from kangyang.lib import pdf_fonts


def test_the_shipped_font_covers_every_character_of_gb2312():
    gb2312 = []
    for high in range(0xB0, 0xF8):  # the hanzi rows
        for low in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    assert len(gb2312) == 6763
    assert pdf_fonts.covers("".join(gb2312) + "0123456789%‰¥—“”（）：；，。·×÷≥≤")
    assert pdf_fonts.FONT_FILE.stat().st_size < 3_000_000


def test_a_character_beyond_the_subset_is_set_in_the_fallback_font():
    rare = "堃"  # a name character of GBK, not of GB 2312
    assert not pdf_fonts.covers(rare)
    assert pdf_fonts.markup("张<堃>") == f'张&lt;<font name="{pdf_fonts.FALLBACK}">堃</font>&gt;'
    assert pdf_fonts.markup("a & b") == "a &amp; b"
