"""The per-document flow, ingest -> identify -> segment -> classify, and the loop over a batch.

:func:`process_source` is the whole pipeline for one file's bytes: pure
given its :class:`RunContext`. :func:`score_paths` reads each file through
:mod:`pipeline.io` and collects results and problems; one bad document
becomes a :class:`~pipeline.types.Problem` and never stops the batch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from pipeline import io
from pipeline.classify import classify_passages
from pipeline.errors import PipelineError
from pipeline.identify import Identifier, ManifestEntry, build_identifier, identify, manifest_entry_for
from pipeline.ingest import ingest
from pipeline.nlp import make_nlp
from pipeline.segment import Segmenter, parse_segment_rules, segment
from pipeline.types import DocumentResult, Force, Inspection, Problem, SourceFile


@dataclass(frozen=True)
class RunContext:
    """Everything a document's processing needs, built once per run."""

    inspections: tuple[Inspection, ...]
    identifier: Identifier
    segmenter: Segmenter
    model: Any  # a fitted estimator with predict_proba and classes_
    manifest: Mapping[str, ManifestEntry]
    max_pages: int = 300


def build_context(inspections: Sequence[Inspection], forces: Sequence[Force], segment_rules: str, model: Any,
                  manifest: Mapping[str, ManifestEntry] | None = None, max_pages: int = 300) -> RunContext:
    """Assemble a :class:`RunContext` from loaded data (``segment_rules`` is the TOML text of the rules)."""
    return RunContext(
        inspections=tuple(inspections),
        identifier=build_identifier(forces, inspections),
        segmenter=Segmenter(parse_segment_rules(segment_rules), make_nlp()),
        model=model,
        manifest=dict(manifest or {}),
        max_pages=max_pages,
    )


def process_source(source: SourceFile, context: RunContext) -> DocumentResult:
    """Run one file through every stage. Raises :class:`PipelineError` when it cannot be scored."""
    document = ingest(source, max_pages=context.max_pages)
    identification = identify(document, context.identifier, manifest_entry_for(context.manifest, source.path))
    passages = segment(document, identification.inspection, context.segmenter, identification.force)
    return DocumentResult(
        source=source.path, sha256=source.sha256, identification=identification,
        passages=classify_passages(passages, context.model),
    )


def process_path(path: str, context: RunContext) -> DocumentResult | Problem:
    """Read and process one file; an expected failure comes back as a :class:`Problem`."""
    sha = ""
    try:
        source = io.read_source(path)
        sha = source.sha256
        return process_source(source, context)
    except PipelineError as error:
        return error.problem(str(path), sha)


def score_paths(paths: Sequence[str | os.PathLike], context: RunContext) -> tuple[list[DocumentResult], list[Problem]]:
    """Process every file; return the scored documents and the problems, both in input order."""
    results: list[DocumentResult] = []
    problems: list[Problem] = []
    for path in paths:
        outcome = process_path(str(path), context)
        (problems if isinstance(outcome, Problem) else results).append(outcome)
    return results, problems
