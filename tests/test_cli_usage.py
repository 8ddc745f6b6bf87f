"""The command line as a newcomer meets it: mistyped paths and flags, odd input folders, Ctrl-C.

Each test runs the CLI (``pipeline.cli.main`` or ``python -m pipeline`` in a
subprocess) and checks what a user sees: the exit code, the one coded line
naming the path, and that the previous outputs are still there, byte for byte.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from pipeline import cli, io
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.ingest import ingest, sniff
from pipeline.types import SourceFile
from tests.conftest import ROOT, SEEDS, one_error_line, snapshot

MANIFEST = str(ROOT / "corpus" / "manifest.csv")


def score(inputs, out, *extra):
    return main(["score", *map(str, inputs), "--out", str(out), "--manifest", MANIFEST, "--jobs", "1", *extra])






@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A scorecard folder from an earlier good run (Suffolk's response), which no later mistake may touch."""
    root = tmp_path_factory.mktemp("previous")
    out = root / "scorecards"
    assert score([SEEDS["Suffolk"]], out, "--no-cache") == 0
    return out


@pytest.fixture
def kept(previous):
    before = snapshot(previous)
    yield previous
    assert snapshot(previous) == before  # same files, same bytes


# --- 1. a mistyped input ------------------------------------------------------------

def test_a_missing_input_is_a_usage_error_and_the_previous_scorecard_stays(kept, tmp_path, capsys):
    mistyped = tmp_path / "x" / "mixd"
    assert score([mistyped], kept) == 2
    assert one_error_line(capsys.readouterr().err) == f"error: E409 input {mistyped} not found: nothing scored, nothing written"


def test_when_no_document_can_be_scored_the_previous_scorecard_is_not_replaced(kept, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    assert score([folder], kept, "--no-cache") == 3
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"{folder / 'empty.txt'}: E101 empty file (0 bytes)",
                     f"error: E443 no document could be scored (1 problem, listed in {kept / 'errors-last-run.csv'}): "
                     f"the previous outputs in {kept} are kept"]
    (kept / "errors-last-run.csv").unlink()  # this run's errors, beside the kept outputs (checked in test_cli_newcomer)


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists() or shutil.which("make") is None,
                    reason="needs the repository's .venv and make")
def test_make_score_fails_on_a_missing_input(kept, tmp_path):
    # -o: take the installed .venv as up to date (the test runs inside it), so make only calls the CLI
    done = subprocess.run(["make", "-s", "-o", ".venv/.installed", "score", f"INPUT={tmp_path / 'mixd'}", f"OUT={kept}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "E409" in done.stderr, done.stderr


# --- 2. an output folder that cannot be written ------------------------------------

@pytest.mark.parametrize("where", ["a-file", "/proc/x", "a-file/below"])
def test_an_unwritable_out_is_refused_before_any_work(where, tmp_path, capsys):
    (tmp_path / "a-file").write_text("keep me", encoding="utf-8")
    out = where if where.startswith("/") else str(tmp_path / where)
    assert score([SEEDS["Suffolk"]], out) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: E517 cannot write to the output folder {out}: ")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "cache").exists()  # nothing was read into the cache: no work done


# --- 4, 5, 10: named registers, manifest and flags checked up front ----------------

def test_a_missing_inspections_folder_is_a_usage_error(kept, tmp_path, capsys):
    assert score([SEEDS["Suffolk"]], kept, "--inspections", str(tmp_path / "registers")) == 2
    assert one_error_line(capsys.readouterr().err) == \
        f"error: E441 --inspections {tmp_path / 'registers'} is not a folder of registers: no such folder"


def test_a_missing_manifest_is_a_usage_error(kept, tmp_path, capsys):
    code = main(["score", str(SEEDS["Suffolk"]), "--out", str(kept), "--manifest", str(tmp_path / "manifest.csv")])
    assert code == 2
    assert one_error_line(capsys.readouterr().err) == \
        f"error: E442 --manifest {tmp_path / 'manifest.csv'} cannot be read: no such file"


@pytest.mark.parametrize("flag, value, wanted", [("--jobs", "-1", "0 (one per core) or more"),
                                                 ("--max-pages", "0", "at least 1"),
                                                 ("--max-seconds", "-5", "more than 0")])
def test_flags_get_the_range_checks_of_the_configuration(flag, value, wanted, kept, capsys):
    assert score([SEEDS["Suffolk"]], kept, flag, value) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: E440 {flag} {float(value) if flag == '--max-seconds' else value}: must be {wanted}")


# --- newcomer 6, item 10: a value a flag refuses is one coded line (E440), never argparse's usage block ----

@pytest.mark.parametrize("argv, flag, wanted", [
    (["score", "--as-of", "2025-13-40"], "--as-of 2025-13-40", "a calendar date YYYY-MM-DD"),
    (["score", "--review-threshold", "1.5"], "--review-threshold 1.5", "a number from 0 to 1"),
    (["score", "--jobs", "many"], "--jobs many", "a whole number"),
    (["score", "--backend", "spark"], "--backend spark", "one of local, dask"),
    (["review", "export", "--limit", "0"], "--limit 0", "a whole number of at least 1"),
    (["bench", "--scale", "0"], "--scale 0", "a whole number of at least 1"),
    (["collect", "--depth", "-1"], "--depth -1", "a whole number (0 or more)"),
])
def test_a_bad_flag_value_is_one_coded_line_and_exit_2(argv, flag, wanted, capsys):
    assert main(argv) == 2
    assert one_error_line(capsys.readouterr().err) == f"error: E440 {flag}: must be {wanted}"


def test_review_import_of_a_folder_is_one_coded_line(tmp_path, capsys):
    assert main(["review", "import", str(tmp_path)]) == 2
    assert one_error_line(capsys.readouterr().err) == \
        f"error: E440 file {tmp_path}: must be a review file (.csv or .jsonl), not a folder"


def _typed_arguments(parser: argparse.ArgumentParser, command: tuple[str, ...] = ()):
    """(command words, action) for every flag or positional of every (sub)command whose value argparse checks."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield from _typed_arguments(subparser, (*command, name))
        elif action.type is not None or action.choices is not None:
            yield command, action


def test_every_typed_argument_of_every_command_refuses_a_bad_value_with_one_coded_line(capsys):
    """The kind, not the three flags the newcomer tried: a new typed option gets the same treatment or fails here."""
    typed = list(_typed_arguments(cli._parser(cli.load_config(None))))
    assert len(typed) >= 15  # score, collect, review, register, bench: the walk found them
    for command, action in typed:
        given = [action.option_strings[0], "x!"] if action.option_strings else ["x!"]
        assert main([*command, *given]) == 2, (command, given)
        err = capsys.readouterr().err
        assert one_error_line(err).startswith(f"error: E440 {cli._flag_name(action)} x!: must be "), (command, err)
        assert "usage:" not in err


def test_a_missing_flag_or_mistyped_command_is_one_coded_line_too(capsys):
    # newcomer s7 item 13: no argparse usage block; the line lists the commands (E440) or names the command (E450)
    assert main(["scor"]) == 2
    assert one_error_line(capsys.readouterr().err).startswith("error: E440 command scor: must be one of score, classify")
    assert main(["classify", "--in", "x.jsonl"]) == 2
    assert one_error_line(capsys.readouterr().err).startswith(
        "error: E450 python -m pipeline classify: the following arguments are required: --out")


# --- 3. the run's own outputs inside the input folder -------------------------------

def test_scoring_into_the_input_folder_twice_never_reads_its_own_outputs(tmp_path, capsys):
    folder = tmp_path / "responses"
    folder.mkdir()
    shutil.copy(SEEDS["Suffolk"], folder / "suffolk.txt")
    extra = ("--cache", str(folder / "cache"), "--stats", str(folder / "stats.json"))
    assert score([folder], folder, *extra) == 0
    first = snapshot(folder)
    (folder / "scorecard.ipynb").write_text('{"cells": []}', encoding="utf-8")  # what `notebook` writes there
    capsys.readouterr()
    assert score([folder], folder, *extra) == 0
    assert "scored 1 of 1 document:" in capsys.readouterr().out
    assert pd.read_csv(folder / "errors.csv").empty
    for name in ("scorecard.csv", "passages.csv", "forces.csv"):
        assert (folder / name).read_bytes() == first[name], name


def test_discovery_passes_over_an_out_folder_below_the_input(tmp_path):
    (tmp_path / "out" / "deeper").mkdir(parents=True)
    (tmp_path / "response.txt").write_text("x", encoding="utf-8")
    (tmp_path / "out" / "scorecard.csv").write_text("x", encoding="utf-8")
    (tmp_path / "out" / "deeper" / "report.html").write_text("x", encoding="utf-8")
    assert io.find_inputs([tmp_path], skip=[tmp_path / "out"]) == ([tmp_path / "response.txt"], [])


def test_data_files_beside_the_responses_are_passed_over_and_counted(tmp_path, capsys):
    """A bug-input style folder: the response and its expected.json (and a tracker export) score with exit 0."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS["Gwent"], folder)
    (folder / "expected.json").write_text('{"force": "Gwent Police"}', encoding="utf-8")
    (folder / "tracker.csv").write_text("item,status\n1,Complete\n", encoding="utf-8")
    assert io.find_inputs([folder]) == ([folder / Path(SEEDS["Gwent"]).name], [folder / "expected.json", folder / "tracker.csv"])
    code = main(["score", str(folder), "--out", str(tmp_path / "out"), "--no-cache"])
    out = capsys.readouterr().out
    assert code == 0 and "2 data files passed over" in out and "scored 1 of 1 document" in out
    # named on its own, a data file is still reported: the user asked for it
    assert main(["score", str(folder / "expected.json"), "--out", str(tmp_path / "out2"), "--no-cache"]) == 3  # nothing scored
    assert "E102" in capsys.readouterr().err


# --- 7, 8, 9: a saved web page, a text file without a suffix, a dangling link --------

def _html_page(text: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>\n" for p in text.split("\n\n"))
    return f"<!DOCTYPE html><html><head><title>Response</title><script src='Response_files/app.js'></script></head>" \
           f"<body>{paragraphs}</body></html>"


@pytest.fixture(scope="module")
def odd_folder(tmp_path_factory):
    """Gwent's response saved by a browser ("Save page as, complete"), Suffolk's as a text file without a suffix,
    and a symbolic link to a file that was moved away; scored once."""
    import html

    folder = tmp_path_factory.mktemp("odd")
    gwent = SEEDS["Gwent"].read_text(encoding="utf-8")
    (folder / "Response.html").write_text(_html_page(html.escape(gwent)), encoding="utf-8")
    assets = folder / "Response_files"
    assets.mkdir()
    (assets / "app.js").write_text("document.title = 'x';", encoding="utf-8")
    (assets / "style.css").write_text("body { margin: 0 }", encoding="utf-8")
    (assets / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    shutil.copy(SEEDS["Suffolk"], folder / "suffolk-response")
    (folder / "gone.pdf").symlink_to(folder / "moved-away.pdf")
    out = folder.parent / "odd-out"
    capture = subprocess.run([sys.executable, "-m", "pipeline", "score", str(folder), "--out", str(out), "--manifest",
                              MANIFEST, "--jobs", "1", "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                             timeout=600)
    return capture, out, folder


def test_the_assets_of_a_saved_page_are_no_documents(odd_folder):
    capture, out, folder = odd_folder
    errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)
    assert not errors.source.str.contains("Response_files").any()
    assert "Gwent" in " ".join(pd.read_csv(out / "scorecard.csv").force.unique())
    assert "1 saved-page asset folder passed over" in capture.stdout


def test_a_text_file_without_a_suffix_is_read_by_its_bytes(odd_folder):
    capture, out, folder = odd_folder
    card = pd.read_csv(out / "scorecard.csv", dtype=str, keep_default_na=False)
    assert (card.source == str(folder / "suffolk-response")).any()
    assert "Suffolk Constabulary" in set(card.force)


def test_a_dangling_link_is_reported_not_skipped(odd_folder):
    capture, out, folder = odd_folder
    errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)
    assert errors[["source", "code"]].values.tolist() == [[str(folder / "gone.pdf"), "E109"]]
    assert capture.returncode == 1
    assert capture.stderr.strip().splitlines() == [
        f"{folder / 'gone.pdf'}: E109 file not found or unreadable: "
        f"a symbolic link to {folder / 'moved-away.pdf'}, which does not exist"]
    # 11: counts read as English
    assert "scored 2 of 3 documents:" in capture.stdout and ", 1 problem; " in capture.stdout


def test_sniff_reads_text_without_a_suffix_and_still_refuses_binary():
    assert sniff("Recommendation 1\n\nThe force has done it.".encode("utf-8"), "") == "text"
    with pytest.raises(PipelineError) as refused:
        ingest(SourceFile("blob", bytes(range(256)) * 8, "0" * 64))
    assert refused.value.code == "E102" and "(none)" in refused.value.message


# --- 6. Ctrl-C ----------------------------------------------------------------------

def test_ctrl_c_prints_one_line_exits_130_and_stops_the_workers(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for copy in range(12):  # distinct files, so that the run lasts long enough to be interrupted part way
        for name, path in SEEDS.items():
            text = path.read_text(encoding="utf-8") + f"\n\nCopy {copy}.\n"
            (folder / f"{copy:02d}-{path.name}").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "score", str(folder), "--out", str(out), "--manifest",
                                MANIFEST, "--jobs", "2", "--no-cache", "--quiet"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(process.pid)
    workers: list[psutil.Process] = []
    deadline = time.monotonic() + 240
    while not workers and process.poll() is None and time.monotonic() < deadline:  # wait until documents are scored
        workers = parent.children(recursive=True)
        time.sleep(0.2)
    assert workers, "the run ended before it could be interrupted"
    time.sleep(1.0)
    os.kill(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert one_error_line(stderr) == "error: E444 interrupted: nothing written"
    assert not (out / "scorecard.csv").exists()
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive


# --- 11. --help shows every default -------------------------------------------------

def _options_without_default(parser: argparse.ArgumentParser, name: str):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, subparser in action.choices.items():
                yield from _options_without_default(subparser, f"{name} {sub}".strip())
        elif (action.option_strings and not isinstance(action, argparse._HelpAction)
              and action.default not in (None, False, [], argparse.SUPPRESS) and "default" not in (action.help or "")):
            yield name, action.option_strings[0]


def test_help_of_every_command_shows_each_flags_default():
    assert list(_options_without_default(cli._parser(cli.load_config(None)), "")) == []


def test_parquet_types_are_the_ones_the_data_dictionary_gives(previous):
    import pyarrow.parquet as pq

    schema = pq.read_schema(previous / "scorecard.parquet")
    kinds = {name: str(kind) for name, kind in zip(schema.names, schema.types)}
    assert kinds["force"] == kinds["source"] == kinds["status"] == "large_string"  # docs/data-dictionary.md: Conventions
    assert set(kinds.values()) <= {"date32[day]", "int64", "bool", "large_string", "double"}
    dictionary = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert "text `large_string`" in dictionary


def test_ctrl_c_while_writing_names_the_outputs_replaced_and_keeps_the_others(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert score([SEEDS["Suffolk"]], out, "--no-cache") == 0
    before = snapshot(out)
    real_replace, calls = io._replace, []

    def interrupted_at_the_third(tmp, path):
        calls.append(path.name)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C as passages.csv is about to be renamed into place (all are written)
        real_replace(tmp, path)

    monkeypatch.setattr(io, "_replace", interrupted_at_the_third)
    capsys.readouterr()
    assert score([SEEDS["Gwent"]], out, "--no-cache") == 130
    assert one_error_line(capsys.readouterr().err) == (
        f"error: E445 interrupted while writing the outputs: scorecard.csv, scorecard.parquet replaced, "
        f"the others in {out} kept as they were")
    after = snapshot(out)
    assert after["scorecard.csv"] != before["scorecard.csv"]
    assert {k: v for k, v in after.items() if not k.startswith("scorecard.")} == \
        {k: v for k, v in before.items() if not k.startswith("scorecard.")}


def test_a_usage_error_after_the_out_check_leaves_no_out_folder(tmp_path, capsys):
    out = tmp_path / "new" / "scorecards"
    assert score([SEEDS["Suffolk"]], out, "--model", str(tmp_path / "no-model.joblib")) == 2
    assert one_error_line(capsys.readouterr().err).startswith("error: E302 ")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("command", [["coverage", str(SEEDS["Suffolk"]), "--labels", "labels.jsonl"],
                                     ["review", "export", "--scorecard", "scored"]])
def test_other_commands_refuse_a_missing_inspections_folder_too(command, tmp_path, capsys):
    assert main([*command, "--inspections", str(tmp_path / "registers")]) == 2
    assert one_error_line(capsys.readouterr().err) == \
        f"error: E441 --inspections {tmp_path / 'registers'} is not a folder of registers: no such folder"
