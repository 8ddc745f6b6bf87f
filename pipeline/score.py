"""Score: turn classified passages into the scorecard dataset.

In: the :class:`~pipeline.types.DocumentResult` of every scored document,
the :class:`~pipeline.types.Problem` of every document that could not be
scored, and the inspections. Out: a :class:`Scorecard` of pandas tables,
written by the CLI as ``scorecard.csv``/``.parquet``, ``passages.csv``,
``forces.csv`` and ``errors.csv``; :func:`force_profiles` turns ``forces``
into ``force_profiles.csv``.

One scorecard row per (inspection, force, item) for every force with a
scored response. The items of a registered inspection are its
recommendations addressed to forces, its causes of concern and its areas for
improvement (AFIs); those of a force-specific inspection (PEEL) count for
that force only. An inspection no register holds (``Inspection.registered``
False) gets a row only for each item its response answers by a passage of
its own (the kind and number the passage gives): how many items it left
unanswered is unknown, so ``coverage`` is empty and no row is ``no_passage``.
Where a force published several responses to one inspection, the most recent
by response date is scored (ties: the last by file name) and named in
``source``; every passage of every response stays in ``passages``.

Which passage speaks for an item: one of the item's kind, the strongest link
(numbered, then prose mention, then content match), English before Welsh,
then the longest. An item answered only by a blanket statement is
``not_addressed`` by the guidelines (section 4), with that statement as
evidence; one with no passage at all is ``not_addressed`` with evidence
saying so. The blanket statement's own classified label is the response's
overall stance (guideline decision D9): ``passages.is_overall_stance`` marks
the passage, ``forces.overall_stance`` carries its label. The stance is the
force's answer: a blanket passage in the inspectorate's voice (``voice``, a
news page reporting the inspectors' findings) is chosen only when there is
no other, and one in the reporter's (a news page's narration between its
quotations of the force) only when the force's side says nothing itself.

Deadlines and section 55 of the Police Act 1996: each row carries the
item's ``deadline`` and whether it is ``overdue`` on the run's ``as_of``
date, and the force's ``response_date``, how many days after the report's
publication it came, whether that is within the statutory 56 days (unknown,
never guessed, when the response is undated or the report's date unknown)
and its ``coverage`` (share of items answered by a passage of their own).
``forces`` adds the share completed with its 95% Wilson interval. Everything
per force is computed from the scorecard rows, so the tables cannot disagree.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePath
from typing import Mapping, Sequence

import pandas as pd

from pipeline.errors import PipelineError
from pipeline.types import (
    ITEM_KINDS,
    LABELS,
    ClassifiedPassage,
    DocumentResult,
    Force,
    Inspection,
    Problem,
)

#: Order of preference between passages linked to one item.
LINK_STRENGTH = {"numbered": 3, "mention": 2, "content": 1, "blanket": 0}

#: Each item kind in the words of the field, as tables and the report name it.
ITEM_KIND_TEXT: Mapping[str, str] = {
    "recommendation": "recommendation", "cause_of_concern": "cause of concern",
    "area_for_improvement": "area for improvement",
}

#: Police Act 1996 s.55(1): the PCC publishes comments within 56 days of the report (law, not configuration).
SECTION_55_DAYS = 56

#: Two-sided 95% normal quantile for the Wilson interval.
Z_95 = 1.959963984540054

SCORECARD_COLUMNS = [
    "inspection", "register", "force", "item_kind", "recommendation", "status", "confidence", "basis", "evidence",
    "source", "sha256", "url", "page", "char_start", "char_end", "passage_id", "link", "language", "ocr",
    "response_date", "days_after_publication", "published_within_56_days", "coverage", "deadline", "deadline_note",
    "overdue", *[f"p_{label}" for label in LABELS],
]
PASSAGE_COLUMNS = [
    "passage_id", "inspection", "register", "force", "source", "sha256", "url", "response_date", "item_kind",
    "recommendations", "link", "language", "ocr", "page", "char_start", "char_end", "status", "confidence",
    *[f"p_{label}" for label in LABELS], "voice", "is_overall_stance", "evidence", "response_text", "text",
]
#: The facts of one scored response, one per (inspection, force); :func:`force_summary` adds the counts.
RESPONSE_COLUMNS = [
    "inspection", "register", "force", "source", "sha256", "url", "response_date", "days_after_publication",
    "published_within_56_days", "overall_stance", "overall_stance_confidence", "overall_stance_basis",
]
FORCE_COLUMNS = [
    "inspection", "register", "force", "source", "sha256", "url", "response_date", "days_after_publication",
    "published_within_56_days", "coverage", "recommendations", "causes_of_concern", "areas_for_improvement", "items",
    "items_answered", *LABELS, "share_completed", "completed_ci_low", "completed_ci_high", "items_overdue",
    "overall_stance", "overall_stance_confidence", "overall_stance_basis",
]
PROFILE_COLUMNS = [
    "force", "inspections", "unregistered_inspections", "items", "items_answered", *LABELS, "share_completed",
    "completed_ci_low", "completed_ci_high", "items_overdue", "responses_dated", "responses_within_56_days",
    *[f"overall_stance_{label}" for label in LABELS],
]
ERROR_COLUMNS = ["source", "sha256", "code", "page", "message"]
#: forces.csv's count column of each item kind.
_KIND_COUNT = {"recommendation": "recommendations", "cause_of_concern": "causes_of_concern",
               "area_for_improvement": "areas_for_improvement"}


@dataclass(frozen=True)
class Scorecard:
    """The tables a run writes. Every frame has its documented columns even when empty.

    ``inspections`` are the inspections the scored responses answer, registered
    or not (an unregistered one is known only from the response that names it).
    """

    scorecard: pd.DataFrame
    passages: pd.DataFrame
    forces: pd.DataFrame
    errors: pd.DataFrame
    inspections: tuple[Inspection, ...] = ()
    #: each scored response's pages read by OCR, by ``source`` (responses with none left out); in no table
    ocr_pages: Mapping[str, int] = field(default_factory=dict)
    #: the passage giving each (inspection, force)'s ``forces.overall_stance``, as ``(passage_id, item_kind)``
    #: (responses without a stance left out): a review of it (recommendation ``all``) replaces the stance
    stance_passages: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """One scorecard item of an inspection: its kind (:data:`ITEM_KINDS`), number, wording and deadline."""

    kind: str
    number: str
    text: str = ""
    deadline: date | None = None
    deadline_note: str = ""


def item_number_key(number: object) -> tuple:
    """Sort key of an item number: numerically where it is a whole number ("2" before "10"), else by its text after those."""
    text = str(number)
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def item_key(kind: str, number: object) -> tuple:
    """Sort key of an item: kinds in :data:`ITEM_KINDS` order, then by number (:func:`item_number_key`)."""
    order = ITEM_KINDS.index(kind) if kind in ITEM_KINDS else len(ITEM_KINDS)
    return (order, kind, *item_number_key(number))


def _names_force(inspection: Inspection, force: Force | str) -> bool:
    """Whether a force-specific inspection is about ``force`` (by official name, short name or alias)."""
    if inspection.force is None:
        return False
    if isinstance(force, str):
        return inspection.force.casefold() == force.casefold()
    names = {force.name, force.short_name, *force.aliases}
    return inspection.force.casefold() in {n.casefold() for n in names}


def _identified(result: DocumentResult) -> tuple[Inspection, Force]:
    """The inspection and force of a scored document (the run makes a result only once both are known)."""
    inspection, force = result.identification.inspection, result.identification.force
    if inspection is None or force is None:
        raise ValueError(f"{result.source}: a result without its inspection or force")
    return inspection, force


def inspection_items(inspection: Inspection, force: Force | str | None = None) -> tuple[Item, ...]:
    """The items of a registered inspection a force is scored on, in report order.

    Recommendations addressed to forces (``addressee == "forces"``), then the
    causes of concern and areas for improvement; the findings of a
    force-specific inspection (``inspection.force``, e.g. a PEEL report)
    count only for that force (``force`` None: every item).
    """
    items = [Item("recommendation", r.number, r.text, r.deadline, r.deadline_note)
             for r in inspection.force_recommendations]
    if force is None or inspection.force is None or _names_force(inspection, force):
        items += [Item(f.kind, f.number, f.text) for f in (*inspection.causes_of_concern, *inspection.areas_for_improvement)]
    return tuple(sorted(items, key=lambda i: item_key(i.kind, i.number)))


def _answered_in_english(result: DocumentResult) -> set[tuple[str, str]]:
    """The (item kind, number) pairs a passage of ``result`` not in Welsh answers (blanket passages aside)."""
    return {(c.passage.item_kind, number) for c in result.passages
            if c.passage.language != "cy" and c.passage.link != "blanket" for number in c.passage.recommendations}


def _evidence(item: ClassifiedPassage) -> str:
    sentences = item.prediction.evidence or (item.passage.response_text,)
    return " … ".join(s.strip() for s in sentences if s.strip())


def _rank(item: ClassifiedPassage) -> tuple:
    p = item.passage
    return (LINK_STRENGTH[p.link], p.language == "en", len(p.response_text), -p.start)


def _recency(result: DocumentResult) -> tuple[date, str]:
    """Order of responses: by response date (undated first), then by file name."""
    return (result.identification.response_date or date.min, result.source)


def _latest(results: Sequence[DocumentResult]) -> DocumentResult:
    return max(results, key=_recency)


#: ``forces.overall_stance_basis``: the stance is a blanket passage's label, or there is none because the
#: response answers its items one by one and says nothing of the report's status as a whole, or it is
#: ``not_addressed`` because the response's only statement about the whole report acknowledges receipt (D2).
STANCE_FROM_BLANKET, STANCE_ITEMISED, STANCE_RECEIPT = "blanket", "itemised", "receipt"


@functools.cache
def _stance_rules() -> dict:
    from pipeline import io

    return tomllib.loads(io.read_package_data("stance.toml"))


@functools.cache
def _dispute_patterns() -> tuple[re.Pattern, ...]:
    """The wordings of a dispute or decline of the report as a whole (``disputes`` in ``pipeline/data/stance.toml``)."""
    return tuple(re.compile(p, re.IGNORECASE) for p in _stance_rules()["disputes"])


@functools.cache
def _refusal_patterns() -> tuple[re.Pattern, ...]:
    """The wordings of a refusal of the report or of all its recommendations (``refusals`` in ``stance.toml``)."""
    return tuple(re.compile(p, re.IGNORECASE) for p in _stance_rules()["refusals"])


def _refuses(item: ClassifiedPassage) -> bool:
    """Whether a blanket passage, in words not the inspectorate's, refuses the report or its recommendations as a whole.

    Not a dispute of a finding or a grade, nor a refusal of one recommendation or of some: those leave a claim of
    action beside them standing (guidelines section 8).
    """
    return item.passage.voice != "inspectorate" and any(p.search(item.passage.response_text)
                                                         for p in _refusal_patterns())


def _disputes(item: ClassifiedPassage) -> bool:
    """Whether a blanket passage, in words not the inspectorate's, disputes or declines the report as a whole.

    Guidelines section 8: a decline, or a dispute with no action, is ``not_addressed`` ("the force does not accept
    the recommendations"); unlike a welcome (D2) it says where the force stands.
    """
    return (item.prediction.label == "not_addressed" and item.passage.voice != "inspectorate"
            and (any(p.search(item.passage.response_text) for p in _dispute_patterns()) or _refuses(item)))


@functools.cache
def _receipt_patterns() -> tuple[re.Pattern, ...]:
    """The wordings of a sentence that only acknowledges receipt (``receipts`` in ``pipeline/data/stance.toml``)."""
    return tuple(re.compile(p, re.IGNORECASE) for p in _stance_rules()["receipts"])


def _only_acknowledges_receipt(item: ClassifiedPassage) -> bool:
    """Whether every sentence of a passage only acknowledges receipt of an update, report or letter (D2).

    The classifier can read a receipt ("I have received the Chief Constable's update on ...") as a claim; the
    wording says nothing of where the work stands, so it is none, whatever the label.
    """
    sentences = [s.strip().rstrip(".!").strip() for s in re.split(r"(?<=[.!?])\s+", item.passage.response_text)]
    sentences = [s for s in sentences if s]
    return bool(sentences) and all(any(p.fullmatch(s) for p in _receipt_patterns()) for s in sentences)


def _makes_status_claim(item: ClassifiedPassage) -> bool:
    """Whether a blanket passage says where the work stands.

    Guideline D2: welcoming, receiving or monitoring alone (the classifier's ``not_addressed``, or any label on
    words that only acknowledge receipt, :func:`_only_acknowledges_receipt`) does not; a dispute or decline of the
    report as a whole (section 8, :func:`_disputes`) does.
    """
    return (item.prediction.label != "not_addressed" and not _only_acknowledges_receipt(item)) or _disputes(item)


def _stance(result: DocumentResult) -> tuple[ClassifiedPassage | None, str]:
    """The passage that gives the response's overall stance (D9) and the stance's basis.

    Returns ``(passage, "blanket")``, or ``(passage, "receipt")`` when the passage chosen only acknowledges receipt
    (:func:`_only_acknowledges_receipt`: its stance is ``not_addressed``, :func:`_stance_label`);
    ``(None, "itemised")`` when the response answers items by passages of their own and none of its blanket
    passages makes a status claim (a welcome or a PCC's "I will monitor progress", D2, would read as
    ``not_addressed`` beside items answered one by one: the item counts are the answer); ``(None, "")`` when it
    has neither. A refusal of the whole report ("the force does not accept the
    recommendations", :func:`_disputes`) is a status claim: the stance even beside items answered one by one.

    The stance is the force's answer, so whose words a passage is (``Passage.voice``) comes first: a passage in
    the inspectorate's voice (a news page's "inspectors found ...") only when no other exists, and one in the
    reporter's (the narration of a page that quotes the force: "Three areas were judged to require improvement",
    read as a claim) only when the force's and its commissioner's own words are none (realtext4 audit). Then one that
    makes a status claim before one that only welcomes, receives or monitors (D2), and a claim of action before a
    dispute or decline (section 8: disputing while acting is no decline), but a passage read as acting that
    refuses the report or its recommendations as a whole in its own words (:func:`_refuses`: "we're not accepting
    the report") claims no action: it comes after a dispute or decline read as such (section 6: the more
    advanced claim counts only if nothing contradicts it); then English before Welsh; then the force's or its
    commissioner's voice before an unknown one; then the longest, the earliest on a tie.
    """
    blanket = [c for c in result.passages if c.passage.link == "blanket"]
    if any(c.passage.link != "blanket" for c in result.passages):
        blanket = [c for c in blanket if _makes_status_claim(c)]
        if not blanket:
            return None, STANCE_ITEMISED

    def preference(item: ClassifiedPassage) -> tuple:
        p = item.passage
        acting = item.prediction.label != "not_addressed"
        # 2 a claim of action, 1 a dispute or decline (or a welcome), 0 an action read in a refusal's own words
        reading = (0 if _refuses(item) else 2) if acting else 1
        return (p.voice != "inspectorate", p.voice != "reporter", _makes_status_claim(item), reading,
                p.language == "en", p.voice == "force", len(p.response_text), -p.start)

    if not blanket:
        return None, ""
    chosen = max(blanket, key=preference)
    # the response's only words about the whole report acknowledge receipt: they say nothing of where the work
    # stands (D2), so the stance is not_addressed whatever the classifier reads in them (_stance_label)
    return chosen, STANCE_RECEIPT if _only_acknowledges_receipt(chosen) else STANCE_FROM_BLANKET


def _stance_label(stance: ClassifiedPassage | None, basis: str) -> tuple[str, float]:
    """``forces.overall_stance`` and its confidence: the stance passage's label, ``not_addressed`` (1.0) for a receipt.

    Guidelines section 9 and D2: words that only receive, welcome or note are ``not_addressed``; a receipt is found
    by rule (``receipts`` in ``stance.toml``), so its label is the rule's, as a blanket cell's is.
    """
    if stance is None:
        return "", float("nan")
    if basis == STANCE_RECEIPT:
        return "not_addressed", 1.0
    return stance.prediction.label, stance.prediction.confidence


def _cell(inspection: Inspection, force: str, item: Item, result: DocumentResult, url: str) -> dict:
    linked = [c for c in result.passages
              if c.passage.item_kind == item.kind and item.number in c.passage.recommendations]
    base = {
        "inspection": inspection.id, "register": "registered" if inspection.registered else "none", "force": force,
        "item_kind": item.kind, "recommendation": item.number, "source": result.source, "url": url,
        "sha256": result.sha256, "response_date": result.identification.response_date,
        "deadline": item.deadline, "deadline_note": item.deadline_note,
    }
    empty = {f"p_{label}": float("nan") for label in LABELS}
    if not linked:
        return {**base, **empty, "status": "not_addressed", "confidence": 1.0, "basis": "no_passage",
                "evidence": f"No passage answering {ITEM_KIND_TEXT[item.kind]} {item.number} was found in this response.",
                "page": pd.NA, "char_start": pd.NA, "char_end": pd.NA, "passage_id": "", "link": "", "language": "",
                "ocr": pd.NA}
    best = max(linked, key=_rank)
    p, pred = best.passage, best.prediction
    where = {"page": p.page, "char_start": p.start, "char_end": p.end, "passage_id": p.id, "link": p.link,
             "language": p.language, "ocr": p.ocr}
    if p.link == "blanket":
        # Guidelines section 4: a statement about every recommendation at once answers none of them.
        return {**base, **where, **empty, "status": "not_addressed", "confidence": 1.0, "basis": "blanket",
                "evidence": p.response_text}
    return {**base, **where, "status": pred.label, "confidence": pred.confidence, "basis": "model",
            "evidence": _evidence(best), **{f"p_{label}": float(pred.scores[label]) for label in LABELS}}


def _found_items(result: DocumentResult) -> list[Item]:
    """The items an unregistered inspection's response answers: the kind and number of every specific passage."""
    found = {(c.passage.item_kind, n) for c in result.passages if c.passage.link != "blanket"
             for n in c.passage.recommendations}
    return [Item(kind, number) for kind, number in sorted(found, key=lambda k: item_key(*k))]


def _url(urls: Mapping[str, str], result: DocumentResult) -> str:
    return urls.get(result.sha256) or urls.get(result.source) or ""


def _days_after(inspection: Inspection, response_date: date | None) -> int | None:
    if response_date is None or inspection.published is None:
        return None
    return (response_date - inspection.published).days


def build_scorecard(results: Sequence[DocumentResult], problems: Sequence[Problem], inspections: Sequence[Inspection],
                    as_of: date | None = None, urls: Mapping[str, str] | None = None) -> Scorecard:
    """Assemble the scorecard, passages, per-force summary and errors tables (sorted for stable output).

    ``as_of`` is the day deadlines are checked against (``overdue``); None
    means today, so pass it explicitly wherever the output must be
    reproducible (the CLI always does). ``urls`` maps a file's sha256 or
    its path (as in ``DocumentResult.source``) to the address it was
    fetched from (``sources.csv``); files it does not name get an empty
    ``url``. Pure apart from the ``as_of`` default.

    Rows: a registered inspection gets one per item of
    :func:`inspection_items` for each force with a response; an unregistered
    one (``Inspection.registered`` False) one per item its response answers
    by a passage of its own, with ``coverage`` unknown (empty) and never a
    ``no_passage`` row. A response's blanket passage is its overall stance
    (``forces.overall_stance``); for a registered inspection each item it
    alone answers stays ``not_addressed`` with ``basis = blanket``.
    """
    as_of = as_of or date.today()
    urls = urls or {}
    results, copies = _once_each(results)
    results = [part for result in results for part in by_inspection(result)]
    by_id = {i.id: i for i in inspections}
    groups: dict[tuple[str, str], list[DocumentResult]] = {}
    forces_by_name: dict[str, Force] = {}
    for result in results:
        inspection, by = _identified(result)
        by_id.setdefault(inspection.id, inspection)
        forces_by_name[by.name] = by
        groups.setdefault((inspection.id, by.name), []).append(result)

    rows: list[dict] = []
    responses: list[dict] = []
    stance_passages: dict[tuple[str, str], tuple[str, str]] = {}
    for (inspection_id, force), group in sorted(groups.items()):
        if inspection_id not in by_id:
            continue  # an unregistered inspection: no register items to make rows of (its passages are still listed)
        inspection, chosen = by_id[inspection_id], _latest(group)
        if inspection.registered:
            rows.extend(_cell(inspection, force, item, chosen, _url(urls, chosen))
                        for item in inspection_items(inspection, forces_by_name[force]))
            stance, basis = _stance(chosen)
        else:
            # Without a register, two documents of one force under one id need not be one response and its
            # update (many answers name no report at all): every item any of them answers is kept, each from the
            # latest document that answers it, and the stance from the latest document that has one.
            oldest_first = sorted(group, key=_recency)
            answering: dict[tuple[str, str], DocumentResult] = {}
            for result in oldest_first:
                answering.update({(item.kind, item.number): result for item in _found_items(result)})
            rows.extend(_cell(inspection, force, Item(kind, number), answering[(kind, number)],
                              _url(urls, answering[(kind, number)]))
                        for kind, number in sorted(answering, key=lambda k: item_key(*k)))
            stances = [_stance(result) for result in reversed(oldest_first)]
            stance, basis = next((s for s in stances if s[0] is not None), stances[0])
        days = _days_after(inspection, chosen.identification.response_date)
        if stance is not None:
            stance_passages[(inspection_id, force)] = (stance.passage.id, stance.passage.item_kind)
        responses.append({
            "inspection": inspection_id, "register": "registered" if inspection.registered else "none",
            "force": force, "source": chosen.source, "url": _url(urls, chosen), "sha256": chosen.sha256,
            "response_date": chosen.identification.response_date, "days_after_publication": days,
            "published_within_56_days": None if days is None else days <= SECTION_55_DAYS,
            "overall_stance": _stance_label(stance, basis)[0],
            "overall_stance_confidence": _stance_label(stance, basis)[1],
            "overall_stance_basis": basis,
        })
    scorecard = pd.DataFrame(rows, columns=SCORECARD_COLUMNS)
    for column in ("page", "char_start", "char_end"):
        scorecard[column] = scorecard[column].astype("Int64")
    scorecard["ocr"] = scorecard["ocr"].astype("boolean")
    for column in ("response_date", "deadline"):
        scorecard[column] = pd.to_datetime(scorecard[column]).dt.date
    scorecard = _add_force_columns(scorecard, by_id)
    scorecard["overdue"] = pd.array(
        [is_overdue(s, d, as_of) for s, d in zip(scorecard["status"], scorecard["deadline"])], dtype="boolean")

    passage_rows = []
    for result in results:
        inspection, by = _identified(result)
        stance, _ = _stance(result)
        answered_in_english = _answered_in_english(result)
        for item in result.passages:
            p, pred = item.passage, item.prediction
            # the model reads English only: a Welsh passage beside its items' English answers has no status of its own
            unread = p.language == "cy" and bool(p.recommendations) and all(
                (p.item_kind, n) in answered_in_english for n in p.recommendations)
            passage_rows.append({
                "passage_id": p.id, "inspection": inspection.id,
                "register": "registered" if inspection.registered else "none", "force": by.name,
                "source": p.source, "url": _url(urls, result), "sha256": p.sha256,
                "response_date": result.identification.response_date, "item_kind": p.item_kind,
                "recommendations": ";".join(p.recommendations), "link": p.link, "language": p.language, "ocr": p.ocr,
                "page": p.page, "char_start": p.start, "char_end": p.end, "status": "" if unread else pred.label,
                "confidence": float("nan") if unread else pred.confidence,
                **{f"p_{label}": float("nan") if unread else float(pred.scores[label]) for label in LABELS},
                "voice": p.voice, "is_overall_stance": item is stance, "evidence": _evidence(item),
                "response_text": p.classified_text, "text": p.text,  # with a tracker's status, as it was classified
            })
    passages = pd.DataFrame(passage_rows, columns=PASSAGE_COLUMNS)
    passages = passages.sort_values(["inspection", "force", "source", "char_start", "char_end", "item_kind", "recommendations"],
                                    kind="mergesort").reset_index(drop=True)

    forces = force_summary(scorecard, _response_frame(responses))
    # a scored document's page-level problems (a page lost, OCR below the floor) are rows too, with their page
    every = (list(problems) + [p for result in results for p in result.problems] + _unaccounted(groups, responses)
             + copies)
    errors = pd.DataFrame([{"source": p.source, "sha256": p.sha256, "code": p.code, "page": p.page, "message": p.message}
                           for p in every], columns=ERROR_COLUMNS)
    errors["page"] = errors["page"].astype("Int64")
    errors = errors.sort_values(["source", "page", "code"], na_position="first").reset_index(drop=True)
    answered = tuple(by_id[i] for i in sorted({k for k, _ in groups}))
    return Scorecard(scorecard=scorecard, passages=passages, forces=forces, errors=errors, inspections=answered,
                     ocr_pages={r.source: r.ocr_pages for r in results if r.ocr_pages}, stance_passages=stance_passages)


@functools.cache
def _copy_name_patterns() -> tuple[re.Pattern, ...]:
    """How a file's name says it is a copy ("response (1)", "Copy of response"): ``names`` in ``pipeline/data/copies.toml``."""
    from pipeline import io

    return tuple(re.compile(p, re.IGNORECASE) for p in tomllib.loads(io.read_package_data("copies.toml"))["names"])


def looks_like_copy(source: str) -> bool:
    """Whether the file name of ``source`` (a path) is a copy's name, by :func:`_copy_name_patterns` (its stem)."""
    stem = PurePath(source).stem
    return any(p.search(stem) for p in _copy_name_patterns())


def by_inspection(result: DocumentResult) -> list[DocumentResult]:
    """A document answering several inspections in parts (``Identification.sections``) as one result per inspection.

    Each has that inspection and the passages that start in its parts, so its rows and passages are read against
    its own inspection; the document's page-level problems stay with the first. A document answering one
    inspection is ``[result]``.
    """
    sections = result.identification.sections
    if not sections:
        return [result]
    parts: list[DocumentResult] = []
    for inspection_id in dict.fromkeys(s.inspection.id for s in sections):
        spans = [s for s in sections if s.inspection.id == inspection_id]
        identification = replace(result.identification, inspection=spans[0].inspection, sections=())
        passages = tuple(c for c in result.passages if any(s.start <= c.passage.start < s.end for s in spans))
        parts.append(replace(result, identification=identification, passages=passages,
                             problems=result.problems if not parts else ()))
    return parts


def _once_each(results: Sequence[DocumentResult]) -> tuple[list[DocumentResult], list[Problem]]:
    """Each scored document once: the results without identical copies, and an E449 note for each copy.

    Two input files with the same sha256, identified as the same force's response to the same inspection, are one
    document (a download saved twice, "copy of ..."): scoring both would list its passages twice. The one counted is
    the first in the order given (the run's input order: by path, the same for any number of jobs) whose name does
    not look like a copy's (:func:`looks_like_copy`: "response (1).txt" sorts before "response.txt", yet the
    original is the one a reader looks for), else the first in that order; each other copy becomes a note naming
    the one counted. The same bytes given as two forces' responses (a joint response, each copy named for its force
    in a manifest) are two responses and both are kept; a copy that could not be scored keeps its own problem row.
    """
    groups: dict[tuple[str, str, str], list[int]] = {}  # (sha256, inspection, force) -> the results' positions
    for index, result in enumerate(results):
        inspection, force = _identified(result)
        groups.setdefault((result.sha256, inspection.id, force.name), []).append(index)
    kept = {i: min(members, key=lambda m: (looks_like_copy(results[m].source), m))
            for members in groups.values() for i in members}
    counted = [result for i, result in enumerate(results) if kept[i] == i]
    copies = [PipelineError("E449", original=results[kept[i]].source).problem(result.source, result.sha256)
              for i, result in enumerate(results) if kept[i] != i]
    return counted, copies


def _unaccounted(groups: Mapping[tuple[str, str], Sequence[DocumentResult]], responses: Sequence[Mapping]) -> list[Problem]:
    """An E447 note for each scored document that would leave no row in any table, so none is silently lost.

    Such a document gave no passage (so it is not in ``passages``) and another response of its force to the same
    inspection is the one scored (so it is not a ``source`` in ``forces``).
    """
    chosen = {(r["inspection"], r["force"]): r["source"] for r in responses}
    notes = []
    for (inspection_id, force), group in sorted(groups.items()):
        for result in group:
            if not result.passages and result.source != chosen.get((inspection_id, force)):
                error = PipelineError("E447", force=force, inspection=inspection_id,
                                      chosen=chosen.get((inspection_id, force), ""))
                notes.append(error.problem(result.source, result.sha256))
    return notes


def _response_frame(rows: Sequence[Mapping]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=RESPONSE_COLUMNS)
    frame["response_date"] = pd.to_datetime(frame["response_date"]).dt.date
    frame["days_after_publication"] = frame["days_after_publication"].astype("Int64")
    frame["published_within_56_days"] = frame["published_within_56_days"].astype("boolean")
    frame["overall_stance_confidence"] = frame["overall_stance_confidence"].astype(float)
    return frame


def is_overdue(status: str, deadline: date | None, as_of: date) -> bool | None:
    """Whether a recommendation is overdue on ``as_of``: True when not ``completed`` and the deadline has passed.

    None (unknown) when there is no dated deadline: a deadline such as
    "within six months of the College's update" cannot be checked.
    """
    if deadline is None or pd.isna(deadline):
        return None
    return status != "completed" and deadline < as_of


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes`` of ``n``; (nan, nan) when ``n`` is 0.

    Chosen over the normal approximation because a force has only a handful of
    recommendations and shares near 0 or 1 are common: Wilson stays inside
    [0, 1] and keeps its coverage for small ``n``.
    """
    if n <= 0:
        return float("nan"), float("nan")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At k = 0 and k = n the bounds are exactly 0 and 1; rounding would leave them a hair off.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def _add_force_columns(scorecard: pd.DataFrame, inspections: dict[str, Inspection]) -> pd.DataFrame:
    """Per-force section 55 columns, repeated on each of the force's rows."""
    days = [_days_after(inspections[i], None if r is None or pd.isna(r) else r)
            for i, r in zip(scorecard["inspection"], scorecard["response_date"])]
    scorecard["days_after_publication"] = pd.array([pd.NA if d is None else d for d in days], dtype="Int64")
    # An undated response stays unknown (NA): the check is never guessed from the file's date.
    scorecard["published_within_56_days"] = pd.array(
        [pd.NA if d is None else d <= SECTION_55_DAYS for d in days], dtype="boolean")
    # Coverage: the share answered by a passage of their own (the model decided), not by rule.
    coverage = (scorecard["basis"] == "model").groupby(
        [scorecard["inspection"], scorecard["force"]]).transform("mean").astype(float)
    # Without a register the items are only those the response answers: how many it left out is unknown.
    scorecard["coverage"] = coverage.where(scorecard["register"] != "none")
    return scorecard


def force_summary(scorecard: pd.DataFrame, responses: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``forces`` table: one row per (inspection, force) with its status counts, derived from ``scorecard``.

    In: scorecard rows as :func:`build_scorecard` makes them (status counts
    follow the ``status`` column, so call this again after statuses change,
    e.g. after a review) and ``responses``, the facts of each scored response
    (:data:`RESPONSE_COLUMNS`; a previous ``forces`` table has them). Without
    ``responses`` those facts come from the scorecard rows, and the overall
    stance is unknown. A response with no scorecard row (a blanket answer to
    an unregistered inspection) keeps its row with zero items. Out:
    :data:`FORCE_COLUMNS`, with ``share_completed`` and its 95% Wilson
    interval over the force's items (empty when it has none).
    """
    keys = ["inspection", "force"]
    if responses is None:
        responses = _responses_from_rows(scorecard)
    responses = responses[RESPONSE_COLUMNS].sort_values(keys).reset_index(drop=True)
    counts = pd.DataFrame({
        **{column: (scorecard["item_kind"] == kind) for kind, column in _KIND_COUNT.items()},
        "items": True, "items_answered": scorecard["basis"] == "model",
        **{label: scorecard["status"] == label for label in LABELS},
        "items_overdue": scorecard["overdue"].fillna(False).astype(bool),
    }, index=scorecard.index).astype(int)
    counts = counts.groupby([scorecard["inspection"], scorecard["force"]]).sum()
    coverage = scorecard.groupby(keys)["coverage"].first()
    forces = responses.join(counts, on=keys).join(coverage, on=keys)
    number_columns = [*_KIND_COUNT.values(), "items", "items_answered", *LABELS, "items_overdue"]
    forces[number_columns] = forces[number_columns].fillna(0).astype(int)
    forces["coverage"] = forces["coverage"].astype(float)
    forces["share_completed"] = (forces["completed"] / forces["items"].where(forces["items"] > 0)).astype(float)
    intervals = [wilson_interval(int(k), int(n)) for k, n in zip(forces["completed"], forces["items"])]
    forces["completed_ci_low"] = pd.Series([low for low, _ in intervals], index=forces.index, dtype=float)
    forces["completed_ci_high"] = pd.Series([high for _, high in intervals], index=forces.index, dtype=float)
    return forces[FORCE_COLUMNS]


def _responses_from_rows(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Each (inspection, force)'s response facts as its scorecard rows repeat them (no overall stance)."""
    if scorecard.empty:
        return _response_frame([])
    keys = ["inspection", "force"]
    first = scorecard.groupby(keys, sort=True).agg(
        register=("register", "first"), source=("source", "first"), url=("url", "first"), sha256=("sha256", "first"),
        response_date=("response_date", "first"), days_after_publication=("days_after_publication", "first"),
        published_within_56_days=("published_within_56_days", "first")).reset_index()
    first["overall_stance"] = ""
    first["overall_stance_confidence"] = float("nan")
    first["overall_stance_basis"] = ""
    # groupby "first" skips NA, which would turn an all-NA column's dtype to object; restore the nullable types.
    return _response_frame(first.to_dict("records"))


def force_profiles(forces: pd.DataFrame) -> pd.DataFrame:
    """The ``force_profiles`` table: one row per force, its record across every inspection it answered.

    In: the ``forces`` table (:func:`force_summary`). Out:
    :data:`PROFILE_COLUMNS`, sorted by force: inspections answered (and how
    many of them have no register), items scored and answered by a passage
    of their own, status counts, the share completed with its 95% Wilson
    interval over all the force's items, items overdue, responses dated
    against a known publication day and how many of those came within the
    56 days of section 55, and the responses' overall stances counted by label.
    """
    if forces.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    by_force = forces.groupby("force", sort=True)
    profiles = pd.DataFrame({
        "inspections": by_force.size(),
        "unregistered_inspections": by_force["register"].agg(lambda r: int((r == "none").sum())),
        **{column: by_force[column].sum() for column in ("items", "items_answered", *LABELS, "items_overdue")},
        "responses_dated": by_force["days_after_publication"].agg(lambda d: int(d.notna().sum())),
        "responses_within_56_days": by_force["published_within_56_days"].agg(lambda w: int(w.fillna(False).sum())),
        **{f"overall_stance_{label}": by_force["overall_stance"].agg(lambda s, label=label: int((s == label).sum()))
           for label in LABELS},
    }).reset_index()
    profiles["share_completed"] = (profiles["completed"] / profiles["items"].where(profiles["items"] > 0)).astype(float)
    intervals = [wilson_interval(int(k), int(n)) for k, n in zip(profiles["completed"], profiles["items"])]
    profiles["completed_ci_low"] = [low for low, _ in intervals]
    profiles["completed_ci_high"] = [high for _, high in intervals]
    return profiles[PROFILE_COLUMNS]
