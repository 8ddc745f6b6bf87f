r"""HTML pages as a person reads them.

The main content by BeautifulSoup, blocks as paragraphs, list items as ``- `` lines, each ``tr`` one row,
the page's title first.

Site chrome is dropped before the text is read (:func:`_drop_chrome`): cookie
notices, navigation, breadcrumbs, "related documents" and "latest news"
asides, headers and footers, found by their tag or ARIA role, by the words
of their class and id (:data:`_CHROME_WORDS`), by their text (a cookie
notice) or by being mostly links, also on sites built of plain ``<div>``\ s.
An element holding most of the page's text is never dropped, so a content
container with an unlucky class name stays. Where the page marks its main
content (``<main>``, ``role="main"``) only that is read. What the header,
footer and metadata say of the publisher (a PCC's name in the site's header)
is kept apart as the page's site text (:func:`read_html_page`), never as text. These rules won over
trafilatura and readability-lxml on the test pages (WordPress, ModernGov,
gov.uk-style, a page saved from a browser): trafilatura lost
"Recommendation N" headings and kept a cookie notice; readability-lxml split
response tables into loose rows and dropped short rows.
"""

from __future__ import annotations

import re
from typing import Iterator

from pipeline.errors import PipelineError
from pipeline.ingest import rag
from pipeline.ingest.normalise import join_cells
from pipeline.ingest.text import decode_text, readable

_HTML_DROP = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template", "head", "svg", "iframe",
                        "button", "select"})
_HTML_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "aside", "blockquote", "pre", "address", "figure", "figcaption",
    "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "caption", "ul", "ol", "hr", "details", "summary",
    "fieldset", "h1", "h2", "h3", "h4", "h5", "h6", "body", "html", "center",
})
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def read_html(data: bytes, charset: str | None = None) -> str:
    """Visible text of an HTML page: blocks as paragraphs, ``li`` as ``- `` lines, each ``tr`` one row.

    ``charset``: the encoding a container declares for the page (a web
    archive's part header), used when the page declares none itself.
    """
    return read_html_page(data, charset)[0]


def read_web_page(data: bytes, archive: bool = False, max_seconds: float | None = None) -> tuple[str, str]:
    """:func:`read_html_page` of a page's bytes (or of the page inside a web archive, ``archive``), bounded.

    The page is read in the reader's worker (:func:`pipeline.ingest.bounded.run_bounded`), as a PDF or a
    Word document is: markup nested thousands of levels deep takes the chrome and table passes time that
    grows with the square of the nesting, and ``--max-seconds`` bounds a whole document whatever its format
    (issue 13, part 4). Raises :class:`PipelineError`: E108 past ``max_seconds``, E119 out of memory, E123
    when the reader failed on the markup.
    """
    from pipeline.ingest.bounded import run_bounded

    return run_bounded(_read_page, (data, archive), max_seconds, crash_code="E123")


def _read_page(data: bytes, archive: bool) -> tuple[str, str]:
    return read_html_page(*html_of_web_archive(data)) if archive else read_html_page(data)


def read_html_page(data: bytes, charset: str | None = None) -> tuple[str, str]:
    """As :func:`read_html`, with the page's site text: (text, site).

    ``site`` is what the page says of its publisher outside its content: its
    site name (``og:site_name``, ``application-name``), its own address
    (``canonical`` link, ``og:url``) and the text of its header and footer
    (:func:`_site_text`), one piece a line. The header and footer are chrome,
    dropped from ``text``; identify reads ``site`` for the force only when
    ``text`` names none.
    """
    import warnings

    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

    declared = _META_CHARSET.search(data[:4096])
    encoding = declared.group(1).decode("ascii") if declared else charset
    with warnings.catch_warnings():
        # XHTML pages open with "<?xml": read as HTML on purpose (browsers do), so bs4's advice to parse them as
        # XML would only be a stray multi-line warning on the user's terminal
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        # the markup is always the file's own bytes, never a path: a short page whose text looks like a file name
        # or URL is still a page, and bs4's guess that it is a path would be another stray warning
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(readable(decode_text(data, encoding)), "lxml")
    title = _title(soup)
    site = _site_text(soup)  # before the header and footer are dropped as chrome
    classes = _class_colours(soup)  # before the page's <style> is dropped with its chrome
    soup = _drop_chrome(soup)
    for table in soup.find_all("table"):
        if _is_layout_table(table):
            _unwrap_table(table)
    blocks: list[tuple[str, str, int]] = []  # (kind, text, table number): "p" paragraph, "li" list item, "tr" table row
    tables = 0
    # what text is being gathered into, innermost last: the page's paragraph, list items, a row, its cell;
    # a cell counts the cells of tables nested in it, which only add to its text
    frames: list[list] = [["p", [], 0]]

    # cells of the current table spanning the rows below (rowspan): grid column -> [text, rows still to span]
    spanning: dict[int, list] = {}

    def emit(frame: list) -> None:
        kind, pieces = frame[0], frame[1]
        if kind == "tr":
            pieces[:] = _spread_rowspans(pieces, frame[3], spanning)
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
            pieces.append(re.sub(r"\s+", " ", str(node)))  # a NavigableString: str() is its text
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
                cell = re.sub(r"\s+", " ", "".join(pieces)).strip()
                colour = None if cell else _cell_colour(node, classes)
                frames[-1][1].append(rag.marker(colour) if colour else cell)
                frames[-1][3].append((_span(node, "rowspan"), _span(node, "colspan")))
        elif name == "br":
            pieces.append("\n" if kind == "p" else " ")
        elif name in ("tr", "li") and event == "start":
            for open_frame in frames:  # text before a row or item comes before it
                if open_frame[0] != "tr":
                    emit(open_frame)
            frames.append([name, [], 0, []])  # a row's fourth entry: its cells' (rowspan, colspan)
        elif name in ("tr", "li") and kind == name:
            emit(frames.pop())
        elif name in _HTML_BLOCKS:
            tables += name == "table"
            if name == "table":
                spanning.clear()
            if kind == "p":
                emit(frame)
            else:
                pieces.append(" ")  # blocks inside an item keep it on one line
    emit(frames[0])
    if title and not any(title == text for _, text, _ in blocks[:3]):
        blocks.insert(0, ("p", title, 0))  # the page's name, for identify: it often names the force and the report
    out: list[str] = []
    for i, (kind, block, table) in enumerate(blocks):
        if i:
            same = kind == blocks[i - 1][0] and (kind == "li" or (kind == "tr" and table == blocks[i - 1][2]))
            out.append("\n" if same else "\n\n")
        out.append(block)
    return rag.resolve("".join(out)), site  # colour-only RAG cells read as the page's key names them


def _span(cell, attribute: str) -> int:
    """A cell's ``rowspan`` or ``colspan`` (1 when absent or unreadable; at most 1000, as browsers cap it)."""
    try:
        return min(max(int(str(cell.get(attribute) or "1").strip()), 1), 1000)
    except ValueError:
        return 1


def _spread_rowspans(cells: list[str], spans: list[tuple[int, int]], spanning: dict[int, list]) -> list[str]:
    """A row's cells with the cells of rows above that span down into it (``rowspan``) put back in their columns.

    A cell spanning rows stands in its first row only; its text is the text of
    every row it spans (an answer shared by two items is each item's: newcomer
    report s8, item 3), except in the first column, where it is left empty (the
    row carries on the item above, as any row with an empty first cell does).
    ``spans`` holds each cell's (rowspan, colspan); ``spanning`` (grid column ->
    [text, rows left]) carries the spans on to the next rows. A row that no
    span reaches is returned as it is.
    """
    if not spanning and all(rows == 1 for rows, _ in spans):
        return cells
    out: list[str] = []
    column = 0
    queue = list(zip(cells, spans))
    reached = set(spanning)
    while queue or any(col >= column for col in spanning if col in reached):
        if column in spanning and column in reached:
            out.append(spanning[column][0] if column else "")
            reached.discard(column)
            column += 1
            continue
        if not queue:
            out.append("")  # a short row: the empty cells up to a span further right
            column += 1
            continue
        cell, (rows, width) = queue.pop(0)
        out.append(cell)
        if rows > 1:
            spanning[column] = [cell, rows]  # counted down below, with the spans from above
        column += width
    for col in list(spanning):
        spanning[col][1] -= 1
        if spanning[col][1] <= 0:
            del spanning[col]
    return out


def _cell_colour(cell, classes: dict[str, str]) -> str | None:
    """"Red", "Amber" or "Green" when a table cell's colour is clearly that colour.

    The colour is the cell's ``bgcolor``, its ``style`` background, or the background a class of it has in
    the page's own ``<style>`` (``classes``, from :func:`_class_colours`).
    """
    found = rag.colour_name(cell.get("bgcolor")) or rag.colour_name(rag.css_background(cell.get("style")))
    for name in cell.get("class") or []:
        found = found or rag.colour_name(classes.get(name))
    return found


def _class_colours(soup) -> dict[str, str]:
    """Class name -> background colour, from the page's ``<style>`` rules a bare class selects (".rag-green", "td.g").

    Only the trivially resolvable rules: a selector that is one class, alone or on a cell tag; a linked
    stylesheet is never fetched.
    """
    out: dict[str, str] = {}
    for style in soup.find_all("style"):
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", style.get_text()):
            colour = rag.css_background(body)
            if colour is None:
                continue
            for selector in selectors.split(","):
                m = re.fullmatch(r"\s*(?:td|th)?\.([\w-]+)\s*", selector)
                if m:
                    out.setdefault(m.group(1), colour)
    return out


#: Words of a class or id that mark site chrome (whole words: "cookie-notice", "mgSideBar", "col-side").
_CHROME_WORDS = re.compile(
    r"(?:^|[-_\s]|(?<=[a-z])(?=[A-Z]))(?i:cookies?|consent|gdpr|cn|breadcrumbs?|trail|nav|navbar|navigation|menu|"
    r"sidebar|side|widget|widgets|related|latest|share|social|footer|masthead|skip|search|toolbar|pagination|"
    r"comments?|header|banner|links|logo|top|bottom|subscribe|newsletter|popup|modal|promo|advert|ads)(?=$|[-_\s]|[A-Z])",
)
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"})
_COOKIE_TEXT = re.compile(r"\bcookies?\b", re.IGNORECASE)
_CONSENT_TEXT = re.compile(r"\b(?:accept|consent|reject|settings|preferences)\b", re.IGNORECASE)
_CONTAINERS = frozenset({"div", "section", "ul", "ol", "dl", "aside", "table", "span", "p", "form", "center"})


def html_of_web_archive(data: bytes) -> tuple[bytes, str | None]:
    """The HTML page inside a web archive (MHTML, RFC 2557) and the charset its part declares.

    Word's "Single File Web Page" and browsers' "Save as MHTML" write one: a
    MIME multipart/related message whose first ``text/html`` part is the page
    (quoted-printable or base64, undone here by the standard library's
    :mod:`email`). Raises :class:`PipelineError` E106 when no part is an HTML page.
    """
    from email import message_from_bytes

    for part in message_from_bytes(data).walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                return payload, part.get_content_charset()
    raise PipelineError("E106", detail="a web archive (MHTML) with no HTML page in it")


def _title(soup) -> str:
    """The page's ``<title>``, else its first ``<h1>``; white space collapsed."""
    for tag in (soup.title, soup.find("h1")):
        if tag is not None and tag.get_text(strip=True):
            return " ".join(tag.get_text(" ").split())
    return ""


#: Words of a class or id that mark a page's header or footer on a site built of plain ``<div>``\ s.
_SITE_WORDS = re.compile(r"(?:^|[-_\s]|(?<=[a-z])(?=[A-Z]))(?i:header|footer|masthead|banner)(?=$|[-_\s]|[A-Z])")
_SITE_ROLES = frozenset({"banner", "contentinfo"})
#: Parts of a header or footer that name other sites: menus and asides ("Partner forces").
_NOT_SITE = ("nav", "aside", "script", "style", "noscript", "template", "svg", "button", "select", "form")


def _site_text(soup) -> str:
    """What a page says of its publisher outside its content, one piece a line ("" when nothing).

    The ``og:site_name`` and ``application-name`` metadata, the ``canonical``
    link and ``og:url``, and the text (and image ``alt`` text: a logo) of each
    outermost ``header``, ``footer``, ``role="banner"``/``"contentinfo"`` or
    element whose class or id names a header, footer, masthead or banner
    (:data:`_SITE_WORDS`), without its menus and asides (:data:`_NOT_SITE`).
    An element holding half the page's text or more is the content itself and
    gives nothing, as in :func:`_is_chrome`.
    """
    from bs4 import Comment, Declaration, Doctype, ProcessingInstruction

    skip = (Comment, Declaration, Doctype, ProcessingInstruction)
    pieces: list[str] = []
    for meta in soup.find_all("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key in ("og:site_name", "application-name", "og:url") and (meta.get("content") or "").strip():
            pieces.append(meta["content"])
    for link in soup.find_all("link", href=True):
        if "canonical" in [r.lower() for r in (link.get("rel") or [])]:
            pieces.append(link["href"])
    body = soup.body or soup
    total = max(_text_length(body), 1)

    def is_site(node) -> bool:
        words = " ".join(node.get("class") or []) + " " + (node.get("id") or "")
        return node.name in ("header", "footer") or (node.get("role") or "").lower() in _SITE_ROLES or \
            bool(_SITE_WORDS.search(words))

    for node in body.find_all(is_site):
        if any(is_site(parent) for parent in node.parents if parent is not body) or _text_length(node) >= 0.5 * total:
            continue  # within an outer header or footer (read with it), or the content itself
        texts = [t for t in node.find_all(string=True)
                 if not isinstance(t, skip) and not any(p.name in _NOT_SITE for p in t.parents)]
        logos = [img.get("alt") or "" for img in node.find_all("img")
                 if not any(p.name in _NOT_SITE for p in img.parents)]
        pieces.extend(texts + logos)
    lines = (" ".join(str(piece).split()) for piece in pieces)
    return "\n".join(dict.fromkeys(line for line in lines if line))


def _text_length(node) -> int:
    return sum(len(s.strip()) for s in node.find_all(string=True) if s.parent.name not in _HTML_DROP)


def _drop_chrome(soup):
    """The page without its chrome (see the module docstring); its ``<main>`` alone when it marks one."""
    body = soup.body or soup
    for dropped in body.find_all(_HTML_DROP - {"header", "footer"}):
        dropped.decompose()
    total = max(_text_length(body), 1)
    mains = body.find_all("main") or body.find_all(attrs={"role": "main"})
    if len(mains) == 1 and _text_length(mains[0]) >= 0.3 * total:
        body, total = mains[0], max(_text_length(mains[0]), 1)
    doomed = []
    stack = [body]
    while stack:
        node = stack.pop()
        for child in node.find_all(True, recursive=False):
            if _is_chrome(child, total):
                doomed.append(child)
            else:
                stack.append(child)
    for node in doomed:
        node.decompose()
    return body


def _is_chrome(node, total: int) -> bool:
    name = node.name
    role = (node.get("role") or "").lower()
    hidden = node.has_attr("hidden") or (node.get("aria-hidden") or "").lower() == "true" or \
        re.search(r"display\s*:\s*none", node.get("style") or "", re.IGNORECASE)
    words = " ".join(node.get("class") or []) + " " + (node.get("id") or "")
    marked = name in ("nav", "aside", "header", "footer") or role in _CHROME_ROLES or hidden or \
        bool(_CHROME_WORDS.search(words))
    if not marked and name not in _CONTAINERS:
        return False
    length = _text_length(node)
    if length >= 0.5 * total or node.find("h1") is not None and not marked:
        return False  # the content itself, whatever its class says
    if marked:
        return True
    text = node.get_text(" ")
    if length < 1500 and _COOKIE_TEXT.search(text) and _CONSENT_TEXT.search(text):
        return True  # a cookie notice in unmarked <div>s
    links = sum(len(a.get_text(strip=True)) for a in node.find_all("a"))
    return name in ("div", "section", "ul", "ol") and length < 1000 and links >= 0.6 * length and links > 0


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
