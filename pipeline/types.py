"""Record types passed between the stages.

Every stage takes and returns these frozen dataclasses, so the flow
``ingest -> identify -> segment -> classify -> score`` reads in the types:

* :class:`SourceFile` (bytes read by :mod:`pipeline.io`) -> ingest -> :class:`Document`
* :class:`Document` -> identify -> :class:`Identification`
* :class:`Document` + :class:`Inspection` -> segment -> tuple of :class:`Passage`
* :class:`Passage` -> classify -> :class:`Prediction`
* :class:`DocumentResult` list -> score -> scorecard tables
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

#: The four status labels of the annotation guidelines, least to most advanced
#: in delivery order: used wherever a tie must go to the less advanced label.
LABELS: tuple[str, ...] = ("not_addressed", "planned", "in_progress", "completed")

#: The same labels in the annotation guidelines' order, used for tables and confusion matrices.
GUIDELINE_ORDER: tuple[str, ...] = ("completed", "in_progress", "planned", "not_addressed")


@dataclass(frozen=True)
class SourceFile:
    """One input file as read from disk: its path as the user gave it, bytes and hash."""

    path: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class Page:
    """A page of a :class:`Document`: 1-based number and its character span in ``Document.text``.

    ``ocr`` is True when the page's text was read by OCR from its image (no
    text layer, or one in a font with no Unicode map); ``confidence`` is then
    the OCR engine's mean confidence over the page's text, 0-1 (None otherwise).
    """

    number: int
    start: int
    end: int
    ocr: bool = False
    confidence: float | None = None


@dataclass(frozen=True)
class Document:
    """The normalised text of one source file.

    ``text`` is what every later stage reads and what every character offset
    refers to. ``pages`` cover ``text`` in order (a text or HTML file is one page).
    """

    source: str
    sha256: str
    media_type: str  # "pdf" | "html" | "text" | "docx"
    text: str
    pages: tuple[Page, ...]
    #: Page-level problems (a page lost, read by OCR below the confidence floor, cut at the glyph cap):
    #: the document is scored, and each one is a row of ``errors.csv`` with its page.
    problems: tuple["Problem", ...] = ()

    def is_ocr(self, offset: int) -> bool:
        """Whether the character at ``offset`` of ``text`` was read by OCR (its page's ``ocr`` flag)."""
        number = self.page_at(offset)
        return any(p.ocr for p in self.pages if p.number == number)

    def page_at(self, offset: int) -> int:
        """The 1-based page number holding character ``offset``."""
        starts = [p.start for p in self.pages]
        i = bisect.bisect_right(starts, offset) - 1
        return self.pages[max(i, 0)].number if self.pages else 1


@dataclass(frozen=True)
class Force:
    """A territorial police force: official name, short name and the aliases that identify it."""

    name: str
    short_name: str
    aliases: tuple[str, ...]
    local_body: str  # the PCC / PFCC / Mayor's office that publishes its responses


@dataclass(frozen=True)
class Recommendation:
    """One numbered recommendation of an inspection report."""

    number: str
    text: str
    addressee: str  # "forces" when forces / chief constables must act, else "national"
    addressed_to: str  # the bodies named, as the report words them
    deadline: date | None
    deadline_note: str = ""  # a deadline that is no date ("Within six months of ...")


@dataclass(frozen=True)
class Inspection:
    """An inspection report and its recommendations, as held in ``corpus/inspections/``."""

    id: str
    title: str
    published: date
    aliases: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]

    @property
    def force_recommendations(self) -> tuple[Recommendation, ...]:
        """The recommendations addressed to forces or chief constables: the scorecard's columns."""
        return tuple(r for r in self.recommendations if r.addressee == "forces")

    def recommendation(self, number: str) -> Recommendation | None:
        """The recommendation numbered ``number``, or None."""
        return next((r for r in self.recommendations if r.number == number), None)


@dataclass(frozen=True)
class Identification:
    """Who a document is from and what it answers; any part may be unknown (None)."""

    force: Force | None
    inspection: Inspection | None
    response_date: date | None
    method: str  # "detected" | "manifest"
    evidence: str = ""  # the words that decided it, for the run report


@dataclass(frozen=True)
class Passage:
    """A part of a document that answers one or more recommendations.

    ``text == document.text[start:end]``. ``response_text`` is what gets
    classified: the force's own words, with the quoted recommendation wording,
    labels and table headers removed; ``response_spans`` are where those words
    sit in the document.
    """

    id: str
    source: str
    sha256: str
    recommendations: tuple[str, ...]
    link: str  # "numbered" | "mention" | "content" | "blanket"
    start: int
    end: int
    page: int
    text: str
    response_text: str
    response_spans: tuple[tuple[int, int], ...]
    language: str = "en"


@dataclass(frozen=True)
class Prediction:
    """A status for one text: label, its probability, every label's probability, and the supporting sentences."""

    label: str
    confidence: float
    scores: Mapping[str, float]
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassifiedPassage:
    """A passage with the classifier's prediction."""

    passage: Passage
    prediction: Prediction


@dataclass(frozen=True)
class Problem:
    """Why one input could not be (fully) scored; a row of ``errors.csv``.

    ``page`` is set for a page-level problem: the document was scored without
    (part of) that page, which the row names, so it never reads as silence.
    """

    source: str
    code: str
    message: str
    sha256: str = ""
    page: int | None = None


@dataclass(frozen=True)
class DocumentResult:
    """Everything the pipeline learned from one document."""

    source: str
    sha256: str
    identification: Identification
    passages: tuple[ClassifiedPassage, ...] = field(default_factory=tuple)
    #: the document's page-level problems (:attr:`Document.problems`), reported with the scored result
    problems: tuple[Problem, ...] = ()
