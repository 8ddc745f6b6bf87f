"""Real PDFs for tests, drawn with reportlab into a folder the test gives (usually ``tmp_path``).

Every helper writes one file and returns its path:

* :func:`render_text_pdf` -- normalised text, one reportlab ``Paragraph`` per line.
* :func:`render_seed_pdf` -- the same, but each run of `` | `` table rows becomes a
  real reportlab ``Table`` with grid lines, wrapping cells and its first row
  repeated as a header on every page the table spans.
* :func:`write_encrypted_pdf`, :func:`write_image_only_pdf`,
  :func:`write_truncated_pdf` -- the bad inputs ingest must refuse.
* :func:`font_name` -- the font they draw with, for tests that draw their own.

The drawing itself is :func:`pipeline.pdfdraw.draw_pdf`, the drawer ``make bench`` uses too.

The text given is *normalised* text (see :func:`pipeline.ingest.normalise_text`):
lines are headings, list items, table rows or paragraphs, so each line is drawn
as its own paragraph. That is what lets a test assert that ingesting the PDF
gives back the same lines.
"""

from __future__ import annotations

import os
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pipeline.ingest import CELL_SEPARATOR as CELL
from pipeline.pdfdraw import PdfStyle, draw_pdf

# A TrueType font so that glyphs outside WinAnsi (the Cleveland seed's ballot
# boxes) are drawn and carry a ToUnicode map; DejaVu where installed, else the
# Vera font reportlab ships.
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    os.path.join(os.path.dirname(__import__("reportlab").__file__), "fonts", "Vera.ttf"),
)


def serialise_pdf(objects: list[bytes], header: bytes = b"%PDF-1.4\n") -> bytes:
    """A PDF file of ``objects`` (bodies of objects 1..n, object 1 the catalogue), with its xref table and trailer.

    For fixtures whose fault is in the file's structure, which a PDF library would not write.
    """
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def font_name() -> str:
    """The TrueType font the fixtures draw with, registered with reportlab (for tests drawing their own PDFs)."""
    name = "FixtureSans"
    if name not in pdfmetrics.getRegisteredFontNames():
        path = next(p for p in _FONT_CANDIDATES if os.path.exists(p))
        pdfmetrics.registerFont(TTFont(name, path))
    return name


def _story(text: str, tables: bool) -> list[tuple[str, object]]:
    """Normalised text as a story for :func:`pipeline.pdfdraw.draw_pdf`: each run of consecutive rows one table
    (when ``tables``), every other non-blank line a paragraph."""
    story: list[tuple[str, object]] = []
    rows: list[list[str]] = []
    for line in text.split("\n"):
        if tables and CELL.strip() in line and (CELL in line or line.startswith("| ")):
            if not rows:
                story.append(("table", rows))
            rows.append([c.strip() for c in line.split(CELL.strip())])
            continue
        rows = []  # any other line, blank too, ends the table
        if line.strip():
            story.append(("para", line))
    return story


def _build(path: str | os.PathLike, text: str, tables: bool, font_size: float,
           running: tuple[str, str] | None = None) -> Path:
    path = Path(path)

    def draw_running_lines(canvas, document) -> None:
        header, footer = running
        canvas.saveState()
        canvas.setFont(font_name(), font_size - 1)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 1.5 * cm, header)
        canvas.drawCentredString(A4[0] / 2, 1.2 * cm, footer.format(page=document.page))
        canvas.restoreState()

    # whole paragraphs move to the next page rather than split, so each line of the text stays one line after extraction
    style = PdfStyle(font=font_name(), font_size=font_size, leading=1.2, cell_padding=6, keep_paragraphs_whole=True)
    path.write_bytes(draw_pdf(_story(text, tables), style, draw_running_lines if running else None))
    return path


def render_text_pdf(text: str, path: str | os.PathLike, *, font_size: float = 10) -> Path:
    """Write ``text`` (normalised text) to a PDF at ``path``: one paragraph per non-blank line, pages as needed.

    Table rows are drawn as plain paragraphs, pipes and all. Returns the path.
    """
    return _build(path, text, tables=False, font_size=font_size)


def render_seed_pdf(seed_text: str, path: str | os.PathLike, *, font_size: float = 10,
                    running: tuple[str, str] | None = None) -> Path:
    """Write a normalised seed to a PDF at ``path``, its `` | `` rows as real ruled tables.

    Each run of consecutive rows becomes one reportlab ``Table`` with a grid,
    as many columns as its widest row (two-column tables 42/58 of the width),
    cells that wrap over several lines, and the first row repeated at the top
    of every page the table continues on. Other lines are paragraphs as in
    :func:`render_text_pdf`. ``running``: a header and a footer drawn in
    the margins of every page, the footer a format with ``{page}`` (for
    example ``("OFFICIAL", "Page {page}")``). Returns the path.
    """
    return _build(path, seed_text, tables=True, font_size=font_size, running=running)


def write_encrypted_pdf(path: str | os.PathLike, text: str = "A secret response.", password: str = "secret") -> Path:
    """A one-page PDF that needs the user password ``password`` to open."""
    path = Path(path)
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=StandardEncryption(password, ownerPassword=password + "-owner"))
    c.drawString(72, 760, text)
    c.showPage()
    c.save()
    return path


def write_image_only_pdf(path: str | os.PathLike, pages: int = 1) -> Path:
    """A PDF of ``pages`` pages holding only a raster image each (a scan without OCR): no text layer."""
    from PIL import Image, ImageDraw

    path = Path(path)
    image = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 380, 180), outline="black", width=4)
    image_path = path.with_suffix(".png")
    image.save(image_path)
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        c.drawImage(str(image_path), 72, 500, width=400, height=200)
        c.showPage()
    c.save()
    image_path.unlink()
    return path


def write_truncated_pdf(path: str | os.PathLike, text: str = "A response cut short.", keep: float = 0.5) -> Path:
    """A valid one-paragraph PDF cut to its first ``keep`` fraction of bytes (an interrupted download)."""
    path = Path(path)
    render_text_pdf(text, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def write_scanned_pdf(source_pdf: str | os.PathLike, path: str | os.PathLike, *, dpi: int = 150,
                      angle: float = 0.6, blur: float = 0.5) -> Path:
    """An image-only copy of ``source_pdf``, as a scanner would make it: no text layer at all.

    Each page is rasterised with pypdfium2 at ``dpi``, turned ``angle``
    degrees (a page fed slightly askew), blurred with a Gaussian of radius
    ``blur`` pixels (Pillow), and the images are wrapped as a PDF again.
    """
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    path = Path(path)
    pdf = pdfium.PdfDocument(str(source_pdf))
    images = []
    for page in pdf:
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
        images.append(image.filter(ImageFilter.GaussianBlur(blur)))
    pdf.close()
    images[0].save(str(path), "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return path
