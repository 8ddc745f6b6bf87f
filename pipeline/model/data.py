"""The labelled data the model learns from and is measured on: annotation records, reserved forces refused.

Files are read through :mod:`pipeline.io`; the CLI (``train``, ``evaluate``,
``review``) checks its arguments, calls these and prints what they return.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from pipeline import io
from pipeline.errors import PipelineError


def load_annotations(folder: str | os.PathLike, reserved: frozenset[str] = frozenset(),
                     refused: list[tuple[str, int, str]] | None = None) -> list[dict]:
    """The annotation records of ``folder`` (its ``*.jsonl``), one per labelled passage and recommendation.

    A record whose force is in ``reserved`` (names, :func:`pipeline.review.reserved_force_names`) is left out and
    its (file, line, force) appended to ``refused``. A review replaces the seed label it corrects
    (:func:`pipeline.review.dedupe_annotations`).

    Raises:
        PipelineError: E404 for a record that is not a valid annotation, E405 for a line that is not JSON.
    """
    from pipeline.model import validate_records
    from pipeline.review import dedupe_annotations, is_reserved

    records = []
    for path, rows in io.read_jsonl_folder(folder):
        for (line, _), record in zip(rows, validate_records(rows, origin=str(path))):
            if is_reserved(record.get("force"), reserved):
                if refused is not None:
                    refused.append((str(path), line, str(record.get("force"))))
                continue
            records.append(record)
    # one record per labelled passage and recommendation: a review replaces the seed label it corrects
    return dedupe_annotations(records)


def reserved_names(reserved_forces: str | os.PathLike) -> frozenset[str]:
    """The names of the reserved forces listed in the file ``reserved_forces`` (``paths.reserved_forces``)."""
    from pipeline.review import reserved_force_names

    return reserved_force_names(io.load_forces(), io.read_reserved_forces(reserved_forces))


def refusal(path: str, line: int, force: str, reserved_forces: str, action: str) -> str:
    """The E319 line (``E319 <message>``) for one record or review row of a reserved force."""
    error = PipelineError("E319", path=path, line=line, force=force, reserved=reserved_forces, action=action)
    return f"{error.code} {error.message}"


def training_annotations(folder: str, reserved_forces: str, action: str) -> tuple[list[dict], list[str]]:
    """The records of ``folder`` without those of reserved forces, and one E319 line per record refused.

    Args:
        folder: the annotations folder (``*.jsonl``); the caller checks that it is a folder.
        reserved_forces: the file listing the reserved forces (``paths.reserved_forces``).
        action: what befalls a refused record, for its E319 line ("left out of training").

    Raises:
        PipelineError: E109 when ``folder`` holds no record to learn from; E404/E405 as :func:`load_annotations`.
    """
    refused: list[tuple[str, int, str]] = []
    records = load_annotations(folder, reserved_names(reserved_forces), refused)
    if not records:
        raise PipelineError("E109", detail=f"{folder}: no annotation records (*.jsonl) to learn from")
    return records, [refusal(path, line, force, reserved_forces, action) for path, line, force in refused]


def evaluation(records: list[dict], *, annotations: str, external: str, review_threshold: float, embeddings: bool,
               options: Mapping[str, Any]) -> dict:
    """The grouped-by-force evaluation of :func:`pipeline.model.evaluate` on ``records``.

    Args:
        records: annotation records (:func:`training_annotations`).
        annotations: the annotations folder, whose ``batches/`` give the agreement between annotators.
        external: the out-of-domain JSONL (New Zealand status reports); "" or an absent file for none.
        review_threshold: confidence below which a cell is marked for review (``thresholds.review``).
        embeddings: also measure the model with sentence embeddings.
        options: the configuration's evaluation options (``model`` table).

    Raises:
        PipelineError: E303 when ``embeddings`` is asked for and the optional library is not installed.
    """
    from pipeline.model import evaluate
    from pipeline.model.embeddings import available

    if embeddings and not available():
        raise PipelineError("E303")

    return evaluate(records, external_rows=io.read_external_rows(external),
                    batches=io.read_annotation_batches(annotations), review_threshold=review_threshold,
                    compare_embeddings=embeddings, **options)
