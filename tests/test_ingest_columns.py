"""Ingest: prose set in columns is read one column after the other; only a real table gives rows.

Newcomer report s8, item 1: a two-column PDF (items in each column, drawn with reportlab frames as a leaflet or a
newsletter sets them) was read as a borderless table, its left and right boxes paired into rows, so answers landed
under the wrong items. Every page here is drawn for the test with reportlab; the answers are invented.
"""

from __future__ import annotations

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    PageTemplate,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pipeline import io
from pipeline.ingest import ingest

STYLES = getSampleStyleSheet()
WIDTH, HEIGHT = A4

# items of different lengths in each column, so the boxes of the two columns are staggered, as prose columns are
LEFT = [("9", "The force updated its social media and communications policy in November 2024 and it has been "
              "published to all staff."),
        ("10", "A new policy on visible representations is being drafted and is out for consultation with staff "
               "associations."),
        ("12", "Equality impact assessment training will be rolled out to all assessors from April 2025.")]
RIGHT = [("16", "The non-crime hate incident policy was rewritten and put in place in October 2024."),
         ("17", "No work has started on changing our recording processes yet."),
         ("18", "A weekly hate incident review meeting has been in place since 2023 and continues.")]
SAME = "The force has done what the report asked and the change is now in place across every team."


def _para(text: str, style: str = "BodyText") -> Paragraph:
    return Paragraph(text, STYLES[style])


def _columns_pdf(path, columns: list[list[tuple[str, str]]]) -> str:
    """A page with a heading across it, then ``columns`` of "Recommendation N" and its answer, one frame each."""
    document = BaseDocTemplate(str(path), pagesize=A4)
    gutter = 20
    width = (WIDTH - 80 - gutter * (len(columns) - 1)) / len(columns)
    frames = [Frame(40, HEIGHT - 200, WIDTH - 80, 150, id="top")]
    frames += [Frame(40 + i * (width + gutter), 60, width, HEIGHT - 270, id=f"column{i}") for i in range(len(columns))]
    document.addPageTemplates([PageTemplate(frames=frames)])
    story = [_para("Response of the Police and Crime Commissioner", "Title"), _para("Date: 3 December 2024"),
             FrameBreak()]
    for column in columns:
        for number, answer in column:
            story += [_para(f"<b>Recommendation {number}</b>")] if number else []
            story += [_para(answer), Spacer(1, 6)]
        story.append(FrameBreak())
    document.build(story)
    return ingest(io.read_source(path)).text


def _expected(columns: list[list[tuple[str, str]]]) -> list[str]:
    return [line for column in columns for number, answer in column
            for line in ((f"Recommendation {number}", answer) if number else (answer,))]


def _body(text: str) -> list[str]:
    """The paragraphs after the heading and the date."""
    paragraphs = text.split("\n\n")
    return paragraphs[paragraphs.index("Date: 3 December 2024") + 1:]


def test_two_columns_of_prose_are_read_left_column_then_right(tmp_path):
    text = _columns_pdf(tmp_path / "two-columns.pdf", [LEFT, RIGHT])
    assert " | " not in text  # no row pairs a left box with a right one
    assert _body(text) == _expected([LEFT, RIGHT])  # each answer right under its own label, in reading order


def test_columns_whose_items_line_up_are_still_columns(tmp_path):
    """Two columns of items of one length sit level, as a table's rows do; one row never opens two items."""
    columns = [[("1", SAME), ("2", SAME)], [("3", SAME), ("4", SAME)]]
    text = _columns_pdf(tmp_path / "level.pdf", columns)
    assert _body(text) == _expected(columns)


def test_three_columns_are_read_in_turn(tmp_path):
    columns = [LEFT[:2], RIGHT[:2], [LEFT[2], RIGHT[2]]]
    assert _body(_columns_pdf(tmp_path / "three.pdf", columns)) == _expected(columns)


ROWS = [("9", "We updated our social media policy in October 2024 to reflect the College's advice and published it "
              "to all staff.", "Complete"),
        ("10", "Our dress and appearance policy is being reviewed.", "Ongoing"),
        ("12", "We will train every member of staff who completes equality impact assessments during 2025, starting "
               "with the senior team in the spring.", "Planned")]


@pytest.mark.parametrize("valign", ["TOP", "MIDDLE", "BOTTOM"])
def test_a_table_without_rulings_keeps_its_rows(tmp_path, valign):
    """Cells level on one edge on every row, the same columns on each: a borderless table, one line a row."""
    path = tmp_path / "borderless.pdf"
    cells = [["No.", "Force response", "Status"]] + [[n, _para(answer), status] for n, answer, status in ROWS]
    table = Table(cells, colWidths=[60, 320, 80])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), valign)]))
    SimpleDocTemplate(str(path), pagesize=A4).build([_para("Our response"), table])
    rows = [line for line in ingest(io.read_source(path)).text.split("\n") if " | " in line]
    assert rows == ["No. | Force response | Status"] + [" | ".join(row) for row in ROWS]


def test_one_paragraph_in_each_of_two_columns_is_not_a_row(tmp_path):
    """One level pair of boxes of several lines is no grid of rows (a table has several): the columns are read in turn."""
    columns = [[("", LEFT[0][1] + " " + LEFT[1][1])], [("", RIGHT[0][1])]]
    assert _body(_columns_pdf(tmp_path / "pair.pdf", columns)) == _expected(columns)


def test_each_item_of_a_two_column_page_gets_its_own_answer(tmp_path, inspection, segmenter):
    """What the scorecard sees: every numbered passage holds the answer printed under its own label."""
    from pipeline.segment import segment

    path = tmp_path / "two-columns.pdf"
    _columns_pdf(path, [LEFT, RIGHT])
    passages = segment(ingest(io.read_source(path)), inspection, segmenter)
    answers = {p.recommendations: p.response_text for p in passages if p.link == "numbered"}
    assert answers == {(number,): answer for number, answer in LEFT + RIGHT}
