"""Segment: what the force says of a registered inspection's recommendations as a whole is its blanket answer.

Newcomer report s6, item 4: a news page quoting a chief constable on a registered inspection ("we have already
completed the work on most of the recommendations") gave no passage and no overall stance, because speech became
blanket passages only for inspections no register holds. The pages below are written for these tests (no real
text; the people and answers are invented). They answer the activism and impartiality inspection, which the
register holds (``corpus/inspections/activism-impartiality-2024.toml``).
"""

from __future__ import annotations

import pandas as pd

from pipeline.cli import main
from pipeline.segment import segment
from pipeline.segment.lines import split_lines
from pipeline.types import Document, Page
from tests.conftest import FORCE_RECOMMENDATIONS, ROOT, no_reviews

NEWS_LINES = [
    "Chief Constable says most HMICFRS recommendations are already met",  # 0 a headline: no sentence
    "Posted 5 November 2024",  # 1
    "HMICFRS published An inspection into activism and impartiality in policing, with recommendations for forces.",  # 2
    "HM Inspector of Constabulary Jo Bloggs said: \"Too few forces have acted on the recommendations of our "
    "earlier reports.\"",  # 3 the inspectorate's speech
    "Surrey Police's Chief Constable Alex Morgan said: \"We have finished most of the work the recommendations ask "
    "for, and the rest will be done by March.\"",  # 4 the force's answer
    "Read our full response to the recommendations.",  # 5 a link
    "We use cookies to make this site work, and we would like to set optional cookies.",  # 6 the site's chrome
]
NEWS_PAGE = "\n".join(NEWS_LINES)


def _document(text: str) -> Document:
    return Document(source="inline.txt", sha256="0" * 64, media_type="text", text=text, pages=(Page(1, 0, len(text)),))


def _surrey(forces):
    return next(f for f in forces if f.name == "Surrey Police")


def _covers(passage, line) -> bool:
    return any(s < line.end and line.start < e for s, e in passage.response_spans)


def test_the_chief_constables_words_on_the_recommendations_are_the_blanket_answer(segmenter, inspection, forces):
    passages = segment(_document(NEWS_PAGE), inspection, segmenter, _surrey(forces))
    lines = split_lines(NEWS_PAGE)
    assert len(passages) == 1
    answer = passages[0]
    assert answer.link == "blanket" and answer.recommendations == FORCE_RECOMMENDATIONS
    assert answer.voice == "force" and answer.item_kind == "recommendation"
    assert _covers(answer, lines[4])
    # neither the headline, the inspector's words, the report's own line nor the page's links and chrome
    assert not any(_covers(answer, lines[i]) for i in (0, 1, 2, 3, 5, 6))


def test_the_inspectorates_words_alone_answer_nothing(segmenter, inspection, forces):
    page = "\n".join(NEWS_LINES[:4] + NEWS_LINES[5:])
    assert segment(_document(page), inspection, segmenter, _surrey(forces)) == ()


def test_an_itemised_response_gains_its_overall_words_only_without_blanket_wording(segmenter, inspection, forces):
    items = ["Recommendation 9", "We have published the new social media policy.",
             "Recommendation 10", "A consultation with the staff networks closes in January."]
    overall = "I am pleased that most recommendations are already met, and I will see the rest through."
    passages = segment(_document("\n".join([overall, *items])), inspection, segmenter, _surrey(forces))
    assert [(p.recommendations, p.link) for p in passages] == [
        (FORCE_RECOMMENDATIONS, "blanket"), (("9",), "numbered"), (("10",), "numbered")]
    assert passages[0].response_text == overall
    # a line of blanket wording ("we accept all the recommendations") is the blanket answer; the rest is not added
    accepting = "We accept all the recommendations in the report."
    passages = segment(_document("\n".join([accepting, overall, *items])), inspection, segmenter, _surrey(forces))
    assert [p.response_text for p in passages if p.link == "blanket"] == [accepting]


def test_a_news_page_on_a_registered_inspection_has_the_chief_constables_stance(tmp_path, capsys):
    """End to end through the CLI with the shipped model: each cell stays not_addressed, the stance is the speech's label."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    body = "".join(f"<p>{line}</p>" for line in NEWS_LINES[1:])
    (inputs / "surrey-news.html").write_text(
        f"<html><head><title>News | Surrey Police</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<main><h1>{NEWS_LINES[0]}</h1>{body}</main><footer>Contact us | Privacy</footer></body></html>",
        encoding="utf-8")
    out = tmp_path / "out"
    code = main(["score", str(inputs), "--out", str(out), "--inspections", str(ROOT / "corpus" / "inspections"),
                 "--model", str(ROOT / "models" / "status-classifier.joblib"), *no_reviews(out), "--no-cache",
                 "--quiet"])
    capsys.readouterr()
    assert code == 0
    read = dict(dtype=str, keep_default_na=False)
    passages = pd.read_csv(out / "passages.csv", **read)
    forces = pd.read_csv(out / "forces.csv", **read)
    scorecard = pd.read_csv(out / "scorecard.csv", **read)
    assert list(passages["link"]) == ["blanket"] and list(passages["voice"]) == ["force"]
    assert passages.loc[0, "evidence"].startswith("Surrey Police's Chief Constable Alex Morgan said")
    assert list(passages["is_overall_stance"]) == ["True"]
    assert list(forces["inspection"]) == ["activism-impartiality-2024"] and list(forces["force"]) == ["Surrey Police"]
    assert forces.loc[0, "overall_stance_basis"] == "blanket"
    assert forces.loc[0, "overall_stance"] == passages.loc[0, "status"] != ""
    assert sorted(scorecard["recommendation"], key=int) == list(FORCE_RECOMMENDATIONS)
    assert set(scorecard["status"]) == {"not_addressed"} and set(scorecard["basis"]) == {"blanket"}


def test_the_rule_is_data(segmenter):
    assert segmenter.rules.speech_blanket and segmenter.rules.speech_blanket_chrome
