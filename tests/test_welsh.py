"""Bilingual (Welsh and English) responses: the English answer is the evidence, in every shape they come in.

The fixtures (``tests/data/welsh/``, see its README) are a table of Welsh | English cells, a Welsh half
then an English half, and interleaved paragraphs; they go through the real readers, the real segmenter
and the CLI with the shipped model. Newcomer report s5, item 2: before, the table gave no passage, the
Welsh half's last answer ran into the English half, and interleaved passages were tagged Welsh.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import main
from pipeline.ingest import ingest
from pipeline.segment import segment
from pipeline.segment.labels import find_citations
from pipeline.segment.lines import language_of, split_lines
from pipeline.types import Document, Inspection, Page
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "welsh"
MANIFEST = str(ROOT / "corpus" / "manifest.csv")

#: The English answers the fixtures give, by recommendation (the same in all three).
ENGLISH = {
    "9": "The force has published its new social media policy and the work is complete.",
    "16": "The team will review the guidance during next year.",
    "20": "Training is under way and half of the officers have attended it.",
}
#: Words only the Welsh answers hold.
WELSH_WORDS = ("heddlu", "cyhoeddi", "canllawiau", "hyfforddiant", "gweill", "Bydd", "Mae'r")


def _passages(name, inspection, segmenter):
    document = ingest(io.read_source(DATA / name))
    return document, segment(document, inspection, segmenter)


def _by_item(passages, language):
    return {p.recommendations: p for p in passages if p.language == language}


def _assert_english_evidence(document, passages):
    english = _by_item(passages, "en")
    assert {numbers: p.response_text for numbers, p in english.items()} == {(n,): text for n, text in ENGLISH.items()}
    for p in english.values():
        assert not any(word in p.response_text for word in WELSH_WORDS)
        # the evidence points at the English text in the document, and nowhere else
        assert " ".join(document.text[s:e] for s, e in p.response_spans) == p.response_text


def test_table_of_welsh_and_english_cells(inspection, segmenter):
    document, passages = _passages("gwent-table.html", inspection, segmenter)
    lines = split_lines(document.text)
    label_row = next(line for line in lines if line.text.startswith("Argymhelliad 9"))
    assert [label_row.cell_text(document.text, i) for i in range(len(label_row.cells))] == \
        ["Argymhelliad 9", "Recommendation 9"]
    answer_row = lines[label_row.index + 1]
    assert answer_row.cell_text(document.text, 1) == ENGLISH["9"]
    assert answer_row.cell_text(document.text, 0).startswith("Mae'r heddlu")
    assert not _by_item(passages, "cy")  # every Welsh cell has its English one beside it
    _assert_english_evidence(document, passages)


def test_welsh_half_then_english_half(inspection, segmenter):
    document, passages = _passages("south-wales-halves.txt", inspection, segmenter)
    english_half = document.text.index("Response of the South Wales")
    welsh = _by_item(passages, "cy")
    assert set(welsh) == {("9",), ("16",), ("22",)}
    for p in welsh.values():
        assert p.end < english_half  # the last Welsh answer does not run into the English half
        assert not any(word in p.response_text for word in ("Response", "inspection", "Date"))
    assert welsh[("22",)].response_text.startswith("Mae'r heddlu wedi sefydlu")
    english = _by_item(passages, "en")
    assert {numbers: p.response_text for numbers, p in english.items()} == {("9",): ENGLISH["9"], ("16",): ENGLISH["16"]}
    assert all(p.start > english_half for p in english.values())


def test_english_half_then_welsh_half(inspection, segmenter):
    """The same halves the other way round: the last English answer stops where the Welsh half starts."""
    halves = (DATA / "south-wales-halves.txt").read_text(encoding="utf-8")
    cut = halves.index("Response of the South Wales")
    text = halves[cut:] + "\n" + halves[:cut]
    document = Document("halves.txt", "0" * 64, "text", text, (Page(1, 0, len(text)),))
    passages = segment(document, inspection, segmenter)
    welsh_half = text.index("Ymateb")
    english = _by_item(passages, "en")
    assert {numbers: p.response_text for numbers, p in english.items()} == {("9",): ENGLISH["9"], ("16",): ENGLISH["16"]}
    assert all(p.end < welsh_half for p in english.values())
    assert set(_by_item(passages, "cy")) == {("9",), ("16",), ("22",)}


def test_language_of_a_line(segmenter):
    rules = segmenter.rules
    assert language_of("Mae'r gwaith wedi'i gwblhau erbyn hyn.", rules) == "cy"
    assert language_of("The work has been completed.", rules) == "en"
    assert language_of("A new policy, a new audit", rules) == ""  # Welsh "a" alone makes no Welsh
    assert language_of("Argymhelliad 9", rules) == language_of("Date: 12 November 2024", rules) == ""


def test_interleaved_paragraphs(inspection, segmenter):
    document, passages = _passages("north-wales-interleaved.txt", inspection, segmenter)
    assert not _by_item(passages, "cy")
    _assert_english_evidence(document, passages)


def test_welsh_labels_of_every_item_kind_pair_with_the_english(segmenter):
    """ "Maes i'w wella 2" and "Achos pryder 1" label an AFI and a cause of concern, one label with the English."""
    unregistered = Inspection(id="peel-2025", title="PEEL 2025", published=None, aliases=(), recommendations=(),
                              registered=False)
    text = ("Achos pryder 1 | Cause of concern 1\n"
            "Mae'r heddlu wedi llunio cynllun ac mae'r gwaith yn parhau. | The force has drawn up a plan and the "
            "work is under way.\n"
            "Maes i’w wella 2\nArea for improvement 2\n"
            "Mae'r heddlu wedi adolygu ei ddata ac mae'r gwaith wedi'i gwblhau.\n"
            "The force has reviewed its data and the work is complete.\n")
    labels = [c for c in find_citations(text, split_lines(text), unregistered, segmenter.rules) if c.is_label]
    assert [(c.kind, c.numbers, text[c.start:c.end].strip()) for c in labels] == [
        ("cause_of_concern", ("1",), "Achos pryder 1"), ("cause_of_concern", ("1",), "Cause of concern 1"),
        ("area_for_improvement", ("2",), "Maes i’w wella 2"), ("area_for_improvement", ("2",), "Area for improvement 2"),
    ]
    document = Document("peel.txt", "0" * 64, "text", text, (Page(1, 0, len(text)),))
    found = {(p.item_kind, p.recommendations): (p.language, p.response_text)
             for p in segment(document, unregistered, segmenter) if p.link == "numbered"}
    assert found == {
        ("cause_of_concern", ("1",)): ("en", "The force has drawn up a plan and the work is under way."),
        ("area_for_improvement", ("2",)): ("en", "The force has reviewed its data and the work is complete."),
    }


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The three fixtures scored together by the CLI with the shipped model: exit code and output folder."""
    folder = tmp_path_factory.mktemp("welsh-in")
    for name in ("gwent-table.html", "south-wales-halves.txt", "north-wales-interleaved.txt"):
        shutil.copy(DATA / name, folder)
    out = tmp_path_factory.mktemp("welsh-out")
    return main(["score", str(folder), "--out", str(out), "--manifest", MANIFEST]), out


def test_cli_scores_every_shape_on_its_english_answer(scored):
    code, out = scored
    assert code == 0
    card = pd.read_csv(out / "scorecard.csv", dtype={"recommendation": str})
    answered = card[card.basis == "model"]
    expected = {("Gwent Police", n) for n in ENGLISH} | {("North Wales Police", n) for n in ENGLISH} \
        | {("South Wales Police", "9"), ("South Wales Police", "16"), ("South Wales Police", "22")}
    assert set(zip(answered.force, answered.recommendation)) == expected
    for row in answered.itertuples():
        if (row.force, row.recommendation) == ("South Wales Police", "22"):
            assert row.language == "cy" and row.evidence.startswith("Mae'r heddlu wedi sefydlu")
        else:
            assert row.language == "en" and row.evidence in ENGLISH[row.recommendation]
    # the plainest answers in the fixtures, read from the English text
    status = answered.set_index(["force", "recommendation"]).status
    assert {status[(force, "16")] for force in ("Gwent Police", "North Wales Police", "South Wales Police")} == {"planned"}


def test_report_flags_a_welsh_only_answer_for_review(scored):
    _, out = scored
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("answered in Welsh only: needs review") == 1
    assert "no passage was found in it" not in page and "Every document was scored in full." in page


def test_report_names_a_document_that_yielded_no_passage(tmp_path):
    """A scored document with no passage is not "scored in full" (the bilingual table used to give none)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gwent-thanks.txt").write_text(
        "Gwent Police and Crime Commissioner\n\nResponse to An inspection into activism and impartiality in "
        "policing\n\n12 November 2024\n\nThank you for your letter of last month.\n", encoding="utf-8")
    shutil.copy(DATA / "north-wales-interleaved.txt", folder)
    assert main(["score", str(folder), "--out", str(tmp_path / "out"), "--manifest", MANIFEST]) == 0
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Every document was scored in full." not in page
    listed = page.split('aria-label="Responses not read in full"', 1)[1].split("</ul>", 1)[0]
    assert "gwent-thanks.txt</code>: no passage was found in it" in listed
    assert "north-wales-interleaved.txt</code>" not in listed
