"""What the tests of the platform's PDFs look at: which fonts a page carries in the file, and
the page as a reader sees it (rendered by poppler's pdftoppm, from Debian's poppler-utils)."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from pypdf import PdfReader


def fonts_of(pdf: bytes) -> dict[str, bool]:
    """{base font name: whether the file embeds its glyphs} over every page, descending into
    composite (Type0) fonts, whose glyphs sit in the descendant's descriptor."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            embedded = any(_embeds(d) for d in descendants)
            found[str(font.get("/BaseFont"))] = embedded
    return found


def _embeds(font) -> bool:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def render_first_page(pdf: bytes, *, dpi: int = 60, mode: str = "L"):
    """The first page as a Pillow image, greyscale by default (pdftoppm; the tests need
    poppler-utils)."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        raise RuntimeError("pdftoppm is missing: apt-get install poppler-utils (.ci/run does)")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                        str(source), str(Path(tmp) / "page")], check=True, timeout=60)
        with Image.open(Path(tmp) / "page.png") as image:
            return image.convert(mode)


def dark_share(image, box: tuple[float, float, float, float], *, below: int = 128) -> float:
    """The share of pixels darker than `below` (mid-grey by default; 0 black, 255 white)
    within `box` (left, top, right, bottom as fractions of the page)."""
    width, height = image.size
    left, top, right, bottom = box
    area = image.crop((int(left * width), int(top * height), int(right * width), int(bottom * height)))
    counts = area.histogram()  # 256 greyscale bins
    return sum(counts[:below]) / max(1, sum(counts))


def pixels_near(colours, rgb: tuple[int, int, int], *, tolerance: int = 24) -> int:
    """How many pixels of `Image.getcolors()` are within `tolerance` of `rgb` on each channel."""
    return sum(count for count, colour in colours
               if all(abs(a - b) <= tolerance for a, b in zip(colour[:3], rgb)))
