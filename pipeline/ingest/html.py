"""HTML pages: the visible text by BeautifulSoup, blocks as paragraphs, list items as ``- `` lines, each ``tr`` one row."""

from __future__ import annotations

import re
from typing import Iterator

from pipeline.ingest.normalise import join_cells
from pipeline.ingest.text import decode_text, readable

_HTML_DROP = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template", "head", "svg", "iframe", "button", "select"})
_HTML_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "aside", "blockquote", "pre", "address", "figure", "figcaption",
    "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "caption", "ul", "ol", "hr", "details", "summary",
    "fieldset", "h1", "h2", "h3", "h4", "h5", "h6", "body", "html", "center",
})
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def read_html(data: bytes) -> str:
    """Visible text of an HTML page: blocks as paragraphs, ``li`` as ``- `` lines, each ``tr`` one row."""
    from bs4 import BeautifulSoup

    declared = _META_CHARSET.search(data[:4096])
    soup = BeautifulSoup(readable(decode_text(data, declared.group(1).decode("ascii") if declared else None)), "lxml")
    for table in soup.find_all("table"):
        if _is_layout_table(table):
            _unwrap_table(table)
    blocks: list[tuple[str, str, int]] = []  # (kind, text, table number): "p" paragraph, "li" list item, "tr" table row
    tables = 0
    # what text is being gathered into, innermost last: the page's paragraph, list items, a row, its cell;
    # a cell counts the cells of tables nested in it, which only add to its text
    frames: list[list] = [["p", [], 0]]

    def emit(frame: list) -> None:
        kind, pieces = frame[0], frame[1]
        text = join_cells(pieces) if kind == "tr" else re.sub(r"[ \t\r\f\v]+", " ", "".join(pieces))
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


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_PROSE_BLOCKS = ("p", "ul", "ol", "dl", "blockquote") + _HEADINGS


def _own_rows(table) -> list:
    rows = []
    for child in table.find_all(True, recursive=False):
        if child.name == "tr":
            rows.append(child)
        elif child.name in ("thead", "tbody", "tfoot"):
            rows.extend(child.find_all("tr", recursive=False))
    return rows


def _own_cells(table) -> list:
    return [cell for row in _own_rows(table) for cell in row.find_all(("td", "th"), recursive=False)]


def _is_layout_table(table) -> bool:
    """A table used to lay out a page rather than hold data: a cell holds headings, or a nested table among prose.

    Such a table's rows are not data rows: its cells are read as blocks of
    their own (a navigation cell, the content cell with the letter and its own
    data table), instead of each row becoming one line.
    """
    if (table.get("role") or "").lower() in ("presentation", "none"):
        return True
    for cell in _own_cells(table):
        if cell.find(_HEADINGS) is not None:
            return True
        if cell.find("table") is not None and cell.find(_PROSE_BLOCKS) is not None:
            return True
    return False


def _unwrap_table(table) -> None:
    """Make a layout table's own rows and cells plain blocks (nested tables keep theirs)."""
    for row in _own_rows(table):
        for cell in row.find_all(("td", "th"), recursive=False):
            cell.name = "div"
        if row.parent is not table:
            row.parent.name = "div"
        row.name = "div"
    for part in table.find_all(("thead", "tbody", "tfoot", "caption", "colgroup"), recursive=False):
        part.name = "div"
    table.name = "div"


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
