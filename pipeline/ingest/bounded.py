"""Run a reader in a worker process that is killed when its time is up, with its memory capped.

A PDF page can hold a content stream that pdfminer needs minutes (or
gigabytes) to lay out, and checking a clock between pages cannot stop a page
that never finishes. So a reader runs in a child process (forked on Linux,
like the runner's workers; spawned elsewhere): the parent waits at most
``seconds`` for its answer and then kills it (E108); the child's address
space may grow by at most ``memory_mb`` beyond what it had when it started
(E119 past it). Expected failures come back as their code and details;
anything else the child raises comes back as ``crash_code`` with its
description.

The child serves one read after another: each process (and each thread of
it) keeps one, started at its first read and replaced only after it was
killed, ran out of memory or died. A child started per document cost about
6% of reading a text PDF (fork, the copy-on-write faults on the parent's
heap, exit), on the benchmark's generated PDFs; reused, that cost is paid
once per run. Each read runs with Python's cyclic collector paused, as the
runner reads in process, and the child collects once the read is done, so
nothing piles up from one document to the next.

Where no child can be started (a daemonic process, such as a Dask worker,
may not have children) the reader runs in this process, and only the
reader's own checks between pages bound it.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.context
import os
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Callable

from pipeline.errors import PipelineError

#: How much more address space (MB) a reader's worker may map than the process it was forked from.
DEFAULT_MEMORY_MB = 2048


@dataclass
class _Worker:
    """A reader's worker process and this side of its pipe."""

    process: multiprocessing.process.BaseProcess
    connection: Connection
    memory_mb: int


# (process id, thread id) -> its worker: a forked process never talks to its parent's worker, and the threads
# of one process (Dask runs tasks in threads) never share one
_WORKERS: dict[tuple[int, int], _Worker] = {}
_WORKERS_LOCK = threading.Lock()


def run_bounded(target: Callable[..., Any], args: tuple, seconds: float | None, *, crash_code: str,
                memory_mb: int = DEFAULT_MEMORY_MB) -> Any:
    """``target(*args)`` in a worker process stopped after ``seconds`` (None: in this process, unbounded).

    ``target`` must be a module-level function and ``args`` and its result
    picklable. Raises :class:`PipelineError`: E108 when the time is up (the
    worker is killed), E119 when it ran out of its memory, ``crash_code``
    (with a ``detail``) when it died or raised something unexpected, or
    whatever :class:`PipelineError` the target raised.
    """
    if seconds is None or multiprocessing.current_process().daemon:
        return target(*args)
    worker = _worker(memory_mb)
    try:
        worker.connection.send((target, args))
    except (OSError, ValueError):  # it died since its last read (killed from outside): one new worker
        _stop(worker)
        worker = _worker(memory_mb)
        worker.connection.send((target, args))
    try:
        answer = worker.connection.recv() if worker.connection.poll(max(seconds, 0.0)) else None
    except (EOFError, OSError):
        raise PipelineError(crash_code, detail=f"the reader stopped (exit code {_stop(worker)})") from None
    except BaseException:
        _stop(worker)  # interrupted half way through a read: the worker may still be reading
        raise
    if answer is None:
        _stop(worker)
        raise PipelineError("E108", seconds=plain_seconds(seconds))
    kind, payload = answer
    if kind == "ok":
        return payload
    if kind == "error":
        code, details = payload
        if code == "E119":
            _stop(worker)  # it ends itself after running out of memory
        raise PipelineError(code, **details)
    raise PipelineError(crash_code, detail=payload)


def _worker(memory_mb: int) -> _Worker:
    """This thread's worker, started if it has none (or one with another memory cap, or a dead one)."""
    key = (os.getpid(), threading.get_ident())
    with _WORKERS_LOCK:
        worker = _WORKERS.get(key)
    if worker is not None and (worker.memory_mb != memory_mb or not worker.process.is_alive()):
        _stop(worker)
        worker = None
    if worker is None:
        fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
        context: multiprocessing.context.ForkContext | multiprocessing.context.SpawnContext = (
            multiprocessing.get_context("fork") if fork else multiprocessing.get_context("spawn"))
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(target=_serve, args=(theirs, ours if fork else None, memory_mb), daemon=True)
        process.start()
        theirs.close()
        worker = _Worker(process, ours, memory_mb)
        with _WORKERS_LOCK:
            _WORKERS[key] = worker
    return worker


def _stop(worker: _Worker) -> int | None:
    """Kill ``worker`` if it still runs and forget it; returns its exit code."""
    with _WORKERS_LOCK:
        for key, known in list(_WORKERS.items()):
            if known is worker:
                del _WORKERS[key]
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()
    worker.connection.close()
    return worker.process.exitcode


def plain_seconds(seconds: float) -> float | int:
    """``seconds`` as the E108 message prints it: ``120`` rather than ``120.0``."""
    return int(seconds) if float(seconds).is_integer() else seconds


def _serve(connection: Connection, parents_end: Connection | None, memory_mb: int) -> None:
    """The worker: read a request, answer it, until the parent's end of the pipe closes."""
    if parents_end is not None:
        parents_end.close()  # a forked copy of it would keep the pipe open after the parent is gone
    _cap_memory(memory_mb)
    gc.freeze()  # what it inherited is the parent's: the collections after each read need not scan it
    while True:
        try:
            target, args = connection.recv()
        except (EOFError, OSError):
            return
        message = _call(target, args, memory_mb)
        try:
            connection.send(message)
        except MemoryError:
            message = ("error", ("E119", {"megabytes": memory_mb}))
            connection.send(message)
        if message[0] == "error" and message[1][0] == "E119":
            return  # its heap is spent: the parent starts a new worker for the next read
        gc.collect()


def _call(target: Callable[..., Any], args: tuple, memory_mb: int) -> tuple:
    """``target(*args)`` with the collector paused, as a message for the parent."""
    gc.disable()
    try:
        return ("ok", target(*args))
    except PipelineError as error:
        return ("error", (error.code, error.details))
    except MemoryError:
        return ("error", ("E119", {"megabytes": memory_mb}))
    except BaseException as exc:  # anything else is reported by the parent as a coded error
        text = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        return ("crash", f"{type(exc).__name__}: {text}" if text else type(exc).__name__)
    finally:
        gc.enable()


def _cap_memory(memory_mb: int) -> None:
    """Limit the address space to what this process maps now plus ``memory_mb`` (Linux; elsewhere nothing)."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = mapped + memory_mb * 1024 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass
