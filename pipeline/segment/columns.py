"""A tracker table's bookkeeping columns: who owns an item and when it is due, and its status.

An action tracker ("Rec | Action | Owner | Target | RAG") gives each item's answer in one column beside its
owner, due date and status. The header row names the columns; every row under it with as many cells has its
owner in the owner column and its status in the status column, whatever words they hold ("Crime Registrar",
"Green"). The owner is no answer (``[passages] owner_field``: a header naming such a column); the status is the
force's own claim about the item (guidelines section 7, D11) that decides the label with the update beside it,
but the update, not the bare word, is the evidence. A colour named as the status ("Green") reads as the document's
own key gives it ("RAG key: Green = complete" -> "complete": guidelines section 7, the key beats the defaults),
read by :func:`pipeline.ingest.rag.key_words`, the same key ingest applies to a cell given by its colour only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, Sequence

from pipeline.ingest import rag
from pipeline.segment.lines import Line

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules

Span = tuple[int, int]


@dataclass(frozen=True)
class TrackerColumns:
    """The cells of a document's tracker tables that are bookkeeping, by their absolute spans.

    ``owner``: cells under a header naming an owner, lead or due-date column. ``status``: a cell under a header
    naming a RAG or status column -> the status it states, a colour read by the document's key. ``key_lines``: the
    key itself ("RAG key: Green = complete; ..."), a legend and no answer, wherever it stands.
    """

    owner: frozenset[Span] = frozenset()
    status: Mapping[Span, str] = field(default_factory=dict)
    key_lines: frozenset[int] = frozenset()  # the indices of the lines that state the document's RAG key


def _is_header(doc_text: str, line: Line, rules: SegmentRules) -> bool:
    """A row of column names only ("Rec | Action | Owner | Target | RAG"): short words, no digit, no sentence."""
    labels = rules.labels
    cells = [line.cell_text(doc_text, i) for i in range(len(line.cells))]
    return line.is_row and sum(bool(c) for c in cells) >= 2 and all(
        not c or (len(c.split()) <= labels.column_label_words and labels.column_label.match(c)) for c in cells)


def status_reading(words: str, key: Mapping[str, str]) -> str:
    """What a status cell's ``words`` state: a colour's name as the document's ``key`` gives it, else the words."""
    words = " ".join(words.split()).strip(" .;:,")
    return key.get(words.capitalize(), words) if words.lower() in _colours() else words


def _colours() -> frozenset[str]:
    return frozenset(name.lower() for name, _ in rag.default_rules().hues)


def tracker_columns(doc_text: str, lines: Sequence[Line], rules: SegmentRules) -> TrackerColumns:
    """The owner and status cells of every tracker table in the document (see :class:`TrackerColumns`).

    A table is a header row (:func:`_is_header`) with an owner column (``[passages] owner_field``) or a status column
    (``[labels] status_column``) and the rows after it with as many cells, up to the first line that is no row. A
    status cell holds at most ``[passages] status_cell_max_words`` words: a longer one is an update of its own and
    stays the answer. A status given as a field in the text ("Status: complete" under an answer) stays the answer's.
    """
    from pipeline.segment.blocks import is_owner_header

    owner: set[Span] = set()
    status: dict[Span, str] = {}  # a status cell -> its words
    header: tuple[int, frozenset[int], frozenset[int]] | None = None  # cells, owner columns, status columns
    for line in lines:
        if not line.is_row:
            header = None
            continue
        if _is_header(doc_text, line, rules):
            names = [line.cell_text(doc_text, i).strip(" .:") for i in range(len(line.cells))]
            owners = frozenset(i for i, name in enumerate(names) if is_owner_header(name, rules))
            statuses = frozenset(i for i, name in enumerate(names) if rules.labels.status_column.match(name))
            if owners or statuses:
                header = (len(line.cells), owners, statuses)
                continue
            if header is None or len(line.cells) != header[0]:
                header = None  # another table's header
                continue
            # else a row of short words under the header ("Custody audits | Amber | Under way"): a row of items
        if header is not None and len(line.cells) == header[0]:
            owner.update(line.cells[i] for i in header[1] if line.cell_text(doc_text, i))
            for i in header[2]:
                s, e = line.cells[i]
                if 0 < len(doc_text[s:e].split()) <= rules.status_cell_max_words:
                    status[(s, e)] = doc_text[s:e]
    key = rag.key_words(doc_text) if status else {}
    key_lines: frozenset[int] = frozenset()
    if rag.default_rules().key_entry.search(doc_text):  # most documents give no key: one search rules them out
        key_lines = frozenset(line.index for line in lines if not line.is_row and rag.key_words(line.text))
    return TrackerColumns(frozenset(owner), {span: status_reading(words, key) for span, words in status.items()},
                          key_lines)
