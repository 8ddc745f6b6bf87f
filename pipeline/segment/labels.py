"""Recommendation labels and citations: "Recommendation 9", "Recommendations 16, 17 and 18", "Argymhelliad 12".

The citation pattern itself is data (``passages.citation`` in ``pipeline/data/segment.toml``);
a citation that opens a cell or is followed by punctuation or by the recommendation's own
wording is a *label*, which opens a numbered block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from pipeline.segment.lines import Line, lower_words
from pipeline.types import Inspection

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules


@dataclass(frozen=True)
class Citation:
    line: int
    start: int
    end: int
    numbers: tuple[str, ...]
    is_label: bool


def _numbers(first: str, rest: str, known: set[str]) -> tuple[str, ...]:
    values = [int(first)]
    for sep, num in re.findall(r"(,|and|ac|&|/|-|–|to|i)\s*(\d{1,3})", rest):
        n = int(num)
        if sep in ("-", "–", "to", "i") and values and n > values[-1]:  # "i" is Welsh "to"
            values.extend(range(values[-1] + 1, n + 1))
        else:
            values.append(n)
    seen: list[str] = []
    for v in values:
        if str(v) in known and str(v) not in seen:
            seen.append(str(v))
    return tuple(seen)


def _starts_like(text_after: str, wording: str) -> bool:
    """Does the text after a citation begin with the recommendation's own wording?"""
    after, words = lower_words(text_after)[:8], lower_words(wording)[:8]
    if not after or not words:
        return False
    return sum(a == b for a, b in zip(after, words)) >= min(4, len(words))


def find_citations(doc_text: str, lines: Sequence[Line], inspection: Inspection, rules: SegmentRules) -> list[Citation]:
    known = {r.number for r in inspection.recommendations}
    found: list[Citation] = []
    for line in lines:
        for m in rules.citation.finditer(line.text):
            numbers = _numbers(m.group("first"), m.group("rest") or "", known)
            if not numbers:
                continue
            start, end = line.start + m.start(), line.start + m.end()
            before = doc_text[line.start:start]
            cell_start = not re.sub(r"^[\s\-•(]*", "", before.split("|")[-1])
            after = doc_text[end:line.end]
            punctuated = bool(re.match(r"\s*[:\-–]", after))
            rec = inspection.recommendation(numbers[0])
            quoted = rec is not None and _starts_like(after, rec.text)
            if punctuated or quoted:
                end += len(re.match(r"\s*[:\-–]?\s*", after).group())
            found.append(Citation(line.index, start, end, numbers, cell_start or punctuated or quoted))
    return found
