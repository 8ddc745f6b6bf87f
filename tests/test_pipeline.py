"""The whole path, through the CLI as a researcher runs it, and the seeds as real PDFs."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import main
from pipeline.ingest import ingest
from pipeline.segment import segment
from tests.conftest import FORCE_RECOMMENDATIONS, ROOT, SEEDS
from tests.pdf_fixtures import render_seed_pdf

FORCES = ["Cleveland Police", "Gwent Police", "Staffordshire Police", "Suffolk Constabulary"]


@pytest.mark.parametrize("running", [None, ("OFFICIAL", "Page {page}")], ids=["plain", "running-header-footer"])
@pytest.mark.parametrize("name", ["Gwent", "Suffolk", "Cleveland", "Staffordshire"])
def test_seed_rendered_as_pdf_gives_the_same_passages(tmp_path, name, running, inspection, segmenter):
    text_document = ingest(io.read_source(SEEDS[name]))
    pdf_path = render_seed_pdf(text_document.text, tmp_path / f"{name}.pdf", running=running)
    pdf_document = ingest(io.read_source(pdf_path))
    assert pdf_document.media_type == "pdf" and len(pdf_document.pages) > 1
    if running:  # the marking and page numbers in the margins are not text of the response
        assert "OFFICIAL" not in pdf_document.text and "Page 2" not in pdf_document.text

    def key(document):
        return [(p.recommendations, p.link, p.response_text) for p in segment(document, inspection, segmenter)]

    assert key(pdf_document) == key(text_document)
    # offsets refer to the PDF's own text, and pages are real pages
    for p in segment(pdf_document, inspection, segmenter):
        assert p.text == pdf_document.text[p.start:p.end]
        page = pdf_document.pages[p.page - 1]
        assert page.start <= p.start <= page.end


def test_gwent_table_pdf_keeps_rows_across_pages(tmp_path, inspection, segmenter):
    document = ingest(io.read_source(render_seed_pdf(ingest(io.read_source(SEEDS["Gwent"])).text, tmp_path / "gwent.pdf")))
    passages = {p.recommendations: p for p in segment(document, inspection, segmenter) if p.link == "numbered"}
    assert sorted(passages, key=lambda r: int(r[0])) == [(n,) for n in FORCE_RECOMMENDATIONS]
    assert passages[("9",)].page < passages[("22",)].page


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("scorecards")
    # The seed documents only: corpus/raw/responses/ holds the real labelled excerpts, which answer no registered inspection
    code = main(["score", *map(str, SEEDS.values()), "--out", str(out), "--manifest", str(ROOT / "corpus" / "manifest.csv")])
    return code, out


def test_score_writes_every_output_and_reports_the_letter(scored):
    code, out = scored
    assert code == 1  # the HMICFRS letter is reported, the rest scored
    for name in ("scorecard.csv", "scorecard.parquet", "passages.csv", "forces.csv", "errors.csv"):
        assert (out / name).exists(), name
    errors = pd.read_csv(out / "errors.csv")
    assert errors[["source", "code"]].values.tolist() == [[str(SEEDS["HMICFRS letter"]), "E203"]]


def test_scorecard_has_a_row_per_force_and_force_recommendation(scored):
    card = pd.read_csv(scored[1] / "scorecard.csv", dtype={"recommendation": str})
    assert sorted(card["force"].unique()) == FORCES
    for force in FORCES:
        assert card.loc[card.force == force, "recommendation"].tolist() == list(FORCE_RECOMMENDATIONS)
    for column in ["inspection", "force", "recommendation", "status", "confidence", "evidence", "source", "page",
                   "char_start", "char_end"]:
        assert column in card.columns
    assert set(card["status"]) <= {"completed", "in_progress", "planned", "not_addressed"}
    parquet = pd.read_parquet(scored[1] / "scorecard.parquet")
    key = ["force", "recommendation", "status", "evidence", "passage_id"]
    assert parquet[key].fillna("").values.tolist() == card[key].fillna("").values.tolist()


def test_evidence_points_at_the_words_in_the_source(scored):
    card = pd.read_csv(scored[1] / "scorecard.csv", dtype={"recommendation": str})
    passages = pd.read_csv(scored[1] / "passages.csv")
    model_rows = card[card.basis == "model"]
    assert len(model_rows) == 20  # Gwent 9, Suffolk 9, Staffordshire 17 and 18
    for row in model_rows.itertuples():
        passage = passages[passages.passage_id == row.passage_id].iloc[0]
        assert row.char_start == passage.char_start and row.char_end == passage.char_end
        for piece in row.evidence.split(" … "):
            assert piece in passage.response_text


def test_cleveland_blanket_response_scores_not_addressed(scored):
    card = pd.read_csv(scored[1] / "scorecard.csv", dtype={"recommendation": str})
    cleveland = card[card.force == "Cleveland Police"]
    assert set(cleveland.status) == {"not_addressed"} and set(cleveland.basis) == {"blanket"}
    assert cleveland.evidence.str.contains("All actions will be progressed").any()


def test_forces_counts_match_the_scorecard(scored):
    card = pd.read_csv(scored[1] / "scorecard.csv")
    forces = pd.read_csv(scored[1] / "forces.csv")
    for row in forces.itertuples():
        counts = card[card.force == row.force].status.value_counts()
        for label in ("completed", "in_progress", "planned", "not_addressed"):
            assert getattr(row, label) == counts.get(label, 0)


def test_classify_command_reads_and_writes_jsonl(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(o) for o in [
        {"id": "a", "text": "The policy was updated in October 2023 and is now in force."},
        {"id": "b", "text": "We will review the policy once the national guidance is published."},
    ]) + "\n", encoding="utf-8")
    assert main(["classify", "--in", str(source), "--out", str(tmp_path / "out.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert [r["label"] for r in rows] == ["completed", "planned"]
    for r in rows:
        assert set(r["scores"]) == {"completed", "in_progress", "planned", "not_addressed"}
        assert abs(sum(r["scores"].values()) - 1) < 1e-5 and r["confidence"] == max(r["scores"].values())


def test_bad_classify_input_is_one_line_and_exit_2(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a"}\n', encoding="utf-8")
    assert main(["classify", "--in", str(source), "--out", str(tmp_path / "out.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "E405" in err and "line 1" in err and "Traceback" not in err


def test_missing_model_is_refused_with_a_message(tmp_path, capsys):
    seed = tmp_path / "in"
    seed.mkdir()
    shutil.copy(SEEDS["Gwent"], seed)
    assert main(["score", str(seed), "--out", str(tmp_path / "out"), "--model", str(tmp_path / "none.joblib")]) == 2
    assert "E302" in capsys.readouterr().err
