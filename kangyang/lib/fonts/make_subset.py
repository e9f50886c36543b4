"""Remake `NotoSansSC-Kangyang.ttf` (run by hand; fontTools is not a runtime dependency):

    apt-get install fonts-noto-cjk            # Debian 12: 1:20220127+repack1-1, Noto Sans CJK 2.004
    pip install fonttools==4.68.0
    python kangyang/lib/fonts/make_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

Why: reportlab embeds TrueType outlines only (glyf; it refuses CFF-based .otf), and Noto Sans
CJK ships as CFF. This keeps the Simplified Chinese face (index 2 of the collection), cuts it to
the characters a Chinese report needs (ASCII, Latin-1, general punctuation and symbols, the
full-width forms, and every character of GB 2312, i.e. its 6,763 hanzi), converts the cubic
outlines to quadratic ones (fontTools' cu2qu, the Snippets/otf2ttf.py recipe) and renames the
family, as the SIL Open Font License asks of a modified version.
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

HERE = Path(__file__).resolve().parent
OUT = HERE / "NotoSansSC-Kangyang.ttf"
FAMILY = "Noto Sans SC Kangyang"
SC_INDEX = 2  # Noto Sans CJK SC in NotoSansCJK-Regular.ttc
MAX_ERR = 1.0  # font units (of 1000) the quadratic outline may stray from the cubic one


def characters() -> set[int]:
    wanted = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))
    wanted |= set(range(0x2000, 0x2070)) | set(range(0x2100, 0x2200)) | set(range(0x2460, 0x2500))
    wanted |= set(range(0x2190, 0x2200)) | set(range(0x2500, 0x2600)) | set(range(0x25A0, 0x2700))
    wanted |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for high in range(0xA1, 0xF8):  # GB 2312, row by row
        for low in range(0xA1, 0xFF):
            try:
                wanted.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return wanted


def to_truetype(font) -> None:
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = glyph_order
    head = font["head"]
    head.glyphDataFormat = 0
    head.indexToLocFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font) -> None:
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21, 22):
            name.removeNames(nameID=record.nameID)
    name.setName(FAMILY, 1, 3, 1, 0x409)
    name.setName("Regular", 2, 3, 1, 0x409)
    name.setName(f"{FAMILY} Regular; subset of Noto Sans CJK SC 2.004", 3, 3, 1, 0x409)
    name.setName(FAMILY, 4, 3, 1, 0x409)
    name.setName("NotoSansSC-Kangyang", 6, 3, 1, 0x409)


def main(source: str) -> None:
    font = TTCollection(source).fonts[SC_INDEX]
    options = subset.Options()
    options.layout_features = []  # reportlab does no shaping; alternates would only add glyphs
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    to_truetype(font)
    rename(font)
    font.save(OUT)
    print(f"{OUT.name}: {OUT.stat().st_size:,} bytes, {len(font.getGlyphOrder()):,} glyphs")


if __name__ == "__main__":
    main(sys.argv[1])
