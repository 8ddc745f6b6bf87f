"""A response's overall stance goes through the review loop like an item's cell (newcomer s8, item 8).

The overall stance (``forces.overall_stance``) is the classifier's label of the response's statement about the
whole report, and for most real responses it is the main output; ``review export`` left it out, so no person
could correct it. Here it is exported, reviewed in the sheet as a person would, imported and scored again
through the CLI.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.types import LABELS
from tests.conftest import ROOT, SEEDS

INSPECTIONS = str(ROOT / "corpus" / "inspections")
FORCE = "Staffordshire Police"  # its seed response answers most items by one statement about the whole report


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def score(raw: Path, out: Path, reviews: str) -> None:
    assert main(["score", str(raw), "--out", str(out), "--inspections", INSPECTIONS, "--as-of", "2025-06-01",
                 "--reviews", reviews, "--jobs", "1", "--no-cache", "--quiet"]) == 0


@pytest.fixture(scope="module")
def loop(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("stance")
    raw = root / "raw"
    raw.mkdir()
    (raw / SEEDS["Staffordshire"].name).write_bytes(SEEDS["Staffordshire"].read_bytes())
    annotations = root / "annotations"
    score(raw, root / "scored1", "")
    sheet = root / "todo.csv"
    assert main(["review", "export", "--scorecard", str(root / "scored1"), "--out", str(sheet),
                 "--annotations", str(annotations), "--inspections", INSPECTIONS]) == 0
    exported = read(sheet)
    stance_rows = exported[exported["recommendation"] == "all"]
    model_stance = read(root / "scored1" / "forces.csv").set_index("force").loc[FORCE, "overall_stance"]
    reviewed = next(label for label in LABELS if label != model_stance)  # a person corrects it
    with open(sheet, encoding="utf-8-sig", newline="") as handle:  # fill in the sheet as in a spreadsheet
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["recommendation"] == "all":
            row.update(reviewed_label=reviewed, reviewer="Reviewer Two", note="the letter's claim, read again")
    with open(sheet, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["review", "import", str(sheet), "--annotations", str(annotations)]) == 0
    score(raw, root / "scored2", str(annotations / "reviews.jsonl"))
    return {"root": root, "exported": exported, "stance_rows": stance_rows, "model_stance": model_stance,
            "reviewed": reviewed, "annotations": annotations}


def test_the_overall_stance_passage_is_exported_for_review(loop):
    rows, root = loop["stance_rows"], loop["root"]
    passages = read(root / "scored1" / "passages.csv")
    stance = passages[passages["is_overall_stance"] == "True"]
    assert len(rows) == len(stance) == 1 and loop["model_stance"]
    row = rows.iloc[0]
    assert row["passage_id"] == stance.iloc[0]["passage_id"] and row["link"] == "blanket"
    assert row["model_label"] == loop["model_stance"] and row["in_scorecard"] == "True"
    assert row["force"] == FORCE and row["item_kind"] == "recommendation"
    # the single items the statement alone answers are decided by rule: not exported
    blanket_cells = read(root / "scored1" / "scorecard.csv").query("basis == 'blanket'")
    assert len(blanket_cells) > 0
    assert not set(blanket_cells["recommendation"]) & set(loop["exported"].query(
        f"passage_id == '{row['passage_id']}'")["recommendation"]) - {"all"}


def test_a_reviewed_stance_replaces_the_models_and_keeps_it_beside(loop):
    scored = loop["root"] / "scored2"
    force = read(scored / "forces.csv").set_index("force").loc[FORCE]
    assert force["overall_stance"] == loop["reviewed"]
    assert force["overall_stance_model"] == loop["model_stance"]
    assert force["overall_stance_reviewed"] == loop["reviewed"]
    assert force["overall_stance_reviewer"] == "Reviewer Two" and force["overall_stance_reviewed_at"]
    assert force["overall_stance_basis"] == "blanket"
    profile = read(scored / "force_profiles.csv").set_index("force").loc[FORCE]
    assert profile[f"overall_stance_{loop['reviewed']}"] == "1" and profile[f"overall_stance_{loop['model_stance']}"] == "0"
    page = (scored / "report.html").read_text(encoding="utf-8")
    assert "reviewed by Reviewer Two" in page and "the classifier read it" in page


def test_the_items_answered_only_by_the_statement_stay_not_addressed(loop):
    before = read(loop["root"] / "scored1" / "scorecard.csv")
    after = read(loop["root"] / "scored2" / "scorecard.csv")
    blanket = after[after["basis"] == "blanket"]
    assert len(blanket) == len(before[before["basis"] == "blanket"]) > 0
    assert set(blanket["status"]) == {"not_addressed"} and set(blanket["reviewed_status"]) == {""}
    assert list(after["status"]) == list(before["status"])


def test_the_stance_review_is_an_annotation_of_the_whole_report(loop):
    records = read_jsonl(loop["annotations"] / "reviews.jsonl")
    assert [(r["recommendation"], r["label"], r["model_label"]) for r in records] == [
        ("all", loop["reviewed"], loop["model_stance"])]


def read_jsonl(path: Path) -> list[dict]:
    import json

    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
