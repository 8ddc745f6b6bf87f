"""Run ``notebooks/scorecard.ipynb`` top to bottom on a scored folder (``python -m pipeline notebook``).

The notebook reads the folder named by the environment variable ``SCORECARD_DIR``
and shows one inspection, ``INSPECTION`` (default: the one with the most rows).
Here both are given to a fresh ``python3`` kernel (ipykernel's, i.e. this
interpreter) started in the notebook's own folder, as ``make notebook`` and
Jupyter would run it. Needs the ``notebook`` extra (ipykernel, nbclient,
nbformat); the CLI reads and writes the files.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import PipelineError

#: Seconds one cell may take (the notebook's cells take well under a second on the seeds).
CELL_TIMEOUT = 600


def execute(text: str, scorecard_dir: str | os.PathLike, inspection: str | None, folder: str | os.PathLike) -> str:
    """The notebook ``text`` (nbformat JSON) executed, with every cell's outputs, as nbformat JSON.

    Args:
        text: the notebook file's text.
        scorecard_dir: the folder ``score`` wrote; given to the kernel as ``SCORECARD_DIR`` (absolute).
        inspection: the inspection id to show, given as ``INSPECTION``; None: the notebook's default.
        folder: the kernel's working directory (the notebook's folder, as Jupyter starts it).

    Raises:
        PipelineError: E420 when ipykernel, nbclient or nbformat is not installed; E421 when a cell fails,
            naming the cell (counted from 1 over code cells) and the error's last line.
    """
    try:
        import ipykernel  # noqa: F401  (the "python3" kernel nbclient starts)
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as exc:
        raise PipelineError("E420", missing=exc.name or str(exc)) from None

    notebook = nbformat.reads(text, as_version=4)
    env = {**os.environ, "SCORECARD_DIR": str(Path(scorecard_dir).resolve())}
    env.pop("INSPECTION", None)
    if inspection:
        env["INSPECTION"] = inspection
    # the kernel's own log stays at errors: its warning about unencrypted TCP concerns a loopback socket whose
    # messages are signed (jupyter_client's key), and would read as a fault of the run on the user's terminal
    client = NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(folder)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        code_cells = [c for c in notebook.cells if c.cell_type == "code"]
        failed = next((n for n, c in enumerate(code_cells, 1)
                       if any(o.get("output_type") == "error" for o in c.get("outputs", []))), 0)
        raise PipelineError("E421", cell=failed, count=len(code_cells), detail=f"{exc.ename}: {exc.evalue}") from None
    return nbformat.writes(notebook)
