"""The lines of a normalised document (table rows split into cells), their words, and the tests on lines the stages share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, AbstractSet, Sequence

from pipeline.ingest.normalise import CELL_SEPARATOR

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules


WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Line:
    """A non-blank line of a document: its number among such lines, its character span (stripped) and text."""

    index: int
    start: int
    end: int
    text: str
    cells: tuple[tuple[int, int], ...]  # absolute spans of the cells; one cell when not a row

    @property
    def is_row(self) -> bool:
        """Whether the line is a table row (more than one cell)."""
        return len(self.cells) > 1

    def cell_text(self, doc_text: str, i: int) -> str:
        """The stripped text of cell ``i`` (0-based); ``doc_text`` is the document the spans point into."""
        s, e = self.cells[i]
        return doc_text[s:e].strip()


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` in order, each with the spans of its cells (split on ``CELL_SEPARATOR``)."""
    lines: list[Line] = []
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group()
        if not raw.strip():
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = match.end() - (len(raw) - len(raw.rstrip()))
        cells, cursor = [], start
        for sep in re.finditer(re.escape(CELL_SEPARATOR.strip()), text[start:end]):
            cells.append((cursor, start + sep.start()))
            cursor = start + sep.end()
        cells.append((cursor, end))
        lines.append(Line(len(lines), start, end, text[start:end], tuple(cells)))
    return lines


def clean(text: str) -> str:
    """``text`` with white space collapsed and trailing punctuation (``.:;,-``) stripped."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".:;,- ").strip()


def lower_words(text: str) -> list[str]:
    """The alphanumeric words of ``text``, lower-cased, in order."""
    return [w.lower() for w in WORD.findall(text)]


def is_heading(text: str, patterns: Sequence[re.Pattern], max_words: int) -> bool:
    """Whether ``text``, cleaned, is 1 to ``max_words`` words long and one of ``patterns`` matches its start."""
    cleaned = clean(text)
    return 0 < len(cleaned.split()) <= max_words and any(p.match(cleaned) for p in patterns)


def is_label_only(text: str, rules: SegmentRules) -> bool:
    """True when ``text`` holds no words beyond column/field labels and separators."""
    parts = [clean(p) for p in re.split(r"\s*\|\s*|\n", text)]
    return all(not p or any(pat.match(p) for pat in rules.label_cells) for p in parts)


def grid_cells(doc_text: str, line: Line, rules: SegmentRules) -> int:
    """How many grid cells ``line`` holds when every non-empty cell is one, else 0.

    A grid cell holds 1 to ``grid_cell_max_tokens`` white-space separated tokens,
    each fully matching one of ``grid_token`` (item numbers, list markers, bullets,
    ticks, Yes/No: ``[passages]`` of ``segment.toml``).
    """
    count = 0
    for s, e in line.cells:
        tokens = doc_text[s:e].split()
        if not tokens:
            continue  # an empty cell of a row neither makes nor breaks a grid
        if len(tokens) > rules.grid_cell_max_tokens or not all(
                any(p.match(token) for p in rules.grid_token) for token in tokens):
            return 0
        count += 1
    return count


def is_welsh(text: str, rules: SegmentRules) -> bool:
    """True when ``text`` reads as Welsh: many Welsh function words, fewer English ones."""
    return language_of(text, rules) == "cy"


def language_of(text: str, rules: SegmentRules) -> str:
    """``"cy"`` (Welsh), ``"en"`` (English) or ``""`` (neither: under 4 words, a label, a date) for ``text``.

    A language's function words (``[welsh]`` of ``segment.toml``) must be at
    least ``welsh_min_share`` of the words and outnumber the other's; Welsh
    needs one that is no English word too (``welsh_shared``).
    """
    words = lower_words(text)
    if len(words) < 4:
        return ""
    welsh = sum(w in rules.welsh_words for w in words) / len(words)
    english = sum(w in rules.english_words for w in words) / len(words)
    if welsh >= rules.welsh_min_share and welsh > english and any(
            w in rules.welsh_words and w not in rules.welsh_shared for w in words):
        return "cy"
    if english >= rules.welsh_min_share and english > welsh:
        return "en"
    return ""


def line_language(doc_text: str, line: Line, rules: SegmentRules) -> str:
    """The language of a line (:func:`language_of`); a table row is one language only when its cells agree.

    A row with a Welsh cell beside an English one ("Welsh | English", a
    bilingual table) is ``""``: it belongs to both halves of nothing.
    """
    found = {language_of(doc_text[s:e], rules) for s, e in line.cells} - {""}
    return found.pop() if len(found) == 1 else ""


def consecutive(chosen: Sequence[Line], lines: Sequence[Line], bridge: AbstractSet[int] = frozenset()) -> list[list[Line]]:
    """Group ``chosen`` lines into runs adjacent in the document.

    Lines in ``bridge`` may sit between two chosen lines of one run: prose on
    the same topic (linked to a neighbouring recommendation) does not split an
    answer in two.
    """
    runs: list[list[Line]] = []
    for line in sorted(chosen, key=lambda chosen_line: chosen_line.index):
        if runs and all(i in bridge for i in range(runs[-1][-1].index + 1, line.index)):
            runs[-1].extend(lines[i] for i in range(runs[-1][-1].index + 1, line.index + 1))
        else:
            runs.append([line])
    return runs
