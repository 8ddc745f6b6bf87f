"""What a document says about itself: its title, a committee paper's front matter; never the force's answer.

A title ("Update on Wiltshire Police's PEEL 2023/25 inspection report") names the report it answers, so it matches
the wordings of an answer to the report as a whole; it is a heading, not an answer (newcomer report s8, item 11):
:func:`title_lines`.

A police and crime panel paper opens with numbered paragraphs about itself ("1. Purpose: to update the Panel on
the force's progress against the recommendations", "2. Recommendation: the Panel is asked to note this report",
"Background") before the force's update. Those words speak of the recommendations as a whole, so without this
they read as the response's blanket answer (newcomer report s8, item 7). A line opening with such a field's name as
a label (``[passages] front_matter``), and the paragraphs under a heading that is only such a name ("Purpose of
the report") up to the next heading or table, are front matter: no passage of any kind.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from pipeline.segment.lines import Line, clean

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules


_LIST_MARKER = re.compile(r"^\s*(?:[-\u2013\u2014\u2022\u00b7\u25aa\u25cf*>]|\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)])\s")


def _is_heading_like(line: Line, rules: SegmentRules) -> bool:
    """A line of text of at most ``[sections] heading_max_words`` words that is no sentence.

    No sentence: it does not end in a full stop, question or exclamation mark, colon or semicolon (before any
    closing quotation mark or bracket), so a short answer ("All recommendations are accepted.") is none.
    """
    words = clean(line.text).split()
    return (not line.is_row and 0 < len(words) <= rules.heading_max_words
            and not line.text.rstrip(" \"'\u201d\u2019)]").endswith((".", "?", "!", ":", ";", "\u2026")))


def title_lines(lines: Sequence[Line], rules: SegmentRules) -> set[int]:
    """The indices of the lines that title what follows (a document's title, a page's headline, a heading).

    A short line that is no sentence (:func:`_is_heading_like`), unless it is an item of a list: a line opening with
    a list marker ("- ", "•", "2)"), or one of the short lines after a line that ends in a colon ("The force has
    made improvements in:" / "the way it manages sex offenders" / ...), which are the words of that sentence.
    """
    found: set[int] = set()
    listing = False  # inside the short lines a colon opened
    for line in lines:
        heading_like = _is_heading_like(line, rules)
        if heading_like and not listing and not _LIST_MARKER.match(line.text):
            found.add(line.index)
        listing = line.text.rstrip().endswith(":") or (listing and (heading_like or bool(_LIST_MARKER.match(line.text))))
    return found


def front_matter_lines(lines: Sequence[Line], rules: SegmentRules) -> set[int]:
    """The indices of the lines that are a paper's front matter (see the module's docstring)."""
    if rules.front_matter_label is None or rules.front_matter_heading is None:
        return set()
    found: set[int] = set()
    under = False  # under a front-matter heading, until the next heading or table
    for line in lines:
        text = clean(line.text)
        heading = not line.is_row and 0 < len(text.split()) <= rules.heading_max_words and not line.text.rstrip().endswith(
            (".", "?", "!", ";", ":"))
        if line.is_row:
            under = False
        elif heading:
            under = rules.front_matter_heading.fullmatch(text) is not None
            if under:
                found.add(line.index)
                continue
        if under or (not line.is_row and rules.front_matter_label.match(line.text)):
            found.add(line.index)
    return found
