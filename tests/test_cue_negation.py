"""Cues: a negated blanket claim ("Not all recommendations have been implemented") casts no `completed` vote.

Guidelines section 6: a claim counts only if nothing contradicts it; "not all ... have been implemented" says some
are not done. Sentences written for these tests (no real text).
"""

from __future__ import annotations

import pytest

from pipeline.cues import CueEngine, load_cue_lexicon, role_counts, rule_decision, statement_label


@pytest.fixture(scope="module")
def lexicon():
    return load_cue_lexicon()


@pytest.fixture(scope="module")
def engine(lexicon):
    return CueEngine(lexicon)


def _read(engine, lexicon, text: str) -> tuple[str, str | None]:
    """The rule baseline's label and the status statement of one text."""
    sentences = engine.analyse([text])[0]
    return rule_decision(role_counts(sentences)), statement_label([m.family for s in sentences for m in s.matches],
                                                                  lexicon)


@pytest.mark.parametrize("text", [
    "Not all AFIs have been discharged.",
    "It is not the case that all recommendations have been implemented.",
    "Not all recommendations have been implemented.",
    "Never have all of the actions been completed on time, and not every recommendation has been delivered.",
])
def test_a_negated_universal_casts_no_completed_vote(engine, lexicon, text):
    label, stated = _read(engine, lexicon, text)
    assert label != "completed" and stated != "completed"


@pytest.mark.parametrize("text", [
    "All recommendations have been implemented.",
    "We did not miss the deadline and all recommendations have been implemented.",
    "There is no doubt: every recommendation has been implemented.",
])
def test_a_claim_with_a_negation_elsewhere_stays_completed(engine, lexicon, text):
    assert _read(engine, lexicon, text) == ("completed", "completed")


def test_a_lexicon_without_the_universals_reads_as_it_was_fitted(lexicon):
    """A model pickled before `negated_universal` existed keeps the features it was trained on."""
    old = {**lexicon, "settings": {k: v for k, v in lexicon["settings"].items() if k != "negated_universal"}}
    sentences = CueEngine(old).analyse(["Not all AFIs have been discharged."])[0]
    assert rule_decision(role_counts(sentences)) == "completed"
