"""Which text is a response's evidence on a saved web page: never the site's chrome, a headline or the reporter.

Pages saved from PCCs' and newspapers' sites keep their widgets, advertising and links; a news page's headline and
its narration between quotations are the reporter's words. The overall stance must come from the force's or its
commissioner's own words (pipeline/segment/chrome.py, pipeline/segment/speech.py, score._stance). Every page here
was written for these tests (no real text); each test names the kind of fault it pins.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.identify import slug
from pipeline.score import build_scorecard
from pipeline.segment import segment
from pipeline.segment.lines import split_lines
from pipeline.segment.speech import FORCE, NARRATED, OTHER, speakers
from pipeline.types import ClassifiedPassage, Document, Inspection, Page
from tests.test_score import SURREY, _passage, _result

UNREGISTERED = Inspection(id=slug("PEEL inspection"), title="PEEL inspection", published=None, aliases=(),
                          recommendations=(), registered=False)


def make_document(text: str) -> Document:
    return Document(source="page.txt", sha256="0" * 64, media_type="text", text=text, pages=(Page(1, 0, len(text)),))


@pytest.fixture(scope="module")
def surrey(forces):
    return next(f for f in forces if f.name == "Surrey Police")


def _passages(segmenter, surrey, page: str):
    document = make_document(page)
    return document, segment(document, UNREGISTERED, segmenter, surrey)


def _holding(passages, text: str, fragment: str):
    """The passages whose evidence holds ``fragment``."""
    return [p for p in passages if fragment in p.response_text]


# --- kind: a saved page's chrome (widgets, cookie notices, breadcrumbs, links, advertising) --------------------------

CHROME_PAGE = "\n\n".join([
    "Set your Postcode This will personalise pages such as news and events with the latest from your area.",  # 0
    "We use some essential cookies to make our website work and we would like to set others.",                 # 1
    "Thanks for trying the beta version of our new website. We will be adding new services over the next weeks.",  # 2
    "You are here: Home » News » Our statement on the latest HMICFRS inspection",                              # 3
    "Watch more of our videos on the news channel!",                                                            # 4
    "https://www.example.org/hmicfrs/peel-2025/surrey/",                                                        # 5
    "You can read the commissioner's full response to the report here – PEEL 2025 response",                  # 6
    "Read more: the force's new control room opens in the spring",                                             # 7
    "The commissioner said: \"We welcome the HMICFRS report and the force has already recruited twelve "
    "call handlers to answer calls faster.\"",                                                                  # 8
])


def test_a_saved_pages_chrome_is_never_a_passage(segmenter, surrey):
    """Widgets, cookie notices, the site's "we", breadcrumbs, a bare address, a link's words: nobody's answer."""
    document, passages = _passages(segmenter, surrey, CHROME_PAGE)
    lines = split_lines(CHROME_PAGE)
    for line in lines[:8]:
        assert not any(p.start <= line.start < p.end for p in passages), line.text
    assert any(p.start <= lines[8].start < p.end and p.voice == "force" for p in passages)  # the answer stays


def test_a_chrome_line_in_the_sites_first_person_is_never_the_stance(segmenter, surrey):
    """The site's "our website ... we will be adding" read as the force's voice was a response's overall stance."""
    document, passages = _passages(segmenter, surrey, CHROME_PAGE)
    assert not _holding(passages, CHROME_PAGE, "version of our new website")


HIDE_AD_PAGE = "\n\n".join([
    "Chief Constable Alex Morgan said: \"We have listened to the inspectors and acted on what they found.\"",
    "Hide Ad",
    "The weather on the day of the visit was poor.",
    "Hide AdAssistant Chief Constable Sam Patel added: \"We will publish our call handling figures every quarter.\"",
])


def test_advertising_glued_to_a_paragraph_is_taken_off_and_the_paragraph_stays(segmenter, surrey):
    document, passages = _passages(segmenter, surrey, HIDE_AD_PAGE)
    assert passages and not any("Hide Ad" in p.response_text or "Hide Ad" in p.text for p in passages)
    added = _holding(passages, HIDE_AD_PAGE, "every quarter")
    assert len(added) == 1 and added[0].voice == "force"
    assert document.text[added[0].start:].startswith("Assistant Chief Constable Sam Patel added")


# --- kind: a news page's headline or caption is the reporter's summary ------------------------------------------------

HEADLINE_PAGE = "\n\n".join([
    "Surrey Police praised by inspectors for its progress on call handling",                        # 0 headline
    "Image caption The force control room in Guildford",                                             # 1 caption
    "The commissioner said the force has made progress and she expects the work to continue:",       # 2
    "- Recruiting twelve more call handlers for the day shift",                                      # 3 list item
    "- A second control room for the night shift",                                                   # 4 list item
    "Chief Constable Alex Morgan said: \"We accept every finding of the HMICFRS report and we have a plan.\"",
    "I welcome the inspectorate's examination of our call handling and note the report's assessment that: –",
    "HMICFRS found the force's call handling good",                                                  # 7 headline
    "The commissioner said she will ask for a progress report at the next panel meeting in the spri",  # 8 cut off
])


def test_a_headline_or_caption_is_never_a_passage_but_a_list_item_and_the_last_line_are(segmenter, surrey):
    document, passages = _passages(segmenter, surrey, HEADLINE_PAGE)
    lines = split_lines(HEADLINE_PAGE)

    def answered(i: int) -> bool:
        return any(p.start <= lines[i].start < p.end for p in passages)

    assert not answered(0) and not answered(1) and not answered(7)
    assert answered(2) and answered(3) and answered(5)
    assert answered(6)  # it introduces what follows (": –"), no headline
    assert answered(8)  # an excerpt may end mid-sentence: its last line is no headline


# --- kind: the reporter's narration is not the force's voice ----------------------------------------------------------

NEWS_PAGE = "\n\n".join([
    "Three areas of policing were judged to require improvement, with the force rated adequate in five others.",  # 0
    "It said the force had long delays in answering non-emergency calls and was slow to attend incidents.",       # 1
    "Inspectors reported: \"The force has a plan to improve its call handling.",                                   # 2
    "\"The force is working to ensure its processes are fair to callers.\"",                                        # 3
    "Chief Constable Alex Morgan said: \"We accept the findings and are disappointed with the grade.\"",           # 4
    "The weather on the day of the visit was poor.",                                                                # 5
    "The latest report reveals that the force has since achieved most of the earlier recommendations.",           # 6
])


def test_on_a_page_that_quotes_the_force_the_narration_is_the_reporters(segmenter, surrey):
    said = speakers(NEWS_PAGE, split_lines(NEWS_PAGE), segmenter.rules, surrey)
    assert said.get(0) is None  # no speaker: the reporter's words
    assert said.get(1) != FORCE  # "it said the force had ...": the force is what is said, not who says it
    assert said.get(2) == OTHER and said.get(3) == OTHER  # the inspectors' quotation, carried on
    assert said.get(4) == FORCE
    assert said.get(6) == NARRATED  # the force's work told in the third person: in nobody's placed voice
    document, passages = _passages(segmenter, surrey, NEWS_PAGE)
    assert [p.voice for p in _holding(passages, NEWS_PAGE, "We accept the findings")] == ["force"]
    narrated = _holding(passages, NEWS_PAGE, "has since achieved")
    assert narrated and all(p.voice == "reporter" for p in narrated)  # still a passage of the force's work
    assert not any(p.voice == "force" for p in _holding(passages, NEWS_PAGE, "Three areas of policing"))


def test_a_word_naming_the_inspectorate_is_never_a_persons_name_after_the_forces(segmenter, surrey):
    """The force's name at a paragraph's end made "Inspectorate", opening the next one, a person of the force's."""
    page = "\n\n".join([
        "The report has been highly critical of Surrey Police",
        "HM Inspectorate of Constabulary said Surrey Police had the lowest arrest rate in the region.",
        "Chief Constable Alex Morgan said: \"We take the criticism seriously and have a plan.\"",
    ])
    said = speakers(page, split_lines(page), segmenter.rules, surrey)
    assert said.get(1) == OTHER and said.get(2) == FORCE


def test_a_sentence_wrapped_onto_the_next_line_keeps_its_speaker(segmenter, surrey):
    """A page's text broken mid-sentence: the rest of the force's sentence is not the report's ("report ... highlighted")."""
    page = "\n".join([
        "Chief Constable Alex Morgan said: \"We welcome the report and we fully accept the findings in the",
        "report and recognise there are areas for improvement highlighted.",
        "\"We are working hard on these areas and have already made changes since the inspection.\"",
    ])
    said = speakers(page, split_lines(page), segmenter.rules, surrey)
    assert said == {0: FORCE, 1: FORCE, 2: FORCE}


def test_a_quotation_closing_on_the_next_paragraph_keeps_its_speaker(segmenter, surrey):
    """A quotation left open runs on into the next paragraph without its opening mark: "This report has highlighted
    ... and I will be ensuring ..." is still the commissioner's, not the report's."""
    page = "\n\n".join([
        "Reacting to the report, the commissioner said: \"The inspection gives me a useful view of the force.",
        "This report has highlighted several areas for improvement, and I will make sure the chief takes them "
        "forward.\" More details about the report can be found online.",
        "Inspectors said: \"We found the force keen to improve.",
    ])
    said = speakers(page, split_lines(page), segmenter.rules, surrey)
    assert said.get(0) == FORCE and said.get(1) == FORCE
    assert said.get(2) == OTHER  # a new quotation, opened by another speaker, is not carried on


def test_a_mention_after_of_or_in_is_not_the_speaker(segmenter, surrey):
    """"The assessment of Surrey Police's custody suites said ...": the assessment speaks, not the force."""
    page = "\n\n".join([
        "The assessment of Surrey Police custody suites said it could not assure the public that force was justified.",
        "It highlighted problems in the force control room, although said these should improve with more staff.",
        "Head of Public Protection at Surrey Police, Sam Patel, said the new team starts in May.",
    ])
    said = speakers(page, split_lines(page), segmenter.rules, surrey)
    assert said.get(0) != FORCE and said.get(1) != FORCE
    assert said.get(2) == FORCE  # a role "at" the force still places its speaker


def test_a_page_that_quotes_nobody_keeps_its_unplaced_words_the_authors(segmenter, surrey):
    """A commissioner's own paper, citing the report and writing of its commissioner, has no reporter: its unplaced
    lines stay ""."""
    page = "\n\n".join([
        "The report found that the force answers most emergency calls quickly.",
        "The commissioner acknowledges that the ethics committee's advice helps the force to improve.",
        "The building dates from 1970.",
        "Progress against the recommendations of the report is reviewed at every monthly board.",
        "The building was refitted in 2019.",
        "I welcome the report.",
    ])
    document, passages = _passages(segmenter, surrey, page)
    board = _holding(passages, page, "monthly board")
    assert board and board[0].voice == ""


# --- kind: the overall stance is the force's own words before the reporter's -----------------------------------------

def _stance_voice(*blankets) -> str:
    """The voice of the stance among blanket passages given as (start, voice, label)."""
    sha = "e" * 64
    items = []
    for start, voice, label in blankets:
        item = _passage(sha, start, [], link="blanket", label=label, text="x" * 100)
        items.append(ClassifiedPassage(replace(item.passage, voice=voice), item.prediction))
    card = build_scorecard([_result(SURREY, UNREGISTERED, items, sha)], [], [UNREGISTERED])
    chosen = card.passages[card.passages["is_overall_stance"]]
    return str(chosen["voice"].iloc[0])


def test_the_stance_is_the_forces_words_before_a_reporters_account_read_as_a_claim():
    assert _stance_voice((0, "reporter", "in_progress"), (500, "force", "not_addressed")) == "force"
    assert _stance_voice((0, "reporter", "in_progress"), (500, "inspectorate", "completed")) == "reporter"
    # on a page that quotes nobody, an unplaced claim still comes before the force's welcome (guideline D2)
    assert _stance_voice((0, "", "in_progress"), (500, "force", "not_addressed")) == ""


# --- the same kinds on real responses (corpus/raw/responses; none from a reserved force) ------------------------------

ROOT = Path(__file__).resolve().parents[1]
RESPONSES = ROOT / "corpus" / "raw" / "responses"
REAL_LABELS = ROOT / "corpus" / "annotations" / "real.jsonl"

#: Responses whose overall stance was page chrome, a headline or the reporter's (or the inspectorate's) words before
#: the realtext4 audit, each by the kind that was fixed; now the stance passage holds the labelled "all" answer.
STANCE_PINS = {
    "surrey-g014.txt": "a link's words ('You can read the PCC's full response ... here') was the stance",
    "west-yorkshire-g440.txt": "the reporter's account of the inspectors' sampling, read as a claim",
    "hertfordshire-g017.txt": "the reporter's announcement of a meeting, read as a claim",
    "warwickshire-g509.txt": "an inspector's quotation after 'concluded:' taken for the force's words",
    "hampshire-and-isle-of-wight-g204.txt": "'Inspectorate' after the force's name taken for a person of the force's",
    "cleveland-g423.txt": "the inspectors' quotation after 'Inspectors reported:' taken for the force's words",
}


@pytest.fixture(scope="module")
def real_scored(tmp_path_factory):
    """The pinned real responses, scored end to end with the shipped model, and their labelled answers."""
    import json

    import pandas as pd

    from pipeline.cli import main
    from tests.conftest import no_reviews

    folder = tmp_path_factory.mktemp("real-stance")
    inputs, out = folder / "in", folder / "out"
    inputs.mkdir()
    for name in STANCE_PINS:
        shutil.copy(RESPONSES / name, inputs / name)
    sources = pd.read_csv(RESPONSES / "sources.csv", dtype=str, keep_default_na=False)
    sources[sources["file"].isin(list(STANCE_PINS))].to_csv(inputs / "sources.csv", index=False)
    assert main(["score", str(inputs), "--out", str(out), *no_reviews(out), "--no-cache", "--as-of", "2026-01-01"]) == 0
    passages = pd.read_csv(out / "passages.csv", dtype=str, keep_default_na=False)
    labels = [json.loads(line) for line in REAL_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return passages, {name: [r["text"] for r in labels if r["file"] == name and r["item"] == "all"] for name in STANCE_PINS}


@pytest.mark.parametrize("name", list(STANCE_PINS))
def test_a_real_responses_stance_holds_its_labelled_answer(real_scored, name):
    passages, answers = real_scored
    stance = passages[(passages["source"].str.endswith("/" + name)) & (passages["is_overall_stance"] == "True")]
    assert len(stance) == 1, STANCE_PINS[name]
    def plain(text: str) -> str:
        return " ".join(text.split()).translate(str.maketrans("‘’“”", "''\"\""))

    first = " ".join(answers[name][0].split(" ... ")[0].split()[:8])
    assert plain(first) in plain(stance["response_text"].iloc[0]), STANCE_PINS[name]


@pytest.mark.parametrize("name, chrome", [("avon-and-somerset-a040.txt", "Set your Postcode"),
                                          ("staffordshire-g059.txt", "version of our new website"),
                                          ("warwickshire-g032.txt", "Hide Ad")])
def test_no_passage_of_a_real_page_holds_its_chrome(forces, inspections, nlp, segmenter, name, chrome):
    import pandas as pd

    from pipeline import io
    from pipeline.identify import build_identifier, identify
    from pipeline.ingest import ingest

    sources = pd.read_csv(RESPONSES / "sources.csv", dtype=str, keep_default_na=False)
    url = sources[sources["file"] == name]["url"].iloc[0]
    document = ingest(io.read_source(RESPONSES / name))
    assert chrome in document.text
    found = identify(document, build_identifier(forces, inspections, nlp), url=url)
    passages = segment(document, found.inspection, segmenter, found.force)
    assert passages and not any(chrome in p.text for p in passages)
