"""Review and retraining: people correct the model, the scorecard keeps both labels, the model learns.

The loop, and the function each step uses (all pure but the last few,
:func:`export_reviews`, :func:`import_reviews`, :func:`read_reviews` and
:func:`with_reviews`, which read and write the files through
:mod:`pipeline.io` for the CLI):

1. ``review export``: :func:`review_candidates` lists the (passage,
   item) pairs the model labelled (an item is a recommendation, a cause of
   concern or an area for improvement: ``item_kind`` and its number in
   ``recommendation``, as in the scorecard), least confident first, with the
   cue-rule baseline's label beside the model's (disagreements first);
   :func:`for_spreadsheet` flattens it for the CSV a person fills in.
2. ``review import``: :func:`parse_review_rows` reads the filled-in CSV or
   JSONL with line numbers, :func:`check_review_rows` keeps the good rows and
   says what is wrong with the others, :func:`review_record` turns a good row
   into an annotation record and :func:`merge_reviews` merges those into
   ``corpus/annotations/reviews.jsonl`` (one record per passage and item; a
   changed label keeps ``previous_label`` and ``history``).
3. ``train`` / ``evaluate``: :func:`dedupe_annotations` makes a passage count
   once (a review beats a seed label); :func:`training_history` and
   :func:`format_history` keep and print the macro-F1 of every training run.
4. ``score``: :func:`apply_reviews` / :func:`apply_passage_reviews` add the
   reviewed label beside the model's; :func:`unmatched_reviews` names the
   reviews of a scored file that match none of its passages now (a file
   re-saved since: passages are keyed by the file's sha256 and offsets).

A record or a filled-in row without ``item_kind`` (written before kinds were
exported) is a review of a recommendation.

Which pairs are exported: every pair whose label the model decides, i.e.
passages linked to recommendations by number, mention or content, and each
response's overall stance (its blanket passage's own label, D9: one row with
recommendation :data:`STANCE_ITEM`, applied to ``forces.overall_stance`` by
:func:`apply_stance_reviews`). The single items a blanket passage alone
answers, and recommendations with no passage, are decided by the guidelines'
rule (``not_addressed``, section 4), not by the model, so they are not
exported; a row for them added by hand is still imported and applied.
"""

from __future__ import annotations

import csv
import io as _stdio  # text buffers only: files are read and written by pipeline.io
import json
import math
import os.path
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from pipeline.errors import PipelineError
from pipeline.types import GUIDELINE_ORDER, ITEM_KINDS, LABELS, Inspection, Problem

#: Probability columns, as in the scorecard.
PROBABILITY_COLUMNS = [f"p_{label}" for label in LABELS]

#: The columns a person fills in.
FILL_COLUMNS = ["reviewed_label", "reviewer", "note"]

#: Columns of the export (CSV and JSONL), in order.
EXPORT_COLUMNS = [
    "passage_id", "inspection", "force", "item_kind", "recommendation", "model_label", "confidence", *PROBABILITY_COLUMNS,
    "cue_rule_label", "disagrees", "annotated_label", "in_scorecard", "response_text", "recommendation_text",
    "source", "sha256", "page", "char_start", "char_end", "link", "scorecard", *FILL_COLUMNS,
]

#: Columns :func:`apply_reviews` adds to the scorecard.
REVIEW_COLUMNS = ["model_status", "reviewed_status", "reviewer", "reviewed_at"]

#: Columns :func:`apply_passage_reviews` adds to the passages table.
PASSAGE_REVIEW_COLUMNS = ["reviewed_status", "reviewer"]

#: The ``recommendation`` of a review of a response's overall stance: its blanket passage's label for the
#: report as a whole (guideline decision D9), the kind ``all`` the annotations give blanket answers.
STANCE_ITEM = "all"

#: What the export's ``recommendation_text`` says for an overall stance (no single item's wording applies).
STANCE_TEXT = "the response's overall stance: its statement about the whole report (no single item)"

#: Columns :func:`apply_stance_reviews` adds to the forces table, as :data:`REVIEW_COLUMNS` to the scorecard.
STANCE_REVIEW_COLUMNS = ["overall_stance_model", "overall_stance_reviewed", "overall_stance_reviewer",
                         "overall_stance_reviewed_at"]

#: Columns an import file must have (``item_kind`` may be missing: a file exported before it means recommendations).
REQUIRED_IMPORT_COLUMNS = ("passage_id", "recommendation", *FILL_COLUMNS)

#: The kind a record or row without ``item_kind`` is of: reviews were of recommendations only before kinds were kept.
DEFAULT_KIND = ITEM_KINDS[0]

#: How a review's record id names the item's kind: ``review-<passage>-r9`` (the ids of recommendations' reviews
#: are those written before kinds were kept), ``-coc1``, ``-afi4``.
_ID_KIND = {"recommendation": "r", "cause_of_concern": "coc", "area_for_improvement": "afi"}


# --- reserved forces ------------------------------------------------------------------

def reserved_force_names(forces: Sequence[Any], reserved: Sequence[str]) -> frozenset[str]:
    """Every name (official, short, alias; case-folded) of the forces the ``reserved`` list names.

    In: the :class:`~pipeline.types.Force` records of ``pipeline/data/forces.csv`` and the list of
    ``corpus/reserved-forces.txt`` (short names, :func:`pipeline.io.read_reserved_forces`). A record names its
    force as "Kent" (annotations) or "Kent Police" (scored passages): both are caught. A listed name no force
    holds is kept as it is.
    """
    wanted = {name.strip().casefold() for name in reserved if name.strip()}
    names = set(wanted)
    for force in forces:
        every = {force.name, force.short_name, *force.aliases}
        if wanted & {n.casefold() for n in every}:
            names |= {n.casefold() for n in every}
    return frozenset(names)


def is_reserved(force: Any, reserved_names: frozenset[str]) -> bool:
    """Whether a record's ``force`` is one of :func:`reserved_force_names`."""
    return isinstance(force, str) and force.strip().casefold() in reserved_names


# --- keys and labels ------------------------------------------------------------------

def normalise_recommendation(value: Any) -> str:
    """A recommendation number as text: ``9``, ``"9"``, ``"9.0"`` (a spreadsheet's rewrite) -> ``"9"``; ``"All"`` -> ``"all"``."""
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        return str(int(value))
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
    if text.lower() == STANCE_ITEM:  # "All" typed in a spreadsheet: the whole report
        return STANCE_ITEM
    return re.sub(r"^(\d+)\.0+$", r"\1", text)


def normalise_label(value: Any) -> str:
    """A label as a person may type it (``"In progress"``, ``" Completed "``) in the guidelines' spelling.

    Only case, surrounding space and space/hyphen-for-underscore are forgiven;
    the result is checked against the four labels by the caller.
    """
    text = "" if value is None else str(value)
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def normalise_kind(value: Any) -> str:
    """An item kind as a person may type it (``"Area for improvement"``) in :data:`ITEM_KINDS`' spelling.

    Empty (a file or record from before kinds were kept) is :data:`DEFAULT_KIND`; case, surrounding space and
    space/hyphen-for-underscore are forgiven, and the caller checks the result against :data:`ITEM_KINDS`.
    """
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return normalise_label(text) or DEFAULT_KIND


def annotation_key(record: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """``(passage_id, item_kind, recommendation)`` of a real annotation record, or None when it has no passage id.

    A passage answers items of one kind, yet a response's CoC 1 and AFI 1 are two items: the kind is part of
    the key (a record without one is of a recommendation, :func:`normalise_kind`).
    """
    passage_id = str(record.get("passage_id") or "").strip()
    if not passage_id:
        return None
    return passage_id, normalise_kind(record.get("item_kind")), normalise_recommendation(record.get("recommendation", ""))


def is_review(record: Mapping[str, Any]) -> bool:
    """True for a record made by ``review import``: it names its reviewer."""
    return bool(str(record.get("reviewer") or "").strip())


def review_id(passage_id: str, recommendation: str, item_kind: str = DEFAULT_KIND) -> str:
    """The stable record id of the review of one passage for one item (same pair, same id).

    ``-r9`` for recommendation 9 (the ids written before kinds were kept), ``-coc1``, ``-afi4`` for the others.
    """
    return f"review-{re.sub(r'[^0-9A-Za-z]+', '-', passage_id).strip('-')}-{_ID_KIND[item_kind]}{recommendation}"


def item_name(kind: str, number: str) -> str:
    """``"recommendation 9"``, ``"area for improvement 4"``: an item as a message names it."""
    return f"{kind.replace('_', ' ')} {number}"


def dedupe_annotations(records: Sequence[Mapping[str, Any]]) -> list[dict]:
    """One record per labelled passage and item, so nothing counts twice in training or evaluation.

    In: annotation records from every file of the annotations folder, in file
    order. Records with the same :func:`annotation_key` are one
    labelling decision: a review (a record with a ``reviewer``) beats any
    record without one (so a review overrides the seed label of the same
    passage), a later ``reviewed_at`` beats an earlier one, and otherwise the
    later record wins. Records without a ``passage_id`` (synthetic ones) are
    all kept. Out: the kept records, in their input order.
    """
    best: dict[Any, tuple[tuple, int]] = {}
    for index, record in enumerate(records):
        key = annotation_key(record) or ("record", index)
        rank = (is_review(record), str(record.get("reviewed_at") or ""), index)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, index)
    return [dict(records[i]) for i in sorted(i for _, i in best.values())]


def current_labels(records: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str, str], dict]:
    """The record that decides each ``(passage_id, item_kind, recommendation)`` after :func:`dedupe_annotations`."""
    return {key: r for r in dedupe_annotations(records) if (key := annotation_key(r)) is not None}


# --- export ---------------------------------------------------------------------------

def _split(recommendations: Any) -> list[str]:
    return [normalise_recommendation(r) for r in str(recommendations or "").split(";") if str(r).strip()]


def _int_or_none(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def review_candidates(
    passages: pd.DataFrame, scorecard: pd.DataFrame, inspections: Sequence[Inspection], cue_classifier: Any,
    annotations: Sequence[Mapping[str, Any]] = (), scorecard_dir: str = "", limit: int | None = None,
    forces: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The (passage, item) pairs to review, most useful first.

    In: the ``passages`` and ``scorecard`` tables of one scored folder (as
    read back from ``passages.csv`` / ``scorecard.csv``), the inspections (for
    each recommendation's own text), a fitted cue-rule classifier (its
    ``predict`` is run on each passage's ``response_text``), the annotation
    records already held (their label is shown as ``annotated_label``) and the
    scored folder's path (recorded in ``scorecard`` so the import can find the
    passages again).

    Out: :data:`EXPORT_COLUMNS`, one row per item a model-decided passage
    answers, its kind in
    ``item_kind`` and its number in ``recommendation`` (a scored folder from
    before kinds were kept: recommendations), and one row per overall-stance
    passage (``is_overall_stance``) with ``recommendation`` :data:`STANCE_ITEM`:
    the model's label of a response's statement about the whole report is its
    overall stance (``forces.overall_stance``; ``in_scorecard`` when it is the
    stance of a response ``forces`` (else the scorecard) holds). A blanket
    passage's single items are decided by rule (``not_addressed``) and are not
    exported. Rows come with
    empty ``reviewed_label``, ``reviewer`` and ``note``. Order: pairs without
    a human label first, then pairs where the model and the cue rules disagree,
    then the least confident; ``limit`` keeps the first ``limit`` rows.
    """
    by_id = {i.id: i for i in inspections}
    decided = current_labels(annotations)
    in_scorecard = set()
    if not scorecard.empty:
        model_cells = scorecard[scorecard["basis"].astype(str) == "model"]
        in_scorecard = {(str(p), normalise_kind(k), normalise_recommendation(r)) for p, k, r in
                        zip(model_cells["passage_id"], _kinds(model_cells), model_cells["recommendation"])}
    # a Welsh passage beside its items' English answers has no status (the model reads English only): nothing to review
    chosen = passages[(passages["link"].astype(str) != "blanket") & passages["status"].notna()
                      & (passages["status"].astype(str) != "")] if not passages.empty else passages
    # each response's overall stance is the model's label of its blanket passage: the forces table's main figure
    stances = (passages[passages["is_overall_stance"].astype(str).str.lower() == "true"]
               if "is_overall_stance" in passages.columns and not passages.empty else passages.iloc[0:0])
    responses = _responses(forces if forces is not None else scorecard)
    texts = sorted({str(t) for frame in (chosen, stances) for t in frame.get("response_text", [])})
    cue = dict(zip(texts, (str(x) for x in cue_classifier.predict(texts)))) if texts else {}

    def row(p: Any, kind: str, number: str, item_text: str, used: bool) -> dict:
        model_label, cue_label = str(p["status"]), cue.get(str(p["response_text"]), "")
        existing = decided.get((str(p["passage_id"]), kind, number))
        return {
            "passage_id": str(p["passage_id"]), "inspection": str(p["inspection"]), "force": str(p["force"]),
            "item_kind": kind, "recommendation": number, "model_label": model_label,
            "confidence": round(_float(p["confidence"]), 4),
            **{c: round(_float(p[c]), 4) for c in PROBABILITY_COLUMNS},
            "cue_rule_label": cue_label, "disagrees": bool(cue_label) and cue_label != model_label,
            "annotated_label": str(existing["label"]) if existing else "",
            "in_scorecard": used,
            "response_text": str(p["response_text"]),
            "recommendation_text": item_text,
            "source": str(p["source"]), "sha256": str(p["sha256"]), "page": _int_or_none(p.get("page")),
            "char_start": _int_or_none(p["char_start"]), "char_end": _int_or_none(p["char_end"]),
            "link": str(p["link"]), "scorecard": scorecard_dir, "reviewed_label": "", "reviewer": "", "note": "",
        }

    rows = []
    for _, p in chosen.iterrows():
        inspection = by_id.get(str(p["inspection"]))
        kind = normalise_kind(p.get("item_kind"))
        for number in _split(p["recommendations"]):
            item = inspection.item(kind, number) if inspection else None
            rows.append(row(p, kind, number, item.text if item else "",
                            (str(p["passage_id"]), kind, number) in in_scorecard))
    for _, p in stances.iterrows():  # the stance of the response forces.csv shows is "in the scorecard"
        used = (str(p["inspection"]), str(p["force"]), str(p["source"])) in responses
        rows.append(row(p, normalise_kind(p.get("item_kind")), STANCE_ITEM, STANCE_TEXT, used))
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS)
    if frame.empty:
        return frame
    frame["_labelled"] = frame["annotated_label"] != ""
    frame["_agrees"] = ~frame["disagrees"].astype(bool)
    frame["_order"] = frame["recommendation"].map(lambda r: int(r) if r.isdigit() else 10**6)
    frame["_kind"] = frame["item_kind"].map(lambda k: ITEM_KINDS.index(k) if k in ITEM_KINDS else len(ITEM_KINDS))
    order = ["_labelled", "_agrees", "confidence", "inspection", "force", "passage_id", "_kind", "_order"]
    frame = frame.sort_values(order, kind="stable")
    frame = frame.drop(columns=["_labelled", "_agrees", "_kind", "_order"]).reset_index(drop=True)
    return frame.head(limit) if limit is not None else frame


def _responses(table: pd.DataFrame) -> set[tuple[str, str, str]]:
    """``(inspection, force, source)`` of each response a ``forces`` (or ``scorecard``) table scores."""
    if table.empty or not {"inspection", "force", "source"} <= set(table.columns):
        return set()
    return {(str(i), str(f), str(s)) for i, f, s in zip(table["inspection"], table["force"], table["source"])}


def _kinds(frame: pd.DataFrame) -> list[Any]:
    """The ``item_kind`` of each row, or none (a table written before kinds were kept: recommendations)."""
    return list(frame["item_kind"]) if "item_kind" in frame.columns else [DEFAULT_KIND] * len(frame)


def for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """The export for the CSV: line breaks inside the text columns become spaces.

    So every row is one line of the file and the line numbers ``review
    import`` reports are the row numbers a spreadsheet shows (header = 1).
    The texts are only there to be read: the import takes each passage's text
    from the scored passages or the annotations, never from the file.
    """
    out = frame.copy()
    for column in ("response_text", "recommendation_text", "note"):
        if column in out:
            out[column] = out[column].map(lambda s: re.sub(r"\s*[\r\n]+\s*", " ", s) if isinstance(s, str) else s)
    return out


def export_records(frame: pd.DataFrame) -> list[dict]:
    """The export as JSON-ready dicts (the JSONL twin of the CSV): NaN becomes null, numbers stay numbers."""
    records = []
    for row in frame.to_dict(orient="records"):
        records.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()})
    return records


# --- import ---------------------------------------------------------------------------

def parse_review_rows(text: str, fmt: str) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """Rows of a filled-in review file with their line numbers.

    In: the file's text and its format, ``"csv"`` (a header row, then one row
    per pair; a leading byte-order mark is ignored) or ``"jsonl"`` (one object
    per line). Out: ``(rows, problems)``: ``(line, row)`` for each row with
    every value as text, and ``(line, detail)`` for lines that are no row
    (invalid JSON). A CSV row's line is the file line where it starts.
    Raises ``ValueError`` when a CSV has no header or lacks one of
    :data:`REQUIRED_IMPORT_COLUMNS`, or no object of a JSONL file has a
    ``passage_id`` or a ``reviewed_label`` (not a review file: nothing can be read then).
    """
    text = text.lstrip("\ufeff")
    rows: list[tuple[int, dict]] = []
    problems: list[tuple[int, str]] = []
    if fmt == "jsonl":
        for line, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append((line, f"invalid JSON ({exc.msg})"))
                continue
            if not isinstance(obj, dict):
                problems.append((line, "not a JSON object"))
                continue
            rows.append((line, {k: _text(v) for k, v in obj.items()}))
        if rows:  # objects written by hand may leave out a key that is empty anyway, but not these two
            _check_columns({name for _, row in rows for name in row}, "in any object", ("passage_id", "reviewed_label"))
        return rows, problems
    if fmt != "csv":
        raise ValueError(f"unknown review file format {fmt!r}: expected 'csv' or 'jsonl'")
    reader = csv.reader(_stdio.StringIO(text))
    header = next(reader, None)
    if not header:
        raise ValueError("no header row")
    header = [h.strip() for h in header]
    _check_columns(set(header), "in the header")
    start = reader.line_num + 1
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        rows.append((line, {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}))
    return rows, problems


def _check_columns(names: set[str], where: str, required: Sequence[str] = REQUIRED_IMPORT_COLUMNS) -> None:
    """Raise ``ValueError`` unless ``names`` hold every one of ``required``.

    ``names``: a CSV's header (``where`` "in the header") or the keys of a JSONL file's objects together
    (``where`` "in any object"). A file holding none of :data:`REQUIRED_IMPORT_COLUMNS` is another file
    altogether (a ``classify`` input, a scored table), which would otherwise import nothing and say only that
    nothing was reviewed.
    """
    if not set(REQUIRED_IMPORT_COLUMNS) & names:
        raise ValueError(f"not a review file written by `review export` (none of {', '.join(REQUIRED_IMPORT_COLUMNS)} "
                         f"{where})")
    missing = [c for c in required if c not in names]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(missing)} {where}")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def passage_index(passages: pd.DataFrame, annotations: Sequence[Mapping[str, Any]] = ()) -> dict[str, dict]:
    """What is known about each passage id, for checking and completing review rows.

    In: scored passages (``passages.csv`` rows, any number of folders
    concatenated) and annotation records. Out: ``passage_id -> {inspection,
    force, source, sha256, char_start, char_end, text, model_label,
    recommendations}``; ``recommendations`` is the set of ``(item_kind,
    number)`` the passage answers (from the passages' ``item_kind`` and
    ``recommendations`` and every annotation record of it). A scored
    passage's fields win over an annotation's.
    """
    index: dict[str, dict] = {}
    for record in annotations:
        passage_id = str(record.get("passage_id") or "").strip()
        if not passage_id:
            continue
        entry = index.setdefault(passage_id, {
            "inspection": str(record.get("inspection", "")), "force": str(record.get("force", "")),
            "source": str(record.get("source", "")), "sha256": str(record.get("sha256", "")),
            "char_start": _int_or_none(record.get("char_start")), "char_end": _int_or_none(record.get("char_end")),
            "text": str(record.get("text", "")), "model_label": "", "recommendations": set(),
            "annotated_force": str(record.get("force", "")),
        })
        rec = normalise_recommendation(record.get("recommendation", ""))
        if rec:
            entry["recommendations"].add((normalise_kind(record.get("item_kind")), rec))
    for _, p in (passages.iterrows() if not passages.empty else []):
        passage_id = str(p["passage_id"])
        entry = index.setdefault(passage_id, {"recommendations": set(), "annotated_force": ""})
        entry.update({
            "inspection": str(p["inspection"]), "force": str(p["force"]), "source": str(p["source"]),
            "sha256": str(p["sha256"]), "char_start": _int_or_none(p["char_start"]), "char_end": _int_or_none(p["char_end"]),
            "text": str(p["response_text"]), "model_label": str(p["status"]),
        })
        kind = normalise_kind(p.get("item_kind"))
        entry["recommendations"].update((kind, number) for number in _split(p["recommendations"]))
        if str(p.get("link", "")) == "blanket":  # a statement about the whole report: its stance can be reviewed
            entry["recommendations"].add((kind, STANCE_ITEM))
    return index


def check_review_rows(
    rows: Sequence[tuple[int, Mapping[str, str]]], index: Mapping[str, dict],
) -> tuple[list[tuple[int, dict]], list[tuple[int, str]], int]:
    """Split parsed review rows into good rows, bad rows and rows nobody reviewed.

    In: ``(line, row)`` from :func:`parse_review_rows` and the
    :func:`passage_index`. A row with ``reviewed_label``, ``reviewer`` and
    ``note`` all empty was not reviewed and is skipped. Every other row must
    have a ``reviewed_label`` that is one of the four labels (case and
    spaces forgiven, see :func:`normalise_label`), a ``passage_id`` known to
    the index, an ``item_kind`` (empty or missing: a recommendation) and a
    ``recommendation`` (the item's number) that passage answers, a non-empty
    ``reviewer``, and must not repeat a passage and item of an earlier row of
    the file. Out: ``(good, bad, skipped)``: good rows with the label and
    ``item_kind`` normalised and ``recommendation`` cleaned, ``(line, detail)`` for
    each bad row (all its problems on one line), and the number skipped. An
    unknown passage id whose row names a known file (``source``) under another
    ``sha256`` than the file has now is said to be a re-saved file's.
    """
    good: list[tuple[int, dict]] = []
    bad: list[tuple[int, str]] = []
    skipped = 0
    seen: dict[tuple[str, str, str], int] = {}
    # the sha256 each known file has now: a row of a file re-saved since the export names a passage id no more
    files = {str(e.get("source", "")): str(e.get("sha256", "")) for e in index.values() if e.get("sha256")}
    for line, raw in rows:
        row = {k: (v or "").strip() if isinstance(v, str) else _text(v).strip() for k, v in raw.items()}
        if not any(row.get(c, "") for c in FILL_COLUMNS):
            skipped += 1
            continue
        problems = []
        label = normalise_label(row.get("reviewed_label", ""))
        if not label:
            problems.append("reviewed_label is empty")
        elif label not in LABELS:
            problems.append(f"reviewed_label '{row.get('reviewed_label')}' is not one of {', '.join(GUIDELINE_ORDER)}")
        passage_id = row.get("passage_id", "")
        number = normalise_recommendation(row.get("recommendation", ""))
        kind = normalise_kind(row.get("item_kind"))
        entry = index.get(passage_id)
        if kind not in ITEM_KINDS:
            problems.append(f"item_kind '{row.get('item_kind')}' is not one of {', '.join(ITEM_KINDS)}")
        elif not passage_id:
            problems.append("passage_id is empty")
        elif entry is None and (then := row.get("sha256", "")) and files.get(row.get("source", ""), then) != then:
            problems.append(f"unknown passage_id '{passage_id}': {row['source']} changed since it was exported "
                            f"(sha256 {then[:12]} then, {files[row['source']][:12]} now): export it again and review it anew")
        elif entry is None:
            problems.append(f"unknown passage_id '{passage_id}': not in the scored passages nor in the annotations")
        elif (kind, number) not in entry["recommendations"]:
            answers = ", ".join(item_name(k, n) for k, n in sorted(entry["recommendations"], key=lambda r: (
                ITEM_KINDS.index(r[0]) if r[0] in ITEM_KINDS else len(ITEM_KINDS), not r[1].isdigit(), r[1].zfill(6))))
            problems.append(f"passage '{passage_id}' does not answer {kind.replace('_', ' ')} '{number}' "
                            f"(it answers {answers or 'none'})")
        if not row.get("reviewer", ""):
            problems.append("reviewer is empty")
        key = (passage_id, kind, number)
        if not problems and key in seen:
            problems.append(f"passage '{passage_id}' {item_name(kind, number)} was already reviewed on line {seen[key]}")
        if problems:
            bad.append((line, "; ".join(problems)))
            continue
        seen[key] = line
        good.append((line, {**row, "reviewed_label": label, "item_kind": kind, "recommendation": number}))
    return good, bad, skipped


def review_record(row: Mapping[str, str], passage: Mapping[str, Any], reviewed_at: date,
                  force_short_names: Mapping[str, str] | None = None) -> dict:
    """The annotation record (guidelines' format) of one good review row.

    In: a row from :func:`check_review_rows`, the passage's
    :func:`passage_index` entry, the review date, and the forces' short
    names by official name: records name forces as the seed records do
    ("Gwent", not "Gwent Police"), so leave-one-force-out evaluation keeps a
    force's reviews and seeds in one fold. Out: ``{id, force, inspection,
    item_kind, recommendation, text, label, source, note, passage_id,
    char_start, char_end, sha256, reviewer, reviewed_at, model_label,
    synthetic: false}``.
    """
    names = force_short_names or {}
    force = passage.get("annotated_force") or names.get(passage["force"], passage["force"])
    record = {
        "id": review_id(row["passage_id"], row["recommendation"], row.get("item_kind") or DEFAULT_KIND), "force": force,
        "inspection": passage["inspection"], "item_kind": row.get("item_kind") or DEFAULT_KIND,
        "recommendation": row["recommendation"], "text": passage["text"], "label": row["reviewed_label"],
        "source": passage["source"], "note": row.get("note", ""), "passage_id": row["passage_id"],
        "char_start": passage["char_start"], "char_end": passage["char_end"], "sha256": passage.get("sha256", ""),
        "reviewer": row["reviewer"], "reviewed_at": reviewed_at.isoformat(),
        "model_label": passage.get("model_label") or row.get("model_label", ""), "synthetic": False,
    }
    return record


def merge_reviews(
    existing: Sequence[Mapping[str, Any]], incoming: Sequence[Mapping[str, Any]],
    labelled: Mapping[tuple[str, str, str], Mapping[str, Any]] | None = None,
) -> tuple[list[dict], Counter]:
    """Merge new review records into the existing ``reviews.jsonl`` records: one record per passage and item.

    In: the records already in ``reviews.jsonl``, new ones from
    :func:`review_record`, and the other annotation records by key (seed
    labels; see :func:`current_labels`). For each new record:

    * no review of the pair yet: added; when a seed record labels the pair,
      the review names it in ``supersedes`` and, if the label differs, keeps
      the seed's label in ``previous_label``;
    * the same label, reviewer and note as the held review: nothing changes
      (importing a file twice adds nothing);
    * otherwise the held review is replaced and its label, reviewer, date and
      note are appended to ``history``; ``previous_label`` is the label it
      replaced when the label changed (and absent when it did not).

    Out: the merged records sorted by inspection, force, passage and
    recommendation, and counts of ``new``, ``changed`` (label changed),
    ``updated`` (same label, other reviewer or note) and ``unchanged``.
    """
    merged = {annotation_key(r): dict(r) for r in existing}
    counts: Counter = Counter({"new": 0, "changed": 0, "updated": 0, "unchanged": 0})
    for new in incoming:
        key = annotation_key(new)
        record = dict(new)
        old = merged.get(key)
        if old is None:
            prior = (labelled or {}).get(key) if key is not None else None
            if prior is not None and not is_review(prior):
                record["supersedes"] = str(prior.get("id", ""))
                if prior.get("label") != record["label"]:
                    record["previous_label"] = prior.get("label")
            counts["new"] += 1
        elif all(old.get(k, "") == record.get(k, "") for k in ("label", "reviewer", "note")):
            counts["unchanged"] += 1
            continue
        else:
            record["history"] = [*old.get("history", []), {
                k: old.get(k, "") for k in ("label", "reviewer", "reviewed_at", "note")}]
            if "supersedes" in old:
                record["supersedes"] = old["supersedes"]
            if old.get("label") != record["label"]:
                record["previous_label"] = old.get("label")
                counts["changed"] += 1
            else:
                counts["updated"] += 1
        merged[key] = record
    ordered = sorted(merged.values(), key=lambda r: (
        str(r.get("inspection", "")), str(r.get("force", "")), str(r.get("passage_id", "")),
        normalise_kind(r.get("item_kind")), normalise_recommendation(r.get("recommendation", "")).zfill(6)))
    return ordered, counts


# --- the scorecard --------------------------------------------------------------------

def _latest_reviews(reviews: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str, str], Mapping[str, Any]]:
    return {key: r for r in dedupe_annotations([r for r in reviews if is_review(r)]) if (key := annotation_key(r))}


def apply_reviews(scorecard: pd.DataFrame, reviews: Sequence[Mapping[str, Any]], as_of: date | None = None) -> pd.DataFrame:
    """The scorecard with the reviewed labels beside the model's (pure: returns a new frame).

    In: scorecard rows as :func:`pipeline.score.build_scorecard` makes them and
    review records (``reviews.jsonl``; records without a ``reviewer`` are
    ignored). A review applies to the row with its ``passage_id``,
    ``item_kind`` and ``recommendation`` (a review or a scorecard without
    ``item_kind``: a recommendation). Out: the same rows plus ``model_status`` (the status
    the pipeline decided, by model or by rule), ``reviewed_status``,
    ``reviewer`` and ``reviewed_at`` (empty strings where nobody reviewed),
    with ``status`` set to the reviewed label where there is one.
    ``confidence``, ``basis`` and the ``p_*`` columns stay the model's.
    With ``as_of`` (the run's date) and an ``overdue`` column, ``overdue``
    is recomputed from the final status (see :func:`pipeline.score.is_overdue`).
    Call :func:`pipeline.score.force_summary` afterwards so the per-force
    counts follow the final status.
    """
    out = scorecard.copy()
    latest = _latest_reviews(reviews)
    found = [latest.get((str(p), normalise_kind(k), normalise_recommendation(r))) if str(p) else None
             for p, k, r in zip(out["passage_id"], _kinds(out), out["recommendation"])]
    _put_reviews(out, found, "status", tuple(REVIEW_COLUMNS))
    if as_of is not None and {"overdue", "deadline"} <= set(out.columns):
        from pipeline.score import is_overdue

        out["overdue"] = pd.array([is_overdue(s, d, as_of) for s, d in zip(out["status"], out["deadline"])], dtype="boolean")
    return out


def apply_passage_reviews(passages: pd.DataFrame, reviews: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The passages table with ``reviewed_status`` and ``reviewer`` added (pure; ``status`` stays the model's).

    ``reviewed_status`` lists a label per entry of ``recommendations``, in
    the same order and ``;``-separated like it ("completed;planned", an empty
    entry for a recommendation nobody reviewed), or is empty when no
    recommendation of the passage was reviewed; a review with recommendation
    ``all`` stands for every one. ``reviewer`` lists the reviewers, ``;``-separated.
    """
    out = passages.copy()
    latest = _latest_reviews(reviews)
    statuses, reviewers = [], []
    for passage_id, kind, recommendations in zip(out["passage_id"], _kinds(out), out["recommendations"]):
        key = (str(passage_id), normalise_kind(kind))
        found = [latest.get((*key, r)) or latest.get((*key, "all")) for r in _split(recommendations)]
        statuses.append(";".join(str(f["label"]) if f else "" for f in found) if any(found) else "")
        reviewers.append(";".join(dict.fromkeys(str(f["reviewer"]) for f in found if f)))
    out["reviewed_status"] = statuses
    out["reviewer"] = reviewers
    return out


def apply_stance_reviews(forces: pd.DataFrame, stance_passages: Mapping[tuple[str, str], tuple[str, str]],
                         reviews: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The forces table with each reviewed overall stance in place of the model's (pure: returns a new frame).

    In: the ``forces`` table (:func:`pipeline.score.force_summary`), the passage giving each (inspection,
    force)'s stance as ``(passage_id, item_kind)`` (``Scorecard.stance_passages``) and review records. A review
    of that passage with ``recommendation`` :data:`STANCE_ITEM` is a review of the stance. Out: the same rows
    plus :data:`STANCE_REVIEW_COLUMNS` (``overall_stance_model``: the stance the pipeline decided; the reviewed
    label, reviewer and date, empty where nobody reviewed it), with ``overall_stance`` set to the reviewed label
    where there is one. ``overall_stance_confidence`` and ``_basis`` stay the model's, and the single items'
    cells are untouched (a blanket statement answers none of them: guidelines section 4).
    """
    out = forces.copy()
    latest = _latest_reviews(reviews)
    found = []
    for inspection, force in zip(out["inspection"], out["force"]):
        passage = stance_passages.get((str(inspection), str(force)))
        found.append(latest.get((passage[0], normalise_kind(passage[1]), STANCE_ITEM)) if passage else None)
    _put_reviews(out, found, "overall_stance", tuple(STANCE_REVIEW_COLUMNS))
    return out


def _put_reviews(out: pd.DataFrame, found: Sequence[Mapping[str, Any] | None], column: str,
                 columns: tuple[str, ...]) -> None:
    """Fill the review columns of ``out`` in place, and set ``column`` to the reviewed label where there is one.

    ``columns`` names the model's label, the reviewed label, the reviewer and the date; ``found`` holds a review
    or None per row of ``out``.
    """
    model, reviewed, reviewer, reviewed_at = columns
    out[model] = out[column]
    out[reviewed] = [str(r["label"]) if r else "" for r in found]
    out[reviewer] = [str(r["reviewer"]) if r else "" for r in found]
    out[reviewed_at] = [str(r.get("reviewed_at", "")) if r else "" for r in found]
    has_review = out[reviewed] != ""
    out.loc[has_review, column] = out.loc[has_review, reviewed]


# --- training history -----------------------------------------------------------------

def history_entry(metrics: Mapping[str, Any], evaluation: Mapping[str, Any]) -> dict | None:
    """One line of the training history: when, on what data, and the evaluation's macro-F1 (None without figures)."""
    model = (evaluation or {}).get("models", {}).get("model")
    if not model:
        return None
    rules = evaluation["models"].get("cue_rules", {})
    return {
        "trained_at": metrics.get("trained_at"), "data_sha256": metrics.get("data_sha256"),
        "n_real": evaluation.get("n_real"), "n_synthetic": evaluation.get("n_synthetic"),
        "macro_f1": model["macro_f1"], "ci": list(model.get("macro_f1_ci95", [])), "accuracy": model.get("accuracy"),
        "cue_rules_macro_f1": rules.get("macro_f1"),
    }


def training_history(previous: Mapping[str, Any], metrics: Mapping[str, Any], evaluation: Mapping[str, Any]) -> list[dict]:
    """``history`` for the new ``metrics.json``: the previous file's history plus this run.

    In: the previous ``metrics.json`` (``{}`` if none), this run's training
    metrics and evaluation. A previous file without ``history`` (written
    before histories were kept) contributes its own figures as the first
    entry. Out: the entries oldest first (see :func:`history_entry`).
    """
    history = [dict(e) for e in (previous.get("history") or [])]
    if not history and previous:
        first = history_entry(previous, previous.get("evaluation", {}))
        if first:
            history.append(first)
    entry = history_entry(metrics, evaluation)
    if entry:
        history.append(entry)
    return history


def format_history(history: Sequence[Mapping[str, Any]], data_sha256: str, evaluation: Mapping[str, Any],
                   origin: str = "models/metrics.json", shown: int = 5) -> str:
    """The lines ``evaluate`` prints after its tables: earlier runs' macro-F1 and the change from the previous model.

    In: the ``history`` of ``models/metrics.json``, the hash of the annotations
    just evaluated and their evaluation; ``origin`` names the file in the
    heading and the last ``shown`` runs are listed. "Previous model" is the latest run
    trained on other data than these annotations (the latest run on these
    same data is this model).
    """
    lines = ["", f"Macro-F1 of the trained model by training run ({origin}):"]
    if not history:
        lines.append("  no training history yet: `make train` starts it.")
    for entry in list(history)[-shown:]:
        lo, hi = (entry.get("ci") or [float("nan"), float("nan")])[:2]
        lines.append(f"  {entry.get('trained_at')}  data {str(entry.get('data_sha256'))[:12]}  "
                     f"{entry.get('n_real', 0):4d} real  macro-F1 {entry['macro_f1']:.3f} [{lo:.3f}, {hi:.3f}]")
    model = evaluation.get("models", {}).get("model")
    if not model:
        return "\n".join(lines) + "\n"
    current = model["macro_f1"]
    if history and history[-1].get("data_sha256") != data_sha256:
        lines.append("  (the saved model was trained on other data than these annotations: run `make train`)")
    previous = next((e for e in reversed(history) if e.get("data_sha256") != data_sha256), None)
    if previous is None:
        lines.append(f"Now: macro-F1 {current:.3f}; no earlier model trained on other data to compare with.")
    else:
        lines.append(
            f"Now: macro-F1 {current:.3f} on {evaluation.get('n_real')} real passages; previous model "
            f"({previous.get('trained_at')}): {previous['macro_f1']:.3f} on {previous.get('n_real')}; "
            f"change {current - previous['macro_f1']:+.3f}.")
        if previous.get("n_real") != evaluation.get("n_real"):
            lines.append("  The two figures come from different sets of real passages: part of the change is the new passages.")
    return "\n".join(lines) + "\n"


def unmatched_reviews(passages: pd.DataFrame, scored: Mapping[str, str], reviews: Sequence[tuple[int, Mapping[str, Any]]],
                      origin: str) -> list[Problem]:
    """An E318 note for each scored file with reviews that match none of its passages now, naming those reviews.

    Reviews are keyed by passage id, i.e. by the file's sha256 and the passage's offsets: a file re-saved or
    regenerated since it was reviewed (new bytes, same name) gets new passage ids and its reviews silently apply
    to nothing. In: the scored ``passages`` (``passage_id``, ``item_kind``, ``recommendations``), the run's scored
    files (``source -> sha256``, as the tables name them), the ``(line, record)`` pairs of ``origin``
    (``reviews.jsonl``). A review (a record with a ``reviewer``) is of a scored file when
    its ``source`` is that file's path (the same file however the path was spelt); reviews of files this run did
    not score are no concern of it. Out: one note per file, on that file (its current sha256), naming each
    review's line and item, in file order.
    """
    keys = set()
    for passage_id, kind, numbers in zip(passages["passage_id"], _kinds(passages), passages["recommendations"]):
        keys |= {(str(passage_id), normalise_kind(kind), n) for n in [*_split(numbers), "all"]}
    files = {os.path.normpath(os.path.abspath(source)): source for source in scored}
    missed: dict[str, list[tuple[int, tuple[str, str, str], Mapping[str, Any]]]] = {}
    for line, record in reviews:
        source = str(record.get("source") or "")
        key = annotation_key(record)
        if not is_review(record) or key is None or key in keys or not source:
            continue
        file = files.get(os.path.normpath(os.path.abspath(source)))
        if file is not None:
            missed.setdefault(file, []).append((line, key, record))
    notes = []
    for file in sorted(missed):
        found = missed[file]
        then = sorted({str(r.get("sha256") or "") for _, _, r in found} - {""})
        now = scored[file]
        reason = (f"the file changed since it was reviewed (sha256 {', '.join(t[:12] for t in then)} then, {now[:12]} now)"
                  if then and now not in then else "its passages are cut differently now")
        items = ", ".join(f"line {line} {item_name(kind, number)}" for line, (_, kind, number), _ in found)
        notes.append(PipelineError("E318", count=len(found), path=origin, items=items, reason=reason).problem(file, now))
    return notes


def _read_review_lines(path: str) -> list[tuple[int, dict]]:
    from pipeline import io

    if not Path(path).is_file():
        return []
    from pipeline.model import validate_records  # scikit-learn: about a second, only when there are reviews

    rows = list(io.read_jsonl(path))
    return list(zip((line for line, _ in rows), validate_records(rows, origin=str(path))))


def read_reviews(path: str) -> list[dict]:
    """The reviewed labels in ``path`` (``reviews.jsonl`` written by ``review import``), or none when it is no file.

    Raises:
        PipelineError: E404 for a record that is not a valid annotation, E405 for a line that is not JSON.
    """
    return [record for _, record in _read_review_lines(path)]


def with_reviews(card: Any, reviews_path: str, as_of: date) -> Any:
    """``card`` (a :class:`pipeline.score.Scorecard`) with the reviews of ``reviews_path`` applied, counts recomputed.

    A scored file's reviews that match none of its passages now (:func:`unmatched_reviews`) become E318 notes in
    ``errors``, so a re-saved file's lost reviews are said, not silent.

    Raises:
        PipelineError: as :func:`read_reviews`.
    """
    from dataclasses import replace

    from pipeline.score import ERROR_COLUMNS, force_summary

    lines = _read_review_lines(reviews_path)
    reviews = [record for _, record in lines]
    scorecard = apply_reviews(card.scorecard, reviews, as_of=as_of)
    scored = {str(s): str(h) for frame in (card.passages, card.forces) for s, h in zip(frame["source"], frame["sha256"])}
    notes = unmatched_reviews(card.passages, scored, lines, reviews_path) if lines else []
    errors = card.errors
    if notes:
        rows = pd.DataFrame([{"source": n.source, "sha256": n.sha256, "code": n.code, "page": n.page,
                              "message": n.message} for n in notes], columns=ERROR_COLUMNS)
        errors = pd.concat([errors, rows], ignore_index=True) if len(errors) else rows
        errors = errors.sort_values(["source", "page", "code"], na_position="first").reset_index(drop=True)
    forces = apply_stance_reviews(force_summary(scorecard, card.forces), card.stance_passages, reviews)
    return replace(card, scorecard=scorecard, passages=apply_passage_reviews(card.passages, reviews),
                   forces=forces, errors=errors)


def export_reviews(scorecard_dir: str, out: str, annotations: str, inspections: str, limit: int | None) -> str:
    """Write the pairs to review (:func:`review_candidates`) as FILE.csv and FILE.jsonl; return the summary line.

    Args:
        scorecard_dir: folder written by ``score`` (its ``passages.csv`` and ``scorecard.csv``).
        out: ``FILE.csv`` or ``FILE.jsonl``; both suffixes are written.
        annotations: folder of labels already held (shown as ``annotated_label``); none when it is no folder.
        inspections: folder of inspection registers (checked to be one by the caller).
        limit: export only the first N rows (None: all).

    Raises:
        PipelineError: E109 when a scored table is missing; E404/E405 for a bad annotation file.
    """
    from pipeline import io
    from pipeline.model.data import load_annotations
    from pipeline.parallel import ModelSpec

    folder = Path(scorecard_dir)
    passages = io.read_scored_table(folder / "passages.csv")
    scorecard = io.read_scored_table(folder / "scorecard.csv")
    forces = io.read_csv(folder / "forces.csv") if (folder / "forces.csv").is_file() else None
    held = load_annotations(annotations) if Path(annotations).is_dir() else []
    registers = io.load_inspections(inspections)
    baseline = ModelSpec.baseline(io.read_package_data("cues.toml")).load()
    frame = review_candidates(passages, scorecard, registers, baseline, held,
                              scorecard_dir=scorecard_dir, limit=limit, forces=forces)
    csv_path, jsonl_path = Path(out).with_suffix(".csv"), Path(out).with_suffix(".jsonl")
    io.write_csv(csv_path, for_spreadsheet(frame))
    io.write_jsonl(jsonl_path, export_records(frame))
    return (f"{len(frame)} (passage, item) pairs to review ({int(frame['disagrees'].sum())} where the model and the cue "
            f"rules disagree, {int((frame['annotated_label'] != '').sum())} already labelled) -> {csv_path}, {jsonl_path}")


@dataclass(frozen=True)
class ImportOutcome:
    """What ``review import`` did.

    ``problems``: one coded line per rejected row, in file order (for stderr); ``summary``: the one line saying
    what was imported; ``rejected``: whether any row was rejected (unreadable, bad, or of a reserved force).
    """

    problems: tuple[str, ...]
    summary: str
    rejected: bool


def import_reviews(file: str, annotations: str, scorecards: Sequence[str] | None, reserved_forces: str) -> ImportOutcome:
    """Check a filled-in review file and merge its good rows into ``<annotations>/reviews.jsonl``.

    Args:
        file: the filled-in ``FILE.csv`` or ``FILE.jsonl`` from ``review export``.
        annotations: the annotations folder holding ``reviews.jsonl``.
        scorecards: scored folders holding the passages (None: the folder in each row's ``scorecard`` column).
        reserved_forces: the file listing the reserved forces, whose rows are refused (E319).

    Returns:
        The outcome; ``reviews.jsonl`` is rewritten only when a row is new, changed or updated.

    Raises:
        PipelineError: E109 when the file or a scored folder given is missing; E406 when no row can be read
            (not UTF-8, no usable header); E404/E405 for a bad annotation file.
    """
    from pipeline import io
    from pipeline.errors import PipelineError
    from pipeline.model.data import load_annotations, refusal, reserved_names

    path = Path(file)
    try:
        rows, unreadable = parse_review_rows(io.read_review_text(path), "jsonl" if path.suffix.lower() == ".jsonl" else "csv")
    except ValueError as exc:  # no usable header: no row can be read
        raise PipelineError("E406", path=str(path), line=1, detail=str(exc)) from None
    folder = Path(annotations)
    reviews_path = folder / "reviews.jsonl"
    held = load_annotations(annotations) if folder.is_dir() else []
    for folder_given in scorecards or ():  # a scored folder named on the command line must be one
        io.read_scored_table(Path(folder_given) / "passages.csv")
    scored = scorecards or sorted({row.get("scorecard", "").strip() for _, row in rows} - {""})
    frames = [io.read_csv(Path(f) / "passages.csv") for f in scored if (Path(f) / "passages.csv").is_file()]
    index = passage_index(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(), held)
    good, bad, skipped = check_review_rows(rows, index)
    reserved = reserved_names(reserved_forces)
    refused = [(line, row_force(index[row["passage_id"]])) for line, row in good
               if is_reserved(row_force(index[row["passage_id"]]), reserved)]
    good = [(line, row) for line, row in good if line not in {n for n, _ in refused}]
    forces = {f.name: f.short_name for f in io.load_forces()}
    today = date.today()
    incoming = [review_record(row, index[row["passage_id"]], today, forces) for _, row in good]
    merged, counts = merge_reviews(read_reviews(str(reviews_path)), incoming, current_labels(held))
    if counts["new"] or counts["changed"] or counts["updated"]:
        io.write_jsonl(reviews_path, merged)
    lines = [(line, f"{error.code} {error.message}") for line, error in
             ((line, PipelineError("E406", path=str(path), line=line, detail=detail)) for line, detail in unreadable + bad)]
    lines += [(line, refusal(str(path), line, force, reserved_forces, "not imported")) for line, force in refused]
    summary = (f"imported {len(good)} reviewed rows of {path}: {counts['new']} new, {counts['changed']} with a changed "
               f"label, {counts['updated']} updated, {counts['unchanged']} already held; {skipped} not reviewed "
               f"(skipped); {len(unreadable) + len(bad) + len(refused)} rejected -> {reviews_path}")
    return ImportOutcome(tuple(text for _, text in sorted(lines)), summary, bool(unreadable or bad or refused))


def row_force(passage: Mapping[str, Any]) -> str:
    """The force a review row's passage belongs to: as the annotations name it, else as the scored passage does."""
    return str(passage.get("annotated_force") or passage.get("force") or "")
