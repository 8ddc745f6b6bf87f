"""Segment: the force's words on a page that reports its response as speech (pipeline/segment/speech.py).

The news page below was written for these tests (no real text): who says each line, and that the force's
lines answer an inspection no register holds as blanket passages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import io
from pipeline.identify import slug
from pipeline.segment import segment
from pipeline.segment.lines import split_lines
from pipeline.segment.speech import FORCE, OTHER, Speakers, speakers
from pipeline.types import Document, Inspection, Page

NEWS_PAGE = "\n".join([
    "Surrey Police told to speed up call handling",                                                         # 0
    "Inspectors said: \"We found that too many calls were abandoned before anyone answered them.\"",      # 1
    "Chief Constable Alex Morgan said: \"We accept what was said and have recruited twelve call handlers.",  # 2
    "\"The new telephone system goes live in March and we will publish our progress every quarter.\"",     # 3
    "The weather was poor on the day of the visit, which took place in spring.",                         # 4
    "Mr Morgan added that the control room now answers most calls within ten seconds.",                   # 5
    "\"There is more to do for callers who ring the non-emergency line,\" said Assistant Chief Constable Sam Patel.",  # 6
    "HM Inspector Chris Lee said: \"I am encouraged by the start the constabulary has made.\"",           # 7
    "\"We will return next year to check on progress in the control room.\"",                             # 8
    "Responding to the inspectors, Ms Patel said a review of the non-emergency line is under way.",       # 9
    "We use cookies to make our website work and to measure how you use our pages.",                      # 10
    "OPCC comment: funding for the twelve extra call handlers comes from this year's budget.",            # 11
    "I welcome the inspectors' visit, which found the force keen to learn.",                               # 12
    "Chief Constable Alex Morgan said:",                                                                    # 13
    "\"The inspectors found our call handlers well trained, and HMICFRS recognised the new system.\"",    # 14
    "Since May, Surrey Police has:",                                                                        # 15
    "- recruited twelve more call handlers for the night shift",                                            # 16
    "Mr Morgan thanked the call handlers.",                                                                 # 17
    "The queue on the non-emergency line was long in the winter.",                                         # 18
    "He added that a new rota for the call handlers starts in June.",                                      # 19
    "The control room is busier than ever, according to the county's police and crime commissioner.",      # 20
    "The building dates from 1970 and was refitted in 2019.",                                             # 21
    "\"I am sorry for every caller we kept waiting,\" one of them told the meeting.",                     # 22
    "Surrey Police was found to be good at recording crime in the last inspection.",                     # 23
    "The Inspector of Constabulary, Jo Bloggs, said the control room had improved a great deal.",         # 24
    "\"I encourage the force to keep going with this work and to report back to us.\"",                   # 25
    "The force responded by saying it had doubled the night shift in the control room.",                 # 26
])


def make_document(text: str) -> Document:
    return Document(source="inline.txt", sha256="0" * 64, media_type="text", text=text, pages=(Page(1, 0, len(text)),))


@pytest.fixture(scope="module")
def surrey(forces):
    return next(f for f in forces if f.name == "Surrey Police")


def test_each_line_of_a_news_page_has_the_speaker_a_reader_would_name(segmenter, surrey):
    said = speakers(NEWS_PAGE, split_lines(NEWS_PAGE), segmenter.rules, surrey)
    assert said.get(1) == OTHER  # the inspectors, although they say "we"
    assert said.get(2) == FORCE and said.get(3) == FORCE  # the chief constable, and the quotation carrying on
    assert 4 not in said  # narrative: nobody speaks
    assert said.get(5) == FORCE  # known by surname once introduced with a role
    assert said.get(6) == FORCE  # ", said Assistant Chief Constable ..." after the quotation
    assert said.get(7) == OTHER and said.get(8) == OTHER  # an inspector, first person, carried on by the next quote
    assert said.get(9) == FORCE  # the speaker named nearest the verb, not the inspectors before her
    assert 10 not in said  # the site's own chrome in the first person
    assert said.get(11) == FORCE  # a field label of the force's side
    assert said.get(12) == FORCE  # the author's own first person, whoever it reports
    assert said.get(13) == FORCE and said.get(14) == FORCE  # whom a quotation names is not who speaks it
    assert said.get(15) == FORCE and said.get(16) == FORCE  # a list of the force's actions, introduced by the force
    assert said.get(17) == FORCE and 18 not in said and said.get(19) == FORCE  # "he" is the last speaker named
    assert said.get(20) == FORCE  # "according to the county's police and crime commissioner"
    assert 21 not in said and said.get(22) == FORCE  # a first-person quotation with no placed speaker
    assert said.get(23) != FORCE  # a verb in the passive reports no speech
    assert said.get(24) == OTHER and said.get(25) == OTHER  # an inspector named beside the title, and quoted on
    assert said.get(26) == FORCE  # "responded by saying" is no passive


def test_the_forces_spoken_words_answer_an_unregistered_inspection_as_blanket_passages(segmenter, surrey):
    document = make_document(NEWS_PAGE)
    inspection = Inspection(id=slug("PEEL inspection"), title="PEEL inspection", published=None, aliases=(),
                            recommendations=(), registered=False)
    passages = segment(document, inspection, segmenter, surrey)
    lines = split_lines(NEWS_PAGE)

    def answered(index: int) -> bool:
        return any(p.start <= lines[index].start < p.end for p in passages)

    # the force's lines that name no report: only their speaker makes them answers
    assert answered(3) and answered(6) and answered(11)
    assert all(p.link == "blanket" and p.recommendations == () for p in passages if answered(3))
    assert not answered(4) and not answered(10)
    assert all(p.text == document.text[p.start:p.end] for p in passages)


def test_speech_counts_only_for_an_unregistered_inspection(segmenter, surrey, inspection):
    """A registered inspection is answered item by item: spoken prose alone adds no passage."""
    lines = split_lines(NEWS_PAGE)
    passages = segment(make_document(NEWS_PAGE), inspection, segmenter, surrey)
    assert not any(p.start <= lines[3].start < p.end for p in passages)


def test_speech_rules_are_data(segmenter):
    rules = io.read_package_data("segment.toml")
    assert "[speech]" in rules and "responders" in rules and "field_label" in rules
    assert segmenter.rules.speech.min_words > 0


def test_a_rank_abbreviated_or_after_the_forces_name_still_places_the_speaker(segmenter, surrey):
    """"Ch Supt X said", and "Surrey Police Chief Constable X said" (the force's name before the role)."""
    page = "\n".join([
        "Surrey Police Chief Constable Robin Vale said: \"It is a fair report, if a hard one to read.\"",  # 0
        "Ch Supt Kim Rowe said the new team had been in place since the spring.",                             # 1
        "He said twenty more officers had been trained in the last month.",                                  # 2
        "Det Supt Lee Hart told the meeting the backlog had halved since June.",                            # 3
    ])
    said = speakers(page, split_lines(page), segmenter.rules, surrey)
    assert said == {0: FORCE, 1: FORCE, 2: FORCE, 3: FORCE}


# Written for these tests (no real text): headlines of instructions the force received, and an HM Inspector
# titled by region, quoted after a line about the force.
INSTRUCTED_PAGE = "\n".join([
    "Surrey Police told to improve its call handling",                                                    # 0
    "Surrey Police told it requires improvement in two areas",                                            # 1
    "Surrey Police is moving its control room to a new building next year.",                              # 2
    "Inspector for the South Eastern Region Jo Bloggs said: \"We found that calls went unanswered at night.",  # 3
    "\"The force must now set out how it will answer every call within a minute.\"",                      # 4
    "The force has been told to publish its plan by March.",                                               # 5
    "Chief Constable Alex Morgan told the meeting that the plan is ready.",                               # 6
    "Surrey Police told the panel it had recruited twelve call handlers.",                                # 7
])


def test_an_instruction_the_force_received_is_not_its_speech(segmenter, surrey):
    said = speakers(INSTRUCTED_PAGE, split_lines(INSTRUCTED_PAGE), segmenter.rules, surrey)
    assert said.get(0) != FORCE and said.get(1) != FORCE  # a headline's passive "told to" / "told it"
    assert said.get(5) != FORCE  # "has been told to": the passive with its auxiliary
    assert said.get(6) == FORCE and said.get(7) == FORCE  # "told" someone something: the force speaks


def test_an_inspector_titled_by_region_and_the_quotation_carried_on_are_the_inspectorates(segmenter, surrey):
    said = speakers(INSTRUCTED_PAGE, split_lines(INSTRUCTED_PAGE), segmenter.rules, surrey)
    assert said.get(3) == OTHER and said.get(4) == OTHER


def test_real_news_pages_keep_the_inspectorates_words_and_instructions_off_the_forces_side(segmenter, forces):
    """corpus/raw/responses: gwent-g212 quotes an HM Inspector titled by region; warwickshire-g411's headline
    is an instruction."""
    from pathlib import Path

    responses = Path(__file__).resolve().parents[1] / "corpus" / "raw" / "responses"
    gwent = next(f for f in forces if f.name == "Gwent Police")
    text = (responses / "gwent-g212.txt").read_text(encoding="utf-8")
    lines = split_lines(text)
    quoted = next(line.index for line in lines if line.text.startswith("Inspector for the"))
    said = speakers(text, lines, segmenter.rules, gwent)
    assert said.get(quoted) == OTHER and said.get(quoted + 1) == OTHER
    # no passage of the page is the force's: its overall stance can never be the inspector's words
    inspection = Inspection(id=slug("HMIC inspection"), title="HMIC inspection", published=None, aliases=(),
                            recommendations=(), registered=False)
    passages = segment(make_document(text), inspection, segmenter, gwent)
    assert passages and all(p.voice != "force" for p in passages)
    assert not any(p.start <= lines[quoted].start < p.end and p.voice != "inspectorate" for p in passages)
    warwickshire = next(f for f in forces if f.name == "Warwickshire Police")
    text = (responses / "warwickshire-g411.txt").read_text(encoding="utf-8")
    assert speakers(text, split_lines(text), segmenter.rules, warwickshire).get(0) != FORCE


def _each_line_alone_and_backwards(text: str, rules, force) -> dict[int, str]:
    """The speakers of ``text`` found line by line as segment asks for them, checked against reading it in order."""
    lines = split_lines(text)
    whole = speakers(text, lines, rules, force)
    for line in lines:  # a fresh mapping for each line: nothing before it attributed yet
        assert Speakers(text, lines, rules, force).get(line.index) == whole.get(line.index), line.text
    backwards = Speakers(text, lines, rules, force)
    assert {line.index: backwards[line.index] for line in reversed(lines) if line.index in backwards} == whole
    return whole


def test_a_line_asked_alone_has_the_speaker_reading_the_whole_page_gives_it(segmenter, surrey):
    """Segment attributes only the lines it asks about: a quotation carried on, "he added", a list of the force's."""
    whole = _each_line_alone_and_backwards(NEWS_PAGE, segmenter.rules, surrey)
    assert whole[3] == whole[16] == whole[19] == FORCE and whole[25] == OTHER  # carried on from lines before


def test_real_pages_reporting_speech_get_the_same_speakers_line_by_line(segmenter, forces):
    """Real responses quoting their chief constable or commissioner (corpus/raw/responses, no reserved force)."""
    folder = Path(__file__).resolve().parents[1] / "corpus" / "raw" / "responses"
    pages = [io.read_text(p) for p in sorted(folder.glob("*.txt"))]
    quoting = [page for page in pages if re.search(r"\b(?:he|she) (?:said|added)\b", page)][:12]
    assert len(quoting) >= 5
    for page in quoting:
        assert _each_line_alone_and_backwards(page, segmenter.rules, None)


def test_people_named_beside_a_role_either_side_are_known_by_surname_later(segmenter, surrey):
    """A name before ", the <role>" or ", <role>" (the comma and "the" on any line), or after a role, names a person."""
    page = "\n".join([
        "Kim Rowe, PCC for Surrey, has written to the inspectorate.",                    # 0
        "Alex O'Neill,",                                                                    # 1
        "  the Deputy Chief Constable, chaired the board.",                               # 2
        "Officers met Chief Constable Robin Vale in May.",                                # 3
        "Ms Rowe said twenty more officers had been trained in the last month.",          # 4
        "Mr O'Neill told the board the backlog had halved since June.",                   # 5
        "Mr Vale added that the control room now answers most calls within ten seconds.",  # 6
        "Mr Hart said the weather had been poor all week.",                               # 7
    ])
    said = speakers(page, split_lines(page), segmenter.rules, surrey)
    assert said.get(4) == said.get(5) == said.get(6) == FORCE
    assert 7 not in said  # never introduced with a role


def test_an_inspector_named_between_the_force_and_the_verb_is_the_speaker(segmenter, surrey):
    """The one named nearest the verb speaks: an inspector known by surname, after the force's role, beats it."""
    page = "\n".join([
        "HM Inspector Chris Lee visited the control room in May.",                  # 0
        "The chief constable and Lee agreed that the backlog had halved.",          # 1
        "The chief constable and the team agreed that the backlog had halved.",     # 2
    ])
    said = speakers(page, split_lines(page), segmenter.rules, surrey)
    assert said.get(1) == OTHER and said.get(2) == FORCE
    assert Speakers(page, split_lines(page), segmenter.rules, surrey).get(1) == OTHER


FORCE_NAMED_PAGE = "\n".join([
    "Suffolk Police: control room 'too slow', inspectors say",                                                 # 0
    "Police took three days to call back a man who told officers his car had been stolen, a watchdog found.",  # 1
    "Suffolk Police said it had recruited twelve more call handlers since the spring.",                       # 2
    "Suffolk Police took a week to ring a woman who told staff she had been threatened, inspectors found.",   # 3
    "The Suffolk force says the new telephone system goes live in March.",                                    # 4
    "Police chief Sam Patel said the control room was busier than ever.",                                     # 5
    "Mr Patel added that the night rota changes in June.",                                                     # 6
    "But the Police Federation, which represents officers, says the shortage of staff is the cause.",        # 7
])


def test_a_forces_name_is_the_force_never_a_person_surnamed_police(segmenter, forces):
    """The force's names (forces.csv, longest first, and its short name before a force noun) name the force.

    Written for this test (no real text). Suffolk's official name is "Suffolk Constabulary": "Suffolk Police"
    is its alias, and must be read whole, not as the short name before a person surnamed "Police", who then
    "told" whatever a line with "Police" in it reports. A speech verb after "who" is said by the one "who" follows.
    """
    suffolk = next(f for f in forces if f.short_name == "Suffolk")
    said = speakers(FORCE_NAMED_PAGE, split_lines(FORCE_NAMED_PAGE), segmenter.rules, suffolk)
    assert said.get(1) == OTHER  # the man told officers; the watchdog found: no force speaks
    assert said.get(2) == FORCE  # by its alias, whole
    assert said.get(3) == OTHER  # the force is named, but the woman told and the inspectors found
    assert said.get(4) == FORCE  # the short name before a force noun
    assert said.get(5) == FORCE and said.get(6) == FORCE  # a news page's "police chief", known by surname after
    assert said.get(7) != FORCE  # the Police Federation is no part of the force


def test_real_news_pages_name_the_force_by_its_name(segmenter, forces):
    """corpus/raw/responses: bedfordshire-g210 (a headline "<force>: ...", then a finding about a girl "who told"
    someone) and suffolk-g306 ("Suffolk Police said", Suffolk's alias)."""
    responses = Path(__file__).resolve().parents[1] / "corpus" / "raw" / "responses"
    bedfordshire = next(f for f in forces if f.short_name == "Bedfordshire")
    text = (responses / "bedfordshire-g210.txt").read_text(encoding="utf-8")
    lines = split_lines(text)
    said = speakers(text, lines, segmenter.rules, bedfordshire)
    finding = next(line for line in lines if line.text.startswith("Police took"))
    force_said = next(line for line in lines if line.text.startswith("The force said"))
    assert said.get(finding.index) == OTHER and said.get(force_said.index) == FORCE
    inspection = Inspection(id=slug("National child protection inspection"), title="National child protection inspection",
                            published=None, aliases=(), recommendations=(), registered=False)
    passages = segment(make_document(text), inspection, segmenter, bedfordshire)
    assert not any(p.start <= finding.start < p.end and p.voice == "force" for p in passages)
    assert any(p.start <= force_said.start < p.end and p.voice == "force" for p in passages)
    suffolk = next(f for f in forces if f.short_name == "Suffolk")
    text = (responses / "suffolk-g306.txt").read_text(encoding="utf-8")
    lines = split_lines(text)
    said = speakers(text, lines, segmenter.rules, suffolk)
    assert any(said.get(line.index) == FORCE for line in lines if line.text.startswith("Suffolk Police said"))


# Written for these tests (no real text): whom a message is sent to is not who speaks (realtext3, fault 2), and an
# inspectorate's warnings reported in the progressive.
ADDRESSED_PAGE = "\n".join([
    "Chief Constable Alex Morgan has written to the inspectorate to say the control room answers every call.",  # 0
    "The commissioner told HMICFRS that twelve more call handlers had been recruited.",                       # 1
    "Mr Morgan wrote to HM Inspector Chris Lee explaining that the new system goes live in March.",           # 2
    "Surrey Police has written to His Majesty's Inspectorate of Constabulary to confirm the plan is under way.",  # 3
    "HM Inspector Chris Lee has written to the chief constable to say calls must be answered faster.",        # 4
    "Inspectors replied to the PCC to say that they will return next year.",                                  # 5
    "Responding to the inspectors, Chief Constable Alex Morgan said a review is under way.",                  # 6
    "For years the inspectorate had been warning that too many calls went unanswered.",                      # 7
    "The report was written by the inspectorate after its visit in May.",                                     # 8
])


def test_the_one_written_or_spoken_to_is_not_the_speaker(segmenter, surrey):
    said = speakers(ADDRESSED_PAGE, split_lines(ADDRESSED_PAGE), segmenter.rules, surrey)
    assert [said.get(k) for k in range(4)] == [FORCE] * 4  # the force writes to or tells the inspectorate
    assert said.get(4) == OTHER and said.get(5) == OTHER  # the inspectorate writes to the force's side
    assert said.get(6) == FORCE
    assert said.get(7) == OTHER  # "had been warning": the progressive is no passive
    assert said.get(8) != FORCE  # "was written by": the passive still reports no speech
    assert _each_line_alone_and_backwards(ADDRESSED_PAGE, segmenter.rules, surrey) == said


def test_real_pages_give_a_message_to_its_sender(segmenter, forces):
    """corpus/raw/responses (no reserved force): lincolnshire-g051, an HM Inspector "has written to the force
    explaining"; surrey-c056, panel minutes where the commissioner gave "a brief introduction to the report and
    highlighted" the force's work; greater-manchester-g110, a reporter's account of what the inspectorate "had been
    warning"."""
    responses = Path(__file__).resolve().parents[1] / "corpus" / "raw" / "responses"
    cases = [("lincolnshire-g051.txt", "Lincolnshire Police", "has written to the force", OTHER),
             ("surrey-c056.txt", "Surrey Police", "introduction to the report and", FORCE),
             ("greater-manchester-g110.txt", "Greater Manchester Police", "had been warning", OTHER)]
    for file, name, words, speaker in cases:
        force = next(f for f in forces if f.name == name)
        text = io.read_text(responses / file)
        lines = split_lines(text)
        [line] = [line for line in lines if words in line.text.replace("\n", " ")]
        assert speakers(text, lines, segmenter.rules, force).get(line.index) == speaker, file
