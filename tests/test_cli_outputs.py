"""The outputs of a run as one set: a failure while writing them replaces none (newcomer s8, items 6 and 10).

``score`` writes seven files. Each was atomic on its own, but a disk that filled up part way left the first
files of the new run beside the last files of the previous one, and the E448 line named no file. Here a write
fails for real: the kernel refuses a file over the process's file size limit (RLIMIT_FSIZE, the same failure
a full disk gives a ``write``: an OSError with no file name), or a folder stands where an output should go.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import io
from pipeline.cli import SCORE_OUTPUTS, main
from tests.conftest import ROOT, SEED_PATHS, SEEDS, one_error_line, snapshot

MANIFEST = str(ROOT / "corpus" / "manifest.csv")

resource = pytest.importorskip("resource")  # POSIX only: the file size limit


def score_argv(inputs, out, *extra) -> list[str]:
    return ["score", *map(str, inputs), "--out", str(out), "--manifest", MANIFEST, "--jobs", "1", "--no-cache",
            "--quiet", "--reviews", "", *extra]






@pytest.fixture
def previous(tmp_path, capsys) -> Path:
    """A folder holding a good earlier run's outputs (Suffolk's response alone)."""
    out = tmp_path / "scorecards"
    assert main(score_argv([SEEDS["Suffolk"]], out)) == 0
    capsys.readouterr()
    return out


#: Over the new run's scorecard.csv and scorecard.parquet (about 26 kB each for the seeds), under its passages.csv
#: (about 54 kB): the write fails part way through the set, after two files were written in full.
FILE_SIZE_LIMIT = 40_000


def _limited() -> None:  # in the child, before exec: a file over the limit fails with EFBIG instead of a signal
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def test_a_write_failing_part_way_replaces_no_output_and_names_the_file(previous):
    before = snapshot(previous)
    run = subprocess.run([sys.executable, "-m", "pipeline", *score_argv(SEED_PATHS, previous)], cwd=ROOT,
                         capture_output=True, text=True, preexec_fn=_limited, timeout=600)
    assert run.returncode == 2, run.stderr
    line = run.stderr.strip().splitlines()[-1]  # the lines before it are the seeds' own (the HMICFRS letter: E203)
    failed = next((name for name in SCORE_OUTPUTS if f"cannot use {previous / name}:" in line), None)
    assert line.startswith("error: E448 ") and failed is not None, line
    assert SCORE_OUTPUTS.index(failed) > 0  # at least one output was written in full before the failure
    assert line.endswith(f"; no output in {previous} was replaced, the previous ones are kept as they were "
                         "(a file or folder this command reads or writes)")
    assert snapshot(previous) == before  # the previous set, whole, and no temporary file left


def test_a_failure_with_no_previous_outputs_leaves_no_output_at_all(tmp_path):
    out = tmp_path / "new"
    run = subprocess.run([sys.executable, "-m", "pipeline", *score_argv(SEED_PATHS, out)], cwd=ROOT,
                         capture_output=True, text=True, preexec_fn=_limited, timeout=600)
    assert run.returncode == 2 and "error: E448 " in run.stderr, run.stderr
    assert not out.exists() or snapshot(out) == {}  # not a scorecard without its passages and report


def test_a_folder_where_an_output_should_be_is_named_and_nothing_is_replaced(previous, capsys):
    (previous / "report.html").unlink()
    (previous / "report.html").mkdir()  # the last file written: before, the six others were replaced first
    before = snapshot(previous)
    assert main(score_argv([SEEDS["Gwent"]], previous)) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: E448 cannot use {previous / 'report.html'}: Is a directory; no output in {previous} was replaced, "
        "the previous ones are kept as they were (a file or folder this command reads or writes)")
    assert snapshot(previous) == before


def test_ctrl_c_before_the_outputs_are_renamed_replaces_none(previous, monkeypatch, capsys):
    before = snapshot(previous)
    real_stage, staged = io._stage, []

    def interrupted_at_the_third(path, write, mode, **options):
        staged.append(path.name)
        if len(staged) == 3:
            raise KeyboardInterrupt  # Ctrl-C as passages.csv is being written
        return real_stage(path, write, mode, **options)

    monkeypatch.setattr(io, "_stage", interrupted_at_the_third)
    assert main(score_argv([SEEDS["Gwent"]], previous)) == 130
    assert one_error_line(capsys.readouterr().err) == "error: E444 interrupted: nothing written"
    assert snapshot(previous) == before


# --- an output file the user named is named as the user gave it (item 10) ------------------------------

def test_classify_out_given_a_folder_names_that_folder_not_a_temporary_file(tmp_path, capsys, monkeypatch):
    texts = tmp_path / "in.jsonl"
    texts.write_text('{"id": 1, "text": "The policy was published in May."}\n', encoding="utf-8")
    folder = tmp_path / "results"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["classify", "--in", str(texts), "--out", "results", "--baseline"]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        "error: E448 cannot use results: a folder, not a file (--out: the JSONL to write) "
        "(a file or folder this command reads or writes)")
    assert list(folder.iterdir()) == []


def test_any_output_file_that_is_a_folder_is_named_as_given(tmp_path, capsys):
    """``score --stats FILE`` is written by io like every output: its E448 names FILE, not a hidden file beside it."""
    stats = tmp_path / "stats.json"
    stats.mkdir()
    assert main(score_argv([SEEDS["Suffolk"]], tmp_path / "out", "--stats", str(stats))) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: E448 cannot use {stats}: Is a directory (a file or folder this command reads or writes)")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
