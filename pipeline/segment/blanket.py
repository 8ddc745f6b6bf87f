"""Answers to the whole report at once.

A paragraph of blanket wording ("all actions will be progressed"), or a citation of most of the
recommendations addressed to forces (patterns and share in ``pipeline/data/segment.toml``,
``passages.blanket`` and ``passages.blanket_share``); failing both, what the force says of its items as a
whole (``passages.speech_blanket``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from pipeline.segment.lines import Line
from pipeline.segment.speech import find_speech_lines
from pipeline.types import Force

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules


def is_blanket_citation(numbers: Iterable[str], force_numbers: set[str], rules: SegmentRules) -> bool:
    """True when ``numbers`` cite at least ``blanket_share`` of the force recommendations (and two or more)."""
    return len(set(numbers) & force_numbers) >= max(2, rules.blanket_share * len(force_numbers))


def find_blanket_lines(lines: Sequence[Line], rules: SegmentRules) -> list[Line]:
    """The lines written about every recommendation at once (a ``passages.blanket`` pattern matches)."""
    if rules.blanket_any is not None:
        return [line for line in lines if rules.blanket_any.search(line.text)]
    return [line for line in lines if any(p.search(line.text) for p in rules.blanket)]


def find_report_lines(lines: Sequence[Line], rules: SegmentRules, force: Force | None = None) -> list[Line]:
    """For an unregistered inspection: the lines about the report as a whole in the force's voice.

    Lines matching ``passages.report_blanket``, in the voice of the force or its commissioner
    (``content.voice``, ``quotes.answer_voice``, ``passages.report_voice`` or the force's names).
    """
    from pipeline.segment.content import speaks_for_force

    def in_voice(text: str) -> bool:
        return (speaks_for_force(text, rules, force) or any(p.search(text) for p in rules.answer_voice_anywhere)
                or any(p.search(text) for p in rules.report_voice))

    return [line for line in lines if any(p.search(line.text) for p in rules.report_blanket) and in_voice(line.text)]


def find_force_work_lines(lines: Sequence[Line], rules: SegmentRules, force: Force | None = None) -> list[Line]:
    """For an unregistered inspection with no other passage: the paragraphs about the force's own work.

    Paragraphs matching ``passages.report_fallback`` or naming the force, at least ``content.min_words``
    words long.
    """
    from pipeline.segment.lines import lower_words

    names = tuple(n.lower() for n in (force.name, force.short_name) if n) if force else ()
    return [line for line in lines if len(lower_words(line.text)) >= rules.content_min_words
            and (any(p.search(line.text) for p in rules.report_fallback) or any(n in line.text.lower() for n in names))]


# A line that ends a sentence (its closing punctuation, then any closing quotation marks or brackets): not a headline.
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s*$")


def find_spoken_blanket_lines(doc_text: str, lines: Sequence[Line], candidates: Sequence[Line], rules: SegmentRules,
                              force: Force | None, said: Mapping[int, str]) -> list[Line]:
    """For a registered inspection with no blanket wording: the force's own words about its items as a whole.

    Of ``candidates``, the sentences (a line ending in a sentence's closing punctuation: no headline) that speak
    of the items together (``passages.speech_blanket``: "most of the recommendations", "what the inspectorate
    asked for") in the voice of the force or its commissioner (:func:`~pipeline.segment.speech.find_speech_lines`;
    ``said`` the document's speakers): a news page quoting the chief constable, a letter's first person. The
    inspectorate's speech is never among them, nor a line that only points elsewhere, as a link does
    (``passages.speech_blanket_chrome``: "Read our response to the recommendations."). Newcomer report s6, item 4.
    """
    about = [line for line in candidates if _SENTENCE_END.search(line.text)
             and any(p.search(line.text) for p in rules.speech_blanket)
             and not any(p.search(line.text) for p in rules.speech_blanket_chrome)]
    return find_speech_lines(doc_text, lines, about, rules, force, said) if about else []
