"""Segment stage: pinned on the four seed responses, plus the layouts they do not show."""

from __future__ import annotations

import pytest

from pipeline.segment import segment
from pipeline.types import Document, Page
from tests.conftest import FORCE_RECOMMENDATIONS


def passages_for(document, inspection, segmenter, force=None):
    return segment(document, inspection, segmenter, force)


def specific(passages, number):
    """The non-blanket passages linked to recommendation ``number``."""
    return [p for p in passages if number in p.recommendations and p.link != "blanket"]


def make_document(text: str) -> Document:
    return Document(source="inline.txt", sha256="0" * 64, media_type="text", text=text, pages=(Page(1, 0, len(text)),))


# --- Gwent: a two-column table "Recommendation | Force position" -----------------

GWENT_STARTS = {
    "9": "The force will review College of Policing updated guidance",
    "10": "The force will consult with staff networks",
    "12": "Currently, EIAs are written by the policy owner",
    "13": "The force has recently, prior to this recommendation, implemented review processes",
    "16": "The leads for hate crime are in the process of finalising",
    "17": "The force has a hate crime application",
    "18": "The new Hate Crime Policy will include process maps",
    "20": "This will be captured in new Hate Crime Policy",
    "22": "All of the force networks have an equal annual budget",
}


@pytest.fixture(scope="module")
def gwent(seed_documents, inspection, segmenter):
    return passages_for(seed_documents["Gwent"], inspection, segmenter)


@pytest.mark.parametrize("number", FORCE_RECOMMENDATIONS)
def test_gwent_each_recommendation_gets_its_table_row(gwent, inspection, number):
    [passage] = specific(gwent, number)
    assert passage.link == "numbered"
    assert passage.recommendations == (number,)
    assert passage.response_text.startswith(GWENT_STARTS[number])
    # only the force's words are classified: no quoted wording, no column headers
    wording = inspection.recommendation(number).text
    assert wording[:60] not in passage.response_text
    assert "Force position" not in passage.response_text
    assert f"Recommendation {number}" not in passage.response_text


def test_gwent_row_split_by_a_page_break_is_one_answer(gwent):
    [passage] = specific(gwent, "22")
    assert "hold network days. Staff networks leads have monthly meetings" in passage.response_text
    assert "By 31 March 2025" not in passage.response_text
    assert passage.response_text.endswith("mental wellbeing and confidence-building.")


def test_gwent_welsh_paragraph_gives_no_passage(gwent, seed_documents):
    text = seed_documents["Gwent"].text
    welsh_at = text.index("Rydym yn croesawu gohebiaeth")
    assert not any(p.start <= welsh_at < p.end for p in gwent)


# --- Suffolk: one heading per recommendation ---------------------------------------

@pytest.fixture(scope="module")
def suffolk(seed_documents, inspection, segmenter):
    return passages_for(seed_documents["Suffolk"], inspection, segmenter)


@pytest.mark.parametrize("number, start, end", [
    ("9", "Suffolk Constabulary's Corporate Communications Team has a strong", "updating and amended as appropriate."),
    ("10", "This recommendation is covered by the Uniform Standards Policy", "Inclusivity (ED&I) Strategy."),
    ("12", "Suffolk Constabulary has recently updated its Equality Impact Assessments", "will be scheduled depending on responses."),
    ("13", "Suffolk and Norfolk's Central Policy Unit (CPU) maintain", "to enable easy access for users."),
    ("16", "The Suffolk Constabulary Hate Crime policy was updated in October 2023", "to each CCR team during training days."),
    ("17", "CCR recording allows for tags to be recorded", "and to monitor compliance."),
    ("18", "In October 2024, a Standard Operating Procedure (SOP) was published", "and to drive improvements."),
    ("20", "Suffolk Constabulary's refreshed Hate Crime policy", "the CoP's APP regarding hate crime."),
    ("22", "The Suffolk Police Executive team have regular contact", "will be updated in line with this."),
])
def test_suffolk_each_heading_gets_its_answer(suffolk, number, start, end):
    [passage] = specific(suffolk, number)
    assert passage.link == "numbered"
    assert passage.response_text.startswith(start)
    assert passage.response_text.endswith(end)
    assert "By 31 March 2025" not in passage.response_text


# --- Cleveland: a report summary restating all 22, then one blanket paragraph --------

@pytest.fixture(scope="module")
def cleveland(seed_documents, inspection, segmenter):
    return passages_for(seed_documents["Cleveland"], inspection, segmenter)


def test_cleveland_restated_recommendations_are_not_answers(cleveland):
    assert [p for p in cleveland if p.link != "blanket"] == []


def test_cleveland_blanket_paragraph_covers_every_force_recommendation(cleveland):
    blanket = " ".join(p.response_text for p in cleveland if p.link == "blanket")
    assert "All actions will be progressed over the coming months" in blanket
    assert all(set(FORCE_RECOMMENDATIONS) <= set(p.recommendations) for p in cleveland)


# --- Staffordshire: a list of recommendations, then unnumbered prose ------------------

@pytest.fixture(scope="module")
def staffordshire(seed_documents, inspection, segmenter):
    return passages_for(seed_documents["Staffordshire"], inspection, segmenter)


@pytest.mark.parametrize("number", ["17", "18"])
def test_staffordshire_hate_incident_prose_is_linked_by_content(staffordshire, number):
    [passage] = specific(staffordshire, number)
    assert passage.link == "content"
    assert passage.response_text.startswith("The force has a robust process in place for recording hate related incidents.")
    assert "All incidents classified as a NCHI are reviewed" in passage.response_text
    assert passage.response_text.endswith("All hate crimes are discussed / reviewed on Local Policing Team's during daily management processes.")


@pytest.mark.parametrize("number", ["9", "10", "12", "13", "16", "20", "22"])
def test_staffordshire_restated_list_and_general_prose_answer_nothing_else(staffordshire, number):
    assert specific(staffordshire, number) == []


def test_staffordshire_blanket_statements_are_found(staffordshire):
    blanket = [p.response_text for p in staffordshire if p.link == "blanket"]
    assert any(t.startswith("A number of the recommendations set out in this report have already been delivered") for t in blanket)
    assert any(t.startswith("Progress on the recommendations will be monitored") for t in blanket)


# --- layouts the seeds do not show ---------------------------------------------------

def test_prose_citing_several_numbers_answers_each(inspection, segmenter):
    text = ("Response to the inspection\n\n"
            "In response to recommendation 10 and 22, the force has published a new dress code and a funding panel now meets quarterly.\n\n"
            "Recommendations 16 to 18 are being taken forward by the hate crime lead, who is rewriting the policy.\n")
    passages = passages_for(make_document(text), inspection, segmenter)
    # a citation inside a sentence is a mention; one opening the paragraph labels a block
    assert [(p.recommendations, p.link) for p in passages] == [(("10", "22"), "mention"), (("16", "17", "18"), "numbered")]
    assert passages[1].response_text.startswith("are being taken forward by the hate crime lead")


def test_citing_most_recommendations_at_once_is_blanket(inspection, segmenter):
    text = "Recommendations 9, 10, 12, 13 and 16 will be monitored by the force's governance board.\n"
    [passage] = passages_for(make_document(text), inspection, segmenter)
    assert passage.link == "blanket"


def test_heading_with_quoted_recommendation_only_is_a_restatement(inspection, segmenter):
    wording = inspection.recommendation("17").text
    text = f"Recommendation 17\n\n{wording}\n\nRecommendation 18\n\n{inspection.recommendation('18').text}\n\nThe team has built a review process.\n"
    passages = passages_for(make_document(text), inspection, segmenter)
    assert specific(passages, "17") == []
    [answer] = specific(passages, "18")
    assert answer.response_text == "The team has built a review process."


@pytest.mark.parametrize("name", ["Gwent", "Cleveland", "Suffolk", "Staffordshire"])
def test_offsets_slice_out_the_passage(seed_documents, inspection, segmenter, name):
    document = seed_documents[name]
    passages = passages_for(document, inspection, segmenter)
    assert passages, name
    for p in passages:
        assert p.text == document.text[p.start:p.end]
        assert p.sha256 == document.sha256 and p.page == 1
        assert all(p.start <= s < e <= p.end for s, e in p.response_spans)
    assert [p.start for p in passages] == sorted(p.start for p in passages)
