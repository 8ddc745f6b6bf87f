"""Ingest: the bytes of one source file -> a normalised :class:`~pipeline.types.Document`.

Pure functions: :func:`ingest` gets a :class:`SourceFile` (bytes already read by
:mod:`pipeline.io`) and picks a reader by content (:func:`sniff`), then by
suffix; every reader's output goes through
:func:`~pipeline.ingest.normalise.normalise_text`, so all formats meet the
same *normalised text conventions* the segmenter relies on (listed in
:mod:`pipeline.ingest.normalise`).

One module per part:

* :mod:`~pipeline.ingest.text` - text and Markdown files: decoding (charset-normalizer), Markdown's soft line breaks;
* :mod:`~pipeline.ingest.html` - HTML pages by BeautifulSoup, site chrome dropped, tables row by row (and the page
  inside a web archive, MHTML);
* :mod:`~pipeline.ingest.pdf` - PDFs by one pdfminer.six layout pass per document, with the limits (E103-E114);
* :mod:`~pipeline.ingest.ocr` - PDF pages without usable text read by OCR (Tesseract, offline);
* :mod:`~pipeline.ingest.docx` - Word documents, list numbering included, with safety checks (E115-E118);
* :mod:`~pipeline.ingest.layout` - a PDF page's reading order: ruled grids and borderless tables (text boxes on a
  common row grid) rebuilt as rows, prose columns read one after the other, wrapped lines joined where a line ran to
  the margin, sideways text;
* :mod:`~pipeline.ingest.running` - a PDF's running headers and footers dropped;
* :mod:`~pipeline.ingest.normalise` - the one normalisation shared by every reader, and pages joined;
* :mod:`~pipeline.ingest.bounded` - a reader run in a worker process stopped at the time limit;
* :mod:`~pipeline.ingest.raw` - what a reader returns (pages with their OCR flag, page-level notes).

Only the standard library is imported at module level (pdfminer.six,
BeautifulSoup, python-docx when a reader first needs them), so the runner can
read the limits below without loading them.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from pipeline.errors import PipelineError
from pipeline.ingest.html import read_web_page
from pipeline.ingest.normalise import CELL_SEPARATOR, assemble_pages, normalise_text
from pipeline.ingest.pdf import read_pdf
from pipeline.ingest.raw import Extraction, RawPage
from pipeline.ingest.running import drop_running_lines
from pipeline.ingest.text import decode_text, readable, unwrap_markdown
from pipeline.types import Document, Page, Problem, SourceFile

__all__ = ["CELL_SEPARATOR", "DEFAULT_MAX_CHARACTERS", "DEFAULT_MAX_PAGES", "DEFAULT_MAX_SECONDS", "MEDIA_TYPES",
           "TIMED_MEDIA_TYPES", "decode_text", "drop_running_lines", "ingest", "normalise_text", "over_limits", "sniff"]

MEDIA_TYPES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".txt": "text", ".md": "text", ".docx": "docx",
               ".mht": "mhtml", ".mhtml": "mhtml"}


# Defaults for callers of ingest() as a library; every CLI command passes [limits] of pipeline/data/config.toml
# (or the user's --config) instead, so these only need to agree with that file's shipped values.
#: Pages a PDF may have before it is reported (E107) and skipped.
DEFAULT_MAX_PAGES = 300
#: Time budget for reading one document, in seconds (E108 past it; the reader is stopped, see pipeline.ingest.bounded).
DEFAULT_MAX_SECONDS = 120.0
#: Characters of text a document may hold before it is reported (E129) and skipped: some 4,000 pages of prose, beyond
#: any response (a 300-page PDF holds about a million); scoring 6.4 million took 27 s of CPU and 1.1 GB (README).
DEFAULT_MAX_CHARACTERS = 10_000_000

#: The readers stopped at ``max_seconds`` (E108): those run in a bounded worker (:mod:`pipeline.ingest.bounded`).
TIMED_MEDIA_TYPES = frozenset({"pdf", "docx", "html", "mhtml"})


def over_limits(media_type: str, pages: int, characters: int, seconds: float, *, max_pages: int = DEFAULT_MAX_PAGES,
                max_seconds: float | None = DEFAULT_MAX_SECONDS,
                max_characters: int = DEFAULT_MAX_CHARACTERS) -> PipelineError | None:
    """What :func:`ingest` refuses a document for under these limits, given what it read: None when within them.

    For a document read before, under other limits (the run's cache keeps its
    text, or its passages, and these measures): ``media_type`` as :func:`sniff`
    gave it, ``pages`` and ``characters`` of the :class:`Document`, and the
    ``seconds`` its reading took. In ingest's order: E107 over ``max_pages``,
    E108 over ``max_seconds`` (only for the readers it times, :data:`TIMED_MEDIA_TYPES`),
    E129 over ``max_characters``. A reading that took about the time cap may
    pass one run and not the next, cached or not.
    """
    from pipeline.ingest.bounded import plain_seconds

    if pages > max_pages:
        return PipelineError("E107", pages=pages, limit=max_pages)
    if max_seconds is not None and media_type in TIMED_MEDIA_TYPES and seconds > max_seconds:
        return PipelineError("E108", seconds=plain_seconds(max_seconds))
    if characters > max_characters:
        return PipelineError("E129", characters=characters, limit=max_characters)
    return None


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Microsoft's compound file: .doc (and .xls, .msg)
_RTF = b"{\\rtf"  # Rich Text Format, which Word also saves under a .doc name
_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")
_LEADING_COMMENTS = re.compile(rb"^(?:\s*<!--.*?-->)*\s*", re.DOTALL)
#: What a file's name promises, by suffix: a reader, or "doc" (old binary Word, which no reader reads).
NAMED_TYPES = {**MEDIA_TYPES, ".docm": "docx", ".dotx": "docx", ".doc": "doc", ".dot": "doc"}
#: For a note naming a mismatch (E120): what the bytes are, what they were read as, the suffix that fits them.
_DESCRIBED = {"pdf": ("a PDF", "PDF", ".pdf"), "docx": ("a Word .docx document", "Word .docx", ".docx"),
              "html": ("an HTML page", "HTML", ".html"), "text": ("plain text", "text", ".txt"),
              "mhtml": ("a web archive (MHTML)", "HTML", ".mht")}


def sniff(data: bytes, suffix: str) -> str:
    """The reader for these bytes, by their content first and the suffix second.

    Returns ``"pdf"``, ``"docx"``, ``"html"``, ``"mhtml"`` (a web archive: an
    HTML page inside a MIME message) or ``"text"``. Magic bytes decide
    (``%PDF-``, a Word zip, a web archive's MIME headers, HTML markup),
    whatever the suffix says; a name that promises a binary format (``.pdf``, ``.docx``, ``.doc``) on bytes that are
    plain text is read as text, and so are such bytes in a file with no suffix at all. Word saves RTF and HTML under a ``.doc``
    name, and a ``.docx`` is often renamed ``.doc``: only a compound file is an
    old binary Word document. Raises :class:`PipelineError`: E115 an old
    binary Word file, E116 an OpenDocument text, E117 a ``.doc`` that is none
    of these, E121 an RTF document, E102 another zip, compound file or unknown
    suffix.
    """
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        head = data[:4096]
        if b"application/vnd.oasis.opendocument" in head or suffix in (".odt", ".ott"):
            raise PipelineError("E116")
        if suffix in (".docx", ".docm", ".dotx") or b"word/" in data[-65536:] or b"[Content_Types].xml" in head:
            return "docx"
        raise PipelineError("E102", suffix=suffix or "(none)")
    if data.startswith(_OLE2):
        if suffix in (".doc", ".dot") or "WordDocument".encode("utf-16-le") in data[:1 << 20]:
            raise PipelineError("E115")
        raise PipelineError("E102", suffix=suffix or "(none)")
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(_RTF):
        raise PipelineError("E121", named=f" named {suffix}" if suffix and suffix != ".rtf" else "")
    if suffix == ".odt":
        raise PipelineError("E116")
    lowered = head.lower()
    if b"mime-version:" in lowered and b"multipart/related" in lowered:  # Word's "Single File Web Page", a browser's MHTML
        return "mhtml"
    markup = _LEADING_COMMENTS.sub(b"", lowered)  # a page may open with comments ("<!-- saved from url=... -->")
    if markup.startswith(_HTML_START) and (b"<html" in markup or b"<body" in markup or b"<head" in markup):
        return "html"
    named = NAMED_TYPES.get(suffix)
    if named in ("pdf", "docx", "doc"):  # a binary format's name on bytes that are none of the formats above
        if _is_text(data):
            return "text"
        if named == "doc":
            raise PipelineError("E117", detail="its bytes are neither Word (.doc, .docx), RTF, HTML nor text")
        return named  # that reader says why (E103, E117)
    if named is None:
        if not suffix and _is_text(data):  # no name to go by: bytes that decode to readable text are text
            return "text"
        raise PipelineError("E102", suffix=suffix or "(none)")
    return named


def _is_text(data: bytes) -> bool:
    """Whether ``data`` decodes to readable text (the test :func:`~pipeline.ingest.text.readable` applies, E106)."""
    try:
        readable(decode_text(data))
    except PipelineError:
        return False
    return True


def mismatch_note(source: SourceFile, media_type: str) -> Problem | None:
    """A note (E120, no page) when the file's name promises another format than the bytes it was read as.

    None when the name matches, promises nothing (no or an unknown suffix), or
    names text for an HTML page or the reverse (both are read as text).
    """
    suffix = PurePath(source.path).suffix.lower()
    named = NAMED_TYPES.get(suffix)
    if named is None or named == media_type or {named, media_type} <= {"text", "html"}:
        return None
    actual, reader, extension = _DESCRIBED[media_type]
    error = PipelineError("E120", suffix=suffix, actual=actual, reader=reader, extension=extension)
    return error.problem(source.path, source.sha256)


def ingest(source: SourceFile, *, max_pages: int = DEFAULT_MAX_PAGES, max_seconds: float | None = DEFAULT_MAX_SECONDS,
           ocr: bool = True, max_characters: int = DEFAULT_MAX_CHARACTERS) -> Document:
    """Read one source file's bytes into a normalised :class:`Document`.

    The reader is chosen by content (:func:`sniff`: ``%PDF-``, a Word zip,
    HTML markup), else by the suffix of ``source.path`` (``.txt``, ``.md``,
    ``.html``). A PDF gives one :class:`Page` per page (pages separated by a
    blank line in ``text``); the other kinds give one page. ``ocr``: read PDF
    pages without a usable text layer by OCR. Page-level problems (a page lost
    or read by OCR below the confidence floor) are in ``Document.problems``,
    after a note (E120, no page) when the file's name promised another format.

    Raises :class:`PipelineError`: E101 empty file, E102 unsupported type,
    E103 unreadable PDF, E104 encrypted PDF, E105 PDF without a text layer
    that OCR could read, E106 bytes that are not text, E107 more than
    ``max_pages`` pages, E108 still reading after ``max_seconds``, E114 text
    only in fonts with no Unicode map, E115-E118 Word and OpenDocument files,
    E119 out of memory, E121 an RTF document, E123 a web page the reader failed on, E129 more than ``max_characters``
    characters of text.
    """
    if not source.data:
        raise PipelineError("E101")
    suffix = PurePath(source.path).suffix.lower()
    media_type = sniff(source.data, suffix)
    site = ""  # what a web page's header, footer and metadata, or a Word document's headers and footers, say of its publisher
    if media_type == "pdf":
        extraction = read_pdf(source.data, max_pages, max_seconds, ocr)
    elif media_type == "docx":
        from pipeline.ingest.docx import read_docx_page

        page, site = read_docx_page(source.data, max_seconds)
        extraction = Extraction((RawPage(page),))
    elif media_type in ("html", "mhtml"):
        page, site = read_web_page(source.data, archive=media_type == "mhtml", max_seconds=max_seconds)
        extraction = Extraction((RawPage(page),))
    elif suffix == ".md":
        extraction = Extraction((RawPage(unwrap_markdown(readable(decode_text(source.data)))),))
    else:
        extraction = Extraction((RawPage(readable(decode_text(source.data))),))
    note = mismatch_note(source, media_type)
    page_texts = [normalise_text(p.text) for p in extraction.pages]
    if media_type == "pdf":
        page_texts = drop_running_lines(page_texts)
    text, spans = assemble_pages(page_texts)
    if len(text) > max_characters:
        raise PipelineError("E129", characters=len(text), limit=max_characters)
    if not text.strip():
        if media_type == "pdf":
            raise PipelineError("E105")
        raise PipelineError("E106", detail="nothing but white space and markup")
    pages = tuple(Page(span.number, span.start, span.end, raw.ocr, raw.confidence)
                  for span, raw in zip(spans, extraction.pages))
    problems = tuple(Problem(source=source.path, code=n.code, sha256=source.sha256, page=n.page,
                             message=PipelineError(n.code, page=n.page, **n.details).message)
                     for n in extraction.notes)
    if note is not None:
        problems = (note, *problems)
    return Document(source=source.path, sha256=source.sha256, media_type="html" if media_type == "mhtml" else media_type,
                    text=text, pages=pages, problems=problems, site=normalise_text(site))
