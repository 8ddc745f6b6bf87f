"""notebooks/scorecard.ipynb runs top to bottom on a fresh scoring of the seeds and shows every force."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

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


def test_notebook_executes_on_scored_seeds(tmp_path, monkeypatch):
    out = tmp_path / "scorecards"
    code = main(["score", *SEED_PATHS, "--out", str(out), "--manifest",
                 str(ROOT / "corpus" / "manifest.csv"), "--inspections", str(ROOT / "corpus" / "inspections"),
                 "--model", str(ROOT / "models" / "status-classifier.joblib"), "--as-of", "2025-06-01"])
    assert code == 1  # the HMICFRS letter is reported in errors.csv

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
