"""Item labels and citations in every spelling.

"Recommendation 9", "Rec. No. 13", "R10", "Recommendation
Thirteen", "Recommendation IV", "Recommendations 16, 17 and 18", "Argymhelliad 12", "AFI 2", "Area for
improvement 2", "Cause of concern 1", an unnumbered "Area for improvement" heading, a bracketed "(xxii)"
heading, and a table whose first column holds bare numbers under "No.", "Ref" or an item word
("Recommendation", "Rec", "AFI": numbers of that kind), also when the table is read one cell a line (a
number alone on a line, ``lone_number``: before the register's wording of its item, or under such a header).

The spellings are data (``[labels]`` and ``passages.citation`` in ``pipeline/data/segment.toml``);
a citation that opens a cell or is followed by punctuation or by the item's own wording is a *label*,
which opens a numbered block. Full stops inside a label ("Rec. No. 13") belong to it: the label
patterns take them, so they never cut it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Mapping, Sequence

from pipeline.segment.lines import Line, lower_words
from pipeline.types import ITEM_KINDS, Inspection

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
WORD_RE = re.compile(r"[^\W\d_]{2,}")  # a word of letters: a cell of text, not another number


@dataclass(frozen=True)
class Citation:
    """An item label found on a line: the item ``numbers`` of ``kind`` it names, at characters ``start:end``.

    ``is_label`` when it heads the item's answer (it starts a cell, is followed by
    punctuation or by the item's wording) rather than being mentioned in prose.
    """

    line: int
    start: int
    end: int
    numbers: tuple[str, ...]
    is_label: bool
    kind: str = "recommendation"
    ordered: bool = False  # an unnumbered heading, numbered here in document order within its kind
    sub: str = ""  # the letter of a lettered sub-item ("AFI 4a", "AFI 4(b)"), whose ``numbers`` are its parent's


@dataclass(frozen=True)
class LabelRules:
    """Compiled label spellings: one pattern per item kind, and the unnumbered, bare and table forms."""

    by_kind: Mapping[str, re.Pattern]
    spelled: Mapping[str, int]
    unnumbered: Mapping[str, re.Pattern]
    bare_line: re.Pattern
    number_column: re.Pattern
    status_column: re.Pattern
    kind_column: Mapping[str, re.Pattern]  # a header cell naming an item kind: its column holds that kind's numbers
    column_label: re.Pattern  # a header row's other cells, when a kind's word heads its first column
    column_label_words: int
    lone_number: re.Pattern  # a line holding only an item number (a tracker's row read one cell a line)
    list_heading: Mapping[str, re.Pattern] = field(default_factory=dict)  # a kind in the plural over a numbered list
    list_number: re.Pattern | None = None  # a numbered list's item number at a line's start ("1.", "2)")


def compile_label_rules(labels: Mapping, rest: str) -> LabelRules:
    """Build :class:`LabelRules` from the ``[labels]`` table and the ``passages.citation`` list pattern."""
    spelled = {w.lower(): i + 1 for i, w in enumerate(labels["spelled"])}
    words = "|".join(sorted((re.escape(w) for w in spelled), key=len, reverse=True))
    # Roman numerals in capitals only ("Recommendation IV" yes, "recommendation is" no); a lone "I" must end the
    # label ("Recommendation I:"), or "this recommendation I will ..." would cite recommendation 1.
    # In lower case ("Recommendation xx") only where the numeral ends the label, so "recommendation civil" or "i.e."
    # never read as numbers.
    # A lettered sub-item ("AFI 4a", "AFI 4(b)", "Recommendation 2 (c)", "AFI 2.a"): the letter after digits is ``sub``, and
    # the label is its parent's (annotation guidelines, case 32).
    number = (rf"(?P<first>\d{{1,3}}|(?-i:[IVXLC]{{2,7}}|[IVXLC](?=\s*(?:[:.)\-–]|$))"
              rf"|[ivxlc]{{2,7}}(?=\s*(?:[:)\-–]|\.(?:\s|$)|$)))|{words})"
              rf"(?:(?<=\d)(?P<sub>[a-z]|\.(?-i:[a-z])|[ \t](?-i:[a-z])\)|\s?\([a-z]\))(?![\w-]))?(?![\w-])")
    prefix = labels["number_prefix"]
    by_kind = {}
    for kind in ITEM_KINDS:
        alternatives = "|".join(f"(?:{w})" for w in labels[kind])
        by_kind[kind] = re.compile(rf"(?<![\w-])(?:{alternatives})\s*(?:{prefix})?{number}{rest}", re.IGNORECASE)
    unnumbered = {}
    for pattern in labels["unnumbered"]:
        kind = "cause_of_concern" if "concern" in pattern else "area_for_improvement"
        unnumbered[kind] = re.compile(rf"^(?:{pattern})$", re.IGNORECASE)
    column = "|".join(f"(?:{p})" for p in labels["number_column"])
    status = "|".join(f"(?:{p})" for p in labels["status_column"])
    kind_column = {kind: re.compile(rf"^(?:{'|'.join(f'(?:{w})' for w in labels[kind])})\s*(?:{prefix})?$", re.IGNORECASE)
                   for kind in ITEM_KINDS}
    return LabelRules(by_kind, spelled, unnumbered, re.compile(labels["bare_line"]),
                      re.compile(rf"^(?:{column})$", re.IGNORECASE), re.compile(rf"^(?:{status})$", re.IGNORECASE),
                      kind_column, re.compile(rf"^(?:{labels['column_label']})$", re.IGNORECASE),
                      int(labels["column_label_words"]), re.compile(labels["lone_number"]),
                      {kind: re.compile(rf"^(?:{pattern})$", re.IGNORECASE)
                       for kind, pattern in labels.get("list_heading", {}).items()},
                      re.compile(labels["list_number"]) if labels.get("list_number") else None)


def number_column_kind(doc_text: str, line: Line, labels: LabelRules, next_cells: Sequence[str] = ()) -> str | None:
    """The item kind whose bare numbers the column under this header row holds, or None if no such header.

    "No." / "Ref" (``number_column``) head recommendation numbers; an item word
    ("Recommendation", "Rec no.", "AFI", "Cause of concern") heads its own kind's,
    when the row's other cells are all column labels ("Force position", "Update",
    "RAG"), so that a form's "Recommendation | <wording>" row stays a row of text.
    A table read one cell a line has the row's other cells on the lines after it: ``next_cells``, the cells of
    the one-cell lines that follow (a web page's "Recommendation number |" / "Recommendation |" / "Current
    position |").
    """
    if not line.is_row:
        return None
    head = line.cell_text(doc_text, 0).strip(" .:")
    if labels.number_column.match(head):
        return "recommendation"
    kind = next((k for k, pattern in labels.kind_column.items() if pattern.match(head)), None)
    if kind is None:
        return None
    def is_column_label(cell: str) -> bool:
        return len(cell.split()) <= labels.column_label_words and bool(labels.column_label.match(cell))

    others = [line.cell_text(doc_text, i) for i in range(1, len(line.cells))]
    if not any(others):  # the header's other cells on the lines after it, up to the first row of items ("1 |")
        others = list(itertools.takewhile(is_column_label, next_cells))
    if any(others) and all(not cell or is_column_label(cell) for cell in others):
        return kind
    return None


def is_header_row(doc_text: str, lines: Sequence[Line], line: Line, labels: LabelRules) -> bool:
    """Is ``line`` the header row over a column of item numbers ("Ref | Force update", "AFI | Update")?

    Such a row names columns: it is no item and no part of any answer (newcomer report s7, item 6).
    """
    return line.is_row and number_column_kind(doc_text, line, labels, _one_cell_lines_after(doc_text, lines, line)) is not None


def to_number(value: str, spelled: Mapping[str, int]) -> int | None:
    """The integer a label's number spells: digits, a roman numeral or a word ("Thirteen"); None if none."""
    value = value.strip().lower()
    if value.isdigit():
        return int(value)
    if value in spelled:
        return spelled[value]
    if value and all(c in _ROMAN for c in value):
        total = 0
        for i, c in enumerate(value):
            v = _ROMAN[c]
            total += -v if i + 1 < len(value) and _ROMAN[value[i + 1]] > v else v
        return total if total > 0 else None
    return None


def _numbers(first: int, rest: str, known: set[str] | None) -> tuple[str, ...]:
    values = [first]
    for sep, num in re.findall(r"(,|and|ac|&|/|-|–|to|i)\s*(\d{1,3})", rest):
        n = int(num)
        if sep in ("-", "–", "to", "i") and values and n > values[-1]:  # "i" is Welsh "to"
            values.extend(range(values[-1] + 1, n + 1))
        else:
            values.append(n)
    seen: list[str] = []
    for v in values:
        if (known is None or str(v) in known) and str(v) not in seen:
            seen.append(str(v))
    return tuple(seen)


def _starts_like(text_after: str, wording: str) -> bool:
    """Does the text after a citation begin with the item's own wording?"""
    after, words = lower_words(text_after)[:8], lower_words(wording)[:8]
    if not after or not words:
        return False
    return sum(a == b for a, b in zip(after, words)) >= min(4, len(words))


def known_numbers(inspection: Inspection) -> dict[str, set[str] | None]:
    """The item numbers of each kind a citation may name: the register's, or any (None) for an unregistered inspection."""
    if not inspection.registered:
        return {kind: None for kind in ITEM_KINDS}
    return {
        "recommendation": {r.number for r in inspection.recommendations},
        "cause_of_concern": {f.number for f in inspection.causes_of_concern},
        "area_for_improvement": {f.number for f in inspection.areas_for_improvement},
    }


def item_wording(inspection: Inspection, kind: str, number: str) -> str:
    """The register's wording of an item ("" when unregistered or unknown)."""
    if kind == "recommendation":
        rec = inspection.recommendation(number)
        return rec.text if rec is not None else ""
    pool = inspection.causes_of_concern if kind == "cause_of_concern" else inspection.areas_for_improvement
    return next((f.text for f in pool if f.number == number), "")


def find_citations(doc_text: str, lines: Sequence[Line], inspection: Inspection, rules: SegmentRules) -> list[Citation]:
    """Every citation of an item in ``lines``, in document order; labels marked ``is_label``."""
    labels: LabelRules = rules.labels
    known = known_numbers(inspection)
    found: list[Citation] = []
    ordered: dict[str, int] = {}
    number_column: str | None = None  # inside a table whose first column holds bare numbers: their item kind
    # under a header read one cell a line ("No." / "Status" / "Update", each on a line of its own): the kind of the
    # numbers alone on a line below it, and the last such number taken (they rise)
    lone_column: str | None = None
    lone_last = 0
    status_table = False  # inside a table with a RAG / status column and no item numbers (unregistered only)
    listing: tuple[str, int] | None = None  # under a plural kind heading: the list's kind and its last number
    for position, line in enumerate(lines):
        head = line.cell_text(doc_text, 0) if line.is_row else ""
        # a row of one cell inside a table (a full-width sub-heading, or a number whose other cells are empty) is no
        # end of the table: the rows after it are still read
        table_line = not line.is_row and bool(number_column or status_table) and in_table(doc_text, lines, position)
        if line.is_row:
            listing = None
        elif (list_kind := _list_heading_kind(line, lines[position + 1:position + 2], labels)) is not None:
            listing = (list_kind, 0)
            continue  # the heading names the list: no item of its own
        elif listing is not None:
            listing, cites = _list_item(doc_text, line, listing, inspection, rules, known)
            found.extend(cites)
            if listing is not None:
                continue
        if (column_kind := number_column_kind(doc_text, line, labels, _one_cell_lines_after(doc_text, lines, line))) is not None:
            number_column = column_kind
            continue
        if line.is_row and not inspection.registered and not number_column and any(
                labels.status_column.match(line.cell_text(doc_text, i).strip(" .:")) for i in range(1, len(line.cells))):
            status_table = True
            continue
        if not line.is_row and not table_line:
            status_table = False
        elif status_table and head and sum(bool(line.cell_text(doc_text, i)) for i in range(len(line.cells))) >= 2 \
                and not _line_citations(doc_text, line, inspection, rules, known):
            # one item a row: its first cell is the item's wording, taken out with the label
            ordered["recommendation"] = ordered.get("recommendation", 0) + 1
            s, e = line.cells[0]
            found.append(Citation(line.index, s, e, (str(ordered["recommendation"]),), True, "recommendation",
                                  ordered=True))
            continue
        if number_column and (line.is_row or table_line):
            # a row read with its leading pipe ("| 10 | By ...") has an empty first cell: the number is the next one
            column = 1 if not head.strip() and len(line.cells) > 2 else 0
            head = line.cell_text(doc_text, column).strip() if column or table_line else head
            value = to_number(head.strip("().").strip(), labels.spelled) if re.fullmatch(r"\(?\w{1,7}[.)]?", head) else None
            kind = number_column
            if value is not None and ((numbers := known[kind]) is None or str(value) in numbers):
                s, e = line.cells[column]
                found.append(Citation(line.index, s, e, (str(value),), True, kind))
                continue
        elif not line.is_row:
            number_column = None
        if not line.is_row:
            if (header_kind := _one_cell_header_kind(doc_text, lines, line, labels)) is not None:
                lone_column, lone_last = header_kind, 0
                continue
            if (lone := _lone_number_citation(doc_text, lines, line, inspection, labels, known, lone_column,
                                              lone_last)) is not None:
                found.append(lone)
                if lone_column is not None:
                    lone_last = int(lone.numbers[0])
                continue
        found.extend(_line_citations(doc_text, line, inspection, rules, known))
        if not any(c.line == line.index for c in found):
            found.extend(_heading_citations(line, inspection, rules, known, ordered))
    return found


def in_table(doc_text: str, lines: Sequence[Line], position: int) -> bool:
    """Is ``lines[position]``, no row itself, a row of one cell inside a table?

    A full-width row ("Recommendations for chief constables", a merged sub-heading) or a row whose other cells are
    empty ("16") reads as a line without `` | ``. It lies between two rows of the table with no blank line on either
    side (rows of one table are consecutive lines; a paragraph stands apart by a blank line); other one-cell lines
    may stand between it and those rows.
    """
    def reaches_row(step: int) -> bool:
        k = position
        while 0 <= k + step < len(lines):
            near, far = sorted((lines[k], lines[k + step]), key=lambda candidate: candidate.start)
            if doc_text.count("\n", near.end, far.start) > 1:
                return False
            if lines[k + step].is_row:
                return True
            k += step
        return False

    return not lines[position].is_row and reaches_row(-1) and reaches_row(1)


def _position(lines: Sequence[Line], line: Line) -> int:
    """Where ``line`` stands in ``lines`` (the document's, in order), ``len(lines)`` when it is not there."""
    return next((k for k, candidate in enumerate(lines) if candidate.index == line.index), len(lines))


def _next_line(lines: Sequence[Line], line: Line) -> Line | None:
    """The line after ``line`` (``lines`` is the document's, in order), or None at the end."""
    position = _position(lines, line)
    return lines[position + 1] if position + 1 < len(lines) else None


def _one_cell_header_kind(doc_text: str, lines: Sequence[Line], line: Line, labels: LabelRules) -> str | None:
    """The item kind of a table's number column when ``line`` heads one read one cell a line, else None.

    The header's first cell alone on a line ("No.", "Ref", "Recommendation": ``number_column`` or an item word),
    its other cells on the lines right after it, each a column label ("Recommendation", "Status", "Update"): the
    layout of a PDF table without rulings, each cell its own text box. ``line`` is not a row (no `` | ``).
    """
    head = line.text.strip(" .:")
    if labels.number_column.match(head):
        kind: str | None = "recommendation"
    else:
        kind = next((k for k, pattern in labels.kind_column.items() if pattern.match(head)), None)
    if kind is None:
        return None
    after = _next_line(lines, line)
    cell = after.text.strip() if after is not None and not after.is_row else ""
    if cell and len(cell.split()) <= labels.column_label_words and labels.column_label.match(cell):
        return kind
    return None


def _lone_number_citation(doc_text: str, lines: Sequence[Line], line: Line, inspection: Inspection,
                          labels: LabelRules, known: Mapping[str, set[str] | None], lone_column: str | None,
                          lone_last: int) -> Citation | None:
    """A label from a line holding only an item number (``lone_number``), or None.

    A tracker's row read one cell a line: the number, then the item's wording, its status, its update. The number
    is a label when the next line opens with the register's wording of that item (any kind the register numbers
    so), or, under a header read one cell a line (``lone_column``, the kind its first cell names), when it is a
    number of that kind above the last one taken (``lone_last``): a page number or a count between rows is none.
    """
    m = labels.lone_number.match(line.text)
    if m is None:
        return None
    value = int(m.group("first"))
    after = _next_line(lines, line)
    following = doc_text[after.start:after.end] if after is not None else ""
    start, end = line.start + m.start("first"), line.start + m.end()
    if inspection.registered:
        for kind in ITEM_KINDS:
            wording = item_wording(inspection, kind, str(value))
            if wording and _starts_like(following, wording):
                return Citation(line.index, start, end, (str(value),), True, kind)
    if lone_column is not None and value > lone_last and WORD_RE.search(following):
        numbers = known[lone_column]
        if numbers is None or str(value) in numbers:
            return Citation(line.index, start, end, (str(value),), True, lone_column)
    return None


def _list_heading_kind(line: Line, after: Sequence[Line], labels: LabelRules) -> str | None:
    """The item kind a plural heading names ("Causes of concern") when a numbered list starts on the line ``after`` it."""
    if labels.list_number is None or not after or after[0].is_row or not labels.list_number.match(after[0].text):
        return None
    cleaned = re.sub(r"\s+", " ", line.text).strip().rstrip(".:;,- ").strip()
    return next((kind for kind, pattern in labels.list_heading.items() if pattern.match(cleaned)), None)


def _list_item(doc_text: str, line: Line, listing: tuple[str, int], inspection: Inspection, rules: SegmentRules,
               known: Mapping[str, set[str] | None]) -> tuple[tuple[str, int] | None, list[Citation]]:
    """A line under a plural kind heading's numbered list: the list's state after it, and the line's citations.

    A list number ("2.", rising; one the register knows) is a label of the list's kind. The list ends (state None,
    the line left to the other label forms) at a line holding an item label of its own ("1. AFI 4: ...") or at a
    heading (a short line with no closing punctuation). Other lines (an item's further paragraphs, a number that is
    no item) carry it on, with the citations in their prose.
    """
    kind, last = listing
    cites = _line_citations(doc_text, line, inspection, rules, known)
    item = rules.labels.list_number.match(line.text) if rules.labels.list_number else None
    if item is None:
        text = line.text.strip()
        if any(c.is_label for c in cites) or (
                len(text.split()) <= rules.heading_max_words and not re.search(r"[.!?:;,)]$", text)):
            return None, []
        return listing, cites
    number_end = line.start + item.end()
    if any(c.is_label and not doc_text[number_end:c.start].strip() for c in cites):
        return None, []  # "1. AFI 4: ...": the item's own label
    # an item cited inside a list item's words is a mention of it there, never a label cutting the list item
    cites = [replace(c, is_label=False) for c in cites]
    value = int(item.group("first"))
    numbers = known[kind]
    if value <= last or (numbers is not None and str(value) not in numbers):
        return listing, cites
    label = Citation(line.index, line.start, number_end, (str(value),), True, kind)
    return (kind, value), [label, *cites]


def _one_cell_lines_after(doc_text: str, lines: Sequence[Line], line: Line) -> list[str]:
    """The cells of the lines right after ``line`` that hold one cell each ("Current position |"), while ``line`` is one.

    A table read one cell a line: its header row's cells are these lines. Empty for any other line.
    """
    def lone(candidate: Line) -> str | None:
        cells = [candidate.cell_text(doc_text, i).strip() for i in range(len(candidate.cells))] if candidate.is_row else []
        words = [cell for cell in cells if cell]
        return words[0] if len(words) == 1 and cells[0] else None

    if lone(line) is None:
        return []
    out = []
    for candidate in lines[_position(lines, line) + 1:]:
        cell = lone(candidate)
        if cell is None:
            break
        out.append(cell)
    return out


def _heading_citations(line: Line, inspection: Inspection, rules: SegmentRules, known: Mapping[str, set[str] | None],
                       ordered: dict[str, int]) -> list[Citation]:
    """Citations from a short heading that is a label without a number in words.

    "Area for improvement" (numbered in document order within its kind, counting in ``ordered``) or
    "(xxii) Staff networks" (where the register knows it).
    """
    labels: LabelRules = rules.labels
    cleaned = re.sub(r"\s+", " ", line.text).strip().rstrip(".:;,- ").strip()
    if line.is_row or len(cleaned.split()) > rules.heading_max_words:
        return []
    for kind, pattern in labels.unnumbered.items():
        if pattern.match(cleaned):
            ordered[kind] = ordered.get(kind, 0) + 1
            number = str(ordered[kind])
            if (numbers := known[kind]) is None or number in numbers:
                return [Citation(line.index, line.start, line.end, (number,), True, kind, ordered=True)]
            return []
    bare = labels.bare_line.match(line.text)
    if bare and inspection.registered:
        group = "first" if bare.group("first") else "roman"
        value = to_number(bare.group(group), labels.spelled)
        if value is not None and str(value) in (known["recommendation"] or set()):
            return [Citation(line.index, line.start, line.start + bare.end(group) + 1, (str(value),), True,
                             "recommendation")]
    return []


def _line_citations(doc_text: str, line: Line, inspection: Inspection, rules: SegmentRules,
                    known: Mapping[str, set[str] | None]) -> list[Citation]:
    out: list[Citation] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in rules.labels.by_kind.items():
        for m in pattern.finditer(line.text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            first = to_number(m.group("first"), rules.labels.spelled)
            if first is None:
                continue
            numbers = _numbers(first, m.group("rest") or "", known[kind])
            if not numbers:
                continue
            taken.append((m.start(), m.end()))
            start, end = line.start + m.start(), line.start + m.end()
            before = doc_text[line.start:start]
            # only bullets or a paragraph number ("2.1", "3.", "a)") before it in its cell
            cell_start = not re.sub(r"^[\s\-•(#*]*(?:\d{1,2}(?:\.\d{1,2})*\.?\s+|[a-z]\)\s+)?", "", before.split("|")[-1])
            after = doc_text[end:line.end]
            punctuated = bool(re.match(r"\s*[:\-–.)]", after)) or (cell_start and not after.strip())
            wording = item_wording(inspection, kind, numbers[0])
            quoted = bool(wording) and _starts_like(after, wording)
            if punctuated or quoted:
                gap = re.match(r"\s*[:\-–.)]?\s*", after)  # all optional: matches at least ""
                end += len(gap.group()) if gap else 0
            sub = re.sub(r"\W", "", m.group("sub") or "").lower()
            out.append(Citation(line.index, start, end, numbers, cell_start or punctuated or quoted, kind, sub=sub))
    return sorted(out, key=lambda c: c.start)
