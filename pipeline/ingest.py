"""Ingest: the bytes of one source file -> a normalised :class:`~pipeline.types.Document`.

Pure functions: :func:`ingest` gets a :class:`SourceFile` (bytes already read by
:mod:`pipeline.io`) and picks a reader by suffix (PDF, HTML, text/Markdown);
every reader's output goes through :func:`normalise_text`, so all formats meet
the same *normalised text conventions*, which the segmenter relies on:

* one unit per line: a heading, a list item (``- ``), a table row or a paragraph;
  paragraphs (and pages) are separated by exactly one blank line;
* a table row is one line, its cells joined by `` | `` (an empty leading or
  inner cell stays empty, so ``| text`` carries on the row above; trailing
  empty cells are dropped); a table's header row repeated after a page break
  is dropped;
* no HTML or Markdown markup, entities unescaped, ligatures expanded, straight
  quotes, plain spaces, no soft hyphens, bullets as ``- ``;
* lines broken inside a sentence are joined, and words hyphenated at a line
  end are mended (keeping the hyphen of real compounds such as "non-crime").

Readers: PDF by one pdfminer.six layout pass per document (ruled grids and
side-by-side text boxes rebuilt as rows; wrapped lines joined where a line ran
to the margin; running headers and footers dropped, see
:func:`drop_running_lines`); HTML by BeautifulSoup; text by
:func:`decode_text`, with Markdown's soft line breaks joined for ``.md`` files.
"""

from __future__ import annotations

import bisect
import html
import io
import re
import struct
import unicodedata
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from typing import Iterable, Iterator, Sequence

from pipeline.errors import PipelineError
from pipeline.types import Document, Page, SourceFile

MEDIA_TYPES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".txt": "text", ".md": "text"}
CELL_SEPARATOR = " | "
DEFAULT_MAX_PAGES = 300
#: Time budget for laying out one PDF, in seconds (E108 past it).
DEFAULT_MAX_SECONDS = 120.0

# --- character-level data -----------------------------------------------------

LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
_CHAR_MAP = str.maketrans({
    **LIGATURES,
    **dict.fromkeys("\u2018\u2019\u201a\u201b", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f", '"'),
    **dict.fromkeys("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u2010\u2011", "-"),
    # soft hyphen, zero-width and bidi marks: invisible, but they split words
    **dict.fromkeys("\u00ad\u200b\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", None),
    "\r": "\n", "\u0085": "\n", "\u2028": "\n", "\x0b": "\n", "\x0c": "\n\n", "\u2029": "\n\n",
})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")

#: Glyphs that open a list item (Word's Symbol-font bullets land in the private use area).
BULLET_GLYPHS = "\u2022\u25e6\u25aa\u25ab\u2023\u2043\u25cf\u25cb\u25a0\u25ba\u25b8\u25b9\u27a2\u27a4\u2219\u00b7\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0a8"
_DASHES = "\u2013\u2014"
_BULLET = re.compile(rf"^(?:[{BULLET_GLYPHS}]\s*|[{_DASHES}*]\s+)(?=\S)")
_MARKER_ONLY = re.compile(rf"^(?:[{BULLET_GLYPHS}{_DASHES}*-]|\d{{1,2}}[.)]|\(?[a-zA-Z]\)|\(?[ivxIVX]{{1,4}}[.)])$")
_MARKER_TAB = re.compile(rf"^[ \t]*([{BULLET_GLYPHS}{_DASHES}*-]|\d{{1,2}}[.)]|\(?[a-zA-Z]\))[ \t]+")
#: Lines that open a new unit, so no wrapped line is ever joined onto them from above.
_ITEM_START = re.compile(r"^(?:- |\d{1,2}[.)] |\(?[a-z]\) |\(?[ivx]{1,4}\) |recommendation\s+\d+\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.:;?!][\"')\]]*$")
_HYPHEN_END = re.compile(r"\S-$")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
#: Prefixes whose hyphen stays when a line breaks after it ("non-\ncrime" -> "non-crime").
COMPOUND_PREFIXES = frozenset({"non", "co", "self", "anti", "ex", "multi", "cross", "post", "semi", "well"})

# --- markup -------------------------------------------------------------------

_BLOCK_TAGS = "p|div|br|li|ul|ol|tr|td|th|table|tbody|thead|tfoot|h[1-6]|blockquote|section|article|header|footer|hr|dl|dt|dd|pre|caption|figure|figcaption|nav|main|aside|address"
_INLINE_TAGS = "a|abbr|b|big|cite|code|em|font|i|mark|q|s|small|span|strike|strong|sub|sup|u|ins|del"
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_TAGS})\b(?:\s[^<>]*)?/?>", re.IGNORECASE)
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_TAGS})\b(?:\s[^<>]*)?/?>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MD_HEADING = re.compile(r"^#{1,6}(?:\s+|$)")
_MD_HEADING_CLOSE = re.compile(r"\s+#+$")
_MD_RULE = re.compile(r"^(?:[-=_*]\s*){3,}$")
_MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)")
_MD_EMPHASIS = (
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"(?<![^\W_])__(?=\S)(.+?)(?<=\S)__(?![^\W_])"),
    re.compile(r"(?<![^\W_])(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)(?![^\W_])"),
    re.compile(r"(?<![^\W_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![^\W_])"),
    re.compile(r"(?<!`)`([^`\n]+)`(?!`)"),
)
_MD_TABLE_SEPARATOR = re.compile(r"^:?-+:?$")
_SPACES = re.compile(r"[ \t]+")


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
        raw_pages = _read_pdf(source.data, max_pages, max_seconds)
    elif media_type == "html":
        raw_pages = [_read_html(source.data)]
    elif suffix == ".md":
        raw_pages = [_unwrap_markdown(_readable(decode_text(source.data)))]
    else:
        raw_pages = [_readable(decode_text(source.data))]
    page_texts = [normalise_text(p) for p in raw_pages]
    if media_type == "pdf":
        page_texts = drop_running_lines(page_texts)
    text, pages = _assemble(page_texts)
    if not text.strip():
        if media_type == "pdf":
            raise PipelineError("E105")
        raise PipelineError("E106", detail="nothing but white space and markup")
    return Document(source=source.path, sha256=source.sha256, media_type=media_type, text=text, pages=pages)


# --- text ---------------------------------------------------------------------

def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode the bytes of a text or HTML file.

    Tried in order: a byte order mark (UTF-8, UTF-16, UTF-32); UTF-16
    without a mark when every other byte is NUL; the ``declared`` encoding
    (an HTML meta charset); UTF-8; Windows-1252 (which also reads Latin-1
    text right, bar the C1 controls no real text uses); Latin-1, which
    cannot fail. Undecodable text is caught afterwards by its share of
    control characters (E106).
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    candidates = []
    half = max(len(data) // 2, 1)
    # NUL bytes are valid UTF-8, so UTF-16 must be recognised before UTF-8 is tried
    if data[1::2].count(0) > 0.3 * half and data[0::2].count(0) < 0.05 * half:
        candidates.append("utf-16-le")
    elif data[0::2].count(0) > 0.3 * half and data[1::2].count(0) < 0.05 * half:
        candidates.append("utf-16-be")
    if declared and declared.lower().replace("_", "-") not in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        candidates.append(declared)  # (browsers read a declared Latin-1 as Windows-1252 too)
    for codec in candidates + ["utf-8", "cp1252"]:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


_MD_BLOCK_START = re.compile(r"^\s*(?:[-*+] |\d{1,3}[.)] |#|\||>|```|~~~)")


def _unwrap_markdown(text: str) -> str:
    """Markdown's soft line breaks joined: a line carries on its paragraph unless it opens a block of its own.

    Fenced code keeps its lines (the fences go); a line ending in two spaces is a hard break.
    """
    out: list[str] = []
    fenced = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            out.append("")
            continue
        prev = out[-1] if out else ""
        if (not fenced and line.strip() and prev.strip() and not _MD_BLOCK_START.match(line)
                and not prev.endswith(("  ", "\\")) and not prev.lstrip().startswith(("#", "|"))):
            out[-1] = f"{prev.rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)


def _readable(text: str) -> str:
    """``text`` unchanged, or E106 when it is mostly control characters or decoding failures (binary data)."""
    if not text:
        return text
    bad = sum(1 for ch in text if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cn") and ch not in "\t\n\r\x0c"))
    if bad > 0.05 * len(text):
        raise PipelineError("E106", detail=f"{bad / len(text):.0%} of the characters are control codes or undecodable bytes")
    return text


def normalise_text(raw: str) -> str:
    """Normalise text from any reader to the conventions in this module's docstring.

    In: any string (text, extracted PDF or HTML text, Markdown). Out: the
    normalised text, with no leading or trailing blank lines. Never raises,
    and is idempotent: ``normalise_text(normalise_text(x)) == normalise_text(x)``.
    """
    # Removing one artefact can expose another (a double-escaped entity, a tag
    # split by a soft hyphen); repeating until nothing changes is what makes
    # the function idempotent, and costs one extra pass on ordinary text.
    text = raw
    for _ in range(8):
        again = _normalise_once(text)
        if again == text:
            break
        text = again
    return text


def _normalise_once(text: str) -> str:
    text = _strip_markup(text).translate(_CHAR_MAP)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    lines = [line for raw in text.split("\n") for line in _clean_line(raw)]
    lines = _join_lines(lines, _word_counts(lines))
    return unicodedata.normalize("NFC", "\n".join(_blocks_to_lines(_merge_repeated_headers(_blocks(lines)))))


def _strip_markup(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
        text = _INLINE_TAG.sub("", _BLOCK_TAG.sub(" ", _COMMENT.sub(" ", text)))
    return text


def _clean_line(line: str) -> list[str]:
    """One line cleaned: cells, Markdown, spaces, bullets.

    Returns no line for a Markdown rule or table separator, and a heading
    between blank lines, so that no later step joins prose onto it.
    """
    line = _MARKER_TAB.sub(r"\1 ", line)  # "•<tab>text" is a bullet, not a table row
    if "\t" in line:
        line = _join_cells(line.split("\t"))
    stripped = line.strip()
    if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
        cells = stripped[1:-1].split("|")
        if all(_MD_TABLE_SEPARATOR.match(c.strip()) or not c.strip() for c in cells):
            return []
        line = _join_cells(cells)
    if _MD_RULE.match(stripped):
        return []
    heading = _MD_HEADING.match(stripped)
    if heading:
        line = _MD_HEADING_CLOSE.sub("", stripped[heading.end():])
    previous = None
    while previous != line and ("*" in line or "_" in line or "[" in line or "`" in line):
        previous = line
        line = _MD_LINK.sub(r"\1", line)
        for pattern in _MD_EMPHASIS:
            line = pattern.sub(r"\1", line)
    line = _SPACES.sub(" ", line).strip()
    if heading:
        return ["", line, ""]
    if _MARKER_ONLY.match(line) and not line[0].isalnum() and line[0] != "(":
        return ["-"]
    return [_BULLET.sub("- ", line)]


def _join_cells(cells: Sequence[str]) -> str:
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return CELL_SEPARATOR.join(cells).strip()


def _is_row(line: str) -> bool:
    return CELL_SEPARATOR in line or line.startswith("| ")


def _word_counts(lines: Iterable[str]) -> Counter:
    """Lower-cased words and hyphenated compounds of ``lines``, counted: the vocabulary for mending hyphens."""
    counts: Counter = Counter()
    for line in lines:
        for token in _WORD.findall(line.lower()):
            counts[token] += 1
            if "-" in token:
                counts.update(token.split("-"))
    return counts


def _join_wrapped(left: str, right: str, counts: Counter) -> str:
    """Join two pieces of one wrapped line, mending a word hyphenated at the break.

    "recom-" + "mendation" -> "recommendation" unless the document spells the
    word with its hyphen elsewhere, or both halves are words of their own
    ("hate-" + "related"), or the first is a prefix such as "non-"; a hyphen
    before a capital or digit always stays ("Anglo-Saxon", "2023-24").
    """
    if not _HYPHEN_END.search(left):
        return f"{left} {right}" if left and right else left + right
    head = _WORD.findall(left.lower())
    tail = _WORD.match(right.lower())
    if not right[:1].islower() or not head or not tail or not left[-2].isalpha():
        return left + right
    whole_left, word = head[-1], tail.group().split("-")[0]
    part = whole_left.split("-")[-1]
    if counts[whole_left + word] >= 1:
        keep = False
    elif counts[f"{whole_left}-{word}"] >= 1:
        keep = True
    else:
        # each half was counted once at the break itself; more means a real word
        keep = part in COMPOUND_PREFIXES or (len(part) >= 3 and counts[part] >= 2 and counts[word] >= 2)
    return left + right if keep else left[:-1] + right


def _join_lines(lines: list[str], counts: Counter) -> list[str]:
    """Join lines broken inside a paragraph; conservative, since most text files hold one paragraph per line.

    A line is joined to the one above when that one is hyphenated at its end,
    or when it does not end a sentence and this one starts in lower case;
    never onto or from a table row, never before a list item or a
    "Recommendation N" label, never across a blank line.
    """
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        if line and prev == "-" and not _is_row(line):
            out[-1] = line if line.startswith("- ") else "- " + line
            continue
        if line and prev and not _is_row(prev) and not _is_row(line) and not _ITEM_START.match(line):
            hyphenated = _HYPHEN_END.search(prev) and line[0].isalnum()
            if hyphenated or (line[0].islower() and not _SENTENCE_END.search(prev)):
                out[-1] = _join_wrapped(prev, line, counts)
                continue
        out.append(line)
    return out


def _blocks(lines: Iterable[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _blocks_to_lines(blocks: Iterable[list[str]]) -> Iterator[str]:
    for i, block in enumerate(blocks):
        if i:
            yield ""
        yield from block


def _table_header(lines: Sequence[str]) -> str | None:
    """The first row of the table that ends ``lines`` (the run of rows at their end), or None."""
    header = None
    for line in reversed(lines):
        if not _is_row(line):
            break
        header = line
    return header


def _merge_repeated_headers(blocks: list[list[str]]) -> list[list[str]]:
    """A table continued after a page break repeats its header row: join the parts, drop the repeat."""
    out: list[list[str]] = []
    for block in blocks:
        if out and len(block) > 1 and block[0] == _table_header(out[-1]):
            out[-1] = out[-1] + block[1:]
        else:
            out.append(block)
    return out


def _assemble(pages: Sequence[str]) -> tuple[str, tuple[Page, ...]]:
    """Join normalised page texts with blank lines, dropping a table header repeated at the top of a page."""
    parts: list[str] = []
    spans: list[Page] = []
    pos = 0
    header = None
    for number, page in enumerate(pages, start=1):
        lines = page.split("\n") if page else []
        if header and len(lines) > 1 and lines[0] == header and _is_row(lines[1]):
            lines = lines[1:]
            continued = True
        else:
            continued = False
        # the table ending this page: the one carried over if it fills the page, else its own first row
        if _table_header(lines):
            if not (continued and all(_is_row(line) for line in lines)):
                header = _table_header(lines)
        else:
            header = None
        text = "\n".join(lines)
        if text and parts:
            parts.append("\n\n")
            pos += 2
        spans.append(Page(number, pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    return "".join(parts), tuple(spans)


# --- running headers and footers -----------------------------------------------

#: A line is a running header or footer when it stands at the same edge of at least this share of a
#: PDF's pages, and of at least RUNNING_MIN_PAGES of them.
RUNNING_SHARE = 0.6
RUNNING_MIN_PAGES = 3
#: Longer lines are text, not a running head; and at most this many running lines are peeled off each edge.
RUNNING_MAX_WORDS = 15
RUNNING_DEPTH = 2
_DIGIT_RUN = re.compile(r"\d+")
#: A page number line (lower-cased): "3", "- 3 -", "page 3", "page 3 of 12", "3/12", "p. 3", Welsh "tudalen 3 o 12".
_PAGE_NUMBER = re.compile(r"[\W_]*(?:(?:page|p\.|pg\.?|tudalen)\s*)?\d+(?:\s*(?:of|/|o)\s*\d+)?[\W_]*")


def drop_running_lines(pages: Sequence[str]) -> list[str]:
    """Normalised page texts without their running headers and footers.

    In: the normalised text of each page of one PDF. Out: the same pages, where
    a line that opens (or closes) at least :data:`RUNNING_SHARE` of the pages
    (and :data:`RUNNING_MIN_PAGES`) is removed from the pages it opens (closes):
    a protective marking ("OFFICIAL"), a document title, a page number. The
    line must be the same on those pages, except a page number line ("3",
    "Page 3 of 12", "- 3 -"), whose number must rise by one a page; so
    headings that open several pages ("Recommendation 9", "Recommendation
    10", ...) stay. Table rows and lines over :data:`RUNNING_MAX_WORDS` words
    are never running lines.
    """
    if len(pages) < RUNNING_MIN_PAGES:
        return list(pages)
    lines = [page.split("\n") if page else [] for page in pages]
    needed = max(RUNNING_MIN_PAGES, RUNNING_SHARE * len(pages))
    for edge in (0, -1):
        for _ in range(RUNNING_DEPTH):
            at = [_edge_line(page_lines, edge) for page_lines in lines]
            groups: dict[str, list[int]] = {}
            for number, (page_lines, i) in enumerate(zip(lines, at)):
                if i is not None and _may_run(page_lines[i]):
                    line = " ".join(page_lines[i].lower().split())
                    page_number = _PAGE_NUMBER.fullmatch(line)
                    groups.setdefault(_DIGIT_RUN.sub("#", line) if page_number else line, []).append(number)
            running = [members for members in groups.values()
                       if len(members) >= needed and _numbers_run_like_pages([lines[n][at[n]] for n in members], members)]
            if not running:
                break
            for n in running[0]:
                del lines[n][at[n]]
    return [re.sub(r"\n{3,}", "\n\n", "\n".join(page_lines)).strip("\n") for page_lines in lines]


def _edge_line(lines: Sequence[str], edge: int) -> int | None:
    """Index of the first (``edge`` 0) or last (-1) non-blank line, or None."""
    order = range(len(lines)) if edge == 0 else range(len(lines) - 1, -1, -1)
    return next((i for i in order if lines[i].strip()), None)


def _may_run(line: str) -> bool:
    return not _is_row(line) and len(line.split()) <= RUNNING_MAX_WORDS


def _numbers_run_like_pages(lines: Sequence[str], page_numbers: Sequence[int]) -> bool:
    """True when each number in the lines is the same on every page, or goes up by one a page."""
    values = [[int(d) for d in _DIGIT_RUN.findall(line)] for line in lines]
    for column in zip(*values):
        constant = len(set(column)) == 1
        paged = len({v - n for v, n in zip(column, page_numbers)}) == 1
        if not (constant or paged):
            return False
    return True


# --- HTML ---------------------------------------------------------------------

_HTML_DROP = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template", "head", "svg", "iframe", "button", "select"})
_HTML_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "aside", "blockquote", "pre", "address", "figure", "figcaption",
    "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "caption", "ul", "ol", "hr", "details", "summary",
    "fieldset", "h1", "h2", "h3", "h4", "h5", "h6", "body", "html", "center",
})
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _read_html(data: bytes) -> str:
    """Visible text of an HTML page: blocks as paragraphs, ``li`` as ``- `` lines, each ``tr`` one row."""
    from bs4 import BeautifulSoup

    declared = _META_CHARSET.search(data[:4096])
    soup = BeautifulSoup(_readable(decode_text(data, declared.group(1).decode("ascii") if declared else None)), "lxml")
    blocks: list[tuple[str, str, int]] = []  # (kind, text, table number): "p" paragraph, "li" list item, "tr" table row
    tables = 0
    # what text is being gathered into, innermost last: the page's paragraph, list items, a row, its cell;
    # a cell counts the cells of tables nested in it, which only add to its text
    frames: list[list] = [["p", [], 0]]

    def emit(frame: list) -> None:
        kind, pieces = frame[0], frame[1]
        text = _join_cells(pieces) if kind == "tr" else re.sub(r"[ \t\r\f\v]+", " ", "".join(pieces))
        text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
        if text:
            blocks.append((kind, "- " + text if kind == "li" else text, tables))
        pieces.clear()

    for event, node in _html_events(soup):
        frame = frames[-1]
        kind, pieces = frame[0], frame[1]
        name = getattr(node, "name", None)
        if kind == "tr" and name not in ("td", "th", "tr"):
            continue  # white space (or stray markup) between cells is no cell
        if event == "text":
            pieces.append(re.sub(r"\s+", " ", node))
        elif kind == "td" and (frame[2] or event == "start" or name not in ("td", "th")):
            # inside a cell everything stays on the cell's line
            frame[2] += (name in ("td", "th")) * (1 if event == "start" else -1)
            if name in _HTML_BLOCKS or name in ("br", "li", "tr", "td", "th"):
                pieces.append(" ")
        elif name in ("td", "th"):
            if event == "start" and kind == "tr":
                frames.append(["td", [], 0])
            elif event == "end" and kind == "td":
                frames.pop()
                frames[-1][1].append(re.sub(r"\s+", " ", "".join(pieces)).strip())
        elif name == "br":
            pieces.append("\n" if kind == "p" else " ")
        elif name in ("tr", "li") and event == "start":
            for open_frame in frames:  # text before a row or item comes before it
                if open_frame[0] != "tr":
                    emit(open_frame)
            frames.append([name, [], 0])
        elif name in ("tr", "li") and kind == name:
            emit(frames.pop())
        elif name in _HTML_BLOCKS:
            tables += name == "table"
            if kind == "p":
                emit(frame)
            else:
                pieces.append(" ")  # blocks inside an item keep it on one line
    emit(frames[0])
    out: list[str] = []
    for i, (kind, block, table) in enumerate(blocks):
        if i:
            same = kind == blocks[i - 1][0] and (kind == "li" or (kind == "tr" and table == blocks[i - 1][2]))
            out.append("\n" if same else "\n\n")
        out.append(block)
    return "".join(out)


def _html_events(root) -> Iterator[tuple[str, object]]:
    """("start", tag), ("text", string) and ("end", tag) in document order, without dropped or hidden parts.

    Iterative, so that no nesting depth overflows the stack.
    """
    from bs4 import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

    skip = (Comment, Declaration, Doctype, ProcessingInstruction)
    stack = [(root, iter(root.children))]
    while stack:
        child = next(stack[-1][1], None)
        if child is None:
            tag, _ = stack.pop()
            if stack:
                yield "end", tag
        elif isinstance(child, NavigableString):
            if not isinstance(child, skip):
                yield "text", str(child)
        elif child.name not in _HTML_DROP:
            yield "start", child
            stack.append((child, iter(child.children)))


# --- PDF ----------------------------------------------------------------------

@dataclass
class _Line:
    """A line of text on a PDF page (PDF coordinates: y grows upwards)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    first_word: float  # width of the first word: whether it would have fitted on the line above
    chars: Sequence = ()  # pdfminer's LTChar and LTAnno, to split the line where a ruling crosses it

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class _Block:
    """A unit of a page in reading order: a paragraph (lines of wrapped pieces) or a table row (cells of pieces)."""

    top: float
    left: float
    kind: str  # "para" | "row"
    parts: list[list[str]]
    table: tuple = ()  # rows of one table share an id, so they stay together


_TOL = 2.0  # points: slack when comparing PDF positions
_CID = re.compile(r"\(cid:\d+\)")


def _read_pdf(data: bytes, max_pages: int, max_seconds: float | None = None) -> list[str]:
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
        layouts.append(_page_blocks(layout))
    if not any(layouts):
        raise PipelineError("E105")
    counts = _word_counts(piece for blocks in layouts for block in blocks for part in block.parts for piece in part)
    return [_render_blocks(blocks, counts) for blocks in layouts]


def _describe(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _page_blocks(layout) -> list[_Block]:
    """The blocks of one laid-out page: ruled tables, side-by-side boxes as rows, other boxes as paragraphs."""
    boxes: list[list[_Line]] = []
    segments: list[tuple[float, float, float, float]] = []
    _collect(layout, boxes, segments)
    boxes = [b for b in boxes if b]
    if not boxes:
        return []
    blocks: list[_Block] = []
    for table_id, (xs, ys, verticals) in enumerate(_find_grids(segments)):
        x0, x1, y0, y1 = xs[0] - _TOL, xs[-1] + _TOL, ys[-1] - _TOL, ys[0] + _TOL
        inside = [ln for box in boxes for ln in box if x0 <= (ln.x0 + ln.x1) / 2 <= x1 and y0 <= ln.cy <= y1]
        if not inside:
            continue
        taken = {id(ln) for ln in inside}
        boxes = [[ln for ln in box if id(ln) not in taken] for box in boxes]
        blocks.extend(_grid_rows(inside, xs, ys, verticals, ("grid", table_id)))
    all_lines = [ln for box in boxes for ln in box]
    if all_lines:
        # the right margin: the longest line, or the left margin mirrored when no line reaches it
        right = max(max(ln.x1 for ln in all_lines), layout.x1 - (min(ln.x0 for ln in all_lines) - layout.x0))
        boxes = _merge_wrapped_boxes(_attach_markers([b for b in boxes if b]), right)
        blocks.extend(_box_blocks(boxes, right))
    blocks.sort(key=lambda b: (-b.top, b.left))
    return blocks


def _collect(container, boxes: list[list[_Line]], segments: list) -> None:
    from pdfminer.layout import LTCurve, LTFigure, LTTextBox, LTTextLineHorizontal

    for obj in container:
        if isinstance(obj, LTTextBox):
            boxes.append([line for ln in obj if isinstance(ln, LTTextLineHorizontal) if (line := _line(ln))])
        elif isinstance(obj, LTTextLineHorizontal):
            if line := _line(obj):
                boxes.append([line])
        elif isinstance(obj, LTFigure):
            _collect(obj, boxes, segments)
        elif isinstance(obj, LTCurve):
            segments.extend(_segments(obj))


def _line(line) -> _Line | None:
    """A :class:`_Line` from a pdfminer text line, or None if it holds no text."""
    text = line.get_text()
    if "(cid:" in text:
        text = _CID.sub("", text)  # glyphs with no Unicode mapping are unreadable, not text
    text = text.replace("\n", " ").strip()
    if not text:
        return None
    items = list(line)
    start = end = None
    for item in items:
        if not item.get_text().strip():
            if start is not None:
                break
        elif hasattr(item, "x1"):
            start = item.x0 if start is None else start
            end = item.x1
    return _Line(line.x0, line.y0, line.x1, line.y1, text, (end - start) if start is not None else 0.0, items)


def _segments(curve) -> list[tuple[float, float, float, float]]:
    """Axis-parallel ruling segments (x0, y0, x1, y1) drawn by a line, rectangle or path."""
    from pdfminer.layout import LTRect

    if isinstance(curve, LTRect) or len(curve.pts) < 2:
        x0, y0, x1, y1 = curve.bbox
        if x1 - x0 <= 3 and y1 - y0 <= 3:
            return []
        if x1 - x0 <= 3:
            return [((x0 + x1) / 2, y0, (x0 + x1) / 2, y1)]
        if y1 - y0 <= 3:
            return [(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2)]
        return [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]
    out = []
    for (ax, ay), (bx, by) in zip(curve.pts, curve.pts[1:]):
        if abs(ax - bx) <= 1 or abs(ay - by) <= 1:
            out.append((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
    return out


def _cluster(values: Iterable[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def _merge_collinear(segments: list[tuple[float, float, float, float]], horizontal: bool) -> list[tuple]:
    """Segments on one line that touch or overlap, as one: Word draws a table's rulings cell by cell."""
    if not horizontal:  # work on (y, x) swapped so both directions share the code
        segments = [(y0, x0, y1, x1) for x0, y0, x1, y1 in segments]
    merged: list[list[float]] = []
    for x0, y0, x1, y1 in sorted(segments, key=lambda s: (round(s[1]), s[0])):
        last = merged[-1] if merged else None
        if last and abs(last[1] - y0) <= 1 and x0 <= last[2] + _TOL:
            last[2] = max(last[2], x1)
        else:
            merged.append([x0, y0, x1, y1])
    return [tuple(m) if horizontal else (m[1], m[0], m[3], m[2]) for m in merged]


def _find_grids(segments: Sequence[tuple[float, float, float, float]]):
    """Tables drawn with rulings: groups of crossing horizontal and vertical segments with two columns or more.

    Yields ``(xs, ys, verticals)``: column boundaries left to right, row
    boundaries top to bottom, and the vertical segments (to split a line only
    where a ruling actually crosses it).
    """
    hs = _merge_collinear([s for s in segments if s[3] - s[1] <= 1 and s[2] - s[0] >= 5], horizontal=True)
    vs = _merge_collinear([s for s in segments if s[2] - s[0] <= 1 and s[3] - s[1] >= 5], horizontal=False)
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(vs)), key=lambda j: vs[j][0])
    xs_sorted = [vs[j][0] for j in order]
    for i, h in enumerate(hs):
        # only the verticals within the horizontal's x range can cross it
        for j in order[bisect.bisect_left(xs_sorted, h[0] - _TOL):bisect.bisect_right(xs_sorted, h[2] + _TOL)]:
            if vs[j][1] - _TOL <= h[1] <= vs[j][3] + _TOL:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, list[int]] = {}
    for i in range(len(parent)):
        groups.setdefault(find(i), []).append(i)
    for members in groups.values():
        mh = [hs[i] for i in members if i < len(hs)]
        mv = [vs[i - len(hs)] for i in members if i >= len(hs)]
        if len(mh) < 2 or len(mv) < 2:
            continue
        left, right = min(s[0] for s in mh + mv), max(s[2] for s in mh + mv)
        bottom, top = min(s[1] for s in mh + mv), max(s[3] for s in mh + mv)
        xs = _cluster([left, right] + [v[0] for v in mv])
        ys = _cluster([bottom, top] + [h[1] for h in mh])[::-1]
        if len(xs) >= 3 and len(ys) >= 2:
            yield xs, ys, mv


def _grid_rows(lines: list[_Line], xs: list[float], ys: list[float], verticals, table_id: tuple) -> list[_Block]:
    """One row block per grid row holding text; a line crossing a ruling is split there."""
    cells: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    rising = ys[::-1]
    verticals = sorted(verticals)
    vxs = [v[0] for v in verticals]
    for line in lines:
        cy = line.cy
        row = min(max(len(ys) - 1 - bisect.bisect_right(rising, cy), 0), len(ys) - 2)
        crossing = verticals[bisect.bisect_right(vxs, line.x0):bisect.bisect_left(vxs, line.x1)]
        cuts = [v[0] for v in crossing if v[1] - _TOL <= cy <= v[3] + _TOL]
        for x0, text in _split_text(line, cuts):
            col = max(0, min(len(xs) - 2, sum(1 for x in xs[1:-1] if x <= x0 + _TOL)))
            cells.setdefault((row, col), []).append((-line.y1, x0, text))
    blocks = []
    for row in sorted({r for r, _ in cells}):
        parts = [[t for _, _, t in sorted(cells.get((row, c), []))] for c in range(len(xs) - 1)]
        while parts and not parts[-1]:
            parts.pop()
        blocks.append(_Block(ys[row], xs[0], "row", parts, table_id))
    return blocks


def _split_text(line: _Line, cuts: list[float]) -> list[tuple[float, str]]:
    """The pieces of a line on either side of the ruling x positions ``cuts``, each with its left x."""
    if not cuts:
        return [(line.x0, line.text)]
    cuts = sorted(cuts)
    pieces: dict[int, list[str]] = {}
    side = 0
    for item in line.chars:
        text = item.get_text()
        if hasattr(item, "x0") and text.strip():
            side = bisect.bisect_left(cuts, (item.x0 + item.x1) / 2)
        if not text.startswith("(cid:"):
            pieces.setdefault(side, []).append(text)
    left = [line.x0] + cuts
    joined = ((side, "".join(chars).replace("\n", " ").strip()) for side, chars in sorted(pieces.items()))
    return [(left[side], text) for side, text in joined if text]


def _attach_markers(boxes: list[list[_Line]]) -> list[list[_Line]]:
    """A bullet or number drawn apart from its text (a box of its own) is put in front of that text."""
    lines = [ln for box in boxes for ln in box]
    for marker in [ln for ln in lines if _MARKER_ONLY.match(ln.text)]:
        beside = [ln for ln in lines if ln is not marker and ln.x0 >= marker.x1 - _TOL and ln.x0 - marker.x1 < 60
                  and abs(ln.cy - marker.cy) < (marker.y1 - marker.y0) / 2 + _TOL and not _MARKER_ONLY.match(ln.text)]
        if beside:
            target = min(beside, key=lambda ln: ln.x0)
            target.text, target.x0 = f"{marker.text} {target.text}", marker.x0
            marker.text = ""
    return [kept for box in boxes if (kept := [ln for ln in box if ln.text])]


def _merge_wrapped_boxes(boxes: list[list[_Line]], right: float) -> list[list[_Line]]:
    """Rejoin a paragraph pdfminer split in two boxes because its lines do not align (first-line or hanging indent)."""
    out: list[list[_Line]] = []
    for box in sorted(boxes, key=lambda b: -b[0].y1):
        first = box[0]
        for upper in out:
            last = upper[-1]
            gap = last.y0 - first.y1
            if (-_TOL <= gap <= 0.7 * (last.y1 - last.y0) and first.x0 < last.x1 and last.x0 < first.x1
                    and _continues(last, first, right)):
                upper.extend(box)
                break
        else:
            out.append(list(box))
    return out


def _box_blocks(boxes: list[list[_Line]], right: float) -> list[_Block]:
    """Paragraph blocks from text boxes; boxes side by side at the same height become one table row."""
    boxes = sorted(boxes, key=lambda b: -max(ln.y1 for ln in b))
    groups: list[list[list[_Line]]] = []
    bottom = None
    for box in boxes:
        top = max(ln.y1 for ln in box)
        if groups and top > bottom + _TOL:
            groups[-1].append(box)
            bottom = min(bottom, min(ln.y0 for ln in box))
        else:
            groups.append([box])
            bottom = min(ln.y0 for ln in box)
    blocks: list[_Block] = []
    for group_id, group in enumerate(groups):
        columns: list[list[list[_Line]]] = []
        for box in sorted(group, key=lambda b: min(ln.x0 for ln in b)):
            x0 = min(ln.x0 for ln in box)
            if columns and x0 < max(ln.x1 for b in columns[-1] for ln in b) - _TOL:
                columns[-1].append(box)
            else:
                columns.append([box])
        top = max(ln.y1 for b in group for ln in b)
        left = min(ln.x0 for b in group for ln in b)
        if len(columns) > 1:
            cells = [[ln.text for ln in sorted((ln for b in col for ln in b), key=lambda ln: -ln.y1)] for col in columns]
            blocks.append(_Block(top, left, "row", cells, ("boxes", group_id)))
        else:
            blocks.extend(_Block(max(ln.y1 for ln in box), min(ln.x0 for ln in box), "para", _wrap_lines(box, right))
                          for box in group)
    return blocks


def _wrap_lines(box: list[_Line], right: float) -> list[list[str]]:
    """The lines of a paragraph box grouped into units: a line that ran to the margin carries on below."""
    units: list[list[str]] = []
    prev: _Line | None = None
    for line in sorted(box, key=lambda ln: -ln.y1):
        if prev is not None and _continues(prev, line, right):
            units[-1].append(line.text)
        else:
            units.append([line.text])
        prev = line
    return units


def _continues(prev: _Line, line: _Line, right: float) -> bool:
    """Is ``line`` the wrapped continuation of ``prev`` (its first word would not have fitted above)?"""
    space = (prev.y1 - prev.y0) * 0.3
    wrapped = prev.x1 + space + line.first_word >= right - _TOL
    if line.text[:1] in BULLET_GLYPHS:
        return False
    if _ITEM_START.match(line.text) or line.text[:1] in _DASHES:
        # "- " or "Recommendation 9" in the middle of wrapped prose is still prose
        return wrapped and not _SENTENCE_END.search(prev.text)
    return wrapped


def _render_blocks(blocks: list[_Block], counts: Counter) -> str:
    out: list[str] = []
    for i, block in enumerate(blocks):
        if i:
            same_table = block.kind == "row" and blocks[i - 1].kind == "row" and (
                block.table == blocks[i - 1].table or len(block.parts) == len(blocks[i - 1].parts))
            out.append("\n" if same_table else "\n\n")
        if block.kind == "row":
            out.append(_join_cells([_join_pieces(cell, counts) for cell in block.parts]) or "")
        else:
            out.append("\n".join(_join_pieces(unit, counts) for unit in block.parts))
    return "".join(out)


def _join_pieces(pieces: Sequence[str], counts: Counter) -> str:
    text = ""
    for piece in pieces:
        text = _join_wrapped(text, piece.strip(), counts) if text else piece.strip()
    return text
