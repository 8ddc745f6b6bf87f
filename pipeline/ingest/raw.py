"""What a reader returns before normalisation: each page's raw text (with its OCR flag) and page-level notes.

Plain picklable records, so a reader can run in a worker process
(:mod:`pipeline.ingest.bounded`) and send them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawPage:
    """One page's text as the reader found it; ``confidence`` (0-1) only for a page read by OCR."""

    text: str
    ocr: bool = False
    confidence: float | None = None


@dataclass(frozen=True)
class PageNote:
    """A page-level problem: a code of :mod:`pipeline.errors` whose template takes ``page`` and ``details``."""

    code: str
    page: int
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Extraction:
    """A reader's output: the pages in order and the page-level notes."""

    pages: tuple[RawPage, ...]
    notes: tuple[PageNote, ...] = ()
