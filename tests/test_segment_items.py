"""Segment: item labels cut where the response cuts its items, and a quoted finding ends where the answer starts.

Newcomer report s7, items 2, 3, 4 and 6. Every text below is written for these tests (no real text; the answers are
invented), as a plain text, a web page or a Word document built here:

* an inline label over the inspectorate's words ("What HMICFRS found: ...") quotes its line or cell only up to the
  first sentence in the force's voice ("We have updated ...", "Surrey Police will publish ...");
* each number of a numbered list under a plural kind heading ("Causes of concern", "1. ...", "2. ...") is an item
  of that kind;
* a lettered sub-item ("AFI 4a", "AFI 4(b)", "Recommendation 2a") answers its parent item (AFI 4, recommendation
  2), never the item before it (corpus/annotation-guidelines.md, case 32);
* a table's header row ("Ref | Force update") is no item and no part of an answer.
"""

from __future__ import annotations

import pytest
from docx import Document as WordDocument

from pipeline import io
from pipeline.ingest import ingest
from pipeline.segment import segment
from pipeline.types import Document, Inspection, Page
from tests.docx_fixtures import add_numbering, number_paragraph

UNREGISTERED = Inspection(id="peel-2023-25-wiltshire-police", title="PEEL 2023-25 inspection of Wiltshire Police",
                          published=None, aliases=(), recommendations=(), registered=False)


def _document(text: str) -> Document:
    return Document(source="inline.txt", sha256="0" * 64, media_type="text", text=text, pages=(Page(1, 0, len(text)),))


def _items(passages) -> dict[tuple[str, tuple[str, ...]], list[str]]:
    """The answers of the numbered passages, by item kind and numbers."""
    out: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for p in passages:
        if p.link == "numbered":
            out.setdefault((p.item_kind, p.recommendations), []).append(p.response_text)
    return out


def _force(forces, name):
    return next(f for f in forces if f.name == name)


# --- item 2: a finding under an inline label, then the force's answer on the same line or paragraph ---------------

FINDING_THEN_ANSWER = [
    ("Recommendation 9",
     "What HMICFRS found: The inspectorate found that policies on communication were out of date. We have updated "
     "our social media policy and published it to all staff in October."),
    ("Recommendation 10",
     "What HMICFRS found: direction on visible representations was unclear. Surrey Police will publish a new dress "
     "code policy in the spring."),
    ("Recommendation 12",
     "What the inspectorate found: We found that impact assessments were rarely done. Inspectors said the training "
     "was patchy."),
]
ANSWERS = {
    "9": "We have updated our social media policy and published it to all staff in October.",
    "10": "Surrey Police will publish a new dress code policy in the spring.",
}


def _check_finding_then_answer(passages) -> None:
    items = _items(passages)
    for number, answer in ANSWERS.items():
        assert items.get(("recommendation", (number,))) == [answer], items
    # the inspectorate's own first person ("We found that ...") stays its words: no answer to recommendation 12
    assert ("recommendation", ("12",)) not in items
    assert not any("found" in p.response_text for p in passages)


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "unregistered"])
def test_an_inline_findings_label_quotes_only_up_to_the_forces_own_sentence(segmenter, inspection, forces, registered):
    text = "\n\n".join(["PCC response to the activism and impartiality inspection",
                        *(part for pair in FINDING_THEN_ANSWER for part in pair)])
    answering = inspection if registered else UNREGISTERED
    _check_finding_then_answer(segment(_document(text), answering, segmenter, _force(forces, "Surrey Police")))


def test_an_inline_findings_label_on_a_web_page_keeps_the_answer_in_its_paragraph(tmp_path, segmenter, inspection,
                                                                                  forces):
    """The newcomer's page: each item's finding and answer in one <p> under the item's <h2>; no force given."""
    body = "".join(f"<h2>{label}</h2><p>{paragraph}</p>" for label, paragraph in FINDING_THEN_ANSWER)
    page = tmp_path / "surrey-pcc-activism.html"
    page.write_text("<!DOCTYPE html><html><head><title>HMICFRS activism report | Surrey PCC</title></head><body>"
                    f"<main><h1>PCC response: activism and impartiality</h1>{body}</main></body></html>",
                    encoding="utf-8")
    document = ingest(io.read_source(page))
    _check_finding_then_answer(segment(document, inspection, segmenter))


def test_a_findings_heading_quotes_its_lines_up_to_the_forces_own_line(segmenter, inspection, forces):
    """The heading form: no answer heading, the force's answer on the line after the finding."""
    text = "\n\n".join([
        "Recommendation 13", "What HMICFRS found",
        "The inspectorate found that the force had not reviewed its policy on political activity.",
        "The PCC has asked the force to finish that review by March, and it has started.",
        "Recommendation 16", "What the inspectorate found",
        "Networks were funded differently.", "We found that few forces had a policy on network funding.",
    ])
    items = _items(segment(_document(text), inspection, segmenter, _force(forces, "Surrey Police")))
    assert items[("recommendation", ("13",))] == ["The PCC has asked the force to finish that review by March, and it "
                                                   "has started."]
    assert ("recommendation", ("16",)) not in items  # all the inspectorate's words


# --- item 3: a numbered list under a plural kind heading -----------------------------------------------------------

LISTED = [
    ("Causes of concern", None),
    ("The force has completed its review of crime data integrity and the new audit team started work in January.", 1),
    ("A new demand model is being rolled out across the control room and will finish in June.", 2),
    ("Areas for improvement", None),
    ("We have not started this work yet; it is scheduled to begin in the next financial year.", 1),
    ("Training for all supervisors was delivered in November and the action is closed.", 2),
]
LISTED_ITEMS = {
    ("cause_of_concern", ("1",)): [LISTED[1][0]], ("cause_of_concern", ("2",)): [LISTED[2][0]],
    ("area_for_improvement", ("1",)): [LISTED[4][0]], ("area_for_improvement", ("2",)): [LISTED[5][0]],
}


@pytest.mark.parametrize("marker", ["{}.", "{})", "({})"])
def test_each_number_of_a_list_under_a_plural_heading_is_an_item_of_its_kind(segmenter, marker):
    lines = ["Response to the PEEL 2023-25 inspection of Wiltshire Police"]
    for text, number in LISTED:
        lines.append(text if number is None else f"{marker.format(number)} {text}")
    items = _items(segment(_document("\n\n".join(lines)), UNREGISTERED, segmenter))
    assert items == LISTED_ITEMS


def test_word_list_numbering_under_a_plural_heading_gives_one_item_a_number(tmp_path, segmenter):
    """The numbers are Word's own ("List Number" style numbering), not typed in the paragraphs."""
    word = WordDocument()
    word.add_paragraph("Response to the PEEL 2023-25 inspection of Wiltshire Police")
    for text, number in LISTED:
        if number is None:
            word.add_heading(text, level=2)
            num_id = add_numbering(word, [("decimal", "%1.")])
        else:
            number_paragraph(word.add_paragraph(text), num_id)
    path = tmp_path / "wiltshire-peel-response.docx"
    word.save(path)
    document = ingest(io.read_source(path))
    assert _items(segment(document, UNREGISTERED, segmenter)) == LISTED_ITEMS


def test_a_list_item_with_its_own_label_and_a_heading_after_the_list(segmenter):
    """"1. AFI 4: ..." is AFI 4, not AFI 1; a heading ends the list, so a later "3." is a letter's paragraph."""
    text = "\n\n".join([
        "Areas for improvement",
        "1. AFI 4: The custody review is complete and its report was published in May.",
        "2. AFI 6: The new triage desk opens in August.",
        "Causes of concern",
        "1. The audit team has been in place since January.",
        "Closing remarks",
        "3. I will report progress to the panel in the autumn.",
    ])
    items = _items(segment(_document(text), UNREGISTERED, segmenter))
    assert set(items) == {("area_for_improvement", ("4",)), ("area_for_improvement", ("6",)),
                          ("cause_of_concern", ("1",))}
    assert items[("area_for_improvement", ("4",))] == [
        "The custody review is complete and its report was published in May."]


def test_a_plural_heading_over_prose_stays_as_it_was(segmenter):
    """With no numbered list under it, "Areas for improvement" opens an item in document order (``unnumbered``)."""
    text = "\n\n".join(["Areas for improvement", "We have trained every supervisor in the new file standards."])
    items = _items(segment(_document(text), UNREGISTERED, segmenter))
    assert items == {("area_for_improvement", ("1",)): ["We have trained every supervisor in the new file standards."]}


# --- item 4: lettered sub-items answer their parent ----------------------------------------------------------------

SUB_ITEMS = [
    ("AFI 3", "Training for all supervisors was delivered in November and the action is closed."),
    ("AFI 4a", "The custody review is under way and will report in May."),
    ("AFI 4(b)", "No action has been taken on the second part of this area."),
    ("Recommendation 2a", "The force will publish its new vetting policy in July."),
]


@pytest.mark.parametrize("layout", ["lines", "table"])
def test_a_lettered_sub_item_answers_its_parent_never_the_item_before(segmenter, layout):
    if layout == "lines":
        body = [f"{label}: {answer}" for label, answer in SUB_ITEMS]
    else:
        body = ["Item | Force update", *(f"{label} | {answer}" for label, answer in SUB_ITEMS)]
    text = "\n".join(["Response to the PEEL 2023-25 inspection of Wiltshire Police", "", *body])
    items = _items(segment(_document(text), UNREGISTERED, segmenter))
    assert items == {
        ("area_for_improvement", ("3",)): [SUB_ITEMS[0][1]],
        # one answer to AFI 4, its parts joined, their labels left out
        ("area_for_improvement", ("4",)): [f"{SUB_ITEMS[1][1]} {SUB_ITEMS[2][1]}"],
        ("recommendation", ("2",)): [SUB_ITEMS[3][1]],
    }


def test_a_sub_item_after_its_parent_joins_the_parents_answer(segmenter, inspection):
    """Registered too: "Recommendation 9" then "Recommendation 9a" is one answer to recommendation 9."""
    text = "\n\n".join([
        "Recommendation 9", "Our social media guidance was reissued to every officer in May.",
        "Recommendation 9a", "The guidance on personal accounts is still being drafted.",
        "Recommendation 10", "A dress code policy will be published in the spring.",
    ])
    items = _items(segment(_document(text), inspection, segmenter))
    assert items[("recommendation", ("9",))] == [
        "Our social media guidance was reissued to every officer in May. The guidance on personal accounts is still "
        "being drafted."]
    assert items[("recommendation", ("10",))] == ["A dress code policy will be published in the spring."]


# --- item 6: a table's header row is no item -------------------------------------------------------------------------

def test_a_header_row_is_no_item_and_no_answer(segmenter, inspection):
    text = "\n".join([
        "Response to the PEEL 2023-25 inspection of Wiltshire Police", "", "Areas for improvement", "",
        "Ref | Force update",
        "AFI1 | We have not started this work yet.",
        "AFI 2 | Training was delivered in November.",
    ])
    passages = segment(_document(text), UNREGISTERED, segmenter)
    assert _items(passages) == {("area_for_improvement", ("1",)): ["We have not started this work yet."],
                                ("area_for_improvement", ("2",)): ["Training was delivered in November."]}
    assert not any("Ref" in p.response_text for p in passages)
    # a header row inside an item's block is no part of its answer either
    text = "\n".join([
        "Recommendation 9", "Our social media guidance was reissued to every officer.", "",
        "No. | Update", "10 | A dress code policy will be published in the spring.",
    ])
    items = _items(segment(_document(text), inspection, segmenter))
    assert items[("recommendation", ("9",))] == ["Our social media guidance was reissued to every officer."]


# --- the quoted item's own further words, which the lettered sub-item above brought into its block ----------------

def test_an_item_addressed_to_several_bodies_is_quoted_with_its_next_paragraph_and_list(segmenter):
    """A super-complaint's recommendation ("PCCs, ... should ..."), its "For PCCs, this should include:" and its list
    are the inspectorate's; the force's own bullet after a blank line is the answer."""
    answer = "Every referral is now reviewed by our victim services team, and the review of local services ended in May."
    text = "\n\n".join([
        "Recommendation 3a",
        "PCCs, chief constables and the Home Office should make sure support services meet the needs of every victim.",
        "For PCCs, this should include the following:",
        "- reviewing whether local services can support these victims\n- publishing how to complain",
        f"- {answer}",
    ])
    assert _items(segment(_document(text), UNREGISTERED, segmenter)) == {("recommendation", ("3",)): [answer]}


# --- newcomer report s8, item 3: a one-cell row inside a table does not end it --------------------------------------

MERGED_ROWS = [
    ("9", "We published the new social media policy to all staff in October.", "Complete"),
    ("10", "The dress code review is under way and will end in the spring.", "Ongoing"),
    ("13", "An audit of every policy on equality law was completed in December.", "Complete"),
    ("16", "", ""),  # merged down from 13's answer and status
    ("17", "Our crime recording system was changed in January.", "Complete"),
    ("18", "The force does not accept this recommendation.", "Not accepted"),
]


def test_each_row_of_a_word_table_with_merged_cells_is_its_item(tmp_path, inspection, segmenter):
    """A full-width sub-heading row under the header and an answer cell merged down over two rows (w:vMerge)."""
    word = WordDocument()
    word.add_paragraph("Response to the inspection into activism and impartiality in policing")
    table = word.add_table(rows=2 + len(MERGED_ROWS), cols=3)
    for c, header in enumerate(("Recommendation", "Force response", "Status")):
        table.cell(0, c).text = header
    table.cell(1, 0).merge(table.cell(1, 2)).text = "Recommendations for chief constables"
    for r, cells in enumerate(MERGED_ROWS, start=2):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    shared = 2 + [number for number, *_ in MERGED_ROWS].index("13")
    table.cell(shared, 1).merge(table.cell(shared + 1, 1))
    table.cell(shared, 2).merge(table.cell(shared + 1, 2))
    path = tmp_path / "merged-cells.docx"
    word.save(str(path))
    items = _items(segment(ingest(io.read_source(path)), inspection, segmenter))
    answer = {number: f"{text} {status}" for number, text, status in MERGED_ROWS}
    answer["16"] = answer["13"]  # the merged answer is the answer of every row it spans
    assert items == {("recommendation", (number,)): [answer[number]] for number, *_ in MERGED_ROWS}


TABLE_WITH_SUB_HEADINGS = "\n".join([
    "Our response to the report.", "",
    "No. | Force response",
    "Recommendations for chief constables",
    "9 | We published the new social media policy to all staff in October.",
    "10 | The dress code review is under way and will end in the spring.",
    "Recommendations for forces and their commissioners",
    "16 | The hate incident policy was rewritten in December.",
    "17",  # a row whose answer cell is empty
    "18 | The force does not accept this recommendation.",
])


@pytest.mark.parametrize("registered", [True, False])
def test_a_sub_heading_row_or_an_empty_answer_row_does_not_end_the_table(inspection, segmenter, registered):
    """One-cell rows between rows (no blank line around them) are rows of the table: no item, no part of an answer."""
    answering = inspection if registered else UNREGISTERED
    items = _items(segment(_document(TABLE_WITH_SUB_HEADINGS), answering, segmenter))
    assert items == {
        ("recommendation", ("9",)): ["We published the new social media policy to all staff in October."],
        ("recommendation", ("10",)): ["The dress code review is under way and will end in the spring."],
        ("recommendation", ("16",)): ["The hate incident policy was rewritten in December."],
        ("recommendation", ("18",)): ["The force does not accept this recommendation."],
    }


def test_a_real_table_read_one_cell_a_line_keeps_its_next_item_out_of_the_answer(segmenter):
    """corpus/raw/responses/cleveland-g514.txt: a web page's table read one cell a line ("1 |", the item's wording,
    the force's update over several lines). Item 1's answer ends where item 3's number cell starts; before, the
    table ended at the first line of a cell, so item 3's number and wording ran on into item 1's answer."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "corpus" / "raw" / "responses" / "cleveland-g514.txt"
    document = ingest(io.read_source(path))
    # the super-complaint it answers has no register (as identify finds it with the file's sources.csv row)
    answering = Inspection(id="super-complaint-section-60", title="Super-complaint on section 60", published=None,
                           aliases=(), recommendations=(), registered=False)
    passages = segment(document, answering, segmenter)
    (first,) = [p for p in passages if p.link == "numbered" and p.recommendations == ("1",)]
    next_item = document.text.index("\n3 |")
    assert first.start < next_item and first.end <= next_item
