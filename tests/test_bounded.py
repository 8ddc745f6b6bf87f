"""A reader's worker process: stopped at its time limit, its memory capped, its failures coded."""

from __future__ import annotations

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
