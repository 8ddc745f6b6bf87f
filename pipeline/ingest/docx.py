"""Word documents (.docx): paragraphs, headings, tables as rows, and the list numbers Word generates, as text.

python-docx reads the package (parts, relationships, styles, the numbering
part) and this module walks the body in order. None of python-docx,
docx2python and mammoth renders a numbering definition's own label text
("Recommendation %1", "%1.", "%2)"): python-docx drops list numbers,
mammoth turns them into ``<ol>`` without numbers, docx2python writes its own
"1)" and loses the words around the number. So the labels are computed here
from ``word/numbering.xml`` (:class:`_Numbering`), which is what makes a
recommendation number that Word generates appear in the text.

Safety, before anything is parsed (:func:`check_package`): the zip's entries
and their declared sizes are checked (count, each part, the total, the
compression ratio), so a zip bomb or a huge part is refused (E118) with
memory bounded; every XML part is refused if it holds a DTD (so no entity,
internal or external, is ever expanded); python-docx's own parser does not
resolve entities or touch the network, and no relationship to an external
target is followed. The reader runs in a worker stopped at ``max_seconds``
(:mod:`pipeline.ingest.bounded`).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Iterator

from pipeline.errors import PipelineError
from pipeline.ingest import rag
from pipeline.ingest.bounded import run_bounded
from pipeline.ingest.normalise import join_cells

#: Limits on the package, checked on the zip directory before any part is read.
MAX_ENTRIES = 5_000
MAX_PART_BYTES = 64 * 1024 * 1024  # uncompressed, one part (a whole report's document.xml is a few MB)
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # uncompressed, every part
MAX_RATIO = 200  # uncompressed / compressed, for parts over 1 MB (text XML compresses about 10:1)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_HEADING_STYLE = re.compile(r"^(?:heading \d|title|subtitle)$", re.IGNORECASE)


def read_docx(data: bytes, max_seconds: float | None = None) -> str:
    """The text of a .docx: paragraphs and headings apart, list items as lines, table rows as `` | `` lines.

    Raises :class:`PipelineError`: E117 not a readable Word document, E118
    refused for safety (zip bomb, huge part, DTD or entities), E108 past
    ``max_seconds``, E119 out of memory.
    """
    return read_docx_page(data, max_seconds)[0]


def read_docx_page(data: bytes, max_seconds: float | None = None) -> tuple[str, str]:
    """As :func:`read_docx`, with the document's site text: (text, site).

    ``site`` is what the headers and footers of every section say (the first
    page's and even pages' too), one paragraph or table cell a line, each
    once, in the order of the package's parts. A letterhead names the
    commissioner's office there and often nowhere else; it is no part of what
    the letter says, so it stays out of ``text``, and identify reads it for the
    force only where the text names none (``Document.site``, as for a web
    page's header and footer). Raises as :func:`read_docx`.
    """
    check_package(data)
    return run_bounded(_read, (data,), max_seconds, crash_code="E117")


def check_package(data: bytes) -> None:
    """Refuse a .docx whose zip could exhaust memory or whose XML declares a DTD (E117, E118)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise PipelineError("E117", detail=f"not a zip package ({exc})") from None
    if len(entries) > MAX_ENTRIES:
        raise PipelineError("E118", detail=f"{len(entries)} parts in the package (limit {MAX_ENTRIES})")
    total = 0
    names = set()
    for entry in entries:
        names.add(entry.filename)
        total += entry.file_size
        if entry.file_size > MAX_PART_BYTES:
            raise PipelineError("E118", detail=f"part {entry.filename} unpacks to {entry.file_size} bytes "
                                               f"(limit {MAX_PART_BYTES})")
        if entry.file_size > 1 << 20 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise PipelineError("E118", detail=f"part {entry.filename} is compressed "
                                               f"{entry.file_size // max(entry.compress_size, 1)}:1 (a zip bomb)")
    if total > MAX_TOTAL_BYTES:
        raise PipelineError("E118", detail=f"the parts unpack to {total} bytes (limit {MAX_TOTAL_BYTES})")
    if "word/document.xml" not in names and not any(n.endswith("document.xml") for n in names):
        raise PipelineError("E117", detail="no word/document.xml part")
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels")):
            # the declared size can lie: read at most one byte past it
            with archive.open(entry) as part:
                body = part.read(entry.file_size + 1)
            if len(body) > entry.file_size:
                raise PipelineError("E118", detail=f"part {entry.filename} is larger than the zip says")
            if _DTD.search(body):
                raise PipelineError("E118", detail=f"part {entry.filename} declares a DTD or entities")


def _read(data: bytes) -> tuple[str, str]:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise PipelineError("E117", detail=f"{type(exc).__name__}: {str(exc)[:120]}") from None
    numbering = _Numbering(document)
    # a text box is stored twice (the drawing and a VML fallback for old readers): read it once
    for fallback in list(document.element.body.iter(_MC + "Fallback")):
        fallback.getparent().remove(fallback)
    blocks: list[tuple[str, str]] = []  # (kind, text): "p" paragraph, "li" list item, "tr" table row
    for element in _body_items(document.element.body):
        if element.tag == _W + "p":
            label, bullet = numbering.label(element)
            text = _paragraph_text(element)
            if label is None:
                if text:
                    blocks.append(("p", text))
            elif bullet:
                if text:
                    blocks.append(("li", "- " + text))
            elif text or label:
                heading = _HEADING_STYLE.match(_style_name(document, element) or "")
                blocks.append(("p" if heading else "li", f"{label} {text}".strip()))
        elif element.tag == _W + "tbl":
            blocks.extend(("tr", row) for row in _table_rows(element))
    out: list[str] = []
    for i, (kind, text) in enumerate(blocks):
        if i:
            out.append("\n" if kind == blocks[i - 1][0] and kind in ("li", "tr") else "\n\n")
        out.append(text)
    # colour-only RAG cells read as the document's key names them
    return rag.resolve("".join(out)), _headers_and_footers(document)


def _headers_and_footers(document) -> str:
    """The text of every header and footer part, a line per paragraph or table cell, each line once.

    Read from the parts the document's relationships name, not through
    python-docx's section API, which adds a header to a section that has none
    when asked for its paragraphs.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE

    parts = sorted((rel.target_part for rel in document.part.rels.values() if not rel.is_external
                    and rel.reltype in (RELATIONSHIP_TYPE.HEADER, RELATIONSHIP_TYPE.FOOTER)),
                   key=lambda part: str(part.partname))
    lines: dict[str, None] = {}
    for part in parts:
        root = part.element
        for fallback in list(root.iter(_MC + "Fallback")):  # a text box's copy for old readers, as in the body
            fallback.getparent().remove(fallback)
        for p in root.iter(_W + "p"):
            if next(p.iter(_W + "txbxContent"), None) is not None:
                continue  # a paragraph anchoring a text box: the box's own paragraphs are read
            text = _paragraph_text(p)
            if text:
                lines.setdefault(text, None)
    return "\n".join(lines)


def _body_items(container) -> Iterator:
    """Paragraphs and tables in document order, content controls (w:sdt) opened."""
    for child in container:
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag"):
            yield from _body_items(child if child.tag != _W + "sdt" else child.iterchildren(_W + "sdtContent"))


def _paragraph_text(p) -> str:
    """The visible text of a paragraph: tracked insertions kept, deletions and field codes left out."""
    pieces: list[str] = []
    for node in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen", _W + "softHyphen", _W + "sym"):
        tag = node.tag[len(_W):]
        if tag == "t":
            pieces.append(node.text or "")
        elif tag in ("tab", "br", "cr"):
            pieces.append(" ")  # a tab inside a paragraph is spacing, not a table cell
        elif tag == "noBreakHyphen":
            pieces.append("-")
        elif tag == "softHyphen":
            pieces.append("\u00ad")
    return " ".join("".join(pieces).split())


def _table_rows(tbl) -> list[str]:
    """Each row of a Word table as one line, cells joined as every reader joins them; nested tables stay in their cell.

    A cell merged down over several rows (``w:vMerge``: "restart" on its first
    row, an empty continuation on each row below) holds its text in its first
    row only; the text is repeated in every row it spans, so an answer or status
    shared by two items is each item's (newcomer report s8, item 3). In the
    first column it is not: a continued first cell stays empty, the row carrying
    on the item above as any row with an empty first cell does.
    """
    rows = []
    merged: dict[int, str] = {}  # grid column -> the text of the cell merged down from above
    for tr in tbl.iterchildren(_W + "tr"):
        cells = []
        tr_pr = tr.find(_W + "trPr")
        column = int(_val(tr_pr, "gridBefore", "0")) if tr_pr is not None else 0  # the grid column of the next cell
        for tc in tr.iterchildren(_W + "tc"):
            tc_pr = tc.find(_W + "tcPr")
            parts = [_paragraph_text(p) for p in tc.iter(_W + "p")]
            text = " ".join(part for part in parts if part)
            colour = None if text else rag.colour_name(_shading(tc))
            cell = rag.marker(colour) if colour else text
            v_merge = tc_pr.find(_W + "vMerge") if tc_pr is not None else None
            if v_merge is None:
                merged.pop(column, None)
            elif v_merge.get(_W + "val", "continue") == "restart":
                merged[column] = cell
            elif not cell and column:
                cell = merged.get(column, "")
            cells.append(cell)
            column += int(_val(tc_pr, "gridSpan", "1")) if tc_pr is not None else 1
        row = join_cells(cells)
        if row:
            rows.append(row)
    return rows


def _shading(tc) -> str | None:
    """The colour a table cell is shaded with (``w:tcPr/w:shd``): its fill, or its pattern colour when solid."""
    shd = tc.find(f"{_W}tcPr/{_W}shd")
    if shd is None:
        return None
    if shd.get(_W + "val") == "solid" and shd.get(_W + "color", "auto") != "auto":
        return shd.get(_W + "color")
    fill = shd.get(_W + "fill")
    return None if fill in (None, "auto") else fill


def _style_name(document, p) -> str | None:
    style_id = p.find(f"{_W}pPr/{_W}pStyle")
    if style_id is None:
        return None
    try:
        return document.styles.get_by_id(style_id.get(_W + "val"), 1).name  # WD_STYLE_TYPE.PARAGRAPH
    except (KeyError, ValueError):
        return None


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen twenty").split()


def _format(value: int, fmt: str) -> str:
    """A counter in a numFmt of ECMA-376 (the common ones; anything else as a decimal)."""
    if fmt in ("lowerLetter", "upperLetter"):
        # Word repeats the letter past z (aa, bbb), it does not count like a spreadsheet
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else ""
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        out, n = "", value
        for amount, numeral in _ROMAN:
            while n >= amount:
                out, n = out + numeral, n - amount
        return out.upper() if fmt == "upperRoman" else out
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "cardinalText" and 0 <= value < len(_WORDS):
        return _WORDS[value].capitalize()
    if fmt == "ordinal":
        suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
        return f"{value}{suffix}"
    if fmt == "none":
        return ""
    return str(value)


class _Numbering:
    """Word's list numbering, counted as Word counts it while the body is read in order."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # abstractNumId -> ilvl -> (start, fmt, text)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, ilvl -> startOverride)
        self.counters: dict[str, dict[int, int]] = {}
        self.style_numbering: dict[str, tuple[str, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            root = None
        if root is not None:
            for abstract in root.iterchildren(_W + "abstractNum"):
                levels = {}
                for lvl in abstract.iterchildren(_W + "lvl"):
                    levels[int(lvl.get(_W + "ilvl", "0"))] = (
                        int(_val(lvl, "start", "0")), _val(lvl, "numFmt", "decimal"), _val(lvl, "lvlText", ""))
                self.levels[abstract.get(_W + "abstractNumId")] = levels
            for num in root.iterchildren(_W + "num"):
                overrides = {}
                for override in num.iterchildren(_W + "lvlOverride"):
                    start = override.find(_W + "startOverride")
                    if start is not None:
                        overrides[int(override.get(_W + "ilvl", "0"))] = int(start.get(_W + "val"))
                self.nums[num.get(_W + "numId")] = (_val(num, "abstractNumId", ""), overrides)
        for style in document.styles.element.iterchildren(_W + "style"):
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                self.style_numbering[style.get(_W + "styleId")] = (
                    _val(num_pr, "numId", "0"), int(_val(num_pr, "ilvl", "0")))
        self.based_on = {s.get(_W + "styleId"): _val(s, "basedOn", "")
                         for s in document.styles.element.iterchildren(_W + "style")}

    def _num_pr(self, p) -> tuple[str, int] | None:
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        if num_pr is not None:
            return _val(num_pr, "numId", "0"), int(_val(num_pr, "ilvl", "0"))
        style = p.find(f"{_W}pPr/{_W}pStyle")
        style_id = style.get(_W + "val") if style is not None else None
        seen = set()
        while style_id and style_id not in seen:  # numbering inherited through the style's basedOn chain
            seen.add(style_id)
            if style_id in self.style_numbering:
                return self.style_numbering[style_id]
            style_id = self.based_on.get(style_id)
        return None

    def label(self, p) -> tuple[str | None, bool]:
        """The paragraph's list label as Word shows it ("1.", "a)", "Recommendation 9"), and whether it is a bullet.

        (None, False) for a paragraph that is no list item.
        """
        found = self._num_pr(p)
        if found is None or found[0] in ("0", "") or found[0] not in self.nums:
            return None, False
        num_id, ilvl = found
        abstract_id, overrides = self.nums[num_id]
        levels = self.levels.get(abstract_id, {})
        if ilvl not in levels:
            return None, False
        start, fmt, text = levels[ilvl]
        if fmt == "bullet":
            return "-", True
        counters = self.counters.setdefault(num_id, {})
        first = overrides.get(ilvl, start)
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else first
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a higher level restarts the levels below it

        def value(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            if level not in levels:
                return ""
            level_start, level_fmt, _ = levels[level]
            count = counters.get(level, overrides.get(level, level_start))
            return _format(count, level_fmt)

        return re.sub(r"%([1-9])", value, text).strip(), False


def _val(element, tag: str, default: str) -> str:
    child = element.find(_W + tag)
    return child.get(_W + "val", default) if child is not None else default
