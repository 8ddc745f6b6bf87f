"""The one text normalisation every reader's output goes through, and the joining of pages into one text.

The *normalised text conventions* the segmenter relies on:

* one unit per line: a heading, a list item (``- ``), a table row or a paragraph;
  paragraphs (and pages) are separated by exactly one blank line;
* a table row is one line, its cells joined by :data:`CELL_SEPARATOR` (an empty leading or
  inner cell stays empty, so ``| text`` carries on the row above; trailing
  empty cells are dropped); a table's header row repeated after a page break
  is dropped;
* no HTML or Markdown markup, entities unescaped, ligatures expanded, straight
  quotes, plain spaces, no soft hyphens, bullets as ``- ``;
* lines broken inside a sentence are joined, and words hyphenated at a line
  end are mended (keeping the hyphen of real compounds such as "non-crime").
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from typing import Iterable, Iterator, Sequence

from pipeline.types import Page

CELL_SEPARATOR = " | "


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
BULLET_GLYPHS = ("\u2022\u25e6\u25aa\u25ab\u2023\u2043\u25cf\u25cb\u25a0\u25ba\u25b8\u25b9\u27a2\u27a4\u2219\u00b7"
                 "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0a8")
DASHES = "\u2013\u2014"
_BULLET = re.compile(rf"^(?:[{BULLET_GLYPHS}]\s*|[{DASHES}*]\s+)(?=\S)")
MARKER_ONLY = re.compile(rf"^(?:[{BULLET_GLYPHS}{DASHES}*-]|\d{{1,2}}[.)]|\(?[a-zA-Z]\)|\(?[ivxIVX]{{1,4}}[.)])$")
_MARKER_TAB = re.compile(rf"^[ \t]*([{BULLET_GLYPHS}{DASHES}*-]|\d{{1,2}}[.)]|\(?[a-zA-Z]\))[ \t]+")
#: Lines that open a new unit, so no wrapped line is ever joined onto them from above.
ITEM_START = re.compile(r"^(?:- |\d{1,2}[.)] |\(?[a-z]\) |\(?[ivx]{1,4}\) |recommendation\s+\d+\b)", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.:;?!][\"')\]]*$")
_HYPHEN_END = re.compile(r"\S-$")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
#: Prefixes whose hyphen stays when a line breaks after it ("non-\ncrime" -> "non-crime").
COMPOUND_PREFIXES = frozenset({"non", "co", "self", "anti", "ex", "multi", "cross", "post", "semi", "well"})

# --- markup -------------------------------------------------------------------

_BLOCK_TAGS = ("p|div|br|li|ul|ol|tr|td|th|table|tbody|thead|tfoot|h[1-6]|blockquote|section|article|header|footer|hr|dl|dt|dd|"
               "pre|caption|figure|figcaption|nav|main|aside|address")
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


#: A soft hyphen ending a line marks where a word was broken: the two halves are one word.
_SOFT_HYPHEN_BREAK = re.compile("\u00ad[ \t]*\r?\n[ \t]*(?=[^\\W\\d_])")


def _normalise_once(text: str) -> str:
    text = _SOFT_HYPHEN_BREAK.sub("", _strip_markup(text)).translate(_CHAR_MAP)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    lines = [line for raw in text.split("\n") for line in _clean_line(raw)]
    lines = _join_lines(lines, word_counts(lines))
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
        line = join_cells(line.split("\t"))
    stripped = line.strip()
    if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
        cells = stripped[1:-1].split("|")
        if all(_MD_TABLE_SEPARATOR.match(c.strip()) or not c.strip() for c in cells):
            return []
        line = join_cells(cells)
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
    if MARKER_ONLY.match(line) and not line[0].isalnum() and line[0] != "(":
        return ["-"]
    return [_BULLET.sub("- ", line)]


def join_cells(cells: Sequence[str]) -> str:
    """One table row as a line: the stripped cells joined by ``CELL_SEPARATOR``, empty trailing cells dropped."""
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return CELL_SEPARATOR.join(cells).strip()


def is_row(line: str) -> bool:
    """Whether ``line`` is a table row as :func:`join_cells` writes one (or a Markdown-style ``| `` row)."""
    return CELL_SEPARATOR in line or line.startswith("| ")


def word_counts(lines: Iterable[str]) -> Counter:
    """Lower-cased words and hyphenated compounds of ``lines``, counted: the vocabulary for mending hyphens."""
    counts: Counter = Counter()
    for line in lines:
        for token in _WORD.findall(line.lower()):
            counts[token] += 1
            if "-" in token:
                counts.update(token.split("-"))
    return counts


def join_wrapped(left: str, right: str, counts: Counter) -> str:
    """Join two pieces of one wrapped line, mending a word hyphenated at the break.

    A soft hyphen (U+00AD) at the break always joins; U+2010 and U+2011 count as "-".
    "recom-" + "mendation" -> "recommendation" unless the document spells the
    word with its hyphen elsewhere, or both halves are words of their own
    ("hate-" + "related"), or the first is a prefix such as "non-"; a hyphen
    before a capital or digit always stays ("Anglo-Saxon", "2023-24").
    """
    if left.endswith("\u00ad"):  # a soft hyphen is only ever a word broken at the line end
        return left[:-1] + right
    if left.endswith(("\u2010", "\u2011")):  # Unicode hyphens are hyphens
        left = left[:-1] + "-"
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
        if line and prev == "-" and not is_row(line):
            out[-1] = line if line.startswith("- ") else "- " + line
            continue
        if line and prev and not is_row(prev) and not is_row(line) and not ITEM_START.match(line):
            hyphenated = _HYPHEN_END.search(prev) and line[0].isalnum()
            if hyphenated or (line[0].islower() and not SENTENCE_END.search(prev)):
                out[-1] = join_wrapped(prev, line, counts)
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
        if not is_row(line):
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


#: Lines (footnotes) that may stand between a table at the foot of a page and its continuation on the next.
FOOTNOTE_LINES = 3


def _split_cells(row: str) -> list[str]:
    return [""] + row[2:].split(CELL_SEPARATOR) if row.startswith("| ") else row.split(CELL_SEPARATOR)


def _last_table(lines: Sequence[str]) -> tuple[str | None, int | None]:
    """The first row and the index of the last row of the table at the foot of a page (up to FOOTNOTE_LINES after it)."""
    i, after = len(lines) - 1, 0
    while i >= 0 and not is_row(lines[i]):
        after += bool(lines[i].strip())
        if after > FOOTNOTE_LINES:
            return None, None
        i -= 1
    if i < 0:
        return None, None
    first = i
    while first > 0 and is_row(lines[first - 1]):
        first -= 1
    return lines[first], i


def _header_and_rest(row: str, header: str) -> tuple[str, str] | None:
    """A row read as the repeated header with the split row's second half inside its cells, parted again.

    Some writers draw no ruling between the header repeated at the top of a page
    and the second half of a row split across the break (reportlab's
    ``splitInRow``), so the two come out as one row whose every cell opens with
    the header's cell ("Recommendation | Force response policy and ...").
    Returns (header, the second half as a row) or None.
    """
    if row == header or not is_row(row):
        return None
    heads, cells = _split_cells(header), _split_cells(row)
    if len(heads) != len(cells) or not all(
            c == h or (h and c.startswith(h + " ")) for h, c in zip(heads, cells)):
        return None
    rest = [c[len(h):] for h, c in zip(heads, cells)]
    if not any(r.strip() for r in rest):
        return None
    return header, join_cells(rest)


def assemble_pages(pages: Sequence[str]) -> tuple[str, tuple[Page, ...]]:
    """Join normalised page texts with blank lines, mending tables a page break cut.

    A table header repeated at the top of a page is dropped, and a row the
    break split in two (its second half opens the next page with an empty
    first cell, ``| ...``, possibly after the repeated header, and possibly
    with footnotes between the halves) is joined cell by cell onto its first
    half, so the row keeps its second half.
    """
    page_lines: list[list[str]] = []
    header, last_row = None, None
    for page in pages:
        lines = page.split("\n") if page else []
        continued = False
        if header and lines and (parted := _header_and_rest(lines[0], header)):
            lines = list(parted) + lines[1:]
        if header and len(lines) > 1 and lines[0] == header and is_row(lines[1]):
            lines = lines[1:]
            continued = True
        if last_row is not None and lines and lines[0].startswith("| "):
            previous = page_lines[-1]
            cells = _split_cells(previous[last_row])
            for i, cell in enumerate(_split_cells(lines[0])):
                if i >= len(cells):
                    cells.append(cell)
                elif cell:
                    cells[i] = join_wrapped(cells[i], cell, Counter()) if cells[i] else cell
            previous[last_row] = join_cells(cells)
            lines = lines[1:]
            continued = True
        # the table ending this page: the one carried over if it fills the page, else its own first row
        first, last = _last_table(lines)
        if first is not None:
            if not (continued and all(is_row(line) for line in lines if line.strip())):
                header = first
            last_row = last
        else:
            header, last_row = None, None
        while lines and not lines[0].strip():
            lines = lines[1:]
        page_lines.append(lines)
    parts: list[str] = []
    spans: list[Page] = []
    pos = 0
    for number, lines in enumerate(page_lines, start=1):
        text = "\n".join(lines)
        if text and parts:
            parts.append("\n\n")
            pos += 2
        spans.append(Page(number, pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    return "".join(parts), tuple(spans)
