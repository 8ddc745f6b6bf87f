"""The review loop: export the passages to check, import people's labels, retrain, score with both labels.

One module-scoped loop runs the whole cycle through the CLI on two seed
responses (train, score, export, fill in like a person, import, retrain,
score again); the other tests use a small hand-built scored folder and need
no training.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import main
from pipeline.model import data_hash, validate_records
from pipeline.model.data import load_annotations as _annotations
from pipeline.review import (
    EXPORT_COLUMNS,
    REVIEW_COLUMNS,
    apply_reviews,
    dedupe_annotations,
    format_history,
    merge_reviews,
    review_id,
    training_history,
)
from pipeline.types import LABELS
from tests.conftest import ROOT, SEEDS

INSPECTIONS = str(ROOT / "corpus" / "inspections")
INSPECTION = "activism-impartiality-2024"
AS_OF = "2025-06-01"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _records(path: Path) -> list[dict]:
    return [record for _, record in io.read_jsonl(path)] if path.exists() else []


def _fill(path: Path, edits: dict[int, dict], bom: bool = True) -> None:
    """Edit a review CSV as a person in a spreadsheet would: fill cells by row index and save (BOM, CRLF)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for index, values in edits.items():
        rows[index].update(values)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


# --- the whole loop, once per module ---------------------------------------------------

def _small_annotations(folder: Path) -> None:
    """12 synthetic records per label plus Gwent's real seed records: Suffolk's passages stay unlabelled."""
    folder.mkdir()
    per_label = {label: 0 for label in LABELS}
    synthetic = []
    for record in _records(ROOT / "corpus" / "annotations" / "synthetic.jsonl"):
        if per_label[record["label"]] < 12:
            per_label[record["label"]] += 1
            synthetic.append(record)
    io.write_jsonl(folder / "synthetic.jsonl", synthetic)
    seeds = [r for r in _records(ROOT / "corpus" / "annotations" / "seeds.jsonl") if r["force"] == "Gwent"]
    io.write_jsonl(folder / "seeds.jsonl", seeds)


def _reviews(path: Path) -> list[str]:
    """``--reviews PATH`` once ``review import`` has written it; before, none (a path given must exist)."""
    return ["--reviews", str(path) if path.is_file() else ""]


def _score(raw: Path, out: Path, models: Path, annotations: Path) -> None:
    code = main(["score", str(raw), "--out", str(out), "--inspections", INSPECTIONS, "--as-of", AS_OF,
                 "--model", str(models / "status-classifier.joblib"), *_reviews(annotations / "reviews.jsonl")])
    assert code == 0


@pytest.fixture(scope="module")
def loop(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("loop")
    raw, annotations, models = root / "raw", root / "annotations", root / "models"
    raw.mkdir()
    for name in ("Gwent", "Suffolk"):
        shutil.copy(SEEDS[name], raw / SEEDS[name].name)
    _small_annotations(annotations)
    assert main(["train", "--annotations", str(annotations), "--out", str(models)]) == 0
    first_metrics = json.loads((models / "metrics.json").read_text(encoding="utf-8"))

    _score(raw, root / "scored1", models, annotations)
    sheet = root / "review" / "to-review.csv"
    assert main(["review", "export", "--scorecard", str(root / "scored1"), "--out", str(sheet),
                 "--annotations", str(annotations), "--inspections", INSPECTIONS]) == 0
    exported = _read_csv(sheet)

    # A person checks the first three rows the scorecard uses: two corrected, one confirmed; the fourth is left.
    picked = [i for i in range(len(exported))
              if exported.loc[i, "in_scorecard"] == "True" and exported.loc[i, "recommendation"] != "all"][:3]
    labels = {}
    for n, i in enumerate(picked):
        model_label = exported.loc[i, "model_label"]
        labels[i] = model_label if n == 2 else LABELS[(LABELS.index(model_label) + 1) % len(LABELS)]
    _fill(sheet, {i: {"reviewed_label": labels[i], "reviewer": "Reviewer One", "note": f"checked {n}"}
                  for n, i in enumerate(picked)})
    imported = main(["review", "import", str(sheet), "--annotations", str(annotations)])

    assert main(["train", "--annotations", str(annotations), "--out", str(models)]) == 0
    _score(raw, root / "scored2", models, annotations)
    return {
        "root": root, "annotations": annotations, "models": models, "sheet": sheet, "exported": exported,
        "picked": picked, "labels": labels, "imported": imported, "first_metrics": first_metrics,
    }


def test_loop_reviewed_cells_show_reviewed_label_and_reviewer(loop: dict) -> None:
    assert loop["imported"] == 0
    scorecard = _read_csv(loop["root"] / "scored2" / "scorecard.csv")
    assert set(REVIEW_COLUMNS) <= set(scorecard.columns)
    exported = loop["exported"]
    reviewed_keys = set()
    for i in loop["picked"]:
        key = (exported.loc[i, "passage_id"], exported.loc[i, "recommendation"])
        reviewed_keys.add(key)
        row = scorecard[(scorecard["passage_id"] == key[0]) & (scorecard["recommendation"] == key[1])]
        assert len(row) == 1
        row = row.iloc[0]
        assert row["status"] == row["reviewed_status"] == loop["labels"][i]
        assert row["reviewer"] == "Reviewer One"
        assert ISO_DATE.match(row["reviewed_at"])
        assert row["model_status"] in LABELS
    others = scorecard[[(p, r) not in reviewed_keys for p, r in zip(scorecard["passage_id"], scorecard["recommendation"])]]
    assert (others["reviewed_status"] == "").all() and (others["reviewer"] == "").all()
    assert (others["status"] == others["model_status"]).all()

    # forces.csv counts follow the final status
    forces = _read_csv(loop["root"] / "scored2" / "forces.csv")
    for _, force in forces.iterrows():
        cells = scorecard[scorecard["force"] == force["force"]]
        for label in LABELS:
            assert int(force[label]) == int((cells["status"] == label).sum())

    # passages.csv carries the reviewed label too; its status stays the model's
    passages = _read_csv(loop["root"] / "scored2" / "passages.csv")
    for passage_id, number in reviewed_keys:
        row = passages[passages["passage_id"] == passage_id].iloc[0]
        assert row["reviewer"] == "Reviewer One"
        assert row["reviewed_status"] in LABELS


def test_loop_import_writes_guideline_records(loop: dict) -> None:
    records = _records(loop["annotations"] / "reviews.jsonl")
    assert len(records) == 3
    passages = _read_csv(loop["root"] / "scored1" / "passages.csv").set_index("passage_id")
    assert validate_records(enumerate(records, start=1), origin="reviews.jsonl")
    for record in records:
        for key in ("id", "force", "inspection", "recommendation", "text", "label", "source", "note",
                    "passage_id", "reviewer", "reviewed_at"):
            assert key in record
        assert record["synthetic"] is False and record["reviewer"] == "Reviewer One"
        assert ISO_DATE.match(record["reviewed_at"])
        assert record["force"] == "Suffolk"  # the seed records' short name, so LOFO keeps a force in one fold
        assert record["text"] == passages.loc[record["passage_id"], "response_text"]
        assert record["id"] == review_id(record["passage_id"], record["recommendation"])
        assert "previous_label" not in record  # Suffolk had no label before


def test_loop_retraining_uses_the_reviews_and_keeps_history(loop: dict) -> None:
    metrics = json.loads((loop["models"] / "metrics.json").read_text(encoding="utf-8"))
    before = sum(loop["first_metrics"]["label_counts"]["real"].values())
    assert sum(metrics["label_counts"]["real"].values()) == before + 3
    assert "Suffolk" in metrics["forces"]
    history = metrics["history"]
    assert len(history) == 2
    assert history[0]["data_sha256"] == loop["first_metrics"]["data_sha256"] != history[1]["data_sha256"]
    assert history[1]["macro_f1"] == metrics["evaluation"]["models"]["model"]["macro_f1"]
    assert len(history[1]["ci"]) == 2


def test_loop_export_lists_unlabelled_and_unsure_first(loop: dict) -> None:
    exported = loop["exported"]
    assert list(exported.columns) == EXPORT_COLUMNS
    assert (exported[["reviewed_label", "reviewer", "note"]] == "").all().all()
    assert (exported["link"] != "blanket").all()
    labelled = exported["annotated_label"] != ""
    assert not labelled.iloc[: (~labelled).sum()].any()  # Suffolk (unlabelled) before Gwent (seeded)
    jsonl = _records(loop["sheet"].with_suffix(".jsonl"))
    assert [r["passage_id"] for r in jsonl] == list(exported["passage_id"])
    assert all(r["recommendation_text"] for r in jsonl) and all(isinstance(r["p_completed"], float) for r in jsonl)


# --- a hand-built scored folder: no model needed ---------------------------------------

_P = {label: 0.25 for label in LABELS}
PASSAGES = [
    # passage_id, force, recommendations, link, model label, confidence, response text
    ("aaaaaaaaaaaa:0-100", "Gwent Police", "9", "numbered", "completed", 0.9,
     "The policy was updated in October 2023 and published to all staff."),
    ("bbbbbbbbbbbb:100-200", "Gwent Police", "17;18", "content", "in_progress", 0.55,
     "We will review the policy next year."),
    ("cccccccccccc:200-300", "Gwent Police", "9;10;12;13;16;17;18;20;22", "blanket", "not_addressed", 0.8,
     "We accept all the recommendations."),
    ("dddddddddddd:300-400", "Gwent Police", "10", "numbered", "planned", 0.4, "We will introduce a new process."),
]


@pytest.fixture
def scored(tmp_path: Path) -> Path:
    folder = tmp_path / "scored"
    rows = []
    for passage_id, force, recs, link, label, confidence, text in PASSAGES:
        start, end = (int(x) for x in passage_id.split(":")[1].split("-"))
        rows.append({
            "passage_id": passage_id, "inspection": INSPECTION, "force": force, "source": "corpus/raw/x.txt",
            "sha256": passage_id[:12] + "0" * 52, "response_date": "", "recommendations": recs, "link": link,
            "language": "en", "page": 1, "char_start": start, "char_end": end, "status": label,
            "confidence": confidence, **{f"p_{k}": (confidence if k == label else (1 - confidence) / 3) for k in LABELS},
            "evidence": text, "response_text": text, "text": text,
        })
    io.write_csv(folder / "passages.csv", pd.DataFrame(rows))
    cells = [{"passage_id": r["passage_id"], "recommendation": n, "basis": "blanket" if r["link"] == "blanket" else "model"}
             for r in rows for n in r["recommendations"].split(";")]
    io.write_csv(folder / "scorecard.csv", pd.DataFrame(cells))
    return folder


def _export(scored: Path, out: Path, annotations: Path, *extra: str) -> pd.DataFrame:
    assert main(["review", "export", "--scorecard", str(scored), "--out", str(out), "--annotations", str(annotations),
                 "--inspections", INSPECTIONS, *extra]) == 0
    return _read_csv(out.with_suffix(".csv"))


def test_export_orders_disagreements_then_least_confident(scored: Path, tmp_path: Path) -> None:
    exported = _export(scored, tmp_path / "todo.jsonl", tmp_path / "none")
    assert (tmp_path / "todo.csv").exists() and (tmp_path / "todo.jsonl").exists()
    assert list(zip(exported["passage_id"], exported["recommendation"])) == [
        ("bbbbbbbbbbbb:100-200", "17"), ("bbbbbbbbbbbb:100-200", "18"),  # model in_progress, cue rules planned
        ("dddddddddddd:300-400", "10"), ("aaaaaaaaaaaa:0-100", "9"),     # agree: least confident first
    ]
    assert list(exported["disagrees"]) == ["True", "True", "False", "False"]
    assert exported.loc[0, "cue_rule_label"] == "planned"
    register = next(i for i in io.load_inspections(INSPECTIONS) if i.id == INSPECTION)
    assert exported.loc[3, "recommendation_text"] == register.recommendation("9").text
    limited = _export(scored, tmp_path / "top.csv", tmp_path / "none", "--limit", "1")
    assert len(limited) == 1


def test_invalid_rows_reported_by_line_and_not_imported(scored: Path, tmp_path: Path, capsys) -> None:
    sheet = tmp_path / "todo.csv"
    _export(scored, sheet, tmp_path / "annotations")
    _fill(sheet, {
        0: {"reviewed_label": "done", "reviewer": "R"},                      # line 2: unknown label
        1: {"passage_id": "ffffffffffff:1-2", "reviewed_label": "planned", "reviewer": "R"},  # line 3: unknown id
        2: {"reviewed_label": "planned", "reviewer": "  "},                  # line 4: empty reviewer
        3: {"reviewed_label": "Completed", "reviewer": "R"},                 # line 5: good (case forgiven)
    })
    capsys.readouterr()
    assert main(["review", "import", str(sheet), "--annotations", str(tmp_path / "annotations")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("E406 review file ") for line in err)
    assert "line 2:" in err[0] and "'done'" in err[0]
    assert "line 3:" in err[1] and "unknown passage_id 'ffffffffffff:1-2'" in err[1]
    assert "line 4:" in err[2] and "reviewer is empty" in err[2]
    records = _records(tmp_path / "annotations" / "reviews.jsonl")
    assert [(r["passage_id"], r["recommendation"], r["label"]) for r in records] == [("aaaaaaaaaaaa:0-100", "9", "completed")]


def test_bad_jsonl_lines_and_unknown_recommendation(scored: Path, tmp_path: Path, capsys) -> None:
    sheet = tmp_path / "todo.jsonl"
    sheet.write_text("\n".join([
        json.dumps({"passage_id": "dddddddddddd:300-400", "recommendation": "10", "reviewed_label": "planned",
                    "reviewer": "R", "scorecard": str(scored)}),
        "{not json",
        json.dumps({"passage_id": "dddddddddddd:300-400", "recommendation": "22", "reviewed_label": "planned",
                    "reviewer": "R", "scorecard": str(scored)}),
    ]) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["review", "import", str(sheet), "--annotations", str(tmp_path / "annotations")]) == 1
    err = capsys.readouterr().err
    assert "line 2: invalid JSON" in err and "line 3: passage 'dddddddddddd:300-400' does not answer recommendation '22'" in err
    assert len(_records(tmp_path / "annotations" / "reviews.jsonl")) == 1


def test_unreadable_review_file_is_a_usage_error(scored: Path, tmp_path: Path, capsys) -> None:
    sheet = tmp_path / "todo.csv"
    sheet.write_text("passage_id,label\nx,planned\n", encoding="utf-8")
    assert main(["review", "import", str(sheet), "--annotations", str(tmp_path / "annotations")]) == 2
    assert "E406" in capsys.readouterr().err
    assert main(["review", "import", str(tmp_path / "todo.txt")]) == 2  # the suffix: E440, a usage error
    assert "E440" in capsys.readouterr().err


def test_changed_label_keeps_previous_label_and_reimport_adds_nothing(scored: Path, tmp_path: Path) -> None:
    annotations = tmp_path / "annotations"
    annotations.mkdir()
    seed = {"id": "gwent-2024-r9", "force": "Gwent", "inspection": INSPECTION, "recommendation": "9",
            "text": PASSAGES[0][6], "label": "completed", "source": "corpus/raw/x.txt", "note": "",
            "passage_id": "aaaaaaaaaaaa:0-100", "char_start": 0, "char_end": 100, "synthetic": False}
    io.write_jsonl(annotations / "seeds.jsonl", [seed])
    sheet = tmp_path / "todo.csv"
    _export(scored, sheet, annotations)
    row = next(i for i, p in enumerate(_read_csv(sheet)["passage_id"]) if p == "aaaaaaaaaaaa:0-100")
    assert _read_csv(sheet).loc[row, "annotated_label"] == "completed"

    _fill(sheet, {row: {"reviewed_label": "in_progress", "reviewer": "R1", "note": "training still to do"}})
    for _ in range(2):  # importing the same file twice adds nothing the second time
        assert main(["review", "import", str(sheet), "--annotations", str(annotations)]) == 0
        records = _records(annotations / "reviews.jsonl")
        assert len(records) == 1
    first = records[0]
    assert first["label"] == "in_progress" and first["previous_label"] == "completed"
    assert first["supersedes"] == "gwent-2024-r9" and "history" not in first

    _fill(sheet, {row: {"reviewed_label": "planned", "reviewer": "R2", "note": "nothing started"}})
    assert main(["review", "import", str(sheet), "--annotations", str(annotations)]) == 0
    records = _records(annotations / "reviews.jsonl")
    assert len(records) == 1
    second = records[0]
    assert second["label"] == "planned" and second["previous_label"] == "in_progress" and second["reviewer"] == "R2"
    assert second["history"] == [{"label": "in_progress", "reviewer": "R1", "reviewed_at": first["reviewed_at"],
                                  "note": "training still to do"}]
    assert second["supersedes"] == "gwent-2024-r9"

    # training sees the passage once, with the reviewed label
    held = _annotations(str(annotations))
    assert [(r["id"], r["label"]) for r in held] == [(second["id"], "planned")]


# --- pure functions ----------------------------------------------------------------------

def _seed(passage_id: str, recommendation: str, label: str, **extra) -> dict:
    return {"id": f"s-{passage_id}-{recommendation}", "force": "Gwent", "text": "t", "label": label,
            "passage_id": passage_id, "recommendation": recommendation, "synthetic": False, **extra}


def test_dedupe_review_wins_and_nothing_counts_twice() -> None:
    synthetic = {"id": "synthetic-1", "force": "synthetic", "text": "t", "label": "planned", "synthetic": True}
    blanket = _seed("p1:0-1", "all", "not_addressed", note="blanket")
    seed = _seed("p2:0-1", "9", "completed")
    other_rec = _seed("p2:0-1", "10", "completed")
    old = _seed("p2:0-1", "9", "planned", id="r-old", reviewer="A", reviewed_at="2025-01-01")
    new = _seed("p2:0-1", "9", "in_progress", id="r-new", reviewer="B", reviewed_at="2025-02-01")
    kept = dedupe_annotations([synthetic, blanket, seed, other_rec, new, old])
    assert [r["id"] for r in kept] == ["synthetic-1", blanket["id"], other_rec["id"], "r-new"]
    # records with recommendation "all" and extra fields (reviewer, history...) are valid annotation records
    assert len(validate_records(enumerate([blanket, {**new, "history": [{"label": "planned"}]}], 1), origin="x")) == 2
    assert data_hash(kept) == data_hash(list(reversed(kept)))


def test_merge_reviews_counts() -> None:
    first = _seed("p:0-1", "9", "planned", id=review_id("p:0-1", "9"), reviewer="A", reviewed_at="2025-01-01", note="")
    merged, counts = merge_reviews([], [first])
    assert counts["new"] == 1 and merged == [first]
    merged, counts = merge_reviews(merged, [dict(first, reviewed_at="2025-03-01")])
    assert counts["unchanged"] == 1 and merged[0]["reviewed_at"] == "2025-01-01"
    merged, counts = merge_reviews(merged, [dict(first, reviewer="B", reviewed_at="2025-03-01")])
    assert counts["updated"] == 1 and "previous_label" not in merged[0] and merged[0]["history"][0]["reviewer"] == "A"


def test_apply_reviews_is_pure_and_recomputes_overdue() -> None:
    scorecard = pd.DataFrame({
        "inspection": [INSPECTION] * 3, "force": ["Gwent Police"] * 3, "recommendation": ["9", "10", "12"],
        "status": ["completed", "planned", "not_addressed"], "passage_id": ["p:0-1", "p:2-3", ""],
        "deadline": [date(2025, 3, 31)] * 3, "overdue": pd.array([False, True, True], dtype="boolean"),
    })
    reviews = [_seed("p:0-1", "9", "in_progress", reviewer="R", reviewed_at="2025-05-01"),
               _seed("p:2-3", "10", "planned")]  # no reviewer: a seed label, not a review
    out = apply_reviews(scorecard, reviews, as_of=date(2025, 6, 1))
    assert list(scorecard["status"]) == ["completed", "planned", "not_addressed"]  # input untouched
    assert list(out["status"]) == ["in_progress", "planned", "not_addressed"]
    assert list(out["model_status"]) == ["completed", "planned", "not_addressed"]
    assert list(out["reviewed_status"]) == ["in_progress", "", ""]
    assert list(out["reviewer"]) == ["R", "", ""] and list(out["reviewed_at"]) == ["2025-05-01", "", ""]
    assert list(out["overdue"]) == [True, True, True]


def test_history_and_previous_versus_current() -> None:
    evaluation = {"n_real": 30, "n_synthetic": 200,
                  "models": {"model": {"macro_f1": 0.80, "macro_f1_ci95": [0.6, 0.9], "accuracy": 0.8},
                             "cue_rules": {"macro_f1": 0.7}}}
    old = {"trained_at": "2025-01-01T00:00:00+00:00", "data_sha256": "a" * 64,
           "evaluation": {**evaluation, "n_real": 28, "models": {**evaluation["models"], "model": {
               "macro_f1": 0.75, "macro_f1_ci95": [0.55, 0.88], "accuracy": 0.75}}}}
    history = training_history(old, {"trained_at": "2025-02-01T00:00:00+00:00", "data_sha256": "b" * 64}, evaluation)
    assert [h["macro_f1"] for h in history] == [0.75, 0.80]
    assert training_history({"history": history}, {"data_sha256": "c" * 64}, evaluation)[:2] == history
    text = format_history(history, "b" * 64, evaluation)
    assert "previous model (2025-01-01T00:00:00+00:00): 0.750 on 28; change +0.050" in text
    assert "different sets of real passages" in text


# --- newcomer s7 item 7: the item's kind goes out and comes back; a re-saved file's reviews are named ----------------

PEEL = "peel-2023-25-demo-police"
KINDS = [  # passage_id, item_kind, number, model label, text
    ("eeeeeeeeeeee:0-100", "cause_of_concern", "1", "in_progress", "The new demand model is being rolled out."),
    ("ffffffffffff:100-200", "area_for_improvement", "1", "completed", "Training was delivered and the action closed."),
]


@pytest.fixture
def peel(tmp_path: Path) -> dict:
    """A scored PEEL response answering cause of concern 1 and area for improvement 1, and its register."""
    registers = tmp_path / "inspections"
    registers.mkdir()
    (registers / f"{PEEL}.toml").write_text(
        f'id = "{PEEL}"\ntitle = "PEEL 2023-25 Demo"\npublished = 2024-06-01\naliases = []\n'
        '[[causes_of_concern]]\nnumber = "1"\ntext = "The force does not manage demand well."\n'
        '[[areas_for_improvement]]\nnumber = "1"\ntext = "The force should train its supervisors."\n', encoding="utf-8")
    folder = tmp_path / "scored"
    rows, cells = [], []
    for passage_id, kind, number, label, text in KINDS:
        start, end = (int(x) for x in passage_id.split(":")[1].split("-"))
        rows.append({
            "passage_id": passage_id, "inspection": PEEL, "force": "Gwent Police", "source": "in/gwent-peel.txt",
            "sha256": "e" * 64, "item_kind": kind, "recommendations": number, "link": "numbered", "page": 1,
            "char_start": start, "char_end": end, "status": label, "confidence": 0.7,
            **{f"p_{k}": (0.7 if k == label else 0.1) for k in LABELS}, "response_text": text, "text": text,
        })
        cells.append({"passage_id": passage_id, "item_kind": kind, "recommendation": number, "basis": "model"})
    io.write_csv(folder / "passages.csv", pd.DataFrame(rows))
    io.write_csv(folder / "scorecard.csv", pd.DataFrame(cells))
    return {"scored": folder, "inspections": str(registers)}


def test_export_names_each_items_kind_and_its_own_wording(peel: dict, tmp_path: Path) -> None:
    sheet = tmp_path / "todo.csv"
    assert main(["review", "export", "--scorecard", str(peel["scored"]), "--out", str(sheet), "--annotations",
                 str(tmp_path / "none"), "--inspections", peel["inspections"]]) == 0
    exported = _read_csv(sheet).set_index("passage_id")
    assert list(_read_csv(sheet).columns) == EXPORT_COLUMNS
    assert EXPORT_COLUMNS.index("item_kind") == EXPORT_COLUMNS.index("recommendation") - 1
    for passage_id, kind, number, _, _ in KINDS:
        assert (exported.loc[passage_id, "item_kind"], exported.loc[passage_id, "recommendation"]) == (kind, number)
        assert exported.loc[passage_id, "in_scorecard"] == "True"
    assert exported.loc[KINDS[0][0], "recommendation_text"] == "The force does not manage demand well."
    assert exported.loc[KINDS[1][0], "recommendation_text"] == "The force should train its supervisors."
    assert [r["item_kind"] for r in _records(sheet.with_suffix(".jsonl"))] == list(_read_csv(sheet)["item_kind"])


def test_import_keeps_the_kind_and_refuses_a_kind_the_passage_does_not_answer(peel: dict, tmp_path: Path, capsys) -> None:
    sheet, annotations = tmp_path / "todo.csv", tmp_path / "annotations"
    assert main(["review", "export", "--scorecard", str(peel["scored"]), "--out", str(sheet), "--annotations",
                 str(annotations), "--inspections", peel["inspections"]]) == 0
    order = list(_read_csv(sheet)["passage_id"])
    coc, afi = order.index(KINDS[0][0]), order.index(KINDS[1][0])
    _fill(sheet, {coc: {"reviewed_label": "planned", "reviewer": "R", "item_kind": "Cause of concern"},  # spelling forgiven
                  afi: {"reviewed_label": "completed", "reviewer": "R"}})
    capsys.readouterr()
    assert main(["review", "import", str(sheet), "--annotations", str(annotations)]) == 0
    records = {r["passage_id"]: r for r in _records(annotations / "reviews.jsonl")}
    assert [(records[p]["item_kind"], records[p]["recommendation"]) for p, *_ in KINDS] == \
        [("cause_of_concern", "1"), ("area_for_improvement", "1")]
    assert records[KINDS[0][0]]["id"].endswith("-coc1") and records[KINDS[1][0]]["id"].endswith("-afi1")
    assert review_id("p:0-1", "9") == "review-p-0-1-r9"  # a recommendation's id as before kinds were kept

    # the CoC passage reviewed as an AFI, and a kind that is none, are bad rows
    _fill(sheet, {coc: {"item_kind": "area_for_improvement"}, afi: {"item_kind": "afi"}})
    assert main(["review", "import", str(sheet), "--annotations", str(annotations)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert f"line {coc + 2}: passage '{KINDS[0][0]}' does not answer area for improvement '1' " \
           "(it answers cause of concern 1)" in err[0 if coc < afi else 1]
    assert f"line {afi + 2}: item_kind 'afi' is not one of recommendation, cause_of_concern, area_for_improvement" \
        in err[1 if coc < afi else 0]


def test_a_review_applies_to_its_own_kind_only_and_a_record_without_one_is_a_recommendation() -> None:
    scorecard = pd.DataFrame({
        "inspection": [PEEL] * 3, "force": ["Gwent Police"] * 3,
        "item_kind": ["recommendation", "cause_of_concern", "area_for_improvement"], "recommendation": ["1", "1", "1"],
        "status": ["planned", "in_progress", "completed"], "passage_id": ["p:0-1", "p:0-1", "p:0-1"],
    })
    reviews = [_seed("p:0-1", "1", "not_addressed", item_kind="area_for_improvement", reviewer="R"),
               _seed("p:0-1", "1", "completed", reviewer="R")]  # written before kinds were kept: a recommendation
    out = apply_reviews(scorecard, reviews)
    assert list(out["reviewed_status"]) == ["completed", "", "not_addressed"]
    assert list(out["status"]) == ["completed", "in_progress", "not_addressed"]
    # two kinds, one number: two records, neither replaces the other
    assert len(dedupe_annotations(reviews)) == 2 and len(merge_reviews([], reviews)[0]) == 2


def test_score_names_the_reviews_a_resaved_file_no_longer_matches(tmp_path: Path, capsys) -> None:
    raw, annotations = tmp_path / "raw", tmp_path / "annotations"
    raw.mkdir()
    response = raw / "suffolk.txt"
    shutil.copy(SEEDS["Suffolk"], response)
    reviews = annotations / "reviews.jsonl"

    def score(out: Path) -> int:
        return main(["score", str(raw), "--out", str(out), "--inspections", INSPECTIONS, "--as-of", AS_OF,
                     *_reviews(reviews), "--no-cache", "--quiet", "--jobs", "1"])

    assert score(tmp_path / "scored1") == 0
    sheet = tmp_path / "todo.csv"
    assert main(["review", "export", "--scorecard", str(tmp_path / "scored1"), "--out", str(sheet),
                 "--annotations", str(annotations), "--inspections", INSPECTIONS]) == 0
    first, second = _read_csv(sheet).index[_read_csv(sheet)["recommendation"] != "all"][:2]  # two items' cells
    _fill(sheet, {first: {"reviewed_label": "planned", "reviewer": "R"},
                  second: {"reviewed_label": "completed", "reviewer": "R"}})
    assert main(["review", "import", str(sheet), "--annotations", str(annotations)]) == 0
    reviewed = _read_csv(sheet).loc[[first, second]]
    capsys.readouterr()

    assert score(tmp_path / "scored2") == 0  # the same bytes: the reviews apply, no note
    assert "E318" not in capsys.readouterr().err
    assert (_read_csv(tmp_path / "scored2" / "scorecard.csv")["reviewer"] == "R").sum() == 2

    # re-saved: a line added at the top moves every passage, so the file's reviews match nothing now
    response.write_text("Updated version\n\n" + response.read_text(encoding="utf-8"), encoding="utf-8")
    assert score(tmp_path / "scored3") == 0  # a note, no failure
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{response}: E318 2 reviewed label(s) in {reviews} match no passage "
                                                "of this file scored now (line 1 recommendation ")
    assert "the file changed since it was reviewed (sha256 " in err[0]
    held = _records(reviews)  # one a line
    assert sorted(r["recommendation"] for r in held) == sorted(reviewed["recommendation"])
    items = ", ".join(f"line {n} recommendation {r['recommendation']}" for n, r in enumerate(held, start=1))
    assert f" scored now ({items}): the file changed " in err[0]
    scored = tmp_path / "scored3"
    assert (_read_csv(scored / "scorecard.csv")["reviewer"] == "").all()
    errors = _read_csv(scored / "errors.csv")
    assert errors[["source", "code"]].values.tolist() == [[str(response), "E318"]]
    assert errors.loc[0, "sha256"] == _read_csv(scored / "passages.csv")["sha256"].iloc[0]
    assert "scored in full" in (scored / "report.html").read_text(encoding="utf-8")

    # the old sheet imported against the new scoring: each row says its file changed, not just "unknown"
    assert main(["review", "import", str(sheet), "--annotations", str(tmp_path / "fresh"), "--scorecard", str(scored)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    then, now = reviewed["sha256"].iloc[0][:12], errors.loc[0, "sha256"][:12]
    assert len(err) == 2 and all(f"{response} changed since it was exported (sha256 {then} then, {now} now): export it "
                                 "again and review it anew" in line for line in err)
