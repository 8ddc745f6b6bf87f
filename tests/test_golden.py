"""The seed outputs, pinned: the golden files, and every scorecard cell's status in a table to read.

``tests/data/golden/`` holds ``scorecard.csv``, ``passages.csv``, ``forces.csv`` and ``errors.csv`` of the
seed responses (``corpus/raw``) scored with the shipped model as of the configuration's ``golden.as_of``, without
reviews or cache (``python -m pipeline golden``). Here they are scored again into a temporary folder and
compared byte for byte. Only ``make golden`` rewrites the files: after a change meant to move the outputs,
run it, review the diff, and update :data:`SEED_CELLS` to match.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.cli import GOLDEN_FILES, main
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "data" / "golden"

#: Every (force, recommendation addressed to forces) cell of the seeds' scorecard: status, how it was decided
#: (``basis``) and how its passage was linked (``link``; empty when no passage).
SEED_CELLS = """
Cleveland Police         9  not_addressed  blanket  blanket
Cleveland Police        10  not_addressed  blanket  blanket
Cleveland Police        12  not_addressed  blanket  blanket
Cleveland Police        13  not_addressed  blanket  blanket
Cleveland Police        16  not_addressed  blanket  blanket
Cleveland Police        17  not_addressed  blanket  blanket
Cleveland Police        18  not_addressed  blanket  blanket
Cleveland Police        20  not_addressed  blanket  blanket
Cleveland Police        22  not_addressed  blanket  blanket
Gwent Police             9  planned        model    numbered
Gwent Police            10  planned        model    numbered
Gwent Police            12  planned        model    numbered
Gwent Police            13  in_progress    model    numbered
Gwent Police            16  in_progress    model    numbered
Gwent Police            17  in_progress    model    numbered
Gwent Police            18  in_progress    model    numbered
Gwent Police            20  planned        model    numbered
Gwent Police            22  completed      model    numbered
Staffordshire Police     9  not_addressed  blanket  blanket
Staffordshire Police    10  not_addressed  blanket  blanket
Staffordshire Police    12  not_addressed  blanket  blanket
Staffordshire Police    13  not_addressed  blanket  blanket
Staffordshire Police    16  not_addressed  blanket  blanket
Staffordshire Police    17  completed      model    content
Staffordshire Police    18  completed      model    content
Staffordshire Police    20  not_addressed  blanket  blanket
Staffordshire Police    22  not_addressed  blanket  blanket
Suffolk Constabulary     9  planned        model    numbered
Suffolk Constabulary    10  in_progress    model    numbered
Suffolk Constabulary    12  in_progress    model    numbered
Suffolk Constabulary    13  completed      model    numbered
Suffolk Constabulary    16  completed      model    numbered
Suffolk Constabulary    17  completed      model    numbered
Suffolk Constabulary    18  completed      model    numbered
Suffolk Constabulary    20  completed      model    numbered
Suffolk Constabulary    22  planned        model    numbered
"""


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # sources are named relative to the repository root, as `make golden` names them
        assert main(["golden", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_seed_outputs_equal_the_golden_files(regenerated, name):
    got, want = (regenerated / name).read_bytes(), (GOLDEN / name).read_bytes()
    # lines first, for a readable difference; then every byte
    assert got.decode("utf-8").splitlines() == want.decode("utf-8").splitlines(), f"{name}: run `make golden` if intended"
    assert got == want


def test_every_seed_cell_has_its_pinned_status(regenerated):
    card = pd.read_csv(regenerated / "scorecard.csv", dtype=str, keep_default_na=False)
    got = [(r.force, r.recommendation, r.status, r.basis, r.link) for r in card.itertuples()]
    pinned = [tuple(re.split(r"\s{2,}", line.strip())) for line in SEED_CELLS.strip().splitlines()]
    assert got == [cell if len(cell) == 5 else (*cell, "") for cell in pinned]
