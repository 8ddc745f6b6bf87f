"""Response-like PDFs drawn with reportlab, for ``make bench`` and the tests only.

reportlab is a test extra (``pip install -e '.[test]'``): nothing in the
pipeline imports this module, and :mod:`pipeline.bench` imports it only when
it draws. One drawer for both, so the PDFs the benchmark times and the PDFs
the tests read are laid out by the same code.

A *story* is a sequence of ``(kind, content)`` items: ``("para", text)``,
``("heading", text)`` or ``("table", rows)`` with ``rows`` a sequence of rows of
cell texts (the first row is repeated at the top of every page the table
continues on). Text is escaped, never read as reportlab markup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Callable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


@dataclass(frozen=True)
class PdfStyle:
    """How a story is drawn: A4, 2.5 cm margins, ``font_size`` points (headings 2 more), tables ruled in black.

    ``leading``: line height as a multiple of the font size. ``shade_header``:
    the first table row on grey. ``cell_padding``: left and right cell padding
    in points (None: reportlab's). ``keep_paragraphs_whole``: a paragraph moves
    to the next page rather than split. ``title`` / ``author``: the PDF's
    metadata (None: reportlab's).
    """

    font: str = "Helvetica"
    bold_font: str | None = None  # headings; None: ``font``
    font_size: float = 10
    leading: float = 1.25
    shade_header: bool = False
    cell_padding: float | None = None
    keep_paragraphs_whole: bool = False
    title: str | None = None
    author: str | None = None


def draw_pdf(story: Sequence[tuple[str, Any]], style: PdfStyle = PdfStyle(),
             on_page: Callable[[Any, Any], None] | None = None) -> bytes:
    """The bytes of a PDF of ``story`` (see the module docstring) drawn in ``style``.

    ``on_page(canvas, document)`` is called on every page (running headers and
    footers). A two-column table gives its columns 42% and 58% of the width,
    like published response tables; wider ones share it equally, and short rows
    are padded with empty cells. Deterministic when reportlab's
    ``rl_config.invariant`` is set.
    """
    size = style.font_size
    body = ParagraphStyle("body", fontName=style.font, fontSize=size, leading=size * style.leading, spaceAfter=size * 0.7)
    heading = ParagraphStyle("heading", parent=body, fontName=style.bold_font or style.font, fontSize=size + 2,
                             leading=(size + 2) * style.leading, spaceBefore=size * 0.6)
    cell = ParagraphStyle("cell", parent=body, spaceAfter=0)
    buffer = io.BytesIO()
    metadata = {k: v for k, v in (("title", style.title), ("author", style.author)) if v is not None}
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2.5 * cm, rightMargin=2.5 * cm, topMargin=2.5 * cm,
                            bottomMargin=2.5 * cm, **metadata)
    flow: list = []
    for kind, content in story:
        if kind == "table":
            flow += [_table(content, doc.width, cell, style), Spacer(1, size)]
        else:
            paragraph = Paragraph(escape(content), heading if kind == "heading" else body)
            flow.append(KeepTogether([paragraph]) if style.keep_paragraphs_whole else paragraph)
    if on_page:
        doc.build(flow, onFirstPage=on_page, onLaterPages=on_page)
    else:
        doc.build(flow)
    return buffer.getvalue()


def _table(rows: Sequence[Sequence[str]], width: float, cell: ParagraphStyle, style: PdfStyle) -> Table:
    ncols = max(len(r) for r in rows)
    widths = [width * 0.42, width * 0.58] if ncols == 2 else [width / ncols] * ncols
    data = [[Paragraph(escape(c), cell) for c in list(r) + [""] * (ncols - len(r))] for r in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    commands: list[tuple] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if style.shade_header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey))
    if style.cell_padding is not None:
        commands += [("LEFTPADDING", (0, 0), (-1, -1), style.cell_padding),
                     ("RIGHTPADDING", (0, 0), (-1, -1), style.cell_padding)]
    table.setStyle(TableStyle(commands))
    return table

