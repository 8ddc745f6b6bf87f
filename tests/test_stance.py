"""The overall stance is the force's words, not the inspectorate's (guideline decision D9; pipeline/score.py).

News pages about an inspection report quote both the inspectors' findings and the force's answer; both can
be blanket passages. ``tests/data/stance/`` (see its README.md) holds a page written for these tests and a
real excerpt, scored end to end through the CLI with the shipped model.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.score import _dispute_patterns, _refusal_patterns, build_scorecard
from pipeline.segment import segment
from pipeline.segment.lines import split_lines
from pipeline.types import ClassifiedPassage, Document, Inspection, Page
from tests.conftest import ROOT, SEED_PATHS, no_reviews
from tests.test_score import SURREY, _passage, _result

DATA = ROOT / "tests" / "data" / "stance"
SYNTHETIC = DATA / "surrey-control-room.txt"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    inputs = tmp_path_factory.mktemp("stance-inputs")
    for name in ("lincolnshire-g410.txt", "surrey-control-room.txt", "sources.csv"):
        shutil.copy(DATA / name, inputs / name)
    return _score_folder(inputs, tmp_path_factory.mktemp("stance-out"))


def _score_folder(inputs, out, *extra: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``score`` a folder (or a file) with the shipped model and registers and ``extra`` options: its passages
    and its forces (indexed by force)."""
    code = main(["score", str(inputs), "--out", str(out), "--inspections", str(ROOT / "corpus" / "inspections"),
                 "--model", str(ROOT / "models" / "status-classifier.joblib"), *no_reviews(out), "--no-cache", *extra])
    assert code == 0
    passages = pd.read_csv(out / "passages.csv", dtype=str, keep_default_na=False)
    forces = pd.read_csv(out / "forces.csv", dtype=str, keep_default_na=False).set_index("force")
    return passages, forces


def _of(passages: pd.DataFrame, force: str) -> pd.DataFrame:
    return passages[passages["force"] == force].sort_values("char_start", key=lambda s: s.astype(int))


def _stance_row(passages: pd.DataFrame, force: str) -> pd.Series:
    rows = _of(passages, force)
    chosen = rows[rows["is_overall_stance"] == "True"]
    assert len(chosen) == 1
    return chosen.iloc[0]


def test_a_news_pages_stance_is_the_chief_constables_answer_not_the_longer_findings(scored):
    passages, forces = scored
    rows = _of(passages, "Surrey Police")
    text = SYNTHETIC.read_text(encoding="utf-8")
    lines = split_lines(text)
    # the inspectorate's two lines (the report, then its findings) are one passage; the chief constable's two another
    assert [(int(r.char_start), r.voice) for r in rows.itertuples()] == [(lines[1].start, "inspectorate"),
                                                                         (lines[3].start, "force")]
    findings, answer = rows.iloc[0], rows.iloc[1]
    assert len(findings["response_text"]) > len(answer["response_text"])  # the longest is not the stance
    stance = _stance_row(passages, "Surrey Police")
    assert stance["passage_id"] == answer["passage_id"]
    assert forces.loc["Surrey Police", "overall_stance"] == stance["status"] == "in_progress"


def test_the_real_excerpts_stance_is_what_the_forces_officer_said(scored):
    """corpus/raw/responses/lincolnshire-g410.txt: a news page, the inspectors' findings and a superintendent's words."""
    passages, forces = scored
    rows = _of(passages, "Lincolnshire Police")
    assert set(rows["link"]) == {"blanket"} and set(rows["register"]) == {"none"}
    voices = [(int(r.char_start), r.voice) for r in rows.itertuples()]
    # the officer's three lines (named by rank, then "he said", "he added") are one passage
    assert voices == [(63, "inspectorate"), (389, "force"), (634, "inspectorate"), (932, "inspectorate"),
                      (1348, "force")]
    stance = _stance_row(passages, "Lincolnshire Police")
    assert stance["voice"] == "force" and int(stance["char_start"]) == 1348
    assert forces.loc["Lincolnshire Police", "overall_stance"] == stance["status"] == "in_progress"
    assert float(forces.loc["Lincolnshire Police", "overall_stance_confidence"]) == pytest.approx(
        float(stance["confidence"]))


def test_the_force_and_the_inspectorate_are_never_one_blanket_passage(segmenter, surrey):
    """Adjacent lines in the two voices, both about the report, are cut apart (else the force's voice takes all)."""
    text = SYNTHETIC.read_text(encoding="utf-8")
    document = Document(source=SYNTHETIC.name, sha256="0" * 64, media_type="text", text=text,
                        pages=(Page(1, 0, len(text)),))
    inspection = Inspection(id="control-room", title="Control room inspection", published=None, aliases=(),
                            recommendations=(), registered=False)
    passages = segment(document, inspection, segmenter, surrey)
    lines = split_lines(text)
    assert [(p.start, p.end, p.voice) for p in passages] == [
        (lines[1].start, lines[2].end, "inspectorate"), (lines[3].start, lines[4].end, "force")]


def test_registered_and_numbered_passages_have_no_voice(segmenter, inspection, surrey):
    """Only blanket passages carry a voice; a numbered answer is the force's by being in its response."""
    text = "Recommendation 9\nWe have trained every officer in the new policy and completed the audit.\n"
    document = Document(source="r.txt", sha256="0" * 64, media_type="text", text=text, pages=(Page(1, 0, len(text)),))
    passages = segment(document, inspection, segmenter, surrey)
    assert passages and all(p.link != "blanket" and p.voice == "" for p in passages)


@pytest.fixture(scope="module")
def surrey(forces):
    return next(f for f in forces if f.name == "Surrey Police")


def _stance_card(blankets, specific: bool = False):
    """(the passage chosen as the stance or None, the force's row) for blanket passages given as (start, voice, label,
    text, language), beside a numbered one when ``specific``."""
    inspection = Inspection(id="news", title="News", published=None, aliases=(), recommendations=(), registered=False)
    sha = "e" * 64
    items = []
    for start, voice, label, text, language in blankets:
        item = _passage(sha, start, [], link="blanket", label=label, text=text)
        items.append(ClassifiedPassage(replace(item.passage, voice=voice, language=language), item.prediction))
    if specific:
        items.append(_passage(sha, 90_000, ["1"], link="numbered", label="in_progress", text="y" * 50))
    card = build_scorecard([_result(SURREY, inspection, items, sha)], [], [inspection])
    chosen = card.passages[card.passages["is_overall_stance"]]
    row = card.forces.iloc[0]
    # the stance passage's label, but not_addressed for words that only acknowledge receipt (D2)
    expected = "" if not len(chosen) else "not_addressed" if row["overall_stance_basis"] == "receipt" \
        else chosen["status"].iloc[0]
    assert row["overall_stance"] == expected
    return (chosen.iloc[0] if len(chosen) else None), row


def _stance_of(*specs):
    """The stance passage's start among blanket passages given as (start, voice, language, text length)."""
    chosen, _ = _stance_card([(start, voice, "planned", "x" * length, language) for start, voice, language, length in specs])
    return None if chosen is None else int(chosen["char_start"])


def test_stance_prefers_the_forces_voice_then_unknown_and_the_inspectorate_only_alone():
    assert _stance_of((0, "inspectorate", "en", 900), (1000, "", "en", 50), (2000, "force", "en", 40)) == 2000
    assert _stance_of((0, "inspectorate", "en", 900), (1000, "", "en", 50)) == 1000
    assert _stance_of((0, "inspectorate", "en", 900), (1000, "inspectorate", "en", 50)) == 0  # nothing else: longest
    assert _stance_of((0, "force", "cy", 900), (1000, "", "en", 50)) == 1000  # English before Welsh
    assert _stance_of((0, "inspectorate", "en", 900), (1000, "force", "cy", 50)) == 1000  # never the inspectorate
    assert _stance_of((0, "force", "en", 100), (1000, "force", "en", 300)) == 1000  # then the longest, as before


# --- A response that answers its items one by one (newcomer report s5, item 3) ---------------------------------------

ITEMISED = DATA / "hertfordshire-itemised.html"


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory):
    """The seed responses and a commissioner's itemised page, scored end to end with the shipped model."""
    out = tmp_path_factory.mktemp("stance-seeds")
    code = main(["score", *SEED_PATHS, str(ITEMISED), "--out", str(out), "--inspections",
                 str(ROOT / "corpus" / "inspections"), "--model", str(ROOT / "models" / "status-classifier.joblib"),
                 *no_reviews(out), "--no-cache", "--as-of", "2025-06-01"])
    assert code == 1  # the HMICFRS letter among the seeds is reported in errors.csv
    return out


@pytest.fixture(scope="module")
def seeds_scored(seeds_out):
    out = seeds_out
    passages = pd.read_csv(out / "passages.csv", dtype=str, keep_default_na=False)
    forces = pd.read_csv(out / "forces.csv", dtype=str, keep_default_na=False).set_index("force")
    return passages, forces


@pytest.mark.parametrize("force", ["Gwent Police", "Hertfordshire Constabulary"])
def test_a_welcome_is_no_stance_beside_items_answered_one_by_one(seeds_scored, force):
    """Every item has its own answer and the only statement about the whole report says nothing of the status."""
    passages, forces = seeds_scored
    row = forces.loc[force]
    assert int(row["items_answered"]) == int(row["items"]) == 9
    blanket = _of(passages, force).query("link == 'blanket'")
    assert len(blanket) == 1 and blanket["status"].iloc[0] == "not_addressed"  # the welcome / the receipt
    assert (row["overall_stance"], row["overall_stance_confidence"], row["overall_stance_basis"]) == ("", "", "itemised")
    assert not (_of(passages, force)["is_overall_stance"] == "True").any()


def test_the_forces_delivery_line_wins_over_the_commissioners_monitoring(seeds_scored):
    """Staffordshire: "... already been delivered by the force" (D6) is the stance, not the PCC's oversight (D2)."""
    passages, forces = seeds_scored
    blanket = _of(passages, "Staffordshire Police").query("link == 'blanket'")
    monitoring = blanket[blanket["voice"] == "force"]
    assert len(monitoring) == 1 and monitoring["status"].iloc[0] == "not_addressed"
    stance = _stance_row(passages, "Staffordshire Police")
    assert stance["status"] == "in_progress" and int(stance["char_start"]) < int(monitoring["char_start"].iloc[0])
    assert (forces.loc["Staffordshire Police", "overall_stance"],
            forces.loc["Staffordshire Police", "overall_stance_basis"]) == ("in_progress", "blanket")


def test_a_status_claim_about_the_whole_report_stays_the_stance(seeds_scored):
    """Suffolk answers every item and also says where it stands as a whole; Cleveland answers no item."""
    passages, forces = seeds_scored
    assert _stance_row(passages, "Suffolk Constabulary")["status"] == "completed"
    assert (forces.loc["Suffolk Constabulary", "overall_stance"],
            forces.loc["Suffolk Constabulary", "overall_stance_basis"]) == ("completed", "blanket")
    assert forces.loc["Cleveland Police", "items_answered"] == "0"
    assert (forces.loc["Cleveland Police", "overall_stance"],
            forces.loc["Cleveland Police", "overall_stance_basis"]) == ("planned", "blanket")


def _basis_of(specs, specific: bool):
    """(stance start or None, basis) for blanket passages given as (start, voice, label), beside a numbered one."""
    chosen, row = _stance_card([(start, voice, label, "x" * 50, "en") for start, voice, label in specs], specific)
    return (None if chosen is None else int(chosen["char_start"])), row["overall_stance_basis"]


def test_the_stance_basis_follows_whether_the_items_are_answered_one_by_one():
    assert _basis_of([(0, "force", "not_addressed"), (100, "", "in_progress")], specific=False) == (100, "blanket")
    assert _basis_of([(0, "force", "not_addressed")], specific=False) == (0, "blanket")  # nothing else to say it
    assert _basis_of([(0, "force", "not_addressed")], specific=True) == (None, "itemised")
    assert _basis_of([(0, "force", "not_addressed"), (100, "", "planned")], specific=True) == (100, "blanket")
    assert _basis_of([], specific=True) == (None, "itemised")
    assert _basis_of([], specific=False) == (None, "")
    # the inspectorate's words never outrank the force's, claim or not
    assert _basis_of([(0, "inspectorate", "completed"), (100, "force", "not_addressed")], specific=False) == (100, "blanket")


def _stance_paragraph(html: str, force: str) -> str:
    start = html.index(f">{force}</h3>")
    return html[start:].split('<div class="stance">', 1)[1].split("</div>", 1)[0]


def test_the_report_says_an_itemised_response_has_no_stance_and_why(seeds_out):
    """report.html: Gwent's section names no stance and says why (its items are answered one by one), never that
    it has no statement about the whole report; Cleveland's shows its stance."""
    html = (seeds_out / "report.html").read_text(encoding="utf-8")
    gwent = _stance_paragraph(html, "Gwent Police")
    assert "answers its items one by one" in gwent and "has no statement about the whole report" not in gwent
    assert "st-" not in gwent
    cleveland = _stance_paragraph(html, "Cleveland Police")
    assert "st-planned" in cleveland and "one by one" not in cleveland


# --- A refusal of the whole report beside items answered one by one (guidelines section 8, D9) -----------------------

REFUSAL = DATA / "essex-refusal.txt"


def _stance_text(specs, specific: bool):
    """(stance text or None, basis) for blanket passages given as (voice, label, text), beside a numbered one or not."""
    chosen, row = _stance_card([(1000 * k, voice, label, text, "en") for k, (voice, label, text) in enumerate(specs)],
                               specific)
    return (None if chosen is None else chosen["response_text"]), row["overall_stance_basis"]


REFUSES = "The force does not accept the recommendations of this report."
WELCOME = "The commissioner welcomes the report and will hold the chief constable to account for every part of it."


@pytest.mark.parametrize("refusal", [
    REFUSES, "We're not accepting the report: it is unfair.", "The chief constable rejected the report's findings.",
    "The force disagrees with the report's conclusions.", "We do not agree that our performance has declined.",
    "The constabulary declines to implement the recommendations.",
])
def test_a_refusal_of_the_whole_report_is_the_stance_beside_items_answered_one_by_one(refusal):
    """Written for this test: a blanket refusal or dispute is a status claim (section 8), a welcome is not (D2)."""
    assert _stance_text([("force", "not_addressed", WELCOME), ("", "not_addressed", refusal)], specific=True) == (
        refusal, "blanket")
    # alone beside the items, a welcome is still no stance
    assert _stance_text([("force", "not_addressed", WELCOME)], specific=True) == (None, "itemised")


def test_a_refusal_is_the_stance_over_a_welcome_and_yields_to_a_claim_of_action():
    # with no item answered: the refusal, though shorter, says more than the welcome
    assert _stance_text([("force", "not_addressed", WELCOME), ("", "not_addressed", REFUSES)], specific=False)[0] == REFUSES
    # disputing while acting is no decline (section 8): the action is the stance
    acting = "An improvement plan is being delivered and is overseen monthly by the deputy chief constable."
    assert _stance_text([("force", "in_progress", acting), ("force", "not_addressed", REFUSES)], specific=True)[0] == acting
    # the inspectorate's "the force does not accept ..." reported on a news page is not the force's refusal
    assert _stance_text([("inspectorate", "not_addressed", REFUSES)], specific=True) == (None, "itemised")
    # "will not accept" of something other than the report refuses nothing of it
    assert _stance_text([("force", "not_addressed", "We will not accept anything less than the best for victims.")],
                        specific=True) == (None, "itemised")


def test_a_registered_response_refusing_the_report_has_that_refusal_as_its_stance(tmp_path):
    """tests/data/stance/essex-refusal.txt (written for this test), scored end to end with the shipped model: two
    items answered one by one and a paragraph refusing the recommendations as a whole."""
    passages, forces = _score_folder(REFUSAL, tmp_path / "out", "--as-of", "2025-06-01")
    stance = _stance_row(passages, "Essex Police")
    assert stance["link"] == "blanket" and stance["response_text"].startswith("The force does not accept")
    row = forces.loc["Essex Police"]
    assert int(row["items_answered"]) == 2
    assert (row["overall_stance"], row["overall_stance_basis"]) == (stance["status"], "blanket") == (
        "not_addressed", "blanket")


@pytest.mark.parametrize("file", ["gwent-g201.txt", "greater-manchester-g110.txt"])
def test_real_refusals_of_a_whole_report_are_read_as_disputes(file):
    """corpus/raw/responses: a commissioner refusing the report, a force disputing its findings (both labelled
    not_addressed as item "all"): the words the annotators quote as the answer hold a dispute's wording."""
    import json

    from pipeline.score import _dispute_patterns

    labels = [json.loads(line) for line in (ROOT / "corpus" / "annotations" / "real.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    [item] = [item for item in labels if item["file"] == file and item["item"] == "all"]
    assert item["label"] == "not_addressed"
    assert any(p.search(item["text"]) for p in _dispute_patterns())


# --- A refusal outranked by a passage read as acting (realtext3, fault 1) ---------------------------------------------

NOT_ACCEPTING = "We're not accepting the report: it is unfair and lacks evidence."
# written for this test: the commissioner's refusal again, in a longer passage the classifier might read as acting
REFUSAL_READ_AS_ACTING = ("The report says the force must improve how it records crime. The commissioner said the "
                          "rise was the result of the recording change he made last year. We're not accepting the "
                          "report, he added.")


def test_a_passage_refusing_the_report_in_its_own_words_is_no_claim_of_action():
    """Section 6 (the more advanced claim counts only if nothing contradicts it) and section 8 (a decline is
    not_addressed): a passage read as ``in_progress`` that itself refuses the whole report does not outrank the
    refusal read as such, though it is longer; with no item answered and beside items answered one by one."""
    for specific in (False, True):
        assert _stance_text([("force", "not_addressed", NOT_ACCEPTING), ("force", "in_progress", REFUSAL_READ_AS_ACTING)],
                            specific)[0] == NOT_ACCEPTING
    # alone, it is still the stance (its own label: the classifier's reading is not overridden here)
    assert _stance_text([("force", "in_progress", REFUSAL_READ_AS_ACTING)], specific=False)[0] == REFUSAL_READ_AS_ACTING


@pytest.mark.parametrize("acting", [
    # a dispute of a finding or a grade while acting is no decline (section 8): the action stays the stance
    "The force disagrees with the report's conclusions but has set up a working group that is reviewing call handling.",
    # a refusal of one recommendation, or of some, is not a refusal of the report
    "We do not accept recommendation 3; an improvement plan for the others is being delivered.",
    "We do not accept two of the recommendations; the rest are being delivered through our PEEL plan.",
    "We will not implement the recommendations on custody; the others are being delivered through our plan.",
])
def test_a_claim_of_action_beside_a_partial_refusal_or_a_dispute_stays_the_stance(acting):
    assert _stance_text([("force", "not_addressed", NOT_ACCEPTING), ("force", "in_progress", acting)],
                        specific=True)[0] == acting


def test_refusal_wordings_are_data():
    refusals = _refusal_patterns()
    assert refusals
    refused = lambda text: any(p.search(text) for p in refusals)  # noqa: E731
    assert refused(NOT_ACCEPTING) and refused(REFUSES) and refused("The PCC rejects the report.")
    assert refused("We will not be implementing any of the recommendations.")
    assert not refused("The chief constable rejected the report's findings.")  # a dispute of findings
    assert not refused("We do not accept recommendation 3.") and not refused("We do not accept some of the recommendations.")


REAL = ROOT / "corpus" / "raw" / "responses"


@pytest.fixture(scope="module")
def real_refusals(tmp_path_factory):
    """Real excerpts (corpus/raw/responses, no reserved force) scored end to end with their sources.csv rows."""
    files = ["gwent-g201.txt", "greater-manchester-g110.txt", "lincolnshire-g051.txt"]
    inputs = tmp_path_factory.mktemp("refusal-inputs")
    rows = (REAL / "sources.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (inputs / "sources.csv").write_text(rows[0] + "".join(r for r in rows[1:] if any(f",{f}," in r for f in files)),
                                        encoding="utf-8")
    for name in files:
        shutil.copy(REAL / name, inputs / name)
    return _score_folder(inputs, tmp_path_factory.mktemp("refusal-out"))


@pytest.mark.parametrize("force", ["Gwent Police", "Greater Manchester Police"])
def test_real_responses_refusing_or_disputing_the_report_have_that_as_their_stance(real_refusals, force):
    """gwent-g201 (a commissioner refusing the report) and greater-manchester-g110 (a force disputing findings, beside
    a reporter's account of the inspectorate's warnings): both adjudicated `not_addressed` as item "all"
    (corpus/annotations/real.jsonl). The stance is the force's own refusal or dispute."""
    passages, forces = real_refusals
    stance = _stance_row(passages, force)
    assert stance["voice"] == "force" and stance["status"] == "not_addressed"
    assert any(p.search(stance["response_text"]) for p in _dispute_patterns())
    assert (forces.loc[force, "overall_stance"], forces.loc[force, "overall_stance_basis"]) == ("not_addressed", "blanket")


def test_a_real_inspectors_letter_to_the_force_is_not_the_forces_stance(real_refusals):
    """lincolnshire-g051: "HM Inspector ... has written to the force explaining: ..." is the inspector's letter (the
    force is the one written to); the chief constable's words are the stance."""
    passages, _ = real_refusals
    rows = _of(passages, "Lincolnshire Police")
    letter = rows[rows["response_text"].str.contains("has written to the force")]
    assert len(letter) == 1 and letter["voice"].iloc[0] == "inspectorate"
    stance = _stance_row(passages, "Lincolnshire Police")
    assert stance["voice"] == "force" and stance["response_text"].startswith("Chief Constable")
# --- A receipt is no status claim (newcomer report s7, item 5) --------------------------------------------------------

RECEIPT = "I have received the Chief Constable's update on the causes of concern and areas for improvement."


@pytest.mark.parametrize("receipt", [
    RECEIPT,
    "The Police and Crime Commissioner for Hertfordshire has received the Chief Constable's update on the "
    "recommendations made to forces in this report.",
    "The commissioner is in receipt of the force's response to the report.",
    "I acknowledge receipt of your letter of 24 November 2021. I have now received the force's action plan.",
    "Thank you for your letter of 24 November requesting an update on the recommendations.",
])
@pytest.mark.parametrize("label", ["completed", "in_progress", "planned"])
def test_a_receipt_read_as_a_claim_is_no_stance_beside_items_answered_one_by_one(receipt, label):
    """Written for this test: whatever the classifier reads in words that only acknowledge receipt (D2), they say
    nothing of where the work stands, so an itemised response (registered or not) has no stance from them."""
    assert _stance_text([("force", label, receipt)], specific=True) == (None, "itemised")
    # with nothing answered one by one it is still the only statement about the whole report, marked as the stance;
    # it says nothing of where the work stands (guidelines section 9, D2): the stance is not_addressed, by rule
    assert _stance_text([("force", label, receipt)], specific=False) == (receipt, "receipt")
    _, row = _stance_card([(0, "force", label, receipt, "en")])
    assert (row["overall_stance"], row["overall_stance_confidence"]) == ("not_addressed", 1.0)


@pytest.mark.parametrize("claim", [
    RECEIPT.rstrip(".") + ", which confirms that every area for improvement is now complete.",
    RECEIPT + " All the actions have now been completed.",
    "I have received the Chief Constable's update and the force has delivered every action in its plan.",
    "The force has received funding for a new custody suite.",
])
def test_a_receipt_that_goes_on_to_a_claim_stays_the_classifiers(claim):
    assert _stance_text([("force", "completed", claim)], specific=True) == (claim, "blanket")


def test_a_receipt_yields_to_a_claim_of_action_with_no_item_answered():
    acting = "An improvement plan is being delivered and is overseen monthly by the deputy chief constable."
    assert _stance_text([("force", "completed", RECEIPT), ("force", "in_progress", acting)], specific=False)[0] == acting


def test_an_unregistered_itemised_response_with_a_receipt_has_no_stance(tmp_path):
    """Newcomer report s7 item 5 (a PEEL response no register holds, written for this test after the newcomer's
    docx): the PCC's receipt line and two areas for improvement answered one by one, scored end to end with the
    shipped model. The receipt is the only blanket passage and is no stance, whatever the model reads in it."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "wiltshire-peel.txt").write_text("\n".join([
        "Wiltshire Police and Crime Commissioner",
        "Response to the PEEL 2023-25 inspection of Wiltshire Police",
        "Date: 14 March 2025",
        RECEIPT,
        "AFI 1",
        "We have not started this work yet; it is scheduled to begin in the next financial year.",
        "AFI 3",
        "Training for all supervisors was delivered in November 2024 and the action is closed.",
    ]) + "\n", encoding="utf-8")
    passages, forces = _score_folder(inputs, tmp_path / "out", "--as-of", "2025-06-01")
    blanket = passages[passages["link"] == "blanket"]
    assert list(blanket["response_text"]) == [RECEIPT] and set(passages["register"]) == {"none"}
    assert sorted(passages.loc[passages["link"] != "blanket", "recommendations"]) == ["1", "3"]
    row = forces.loc["Wiltshire Police"]
    assert (row["overall_stance"], row["overall_stance_confidence"], row["overall_stance_basis"]) == ("", "", "itemised")
    assert not (passages["is_overall_stance"] == "True").any()
