"""A PDF's running headers and footers (a protective marking, a title, page numbers), dropped from its pages."""

from __future__ import annotations

import re
from typing import Sequence

from pipeline.ingest.normalise import is_row

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
            # page number -> index of its edge line, for the pages that have one
            at = {n: i for n, page_lines in enumerate(lines) if (i := _edge_line(page_lines, edge)) is not None}
            groups: dict[str, list[int]] = {}
            for number, i in at.items():
                page_lines = lines[number]
                if _may_run(page_lines[i]):
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
    return not is_row(line) and len(line.split()) <= RUNNING_MAX_WORDS


def _numbers_run_like_pages(lines: Sequence[str], page_numbers: Sequence[int]) -> bool:
    """True when each number in the lines is the same on every page, or goes up by one a page."""
    values = [[int(d) for d in _DIGIT_RUN.findall(line)] for line in lines]
    for column in zip(*values):
        constant = len(set(column)) == 1
        paged = len({v - n for v, n in zip(column, page_numbers)}) == 1
        if not (constant or paged):
            return False
    return True
