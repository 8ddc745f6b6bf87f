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

Deadlines and section 55 of the Police Act 1996: each row carries the
recommendation's ``deadline`` and whether it is ``overdue`` on the run's
``as_of`` date, and the force's ``response_date``, how many days after the
report's publication it came, whether that is within the statutory 56 days
(unknown, never guessed, when the response is undated) and its ``coverage``
(share of recommendations answered by a passage of their own). ``forces``
adds the share completed with its 95% Wilson interval. Everything per force
is computed from the scorecard rows, so the two tables cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Sequence

import pandas as pd

from pipeline.types import LABELS, ClassifiedPassage, DocumentResult, Inspection, Problem

#: Order of preference between passages linked to one recommendation.
LINK_STRENGTH = {"numbered": 3, "mention": 2, "content": 1, "blanket": 0}

#: Police Act 1996 s.55(1): the PCC publishes comments within 56 days of the report (law, not configuration).
SECTION_55_DAYS = 56

#: Two-sided 95% normal quantile for the Wilson interval.
Z_95 = 1.959963984540054

SCORECARD_COLUMNS = [
    "inspection", "force", "recommendation", "status", "confidence", "basis", "evidence",
    "source", "sha256", "page", "char_start", "char_end", "passage_id", "link", "language",
    "response_date", "days_after_publication", "published_within_56_days", "coverage", "deadline", "deadline_note",
    "overdue", *[f"p_{label}" for label in LABELS],
]
PASSAGE_COLUMNS = [
    "passage_id", "inspection", "force", "source", "sha256", "response_date", "recommendations", "link",
    "language", "page", "char_start", "char_end", "status", "confidence", *[f"p_{label}" for label in LABELS],
    "evidence", "response_text", "text",
]
FORCE_COLUMNS = [
    "inspection", "force", "source", "response_date", "days_after_publication", "published_within_56_days",
    "coverage", "recommendations", *LABELS, "share_completed", "completed_ci_low", "completed_ci_high",
]
ERROR_COLUMNS = ["source", "sha256", "code", "page", "message"]


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
    recommendation = inspection.recommendation(number)
    base = {
        "inspection": inspection.id, "force": force, "recommendation": number, "source": result.source,
        "sha256": result.sha256, "response_date": result.identification.response_date,
        "deadline": recommendation.deadline, "deadline_note": recommendation.deadline_note,
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


def build_scorecard(results: Sequence[DocumentResult], problems: Sequence[Problem], inspections: Sequence[Inspection],
                    as_of: date | None = None) -> Scorecard:
    """Assemble the scorecard, passages, per-force summary and errors tables (sorted for stable output).

    ``as_of`` is the day deadlines are checked against (``overdue``); None
    means today, so pass it explicitly wherever the output must be
    reproducible (the CLI always does). Pure apart from that default.
    """
    as_of = as_of or date.today()
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
    for column in ("response_date", "deadline"):
        scorecard[column] = pd.to_datetime(scorecard[column]).dt.date
    scorecard = _add_force_columns(scorecard, by_id)
    scorecard["overdue"] = pd.array(
        [is_overdue(s, d, as_of) for s, d in zip(scorecard["status"], scorecard["deadline"])], dtype="boolean")

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

    forces = force_summary(scorecard)
    # a scored document's page-level problems (a page lost, OCR below the floor) are rows too, with their page
    every = list(problems) + [p for result in results for p in result.problems]
    errors = pd.DataFrame([{"source": p.source, "sha256": p.sha256, "code": p.code, "page": p.page, "message": p.message}
                           for p in every], columns=ERROR_COLUMNS)
    errors["page"] = errors["page"].astype("Int64")
    errors = errors.sort_values(["source", "page", "code"], na_position="first").reset_index(drop=True)
    return Scorecard(scorecard=scorecard, passages=passages, forces=forces, errors=errors)


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
    published = scorecard["inspection"].map(lambda i: inspections[i].published)
    days = [pd.NA if r is None or pd.isna(r) else (r - p).days for r, p in zip(scorecard["response_date"], published)]
    scorecard["days_after_publication"] = pd.array(days, dtype="Int64")
    # An undated response stays unknown (NA): the check is never guessed from the file's date.
    scorecard["published_within_56_days"] = pd.array(
        [pd.NA if pd.isna(d) else d <= SECTION_55_DAYS for d in days], dtype="boolean")
    # Coverage: the share answered by a passage of their own (the model decided), not by rule.
    scorecard["coverage"] = (scorecard["basis"] == "model").groupby(
        [scorecard["inspection"], scorecard["force"]]).transform("mean").astype(float)
    return scorecard


def force_summary(scorecard: pd.DataFrame) -> pd.DataFrame:
    """The ``forces`` table: one row per (inspection, force) with its status counts, derived from ``scorecard``.

    In: scorecard rows as :func:`build_scorecard` makes them (status counts
    follow the ``status`` column, so call this again after statuses change,
    e.g. after a review). Out: :data:`FORCE_COLUMNS`, with ``share_completed``
    and its 95% Wilson interval over the force's recommendations.
    """
    if scorecard.empty:
        return pd.DataFrame(columns=FORCE_COLUMNS)
    keys = ["inspection", "force"]
    counts = (scorecard.groupby(keys + ["status"]).size().unstack("status", fill_value=0)
              .reindex(columns=list(LABELS), fill_value=0))
    meta = scorecard.groupby(keys).agg(
        source=("source", "first"), response_date=("response_date", "first"),
        days_after_publication=("days_after_publication", "first"),
        published_within_56_days=("published_within_56_days", "first"), coverage=("coverage", "first"),
        recommendations=("recommendation", "size"))
    forces = meta.join(counts).reset_index()
    forces["share_completed"] = forces["completed"] / forces["recommendations"]
    intervals = [wilson_interval(int(k), int(n)) for k, n in zip(forces["completed"], forces["recommendations"])]
    forces["completed_ci_low"] = [low for low, _ in intervals]
    forces["completed_ci_high"] = [high for _, high in intervals]
    # groupby "first" skips NA, which would turn an all-NA column's dtype to object; restore the nullable types.
    forces["days_after_publication"] = forces["days_after_publication"].astype("Int64")
    forces["published_within_56_days"] = forces["published_within_56_days"].astype("boolean")
    return forces[FORCE_COLUMNS]
