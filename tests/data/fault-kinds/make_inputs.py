# ruff: noqa: E501  (the HTML pages are written out line for line, as sites serve them)
"""Build the fault-kind inputs of this folder: new inputs of the thirteen kinds of issue 13, part 5.

Each kind has one shared bug input (tests/data/bug-inputs/); these are further inputs of the same
kinds, differing as real PCC files do (another font and glyph range, the fault on a later page or in a
table cell, inside HTML rather than PDF, other label spellings, ...). Every folder holds one fixture
and its ``expected.json`` (the bug inputs' format, plus machine-checked extras; see README.md).

Wording is written for this purpose (no real response text); every input answers the
activism-impartiality-2024 register. PDFs are drawn with reportlab, or written object by object where the fault is in the
file's structure (an incremental update, a broken object, a font with no Unicode map).

Run from the repository root with the test extras installed:
``.venv/bin/python tests/data/fault-kinds/make_inputs.py`` (deterministic: reportlab invariant mode).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path

from reportlab import rl_config

rl_config.invariant = 1  # fixed IDs and dates: the same bytes on every run

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A0, A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root, for tests.pdf_fixtures
from tests.pdf_fixtures import serialise_pdf  # noqa: E402

HERE = Path(__file__).resolve().parent
INSPECTION = "activism-impartiality-2024"
TITLE = "An inspection into activism and impartiality in policing"
FORCE_RECS = ("9", "10", "12", "13", "16", "17", "18", "20", "22")
VERA = os.path.join(os.path.dirname(__import__("reportlab").__file__), "fonts", "Vera.ttf")
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

# Answers written for these inputs, each with the status a reader gives it.
ANSWERS = {
    "9": ("planned", "We will update our communication policy within six months of the College of Policing "
                     "publishing its revised guidance."),
    "10": ("completed", "The Chief Constable issued a revised dress and appearance policy in October 2024 that "
                        "sets out which badges and symbols may be worn on duty. It has been briefed to all officers "
                        "and staff and supervisors now check compliance."),
    "12": ("completed", "Every member of staff who completes equality impact assessments has now been trained, and "
                        "a governance board has reviewed the quality of each assessment since November 2024."),
    "13": ("in_progress", "An audit of every force policy relating to the Equality Act 2010 is under way. Around "
                          "half of the policies have been checked so far and the rest are still being reviewed."),
    "16": ("completed", "Our policy on non-crime hate incidents was rewritten and published in December 2024. It "
                        "gives officers clear direction on assessing and recording these incidents, and all "
                        "frontline staff have been briefed on it."),
    "20": ("planned", "We will define the requirements for recording personal data in the policy when it is next "
                      "revised in 2025, and will record our rationale for any difference from the code of practice."),
    "22": ("planned", "We will review how funding is allocated to our staff networks during 2025 and will then "
                      "introduce an assessment process based on local need."),
}


def statuses(answered) -> dict[str, str]:
    """Every force recommendation's expected status: the answered ones' statuses, the rest not_addressed."""
    out = {n: "not_addressed" for n in FORCE_RECS}
    for n in answered:
        out[n] = ANSWERS[n][0] if isinstance(answered, (list, tuple)) else answered[n]
    return out


def letterhead(force_area: str, force: str, date: str) -> list[str]:
    return [f"Office of the Police and Crime Commissioner for {force_area}", force, f"Date: {date}",
            f"Response to {TITLE}"]


def write(name: str, fixture: str, data: bytes, expected: dict) -> None:
    folder = HERE / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    (folder / fixture).write_bytes(data)
    expected = {"fixture": fixture, "inspection": INSPECTION, "exit_code": 0, **expected}
    (folder / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# --- drawing helpers ------------------------------------------------------------------------------

def font(name: str = "FaultSans", path: str = DEJAVU) -> str:
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, path))
    return name


def wrap(text: str, width: int = 80) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def raw_pdf(pages: list[bytes], fonts: dict[str, bytes], extra: list[bytes] = (), page_size=(595, 842),
            resources: dict[int, bytes] | None = None) -> bytes:
    """A PDF written object by object. ``fonts`` maps resource names to font dictionaries (objects that
    refer to ``extra`` objects by number, which follow the fonts); each page's content stream uses them."""
    objects: list[bytes | None] = [b"<< /Type /Catalog /Pages 2 0 R >>", None]
    font_refs = {}
    for key, body in fonts.items():
        objects.append(body)
        font_refs[key] = len(objects)
    objects.extend(extra)
    shared = b"<< /Font << %s >> >>" % b" ".join(b"/%s %d 0 R" % (k.encode(), n) for k, n in font_refs.items())
    kids = []
    for index, content in enumerate(pages):
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R /Resources %s >>"
                       % (page_size[0], page_size[1], len(objects), (resources or {}).get(index, shared)))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return serialise_pdf(objects, header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def _escape(text: str) -> bytes:
    return text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def plain(x: float, y: float, text: str, size: float = 11, key: str = "F1") -> bytes:
    return b"BT /%s %g Tf %g %g Td (%s) Tj ET\n" % (key.encode(), size, x, y, _escape(text))


class UnmappedFont:
    """A TrueType font embedded whole as a CID font (Identity-H, CIDs = glyph ids) with no ToUnicode map:
    a viewer draws it, text extraction yields (cid:N) (pdfminer.six issue 635)."""

    def __init__(self, path: str, name: bytes):
        self.program = Path(path).read_bytes()
        self.cmap = TTFontFile(path).charToGlyph
        self.name = name

    def objects(self, first: int) -> tuple[bytes, list[bytes]]:
        """The Type0 font dictionary and its extra objects, numbered from ``first`` (descendant, descriptor,
        program)."""
        type0 = b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] >>" % (
            self.name, first)
        descendant = (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) "
                      b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 600 /CIDToGIDMap /Identity >>"
                      % (self.name, first + 1))
        descriptor = (b"<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [-200 -250 1100 950] /ItalicAngle 0 "
                      b"/Ascent 900 /Descent -230 /CapHeight 700 /StemV 80 /FontFile2 %d 0 R >>" % (self.name, first + 2))
        program = b"<< /Length %d /Length1 %d >>\nstream\n" % (len(self.program), len(self.program)) + self.program + \
            b"\nendstream"
        return type0, [descendant, descriptor, program]

    def show(self, x: float, y: float, text: str, size: float = 11, key: str = "F2") -> bytes:
        glyphs = "".join(f"{self.cmap.get(ord(ch), 0):04X}" for ch in text)
        return b"BT /%s %g Tf 0.6 Tz %g %g Td <%s> Tj ET\n" % (key.encode(), size, x, y, glyphs.encode())


HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def unmapped_pdf(pages: list[list[tuple[str, float, float, str]]], font_path: str, name: bytes) -> bytes:
    """Pages of (``plain`` | ``cid``, x, y, text) lines: plain in Helvetica, cid in the unmapped font."""
    unmapped = UnmappedFont(font_path, name)
    type0, extra = unmapped.objects(first=5)  # catalog 1, pages 2, F1 3, F2 4, then the extras from 5
    streams = []
    for page in pages:
        content = b""
        for kind, x, y, text in page:
            if kind == "rule":
                content += b"0.5 w %g %g m %g %g l S\n" % (x, y, float(text), y)
            elif kind == "cid":
                content += b"BT /F2 11 Tf %g %g Td <%s> Tj ET\n" % (x, y, "".join(
                    f"{unmapped.cmap.get(ord(ch), 0):04X}" for ch in text).encode())
            else:
                content += plain(x, y, text)
        streams.append(content)
    return raw_pdf(streams, {"F1": HELVETICA, "F2": type0}, extra)


def story_pdf(story, *, font_name: str | None = None, on_page=None, pagesize=A4, split_in_row: bool = False,
              repeat_header: bool = True) -> bytes:
    """Paragraphs (str), headings (("h", text)) and tables (("table", rows)) drawn by reportlab's platypus."""
    fname = font_name or font()
    body = ParagraphStyle("body", fontName=fname, fontSize=10.5, leading=13.5, spaceAfter=7)
    heading = ParagraphStyle("heading", parent=body, fontSize=12.5, leading=16, spaceBefore=6)
    cell = ParagraphStyle("cell", parent=body, spaceAfter=0)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=2.3 * cm, rightMargin=2.3 * cm,
                            topMargin=2.2 * cm, bottomMargin=2.8 * cm)
    flow = []
    for item in story:
        if isinstance(item, str):
            flow.append(Paragraph(item, body))
        elif item[0] == "h":
            flow.append(Paragraph(item[1], heading))
        elif item[0] == "space":
            flow.append(Spacer(1, item[1]))
        else:
            rows = item[1]
            data = [[Paragraph(c, cell) for c in r] for r in rows]
            table = Table(data, colWidths=[4.2 * cm, doc.width - 4.2 * cm], repeatRows=1 if repeat_header else 0,
                          splitInRow=1 if split_in_row else 0)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            flow.append(table)
    if on_page:
        doc.build(flow, onFirstPage=on_page, onLaterPages=on_page)
    else:
        doc.build(flow)
    return buffer.getvalue()


def canvas_pdf(draw, pagesize=A4) -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=pagesize, pageCompression=0)
    draw(c)
    c.save()
    return buffer.getvalue()


def letter_story(force_area, force, date, numbers, label="Recommendation {n}", intro=True) -> list:
    story = [("h", line) if i == 0 else line for i, line in enumerate(letterhead(force_area, force, date))]
    if intro:
        story.append("The force's update on each recommendation for forces follows.")
    for n in numbers:
        story += [("h", label.format(n=n)), ANSWERS[n][1]]
    story.append("Yours sincerely")
    return story


# --- 01: text in a font with no Unicode map ------------------------------------------------------------------

def cid_inputs() -> None:
    head = letterhead("Cheshire", "Cheshire Constabulary", "9 January 2025")
    page1 = [("plain", 72, 790 - 18 * i, line) for i, line in enumerate(head)]
    page1 += [("plain", 72, 700, "Recommendation 10")]
    page1 += [("plain", 72, 682 - 15 * i, line) for i, line in enumerate(wrap(ANSWERS["10"][1], 88))]
    page2 = []
    y = 780
    for n in ("13", "22"):
        page2.append(("plain", 72, y, f"Recommendation {n}"))
        y -= 18
        for line in wrap(ANSWERS[n][1], 80):
            page2.append(("cid", 72, y, line))
            y -= 15
        y -= 14
    page2.append(("plain", 72, y - 20, "Yours sincerely"))
    write("01a-cid-page-two-vera", "cid-page-two.pdf", unmapped_pdf([page1, page2], VERA, b"AAAAAB+BitstreamVera"), {
        "kind": "cid-glyphs", "force": "Cheshire Constabulary", "recommendations": statuses(["10", "13", "22"]),
        "exit_code": [0, 3], "accepted_errors": ["E114", "E105"], "may_be_lost": {"13": ["E110", "E113"],
                                                                                  "22": ["E110", "E113"]},
        "variant": "another font (Bitstream Vera, other glyph ids) and the unmapped answers on page 2 of 2 only",
        "condition": "page 1 readable (letterhead, R10); page 2's answers in an embedded Identity-H font with no ToUnicode"})

    # table cells: the labels readable, the answers in the unmapped font, Vera Bold Oblique this time
    head = letterhead("Derbyshire", "Derbyshire Constabulary", "16 January 2025")
    page = [("plain", 60, 800 - 18 * i, line) for i, line in enumerate(head)]
    y = 700
    page += [("rule", 55, y + 14, "540"), ("plain", 60, y, "Recommendation"), ("plain", 200, y, "Force response")]
    for n in ("12", "16", "20"):
        y -= 10
        page.append(("rule", 55, y + 14 - 10 + 10, "540"))
        y -= 6
        page.append(("plain", 60, y, f"Recommendation {n}"))
        for line in wrap(ANSWERS[n][1], 55):
            page.append(("cid", 200, y, line))
            y -= 14
    page.append(("rule", 55, y + 4, "540"))
    write("01b-cid-table-cells-vera-bold-oblique", "cid-table-cells.pdf",
          unmapped_pdf([page], VERA.replace("Vera.ttf", "VeraBI.ttf"), b"AAAAAC+BitstreamVeraBoldOblique"), {
              "kind": "cid-glyphs", "force": "Derbyshire Constabulary", "recommendations": statuses(["12", "16", "20"]),
              "exit_code": [0, 3], "accepted_errors": ["E114", "E105"],
              "variant": "the unmapped text in the response column of a ruled table (labels readable), Vera Bold Oblique",
              "condition": "one page; each row's label in Helvetica, its answer in an Identity-H font with no ToUnicode"})


# --- 02: text drawn sideways -----------------------------------------------------------------------------------

def sideways_inputs() -> None:
    def draw(angle, force_area, force, numbers, first_page_plain=False):
        def go(c):
            fname = font()
            head = letterhead(force_area, force, "21 January 2025")
            if first_page_plain:
                c.setFont(fname, 11)
                for i, line in enumerate(head):
                    c.drawString(72, 780 - 18 * i, line)
                c.showPage()
                head = []
            c.saveState()
            if angle == 90:
                c.translate(560, 60)
            else:
                c.translate(35, 780)
            c.rotate(angle)
            c.setFont(fname, 10.5)
            y = 0
            for line in head:
                c.drawString(0, -y, line)
                y += 16
            y += 8
            for n in numbers:
                c.drawString(0, -y, f"Recommendation {n}")
                y += 15
                for line in wrap(ANSWERS[n][1], 110):
                    c.drawString(0, -y, line)
                    y += 13.5
                y += 10
            c.drawString(0, -y, "Yours sincerely")
            c.restoreState()
            c.showPage()
        return canvas_pdf(go)

    write("02a-sideways-90-whole-page", "sideways-90.pdf", draw(90, "Dorset", "Dorset Police", ("10", "13", "22")), {
        "kind": "sideways", "force": "Dorset Police", "recommendations": statuses(["10", "13", "22"]),
        "variant": "the whole letter drawn at 90 degrees (landscape content on a portrait page, no /Rotate)",
        "passages_contain": ["briefed to all officers"]})
    write("02b-sideways-270-page-two", "sideways-270.pdf",
          draw(-90, "Essex", "Essex Police", ("12", "16", "20"), first_page_plain=True), {
              "kind": "sideways", "force": "Essex Police", "recommendations": statuses(["12", "16", "20"]),
              "variant": "letterhead upright on page 1; the answers on page 2 drawn at 270 degrees",
              "passages_contain": ["assessing and recording these incidents"]})


# --- 03: bytes after %%EOF --------------------------------------------------------------------------------------

def eof_inputs() -> None:
    base = story_pdf(letter_story("Hertfordshire", "Hertfordshire Constabulary", "30 January 2025", ("10", "13", "22")))
    updated = incremental_update(base, b"<< /Title (PCC response) /Author (OPCC) >>")
    write("03a-eof-incremental-update-then-padding", "incremental.pdf", updated + b"\x00" * 4096 + b"\r\n", {
        "kind": "eof-padding", "force": "Hertfordshire Constabulary", "recommendations": statuses(["10", "13", "22"]),
        "variant": "an incremental update (a second body, xref and %%EOF) and then 4 KiB of NULs and a CRLF"})
    base = story_pdf(letter_story("Humberside", "Humberside Police", "4 February 2025", ("12", "16", "20")))
    write("03b-eof-html-junk", "html-after-eof.pdf",
          base + b"\x1a\r\n<!DOCTYPE html><html><body>Download complete</body></html>\n" + b" " * 700, {
              "kind": "eof-padding", "force": "Humberside Police", "recommendations": statuses(["12", "16", "20"]),
              "variant": "a DOS end-of-file byte, an HTML page a server appended and space padding after %%EOF"})


def incremental_update(data: bytes, info: bytes) -> bytes:
    """``data`` with an incremental update appended, as an editor saving in place writes it: a new Info
    object, an xref section for it and a trailer whose /Prev points at the first xref."""
    import re
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    trailer = re.findall(rb"trailer\s*<<(.*?)>>\s*startxref", data, re.S)[-1]
    size = int(re.search(rb"/Size (\d+)", trailer).group(1))
    root = re.search(rb"/Root (\d+ \d+ R)", trailer).group(1)
    out = bytearray(data)
    offset = len(out)
    out += b"%d 0 obj\n" % size + info + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (size, offset)
    out += b"trailer\n<< /Size %d /Root %s /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + 1, root, size, prev, xref)
    return bytes(out)


# --- 04: one malformed object -----------------------------------------------------------------------------------

def _three_pages(force_area, force, groups) -> bytes:
    def go(c):
        c.setFont("Helvetica", 11)
        head = letterhead(force_area, force, "12 February 2025")
        for p, numbers in enumerate(groups):
            y = 790
            if p == 0:
                for line in head:
                    c.drawString(72, y, line)
                    y -= 18
                y -= 12
            c.setFont("Helvetica", 11)
            for n in numbers:
                c.drawString(72, y, f"Recommendation {n}")
                y -= 16
                for line in wrap(ANSWERS[n][1], 85):
                    c.drawString(72, y, line)
                    y -= 14
                y -= 12
            c.showPage()
    return canvas_pdf(go)


def malformed_inputs() -> None:
    head = letterhead("Lincolnshire", "Lincolnshire Police", "12 February 2025")
    pages = []
    for p, n in enumerate(("10", "13", "22")):
        content = b"".join(plain(72, 790 - 18 * i, line) for i, line in enumerate(head if p == 0 else ()))
        y = 690 if p == 0 else 790
        content += plain(72, y, f"Recommendation {n}")
        content += b"".join(plain(72, y - 16 - 14 * i, line) for i, line in enumerate(wrap(ANSWERS[n][1], 85)))
        if p == 2:  # an odd dictionary with an invalid value before the text, as a TeX driver wrote it
            content = b"<</Lang @pgfcolorspaces>> BDC\n" + content + b"EMC\n"
        pages.append(content)
    data = raw_pdf(pages, {"F1": HELVETICA})
    write("04a-malformed-last-page", "malformed-last-page.pdf", data, {
        "kind": "malformed-object", "force": "Lincolnshire Police", "recommendations": statuses(["10", "13", "22"]),
        "may_be_lost": {"22": ["E111"]},
        "variant": "the broken content stream is on the last page (3 of 3), not in the middle"})

    # page 2's /Resources (not its content) is malformed: its font entry is an unbalanced dictionary with an
    # invalid value; reportlab's pages share one resources object, so page 2 gets its own, written by hand
    head = letterhead("Northamptonshire", "Northamptonshire Police", "12 February 2025")
    pages = []
    for p, n in enumerate(("12", "16", "20")):
        content = b"".join(plain(72, 790 - 18 * i, line) for i, line in enumerate(head if p == 0 else ()))
        y = 690 if p == 0 else 790
        content += plain(72, y, f"Recommendation {n}")
        content += b"".join(plain(72, y - 16 - 14 * i, line) for i, line in enumerate(wrap(ANSWERS[n][1], 85)))
        pages.append(content)
    data = raw_pdf(pages, {"F1": HELVETICA}, resources={1: b"<< /Font << /F1 3 0 R /F2 << /Subtype /Type1 "
                                                        b"/BaseFont @pgfcolorspaces >> >> /ProcSet [/PDF /Text >>"})
    write("04b-malformed-resources-page-two", "malformed-resources.pdf", data, {
        "kind": "malformed-object", "force": "Northamptonshire Police", "recommendations": statuses(["12", "16", "20"]),
        "may_be_lost": {"16": ["E111"]},
        "variant": "page 2's resources dictionary is malformed (an invalid value and an unclosed array), not its content"})


# --- 05: one dense page ------------------------------------------------------------------------------------------

def dense_inputs() -> None:
    def go(c):
        head = letterhead("Surrey", "Surrey Police", "3 February 2025")
        c.setFont("Helvetica", 11)
        y = 790
        for line in head:
            c.drawString(72, y, line)
            y -= 18
        for n in ("10",):
            y -= 12
            c.drawString(72, y, f"Recommendation {n}")
            y -= 16
            for line in wrap(ANSWERS[n][1], 85):
                c.drawString(72, y, line)
                y -= 14
        c.showPage()
        # page 2: R13's answer, then a tracker drawn one glyph at a time (each its own text object)
        c.setPageSize(A0)
        c.setFont("Helvetica", 11)
        y = 3300
        c.drawString(72, y, "Recommendation 13")
        for line in wrap(ANSWERS["13"][1], 85):
            y -= 14
            c.drawString(72, y, line)
        cells = ["1.", "Y", "\u2713", "-", "Q3", "N/A"]
        for row in range(350):  # about 25,000 glyphs: past the glyph cap, each string its own text object
            for col in range(40):
                c.drawString(40 + col * 58, 3200 - row * 9, cells[(row + col) % len(cells)])
        c.showPage()
        c.setPageSize(A4)
        c.setFont("Helvetica", 11)
        y = 790
        c.drawString(72, y, "Recommendation 22")
        for line in wrap(ANSWERS["22"][1], 85):
            y -= 14
            c.drawString(72, y, line)
        c.drawString(72, y - 30, "Yours sincerely")
        c.showPage()

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    go(c)
    c.save()
    # 05b: the dense page is page 1, a background pattern of tiny text in one text object (TJ arrays), and the
    # answers follow on page 2
    head = letterhead("Gwent", "Gwent Police", "6 February 2025")
    pattern = b"BT /F1 2 Tf 0.8 g 10 835 Td 2.2 TL\n" + b"".join(
        b"[(" + b"OPCC " * 30 + b") -20 (" + b"OPCC " * 30 + b")] TJ T*\n" for _ in range(120)) + b"ET 0 g\n"
    page1 = pattern + b"".join(plain(72, 790 - 18 * i, line) for i, line in enumerate(head))
    page1 += plain(72, 690, "Recommendation 12") + b"".join(
        plain(72, 674 - 14 * i, line) for i, line in enumerate(wrap(ANSWERS["12"][1], 85)))
    page2 = plain(72, 790, "Recommendation 20") + b"".join(
        plain(72, 774 - 14 * i, line) for i, line in enumerate(wrap(ANSWERS["20"][1], 85)))
    page2 += plain(72, 700, "Yours sincerely")
    write("05b-dense-background-page-one", "dense-background.pdf", raw_pdf([page1, page2], {"F1": HELVETICA}), {
        "kind": "huge-page", "force": "Gwent Police", "recommendations": statuses(["12", "20"]),
        "exit_code": [0, 3], "accepted_errors": ["E108"], "may_be_lost": {"12": ["E112"]},
        "variant": "page 1 carries a background pattern of 2-point text (one text object, TJ arrays, about 36,000 "
                   "glyphs) drawn before the letterhead and R12's answer; R20 on page 2"})
    write("05a-dense-page-two-of-three", "dense-page-two.pdf", buffer.getvalue(), {
        "kind": "huge-page", "force": "Surrey Police", "recommendations": statuses(["10", "13", "22"]),
        "exit_code": [0, 3], "accepted_errors": ["E108"], "may_be_lost": {"13": ["E112"]},
        "variant": "the dense page is page 2 of 3 (14,000 short text objects, about 25,000 glyphs, under R13's answer)"})


# --- 06: HTML layout tables ------------------------------------------------------------------------------------

def layout_table_inputs() -> None:
    rows = "".join(
        f"<tr><td><p><strong>{n}</strong></p></td><td><p>{ANSWERS[n][1].split('. ')[0]}.</p>"
        f"<ul><li>{'. '.join(ANSWERS[n][1].split('. ')[1:]) or 'Owner: the Deputy Chief Constable'}</li></ul></td></tr>"
        for n in ("10", "13", "22"))
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Response to {TITLE} | Sussex PCC</title></head>
<body>
<table width="100%" border="0" cellpadding="0"><tr>
 <td colspan="2"><table><tr><td><img src="logo.png" alt="Sussex PCC logo"></td><td><h1>Office of the Sussex Police and Crime Commissioner</h1></td></tr></table></td>
</tr><tr>
 <td width="20%" valign="top"><table><tr><td><a href="/">Home</a></td></tr><tr><td><a href="/news">News</a></td></tr><tr><td><a href="/contact">Contact</a></td></tr></table></td>
 <td valign="top">
  <table><tr><td>
   <h2>Response to {TITLE}</h2>
   <p>Sussex Police</p>
   <p>Date: 11 February 2025</p>
   <p>The Chief Constable's update on each recommendation for forces is set out in the table below.</p>
   <table border="1">
    <thead><tr><th>No.</th><th>Force response</th></tr></thead>
    <tbody>{rows}</tbody>
   </table>
   <p>Yours sincerely</p>
  </td></tr></table>
 </td>
</tr></table>
</body></html>"""
    write("06a-layout-table-three-deep-no-column", "layout-three-deep.html", page.encode("utf-8"), {
        "kind": "nested-layout-table", "force": "Sussex Police", "recommendations": statuses(["10", "13", "22"]),
        "variant": "layout table three levels deep; the response table's first column is headed 'No.' with bare "
                   "numbers in <strong>, answers as <p> plus <ul> in the cell"})

    blocks = "".join(f"<tr><td valign='top'><h3>Recommendation {n}</h3></td><td><div>{ANSWERS[n][1]}</div>"
                     f"<table class='owner'><tr><td>Lead</td><td>Review date</td></tr><tr><td>ACC Moss</td><td>June 2025</td></tr>"
                     f"</table></td></tr>" for n in ("12", "16", "20"))
    page = f"""<html><head><title>Warwickshire OPCC - HMICFRS responses</title></head><body>
<table class="layout"><tr><td class="sidebar"><div>Latest news</div><div>Recommendation 9 of another report was discussed at the panel.</div></td>
<td class="main"><div><b>Police and Crime Commissioner for Warwickshire</b><br>Warwickshire Police<br>Date: 13 February 2025</div>
<h2>Response to {TITLE}</h2>
<table>{blocks}</table>
<div>Yours sincerely</div></td></tr></table></body></html>"""
    write("06b-layout-table-headings-in-cells", "layout-headings.html", page.encode("utf-8"), {
        "kind": "nested-layout-table", "force": "Warwickshire Police", "recommendations": statuses(["12", "16", "20"]),
        "variant": "each answer row holds an <h3> label cell and a cell with a <div> answer and a nested owner "
                   "table; <br> line breaks in the letterhead; no charset declared"})


# --- 07: a stray Windows-1252 byte -----------------------------------------------------------------------------

def stray_byte_inputs() -> None:
    lines = letterhead("Gwent", "Gwent Police", "17 February 2025")
    lines[3] = f"Response to {TITLE} \u2013 \u2018update\u2019"
    text = "\n".join(lines) + "\n\nThe force\u2019s update follows.\n\n"
    for n in ("10", "13", "22"):
        text += f"Recommendation {n}\n{ANSWERS[n][1]}\n\n"
    data = text.encode("utf-8").replace("The force\u2019s".encode("utf-8"), b"The force\x92s")
    data = data.replace(b"Date: 17 February 2025", b"Date:\xa017 February 2025")
    write("07a-stray-bytes-text", "stray-bytes.txt", data + "Yours sincerely\nCwmbr\u00e2n\n".encode("utf-8"), {
        "kind": "stray-windows-1252", "force": "Gwent Police", "recommendations": statuses(["10", "13", "22"]),
        "response_date": "2025-02-17", "passages_lack": ["\u00c3", "\u00e2\u20ac"],
        "variant": "UTF-8 text with curly quotes and an en dash, two stray Windows-1252 bytes (0x92, 0xA0) "
                   "in the letterhead and intro"})
    rows = "".join(f"<tr><td>Recommendation {n}</td><td>{ANSWERS[n][1]}</td></tr>" for n in ("12", "16", "20"))
    page = (f"<html><head><title>South Wales PCC \u2013 {TITLE}</title></head><body>"
            f"<p>Police and Crime Commissioner for South Wales \u2013 Comisiynydd Heddlu a Throseddu De Cymru</p>"
            f"<p>South Wales Police</p><p>Date: 19 February 2025</p>"
            f"<h1>Response to {TITLE}</h1><p>\u201cThe Commissioner welcomes the report.\u201d</p>"
            f"<table><tr><th>Recommendation</th><th>Response</th></tr>{rows}</table></body></html>")
    data = page.encode("utf-8").replace("\u201cThe Commissioner".encode("utf-8"), b"\x93The Commissioner")
    write("07b-stray-byte-html-no-charset", "stray-byte.html", data, {
        "kind": "stray-windows-1252", "force": "South Wales Police", "recommendations": statuses(["12", "16", "20"]),
        "passages_lack": ["\u00c3", "\u00e2\u20ac"],
        "variant": "an HTML page with no declared charset, UTF-8 throughout (Welsh circumflex, en dashes, curly "
                   "quotes) but one Windows-1252 open quote (0x93)"})


# --- 08: abbreviations -------------------------------------------------------------------------------------------

def abbreviation_inputs() -> None:
    text = "\n".join(letterhead("Cleveland", "Cleveland Police", "20 February 2025")) + "\n\n"
    text += ("Rec. 10\nDet. Supt. Hall and Insp. Khan wrote the revised dress and appearance policy, which the Dept. "
             "of People published on 3 Oct. 2024 (see para. 4 of the policy). It has been briefed to all officers "
             "and staff and supervisors now check compliance at each parade.\n\n"
             "Rec. No. 16\nThe non-crime hate incidents policy was rewritten by Ch. Insp. Ahmed and published on 2 Dec. "
             "2024, i.e. ahead of the deadline. All frontline officers and staff have been briefed on it.\n\n"
             "Recommendation No. 20\nThe Head of Information Mgmt. will revise the personal data requirements in "
             "approx. four months, e.g. in the policy review planned for Sept. 2025.\n\nYours sincerely\n")
    write("08a-abbreviations-ranks-and-rec-dot", "abbreviations-ranks.txt", text.encode("utf-8"), {
        "kind": "abbreviations", "force": "Cleveland Police",
        "recommendations": statuses({"10": "completed", "16": "completed", "20": "planned"}),
        "evidence_whole_sentences": True,
        "variant": "labels 'Rec. 10', 'Rec. No. 16', 'Recommendation No. 20'; Det. Supt., Insp., Dept., Oct., "
                   "para., Ch. Insp., Dec., i.e., Mgmt., approx., e.g., Sept. in the answers"})
    story = [("h", "Police and Crime Commissioner for Avon and Somerset"), "Avon and Somerset Constabulary",
             "Date: 24 February 2025", ("h", f"Response to {TITLE}"),
             ("table", [["Recommendation", "Force response"],
                        ["Rec. No. 12", "Cllr. Patel chaired the board that reviewed training. Every member of staff "
                                        "who completes equality impact assessments has been trained, i.e. approx. 140 "
                                        "people, and the board checks the quality of each assessment."],
                        ["Rec. No. 13", "Dr. Evans leads the audit of policies relating to the Equality Act 2010. It "
                                        "is under way: about half of them have been checked (see Vol. 2, pp. 4-9) and "
                                        "the rest are still being reviewed."]])]
    write("08b-abbreviations-in-pdf-table", "abbreviations-table.pdf", story_pdf(story), {
        "kind": "abbreviations", "force": "Avon and Somerset Constabulary",
        "recommendations": statuses({"12": "completed", "13": "in_progress"}), "evidence_whole_sentences": True,
        "variant": "'Rec. No. N' labels in the first cell of a PDF table; Cllr., i.e., approx., Dr., Vol., pp. in "
                   "the answers"})


# --- 09: other item labels ---------------------------------------------------------------------------------------

def label_inputs() -> None:
    text = "\n".join(letterhead("Suffolk", "Suffolk Constabulary", "25 February 2025")) + "\n\n"
    text += ("Rec 12 - " + ANSWERS["12"][1] + "\n\n"
             "R 16: " + ANSWERS["16"][1] + "\n\n"
             "Recommendation Twenty-two\n" + ANSWERS["22"][1] + "\n\n"
             "AFI 3 of our last PEEL report, on answering 999 calls, is reported to the panel separately.\n\n"
             "Yours sincerely\n")
    write("09a-labels-rec-r-space-spelled", "labels-short-spelled.txt", text.encode("utf-8"), {
        "kind": "labels", "force": "Suffolk Constabulary", "recommendations": statuses(["12", "16", "22"]),
        "variant": "'Rec 12 -', 'R 16:' (a space between R and the number), 'Recommendation Twenty-two', and an "
                   "'AFI 3' of another report that is no recommendation"})
    md = "\n\n".join(letterhead("West Yorkshire", "West Yorkshire Police", "26 February 2025")) + "\n\n"
    md += ("## X. Visible representations\n\n" + ANSWERS["10"][1] + "\n\n"
           "## XIII. Equality Act policies\n\n" + ANSWERS["13"][1] + "\n\n"
           "## Recommendation xx\n\n" + ANSWERS["20"][1] + "\n\nYours sincerely\n")
    write("09b-labels-roman-without-brackets", "labels-roman.md", md.encode("utf-8"), {
        "kind": "labels", "force": "West Yorkshire Police", "recommendations": statuses(["10", "13", "20"]),
        "variant": "roman numerals without brackets: 'X.' and 'XIII.' heading a section, 'Recommendation xx' in "
                   "lower case"})
    rows = "".join(f"<tr><td>{n}.</td><td>{ANSWERS[n][1]}</td><td>{lead}</td></tr>"
                   for n, lead in (("9", "Head of Corporate Communications"), ("12", "Head of Diversity"),
                                   ("16", "Crime Registrar")))
    page = (f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body>"
            f"<p>Police, Fire and Crime Commissioner for Staffordshire</p><p>Staffordshire Police</p>"
            f"<p>Date: 27 February 2025</p><h1>Response to {TITLE}</h1>"
            f"<table><tr><th>Ref</th><th>Update</th><th>Lead</th></tr>{rows}</table></body></html>")
    write("09c-labels-ref-column-numbers-with-dots", "labels-ref-column.html", page.encode("utf-8"), {
        "kind": "labels", "force": "Staffordshire Police", "recommendations": statuses(["9", "12", "16"]),
        "variant": "an HTML table whose 'Ref' column holds '9.', '12.', '16.' and a third column of leads"})


# --- 10: hyphens at line ends -------------------------------------------------------------------------------------

def hyphen_inputs() -> None:
    def go(c):
        fname = font()
        c.setFont(fname, 11)
        y = 790
        for line in letterhead("South Yorkshire", "South Yorkshire Police", "3 March 2025"):
            c.drawString(72, y, line)
            y -= 18
        y -= 10
        body = [
            "In response to recommen\u2010", "dation 16, our policy on non\u2010crime hate incidents was rewritten and",
            "published in December 2024. It gives officers clear direc\u2011",
            "tion on assessing and recording these incidents, and all front\u2010",
            "line staff have been briefed on it.", "",
            "On recommendation 13, an audit of every force policy relating to the Equality",
            "Act 2010 is under way. Around half of the policies have been checked so far",
            "and the rest are still being re\u2011", "viewed by the policy team.", "",
            "Yours sincerely",
        ]
        for line in body:
            c.drawString(72, y, line)
            y -= 15
        c.showPage()
    write("10a-unicode-hyphens-pdf", "unicode-hyphens.pdf", canvas_pdf(go), {
        "kind": "line-end-hyphens", "force": "South Yorkshire Police",
        "recommendations": statuses({"16": "completed", "13": "in_progress"}),
        "passages_contain": ["recommendation 16", "direction", "frontline", "reviewed", "non-crime hate"],
        "passages_lack": ["recommen dation", "direc tion", "re viewed"],
        "variant": "U+2010 and U+2011 (not soft hyphens) at line ends in a PDF, one splitting 'recommen-/dation 16'; "
                   "a U+2010 inside a line ('non-crime') that stays a hyphen"})
    html = ("<html><head><meta charset='utf-8'><title>Greater Manchester response</title></head><body>"
            "<p>Office of the Mayor of Greater Manchester</p><p>Greater Manchester Police</p><p>Date: 4 March 2025</p>"
            f"<h1>Response to {TITLE}</h1>"
            "<p>In response to recommen&shy;dation 10, the Chief Constable issued a revised dress and appear&shy;ance "
            "policy in October 2024. It has been briefed to all officers and staff and super&shy;visors now check "
            "compliance.</p><p>Yours sincerely</p></body></html>")
    write("10b-soft-hyphens-html", "soft-hyphens.html", html.encode("utf-8"), {
        "kind": "line-end-hyphens", "force": "Greater Manchester Police",
        "recommendations": statuses({"10": "completed"}),
        "passages_contain": ["recommendation 10", "appearance", "supervisors"],
        "passages_lack": ["\u00ad", "recommen dation"],
        "variant": "&shy; soft hyphens inside words of an HTML page (no line end: the browser's break points)"})


# --- 11: a table row broken across a page ------------------------------------------------------------------------

def split_row_inputs() -> None:
    long13 = (ANSWERS["13"][1] + " ") + " ".join(
        f"Policy area {i} has been assigned to a named owner who will report progress to the board." for i in range(1, 31))

    def footnote(c, doc):
        c.setFont(font(), 7.5)
        c.drawString(2.3 * cm, 1.6 * cm, "1 The audit plan was agreed by the Chief Officer Group.")
        c.drawString(2.3 * cm, 1.2 * cm, f"Page {doc.page}")

    story = [("h", "Police and Crime Commissioner for North Wales"), "North Wales Police", "Date: 5 March 2025",
             ("h", f"Response to {TITLE}"),
             "The force's update on each recommendation follows. " * 8,
             ("table", [["Recommendation", "Force response"], ["Recommendation 10", ANSWERS["10"][1] * 2],
                        ["Recommendation 13", long13], ["Recommendation 22", ANSWERS["22"][1]]])]
    write("11a-row-split-by-page-footnote", "row-split.pdf", story_pdf(story, on_page=footnote, split_in_row=True), {
        "kind": "row-across-pages", "force": "North Wales Police", "recommendations": statuses(["10", "13", "22"]),
        "passages_contain": ["Policy area 30 has been assigned"],
        "row_contains": {"13": "Policy area 30 has been assigned"},
        "variant": "reportlab splits R13's row inside the row (splitInRow) across pages 1-2 with a footnote and "
                   "page number between the halves, header repeated"})
    story = story[:4] + [("table", [["Recommendation", "Force response"], ["Recommendation 12", ANSWERS["12"][1] * 3],
                                    ["Recommendation 16", ANSWERS["16"][1] + " " + " ".join(
                                        f"Section {i} of the policy was briefed to officers in December 2024." for i in range(1, 12))],
                                    ["Recommendation 20", ANSWERS["20"][1]]])]
    story[0] = ("h", "Police and Crime Commissioner for Wiltshire")
    story[1] = "Wiltshire Police"
    write("11b-row-split-no-repeated-header", "row-split-no-header.pdf",
          story_pdf([("space", 330)] + story, on_page=footnote, split_in_row=True, repeat_header=False), {
              "kind": "row-across-pages", "force": "Wiltshire Police", "recommendations": statuses(["12", "16", "20"]),
              "row_contains": {"16": "Section 11 of the policy was briefed"},
              "variant": "the row splits across pages 1-2 with a footnote between and no header on page 2"})


# --- 12: answers in the recommendation's own words ----------------------------------------------------------------

def own_words_inputs() -> None:
    text = "\n".join(letterhead("Cambridgeshire", "Cambridgeshire Constabulary", "6 March 2025")) + "\n\n"
    text += ("Recommendation 9\nWe have updated our policies to reflect the College of Policing advice on "
             "communicating about politicised and contentious issues. The revised policy was published in "
             "January 2025.\n\n"
             "Recommendation 17\nOur recording processes for hate-related incidents now allow us to analyse data "
             "relating to hate crimes and non-crime hate incidents. The change went live in December 2024.\n\n"
             "Recommendation 18\nThe force has an effective and efficient process for assessing and reviewing hate "
             "incidents, which was introduced in November 2024 and is checked monthly.\n\nYours sincerely\n")
    write("12a-answers-in-own-words-text", "own-words.txt", text.encode("utf-8"), {
        "kind": "own-words", "force": "Cambridgeshire Constabulary",
        "recommendations": statuses({"9": "completed", "17": "completed", "18": "completed"}),
        "variant": "three answers each opening in the recommendation's own words, in the force's voice"})
    rows = [["Recommendation", "Force response"],
            ["Recommendation 10: By 31 March 2025, chief constables should give clear direction to their workforce "
             "about wearing and displaying visible representations.",
             "Chief constables should give clear direction to their workforce about wearing and displaying visible "
             "representations: " + ANSWERS["10"][1]],
            ["Recommendation 16: By 31 March 2025, forces should update and implement their policies and guidance "
             "for non-crime hate incidents.",
             "We have updated and implemented our policies and guidance for non-crime hate incidents to provide clear "
             "direction to officers and staff; the new policy was published in December 2024."]]
    story = [("h", "Police and Crime Commissioner for Bedfordshire"), "Bedfordshire Police", "Date: 7 March 2025",
             ("h", f"Response to {TITLE}"), ("table", rows)]
    write("12b-answers-in-own-words-table", "own-words-table.pdf", story_pdf(story), {
        "kind": "own-words", "force": "Bedfordshire Police",
        "recommendations": statuses({"10": "completed", "16": "completed"}),
        "answer_lacks": {"10": "give clear direction"},
        "answer_contains": {"10": "The Chief Constable issued", "16": "We have updated and implemented our policies"},
        "variant": "a PDF table whose first cell quotes the recommendation and whose answer opens with its words: "
                   "restated outside the force's voice (R10, the restatement goes, the answer after it stays) or in it "
                   "(R16, kept whole)"})


# --- 13: a "Published" line as the response date ------------------------------------------------------------------

def published_inputs() -> None:
    text = (f"Response to {TITLE}\nPolice and Crime Commissioner for Hampshire and the Isle of Wight\n"
            "Hampshire and Isle of Wight Constabulary\nPublished: 3 March 2025\n\n")
    for n in ("10", "13"):
        text += f"Recommendation {n}\n{ANSWERS[n][1]}\n\n"
    write("13a-published-line-text", "published-line.txt", text.encode("utf-8"), {
        "kind": "published-line", "force": "Hampshire and Isle of Wight Constabulary",
        "recommendations": statuses(["10", "13"]), "response_date": "2025-03-03",
        "variant": "'Published: 3 March 2025' under the title, no 'Date:' line; the answers name other dates"})
    page = (f"<html><head><meta charset='utf-8'><title>{TITLE} | Commissioner</title></head><body>"
            "<p>Police and Crime Commissioner for Northamptonshire</p><p>Northamptonshire Police</p>"
            f"<h1>Response to {TITLE}</h1>"
            "<dl><dt>Date published</dt><dd>12 February 2025</dd><dt>Type</dt><dd>Statutory response</dd></dl>"
            f"<p>Recommendation 22</p><p>{ANSWERS['22'][1]}</p></body></html>")
    write("13b-date-published-definition-list", "date-published.html", page.encode("utf-8"), {
        "kind": "published-line", "force": "Northamptonshire Police", "recommendations": statuses(["22"]),
        "response_date": "2025-02-12",
        "variant": "an HTML definition list: 'Date published' and the date in separate elements (lines)"})
    story = [("h", f"Response to {TITLE}"), "Police and Crime Commissioner for Essex", "Essex Police",
             "Report published: 10 September 2024", "Published on 21 January 2025",
             ("h", "Recommendation 12"), ANSWERS["12"][1]]
    write("13c-published-on-after-report-published", "published-on.pdf", story_pdf(story), {
        "kind": "published-line", "force": "Essex Police", "recommendations": statuses(["12"]),
        "response_date": "2025-01-21",
        "variant": "a PDF with 'Report published: ...' (the report's date) above 'Published on 21 January 2025'"})


# --- further inputs: other shapes, and several faults at once -------------------------------------------------------

def more_inputs() -> None:
    # 02c: a ruled response table drawn sideways (a landscape table on a portrait page, no /Rotate)
    def sideways_table(c):
        fname = font()
        c.setFont(fname, 11)
        for i, line in enumerate(letterhead("Northamptonshire", "Northamptonshire Police", "14 March 2025")):
            c.drawString(72, 790 - 18 * i, line)
        c.saveState()
        c.translate(520, 120)
        c.rotate(90)
        c.setFont(fname, 9.5)
        y = 0
        for label, answer in [("Recommendation", "Force response")] + [(f"Recommendation {n}", ANSWERS[n][1])
                                                                         for n in ("13", "16", "22")]:
            lines = wrap(answer, 78)
            height = 13 * len(lines) + 6
            c.line(0, -y, 600, -y)
            c.drawString(4, -y - 12, label)
            for i, line in enumerate(lines):
                c.drawString(130, -y - 12 - 13 * i, line)
            y += height
        c.line(0, -y, 600, -y)
        for x in (0, 125, 600):
            c.line(x, 0, x, -y)
        c.restoreState()
        c.showPage()
    write("02c-sideways-ruled-table", "sideways-table.pdf", canvas_pdf(sideways_table), {
        "kind": "sideways", "force": "Northamptonshire Police", "recommendations": statuses(["13", "16", "22"]),
        "passages_contain": ["Equality Act 2010 is under way"],
        "variant": "upright letterhead, then a ruled two-column response table drawn at 90 degrees on the same page"})

    # 06c + 07c: a layout table page with no charset, UTF-8 with one stray Windows-1252 byte, and &shy; in a word
    rows = "".join(f"<tr><td><b>Rec {n}</b></td><td><p>{ANSWERS[n][1]}</p></td></tr>" for n in ("10", "20"))
    page = (f"<html><head><title>Lincolnshire PCC \u2013 {TITLE}</title></head><body><table><tr>"
            "<td class='nav'><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></td><td>"
            "<h2>Police and Crime Commissioner for Lincolnshire</h2><p>Lincolnshire Police</p>"
            "<p>Date: 17 March 2025</p>"
            f"<h1>Response to {TITLE}</h1><p>The Commissioner\u2019s comments on the force\u2019s recommen&shy;dations "
            "follow.</p>"
            f"<table><tr><td><table><tr><th>Recommendation</th><th>Update</th></tr>{rows}</table></td></tr></table>"
            "</td></tr></table></body></html>")
    data = page.encode("utf-8").replace("The Commissioner\u2019s".encode("utf-8"), b"The Commissioner\x92s")
    write("06c-layout-table-stray-byte-shy", "layout-stray-byte.html", data, {
        "kind": "nested-layout-table", "force": "Lincolnshire Police", "recommendations": statuses(["10", "20"]),
        "passages_lack": ["\u00c3", "\u00e2\u20ac", "\u00ad"],
        "variant": "several faults at once: a navigation cell beside a content cell holding a response table nested "
                   "in another table, no charset, one stray 0x92 byte among UTF-8 curly quotes, an &shy;"})

    # 07c: a Markdown file, UTF-8 with a stray 0x96 (en dash) and 0x85 (ellipsis), U+2011 at a line end
    md = "\n\n".join(letterhead("Hertfordshire", "Hertfordshire Constabulary", "18 March 2025")) + "\n\n"
    md += ("## Recommendation 12 \u2013 equality impact assessments\n\n" + ANSWERS["12"][1] + "\n\n"
           "## Recommendation 18 \u2013 hate incidents\n\nThe force has an effective and efficient process "
           "for assessing and review\u2011\ning hate incidents, which was introduced in November 2024 and is checked "
           "monthly.\n\n"
           "Yours sincerely\n")
    data = md.encode("utf-8").replace("Recommendation 18 \u2013".encode("utf-8"), b"Recommendation 18 \x96")
    data = data.replace(b"checked monthly.", b"checked monthly\x85")
    assert data.count(b"\x85") == 1 and data.count(b"\x96") == 1
    write("07c-stray-bytes-markdown-and-hyphen", "stray-bytes.md", data, {
        "kind": "stray-windows-1252", "force": "Hertfordshire Constabulary",
        "recommendations": statuses({"12": "completed", "18": "completed"}), "response_date": "2025-03-18",
        "passages_contain": ["reviewing hate incidents"], "passages_lack": ["\u00c3", "\u00e2\u20ac", "review ing"],
        "variant": "several faults at once: Markdown, UTF-8 with stray 0x96 and 0x85 bytes in a heading and an "
                   "answer, a U+2011 hyphen at a line end"})

    # 08c: abbreviations in HTML, labels 'Rec. 9' and 'Rec. no. 17'
    page = (f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body>"
            "<p>Office of the Police and Crime Commissioner for Cheshire</p><p>Cheshire Constabulary</p>"
            f"<p>Date: 19 March 2025</p><h1>Response to {TITLE}</h1>"
            "<h3>Rec. 9</h3><p>Supt. Lowe will update the communication policy approx. six months after the College "
            "publishes its revised guidance, i.e. in the policy review planned for Sept. 2025.</p>"
            "<h3>Rec. no. 17</h3><p>The crime recording system was changed on 2 Dec. 2024 by the Dept. of Information "
            "so that hate crimes and non-crime hate incidents can be analysed together, e.g. by area and type. "
            "The change is complete.</p></body></html>")
    write("08c-abbreviations-html", "abbreviations.html", page.encode("utf-8"), {
        "kind": "abbreviations", "force": "Cheshire Constabulary",
        "recommendations": statuses({"9": "planned", "17": "completed"}), "evidence_whole_sentences": True,
        "variant": "an HTML page: labels 'Rec. 9' and 'Rec. no. 17' as <h3>; Supt., approx., i.e., Sept., Dec., Dept., "
                   "e.g. in the answers"})

    # 09d: a PDF table whose 'No.' column holds bare numbers, with 'Rec. 7' (national) cited in an answer
    story = [("h", "Police and Crime Commissioner for Cleveland"), "Cleveland Police", "Date: 20 March 2025",
             ("h", f"Response to {TITLE}"),
             ("table", [["No.", "Force response"], ["10", ANSWERS["10"][1]],
                        ["13", ANSWERS["13"][1] + " The national guidance of Rec. 7 is awaited."],
                        ["22", ANSWERS["22"][1]]])]
    write("09d-labels-no-column-pdf", "no-column.pdf", story_pdf(story), {
        "kind": "labels", "force": "Cleveland Police", "recommendations": statuses(["10", "13", "22"]),
        "variant": "a PDF table whose 'No.' column holds bare numbers; a national 'Rec. 7' cited inside R13's answer"})

    # 11c: R16's row breaks across the page with a footnote between, and the writer draws no ruling between the
    # repeated header and the row's second half
    filler = " ".join(f"Team {i} has been briefed on the new policy and its guidance." for i in range(1, 30))

    def footnote(c, doc):
        c.setFont(font(), 7.5)
        c.drawString(2.3 * cm, 1.6 * cm, "2 Frontline teams include response and neighbourhood officers.")
    story = [("h", "Police and Crime Commissioner for Dorset"), "Dorset Police", "Date: 21 March 2025",
             ("h", f"Response to {TITLE}"),
             ("table", [["Recommendation", "Force response"], ["Recommendation 12", ANSWERS["12"][1] + " " + filler],
                        ["Recommendation 16", ANSWERS["16"][1] + " " + filler.replace("Team", "Unit")],
                        ["Recommendation 20", ANSWERS["20"][1]]])]
    write("11c-row-split-header-without-ruling", "row-split-header-without-ruling.pdf",
          story_pdf(story, on_page=footnote, split_in_row=True), {
              "kind": "row-across-pages", "force": "Dorset Police", "recommendations": statuses(["12", "16", "20"]),
              "row_contains": {"16": "Unit 29 has been briefed"},
              "variant": "R16's row split across pages 1-2 after a footnote; no ruling between the repeated header "
                         "and the row's second half, so they read as one row"})

    # 12c: prose answers in the force's voice that reuse the recommendation's words, one in progress
    text = "\n".join(letterhead("Cleveland", "Cleveland Police", "22 March 2025")) + "\n\n"
    text += ("Recommendation 13\nWe are auditing our policies that include or relate to the Equality Act 2010; "
             "about half have been audited so far and the rest are still being reviewed.\n\n"
             "Recommendation 20\nWe have clearly defined in policies the requirements for recording personal data "
             "for non-crime hate incidents, and the policy was published in February 2025.\n\nYours sincerely\n")
    write("12c-own-words-force-voice", "own-words-voice.txt", text.encode("utf-8"), {
        "kind": "own-words", "force": "Cleveland Police",
        "recommendations": statuses({"13": "in_progress", "20": "completed"}),
        "answer_contains": {"13": "about half have been audited", "20": "We have clearly defined in policies"},
        "variant": "answers in the force's voice built from the recommendation's words ('We are auditing our "
                   "policies that include or relate to the Equality Act 2010')"})

    # 13d: a numeric 'Date published: 14/01/2025' in a PDF's footer-like line, another date in the body
    story = [("h", f"Response to {TITLE}"), "Police and Crime Commissioner for Derbyshire", "Derbyshire Constabulary",
             "Date published: 14/01/2025", ("h", "Recommendation 16"), ANSWERS["16"][1],
             "The next review of this policy is due in December 2025."]
    write("13d-date-published-numeric-pdf", "date-published-numeric.pdf", story_pdf(story), {
        "kind": "published-line", "force": "Derbyshire Constabulary", "recommendations": statuses(["16"]),
        "response_date": "2025-01-14",
        "variant": "a PDF with 'Date published: 14/01/2025' (UK day/month numbers)"})


def main() -> int:
    for make in (cid_inputs, sideways_inputs, eof_inputs, malformed_inputs, dense_inputs, layout_table_inputs,
                 stray_byte_inputs, abbreviation_inputs, label_inputs, hyphen_inputs, split_row_inputs,
                 own_words_inputs, published_inputs, more_inputs):
        make()
    return 0


if __name__ == "__main__":
    sys.exit(main())
