"""The one per-document flow: ingest -> identify -> segment -> classify.

:func:`process` is the only place the stages are chained. Every way of
running documents goes through it: in this process, on forked or loky worker
processes, or on a Dask cluster (:mod:`pipeline.parallel` decides where; the
flow is the same). A :class:`Task` starts the flow where the cache left off:
from the file's bytes, from its cached text (identify onwards) or from its
cached passages (classify only). Around the stages, and never changing what
they return, the flow times each one, counts what it did and queues the
cache entries to write (:mod:`pipeline.cache` builds them; the parent
process writes them, whatever ran the task).

Pure apart from that bookkeeping: what the stages need comes in the run's
context (:class:`pipeline.parallel.RunContext`), and the outcome, the entries
and the counters go back in a :class:`Done`.
Before the run, ``score`` assembles the per-document hints here:
:func:`read_manifest` (the one file read, through :mod:`pipeline.io`),
:func:`with_provenance` (each input's sources.csv row as hints) and, after
it, :func:`source_urls` (the URL each scored document came from).
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ContextManager, Iterator, Mapping, Sequence

from pipeline import cache
from pipeline.errors import PipelineError
from pipeline.types import Document, DocumentResult, Identification, Passage, Problem, SourceFile

if TYPE_CHECKING:
    from pipeline.parallel import RunContext


@dataclass(frozen=True)
class Task:
    """Work for one document; exactly one of ``source``, ``document``, ``analysis`` is set (where to start)."""

    index: int
    path: str
    sha256: str
    manifest: Any  # ManifestEntry | None
    keys: cache.Keys | None  # None when the cache is off
    source: SourceFile | None = None
    document: Document | None = None
    read_seconds: float = 0.0  # with ``document`` from the cache: the seconds ingest took to read it then
    #: identification, passages, page-level problems and the number of pages read by OCR
    analysis: tuple[Identification, tuple[Passage, ...], tuple[Problem, ...], int] | None = None


@dataclass(frozen=True)
class Done:
    """A document's outcome, the cache entries to write ``(kind, key, json)``, and counters for the run report."""

    index: int
    outcome: DocumentResult | Problem
    entries: tuple[tuple[str, str, str], ...] = ()
    stats: Mapping[str, float] = field(default_factory=dict)


def process(task: Task, context: RunContext, parsing: ContextManager = nullcontext()) -> Done:
    """Run ``task`` through the stages the cache lacked, then classification; a refusal becomes the :class:`Problem`.

    ``parsing`` is entered around ingest only (the parallel layer passes its
    garbage-collector pause). Counters (see :func:`pipeline.parallel.run`):
    ``parsed``, ``pages_parsed``, ``analysed``, ``passages_classified`` and
    ``<stage>_seconds``.
    """
    from pipeline import ingest as ingest_stage  # looked up per call, so a test can count the calls
    from pipeline.classify import classify_passages
    from pipeline.identify import identify
    from pipeline.segment import segment_identified

    book = _Bookkeeping(task)
    try:
        analysis = task.analysis
        if analysis is None:
            document = task.document
            if document is None:
                if task.source is None:
                    raise ValueError(f"{task.path}: a task needs its source, document or analysis")
                started = time.perf_counter()
                with book.stage("ingest", counter="parsed", failure="documents"), parsing:
                    document = ingest_stage.ingest(task.source, max_pages=context.max_pages, **context.ingest_options)
                read_seconds = time.perf_counter() - started
                book.stats["pages_parsed"] += len(document.pages)
                book.keep("documents", cache.dump_document, document, read_seconds)
            else:
                read_seconds = task.read_seconds
            # what a later run's limits are checked against when it finds this document's analysis in the cache
            book.measures = cache.Measures.of(document, read_seconds)
            with book.stage("identify", failure="analyses"):
                identification = identify(document, context.identifier, task.manifest,
                                          url=task.manifest.url if task.manifest else None,
                                          force_hint=task.manifest.force_hint if task.manifest else None,
                                          inspection_hint=task.manifest.inspection_hint if task.manifest else None)
            if identification.inspection is None:  # identify names an inspection or raises E201
                raise ValueError(f"{task.path}: identified without an inspection")
            with book.stage("segment", counter="analysed"):
                passages = segment_identified(document, identification, context.segmenter)
            analysis = identification, passages, document.problems, sum(p.ocr for p in document.pages)
            book.keep("analyses", cache.dump_analysis, *analysis, book.measures)
        identification, passages, page_problems, ocr_pages = analysis
        with book.stage("classify"):
            classified = classify_passages(passages, context.model)
        book.stats["passages_classified"] += len(passages)
        book.keep("predictions", cache.dump_predictions, [c.prediction for c in classified])
        outcome: DocumentResult | Problem = DocumentResult(source=task.path, sha256=task.sha256,
                                                           identification=identification, passages=classified,
                                                           problems=page_problems, ocr_pages=ocr_pages)
    except PipelineError as error:
        outcome = error.problem(task.path, task.sha256)
    except Exception as error:  # noqa: BLE001 - one document's failure, whatever it is, must not lose the batch
        outcome = stage_failure(error, book.current).problem(task.path, task.sha256)
    return Done(task.index, outcome, tuple(book.entries), dict(book.stats))


_PACKAGE = Path(__file__).parent  # this package's folder: a failure names its innermost frame here


def stage_failure(error: BaseException, stage: str) -> PipelineError:
    """An unexpected exception of stage ``stage`` as the coded error E219, for one line of the run report.

    A bug or an input no stage foresaw must cost only its own document, yet stay
    visible to the developers: the message names the exception's type, the first
    line of what it says, and the innermost line of this package it passed
    through (``pipeline/classify.py:135``); never a traceback on the terminal.
    """
    text = str(error).strip()
    detail = text.splitlines()[0] if text else "(no message)"
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename)
        if path.is_relative_to(_PACKAGE):
            where = f" (in {path.relative_to(_PACKAGE.parent).as_posix()}:{frame.lineno})"
    return PipelineError("E219", stage=stage, kind=type(error).__name__, detail=detail, where=where)


#: Refusals that depend on the bytes alone, so are cached: entry kind -> (codes, how to dump one).
_CACHEABLE_FAILURES = {"documents": (cache.CACHEABLE_INGEST_CODES, cache.dump_document_problem),
                       "analyses": (cache.CACHEABLE_ANALYSIS_CODES, cache.dump_analysis_problem)}


class _Bookkeeping:
    """What wraps the flow: each stage's seconds and counters, and the cache entries its outputs become."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.stats: Counter = Counter()
        self.entries: list[tuple[str, str, str]] = []
        self.current = "start"  # the stage running or last run: what a failure is reported under
        self.measures: cache.Measures | None = None  # the document's, once it is read

    @contextmanager
    def stage(self, name: str, counter: str | None = None, failure: str | None = None) -> Iterator[None]:
        """Time stage ``name``, and count ``counter`` once it ran.

        ``parsed`` counts failures too, ``analysed`` only successes, as before. A refusal that
        depends on the bytes alone is queued as entry kind ``failure``.
        """
        started = time.perf_counter()
        self.current = name
        try:
            yield
        except PipelineError as error:
            if failure is not None and error.code in _CACHEABLE_FAILURES[failure][0]:
                self.keep(failure, _CACHEABLE_FAILURES[failure][1], error.problem(self.task.path, self.task.sha256),
                          *([self.measures] if failure == "analyses" else []))
            if counter == "parsed":
                self.stats[counter] += 1
            raise
        finally:
            # typeshed types Counter values as int; the docs allow any number, and seconds are floats
            self.stats[f"{name}_seconds"] += time.perf_counter() - started  # type: ignore[assignment]
        if counter:
            self.stats[counter] += 1

    def keep(self, kind: str, dump: Any, *value: Any) -> None:
        """Queue the cache entry ``kind`` of this document as ``dump(key, *value)`` (nothing when the cache is off)."""
        if self.task.keys is not None:
            key = self.task.keys.of(kind)
            self.entries.append((kind, key, dump(key, *value)))


def read_manifest(named: str | None, configured: str) -> dict:
    """The manifest in force: the file ``--manifest`` names, else the configured one when it exists, else none.

    Args:
        named: the file given by ``--manifest`` (None: not given); it must exist and be readable.
        configured: ``paths.manifest`` of the configuration; optional (absent: nothing overridden).

    Returns:
        ``{file: ManifestEntry}`` as :func:`pipeline.identify.parse_manifest` gives it; ``{}`` without a manifest.

    Raises:
        PipelineError: E442 when the manifest cannot be read; the codes of
            :func:`pipeline.identify.parse_manifest` when a row is bad.
    """
    from pipeline import io
    from pipeline.identify import parse_manifest

    # the configured manifest is optional (absent: nothing overridden); one named by --manifest must exist
    manifest_path = named or configured
    if not (named or (manifest_path and Path(manifest_path).is_file())):
        return {}
    try:
        manifest_text = io.read_text(manifest_path)
    except (OSError, UnicodeDecodeError) as exc:
        raise PipelineError("E442", path=manifest_path, detail=getattr(exc, "strerror", None) or str(exc)) from None
    return parse_manifest(manifest_text, origin=manifest_path)


def with_provenance(manifest: dict, paths: Sequence[Path], source_tables: Sequence[tuple[str, Sequence[Any]]]) -> dict:
    """``manifest`` with each input's sources.csv row as hints (its URL, the force and inspection it names).

    A manifest row still decides force and inspection; the hints only help identify where the text is silent.

    Args:
        manifest: ``{file: ManifestEntry}`` (:func:`read_manifest`).
        paths: the input files to be scored.
        source_tables: ``(folder, rows)`` of each input folder's sources.csv (:func:`pipeline.io.read_source_tables`);
            a row whose status is ``failed`` or that names no file is passed over.

    Returns:
        A new manifest: for each path with a sources.csv row, its entry (or a new one) with ``url``,
        ``force_hint`` and ``inspection_hint`` (the row's optional ``inspection`` column) set.
    """
    import os
    from dataclasses import replace

    from pipeline.identify import ManifestEntry, manifest_entry_for

    rows = {os.path.abspath(os.path.join(folder, row.file)): row for folder, table in source_tables
            for row in table if row.file and row.status != "failed"}
    merged = dict(manifest)
    for path in paths:
        row = rows.get(os.path.abspath(path))
        if row is None:
            continue
        entry = manifest_entry_for(manifest, str(path)) or ManifestEntry(file=str(path))
        named = dict(row.extra).get("inspection") or None  # a richer sources.csv (the corpus's) names the inspection
        merged[str(path)] = replace(entry, file=str(path), url=row.url or None, force_hint=row.force or None,
                                    inspection_hint=named)
    return merged


def source_urls(source_tables: Sequence[tuple[str, Sequence[Any]]], results: Sequence[DocumentResult]) -> dict[str, str]:
    """The URL each scored document's evidence came from, by source path (``{}`` without any sources.csv).

    Collected documents: each sources.csv row names its URL (:func:`pipeline.collect.url_index`, by path or sha256).
    """
    if not source_tables:
        return {}
    from pipeline.collect import url_index

    index = url_index(source_tables)
    return {r.source: index.url(r.source, r.sha256) for r in results}
