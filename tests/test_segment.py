"""Segment stage: pinned on the four seed responses, plus the layouts they do not show."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date as _date
from pathlib import Path

import pytest

from pipeline.segment import segment
from pipeline.types import Document, Finding, Inspection, Page, Recommendation
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
    ("12", "Suffolk Constabulary has recently updated its Equality Impact Assessments",
     "will be scheduled depending on responses."),
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
    assert passage.response_text.endswith(
        "All hate crimes are discussed / reviewed on Local Policing Team's during daily management processes.")


@pytest.mark.parametrize("number", ["9", "10", "12", "13", "16", "20", "22"])
def test_staffordshire_restated_list_and_general_prose_answer_nothing_else(staffordshire, number):
    assert specific(staffordshire, number) == []


def test_staffordshire_blanket_statements_are_found(staffordshire):
    blanket = [p.response_text for p in staffordshire if p.link == "blanket"]
    assert any(t.startswith("A number of the recommendations set out in this report have already been delivered")
               for t in blanket)
    assert any(t.startswith("Progress on the recommendations will be monitored") for t in blanket)


# --- layouts the seeds do not show ---------------------------------------------------

def test_prose_citing_several_numbers_answers_each(inspection, segmenter):
    text = ("Response to the inspection\n\n"
            "In response to recommendation 10 and 22, the force has published a new dress code "
            "and a funding panel now meets quarterly.\n\n"
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
    text = (f"Recommendation 17\n\n{wording}\n\nRecommendation 18\n\n{inspection.recommendation('18').text}\n\n"
            "The team has built a review process.\n")
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


# --- item labels in every spelling (issue 11 item 4, issue 13 item 5) ------------------------------------


def unregistered(title: str = "An inspection of something in the police service") -> Inspection:
    """The contract's unregistered inspection, as identify returns it."""
    from pipeline.identify import slug

    return Inspection(id=slug(title), title=title, published=None, aliases=(), recommendations=(), registered=False)


def peel_like() -> Inspection:
    """A small force-specific register with a cause of concern (and its recommendation) and two AFIs (written for this test)."""
    rec = Recommendation(number="1",
                         text="Within six months the force should make sure every call for help is answered promptly.",
                         addressee="forces", addressed_to="Chief Constable", deadline=None,
                         deadline_note="Within six months", cause_of_concern="1")
    return Inspection(
        id="peel-test-2025", title="PEEL 2025: An inspection of Surrey Police", published=_date(2025, 1, 10), aliases=(),
        recommendations=(rec,), force="Surrey Police",
        causes_of_concern=(Finding("cause_of_concern", "1", "The force is not answering calls for help quickly enough."),),
        areas_for_improvement=(
            Finding("area_for_improvement", "1", "The force should improve how it records crime reported by victims."),
            Finding("area_for_improvement", "2", "The force should make sure supervisors review investigations regularly."),
        ),
    )


def by_kind(passages, kind, number):
    return [p for p in passages if p.item_kind == kind and number in p.recommendations and p.link != "blanket"]


ANSWER = "We have trained every supervisor and the new process went live in May."


@pytest.mark.parametrize("label, number", [
    ("Recommendation 3", "3"), ("Rec 3", "3"), ("Rec. 3", "3"), ("Rec. No. 13", "13"), ("Recommendation No. 13", "13"),
    ("R3:", "3"), ("Recommendation Thirteen", "13"), ("Recommendation IV", "4"), ("Recommendation 3 -", "3"),
    ("R 3:", "3"), ("Recommendation xiii", "13"), ("Recommendation xiii:", "13"),  # fault-kind inputs 09a, 09b
])
def test_recommendation_labels_in_every_spelling_open_a_block(segmenter, label, number):
    text = f"Our response\n\n{label}\n{ANSWER}\n\nRecommendation 20\nThe board meets monthly to check progress on it.\n"
    passages = segment(make_document(text), unregistered(), segmenter)
    [passage] = by_kind(passages, "recommendation", number)
    assert passage.link == "numbered"
    assert passage.response_text == ANSWER


@pytest.mark.parametrize("label, kind, number", [
    ("AFI 2", "area_for_improvement", "2"), ("Area for improvement 2", "area_for_improvement", "2"),
    ("Area for Improvement 2:", "area_for_improvement", "2"), ("Cause of concern 1", "cause_of_concern", "1"),
])
def test_afi_and_cause_of_concern_labels_carry_their_kind(segmenter, label, kind, number):
    text = f"{label}\n{ANSWER}\n"
    [passage] = by_kind(segment(make_document(text), unregistered(), segmenter), kind, number)
    assert passage.response_text == ANSWER


def test_the_same_number_of_two_kinds_is_two_items(segmenter):
    text = f"AFI 1\n{ANSWER}\n\nRecommendation 1\nThe policy was published in June.\n"
    passages = segment(make_document(text), unregistered(), segmenter)
    assert [(p.item_kind, p.recommendations) for p in passages] == [
        ("area_for_improvement", ("1",)), ("recommendation", ("1",))]


def test_unnumbered_area_for_improvement_headings_are_numbered_in_document_order(segmenter):
    text = ("Area for improvement\nThe force should improve how it records crime.\nWe have retrained all call handlers.\n\n"
            "Area for improvement\nThe force should review its custody records.\nAn audit of custody records is under way.\n")
    passages = [p for p in segment(make_document(text), unregistered(), segmenter) if p.link != "blanket"]
    assert [(p.item_kind, p.recommendations, p.response_text) for p in passages] == [
        ("area_for_improvement", ("1",), "We have retrained all call handlers."),
        ("area_for_improvement", ("2",), "An audit of custody records is under way."),
    ]


def test_table_no_column_of_bare_numbers(segmenter):
    text = ("No. | Recommendation | Update\n"
            "1 | The force should review its vetting. | The review finished in March and its actions are complete.\n"
            "2 | The force should train supervisors. | Training is under way for every supervisor.\n")
    passages = segment(make_document(text), unregistered(), segmenter)
    got = {p.recommendations: p.response_text for p in passages if p.link == "numbered"}
    assert got == {("1",): "The review finished in March and its actions are complete.",
                   ("2",): "Training is under way for every supervisor."}


def test_full_stops_in_abbreviations_cut_no_label_and_no_block(segmenter, inspection):
    text = ("Rec. No. 13\nApprox. 60 policies were checked by the Ch. Supt. in Nov. 2024, e.g. the dress code "
            "(Policy No. 5); the rest are under way.\n\nRecommendation No. 22\nThe Asst. Chief Officer will review "
            "funding in Jan. 2025.\n")
    passages = segment(make_document(text), inspection, segmenter)
    [p13] = specific(passages, "13")
    [p22] = specific(passages, "22")
    assert p13.response_text.startswith("Approx. 60 policies") and p13.response_text.endswith("the rest are under way.")
    assert p22.response_text == "The Asst. Chief Officer will review funding in Jan. 2025."


def test_an_answer_cell_restating_the_recommendation_keeps_only_the_answer(segmenter, inspection):
    """Fault-kind input 12b: the label cell quotes recommendation 10, the answer cell opens with its words again."""
    quote = ("By 31 March 2025, chief constables should give clear direction to their workforce about wearing and "
             "displaying visible representations.")
    restated = "Chief constables should give clear direction to their workforce about wearing and displaying visible " \
               "representations: "
    answer = "The Chief Constable issued a new policy in October and supervisors check it."
    voiced = "We give clear direction to our workforce about wearing and displaying visible representations in it."
    text = (f"Recommendation | Force response\nRecommendation 10: {quote} | {restated}{answer}\n"
            f"Recommendation 13: An audit is under way. | {voiced}\n")
    passages = segment(make_document(text), inspection, segmenter)
    assert specific(passages, "10")[0].response_text == answer
    assert specific(passages, "13")[0].response_text.endswith(voiced)


def test_a_line_opening_with_an_item_the_register_lacks_ends_the_block(segmenter, inspection):
    """Fault-kind input 09a: another report's "AFI 3" (the register has no AFIs) is no part of R22's answer."""
    answer = "We will review how funding is allocated to our staff networks during 2025."
    text = (f"Recommendation 22\n{answer}\n\nAFI 3 of our last PEEL report, on answering calls, is reported "
            "to the panel separately.\n\nRecommendation 10\nThe new policy was issued in October.\n"
            "Recommendation 40 of another report has been completed too.\n")
    passages = segment(make_document(text), inspection, segmenter)
    assert specific(passages, "22")[0].response_text == answer
    assert specific(passages, "10")[0].response_text == "The new policy was issued in October."


def test_a_capital_roman_numeral_and_full_stop_heads_a_known_recommendation(segmenter, inspection):
    """Fault-kind input 09b: "XIII. Equality Act policies" labels recommendation 13; "12. ..." (digits, a letter's
    paragraph number) labels nothing."""
    text = (f"Our response\n\nXIII. Equality Act policies\n{ANSWER}\n\nX. Visible representations\n"
            "The board meets monthly to check progress on it.\n\n12. We wrote to the panel.\n")
    passages = segment(make_document(text), inspection, segmenter)
    [p13] = specific(passages, "13")
    [p10] = specific(passages, "10")
    assert p13.response_text.endswith(ANSWER) and p13.link == "numbered" and p10.link == "numbered"
    assert not specific(passages, "12")


def test_quoted_item_is_removed_by_its_cues_for_an_unregistered_inspection(segmenter):
    text = ("Recommendation 4\nBy 31 March 2025, chief constables should review how they record hate incidents. "
            "We completed the review in February and changed our recording policy.\n\n"
            "Recommendation 5\n“The force should publish its stop and search data every month.” "
            "The data has been published monthly since April.\n")
    passages = segment(make_document(text), unregistered(), segmenter)
    assert by_kind(passages, "recommendation", "4")[0].response_text == (
        "We completed the review in February and changed our recording policy.")
    assert by_kind(passages, "recommendation", "5")[0].response_text == "The data has been published monthly since April."


def test_a_quoted_item_on_its_labels_line_is_removed_too(segmenter):
    """"Recommendation 1: By <date>, chief constables should ..." on one line: the cue follows the label."""
    text = ("Recommendation 1: By 30 September 2021, chief constables should make sure their forces follow the "
            "national guidance on fraud calls.\n\nSurrey position:\n\n- Training on the guidance is given to every "
            "response officer.\n")
    passages = segment(make_document(text), unregistered(), segmenter)
    answer = by_kind(passages, "recommendation", "1")[0].response_text
    assert "should" not in answer and answer.endswith("Training on the guidance is given to every response officer.")


def test_an_answer_in_the_items_own_words_is_kept(segmenter, inspection):
    """An answer phrased in the recommendation's wording, in the force's voice, is no quote (registered and not)."""
    wording = inspection.recommendation("9").text
    core = wording.split(",", 1)[1].strip().rstrip(".") if "," in wording else wording.rstrip(".")
    answer = f"We have made sure that {core[0].lower() + core[1:]}."
    text = f"Recommendation 9\n{answer}\n"
    for insp in (inspection, unregistered()):
        [passage] = specific(segment(make_document(text), insp, segmenter), "9")
        assert passage.response_text == answer
    # the same words quoted (not in the force's voice) are still removed from a registered answer
    quoted = f"Recommendation 9\n{wording}\nThe force has published its new guidance.\n"
    [passage] = specific(segment(make_document(quoted), inspection, segmenter), "9")
    assert passage.response_text == "The force has published its new guidance."


def test_registered_inspection_with_causes_of_concern_and_afis(segmenter):
    register = peel_like()
    text = ("Cause of concern 1\nThe force is not answering calls for help quickly enough.\n"
            "Recommendation 1\nWithin six months the force should make sure every call for help is answered promptly.\n"
            "We have recruited forty call handlers and answer times have halved.\n\n"
            "AFI 2\nThe force should make sure supervisors review investigations regularly.\n"
            "Supervisors now review every open investigation each month.\n")
    passages = [p for p in segment(make_document(text), register, segmenter) if p.link != "blanket"]
    # the cause's own recommendation is one item with it (shared corpus README, D7)
    assert [(p.item_kind, p.recommendations) for p in passages] == [
        ("cause_of_concern", ("1",)), ("area_for_improvement", ("2",))]
    assert passages[0].response_text == "We have recruited forty call handlers and answer times have halved."
    assert passages[1].response_text == "Supervisors now review every open investigation each month."


def test_unregistered_report_paragraph_is_a_blanket_passage_listing_no_numbers(segmenter):
    text = ("Commissioner responds to inspection\n"
            "I welcome the report and the force has already started work on the areas for improvement it sets out.\n"
            "We use cookies to make the site work.\n")
    [passage] = segment(make_document(text), unregistered(), segmenter)
    assert passage.link == "blanket" and passage.recommendations == ()
    assert passage.item_kind == "area_for_improvement"
    assert "cookies" not in passage.response_text


# --- bug inputs through the real flow (issue 13 item 5) --------------------------------------------------
# tests/data/bug-inputs/16-abbreviations and 18-short-spelled-roman-labels are copied unchanged from the
# project's shared bug inputs (shared/bug-inputs/, README there): the input file and its expected.json.

BUG_INPUTS = Path(__file__).resolve().parent / "data" / "bug-inputs"


@pytest.mark.parametrize("name", ["16-abbreviations", "18-short-spelled-roman-labels"])
def test_bug_input_scores_its_expected_statuses(tmp_path, name):
    import pandas as pd

    from pipeline.cli import main

    folder = BUG_INPUTS / name
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(folder / expected["fixture"], inputs / expected["fixture"])
    code = main(["score", str(inputs), "--out", str(tmp_path / "out"), "--no-cache", "--quiet"])
    assert code == expected["exit_code"]
    card = pd.read_csv(tmp_path / "out" / "scorecard.csv", dtype=str)
    assert set(card["force"]) == {expected["force"]} and set(card["inspection"]) == {expected["inspection"]}
    assert dict(zip(card["recommendation"], card["status"])) == expected["recommendations"]


# --- real responses (corpus/raw/responses, from the shared corpus; none from a reserved force) -----------------

RESPONSES = Path(__file__).resolve().parents[1] / "corpus" / "raw" / "responses"
REAL_LABELS = Path(__file__).resolve().parents[1] / "corpus" / "annotations" / "real.jsonl"


def test_coverage_of_real_responses(capsys):
    """Issue 11's figure: labelled real responses yielding a passage of the right force, without and with the URL hint.

    Floors just under the figures of the shipped rules on the 316 documents (README, "Coverage on real
    responses"): 298 (94.3%) of the documents without the hint and 311 (98.4%) with it; 354 and 372 of the 407
    labelled answers start inside a passage of the right force (87.0%, 91.4%). Batch 07's one miss is an honest
    one: an audit-committee paper that names no force.
    """
    import re

    from pipeline.cli import main

    assert main(["coverage", str(RESPONSES), "--labels", str(REAL_LABELS)]) == 0
    out = capsys.readouterr().out
    shares = [float(line.split()[-1].rstrip("%")) for line in out.splitlines() if line.strip().startswith("all ")]
    without_hint, with_hint = shares
    assert without_hint >= 94.2 and with_hint >= 98.3 and with_hint >= without_hint
    # and most labelled answers start inside a passage (every one is found in its text)
    answers = re.findall(r"answers starting inside a passage of the right force: (\d+) of (\d+)", out)
    assert len(answers) == 2 and all(int(n) >= 380 for _, n in answers)
    (without_found, _), (with_found, _) = answers
    assert int(without_found) >= 351 and int(with_found) >= 369
    assert "Traceback" not in out
    assert ", expected " not in out  # no document attributed to a wrong force: none is better than a wrong one


def _real(file: str):
    import pandas as pd

    sources = pd.read_csv(RESPONSES / "sources.csv", dtype=str, keep_default_na=False)
    row = sources[sources["file"] == file].iloc[0]
    labels = [json.loads(line) for line in REAL_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return row, [item for item in labels if item["file"] == file]


def _located(document_text: str, answer: str) -> int:
    from pipeline.coverage import locate

    return locate(document_text, answer)


@pytest.mark.parametrize("file", ["essex-a001.txt", "essex-a004.txt", "cleveland-a015.txt", "gwent-b011.txt",
                                  "surrey-c054.txt", "hertfordshire-b013.txt"])
def test_real_response_is_attributed_and_its_labelled_answer_is_a_passage(forces, inspections, nlp, segmenter, file):
    from pipeline import io
    from pipeline.identify import build_identifier, identify
    from pipeline.ingest import ingest

    row, items = _real(file)
    document = ingest(io.read_source(RESPONSES / file))
    found = identify(document, build_identifier(forces, inspections, nlp))
    assert found.force.name == row["force"]
    assert found.inspection.registered is False and found.inspection.published is None
    passages = segment(document, found.inspection, segmenter, found.force)
    assert passages and all(p.text == document.text[p.start:p.end] for p in passages)
    starts = [_located(document.text, item["text"]) for item in items]
    assert any(p.start <= s < p.end for s in starts if s >= 0 for p in passages)


def test_coverage_reports_each_failing_document_and_never_a_traceback(tmp_path, capsys):
    from pipeline.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Surrey Police and Crime Commissioner\n\nPEEL 2025: An inspection of Surrey Police\n\n"
                                     "AFI 1\nWe have retrained every call handler this spring.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "wrong.txt").write_text("Gwent Police\n\nHMICFRS inspection of custody\n\nRecommendation 2\nDone in May.\n",
                                      encoding="utf-8")
    (folder / "sources.csv").write_text("url,file,force,doc_kind\n"
                                        "https://www.surrey-pcc.gov.uk/a,good.txt,Surrey Police,pcc-letter\n"
                                        ",empty.txt,Surrey Police,web-page\n"
                                        ",wrong.txt,Surrey Police,web-page\n", encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps({"file": f, "item": "AFI 1"}) + "\n"
                              for f in ("good.txt", "empty.txt", "wrong.txt", "missing.txt")), encoding="utf-8")
    assert main(["coverage", str(folder), "--labels", str(labels)]) == 0
    out = capsys.readouterr().out
    import re

    # good.txt only; the URL hint changes nothing here (good.txt names its force)
    assert re.findall(r"^\s+all\s+(\d+) of (\d+)\s+([\d.]+)%$", out, re.MULTILINE) == [("1", "4", "25.0")] * 2
    assert "FAIL empty.txt [web-page]: E101" in out
    assert "FAIL wrong.txt [web-page]: force Gwent Police, expected Surrey Police" in out
    assert "FAIL missing.txt [unknown]: not among the inputs" in out
    # without a provenance file: one coded line, exit 2
    (folder / "sources.csv").unlink()
    assert main(["coverage", str(folder), "--labels", str(labels)]) == 2
    assert "E205" in capsys.readouterr().err


def test_abbreviations_do_not_cut_a_quoted_item_in_two(segmenter):
    text = ("Rec. No. 2\nThe force should make sure the Ch. Supt. for standards reviews Policy No. 5 cases, e.g. appeals. "
            "We completed the review in March.\n")
    [passage] = by_kind(segment(make_document(text), unregistered(), segmenter), "recommendation", "2")
    assert passage.response_text == "We completed the review in March."


def test_table_read_one_cell_a_line_with_a_no_column(segmenter):
    """A web page's table flattened to one cell a line: header cells, then number, item, answer per row (the last cut off)."""
    text = ("No. |\nRecommendation |\nForce response |\n3 |\nBy 1 May 2025, review the custody policy. |\n"
            "We reviewed it in April and published it. |\n4 |\nBy 1 June 2025, train every supervisor. |\n"
            "Training has started and half have finished")
    passages = segment(make_document(text), unregistered(), segmenter)
    assert [(p.recommendations, p.response_text) for p in passages] == [
        (("3",), "We reviewed it in April and published it."),
        (("4",), "Training has started and half have finished")]


def test_real_table_response_read_with_the_source_force(forces, inspections, nlp, segmenter):
    """cheshire-a023: a 'No.' column table read one cell a line; the text names no force, its sources.csv row does."""
    from pipeline import io
    from pipeline.identify import build_identifier, identify
    from pipeline.ingest import ingest

    row, items = _real("cheshire-a023.txt")
    document = ingest(io.read_source(RESPONSES / "cheshire-a023.txt"))
    found = identify(document, build_identifier(forces, inspections, nlp), url=row["url"], force_hint=row["force"])
    passages = segment(document, found.inspection, segmenter, found.force)
    numbered = {p.recommendations[0]: p for p in passages if p.link == "numbered"}
    for item in items:  # each labelled "Recommendation N" is the passage numbered N, holding the labelled answer
        number = item["item"].split()[-1]
        start = _located(document.text, item["text"])
        assert numbered[number].start <= start < numbered[number].end
        assert not numbered[number].response_text.startswith("By ")


def test_rag_status_table_rows_are_items_in_document_order(segmenter):
    text = ("Area | RAG status | Update\n"
            "Recording of crime reports | Green | All call handlers were retrained in March.\n"
            "Custody record audits | Amber | Audits are under way in two of three suites.\n")
    passages = segment(make_document(text), unregistered(), segmenter)
    # the RAG cell is each item's status, classified with the update beside it, which is the evidence
    assert [(p.recommendations, p.link, p.response_text, p.status) for p in passages] == [
        (("1",), "numbered", "All call handlers were retrained in March.", "Green"),
        (("2",), "numbered", "Audits are under way in two of three suites.", "Amber"),
    ]


@pytest.mark.parametrize("text, cited", [
    ("In response to this recommendation I have asked the Chief Constable to act.", ()),
    ("Recommendation I:\nWe have acted on it.", ("1",)),
    ("Recommendation XII\nWe have acted on it.", ("12",)),
    # a lower-case numeral only where it ends the label
    ("This recommendation, i.e. the third one, is done.", ()),
    ("The recommendation civil servants drafted is done.", ()),
    ("Recommendation xii\nWe have acted on it.", ("12",)),
])
def test_a_lone_capital_i_is_a_numeral_only_when_it_ends_the_label(segmenter, text, cited):
    passages = [p for p in segment(make_document(text), unregistered(), segmenter) if p.link != "blanket"]
    assert tuple(n for p in passages for n in p.recommendations) == cited


# --- a grid of short cells ends an answer's block (issue 13 item 5, bug input 11-huge-page) ---------------------

_PROSE_22 = "We will review how funding is allocated to our staff networks during 2025."


def _column(values) -> str:
    """A grid read one cell a line, as pdfminer reads a page of separate text objects."""
    return "\n".join(values) + "\n"


@pytest.mark.parametrize("grid", [
    _column(f"{n}." for n in range(2, 40)),  # a column of item numbers
    _column(["1.", "2.", "3.", "4.", "5.", "6."]),  # the smallest grid: six cells
    _column(["- 1. Yes", "2. Q3 a)", "- No", "3. • Q4", "1.", "- 11. Yes", "12. Q3", "a)"] * 5),  # numbers, bullets, Yes/No
    "✓ | ✓ | ✗ | 3\n✗ | ✓ | ✓ | 4\n✓ | ✓ | ✓ | 5\n",  # ticks and crosses, row by row
    "• | • | •\n• | • | •\n",  # bullets, two rows
    "1 | (a) | 75% | N/A\n2 | (b) | 40% | Y\n3 | (c) | 10% | N\n",  # numbers, list letters, figures
    "Red | Amber | Green\nComplete | Ongoing | Partially met\n",  # RAG words and short statuses
    "01/04/2025 | 30/06/2025 | ✔\n01/07/2025 | 30/09/2025 | ☐\n",  # dates and check boxes
], ids=["number-column", "six-cells", "bullets-yes-no", "ticks-rows", "bullet-rows", "figures", "rag-words", "dates"])
def test_a_grid_of_short_cells_ends_the_block_where_the_prose_ends(segmenter, inspection, grid):
    text = f"Recommendation 22\n{_PROSE_22}\n\n{grid}"
    passages = segment(make_document(text), inspection, segmenter)
    [passage] = specific(passages, "22")
    assert passage.response_text == _PROSE_22
    assert passage.text == f"Recommendation 22\n{_PROSE_22}"
    assert all(p.link != "blanket" for p in passages)  # the grid's lines, now free, answer nothing


def test_a_grid_between_two_answers_leaves_both(segmenter, inspection):
    text = (f"Recommendation 22\n{_PROSE_22}\n\n" + _column(f"{n}." for n in range(1, 30))
            + "\nRecommendation 13\nThe audit of every policy is under way.\n")
    passages = segment(make_document(text), inspection, segmenter)
    assert specific(passages, "22")[0].response_text == _PROSE_22
    assert specific(passages, "13")[0].response_text == "The audit of every policy is under way."


def test_a_grids_caption_goes_with_the_grid_and_is_no_blanket_passage(segmenter, inspection):
    text = (f"Recommendation 22\n{_PROSE_22}\n\nAction tracker (all actions, all departments)\n\n"
            + _column(["1.", "- Yes", "2. Q3 a)", "- No", "3. Q4"] * 4))
    passages = segment(make_document(text), inspection, segmenter)
    [passage] = specific(passages, "22")
    assert passage.response_text == _PROSE_22 and "tracker" not in passage.text
    assert [p for p in passages if p.link == "blanket"] == []


@pytest.mark.parametrize("tail, kept", [
    ("Action tracker (all actions, all departments)", False),  # its grid was fine print, left out (E122)
    ("Figure 3 - delivery timeline", False),  # a picture's title, nothing read under it
    ("Status: Complete", True),  # a status word: the answer's own
    ("Progress rated Amber", True),
])
def test_a_caption_that_ends_the_text_titles_what_was_not_read(segmenter, inspection, tail, kept):
    text = f"Recommendation 22\n{_PROSE_22}\n\n{tail}\n"
    [passage] = specific(segment(make_document(text), inspection, segmenter), "22")
    assert (tail in passage.response_text) is kept
    assert _PROSE_22 in passage.response_text


def test_a_caption_like_line_inside_the_text_stays_in_the_answer(segmenter, inspection):
    text = f"Recommendation 22\n{_PROSE_22}\n\nFunding review panel\nIt meets every quarter.\n"
    [passage] = specific(segment(make_document(text), inspection, segmenter), "22")
    assert "Funding review panel" in passage.response_text and passage.response_text.endswith("every quarter.")


def test_a_grids_header_row_goes_with_the_grid(segmenter, inspection):
    text = (f"Recommendation 22\n{_PROSE_22}\n\nQuarterly tracker\nAction | Owner | Due date | Done\n"
            "1. | A1 | 31/03/2025 | Y\n2. | B2 | 30/06/2025 | N\n")
    [passage] = specific(segment(make_document(text), inspection, segmenter), "22")
    assert passage.text == f"Recommendation 22\n{_PROSE_22}"


@pytest.mark.parametrize("answer", [
    "Funding review planned for 2025",  # the block's only words, though short and without a full stop
    "We will report progress to the board every quarter",  # in the force's voice
])
def test_a_short_answer_above_a_grid_is_no_caption(segmenter, inspection, answer):
    text = f"Recommendation 22\n{answer}\n\n" + _column(f"{n}." for n in range(1, 12))
    [passage] = specific(segment(make_document(text), inspection, segmenter), "22")
    assert passage.response_text == answer


def test_a_table_rows_block_ends_at_a_grid_of_rows(segmenter, inspection):
    text = ("Recommendation | Force position\n"
            f"Recommendation 22 | {_PROSE_22}\n"
            "| 1. | ✓ | Yes\n| 2. | ✗ | No\n| 3. | ✓ | Yes\n")
    [passage] = specific(segment(make_document(text), inspection, segmenter), "22")
    assert passage.response_text == _PROSE_22 and passage.text == f"Recommendation 22 | {_PROSE_22}"


@pytest.mark.parametrize("tail", [
    "1. We have written to every network chair.\n2. We will publish the criteria in March.\n3. Yes.\n",
    "Officers trained | 120\nStaff trained | 45\nNetworks funded | 6\n",  # a small table of figures with labels
    "- Yes\n- No\nThe panel will decide in April.\n",  # fewer than six short cells
    "Q3\nThe panel will decide in April.\nQ4\nThe criteria will be published.\n",  # short lines between prose
], ids=["numbered-prose-list", "labelled-figures", "two-short-lines", "alternating"])
def test_short_lines_that_are_no_grid_stay_in_the_answer(segmenter, inspection, tail):
    text = f"Recommendation 22\n{_PROSE_22}\n{tail}"
    [passage] = specific(segment(make_document(text), inspection, segmenter), "22")
    assert passage.text == text.rstrip("\n")


@pytest.mark.parametrize("name", ["Gwent", "Cleveland", "Suffolk", "Staffordshire"])
def test_the_seeds_hold_no_grid(seed_documents, segmenter, name):
    """Real tables of numbered answers (Gwent's) and lists are no grid: no seed's block is cut by the rule."""
    from pipeline.segment.blocks import starts_grid
    from pipeline.segment.lines import split_lines

    text = seed_documents[name].text
    lines = split_lines(text)
    assert not any(starts_grid(text, lines, line.index, segmenter.rules) for line in lines)


def test_blanket_patterns_as_one_alternation_find_the_same_lines() -> None:
    """Blanket lines are found with one alternation of the ``passages.blanket`` patterns (speed): on every line
    of the seeds and the real corpus excerpts, and on generated lines, it must pick exactly the lines one of the
    patterns finds; a pattern with a back-reference keeps them apart."""
    import re

    from hypothesis import given
    from hypothesis import strategies as st

    from pipeline import io
    from pipeline.segment import _any_of, parse_segment_rules
    from pipeline.segment.blanket import find_blanket_lines
    from pipeline.segment.lines import split_lines
    from tests.conftest import RAW

    rules = parse_segment_rules(io.read_package_data("segment.toml"))
    assert rules.blanket_any is not None

    def check(lines) -> int:
        expected = [line for line in lines if any(p.search(line.text) for p in rules.blanket)]
        assert find_blanket_lines(lines, rules) == expected
        return len(expected)

    texts = [p.read_text(encoding="utf-8") for p in [*sorted(RAW.glob("*.txt")), *sorted((RAW / "responses").glob("*.txt"))]]
    assert sum(check(split_lines(t)) for t in texts) > 20
    words = ["all", "ALL", "of", "the", "these", "our", "recommendations", "Recommendations", "actions", "accepts",
             "welcomed", "progress", "on", "against", "with regard to", "made", "set out", "a number of", "x", "\u212a"]

    @given(st.lists(st.sampled_from(words), max_size=8).map(" ".join))
    def generated(text: str) -> None:
        check(split_lines(text))

    generated()
    assert _any_of((re.compile(r"(a)\1", re.IGNORECASE), re.compile("b", re.IGNORECASE))) is None


# --- sub-items ("7.1") belong to their parent -------------------------------------------------------------------

SUB_ITEMS = "\n".join([  # a tracker read one row a line, its answer cells on lines of their own
    "Rec No. | Recommendation | Sub recommendation | Response |",
    "| 7 | By 1 May 2025, review the systems that record crime. |",
    "7.1 | Processes should be in place so that staff use the new search. |",
    "We changed the crime recording system in April and trained every supervisor. |",
    "7.2 We have also published guidance for call handlers on the new search. |",
    "| 8 | By 1 June 2025, train every supervisor in the new policy. |",
    "2.3 The board meets monthly to check the training. |",
])
SUB_ITEMS_LETTER = "\n".join([  # a letter quoting each item under its label
    "Recommendation 7: By 1 May 2025, review the systems that record crime.",
    "7.1 Processes should be in place so that staff use the new search.",
    "We changed the crime recording system in April and trained every supervisor.",
    "7.2 We have also published guidance for call handlers on the new search.",
    "Recommendation 8: By 1 June 2025, train every supervisor in the new policy.",
    "2.3 The board meets monthly to check the training.",
])


@pytest.mark.parametrize("registered", [False, True])
def test_a_sub_item_belongs_to_its_parent_and_its_wording_is_no_answer(segmenter, registered):
    """Written for this test: a sub-recommendation (7.1) quoted under its parent (7), in a tracker and a letter.

    The sub-item neither ends item 7's passage nor starts one of its own, and its wording ("should ...") is the
    inspectorate's; the force's own sub-numbered words (7.2 "We have ...") and paragraph numbers of another parent
    (2.3 under item 8) stay answers. (The register holds only the parents' wording, as reports' registers do.)
    """
    inspection = unregistered() if not registered else Inspection(
        id="sub-items-test", title="An inspection of crime recording", published=_date(2025, 1, 10), aliases=(),
        recommendations=tuple(Recommendation(number=n, text=t, addressee="forces", addressed_to="Chief Constable",
                                             deadline=None, deadline_note="")
                              for n, t in (("7", "By 1 May 2025, review the systems that record crime."),
                                           ("8", "By 1 June 2025, train every supervisor in the new policy."))))
    passages = segment(make_document(SUB_ITEMS_LETTER if registered else SUB_ITEMS), inspection, segmenter)
    assert sorted(p.recommendations for p in passages) == [("7",), ("8",)]
    [seven] = by_kind(passages, "recommendation", "7")
    assert "Processes should" in seven.text  # inside the parent's passage ...
    assert "Processes should" not in seven.response_text and "7.1" not in seven.response_text  # ... but no answer
    assert seven.response_text.startswith("We changed the crime recording system")
    assert "7.2 We have also published guidance" in seven.response_text
    [eight] = by_kind(passages, "recommendation", "8")
    assert "2.3 The board meets monthly" in eight.response_text


def _hampshire_g044_recommendation_7(forces, segmenter):
    """hampshire-and-isle-of-wight-g044 read and segmented (its inspection unregistered, as in the corpus): the
    document and recommendation 7's one passage."""
    from pipeline import io
    from pipeline.ingest import ingest

    document = ingest(io.read_source(RESPONSES / "hampshire-and-isle-of-wight-g044.txt"))
    hampshire = next(f for f in forces if f.short_name == "Hampshire and Isle of Wight")
    passages = segment(document, unregistered("Super-complaint report: the police response to stalking"), segmenter,
                       hampshire)
    [seven] = by_kind(passages, "recommendation", "7")
    return document, seven


def test_a_real_trackers_sub_recommendation_is_not_its_parents_answer(forces, inspections, segmenter):
    """hampshire-and-isle-of-wight-g044: recommendation 7's row carries sub-recommendation 7.1's wording."""
    document, seven = _hampshire_g044_recommendation_7(forces, segmenter)
    sub = document.text.index("7.1 |")
    assert seven.start < sub < seven.end  # the sub-item neither ends nor starts a block
    assert not any(s <= sub + 6 < e for s, e in seven.response_spans)  # its wording is not the answer
    row, items = _real("hampshire-and-isle-of-wight-g044.txt")
    assert any(seven.start <= _located(document.text, item["text"]) < seven.end for item in items)


def test_a_table_read_one_cell_a_line_under_an_item_word_header(segmenter):
    """Written for this test (the layout of cleveland-g514): the header "Recommendation number |" has its other
    cells on the lines after it; the item is worded in several sentences and a list (a date with "14th"); the
    answer's own list, in the next cell, is the answer."""
    text = "\n".join([
        "Recommendation number |", "Recommendation |", "Current position |", "Further action required |",
        "1 |",
        "By 14th June 2024, chief constables should make sure their forces review section 60 training. "
        "The review should consider the curriculum and training for:",
        "• officers who authorise searches; and", "• officers who conduct searches.",
        "|",
        "- Training on section 60 is part of the course for every student officer.",
        "- Every inspector has been given the new presentation.",
        "|",
        "Action complete. |",
    ])
    [passage] = segment(make_document(text), unregistered(), segmenter)
    assert passage.recommendations == ("1",) and passage.link == "numbered"
    assert passage.response_text.startswith("Training on section 60 is part of the course")
    assert "Every inspector has been given" in passage.response_text and "Action complete." in passage.response_text
    assert "should" not in passage.response_text and "officers who conduct" not in passage.response_text


def test_a_real_tracker_read_one_cell_a_line_answers_its_numbered_item(forces, inspections, nlp, segmenter):
    """cleveland-g514: a force's table of a super-complaint's recommendations, one cell a line; its page names no
    force (the URL does) and no report, only items worded to all chief constables."""
    from pipeline import io
    from pipeline.identify import build_identifier, identify
    from pipeline.ingest import ingest

    row, items = _real("cleveland-g514.txt")
    document = ingest(io.read_source(RESPONSES / "cleveland-g514.txt"))
    found = identify(document, build_identifier(forces, inspections, nlp), url=row["url"])
    assert found.force.name == row["force"] and found.inspection.registered is False
    passages = segment(document, found.inspection, segmenter, found.force)
    [first] = by_kind(passages, "recommendation", "1")
    assert all(first.start <= _located(document.text, item["text"]) < first.end for item in items
               if item["item"] == "Recommendation 1")
    assert "chief constables should" not in first.response_text


# --- a registered tracker read one cell a line (realtext3, fault 3) ---------------------------------------------------

_TRACKER_UPDATES = {  # written for these tests (invented answers): item -> (status cell, update cell)
    "9": ("In progress", "The social media policy has been redrafted and is with the legal team for review."),
    "10": ("Complete", "A new dress code policy was published in February and every officer has been briefed."),
    "12": ("Not started", "Training will be arranged once the national course is available."),
}


def _tracker_one_cell_a_line(inspection, header: bool, wording: bool) -> str:
    """A tracker's rows read one cell a line: the item number, the item (the register's wording, or a short title
    of the force's own), its status, its update; under a header read the same way, or none."""
    titles = {"9": "Communicating about contentious issues", "10": "Visible representations",
              "12": "Equality impact assessments"}
    out = ["Activism and impartiality inspection: progress against the force recommendations"]
    if header:
        out += ["No.", "Recommendation", "Status", "Update"]
    for number, (status, update) in _TRACKER_UPDATES.items():
        out += [number, inspection.recommendation(number).text if wording else titles[number], status, update]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("header, wording", [(True, True), (False, True), (True, False)],
                         ids=["header-and-wording", "wording-only", "header-and-titles"])
def test_a_registered_tracker_read_one_cell_a_line_has_one_passage_per_item(segmenter, inspection, header, wording):
    """Written for this test: the number alone on a line is the item's label when the register's wording follows it,
    or under a header read one cell a line; each passage holds the item's status and update, not its wording."""
    text = _tracker_one_cell_a_line(inspection, header, wording)
    passages = [p for p in segment(make_document(text), inspection, segmenter) if p.link != "blanket"]
    assert [(p.recommendations, p.link) for p in passages] == [((n,), "numbered") for n in _TRACKER_UPDATES]
    for passage, (status, update) in zip(passages, _TRACKER_UPDATES.values()):
        assert passage.response_text.endswith(f"{status} {update}")
        if wording:
            assert passage.response_text == f"{status} {update}"  # the register's wording is no answer


def test_a_lone_number_is_no_label_without_the_items_wording_or_a_header(segmenter, inspection):
    """A page number, a count or a paragraph number alone on a line, in a letter answering in prose, opens nothing."""
    text = ("Our response to the inspection\n9\nWe have trained every officer in the new policy.\n"
            "10\nThe dress code was published in February.\nPage 2 of 3\n12\n")
    passages = segment(make_document(text), inspection, segmenter)
    assert not [p for p in passages if p.link == "numbered"]


def test_a_tracker_under_a_header_read_one_cell_a_line_skips_a_stray_lower_number(segmenter, inspection):
    """Under the header the numbers rise: a page number and running title between two rows ("2") is no item."""
    text = _tracker_one_cell_a_line(inspection, header=True, wording=False).replace(
        "\n12\n", "\n2\nProgress against the force recommendations (continued)\n12\n")
    passages = [p for p in segment(make_document(text), inspection, segmenter) if p.link != "blanket"]
    assert [p.recommendations for p in passages] == [("9",), ("10",), ("12",)]


def test_a_registered_tracker_pdf_read_one_cell_a_line(segmenter, inspection, tmp_path):
    """A real PDF, made here, whose cells are separate paragraphs (as a table without rulings drawn as separate text
    objects is read): ingest gives one cell a line, segment one passage per item."""
    from pipeline import io
    from pipeline.ingest import ingest
    from tests.pdf_fixtures import render_text_pdf

    path = render_text_pdf(_tracker_one_cell_a_line(inspection, header=False, wording=True), tmp_path / "tracker.pdf")
    document = ingest(io.read_source(path))
    assert "\n9\n" in document.text  # the number is a line of its own
    passages = [p for p in segment(document, inspection, segmenter) if p.link != "blanket"]
    assert [p.recommendations for p in passages] == [(n,) for n in _TRACKER_UPDATES]
    assert [p.response_text for p in passages] == [f"{s} {u}" for s, u in _TRACKER_UPDATES.values()]


# --- owner, lead and due-date cells are no answer (realtext3, fault 4) ------------------------------------------------

OWNER_TRACKER = "\n".join([  # written for this test (invented answers): an owner column, read one cell a line
    "Rec No. |", "Recommendation |", "Rec. Owner |", "Target date |", "Update |",
    "| 7 | By 1 May 2025, review the systems that record crime. |",
    "Chief Constables |",
    "31/03/2026 |",
    "The crime recording system was changed in April and every supervisor trained. |",
    "| 8 | By 1 June 2025, train every supervisor in the new policy. |",
    "D/Supt Sam Patel |",
    "March 2026 |",
    "Training has started and half the supervisors have finished. |",
])
OWNER_FIELDS = "\n".join([  # written for this test: owner and due-date fields as inline labels, in a letter
    "Recommendation 7: By 1 May 2025, review the systems that record crime.",
    "Lead: Head of Crime Recording",
    "The crime recording system was changed in April and every supervisor trained.",
    "Owner - DCI Kim Rowe | Due date: 31/03/2026 | Status: complete",
    "Recommendation 8: By 1 June 2025, train every supervisor in the new policy.",
    "Strategic lead: ACC Robin Vale",
    "Training has started and half the supervisors have finished.",
])


@pytest.mark.parametrize("text", [OWNER_TRACKER, OWNER_FIELDS], ids=["owner-column", "owner-fields"])
def test_owner_lead_and_due_date_cells_are_no_answer(segmenter, text):
    passages = sorted(segment(make_document(text), unregistered(), segmenter), key=lambda p: p.start)
    answers = {p.recommendations: p.response_text for p in passages if p.link == "numbered"}
    assert set(answers) == {("7",), ("8",)}
    assert answers[("7",)].startswith("The crime recording system was changed in April")
    assert answers[("8",)].startswith("Training has started")
    for answer in answers.values():
        for bookkeeping in ("Chief Constables", "Patel", "Head of Crime", "Rowe", "Vale", "31/03/2026", "March 2026",
                            "Lead", "Owner"):
            assert bookkeeping not in answer
    if text is OWNER_FIELDS:
        assert answers[("7",)].endswith("Status: complete")  # the status is the force's answer


def test_a_role_cell_stays_where_no_header_names_an_owner_column(segmenter):
    """Without an owner or due-date column a short cell naming a role may be the answer's subject: it stays."""
    text = "Rec No. | Update\n7 | Chief Constable | The chief constable has approved the new crime recording policy.\n"
    [passage] = [p for p in segment(make_document(text), unregistered(), segmenter) if p.link == "numbered"]
    assert passage.response_text.startswith("Chief Constable")


def test_owner_rules_are_data(segmenter):
    from pipeline import io

    passages = tomllib.loads(io.read_package_data("segment.toml"))["passages"]
    assert passages["owner_field"] and passages["owner_cell"]
    assert segmenter.rules.owner_header.fullmatch("Rec. Owner") and segmenter.rules.owner_cell.fullmatch("Chief Constables")


def test_a_real_trackers_owner_cell_is_not_its_answer(forces, segmenter):
    """hampshire-and-isle-of-wight-g044: the "Rec. Owner" column's cell ("Chief Constables") is no evidence; the
    initial response and the update are (the labelled answer starts with the first of them)."""
    document, seven = _hampshire_g044_recommendation_7(forces, segmenter)
    owner = document.text.index("Chief Constables |")
    assert seven.start < owner < seven.end  # the owner cell is in the item's block ...
    assert not any(s <= owner < e for s, e in seven.response_spans)  # ... but not in its answer
    _, items = _real("hampshire-and-isle-of-wight-g044.txt")
    [item] = [item for item in items if item["item"] == "Recommendation 7"]
    assert seven.response_text.startswith(item["text"].split(" ... ")[0][:40])


def test_content_matching_reads_a_paragraph_longer_than_spacy_takes(seed_documents, inspection, segmenter):
    """spaCy refuses a text over ``nlp.max_length`` (E088): prose linked by content is read in pieces, and links
    the same items as when read at once (Staffordshire's prose is linked by content)."""
    from pipeline.nlp import make_nlp
    from pipeline.segment import Segmenter

    document = seed_documents["Staffordshire"]
    small = make_nlp()
    small.max_length = 300
    assert max(len(line) for line in document.text.splitlines()) > small.max_length
    at_once = passages_for(document, inspection, segmenter)
    assert any(p.link == "content" for p in at_once)
    assert passages_for(document, inspection, Segmenter(segmenter.rules, small)) == at_once
