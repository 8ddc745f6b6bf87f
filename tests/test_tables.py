"""Answer tables and colour-only RAG cells (newcomer report s5, items 1 and 6).

Inputs in ``tests/data/tables/`` (built by its ``make_inputs.py``; wording written for the tests): a ruled
PDF table "Recommendation | Force position" drawn by :mod:`pipeline.pdfdraw` alone and after some
"Recommendation N" headings, a Word table and an HTML table whose RAG column is colour only, and a PEEL
response whose unnumbered "Cause of concern" heading precedes "Recommendation 1". Each is read by the real
reader, segmented against the real register, and scored through the CLI.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli, io
from pipeline.ingest import ingest
from pipeline.ingest.rag import colour_name, css_background, key_words, parse_rag_rules
from pipeline.register.schema import parse_inspection
from pipeline.segment import segment
from pipeline.segment.labels import number_column_kind
from pipeline.segment.lines import split_lines
from pipeline.types import Document, Page

TABLES = Path(__file__).resolve().parent / "data" / "tables"
RESPONSES = TABLES / "responses"
PEEL = TABLES / "peel"


def read(name: str) -> Document:
    return ingest(io.read_source(RESPONSES / name))


def numbered(passages, number: str, kind: str = "recommendation"):
    return [p for p in passages if p.item_kind == kind and number in p.recommendations and p.link != "blanket"]


def text_document(text: str) -> Document:
    return Document(source="inline.txt", sha256="0" * 64, media_type="text", text=text, pages=(Page(1, 0, len(text)),))


# --- 1. a table of bare item numbers under an item-word header ------------------------------------------------

@pytest.mark.parametrize("number, words", [
    ("9", "The force will review its social media policy"), ("10", "A policy on visible symbols was issued"),
    ("16", "Guidance on non-crime hate incidents has been rewritten"), ("17", "Changes to the recording system"),
])
def test_pdf_table_under_a_recommendation_header_cuts_one_passage_a_row(inspection, segmenter, number, words):
    passages = segment(read("cheshire-rec-table.pdf"), inspection, segmenter)
    [passage] = numbered(passages, number)
    assert passage.link == "numbered" and passage.recommendations == (number,)
    assert passage.response_text.startswith(words)
    assert "Force position" not in passage.response_text
    assert not numbered(passages, "12")  # a number the table does not give is not answered


def test_pdf_table_after_headings_is_not_swallowed_by_the_last_heading(inspection, segmenter):
    passages = segment(read("bedfordshire-headings-then-table.pdf"), inspection, segmenter)
    [last_heading] = numbered(passages, "13")
    assert last_heading.response_text == "No work has begun on this recommendation yet."
    for number, words in (("16", "Guidance on non-crime"), ("17", "Changes to the recording"),
                          ("18", "The review process"), ("20", "The policy now defines"), ("22", "A funding assessment")):
        [passage] = numbered(passages, number)
        assert passage.response_text.startswith(words), number


def test_afi_column_holds_areas_for_improvement_and_cause_keeps_its_recommendation_apart(segmenter):
    path = PEEL / "regs" / "peel-2025-warwickshire.toml"
    register = parse_inspection(path.read_text(encoding="utf-8"), str(path))
    document = ingest(io.read_source(PEEL / "in" / "warwickshire-peel.txt"))
    passages = segment(document, register, segmenter)
    [afi1] = numbered(passages, "1", "area_for_improvement")
    [afi2] = numbered(passages, "2", "area_for_improvement")
    assert afi1.response_text == "A new vulnerability form will be introduced next year."
    assert afi2.response_text == "Twelve of twenty investigator posts have now been filled."
    # item 6: the unnumbered "Cause of concern" heading, answered in words of its own, ends at "Recommendation 1"
    [cause] = numbered(passages, "1", "cause_of_concern")
    [rec] = numbered(passages, "1", "recommendation")
    assert cause.response_text.startswith("The Chief Constable has recruited more call handlers")
    assert "As above" not in cause.response_text
    assert rec.response_text == "As above: this was completed in May 2025."


def test_a_form_row_naming_a_recommendation_is_no_number_column_header(segmenter):
    text = ("Recommendation | By March 2025, forces should review their policy.\n"
            "Recommendation | Force position\n"
            "AFI no. | Update | RAG\n"
            "Recommendation | 9\n")
    lines = split_lines(text)
    labels = segmenter.rules.labels
    assert [number_column_kind(text, line, labels) for line in lines] == [
        None, "recommendation", "area_for_improvement", None]


# --- 2. RAG status by cell colour -------------------------------------------------------------------------------

def test_word_cell_shading_reads_as_the_documents_key_word():
    text = read("surrey-rag-table.docx").text
    rows = [line for line in text.splitlines() if " | " in line]
    assert rows == [
        "Rec | Update | RAG",  # the dark blue header shading is decoration: no status
        "10 | Policy issued to all staff in October 2024. | complete",
        "12 | Training for assessment authors is half delivered. | in progress",
        "17 | Recording system changes are planned for next year. | not started",
        "20 | The personal data to record is now defined in the policy. | complete",
    ]


def test_word_legend_table_is_the_key():
    """A key drawn as a Word table (a shaded empty cell beside its word) names the colours of the tracker below."""
    import io as bytes_io

    from docx import Document as WordDocument
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from pipeline.ingest.docx import read_docx

    def shade(cell, fill):
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shd)

    document = WordDocument()
    document.add_paragraph("Legend")
    legend = document.add_table(rows=0, cols=2)
    for fill, words in (("00B050", "Delivered"), ("FFC000", "On track")):
        cells = legend.add_row().cells
        shade(cells[0], fill)
        cells[1].text = words
    document.add_paragraph("Progress against the recommendations")
    tracker = document.add_table(rows=0, cols=3)
    for number, update, fill in (("9", "Policy published.", "00B050"), ("10", "Consultation open.", "FFC000"),
                                 ("12", "Not begun.", "FF0000")):
        cells = tracker.add_row().cells
        cells[0].text, cells[1].text = number, update
        shade(cells[2], fill)
    buffer = bytes_io.BytesIO()
    document.save(buffer)
    rows = [line for line in read_docx(buffer.getvalue()).splitlines() if " | " in line]
    assert rows == ["Green | Delivered", "Amber | On track",
                    "9 | Policy published. | Delivered", "10 | Consultation open. | On track", "12 | Not begun. | Red"]


def test_html_cell_background_reads_as_the_colour_without_a_key(inspection, segmenter):
    document = read("wiltshire-rag-table.html")
    rows = [line for line in document.text.splitlines() if " | " in line]
    assert rows[1:] == [
        "9 | Social media policy reviewed and republished in November 2024. | Green",  # background-color
        "12 | Training for assessment authors has started. | Amber",  # background shorthand
        "13 | Policy audit. | Red",  # bgcolor name, a non-breaking space only
        "22 | Funding review of staff networks. | Red",  # rgb()
    ]
    [passage] = numbered(segment(document, inspection, segmenter), "9")
    # the colour is the item's status (classified with the update), the update its evidence (newcomer s8, item 7)
    assert passage.status == "Green"
    assert passage.response_text == "Social media policy reviewed and republished in November 2024."


def test_html_cell_class_with_a_background_in_the_pages_own_style():
    from pipeline.ingest.html import read_html

    page = b"""<html><head><style>
    .rag-green, .done { background-color: #00B050; }
    td.amber { background: #FFC000 }
    .late td { background: red }
    </style></head><body><p>Key: Green = delivered</p>
    <table><tr><th>Rec</th><th>Update</th><th>RAG</th></tr>
    <tr><td>9</td><td>Policy published.</td><td class="rag-green"></td></tr>
    <tr><td>10</td><td>Consultation under way.</td><td class="wide amber"></td></tr>
    <tr class="late"><td>12</td><td>Not begun.</td><td></td></tr>
    </table></body></html>"""
    rows = [line for line in read_html(page).splitlines() if " | " in line]
    # a descendant selector (".late td") is no trivial rule: that cell stays empty
    assert rows[1:] == ["9 | Policy published. | delivered", "10 | Consultation under way. | Amber", "12 | Not begun."]


def test_colour_thresholds_and_key_come_from_the_data():
    assert [colour_name(v) for v in ("#00B050", "92D050", "FFC000", "FFFF00", "C00000", "green", "rgb(255, 0, 0)", "#fc0")] \
        == ["Green", "Green", "Amber", "Amber", "Red", "Green", "Red", "Amber"]
    # pale tints, greys, dark header blues and Word's "auto" are no status
    assert [colour_name(v) for v in ("C6EFCE", "FFC7CE", "D9D9D9", "1F3864", "auto", "000000", None)] == [None] * 7
    assert css_background("color: red; background: #ffc000 url(x.png)") == "#ffc000"
    assert css_background("color: red") is None
    assert key_words("Key: Green = complete, Amber = in progress, Red = not started.") == {
        "Green": "complete", "Amber": "in progress", "Red": "not started"}
    assert key_words("RAG key: Green - Completed / Amber - On track") == {"Green": "Completed", "Amber": "On track"}
    assert key_words("Green = complete") == {"Green": "complete"}
    assert key_words("Rec 2 | Green - Draft policy agreed; training to follow") == {}  # an answer, not a key
    stricter = parse_rag_rules(io.read_package_data("rag.toml").replace("min_saturation = 0.45", "min_saturation = 0.7"))
    assert colour_name("92D050", stricter) is None


@pytest.mark.parametrize("row, family", [
    ("10 | Policy issued to all staff in October 2024. | complete", "status_done"),  # a green cell, by the key
    ("9 | Social media policy reviewed and republished. | Green", "status_ongoing"),  # no key: on track (section 7)
    ("12 | Training for assessment authors has started. | Amber", "status_ongoing"),
])
def test_the_words_a_colour_becomes_are_status_cues(row, family):
    """What a coloured cell reads as is a status the cue lexicon knows (the RAG families of cues.toml)."""
    from pipeline.cues import CueEngine, load_cue_lexicon

    [sentences] = CueEngine(load_cue_lexicon()).analyse([row])
    assert family in {m.family for sentence in sentences for m in sentence.matches}


# --- CLI: a folder of these tables scored as a researcher scores it ---------------------------------------------

def _score(folder: Path, out: Path, *extra: str) -> pd.DataFrame:
    code = cli.main(["score", str(folder), "--out", str(out), "--no-cache", "--as-of", "2026-01-01", *extra])
    assert code == 0
    return pd.read_csv(out / "scorecard.csv", dtype={"recommendation": str})


def test_cli_scores_every_table_shape(tmp_path, capsys):
    card = _score(RESPONSES, tmp_path / "out")
    assert "Traceback" not in capsys.readouterr().err
    cell = {(row.force.split()[0], row.recommendation): row for row in card.itertuples()}
    answered = {"Cheshire": ("9", "10", "16", "17"), "Bedfordshire": ("9", "10", "12", "13", "16", "17", "18", "20", "22"),
                "Surrey": ("10", "12", "17", "20"), "Wiltshire": ("9", "12", "13", "22")}
    for force, numbers in answered.items():
        for number in ("9", "10", "12", "13", "16", "17", "18", "20", "22"):
            row = cell[(force, number)]
            if number in numbers:
                assert row.basis == "model", (force, number, row.evidence)
            else:
                assert (row.basis, row.status) == ("no_passage", "not_addressed"), (force, number)
    assert cell[("Cheshire", "10")].status == "completed"
    assert cell[("Cheshire", "17")].status == "planned"
    assert "No work has begun" in cell[("Bedfordshire", "13")].evidence
    assert "review process" not in cell[("Bedfordshire", "13")].evidence  # the table's row 18 is its own
    assert cell[("Surrey", "10")].status == "completed"  # "complete" from the key, for a green cell
    assert cell[("Surrey", "12")].status == "in_progress"
    assert cell[("Wiltshire", "12")].status == "in_progress"
    # the update, not the bare colour, is the evidence: the colour decided with it (newcomer report s8, item 7)
    assert cell[("Wiltshire", "12")].evidence == "Training for assessment authors has started."


def test_cli_peel_recommendation_after_an_unnumbered_cause_of_concern(tmp_path):
    card = _score(PEEL / "in", tmp_path / "out", "--inspections", str(PEEL / "regs"))
    rows = {(row.item_kind, row.recommendation): row for row in card.itertuples()}
    rec = rows[("recommendation", "1")]
    assert rec.basis == "model" and rec.status == "completed"
    assert "As above" in rec.evidence
    cause = rows[("cause_of_concern", "1")]
    assert cause.basis == "model" and "call handlers" in cause.evidence
    assert rows[("area_for_improvement", "2")].basis == "model"
    assert rows[("area_for_improvement", "3")].basis == "no_passage"
