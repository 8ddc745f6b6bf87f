"""Running many documents: where each runs, the context it runs in, and the run's stream of outcomes.

:func:`run` (and its streaming form :func:`iter_outcomes`) takes the paths,
a picklable :class:`RunSettings` (what to compute) and :class:`RunOptions`
(how: jobs, backend, cache folder, progress bar). The parent process reads
each file, hashes it and looks it up in the cache (:mod:`pipeline.cache`,
JSON entries read and written through :mod:`pipeline.io`); only what the
cache lacks is sent out as a :class:`~pipeline.run.Task`, which
:func:`pipeline.run.process` (the one per-document flow) carries out:

* parse, identify, segment, classify, when the file's bytes are new;
* identify, segment, classify, when only the code, registers or manifest changed;
* classify, when only the model changed.

Tasks run in-process (``jobs=1``); on local worker processes forked from
this one once it has built its context (Linux; elsewhere joblib's loky
processes, which build their own); or on a Dask cluster through joblib's
Dask backend. Each task carries what it needs (the file's bytes, or the
cached document or passages), so workers never read the input folders, and
returns its outcome plus the cache entries to store, which the parent
writes: the cache lives with the parent whatever runs the tasks. Outcomes
come back in input order as they finish, whatever the backend, so every
backend and job count gives byte-identical outputs; the parent keeps only
each document's identification and passages, never its full text.

A worker builds its :class:`RunContext` (spaCy pipeline, phrase matchers,
model) once, on its first task, and keeps it for later tasks of the same
settings (:func:`context_for`); forked workers inherit the parent's. This
and the settings a forked worker is started with are the only process-wide
state here, both keyed or scoped so that they cannot leak between runs. The
run also touches the garbage collector, which is process-wide by nature: what
is alive when a context is built is frozen out of it (``gc.freeze``, undone
when that context is evicted), and it is paused while a document is parsed
(:class:`_CollectorPause`, which puts it back as it found it). Both are for
speed only; neither changes a result.
"""

from __future__ import annotations

import gc
import hashlib
import io as _bytes_io
import itertools
import os
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from pipeline import cache, io
from pipeline.errors import PipelineError
from pipeline.run import Done, Task, process
from pipeline.types import ClassifiedPassage, DocumentResult, Force, Inspection, Problem

if TYPE_CHECKING:  # the stage modules import spaCy and scikit-learn: loaded only where a document is processed
    from pipeline.identify import Identifier
    from pipeline.segment import Segmenter

BACKENDS = ("local", "dask")
#: With the default job count, fewer documents to process than this run in-process (see :func:`iter_outcomes`).
MIN_PARALLEL_TASKS = 8

# --- the context a document is processed in ---------------------------------------

def _threadpool_controller() -> Any:
    # built with the context, after the model has loaded numpy and scipy: it controls only the libraries loaded by then
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@dataclass(frozen=True)
class RunContext:
    """What the per-document flow (:func:`pipeline.run.process`) needs besides the task.

    Built once per run (or once per worker).
    """

    identifier: Identifier
    segmenter: Segmenter
    model: Any  # a fitted estimator with predict_proba and classes_
    max_pages: int  # the configuration's limits.max_pages, or the flag overriding it
    ingest_options: Mapping[str, Any] = field(default_factory=dict)  # more keyword arguments of ingest (max_seconds)
    # a threadpoolctl.ThreadpoolController: finding the loaded BLAS/OpenMP libraries costs ~5 ms, so once per context
    threadpools: Any = field(default_factory=_threadpool_controller)


def build_context(inspections: Sequence[Inspection], forces: Sequence[Force], segment_rules: str, model: Any,
                  max_pages: int, ingest_options: Mapping[str, Any] | None = None) -> RunContext:
    """Assemble a :class:`RunContext` from loaded data (``segment_rules`` is the TOML text of the rules)."""
    from pipeline.identify import build_identifier
    from pipeline.nlp import make_nlp
    from pipeline.segment import Segmenter, parse_segment_rules

    nlp = make_nlp()  # shared by identify, segment and the model's cue engines, which only read it: one takes ~0.2 s
    _build_cue_engines(model, nlp)
    if model is not None:
        from pipeline.classify import memoise_char_ngrams

        memoise_char_ngrams(model)
    return RunContext(
        identifier=build_identifier(forces, inspections, nlp),
        segmenter=Segmenter(parse_segment_rules(segment_rules), nlp),
        model=model,
        max_pages=max_pages,
        ingest_options=dict(ingest_options or {}),
    )


def _build_cue_engines(model: Any, nlp: Any) -> None:
    """Build the cue engine of each fitted cue step of ``model`` now, on the run's spaCy pipeline ``nlp``.

    Built lazily, each would make a pipeline of its own; built here it is also part of what the context
    freezes out of the collector's sight.
    """
    from pipeline.cues import CueEngine, LazyCueEngineMixin
    from pipeline.model.features import steps_of

    for step in steps_of(model, LazyCueEngineMixin):
        if hasattr(step, "lexicon_") and "_engine_cache" not in step.__dict__:
            step.__dict__["_engine_cache"] = CueEngine(step.lexicon_, nlp=nlp)


# --- settings: what a run computes, as data a worker can rebuild its context from --------

@dataclass(frozen=True)
class ModelSpec:
    """The status classifier as bytes: the checked joblib file, or the cue lexicon of the rule baseline.

    ``sha256`` names the model in cache keys, so a retrained model misses the
    prediction cache and is run; :meth:`load` refuses bytes that do not match it.
    """

    kind: str  # "joblib" | "baseline"
    data: bytes
    sha256: str

    @classmethod
    def from_file(cls, path: str) -> "ModelSpec":
        """A model saved by :func:`pipeline.io.save_model`, checked against its manifest (E301/E302) but not unpickled."""
        data, manifest = io.read_model(path)
        return cls("joblib", data, manifest["sha256"])

    @classmethod
    def baseline(cls, cues_toml: str) -> "ModelSpec":
        """The cue-rule baseline built from the text of ``cues.toml``."""
        data = cues_toml.encode("utf-8")
        return cls("baseline", data, "baseline:" + hashlib.sha256(data).hexdigest())

    @classmethod
    def from_object(cls, model: Any) -> "ModelSpec":
        """A fitted model in memory (notebooks, tests), dumped with joblib.

        Its sha256 may differ between processes (pickles of sets follow hash randomisation), which
        costs prediction-cache hits, never correctness.
        """
        import joblib

        buffer = _bytes_io.BytesIO()
        joblib.dump(model, buffer)
        data = buffer.getvalue()
        return cls("joblib", data, hashlib.sha256(data).hexdigest())

    def load(self) -> Any:
        """The fitted estimator. Joblib bytes are unpickled only if their sha256 is the one the parent checked."""
        if self.kind == "baseline":
            from pipeline.classify import CueRuleClassifier
            from pipeline.cues import load_cue_lexicon

            return CueRuleClassifier(lexicon=load_cue_lexicon(self.data.decode("utf-8"))).fit([], [])
        import joblib

        if hashlib.sha256(self.data).hexdigest() != self.sha256:
            raise PipelineError("E301", path="(sent to worker)", detail="bytes do not match the checked sha256")
        return joblib.load(_bytes_io.BytesIO(self.data))


@dataclass(frozen=True)
class RunSettings:
    """What a run computes: registers, forces, segment rules, model and ingest limits, plus their fingerprints.

    Picklable and self-contained (no paths), so a worker on another machine
    can rebuild the :class:`RunContext` from it. Build it with :func:`make_settings`.
    """

    inspections: tuple[Inspection, ...]
    forces: tuple[Force, ...]
    segment_rules: str
    model: ModelSpec
    max_pages: int
    ingest_options: tuple[tuple[str, Any], ...]
    fingerprints: cache.Fingerprints
    key: str  # digest of all the above: a worker's context is reused only for the same key


def make_settings(inspections: Sequence[Inspection], forces: Sequence[Force], segment_rules: str, model: ModelSpec,
                  max_pages: int, ingest_options: Mapping[str, Any] | None = None) -> RunSettings:
    """Build :class:`RunSettings` from loaded data; ``ingest_options`` are more keyword arguments of ``ingest``."""
    options = tuple(sorted((ingest_options or {}).items()))
    prints = cache.stage_fingerprints(inspections, forces, segment_rules, model.sha256)
    return RunSettings(tuple(inspections), tuple(forces), segment_rules, model, max_pages, options, prints,
                       key=cache.digest(prints, max_pages, options))


_CONTEXTS: dict[str, RunContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def context_for(settings: RunSettings) -> tuple[RunContext, bool]:
    """This process's :class:`RunContext` for ``settings``, built on first use; also whether it was just built.

    Kept in a module-level dict keyed by ``settings.key`` (at most two, so a
    long-lived Dask worker serving several runs does not pile them up), under
    a lock, so that the threads of a Dask worker build it once.
    """
    with _CONTEXTS_LOCK:
        context = _CONTEXTS.get(settings.key)
        if context is not None:
            return context, False
        # Building imports scikit-learn and spaCy and makes some 200,000 objects that live as long as the process:
        # the collector's passes over them while they are made (about a tenth of the build) find nothing. They are
        # frozen before it is back on, else its first pass would scan every one of them (0.5 s) for nothing.
        with _COLLECTOR_PAUSED:
            context = build_context(settings.inspections, settings.forces, settings.segment_rules,
                                    settings.model.load(), settings.max_pages, dict(settings.ingest_options))
            if len(_CONTEXTS) >= 2:
                _CONTEXTS.pop(next(iter(_CONTEXTS)))
                gc.unfreeze()  # what the evicted context held can be collected again
            _CONTEXTS[settings.key] = context
            # The context (spaCy, scikit-learn, the model: some 200,000 objects) lives as long as the process and
            # is only read. Frozen, the collector stops re-scanning it on every collection pdfminer's millions of
            # layout objects trigger, which made parsing about 15% slower than plain pdfminer; forked workers
            # also keep sharing its memory pages instead of copying them when the collector touches them.
            gc.freeze()
        return context, True


class _CollectorPause:
    """Context manager: Python's cyclic garbage collector off while any thread is inside.

    It is back on (if it was on) when the last one leaves.

    pdfminer allocates millions of short-lived objects per document, which reference counting frees; the
    collector's passes over them found almost nothing (some 25 cyclic objects a page) and cost about 7% of
    the parse. The cycles left are collected once the collector is back on.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._inside += 1

    def __exit__(self, *exc: Any) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0 and self._was_enabled:
                gc.enable()


_COLLECTOR_PAUSED = _CollectorPause()  # process-wide, like the collector it switches (Dask runs tasks in threads)


def _work(task: Task, settings: RunSettings) -> Done:
    """Do a task wherever it runs (a worker or this process): this process's context, then the one flow."""
    stats: Counter = Counter()
    try:
        context = _context(settings, stats)
    except PipelineError as error:  # a model whose bytes do not check out (E301)
        return Done(task.index, error.problem(task.path, task.sha256), (), dict(stats))
    # one document per core is the parallelism; BLAS threads on top only oversubscribe the cores
    with context.threadpools.limit(limits=1):
        done = process(task, context, parsing=_COLLECTOR_PAUSED)
    stats.update(done.stats)
    return Done(done.index, done.outcome, done.entries, dict(stats))


def _context(settings: RunSettings, stats: Counter) -> RunContext:
    started = time.perf_counter()
    context, built = context_for(settings)
    if built:
        stats["contexts_built"] += 1
        # typeshed types Counter values as int; the docs allow any number, and seconds are floats
        stats["context_seconds"] += time.perf_counter() - started  # type: ignore[assignment]
    return context


# --- the run ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RunOptions:
    """How a run is carried out; nothing here changes its results.

    ``jobs``: worker processes (1: in this process; None or < 1: one per core,
    but in this process when fewer than :data:`MIN_PARALLEL_TASKS` documents
    need work, as starting workers would cost more than it saves).
    ``backend``: ``"local"`` or ``"dask"`` (then ``scheduler`` is the address
    of a running Dask scheduler, and ``jobs`` None means every worker thread).
    ``cache_dir``: the cache folder, None (the default) for no cache; ``score``
    passes its ``--cache`` (default: the configuration's ``paths.cache``).
    ``progress``: a tqdm bar on stderr (shown only when stderr is a terminal).
    """

    jobs: int | None = None
    backend: str = "local"
    scheduler: str | None = None
    cache_dir: str | None = None
    progress: bool = False


@dataclass
class RunReport:
    """What :func:`run` returns: scored documents and problems in input order, and the run's counters."""

    results: list[DocumentResult]
    problems: list[Problem]
    stats: dict[str, Any]


def default_jobs() -> int:
    """The number of cores this process may use (respecting CPU affinity and container limits)."""
    from joblib import cpu_count

    return max(1, cpu_count())


def _local_jobs(options: RunOptions) -> int:
    return options.jobs if options.jobs is not None and options.jobs > 0 else default_jobs()


def _plan(index: int, path: str, settings: RunSettings, manifest: Mapping[str, Any], root: str | None,
          stats: Counter) -> Task | Done:
    """Read one file and look it up in the cache: a finished outcome, or the task still to do."""
    try:
        source = io.read_source(path)
    except PipelineError as error:
        return Done(index, error.problem(path, ""))
    entry = None
    if manifest:
        from pipeline.identify import manifest_entry_for

        entry = manifest_entry_for(manifest, path)
    if root is None:
        return Task(index, path, source.sha256, entry, None, source=source)
    sha = source.sha256
    # the provenance hints decide identification too, so they are part of the analysis key
    force_key = ("\t".join(v or "" for v in (entry.force, entry.force_hint, entry.url, entry.inspection_hint))
                 if entry else None)
    keys = cache.document_keys(sha, path, settings.fingerprints, force_key, entry.inspection if entry else None)

    def lookup(kind: str, key: str, parse) -> Any:
        text = io.read_cache_entry(root, cache.entry_relpath(kind, key))
        value = parse(text)
        stats[f"cache_{kind}_{'hit' if value is not None else 'corrupt' if text is not None else 'miss'}"] += 1
        return value

    analysed = lookup("analyses", keys.analysis, lambda t: cache.parse_analysis_entry(
        t, keys.analysis, path, sha, settings.forces, settings.inspections))
    analysis = None
    if analysed is not None:
        analysis, measures = analysed
        refusal = _over_limits(measures, settings) if measures is not None else None
        if refusal is not None:
            return Done(index, refusal.problem(path, sha))
        if measures is None:  # an entry made without the document's measures cannot be checked: made again
            analysis = None
    if isinstance(analysis, Problem):
        return Done(index, analysis)
    if analysis is not None:
        identification, passages, page_problems, ocr_pages = analysis
        predictions = lookup("predictions", keys.predictions,
                             lambda t: cache.parse_predictions(t, keys.predictions, len(passages)))
        if predictions is not None:
            classified = tuple(ClassifiedPassage(p, pr) for p, pr in zip(passages, predictions))
            return Done(index, DocumentResult(source=path, sha256=sha, identification=identification, passages=classified,
                                              problems=page_problems, ocr_pages=ocr_pages))
        return Task(index, path, sha, entry, keys, analysis=analysis)
    read = lookup("documents", keys.document, lambda t: cache.parse_document_entry(t, keys.document, path, sha))
    if isinstance(read, Problem):
        return Done(index, read)
    if read is not None:
        document, measures = read
        refusal = _over_limits(measures, settings)
        if refusal is not None:
            return Done(index, refusal.problem(path, sha))
        return Task(index, path, sha, entry, keys, document=document, read_seconds=measures.seconds)
    return Task(index, path, sha, entry, keys, source=source)


def _over_limits(measures: cache.Measures, settings: RunSettings) -> PipelineError | None:
    """What ingest would refuse a cached document for under this run's limits (E107, E108, E129), else None.

    The limits are in no cache key (a tightened limit would otherwise cost a fresh read of every document, and a
    loosened one would find nothing): each hit is checked against the measures its entry keeps instead.
    """
    from pipeline.ingest import over_limits

    options = dict(settings.ingest_options)
    limits = {name: options[name] for name in ("max_seconds", "max_characters") if name in options}
    return over_limits(measures.media_type, measures.pages, measures.characters, measures.seconds,
                       max_pages=settings.max_pages, **limits)


def iter_outcomes(paths: Sequence[str | os.PathLike], settings: RunSettings, manifest: Mapping[str, Any] | None = None,
                  options: RunOptions = RunOptions(), stats: Counter | None = None) -> Iterator[DocumentResult | Problem]:
    """Yield each document's :class:`DocumentResult` or :class:`Problem`, in the order of ``paths``, as they finish.

    Cache entries are written as outcomes arrive; ``stats`` (if given) gathers
    the run's counters. Memory stays bounded by the outcomes the caller keeps:
    files are read as tasks are dispatched, and at most a few tasks per worker
    are queued ahead.
    """
    stats = Counter() if stats is None else stats
    root = options.cache_dir
    for done in _dones([str(p) for p in paths], settings, dict(manifest or {}), options, stats):
        if root is not None:  # entries are made only when the cache is on
            for kind, key, text in done.entries:
                io.write_cache_entry(root, cache.entry_relpath(kind, key), text)
                stats["cache_entries_written"] += 1
        stats.update(done.stats)
        yield done.outcome


def _dones(paths: list[str], settings: RunSettings, manifest: dict, options: RunOptions, stats: Counter) -> Iterator[Done]:
    # Planning counts in its own Counter: with a pool, joblib pulls tasks from another thread.
    plan_stats: Counter = Counter()
    planned = (_plan(i, path, settings, manifest, options.cache_dir, plan_stats) for i, path in enumerate(paths))
    try:
        parallel = options.backend == "dask" or _local_jobs(options) > 1
        # Outcomes the cache already had come out at once, until the first task: a fully
        # cached run never starts a worker (nor builds a context) at all.
        first_task = None
        for item in planned:
            if isinstance(item, Task):
                first_task = item
                break
            yield item
        if first_task is None:
            return
        rest = itertools.chain([first_task], planned)
        if parallel and options.backend == "local" and (options.jobs is None or options.jobs < 1):
            # The default job count starts worker processes only for enough work: for a
            # handful of documents one process is as fast, and starting workers has its
            # cost (a loky or Dask worker imports and builds for seconds). An explicit --jobs N always does.
            ahead: list[Task | Done] = []
            for item in rest:
                ahead.append(item)
                if sum(isinstance(i, Task) for i in ahead) >= MIN_PARALLEL_TASKS:
                    break
            parallel = sum(isinstance(i, Task) for i in ahead) >= MIN_PARALLEL_TASKS
            rest = itertools.chain(ahead, rest)
        if not parallel:
            stats["workers"] = 1
            for item in rest:
                yield _work(item, settings) if isinstance(item, Task) else item
            return
        if options.backend == "local" and _can_fork():
            yield from _forked(rest, settings, _local_jobs(options), stats)
        else:
            yield from _parallel(rest, settings, options, stats)
    finally:
        stats.update(plan_stats)


def _can_fork() -> bool:
    # Linux only: macOS offers fork but its system libraries are not fork-safe; elsewhere loky (fresh processes)
    import multiprocessing

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


_WORKER_SETTINGS: list[RunSettings] = []  # in a forked worker: the settings it was started with (see _forked)


def _start_forked_worker(settings: RunSettings) -> None:
    _WORKER_SETTINGS[:] = [settings]


def _work_forked(task: Task) -> Done:
    return _work(task, _WORKER_SETTINGS[0])


def _forked(items: Iterator[Task | Done], settings: RunSettings, jobs: int, stats: Counter) -> Iterator[Done]:
    """Run the tasks among ``items`` on ``jobs`` worker processes forked from this one; yield every outcome in input order.

    The context is built here first, so every worker starts with it: nothing
    to import or build, where a fresh (loky) process spends seconds importing
    spaCy and scikit-learn and building its own. The settings reach the
    workers through the fork, not a pickle per task. At most ``4 * jobs``
    tasks are read ahead of the outcome being waited for, so memory does not
    grow with the number of documents.

    A worker killed outright (the out-of-memory killer's SIGKILL, a crash)
    breaks the whole pool, and every task in flight fails with it, not only the
    one that killed it: those are run again by :func:`_alone`, each in a fresh
    process of its own, so a document that kills its process again is one
    problem (E218) and the others are scored; the rest go to a fresh pool.
    """
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _context(settings, stats)
    stats["workers"] = jobs
    items = iter(items)
    while True:
        window: deque[tuple[Task, Future] | Done] = deque()
        unsent: list[Task] = []  # a task the pool refused, broken by then: the last one read
        in_flight = 0
        try:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_start_forked_worker, initargs=(settings,)) as pool:
                for item in items:
                    if isinstance(item, Task):
                        try:
                            future = pool.submit(_work_forked, item)
                        except BrokenProcessPool:
                            unsent.append(item)
                            raise
                        window.append((item, future))
                        in_flight += 1
                    else:
                        window.append(item)
                    # yield what is ready at the head; wait for it only when enough tasks are queued
                    while window and (isinstance(window[0], Done) or window[0][1].done() or in_flight >= 4 * jobs):
                        head = window[0]
                        if isinstance(head, Done):
                            window.popleft()
                            yield head
                        else:
                            done = head[1].result()
                            window.popleft()
                            in_flight -= 1
                            yield done
                while window:
                    head = window[0]
                    done = head if isinstance(head, Done) else head[1].result()
                    window.popleft()
                    yield done
            return
        except BrokenProcessPool:
            stats["pools_broken"] += 1
        # what the broken pool finished stands; what it held in flight is run again, each task alone
        suspects = [task for task, future in (h for h in window if not isinstance(h, Done))
                    if future.cancelled() or future.exception() is not None]
        again = _alone(suspects + unsent, settings, jobs, stats)
        for head in window:
            if isinstance(head, Done):
                yield head
            else:
                task, future = head
                yield again[task.index] if task.index in again else future.result()
        yield from (again[task.index] for task in unsent)


def _alone(tasks: Sequence[Task], settings: RunSettings, jobs: int, stats: Counter) -> dict[int, Done]:
    """Each task in a process forked for it alone (``jobs`` at once): its outcome by task index.

    E218 when that process was killed or died before answering: only that task can have killed it.
    """
    import multiprocessing
    import multiprocessing.connection

    fork = multiprocessing.get_context("fork")
    queue = deque(tasks)
    running: dict[Connection, tuple[Task, Any]] = {}  # this end of each process's pipe -> (task, process)
    outcomes: dict[int, Done] = {}
    while queue or running:
        while queue and len(running) < jobs:
            task = queue.popleft()
            ours, theirs = fork.Pipe(duplex=False)
            process = fork.Process(target=_work_alone, args=(task, settings, theirs), daemon=False)
            process.start()
            theirs.close()  # so that this end reads EOF once the process is gone
            running[ours] = (task, process)
        for ready in multiprocessing.connection.wait(list(running)):
            assert isinstance(ready, Connection)
            task, process = running.pop(ready)
            try:
                outcome: Done | None = ready.recv()
            except (EOFError, OSError):
                outcome = None
            ready.close()
            process.join()
            stats["tasks_run_alone"] += 1
            outcomes[task.index] = outcome if outcome is not None else Done(
                task.index, _killed(process.exitcode).problem(task.path, task.sha256))
    return outcomes


def _work_alone(task: Task, settings: RunSettings, connection: Connection) -> None:
    connection.send(_work(task, settings))
    connection.close()


def _killed(exitcode: int | None) -> PipelineError:
    """E218 for a process that ended with ``exitcode`` (negative: the signal that killed it) before its answer."""
    import signal

    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        how = f"killed by signal {name}"
        if -exitcode == signal.SIGKILL:
            how += " (what the system's out-of-memory killer sends: fewer --jobs or more memory may let it through)"
    else:
        how = f"ended with exit code {exitcode}"
    return PipelineError("E218", how=how)


def _parallel(items: Iterator[Task | Done], settings: RunSettings, options: RunOptions, stats: Counter) -> Iterator[Done]:
    """Run the tasks among ``items`` on joblib workers; yield every item's outcome in input order."""
    from joblib import Parallel, delayed, parallel_config

    pending: deque[Task | Done] = deque()  # planned items, in order, whose outcome is not yet yielded

    def tasks() -> Iterator:
        for item in items:
            pending.append(item)
            if isinstance(item, Task):
                yield delayed(_work)(item, settings)

    with _backend(options) as (backend, n_jobs):
        stats["workers"] = n_jobs
        # inner_max_num_threads: one BLAS thread per worker process (loky sets it in their environment)
        config = {"inner_max_num_threads": 1} if backend == "loky" else {}
        with parallel_config(backend=backend, **config):
            for done in Parallel(n_jobs=n_jobs, return_as="generator")(tasks()):
                # every item before this task's was planned before it: hits queued ahead come out first
                while isinstance(head := pending[0], Done):
                    pending.popleft()
                    yield head
                task = pending.popleft()
                assert task.index == done.index, "joblib returned outcomes out of order"
                yield done
    while pending:  # hits after the last task
        hit = pending.popleft()
        assert isinstance(hit, Done), "a task left after the last outcome"
        yield hit


class _backend:
    """Context manager giving ``(joblib backend name, n_jobs)``; for Dask, connects a client and closes it after."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.client: Any = None  # a distributed.Client once connected

    def __enter__(self) -> tuple[str, int]:
        if self.options.backend == "dask":
            address = self.options.scheduler
            try:
                from distributed import Client
            except ImportError:
                raise PipelineError("E407", address=address, detail="dask.distributed is not installed: "
                                    "pip install -e '.[dask]'") from None
            try:  # waits up to dask's distributed.comm.timeouts.connect (30 s by default)
                self.client = Client(address)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise PipelineError("E407", address=address, detail=detail) from None
            threads = sum(self.client.nthreads().values()) or 1
            return "dask", self.options.jobs if self.options.jobs and self.options.jobs > 0 else threads
        return "loky", _local_jobs(self.options)

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()


def run(paths: Sequence[str | os.PathLike], settings: RunSettings, manifest: Mapping[str, Any] | None = None,
        options: RunOptions = RunOptions()) -> RunReport:
    """Score every file: the cached, parallel run behind ``python -m pipeline score``.

    In: input paths, :class:`RunSettings`, the manifest (path -> entry, from
    :func:`pipeline.identify.parse_manifest`) and :class:`RunOptions`. Out: a
    :class:`RunReport` with the results and problems in input order (the same
    for any backend and number of jobs) and its counters (``--stats``):
    ``documents``, ``scored``, ``problems``, ``workers`` (0 when the cache had
    everything), ``parsed`` and ``pages_parsed`` (ingest calls), ``analysed``
    (identify + segment), ``passages_classified``, ``contexts_built``,
    ``cache_<kind>_hit`` / ``_miss`` / ``_corrupt``, ``cache_entries_written``,
    ``pools_broken`` and ``tasks_run_alone`` (a worker killed outright, see :func:`_forked`),
    ``<stage>_seconds`` summed over workers, and ``wall_seconds`` of the run.
    A counter that stayed at zero is left out.
    """
    from tqdm import tqdm

    class Bar(tqdm):
        monitor_interval = 0  # no monitor thread: worker processes are forked, best from a single-threaded process

    if options.backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}")
    stats: Counter = Counter()
    started = time.perf_counter()
    results: list[DocumentResult] = []
    problems: list[Problem] = []
    # disable=None: tqdm shows the bar only when stderr is a terminal
    with Bar(total=len(paths), unit="doc", file=sys.stderr, disable=None if options.progress else True,
              mininterval=0.5, dynamic_ncols=True) as bar:
        for outcome in iter_outcomes(paths, settings, manifest, options, stats):
            if isinstance(outcome, Problem):
                problems.append(outcome)
            else:
                results.append(outcome)
            bar.update()
    report = {
        "documents": len(paths), "scored": len(results), "problems": len(problems), "backend": options.backend,
        # processes (or Dask threads) that did documents: 0 when the cache had everything, 1 in-process
        "workers": stats.get("workers", 0), "cache": options.cache_dir,
        "wall_seconds": round(time.perf_counter() - started, 3),
        **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in sorted(stats.items()) if k != "workers"},
    }
    return RunReport(results, problems, report)
