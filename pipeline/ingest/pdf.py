"""PDFs: one pdfminer.six layout pass per document, each page's text in reading order (see :mod:`pipeline.ingest.layout`).

The pass runs in a worker process killed at ``max_seconds``
(:mod:`pipeline.ingest.bounded`), so one page that never finishes cannot hold
the batch. A page is read on its own: one malformed object costs that page
(E111, page-level), a page with more than :data:`GLYPH_CAP` glyphs is read
largest text first within the cap (:func:`select_sizes`: E122 when only a
background pattern or fine print was left out, E112 when text of a size read
was cut), and a page whose text is in a font with no Unicode map
((cid:N) glyphs) or that has no text layer is read by OCR
(:mod:`pipeline.ingest.ocr`) where it can be, else reported (E110).

Refusals: E103 not a readable PDF, E104 encrypted, E105 no text layer and
nothing OCR could read, E107 too many pages, E108 the time budget spent,
E114 every page unreadable, E119 out of memory.
"""

from __future__ import annotations

import copy
import importlib
import io
import math
import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Mapping

from pipeline.errors import PipelineError
from pipeline.ingest.bounded import run_bounded
from pipeline.ingest.layout import Block, page_blocks, render_blocks
from pipeline.ingest.normalise import word_counts
from pipeline.ingest.raw import Extraction, PageNote, RawPage

#: Glyphs read on one page at most. pdfminer's layout time grows faster than the glyph count (on the
#: 2-core test machine: 5,000 glyphs 0.3 s, 20,000 about 4 s, 40,000 about 15 s) and each glyph is an
#: object of its own; a dense A4 page of 7-point text holds about 10,000.
GLYPH_CAP = 20_000
#: On a page past the cap, a size of text that does not fit whole in what the cap leaves is still read, in drawing
#: order, unless it is under this share of the size of the smallest text read whole: then it is a background
#: pattern or fine print, not the page's text (bug input 11-huge-page: a grid of 2-point cells under 11-14 point
#: answers; fault-kind input 05b: a 2-point pattern drawn before an 11-point letterhead and answer).
LEGIBLE_SHARE = 0.5
#: A page past the cap has its glyphs counted by size, a string at a time with no layout objects, up to this many;
#: what is drawn after them is not read (E112). The count costs what parsing the page's content costs (on the
#: loaded 2-core test machine about 2.6 s for 11-huge-page's 52,000 strings; a page of 2 million glyphs in long
#: strings is read whole, census and all, in about 6 s), and a counter of sizes is all it holds.
CENSUS_CAP = 100 * GLYPH_CAP
#: A page is unreadable, not text, when at least this share of its glyphs (and CID_MIN of them) have no Unicode map.
CID_SHARE = 0.10
CID_MIN = 20
#: Bytes after the last %%EOF are ignored (block padding, appended junk), as Acrobat and poppler do;
#: a PDF whose only %%EOF is further from its end than this is truncated, not padded.
EOF_WINDOW = 1 << 20


@dataclass(frozen=True)
class SizeSelection:
    """Which glyphs of a page past the glyph cap are read, by size (points, rounded to 0.1).

    Glyphs larger than ``floor`` are read whole; of those exactly ``floor``
    points high, the first ``quota`` drawn; smaller ones not at all
    (``skipped`` glyphs, the largest ``skipped_size`` points; 0 when none).
    """

    floor: float
    quota: int
    whole: bool
    skipped: int
    skipped_size: float


def select_sizes(counts: Mapping[float, int], cap: int = GLYPH_CAP, share: float = LEGIBLE_SHARE) -> SizeSelection:
    """The glyphs of a page past the cap a reader would read first: the largest text, then smaller, while the cap lasts.

    A person reads a page's letterhead, headings and answers before, and
    rather than, a background pattern or a grid of fine print drawn under
    them; drawing order, which the cap followed alone, says nothing of
    that. So sizes are taken largest first while each fits whole in what
    the cap leaves; the first that does not is read in drawing order into
    what is left, unless it is under ``share`` of the smallest size read
    whole (then it and every smaller size are left out). A page of one size
    is read as before: its first ``cap`` glyphs in drawing order.

    Args:
        counts: glyphs on the page by size, points -> count.
        cap: glyphs read at most.
        share: the legibility share, :data:`LEGIBLE_SHARE`.

    Returns:
        The :class:`SizeSelection`; glyphs read never exceed ``cap``.
    """
    sizes = sorted((size for size, n in counts.items() if n > 0), reverse=True)
    left = cap
    for index, size in enumerate(sizes):
        if counts[size] <= left:
            left -= counts[size]
            continue
        if index and size < share * sizes[index - 1]:  # fine print under the smallest text read whole
            floor, quota, rest = sizes[index - 1], counts[sizes[index - 1]], sizes[index:]
        else:
            floor, quota, rest = size, left, sizes[index + 1:]
        return SizeSelection(floor, quota, quota == counts[floor], sum(counts[s] for s in rest),
                             rest[0] if rest else 0.0)
    return SizeSelection(sizes[-1] if sizes else 0.0, counts[sizes[-1]] if sizes else 0, True, 0, 0.0)


def read_pdf(data: bytes, max_pages: int, max_seconds: float | None = None, ocr: bool = True) -> Extraction:
    """Each page's text (tables rebuilt as `` | `` rows) and the page-level notes, in one pdfminer pass.

    Runs in a worker process killed after ``max_seconds`` (E108); None runs it
    here without a bound. ``ocr``: read pages without usable text by OCR.
    """
    # imported here, before the worker is forked, so that it starts with them (an import costs each worker ~0.1 s)
    for module in ("converter", "layout", "pdfdocument", "pdfinterp", "pdfpage", "pdfparser"):
        importlib.import_module(f"pdfminer.{module}")

    if b"%PDF-" not in data[:1024]:
        raise PipelineError("E103", detail="no %PDF- header: not a PDF file")
    end = data.rfind(b"%%EOF", max(0, len(data) - EOF_WINDOW))
    if end < 0:
        raise PipelineError("E103", detail="no end-of-file line (%%EOF, the last line of every PDF) near its end: "
                                             "the file is truncated")
    data = data[:end + 5] + b"\n"
    return run_bounded(_extract, (data, max_pages, ocr), max_seconds, crash_code="E103")


def _glyph_size(fontsize: float, text_matrix: tuple, ctm: tuple) -> float:
    """Glyphs' size on the page in points (rounded to 0.1): the font size scaled by the text and page matrices.

    The square root of the determinant of their product, so that a rotation leaves it alone.
    """
    a, b, c, d, _, _ = text_matrix
    e, f, g, h, _, _ = ctm
    return round(abs(fontsize) * math.sqrt(abs((a * d - b * c) * (e * h - f * g))), 1)


def _spare(item):
    """An empty copy of a layout container (page or figure): what the census draws into, leaving ``item`` as it is."""
    spare = copy.copy(item)
    spare._objs = []
    return spare


def _damaged() -> tuple[type[BaseException], ...]:
    # What pdfminer raises on damaged files: its own errors plus the built-in
    # ones its parsers let through on malformed objects and streams.
    from pdfminer.pdftypes import PDFException
    from pdfminer.psexceptions import PSException

    return (PSException, PDFException, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError,
            EOFError, RecursionError, ArithmeticError, zlib.error, struct.error)


def _extract(data: bytes, max_pages: int, ocr: bool) -> Extraction:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfparser import PDFParser

    damaged = _damaged()

    class _Capped(Exception):
        pass

    class CappedAggregator(PDFPageAggregator):
        """pdfminer's aggregator that stops a page at :data:`GLYPH_CAP` glyphs (memory and time stay bounded).

        Glyphs are counted a string at a time (what the string added to the
        page), not one by one: a hook on every glyph cost about 3% of reading a
        text PDF. A glyph takes at least one byte of its string, so only a string
        that may carry the page past the cap is drawn glyph by glyph, counted.

        A page that passes the cap has its glyphs counted by size (``census``)
        in the same pass: the strings drawn before the cap were noted (size and
        glyphs, ``_drawn``), and from the string that passes it on the rest are
        only counted, with no layout objects made (``_count_the_rest``; counting
        them in a second pass cost a page of one size about 40% more). Unless
        :func:`select_sizes` chose the first glyphs drawn (a page of one size),
        the page is read once more for what it chose (``selection``). A glyph
        not read still advances the pen, so the text after it stays in place.
        """

        glyphs = 0
        census: Counter | None = None
        selection: SizeSelection | None = None
        wanted = 0  # glyphs the selection reads in all: the page is done when they are
        _size = 0.0
        _partial = 0
        _drawn: list = []  # (font size, text matrix, page matrix, glyphs) of each string drawn so far on the page
        first_read: tuple | None = None  # the page's layout when the cap stopped its first read: (item, figure stack)

        def begin_page(self, page, ctm) -> None:
            self.glyphs = self._partial = 0
            self._stack = []
            self._drawn = []
            super().begin_page(page, ctm)

        def end_page(self, page) -> None:
            if self.census is None:  # a census lays nothing out
                super().end_page(page)

        def render_string(self, textstate, seq, ncs, graphicstate) -> None:
            if self.census is not None or self.selection is not None:
                self._render_sized(self.selection, textstate, seq, ncs, graphicstate)
                return
            if self.glyphs + sum(len(piece) for piece in seq if isinstance(piece, (bytes, str))) <= GLYPH_CAP:
                item = self.cur_item
                before = len(item)
                super().render_string(textstate, seq, ncs, graphicstate)
                drawn = len(item) - before  # one glyph a character code, as the census counts them
                self.glyphs += drawn
                self._drawn.append((textstate.fontsize, textstate.matrix, self.ctm, drawn))
                return
            font = textstate.font
            glyphs = sum(len(font.decode(piece)) for piece in seq if isinstance(piece, bytes)) if font else 0
            self._drawn.append((textstate.fontsize, textstate.matrix, self.ctm, glyphs))  # counted whole, as drawn
            try:
                self._render_with(self._counted_char, textstate, seq, ncs, graphicstate)
            except _Capped:
                self._count_the_rest()

        def _count_the_rest(self) -> None:
            """Past the cap: keep what was drawn, count what was drawn by size, and only count the rest of the page."""
            self.first_read = (self.cur_item, self._stack)
            self.census = Counter()
            for fontsize, text_matrix, ctm, glyphs in self._drawn:
                self.census[_glyph_size(fontsize, text_matrix, ctm)] += glyphs
            self.glyphs = sum(self.census.values())
            # figures and paths drawn from here on go to spare copies of the open containers (the census lays
            # nothing out), so what was drawn stays as it was when the cap stopped it
            self.cur_item = _spare(self.cur_item)
            self._stack = [_spare(item) for item in self._stack]
            if self.glyphs > CENSUS_CAP:
                raise _Capped

        def _render_with(self, render_char, textstate, seq, ncs, graphicstate) -> None:
            setattr(self, "render_char", render_char)  # for this string only (pdfminer calls self.render_char)
            try:
                super().render_string(textstate, seq, ncs, graphicstate)
            finally:
                delattr(self, "render_char")

        def _render_sized(self, selection: SizeSelection | None, textstate, seq, ncs, graphicstate) -> None:
            self._size = _glyph_size(textstate.fontsize, textstate.matrix, self.ctm)
            if selection is None and self.census is not None:  # the census: no glyph drawn, so no pen to move
                font = textstate.font
                glyphs = sum(len(font.decode(piece)) for piece in seq if isinstance(piece, bytes)) if font else 0
                self.census[self._size] += glyphs
                self.glyphs += glyphs
                if self.glyphs > CENSUS_CAP:
                    raise _Capped
                return
            assert selection is not None
            if self._size < selection.floor:
                self._render_with(self._skipped_char, textstate, seq, ncs, graphicstate)
            elif self._size == selection.floor and not selection.whole:
                self._render_with(self._quota_char, textstate, seq, ncs, graphicstate)
            else:
                self._render_with(self._counted_char, textstate, seq, ncs, graphicstate)
            if self.glyphs >= self.wanted:
                raise _Capped  # all the selection holds is read: the rest of the page need not be parsed

        def _counted_char(self, *args, **kwargs):
            self.glyphs += 1
            if self.glyphs > GLYPH_CAP:
                raise _Capped
            return PDFPageAggregator.render_char(self, *args, **kwargs)

        def _quota_char(self, *args, **kwargs):
            if self._partial >= self.selection.quota:
                return self._skipped_char(*args, **kwargs)
            self._partial += 1
            return self._counted_char(*args, **kwargs)

        @staticmethod
        def _skipped_char(matrix, font, fontsize, scaling, rise, cid, *args, **kwargs) -> float:
            return font.char_width(cid) * fontsize * scaling  # the pen's advance, as pdfminer's LTChar.adv

        def finish_capped(self, page) -> None:
            while self._stack:  # close the figures the page was inside when it was stopped
                self.end_figure("")  # pdfminer ignores the name it is given
            self.end_page(page)

    def read_by_size(pdf_page, number: int, counts: Counter) -> PageNote | None:
        """A page past the cap read largest text first (:func:`select_sizes`) by ``counts``, and the note on what was left out."""
        first_read, device.census, device.first_read = device.first_read, None, None  # the first glyphs drawn, up to the cap
        assert first_read is not None
        seen = device.glyphs
        selection = select_sizes(counts)
        if not selection.skipped and selection.floor == max(counts):
            # one size (or none smaller to leave out, none larger to put first): the first glyphs drawn, as read
            device.cur_item, device._stack = first_read
            device.finish_capped(pdf_page)
            return PageNote("E112", number, {"limit": GLYPH_CAP})
        device.selection = selection
        device.wanted = sum(n for size, n in counts.items() if size > selection.floor) + selection.quota
        try:
            interpreter.process_page(pdf_page)
        except _Capped:
            device.finish_capped(pdf_page)
        finally:
            device.selection = None
        if selection.whole and seen <= CENSUS_CAP:
            if not selection.skipped:
                return None
            return PageNote("E122", number, {"limit": GLYPH_CAP, "skipped": selection.skipped,
                                             "size": f"{selection.skipped_size:g}"})
        return PageNote("E112", number, {"limit": GLYPH_CAP})

    # boxes_flow=None: reading order is decided here, by position, so pdfminer's
    # costly box grouping is skipped; all_texts: text inside Form XObjects too
    laparams = LAParams(boxes_flow=None, all_texts=True)
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        pdf_pages = _page_list(document, damaged)
    except PDFEncryptionError:
        raise PipelineError("E104") from None
    except damaged as exc:
        raise PipelineError("E103", detail=_describe(exc)) from None
    if not pdf_pages:
        raise PipelineError("E103", detail="the document has no pages")
    if len(pdf_pages) > max_pages:
        raise PipelineError("E107", pages=len(pdf_pages), limit=max_pages)
    manager = PDFResourceManager(caching=True)
    device = CappedAggregator(manager, laparams=laparams)
    interpreter = PDFPageInterpreter(manager, device)
    layouts: list[list[Block]] = []
    notes: list[PageNote] = []
    lost: set[int] = set()
    glyph_counts: list[Counter] = []
    for number, pdf_page in enumerate(pdf_pages, start=1):
        glyphs: Counter = Counter()
        if isinstance(pdf_page, BaseException):  # the page's own object is malformed: the page alone is lost
            notes.append(PageNote("E111", number, {"detail": _describe(pdf_page)}))
            layouts.append([])
            lost.add(number)
            glyph_counts.append(glyphs)
            continue
        try:
            try:
                interpreter.process_page(pdf_page)
            except _Capped:
                pass  # past the cap, counted up to CENSUS_CAP: what is drawn after is not read
            if device.census is not None:
                if note := read_by_size(pdf_page, number, device.census):
                    notes.append(note)
            layouts.append(page_blocks(device.get_result(), glyphs))
        except PDFEncryptionError:
            raise PipelineError("E104") from None
        except damaged as exc:
            # failed while counting past the cap: what is left to salvage is the census' spare copies, nothing drawn
            device.census = device.first_read = None
            # one malformed object costs (the rest of) its page, not the document: what was drawn before it is kept
            notes.append(PageNote("E111", number, {"detail": _describe(exc)}))
            layouts.append(_salvage(device, pdf_page, glyphs, damaged))
            if not layouts[-1]:
                lost.add(number)
        glyph_counts.append(glyphs)
    if len(lost) == len(pdf_pages):
        raise PipelineError("E103", detail=next(n.details["detail"] for n in notes if n.code == "E111"))
    counts = word_counts(piece for blocks in layouts for block in blocks for part in block.parts for piece in part)
    pages = [RawPage(render_blocks(blocks, counts)) for blocks in layouts]
    # pages OCR may read: no text layer at all, or text in a font with no Unicode map
    unreadable = [i for i, g in enumerate(glyph_counts)
                  if g["cid"] >= CID_MIN and g["cid"] >= CID_SHARE * g["total"] and i + 1 not in lost]
    blank = [i for i, page in enumerate(pages) if not page.text.strip() and i + 1 not in lost]
    if ocr and (unreadable or blank or lost):
        # a page lost to a malformed object may still render: pdfium is more forgiving than pdfminer
        pages, notes = _ocr_pages(data, pages, notes, unreadable, blank + [n - 1 for n in sorted(lost)])
    left = [i for i in unreadable if not pages[i].ocr]
    with_text = [i for i, page in enumerate(pages) if page.text.strip()]
    if not with_text or (left and set(with_text) <= set(left)):
        # nothing readable, or only what surrounds unreadable text (a letterhead, headings): scoring it would
        # read as silence
        if left:
            raise PipelineError("E114", pages=", ".join(str(i + 1) for i in left))
        raise PipelineError("E105")
    notes += [PageNote("E110", i + 1, {"glyphs": glyph_counts[i]["cid"]}) for i in left]
    return Extraction(tuple(pages), tuple(sorted(notes, key=lambda n: n.page)))


def _page_list(document, damaged: tuple) -> list:
    """The document's pages in order, each a ``PDFPage``, or the exception its malformed page object raised.

    pdfminer's own walk of the page tree stops the whole document at the first
    page object it cannot parse (a malformed /Resources dictionary, say); this
    walk keeps the page's place, so that one bad page costs only itself and
    the page numbers after it stay right. A document whose page tree cannot be
    walked at all falls back to pdfminer's walk (which also finds pages without
    a /Pages tree).
    """
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import PDFObjRef, dict_value, list_value
    from pdfminer.psparser import LIT

    pages_type, page_type = LIT("Pages"), LIT("Page")
    found: list = []
    visited: set[int] = set()

    def walk(node, inherited: dict, depth: int) -> None:
        objid = node.objid if isinstance(node, PDFObjRef) else None
        if objid is not None:
            if objid in visited:
                return
            visited.add(objid)
        try:
            attrs = dict(dict_value(node))
        except damaged as exc:
            found.append(exc)
            return
        for key, value in inherited.items():
            attrs.setdefault(key, value)
        kind = attrs.get("Type") or attrs.get("type")
        if kind is pages_type and "Kids" in attrs and depth < 64:
            passed = {k: v for k, v in attrs.items() if k in PDFPage.INHERITABLE_ATTRS}
            for child in list_value(attrs["Kids"]):
                walk(child, passed, depth + 1)
        elif kind is page_type:
            found.append(PDFPage(document, objid, attrs, None))

    try:
        walk(document.catalog["Pages"], {}, 0)
    except damaged:
        found = []
    if not any(not isinstance(page, BaseException) for page in found):
        return list(PDFPage.create_pages(document))
    return found


def _salvage(device, pdf_page, glyphs: Counter, damaged: tuple) -> list:
    """The blocks of what a page drew before pdfminer failed on it, or none."""
    try:
        device.finish_capped(pdf_page)
        return page_blocks(device.get_result(), glyphs)
    except damaged:
        return []


def _ocr_pages(data: bytes, pages: list[RawPage], notes: list[PageNote], unreadable: list[int],
               blank: list[int]) -> tuple[list[RawPage], list[PageNote]]:
    """Pages without usable text read again by OCR (a page below the confidence floor is kept and reported, E113)."""
    from pipeline.ingest import ocr as ocr_reader

    pages, notes = list(pages), list(notes)
    read = ocr_reader.ocr_pdf_pages(data, sorted(set(unreadable) | set(blank)))
    for index, result in read.items():
        pages[index] = RawPage(result.text, ocr=True, confidence=result.confidence)
        notes = [n for n in notes if not (n.code == "E111" and n.page == index + 1)]  # read after all
        if result.confidence < ocr_reader.CONFIDENCE_FLOOR:
            notes.append(PageNote("E113", index + 1, {"confidence": result.confidence,
                                                      "floor": ocr_reader.CONFIDENCE_FLOOR}))
    return pages, notes


def _describe(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
