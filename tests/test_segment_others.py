"""Segment: another body's work that an answer reports (the NPCC's, the Home Office's) is no action of the force's.

Newcomer report s7, item 12: a commissioner's letter (corpus/raw/responses/essex-g206.txt) agrees with the NPCC's
dispute of the recommendations and waits for a Home Office review; between the two it tells of the NPCC's
workshops with the Home Office, which the classifier took for the force's work in progress. The annotators' answer
text leaves those sentences out (``corpus/annotations/real.jsonl``); ``[quotes] other_bodies`` in segment.toml
and pipeline/segment/others.py do too. The other texts are written for these tests.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.segment import segment
from pipeline.types import Document, Inspection, Page
from tests.conftest import ROOT, no_reviews

REPORTED = ("Since the spring, I am aware that the NPCC has worked with the College of Policing on national guidance "
            "for every force. Those meetings have now concluded, with the College of Policing due to publish the "
            "guidance in May.")
OWN = "We will update our own policy when the guidance is published."


@pytest.fixture(scope="module")
def surrey(forces):
    return next(f for f in forces if f.name == "Surrey Police")


def _answer(text: str, inspection, segmenter, force) -> list[str]:
    document = Document(source="r.txt", sha256="0" * 64, media_type="text", text=text, pages=(Page(1, 0, len(text)),))
    return [p.response_text for p in segment(document, inspection, segmenter, force) if p.link != "blanket"]


UNREGISTERED = Inspection(id="others", title="An inspection", published=None, aliases=(), recommendations=(),
                          registered=False)


@pytest.mark.parametrize("label", ["Recommendation 9", "AFI 2"])
def test_another_bodys_work_reported_in_an_answer_is_left_out(label, segmenter, inspection, surrey):
    """The NPCC's work (after "I am aware that") and the sentence going on with it are no answer; the force's
    own sentence after them is, registered inspection or not."""
    text = f"{label}\n{REPORTED} {OWN}\n"
    assert _answer(text, UNREGISTERED, segmenter, surrey) == [OWN]
    if label.startswith("Recommendation"):
        assert _answer(text, inspection, segmenter, surrey) == [OWN]


@pytest.mark.parametrize("sentence", [
    "The College of Policing has published new guidance and we have trained every officer in it.",
    "The force has worked with the Home Office to agree a new information sharing protocol.",
    "Working with the College of Policing, the force has delivered training to all call handlers.",
    "The NPCC set out its view that the recommendation rests on too little evidence.",  # a position, no work
    "Surrey Police has reviewed its protocol with the Home Office and published it in March.",
])
def test_the_forces_work_beside_another_body_stays_the_answer(sentence, segmenter, inspection, surrey):
    assert _answer(f"Recommendation 9\n{sentence}\n", inspection, segmenter, surrey) == [sentence]


def test_a_report_of_another_bodys_work_ends_where_the_force_speaks(segmenter, inspection, surrey):
    """Only sentences that go on naming another body with no word of the force's continue the report."""
    later = "The Home Office is content with that approach."  # names a body, but follows the force's own words
    text = f"Recommendation 9\n{REPORTED} {OWN} {later}\n"
    assert _answer(text, inspection, segmenter, surrey) == [f"{OWN} {later}"]


def test_the_real_letters_answer_is_the_text_the_annotators_gave(tmp_path):
    """corpus/raw/responses/essex-g206.txt, scored end to end: the passage answering recommendations 1, 4 and 5 is
    the adjudicated answer text (its pieces joined by " ... "), without the NPCC's workshops with the Home Office."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    source = ROOT / "corpus" / "raw" / "responses"
    (inputs / "essex-g206.txt").write_bytes((source / "essex-g206.txt").read_bytes())
    row = next(line for line in (source / "sources.csv").read_text(encoding="utf-8").splitlines()
               if ",essex-g206.txt," in line)
    (inputs / "sources.csv").write_text(
        (source / "sources.csv").read_text(encoding="utf-8").splitlines()[0] + "\n" + row + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["score", str(inputs), "--out", str(out), "--inspections", str(ROOT / "corpus" / "inspections"),
                 "--model", str(ROOT / "models" / "status-classifier.joblib"), *no_reviews(out), "--no-cache"])
    assert code == 0
    passages = pd.read_csv(out / "passages.csv", dtype=str, keep_default_na=False)
    [answer] = passages[passages["recommendations"] == "1;4;5"]["response_text"]
    labels = [json.loads(line) for line in (ROOT / "corpus" / "annotations" / "real.jsonl").read_text(
        encoding="utf-8").splitlines() if '"essex-g206.txt"' in line]
    assert sorted(label["item"] for label in labels) == ["Recommendation 1", "Recommendation 4", "Recommendation 5"]

    def words(text: str) -> str:
        return " ".join(text.replace("’", "'").replace(" ... ", " ").split())

    assert {words(label["text"]) for label in labels} == {words(answer)}
    assert "NPCC has worked" not in answer and "Further work" not in answer
