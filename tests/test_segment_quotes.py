"""Segment: the inspectorate's quoted wording of an item is never the force's answer (``[quotes]`` in segment.toml).

Fixtures in ``tests/data/quotes/`` (see its README.md): real excerpts and one page written for a review. Each test
segments a response to an inspection no register holds (no wording to align, so the quote is found by its cues)
and pins which lines the answer's words come from, by offset. The last tests' texts are written in them: the
inspectorate's finding under an inline label and its instruction paraphrased in an update table's cell, for a
registered inspection too (newcomer report s6, item 5).
"""

from __future__ import annotations

import pytest

from pipeline import io
from pipeline.ingest import ingest
from pipeline.segment import segment
from pipeline.segment.lines import split_lines
from pipeline.types import Document, Inspection, Page
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "quotes"


def _segment(name, segmenter, forces, force_name):
    document = ingest(io.read_source(DATA / name))
    inspection = Inspection(id="quoted", title="An inspection", published=None, aliases=(), recommendations=(),
                            registered=False)
    force = next(f for f in forces if f.name == force_name)
    return document, segment(document, inspection, segmenter, force)


def _line_starting(text, head):
    return next(line for line in split_lines(text) if text[line.start:line.end].lstrip(" |").startswith(head))


def _covered(passage, line) -> bool:
    return any(s < line.end and line.start < e for s, e in passage.response_spans)


def test_a_list_of_areas_for_improvement_is_no_answer(segmenter, forces):
    """Hertfordshire: the report's list of areas for improvement ends a news page; the force answered none."""
    document, passages = _segment("hertfordshire-b049.txt", segmenter, forces, "Hertfordshire Constabulary")
    bullet = _line_starting(document.text, "- ")  # the list item (ingest writes bullets as "- ")
    assert not [p for p in passages if p.item_kind == "area_for_improvement"]
    assert not [p for p in passages if _covered(p, bullet)]


def test_a_quoted_area_for_improvement_before_the_answer_is_left_out(segmenter, forces):
    """Cheshire: area for improvement 3 is quoted ("The force needs to ..."); its answer is the line after."""
    document, passages = _segment("cheshire-peel-afi.txt", segmenter, forces, "Cheshire Constabulary")
    lines = split_lines(document.text)
    afi3 = [p for p in passages if p.item_kind == "area_for_improvement" and p.recommendations == ("3",)]
    assert len(afi3) == 1
    quote = next(line for line in lines if line.start > afi3[0].start and document.text[line.start:line.end].strip())
    answer = lines[quote.index + 1]
    assert afi3[0].response_spans and afi3[0].response_spans[0][0] >= answer.start
    assert not _covered(afi3[0], quote) and _covered(afi3[0], answer)
    # the other areas for improvement ("The force should ...") were already cut this way
    for p in passages:
        if p.item_kind == "area_for_improvement" and p.link == "numbered":
            assert document.text[p.response_spans[0][0]:].startswith("Response:")


def test_a_recommendation_received_block_is_left_out(segmenter, forces):
    """Avon and Somerset: the recommendation as received (a numbered list) is quoted; the answer follows its heading."""
    document, passages = _segment("avon-and-somerset-a026.txt", segmenter, forces, "Avon and Somerset Constabulary")
    lines = split_lines(document.text)
    rec7 = [p for p in passages if p.recommendations == ("7",)]
    assert len(rec7) == 1 and rec7[0].link == "numbered"
    heading = _line_starting(document.text, "Recommendation received")
    answer_heading = _line_starting(document.text, "Our current process")
    quoted = [line for line in lines if heading.index <= line.index <= answer_heading.index]
    assert len(quoted) >= 5  # the heading, the three parts of the recommendation, the answer's heading
    assert not any(_covered(rec7[0], line) for line in quoted)
    answer = next(line for line in lines if line.index > answer_heading.index and line.end > line.start)
    assert rec7[0].response_spans[0][0] == answer.start


def test_an_answer_stops_before_the_next_recommendations_row(segmenter, forces):
    """Hampshire: rec 7's row is followed by rec 10's ("| 10 | By <date>, ..."), read with its leading pipe."""
    document, passages = _segment("hampshire-and-isle-of-wight-g044.txt", segmenter, forces,
                                  "Hampshire and Isle of Wight Constabulary")
    rec7 = [p for p in passages if p.recommendations == ("7",)]
    assert len(rec7) == 1
    own_row = _line_starting(document.text, "7 |")
    next_row = _line_starting(document.text, "10 |")
    assert rec7[0].end <= next_row.start and not _covered(rec7[0], next_row)
    # both items' wording as the report gives it ("By <date>, ...") is a quote, never an answer
    quoted_cell = own_row.cells[1]
    assert not any(s < quoted_cell[1] and quoted_cell[0] < e for s, e in rec7[0].response_spans)
    assert not any(_covered(p, next_row) for p in passages)


# --- the inspectorate's words inside an item's block, found by their cues (newcomer report s6, item 5) -------------
# The texts below are written for these tests (no real text; the answers are invented). They answer the activism and
# impartiality inspection, which the register holds, so the inspectorate's words are found by their cues only where
# the response paraphrases them (the register's wording aligns with none of it).

LABELLED_FINDING = "\n".join([
    "Update on the inspection recommendations",
    "Recommendation 17",
    "What the inspectorate found: The inspectorate found that the force's hate incident records could not be searched.",
    "Force response: We have not begun this work and no date is set for it.",
    "Recommendation 18",
    "HMICFRS finding - Inspectors said reviews of incidents were rare.",
    "Our response: A monthly review panel has met since October.",
    "Recommendation 20",
    "The inspectorate found that personal data was recorded differently by each team. We have written one standard for "
    "every team to follow.",
])


def _document(text):
    return Document(source="inline.txt", sha256="0" * 64, media_type="text", text=text, pages=(Page(1, 0, len(text)),))


def _numbered(passages, number):
    found = [p for p in passages if p.recommendations == (number,) and p.link == "numbered"]
    assert len(found) == 1, [(p.recommendations, p.link) for p in passages]
    return found[0]


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "unregistered"])
def test_a_finding_under_an_inline_label_is_left_out_and_the_answer_is_the_evidence(segmenter, inspection, registered):
    document = _document(LABELLED_FINDING)
    answering = inspection if registered else Inspection(
        id="an-inspection", title="An inspection", published=None, aliases=(), recommendations=(), registered=False)
    passages = segment(document, answering, segmenter)
    text = document.text
    for number, finding, answer in (("17", "What the inspectorate found:", "Force response:"),
                                    ("18", "HMICFRS finding -", "Our response:")):
        passage = _numbered(passages, number)
        assert not _covered(passage, _line_starting(text, finding))
        assert passage.response_spans[0][0] >= _line_starting(text, answer).start
        assert passage.response_text.startswith(answer)
    # a finding's sentence (no label) before the force's own sentence on the same line: only the answer is left
    rec20 = _numbered(passages, "20")
    assert rec20.response_text.startswith("We have written one standard")


def test_the_reports_instruction_in_an_update_tables_cell_is_no_answer(tmp_path, segmenter, inspection, forces):
    """An update table's row paraphrases the recommendation ("The force should make sure ...") where its update goes."""
    page = tmp_path / "update.html"
    page.write_text(
        "<html><head><title>Inspection update</title>"
        "<style>.rag-g{background:#00a651} .rag-a{background-color:#ffbf00} .rag-r{background-color:rgb(220,20,20)}"
        "</style></head><body><main><h1>Activism and impartiality: our update</h1>"
        "<p>Key: Green = complete, Amber = in progress, Red = not started</p>"
        "<table><thead><tr><th>No.</th><th>Update</th><th>RAG</th></tr></thead><tbody>"
        "<tr><td>9</td><td>Our social media guidance was reissued to every officer.</td><td class='rag-g'></td></tr>"
        "<tr><td>12</td><td>By 31 March 2025 all assessment authors will have been trained.</td><td class='rag-a'></td></tr>"
        "<tr><td>20</td><td>The force should make sure each policy says which personal data it records.</td>"
        "<td class='rag-r'></td></tr>"
        "<tr><td>22</td><td>Forces should fund their staff networks fairly: the force gave each network the same "
        "budget in May.</td><td class='rag-g'></td></tr>"
        "</tbody></table></main></body></html>", encoding="utf-8")
    document = ingest(io.read_source(page))
    force = next(f for f in forces if f.name == "Bedfordshire Police")
    passages = segment(document, inspection, segmenter, force)
    text = document.text
    rec20 = _numbered(passages, "20")
    instruction = text.index("The force should make sure")
    assert not any(s <= instruction < e for s, e in rec20.response_spans)
    assert rec20.response_text == "not started"  # the force's answer is its RAG rating, from the page's key
    # the force's own words stay: a dated plan in its own sentence, and what follows a quoted instruction's colon
    assert _numbered(passages, "12").response_text.startswith("By 31 March 2025 all assessment authors")
    assert _numbered(passages, "22").response_text.startswith("the force gave each network the same budget")
    assert _numbered(passages, "9").response_text.startswith("Our social media guidance")


def test_the_inspectorates_openings_and_findings_are_data(segmenter):
    rules = io.read_package_data("segment.toml")
    assert "inspectorate_opening" in rules and "finding_opening" in rules
    assert segmenter.rules.inspectorate_opening and segmenter.rules.finding_opening and segmenter.rules.quoted_item_labels
