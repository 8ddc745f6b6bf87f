"""Newcomer s7, items 11 and 13: which identical copy is counted, and the command line's small problems.

Each test runs the CLI (``pipeline.cli.main``, or ``make`` in a subprocess) and checks what a user sees: the exit
code, one coded line per problem and no argparse usage block, and which file a table names.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.score import build_scorecard, looks_like_copy
from pipeline.types import DocumentResult, Force, Identification, Inspection, Recommendation
from tests.conftest import ROOT, SEEDS

MANIFEST = str(ROOT / "corpus" / "manifest.csv")


def error_lines(err: str) -> list[str]:
    assert "Traceback" not in err and "usage:" not in err, err
    return err.strip().splitlines()


# --- item 11: of identical copies, the one not named like a copy is counted (E449 names it) ----------------------

@pytest.mark.parametrize("copy, original", [
    ("lincolnshire-update (1).txt", "lincolnshire-update.txt"),  # sorts first: ' ' < '.'
    ("Copy of gwent.txt", "gwent.txt"),
    ("gwent - Copy.docx", "gwent.docx"),
    ("gwent (copy).pdf", "gwent.pdf"),
    ("gwent copy 2.txt", "gwent.txt"),
])
def test_a_name_that_says_copy_is_a_copy(copy, original):
    assert looks_like_copy(f"in/{copy}") and not looks_like_copy(f"in/{original}")


def test_copyright_or_a_numbered_item_in_a_name_is_no_copy():
    assert not looks_like_copy("copyright notice.txt") and not looks_like_copy("recommendation (1a).txt")


def _alpha(inspection):
    force = Force(name="Alpha Police", short_name="Alpha", aliases=(), local_body="")
    return lambda source, day: DocumentResult(source=source, sha256="0" * 64,
                                             identification=Identification(force, inspection, day, "manifest"))


def test_of_identical_copies_the_original_is_counted_whatever_the_input_order():
    inspection = Inspection(id="x-2024", title="X", published=date(2024, 6, 1), aliases=(),
                            recommendations=(Recommendation("1", "Do it.", "forces", "forces", None),))
    result, day = _alpha(inspection), date(2024, 6, 20)
    for order in (["in/update (1).txt", "in/update.txt"], ["in/update.txt", "in/update (1).txt"]):
        card = build_scorecard([result(s, day) for s in order], [], [inspection], as_of=date(2025, 6, 1))
        assert list(card.forces["source"]) == ["in/update.txt"]
        assert list(zip(card.errors["source"], card.errors["code"])) == [("in/update (1).txt", "E449")]
        assert card.errors["message"].iloc[0].startswith("the same bytes (sha256) as in/update.txt, ")
    # every copy named like one: the first by name, as before
    card = build_scorecard([result("in/a (1).txt", day), result("in/a (2).txt", day)], [], [inspection],
                           as_of=date(2025, 6, 1))
    assert list(card.forces["source"]) == ["in/a (1).txt"]


def test_score_keeps_the_original_when_its_copy_sorts_first(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS["Suffolk"], folder / "suffolk-update (1).txt")  # first in path order
    shutil.copy(SEEDS["Suffolk"], folder / "suffolk-update.txt")
    out = tmp_path / "out"
    assert main(["score", str(folder), "--out", str(out), "--manifest", MANIFEST, "--as-of", "2025-06-01",
                 "--jobs", "1", "--no-cache", "--quiet"]) == 0
    original, copy = str(folder / "suffolk-update.txt"), str(folder / "suffolk-update (1).txt")
    assert f"{copy}: E449 the same bytes (sha256) as {original}, " in capsys.readouterr().err
    forces = pd.read_csv(out / "forces.csv", dtype=str, keep_default_na=False)
    assert list(forces["source"]) == [original]
    assert set(pd.read_csv(out / "scorecard.csv", dtype=str, keep_default_na=False)["source"]) == {original}


# --- item 13: classify names every bad line and refuses a repeated id -------------------------------------------

def test_classify_reports_every_bad_line_and_a_repeated_id_then_writes_nothing(tmp_path, capsys):
    source, out = tmp_path / "short-answers.jsonl", tmp_path / "out.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "The policy was updated in October 2023."}),
        json.dumps({"id": "a2", "text": "We will review the policy next year."}),
        json.dumps({"id": "a1", "text": "Training was delivered to all staff."}),  # the id of line 1
        json.dumps({"id": "a3"}),  # no text
        "{not json",
        json.dumps({"id": "a4", "text": "Work is under way."}),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["classify", "--in", str(source), "--out", str(out), "--baseline"]) == 2
    assert error_lines(capsys.readouterr().err) == [
        f"error: E405 input {source} line 3: duplicate id 'a1' (first on line 1)",
        f"error: E405 input {source} line 4: each object needs 'id' and a string 'text'",
        f"error: E405 input {source} line 5: invalid JSON (Expecting property name enclosed in double quotes)",
    ]
    assert not out.exists()


def test_classify_names_a_line_that_is_not_utf8_and_reads_on(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "caf\xe9"}\n{"id": "c"}\n')
    assert main(["classify", "--in", str(source), "--out", str(tmp_path / "o.jsonl"), "--baseline"]) == 2
    lines = error_lines(capsys.readouterr().err)
    assert [line.split(": ")[1] for line in lines] == [f"E405 input {source} line 2", f"E405 input {source} line 3"]
    assert "not UTF-8" in lines[0]


# --- item 13: --manifest naming a folder says so -------------------------------------------------------------------

def test_a_manifest_that_is_a_folder_is_named_as_a_folder(tmp_path, capsys):
    assert main(["score", str(SEEDS["Suffolk"]), "--manifest", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert error_lines(capsys.readouterr().err) == [
        f"error: E442 --manifest {tmp_path} cannot be read: a folder, not a file"]
    assert not (tmp_path / "out").exists()


# --- item 13: an unknown command, flag or a missing argument is one coded line, exit 2 ----------------------------

@pytest.mark.parametrize("argv, line", [
    (["frobnicate"], "error: E440 command frobnicate: must be one of score, classify, train, evaluate, review, "),
    (["scor"], "error: E440 command scor: must be one of score, "),
    (["review", "exprot"], "error: E440 review command exprot: must be one of export, import"),
    (["score", "--bogus"], "error: E450 python -m pipeline score: unknown argument --bogus; "
                           "`python -m pipeline score --help` lists its arguments"),
    (["score", "--ouput", "x"], "error: E450 python -m pipeline score: unknown argument --ouput (did you mean --out?); "),
    (["review", "export", "--limt", "3"], "error: E450 python -m pipeline review export: unknown arguments --limt 3 "
                                          "(did you mean --limit?)"),
    (["classify"], "error: E450 python -m pipeline classify: the following arguments are required: --in, --out; "),
    ([], "error: E450 python -m pipeline: the following arguments are required: command (one of score, classify, "),
    (["review"], "error: E450 python -m pipeline review: the following arguments are required: command (one of export, "
                 "import); `python -m pipeline review --help` lists its arguments"),
    (["--config"], "error: E450 python -m pipeline: argument --config: expected one argument; "),
    (["collect", "--out", "x"], "error: E450 python -m pipeline collect: collect needs a URL or --sources CSV"),
])
def test_an_argument_argparse_cannot_place_is_one_coded_line_and_exit_2(argv, line, capsys):
    assert main(argv) == 2
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and lines[0].startswith(line), lines


def test_help_still_prints_the_usage_and_exits_0(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["score", "--help"])
    assert exited.value.code == 0 and "usage: python -m pipeline score" in capsys.readouterr().out


# --- item 13: make's path variables keep a space ------------------------------------------------------------------

@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists() or shutil.which("make") is None,
                    reason="needs the repository's .venv and make")
def test_make_score_takes_a_folder_whose_name_holds_a_space(tmp_path):
    folder, out = tmp_path / "my folder", tmp_path / "out dir"
    folder.mkdir()
    shutil.copy(SEEDS["Suffolk"], folder / "suffolk response.txt")
    config = tmp_path / "my config.toml"
    config.write_text(f'[paths]\ncache = "{tmp_path / "cache"}"\nmanifest = "{MANIFEST}"\n', encoding="utf-8")
    # -o: take the installed .venv as up to date (the test runs inside it), so make only calls the CLI
    done = subprocess.run(["make", "-s", "-o", ".venv/.installed", "score", f"INPUT={folder}", f"OUT={out}",
                           f"CONFIG={config}", "JOBS=1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    forces = pd.read_csv(out / "forces.csv", dtype=str, keep_default_na=False)
    assert list(forces["source"]) == [str(folder / "suffolk response.txt")]
