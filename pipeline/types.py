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

#: The kinds of item an inspection report asks forces to act on, in the order the scorecard lists them.
ITEM_KINDS: tuple[str, ...] = ("recommendation", "cause_of_concern", "area_for_improvement")


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
    #: A web page's site text (:func:`pipeline.ingest.html.read_html_page`): its site name, address, header and
    #: footer, one piece a line; no offset refers to it. Evidence of the publisher only: identify reads it for the
    #: force when ``text`` names none. A Word document's is its headers and footers
    #: (:func:`pipeline.ingest.docx.read_docx_page`). "" for other kinds of file.
    site: str = ""

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
    domains: tuple[str, ...] = ()  # web and e-mail domains of the force and its local body ("surrey-pcc.gov.uk")


@dataclass(frozen=True)
class Recommendation:
    """One numbered recommendation of an inspection report."""

    number: str
    text: str
    addressee: str  # "forces" when forces / chief constables must act, else "national"
    addressed_to: str  # the bodies named, as the report words them
    deadline: date | None
    deadline_note: str = ""  # a deadline that is no date ("Within six months of ...")
    cause_of_concern: str | None = None  # number of the cause of concern it belongs to, if any


@dataclass(frozen=True)
class Finding:
    """One item of an inspection as the scorecard sees it: its kind, its number within that kind and its wording.

    ``kind`` is one of :data:`ITEM_KINDS`. Causes of concern and areas for
    improvement (AFIs) are held as findings; a recommendation is listed as one
    by :meth:`Inspection.scorecard_items`.
    """

    kind: str
    number: str
    text: str


@dataclass(frozen=True)
class Inspection:
    """An inspection report and its items, as held in ``corpus/inspections/``.

    ``force`` is None for a national inspection (all forces), else the force
    inspected as the register names it. ``source`` says where the wording came
    from (URLs or a note), in the register's order.
    """

    id: str
    title: str
    published: date | None
    aliases: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]
    force: str | None = None
    source: tuple[str, ...] = ()
    causes_of_concern: tuple[Finding, ...] = ()
    areas_for_improvement: tuple[Finding, ...] = ()
    registered: bool = True  # False for an inspection a response names but no register holds (published None, no items)

    @property
    def force_recommendations(self) -> tuple[Recommendation, ...]:
        """The recommendations addressed to forces or chief constables: the scorecard's recommendation columns."""
        return tuple(r for r in self.recommendations if r.addressee == "forces")

    @property
    def scorecard_items(self) -> tuple[Finding, ...]:
        """Every item a force answers, in :data:`ITEM_KINDS` order then report order.

        Recommendations addressed to forces (as ``kind="recommendation"``),
        then causes of concern, then areas for improvement. A scorecard row is
        keyed by ``(kind, number)``: numbers repeat across kinds.
        """
        recommendations = tuple(Finding("recommendation", r.number, r.text) for r in self.force_recommendations)
        return recommendations + self.causes_of_concern + self.areas_for_improvement

    def recommendation(self, number: str) -> Recommendation | None:
        """The recommendation numbered ``number``, or None."""
        return next((r for r in self.recommendations if r.number == number), None)

    def item(self, kind: str, number: str) -> Finding | None:
        """The item of ``kind`` (one of :data:`ITEM_KINDS`) numbered ``number``, or None."""
        if kind == "recommendation":
            rec = self.recommendation(number)
            return Finding(kind, rec.number, rec.text) if rec is not None else None
        pool = {"cause_of_concern": self.causes_of_concern, "area_for_improvement": self.areas_for_improvement}.get(kind, ())
        return next((f for f in pool if f.number == number), None)

    def cause_recommendations(self, number: str) -> tuple[Recommendation, ...]:
        """The recommendations that belong to the cause of concern numbered ``number``."""
        return tuple(r for r in self.recommendations if r.cause_of_concern == number)


@dataclass(frozen=True)
class Section:
    """One part of a document that answers several inspections.

    Its character span in ``Document.text``, the inspection it answers, and ``heading``: the line that opens it,
    for the run report.
    """

    start: int
    end: int
    inspection: Inspection
    heading: str = ""


@dataclass(frozen=True)
class Identification:
    """Who a document is from and what it answers; any part may be unknown (None).

    ``sections`` is empty when the whole document answers ``inspection``; a response answering two inspections
    in parts ("Part 1: <report>", "Part 2: <other report>") has one :class:`Section` per part, in order, covering
    the text, and ``inspection`` is the first part's.
    """

    force: Force | None
    inspection: Inspection | None
    response_date: date | None
    method: str  # "detected" | "manifest"
    evidence: str = ""  # the words that decided it, for the run report
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Passage:
    """A part of a document that answers one or more items (recommendations, causes of concern or AFIs).

    ``recommendations`` holds the item numbers, all of kind ``item_kind``; a
    blanket passage (``link == "blanket"``) lists every item of that kind
    (none for an unregistered inspection).

    ``text == document.text[start:end]``. ``response_text`` is what gets
    classified: the force's own words, with the quoted recommendation wording,
    labels and table headers removed; ``response_spans`` are where those words
    sit in the document.

    ``voice`` is who speaks a blanket passage, as :mod:`pipeline.segment.speech`
    places its lines: ``"force"`` (the force or its PCC), ``"inspectorate"``
    (HMICFRS, its inspectors or report), ``"reporter"`` (nobody placed, on a
    page that quotes the force: the writer's account), or ``""`` when unknown
    or not a blanket passage.
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
    item_kind: str = "recommendation"  # the kind (ITEM_KINDS) of the items in ``recommendations``
    ocr: bool = False  # the text came from optical character recognition
    voice: str = ""  # "force" | "inspectorate" | "reporter" | "" (unknown); set on blanket passages
    #: the item's status as its tracker's status cell states it, a colour read by the document's own key ("Green"
    #: under "RAG key: Green = complete" -> "complete"); its cell is not in ``response_spans`` (the update beside it
    #: is the evidence), but it is classified with them (guidelines section 7, D11). "" when none.
    status: str = ""

    @property
    def classified_text(self) -> str:
        """What the classifier reads: ``response_text`` with ``status`` after it as a cell (:func:`with_status`)."""
        return with_status(self.response_text, self.status)


def with_status(text: str, status: str) -> str:
    """``text`` with a tracker's status word after it as a table cell ("<update> | complete"), as classify reads it.

    A status with no text beside it is the text; no status leaves the text as it is.
    """
    if not status.strip():
        return text
    return f"{text} | {status}" if text.strip() else status


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
    #: how many of its pages were read by OCR (:attr:`Page.ocr`), so a report can say so of a scan with no passage
    ocr_pages: int = 0
