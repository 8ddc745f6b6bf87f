"""Run a reader in a worker process that is killed when its time is up, with its memory capped.

A PDF page can hold a content stream that pdfminer needs minutes (or
gigabytes) to lay out, and checking a clock between pages cannot stop a page
that never finishes. So a reader runs in a child process (forked on Linux,
like the runner's workers; spawned elsewhere): the parent waits at most
``seconds`` for its answer and then kills it (E108); the child's address
space may grow by at most ``memory_mb`` beyond what it inherited (E119 past
it). Expected failures come back as their code and details; anything else
the child raises comes back as ``crash_code`` with its description.

Where no child can be started (a daemonic process, such as a Dask worker,
may not have children) the reader runs in this process, and only the
reader's own checks between pages bound it.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys
from typing import Any, Callable

from pipeline.errors import PipelineError

#: How much more address space (MB) a reader's worker may map than the process it was forked from.
DEFAULT_MEMORY_MB = 2048


def run_bounded(target: Callable[..., Any], args: tuple, seconds: float | None, *, crash_code: str,
                memory_mb: int = DEFAULT_MEMORY_MB) -> Any:
    """``target(*args)`` in a worker process stopped after ``seconds`` (None: in this process, unbounded).

    ``target`` must be a module-level function and its result picklable.
    Raises :class:`PipelineError`: E108 when the time is up (the worker is
    killed), E119 when it ran out of its memory, ``crash_code`` (with a
    ``detail``) when it died or raised something unexpected, or whatever
    :class:`PipelineError` the target raised.
    """
    if seconds is None or multiprocessing.current_process().daemon:
        return target(*args)
    fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    context: multiprocessing.context.ForkContext | multiprocessing.context.SpawnContext = (
        multiprocessing.get_context("fork") if fork else multiprocessing.get_context("spawn"))
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_child, args=(sender, target, args, memory_mb), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(max(seconds, 0.0)):
            raise PipelineError("E108", seconds=_plain(seconds))
        try:
            kind, payload = receiver.recv()
        except (EOFError, OSError):
            worker.join(1.0)
            raise PipelineError(crash_code, detail=f"the reader stopped (exit code {worker.exitcode})") from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
    if kind == "ok":
        return payload
    if kind == "error":
        code, details = payload
        raise PipelineError(code, **details)
    raise PipelineError(crash_code, detail=payload)


def _plain(seconds: float) -> float | int:
    return int(seconds) if float(seconds).is_integer() else seconds


def _child(sender, target: Callable[..., Any], args: tuple, memory_mb: int) -> None:
    _cap_memory(memory_mb)
    try:
        message: tuple = ("ok", target(*args))
    except PipelineError as error:
        message = ("error", (error.code, error.details))
    except MemoryError:
        message = ("error", ("E119", {"megabytes": memory_mb}))
    except BaseException as exc:  # anything else is reported by the parent as a coded error
        text = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        message = ("crash", f"{type(exc).__name__}: {text}" if text else type(exc).__name__)
    try:
        sender.send(message)
    except MemoryError:
        sender.send(("error", ("E119", {"megabytes": memory_mb})))
    sender.close()


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
