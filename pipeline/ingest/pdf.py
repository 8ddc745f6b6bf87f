"""PDFs: one pdfminer.six layout pass per document, each page's text in reading order (see :mod:`pipeline.ingest.layout`).

Refusals: E103 not a readable PDF, E104 encrypted, E105 no text layer, E107
too many pages, E108 the time budget spent (checked between pages).
"""

from __future__ import annotations

import io
import struct
import time
import zlib

from pipeline.errors import PipelineError
from pipeline.ingest.layout import page_blocks, render_blocks
from pipeline.ingest.normalise import word_counts

def read_pdf(data: bytes, max_pages: int, max_seconds: float | None = None) -> list[str]:
    """Text of each page of a PDF, tables rebuilt as `` | `` rows, in one pdfminer pass."""
    from pdfminer.layout import LAParams
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psexceptions import PSException

    if b"%PDF-" not in data[:1024]:
        raise PipelineError("E103", detail="no %PDF- header: not a PDF file")
    if b"%%EOF" not in data[-4096:]:
        raise PipelineError("E103", detail="no %%EOF marker at the end: the file is truncated")
    # What pdfminer raises on damaged files: its own errors plus the built-in
    # ones its parsers let through on malformed objects and streams.
    damaged = (PSException, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError,
               EOFError, RecursionError, ArithmeticError, zlib.error, struct.error)
    # boxes_flow=None: reading order is decided here, by position, so pdfminer's
    # costly box grouping is skipped; all_texts: text inside Form XObjects too
    laparams = LAParams(boxes_flow=None, all_texts=True)
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        pdf_pages = list(PDFPage.create_pages(document))
    except PDFEncryptionError:
        raise PipelineError("E104") from None
    except damaged as exc:
        raise PipelineError("E103", detail=_describe(exc)) from None
    if not pdf_pages:
        raise PipelineError("E103", detail="the document has no pages")
    if len(pdf_pages) > max_pages:
        raise PipelineError("E107", pages=len(pdf_pages), limit=max_pages)
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=laparams)
    interpreter = PDFPageInterpreter(manager, device)
    layouts = []
    started = time.monotonic()
    for pdf_page in pdf_pages:
        # Checked between pages: a hostile file cannot hold the batch for longer
        # than the budget plus one page's layout.
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            raise PipelineError("E108", seconds=max_seconds)
        try:
            interpreter.process_page(pdf_page)
            layout = device.get_result()
        except PDFEncryptionError:
            raise PipelineError("E104") from None
        except damaged as exc:
            raise PipelineError("E103", detail=_describe(exc)) from None
        layouts.append(page_blocks(layout))
    if not any(layouts):
        raise PipelineError("E105")
    counts = word_counts(piece for blocks in layouts for block in blocks for part in block.parts for piece in part)
    return [render_blocks(blocks, counts) for blocks in layouts]


def _describe(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
