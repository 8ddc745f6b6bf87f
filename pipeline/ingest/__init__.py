"""Ingest: the bytes of one source file -> a normalised :class:`~pipeline.types.Document`.

Pure functions: :func:`ingest` gets a :class:`SourceFile` (bytes already read by
:mod:`pipeline.io`) and picks a reader by suffix; every reader's output goes
through :func:`~pipeline.ingest.normalise.normalise_text`, so all formats meet
the same *normalised text conventions* the segmenter relies on (listed in
:mod:`pipeline.ingest.normalise`).

One module per part:

* :mod:`~pipeline.ingest.text` - text and Markdown files: decoding, Markdown's soft line breaks;
* :mod:`~pipeline.ingest.html` - HTML pages by BeautifulSoup (tables row by row);
* :mod:`~pipeline.ingest.pdf` - PDFs by one pdfminer.six layout pass per document, with the limits (E103-E108);
* :mod:`~pipeline.ingest.layout` - a PDF page's reading order: ruled grids and side-by-side
  text boxes rebuilt as rows, wrapped lines joined where a line ran to the margin;
* :mod:`~pipeline.ingest.running` - a PDF's running headers and footers dropped;
* :mod:`~pipeline.ingest.normalise` - the one normalisation shared by every reader.

Only the standard library is imported at module level (pdfminer.six and
BeautifulSoup when a reader first needs them), so pipeline.parallel can read the
limits below without loading them.
"""

from __future__ import annotations

from pathlib import PurePath

from pipeline.errors import PipelineError
from pipeline.ingest.html import read_html
from pipeline.ingest.normalise import CELL_SEPARATOR, assemble_pages, normalise_text
from pipeline.ingest.pdf import read_pdf
from pipeline.ingest.running import drop_running_lines
from pipeline.ingest.text import decode_text, readable, unwrap_markdown
from pipeline.types import Document, SourceFile

__all__ = ["CELL_SEPARATOR", "DEFAULT_MAX_PAGES", "DEFAULT_MAX_SECONDS", "MEDIA_TYPES", "decode_text",
           "drop_running_lines", "ingest", "normalise_text"]

MEDIA_TYPES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".txt": "text", ".md": "text"}


DEFAULT_MAX_PAGES = 300
#: Time budget for laying out one PDF, in seconds (E108 past it).
DEFAULT_MAX_SECONDS = 120.0


def ingest(source: SourceFile, *, max_pages: int = DEFAULT_MAX_PAGES, max_seconds: float | None = DEFAULT_MAX_SECONDS) -> Document:
    """Read one source file's bytes into a normalised :class:`Document`.

    The reader is chosen by the suffix of ``source.path``: ``.pdf``, ``.html``
    / ``.htm``, ``.txt`` / ``.md``. A PDF gives one :class:`Page` per page
    (pages separated by a blank line in ``text``); HTML and text give one page.
    Raises :class:`PipelineError`: E101 empty file, E102 unsupported suffix,
    E103 unreadable PDF, E104 encrypted PDF, E105 PDF without a text layer,
    E106 bytes that are not text, E107 more than ``max_pages`` pages, E108
    PDF layout still running after ``max_seconds`` (checked between pages).
    """
    if not source.data:
        raise PipelineError("E101")
    suffix = PurePath(source.path).suffix.lower()
    media_type = MEDIA_TYPES.get(suffix)
    if media_type is None:
        raise PipelineError("E102", suffix=suffix or "(none)")
    if media_type == "pdf":
        raw_pages = read_pdf(source.data, max_pages, max_seconds)
    elif media_type == "html":
        raw_pages = [read_html(source.data)]
    elif suffix == ".md":
        raw_pages = [unwrap_markdown(readable(decode_text(source.data)))]
    else:
        raw_pages = [readable(decode_text(source.data))]
    page_texts = [normalise_text(p) for p in raw_pages]
    if media_type == "pdf":
        page_texts = drop_running_lines(page_texts)
    text, pages = assemble_pages(page_texts)
    if not text.strip():
        if media_type == "pdf":
            raise PipelineError("E105")
        raise PipelineError("E106", detail="nothing but white space and markup")
    return Document(source=source.path, sha256=source.sha256, media_type=media_type, text=text, pages=pages)
