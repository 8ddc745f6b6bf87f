"""A saved web page's chrome and headlines: lines that are never part of an answer.

Pages saved from PCCs' and newspapers' websites keep their widgets ("Set your Postcode ..."), breadcrumbs,
advertising ("Hide Ad"), cookie notices and links ("Read more: ...", a bare address). They are nobody's answer:
read as the force's (a site's "we" and "our website") they were taken for its overall stance. The patterns are
data (``[chrome]`` in ``pipeline/data/segment.toml``). A headline is no answer either: the reporter's summary,
not the force's words.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Mapping, Sequence

from pipeline.segment.lines import Line, lower_words

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules

# A line that ends a sentence or introduces what follows (its closing punctuation or a colon, then any closing
# quotation marks or brackets).
_ENDS = re.compile(r"[.!?:;][\"”’')\]]*(?:\s*[–—-])?\s*$")
_OPENS_LIST = re.compile(r"^\s*(?:[-•*–]\s|\(?(?:\d{1,2}|[a-z])[.)]\s)")


def compile_chrome_rules(chrome: Mapping) -> tuple[re.Pattern | None, re.Pattern | None, int]:
    """``(chrome_line, chrome_prefix, headline_max_words)`` of :class:`~pipeline.segment.SegmentRules` from ``[chrome]``.

    A missing key gives None (or 0: no headline test).
    """
    def alternation(patterns: Sequence[str]) -> str:
        return "|".join(f"(?:{p})" for p in patterns)

    line = re.compile(rf"^(?:{alternation(chrome['lines'])})$", re.IGNORECASE) if chrome.get("lines") else None
    prefix = re.compile(rf"^(?:{alternation(chrome['prefixes'])})", re.IGNORECASE) if chrome.get("prefixes") else None
    return line, prefix, int(chrome.get("headline_max_words", 0))


def is_chrome(text: str, rules: SegmentRules) -> bool:
    """Whether a line (or what a chrome prefix leaves of it) is the page's chrome whole."""
    return rules.chrome_line is not None and rules.chrome_line.match(text.strip()) is not None


def trim_chrome(text: str, lines: Sequence[Line], rules: SegmentRules) -> tuple[list[Line], set[int]]:
    """The lines with any chrome prefix taken off their start, and the indices of the lines that are chrome whole.

    A trimmed line keeps its index; its start moves past the prefix (its first cell's too), so no passage holds the
    prefix. ``text`` is the document the lines' spans point into.
    """
    out: list[Line] = []
    chrome: set[int] = set()
    for line in lines:
        cut = rules.chrome_prefix.match(line.text) if rules.chrome_prefix is not None else None
        if cut and cut.end() < len(line.text):
            start = line.start + cut.end()
            while start < line.end and text[start].isspace():
                start += 1
            first = (max(line.cells[0][0], start), line.cells[0][1])
            line = replace(line, start=start, text=text[start:line.end], cells=(first, *line.cells[1:]))
        elif cut:
            chrome.add(line.index)
        if is_chrome(line.text, rules):
            chrome.add(line.index)
        out.append(line)
    return out, chrome


def is_headline(line: Line, before: Line | None, last: bool, rules: SegmentRules) -> bool:
    """Whether a line is a headline or caption: short, ending no sentence, opening no list item, introducing nothing.

    ``before`` is the line before it (a list item under "... including:" is no headline); ``last`` says it is the
    document's last line (an excerpt cut mid-sentence ends without punctuation).
    """
    if last or not rules.headline_max_words or _ENDS.search(line.text) or _OPENS_LIST.match(line.text):
        return False
    if before is not None and before.text.rstrip().endswith(":"):
        return False
    return len(lower_words(line.text)) <= rules.headline_max_words
