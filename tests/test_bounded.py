"""A reader's worker process: stopped at its time limit, its memory capped, its failures coded."""

from __future__ import annotations

import os
import signal
import time

import pytest

from pipeline.errors import PipelineError
from pipeline.ingest.bounded import run_bounded


def _raise_coded() -> None:
    raise PipelineError("E104")


def test_a_worker_past_its_time_is_killed_and_reported_e108():
    started = time.monotonic()
    with pytest.raises(PipelineError) as error:
        run_bounded(time.sleep, (60,), 1.0, crash_code="E103")
    assert error.value.code == "E108" and "1 s" in error.value.message
    assert time.monotonic() - started < 15


def test_a_worker_past_its_memory_is_reported_e119():
    with pytest.raises(PipelineError) as error:
        run_bounded(bytearray, (8 * 2**30,), 60, crash_code="E103", memory_mb=256)
    assert error.value.code == "E119"


def test_results_expected_errors_and_crashes_come_back():
    assert run_bounded(sorted, ([3, 1, 2],), 30, crash_code="E103") == [1, 2, 3]
    with pytest.raises(PipelineError) as error:
        run_bounded(_raise_coded, (), 30, crash_code="E103")
    assert error.value.code == "E104"
    with pytest.raises(PipelineError) as error:
        run_bounded(int, ("not a number",), 30, crash_code="E103")
    assert error.value.code == "E103" and "ValueError" in error.value.message


def _worker_pid() -> int:
    return run_bounded(os.getpid, (), 30, crash_code="E103")


def test_one_worker_serves_read_after_read():
    first = _worker_pid()
    assert first != os.getpid()
    assert run_bounded(sorted, ([2, 1],), 30, crash_code="E103") == [1, 2]
    assert _worker_pid() == first


def test_a_worker_killed_at_its_time_is_replaced_for_the_next_read():
    before = _worker_pid()
    with pytest.raises(PipelineError) as error:
        run_bounded(time.sleep, (60,), 0.5, crash_code="E103")
    assert error.value.code == "E108"
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)  # the worker that ran past its time is gone, not left reading
    after = _worker_pid()
    assert after != before and run_bounded(sorted, ([3, 1, 2],), 30, crash_code="E103") == [1, 2, 3]


def test_a_worker_out_of_memory_or_dead_is_replaced():
    before = _worker_pid()
    with pytest.raises(PipelineError) as error:
        run_bounded(bytearray, (8 * 2**30,), 60, crash_code="E103", memory_mb=256)
    assert error.value.code == "E119"
    after = _worker_pid()  # the default cap again, in a new worker
    assert after not in (before, os.getpid())
    os.kill(after, signal.SIGKILL)  # killed from outside between two reads
    time.sleep(0.2)
    assert _worker_pid() not in (after, os.getpid())
