"""Segment: the inspectorate's quoted wording of an item is never the force's answer (``[quotes]`` in segment.toml).

Fixtures in ``tests/data/quotes/`` (see its README.md): real excerpts and one page written for a review. Each test
segments a response to an inspection no register holds (no wording to align, so the quote is found by its cues)
and pins which lines the answer's words come from, by offset.
"""

from __future__ import annotations

from pipeline import io
from pipeline.ingest import ingest
from pipeline.segment import segment
from pipeline.segment.lines import split_lines
from pipeline.types import Inspection
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
