"""notebooks/scorecard.ipynb runs top to bottom on a fresh scoring of the seeds and shows every force."""

from __future__ import annotations

import shutil

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from pipeline import cli
from pipeline.cli import main
from tests.conftest import ROOT, SEED_PATHS

NOTEBOOK = ROOT / "notebooks" / "scorecard.ipynb"
FORCES = ("Gwent Police", "Cleveland Police", "Suffolk Constabulary", "Staffordshire Police")


def outputs_text(notebook) -> str:
    """Every text the executed notebook shows: streams, plain-text and HTML results."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts.extend(str(data.get(kind, "")) for kind in ("text/plain", "text/html"))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("scored") / "scorecards"
    code = main(["score", *SEED_PATHS, "--out", str(out), "--manifest",
                 str(ROOT / "corpus" / "manifest.csv"), "--inspections", str(ROOT / "corpus" / "inspections"),
                 "--model", str(ROOT / "models" / "status-classifier.joblib"), "--as-of", "2025-06-01",
                 "--no-cache", "--quiet"])
    assert code == 1  # the HMICFRS letter is reported in errors.csv
    return out


def test_notebook_executes_on_scored_seeds(scored, monkeypatch):
    out = scored

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("SCORECARD_DIR", str(out))  # the kernel inherits this process's environment
    # Kernel "python3" is ipykernel's own spec: jupyter_client starts it with this interpreter (the venv's).
    client = NotebookClient(notebook, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, if any cell fails

    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    shown = outputs_text(notebook)
    for force in FORCES:
        assert force in shown, force
    assert str(out) in shown  # it read the folder it was given, not ../scorecards


def test_notebook_is_stored_without_outputs():
    # Outputs belong to a run, not to the repository: a stored output would go stale.
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells and all(not c.outputs and c.execution_count is None for c in code_cells)


@pytest.mark.parametrize("forbidden", ["matplotlib", "background_gradient", "seaborn"])
def test_notebook_needs_no_plotting_library(forbidden):
    # matplotlib is not a dependency; Styler.background_gradient would import it.
    assert forbidden not in NOTEBOOK.read_text(encoding="utf-8")


# --- how a user runs it (newcomer s6: the README's "venv's python3 kernel" had no kernel installed) ----------

def test_the_notebook_command_runs_it_on_a_scored_folder_into_an_executed_copy(scored, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)  # run from the repository root, as make does
    inspection = pd.read_parquet(scored / "scorecard.parquet")["inspection"].iloc[0]
    monkeypatch.setenv("INSPECTION", "an-inspection-the-flag-overrides")
    written = tmp_path / "run.ipynb"
    assert main(["notebook", "--scorecard", str(scored), "--inspection", inspection, "--out", str(written)]) == 0
    assert capsys.readouterr().out.strip() == f"ran {cli.NOTEBOOK} on {scored}/ -> {written}"
    notebook = nbformat.read(written, as_version=4)
    assert not [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    shown = outputs_text(notebook)
    assert f"{inspection}: " in shown and str(scored.resolve()) in shown
    assert all(force in shown for force in FORCES)


def test_the_notebook_command_names_a_bad_inspection_or_a_failing_cell_in_one_coded_line(scored, tmp_path,
                                                                                          monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["notebook", "--scorecard", str(scored), "--inspection", "no-such-inspection"]) == 2
    assert capsys.readouterr().err.startswith(f"error: E422 --inspection 'no-such-inspection' is not in {scored}")
    partial = tmp_path / "partial"
    shutil.copytree(scored, partial)
    (partial / "force_profiles.csv").unlink()
    assert main(["notebook", "--scorecard", str(partial)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: E421 the notebook stopped at code cell ") and "force_profiles.csv" in err
    assert not (partial / "scorecard.ipynb").exists()


def test_make_notebook_installs_what_it_needs_and_is_one_call_into_the_cli():
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert {req.split(">")[0] for req in extras["notebook"]} == {"ipykernel", "nbclient", "nbformat"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    target = makefile.index(next(line for line in makefile if line.startswith("notebook:")))
    assert "$(NOTEBOOK_STAMP)" in makefile[target] and makefile[target + 1].startswith("\t$(CLI) notebook ")
    assert makefile[target + 2] == ""  # one line
    assert "pip install -q -e '.[notebook]'" in "\n".join(makefile)
