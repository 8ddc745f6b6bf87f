"""Score: turn classified passages into the scorecard dataset.

In: the :class:`~pipeline.types.DocumentResult` of every scored document,
the :class:`~pipeline.types.Problem` of every document that could not be
scored, and the inspections. Out: a :class:`Scorecard` of pandas tables,
written by the CLI as ``scorecard.csv``/``.parquet``, ``passages.csv``,
``forces.csv`` and ``errors.csv``.

One scorecard row per (inspection, force, recommendation addressed to
forces) for every force with a scored response. Where a force published
several responses to one inspection, the most recent by response date is
scored (ties: the last by file name) and named in ``source``; every
passage of every response stays in ``passages``.

Which passage speaks for a recommendation: the strongest link (numbered, then
prose mention, then content match), English before Welsh, then the longest.
A recommendation answered only by a blanket statement is ``not_addressed``
by the guidelines (section 4), with that statement as evidence; one with no
passage at all is ``not_addressed`` with evidence saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

import pandas as pd

from pipeline.types import LABELS, ClassifiedPassage, DocumentResult, Inspection, Problem

#: Order of preference between passages linked to one recommendation.
LINK_STRENGTH = {"numbered": 3, "mention": 2, "content": 1, "blanket": 0}

SCORECARD_COLUMNS = [
    "inspection", "force", "recommendation", "status", "confidence", "basis", "evidence",
    "source", "sha256", "page", "char_start", "char_end", "passage_id", "link", "language",
    "response_date", *[f"p_{label}" for label in LABELS],
]
PASSAGE_COLUMNS = [
    "passage_id", "inspection", "force", "source", "sha256", "response_date", "recommendations", "link",
    "language", "page", "char_start", "char_end", "status", "confidence", *[f"p_{label}" for label in LABELS],
    "evidence", "response_text", "text",
]
FORCE_COLUMNS = ["inspection", "force", "source", "response_date", "recommendations", *LABELS]
ERROR_COLUMNS = ["source", "sha256", "code", "message"]


@dataclass(frozen=True)
class Scorecard:
    """The tables a run writes. Every frame has its documented columns even when empty."""

    scorecard: pd.DataFrame
    passages: pd.DataFrame
    forces: pd.DataFrame
    errors: pd.DataFrame


def _evidence(item: ClassifiedPassage) -> str:
    sentences = item.prediction.evidence or (item.passage.response_text,)
    return " … ".join(s.strip() for s in sentences if s.strip())


def _rank(item: ClassifiedPassage) -> tuple:
    p = item.passage
    return (LINK_STRENGTH[p.link], p.language == "en", len(p.response_text), -p.start)


def _latest(results: Sequence[DocumentResult]) -> DocumentResult:
    return max(results, key=lambda r: (r.identification.response_date or date.min, r.source))


def _cell(inspection: Inspection, force: str, number: str, result: DocumentResult) -> dict:
    linked = [c for c in result.passages if number in c.passage.recommendations]
    base = {
        "inspection": inspection.id, "force": force, "recommendation": number, "source": result.source,
        "sha256": result.sha256, "response_date": result.identification.response_date,
    }
    empty = {f"p_{label}": float("nan") for label in LABELS}
    if not linked:
        return {**base, **empty, "status": "not_addressed", "confidence": 1.0, "basis": "no_passage",
                "evidence": f"No passage answering recommendation {number} was found in this response.",
                "page": pd.NA, "char_start": pd.NA, "char_end": pd.NA, "passage_id": "", "link": "", "language": ""}
    best = max(linked, key=_rank)
    p, pred = best.passage, best.prediction
    where = {"page": p.page, "char_start": p.start, "char_end": p.end, "passage_id": p.id, "link": p.link,
             "language": p.language}
    if p.link == "blanket":
        # Guidelines section 4: a statement about every recommendation at once answers none of them.
        return {**base, **where, **empty, "status": "not_addressed", "confidence": 1.0, "basis": "blanket",
                "evidence": p.response_text}
    return {**base, **where, "status": pred.label, "confidence": pred.confidence, "basis": "model",
            "evidence": _evidence(best), **{f"p_{label}": float(pred.scores[label]) for label in LABELS}}


def build_scorecard(results: Sequence[DocumentResult], problems: Sequence[Problem], inspections: Sequence[Inspection]) -> Scorecard:
    """Assemble the scorecard, passages, per-force counts and errors tables (pure; sorted for stable output)."""
    by_id = {i.id: i for i in inspections}
    groups: dict[tuple[str, str], list[DocumentResult]] = {}
    for result in results:
        ident = result.identification
        groups.setdefault((ident.inspection.id, ident.force.name), []).append(result)

    rows = []
    for (inspection_id, force), group in sorted(groups.items()):
        inspection, chosen = by_id[inspection_id], _latest(group)
        rows.extend(_cell(inspection, force, r.number, chosen) for r in inspection.force_recommendations)
    scorecard = pd.DataFrame(rows, columns=SCORECARD_COLUMNS)
    if not scorecard.empty:
        scorecard["_order"] = scorecard["recommendation"].astype(int)
        scorecard = scorecard.sort_values(["inspection", "force", "_order"]).drop(columns="_order").reset_index(drop=True)
    for column in ("page", "char_start", "char_end"):
        scorecard[column] = scorecard[column].astype("Int64")
    scorecard["response_date"] = pd.to_datetime(scorecard["response_date"]).dt.date

    passage_rows = []
    for result in results:
        ident = result.identification
        for item in result.passages:
            p, pred = item.passage, item.prediction
            passage_rows.append({
                "passage_id": p.id, "inspection": ident.inspection.id, "force": ident.force.name, "source": p.source,
                "sha256": p.sha256, "response_date": ident.response_date, "recommendations": ";".join(p.recommendations),
                "link": p.link, "language": p.language, "page": p.page, "char_start": p.start, "char_end": p.end,
                "status": pred.label, "confidence": pred.confidence,
                **{f"p_{label}": float(pred.scores[label]) for label in LABELS},
                "evidence": _evidence(item), "response_text": p.response_text, "text": p.text,
            })
    passages = pd.DataFrame(passage_rows, columns=PASSAGE_COLUMNS)
    passages = passages.sort_values(["inspection", "force", "source", "char_start", "char_end"]).reset_index(drop=True)

    forces = _force_counts(scorecard)
    errors = pd.DataFrame([{"source": p.source, "sha256": p.sha256, "code": p.code, "message": p.message} for p in problems],
                          columns=ERROR_COLUMNS).sort_values(["source", "code"]).reset_index(drop=True)
    return Scorecard(scorecard=scorecard, passages=passages, forces=forces, errors=errors)


def _force_counts(scorecard: pd.DataFrame) -> pd.DataFrame:
    if scorecard.empty:
        return pd.DataFrame(columns=FORCE_COLUMNS)
    counts = (scorecard.groupby(["inspection", "force", "status"]).size().unstack("status", fill_value=0)
              .reindex(columns=list(LABELS), fill_value=0))
    meta = scorecard.groupby(["inspection", "force"]).agg(
        source=("source", "first"), response_date=("response_date", "first"), recommendations=("recommendation", "size"))
    forces = meta.join(counts).reset_index()
    return forces[FORCE_COLUMNS]
