"""Faults a newcomer met at the command line (s5 report): each test runs the CLI as a user would.

Inputs are the small fixtures of ``tests/data/newcomer/`` (see its README) and the seeds, copied into tmp_path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pipeline.cli import main
from tests.conftest import ROOT, SEEDS

DATA = ROOT / "tests" / "data" / "newcomer"
MANIFEST = str(ROOT / "corpus" / "manifest.csv")


def _registers(tmp_path: Path) -> Path:
    """The shipped registers plus the newcomer's PEEL register, in one folder."""
    folder = tmp_path / "regs"
    folder.mkdir()
    for path in [*(ROOT / "corpus" / "inspections").glob("*.toml"), *(DATA / "peel" / "regs").glob("*.toml")]:
        shutil.copy(path, folder / path.name)
    return folder


def _sources(out: Path, name: str) -> set[str]:
    frame = pd.read_csv(out / name, dtype=str, keep_default_na=False)
    return set(frame["source"])


# --- every input document is accounted for (item 6c) -----------------------------------

def test_every_input_document_is_in_forces_passages_or_errors(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in (DATA / "peel" / "in").iterdir():
        shutil.copy(path, folder / path.name)
    shutil.copy(SEEDS["Suffolk"], folder / "suffolk.txt")
    (folder / "empty.pdf").write_bytes(b"")
    out = tmp_path / "out"
    code = main(["score", str(folder), "--out", str(out), "--inspections", str(_registers(tmp_path)),
                 "--manifest", MANIFEST, "--as-of", "2025-12-01", "--jobs", "1", "--no-cache", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1  # the empty PDF
    inputs = {str(p) for p in folder.iterdir()}
    accounted = _sources(out, "forces.csv") | _sources(out, "passages.csv") | _sources(out, "errors.csv")
    assert inputs - accounted == set()
    # Surrey's note on Warwickshire's PEEL gave no passage and is not the response scored: a coded row says so
    surrey = str(folder / "surrey-about-warwickshire.txt")
    errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)
    assert list(errors.loc[errors["source"] == surrey, "code"]) == ["E447"]
    assert f"{surrey}: E447 " in err
    assert "Traceback" not in err
