"""The cue lexicon engine (pipeline.cues), the rule baseline and the prediction helpers of pipeline.classify."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_no_attributes_set_in_init

from pipeline import io
from pipeline.classify import CueRuleClassifier, classify_passages, predict, sentence_nlp, split_sentences
from pipeline.cues import CueEngine, load_cue_lexicon, rule_decision, statement_label
from pipeline.nlp import load_abbreviations, make_nlp
from pipeline.types import LABELS, ClassifiedPassage, Passage

LEXICON = load_cue_lexicon()


@pytest.fixture(scope="module")
def engine() -> CueEngine:
    return CueEngine(LEXICON)


@pytest.fixture(scope="module")
def baseline() -> CueRuleClassifier:
    return CueRuleClassifier().fit([], [])


def _families(engine: CueEngine, sentence: str) -> set[str]:
    return {m.family for s in engine.analyse([sentence])[0] for m in s.matches}


# --- the lexicon -----------------------------------------------------------------

def test_lexicon_families_and_labels() -> None:
    names = [f["name"] for f in LEXICON["families"]]
    for expected in ("perfect", "past", "existing_practice", "progressive", "review_begun", "future",
                     "conditional", "outstanding", "refusal", "blanket", "restatement", "negation"):
        assert expected in names
    voting = {f["label"] for f in LEXICON["families"]} - {"none"}
    assert voting == set(LABELS)


EXAMPLES = [(f["name"], s, True) for f in LEXICON["families"] for s in f["fires_on"]] + [
    (f["name"], s, False) for f in LEXICON["families"] for s in f["silent_on"]
]


@pytest.mark.parametrize(("family", "sentence", "fires"), EXAMPLES,
                         ids=[f"{f}-{'fires' if x else 'silent'}-{i}" for i, (f, _, x) in enumerate(EXAMPLES)])
def test_lexicon_examples(engine: CueEngine, family: str, sentence: str, fires: bool) -> None:
    """Every family matches its fires_on sentences and not its silent_on ones (both kept in cues.toml)."""
    assert (family in _families(engine, sentence)) is fires


def test_every_family_has_positive_and_negative_examples() -> None:
    for family in LEXICON["families"]:
        assert family["fires_on"] and family["silent_on"], family["name"]


def test_lexicon_rejects_bad_label() -> None:
    bad = {"families": {"x": {"label": "done", "role": "done", "phrases": ["x"]}}}
    with pytest.raises(ValueError, match="label"):
        load_cue_lexicon(bad)


def test_curly_apostrophes_match(engine: CueEngine) -> None:
    assert "perfect" in _families(engine, "We\u2019ve trained every call handler.")


def test_overlap_and_scope_rules(engine: CueEngine) -> None:
    # the blanket statement absorbs the future cue inside it
    assert _families(engine, "All actions will be progressed by the relevant departments.") == {"blanket"}
    # a refusal beats the future reading of "will"
    assert "future" not in _families(engine, "The force will not be adopting this recommendation.")
    # a done cue after a modal is void
    assert "existing_practice" not in _families(engine, "A new process will be put in place.")


# --- the rule baseline -------------------------------------------------------------

HARD_CASES = [
    ("The policy was updated in October 2023.", "completed"),
    ("The policy is being reviewed.", "in_progress"),
    ("We will review the policy.", "planned"),
    ("We accept all the recommendations.", "not_addressed"),
    ("We have updated the policy and will now train staff.", "in_progress"),
    ("A review of the custody procedure has begun.", "in_progress"),
    ("Once the national guidance is published we will update our procedure.", "planned"),
    ("This recommendation does not apply to the force because it has no custody suite.", "not_addressed"),
    ("Progress will be monitored through our governance boards.", "not_addressed"),
    ("Monthly audit reports are produced for the board.", "completed"),
    # a delivered change closed with the field's "continue to improve" wording stays completed (continuation
    # is a modifier that takes those words from the progressive family); a closed cause of concern is completed (D12)
    ("The new triage form went live in May and we are continuing to improve it.", "completed"),
    ("The force is being removed from special measures.", "completed"),
    ("The new triage form went live in May and is being rolled out to every hub.", "in_progress"),
    ("", "not_addressed"),
]


@pytest.mark.parametrize(("text", "label"), HARD_CASES)
def test_baseline_follows_guideline_hard_cases(baseline: CueRuleClassifier, text: str, label: str) -> None:
    assert baseline.predict([text])[0] == label
    assert predict(baseline, [text])[0].label == label


# --- explicit status statements (guidelines: decision procedure step 4.4, section 7, D11) ------------------------

#: Short answers that state their status outright (a newcomer's inputs), each with the guideline rule that decides it.
STATUS_STATEMENTS = [
    ("No work has started on this yet.", "planned",
     "section 7: 'Not started' / 'Not yet started' -> planned (the item sits on a plan, no work begun, D1)"),
    ("No action has been taken on this recommendation at this time.", "not_addressed",
     "section 4: no account of action and no commitment to act -> not_addressed"),
    ("Done.", "completed", "section 7: 'Complete' / 'Completed' / 'Delivered' -> completed"),
    ("Planned for 2025.", "planned", "section 7: 'Scheduled' / 'Due Q3' -> planned (D1)"),
    # a newcomer's blanket answer: the model alone read it not_addressed (0.34), as if it only mentioned the report
    ("We have already completed the work on all the recommendations.", "completed",
     "section 6 (D9): a blanket answer saying all the recommendations are done -> completed"),
    ("Most of the recommendations are already in place.", "in_progress",
     "section 6 (D9) and D6: most of the recommendations done -> in_progress"),
]


@pytest.fixture(scope="module")
def shipped():
    return io.load_model(Path(__file__).resolve().parents[1] / "models" / "status-classifier.joblib")


@pytest.mark.parametrize(("text", "label", "rule"), STATUS_STATEMENTS, ids=[t for t, _, _ in STATUS_STATEMENTS])
def test_shipped_model_follows_an_explicit_status_statement(shipped, text: str, label: str, rule: str) -> None:
    prediction = predict(shipped, [text])[0]
    assert prediction.label == label, rule
    # the statement decides the label; the probabilities are still a distribution over the four labels
    assert prediction.confidence == max(prediction.scores.values())
    assert sum(prediction.scores.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(("text", "label"), [
    ("Not started.", "planned"),
    ("No progress has been made.", "not_addressed"),
    ("Status: Complete", "completed"),
    ("RAG status: Amber", "in_progress"),
    # the text contradicts the status word: a part is still to do (hard case 2), so the word alone does not decide
    ("Complete. Training for supervisors is still to be delivered.", None),
    # no status statement at all
    ("The policy was updated in May.", None),
    # whole-report claims (section 6, D9, D6)
    ("All the recommendations have now been implemented.", "completed"),
    ("Most of the recommendations are already in place.", "in_progress"),
    # all done, yet a part still to do: hard case 2, the claim alone does not decide
    ("All the recommendations have now been implemented and training will be delivered next year.", None),
    # a PCC's intent that all will be actioned is no claim that they are (D2)
    ("I will make sure that all recommendations are actioned.", None),
])
def test_statement_label_needs_a_statement_the_text_does_not_contradict(engine: CueEngine, text: str,
                                                                         label: str | None) -> None:
    families = {m.family for s in engine.analyse([text])[0] for m in s.matches}
    assert statement_label(families, LEXICON) == label


def test_shipped_model_reads_a_recurring_practice_begun_on_a_past_date_as_in_place(shipped, engine: CueEngine) -> None:
    """Guidelines section 1: a practice that exists and meets the ask is ``completed``; a weekly meeting that began on a
    past date exists. "A review that has begun" (section 2) is a piece of work under way, a meeting series is not.
    A newcomer's item (the model read it ``in_progress`` 0.71 while "began" counted as a review begun)."""
    text = ("The force has set up a weekly hate incident review meeting, chaired by a Superintendent, "
            "which began on 1 October 2024.")
    assert _families(engine, text) == {"perfect", "existing_practice"}
    assert predict(shipped, [text])[0].label == "completed"
    # a review (one piece of work) that has begun stays a start
    assert "review_begun" in _families(engine, "A review of the policy began in May.")


def test_status_statements_name_families_of_the_lexicon() -> None:
    with pytest.raises(ValueError, match="status_statements"):
        load_cue_lexicon({"settings": {"status_statements": ["nowhere"]},
                          "families": {"x": {"label": "completed", "role": "done", "phrases": ["x"]}}})


def test_rule_decision_order() -> None:
    assert rule_decision({"refusal": 1, "done": 3}) == "not_addressed"
    assert rule_decision({"started": 1, "done": 2}) == "in_progress"
    assert rule_decision({"done": 1, "todo": 1}) == "in_progress"
    assert rule_decision({"done": 1}) == "completed"
    assert rule_decision({"todo": 2, "blanket": 1}) == "planned"
    assert rule_decision({"blanket": 2}) == "not_addressed"
    assert rule_decision({}) == "not_addressed"


def test_baseline_is_a_sklearn_estimator(baseline: CueRuleClassifier) -> None:
    check_no_attributes_set_in_init("CueRuleClassifier", CueRuleClassifier())
    fresh = CueRuleClassifier(alpha=1.0)
    assert fresh.fit(["x"], ["planned"]) is fresh
    assert clone(fresh).get_params() == {"lexicon": None, "alpha": 1.0}
    assert sorted(baseline.classes_) == sorted(LABELS)
    texts = [t for t, _ in HARD_CASES]
    proba = baseline.predict_proba(texts)
    assert proba.shape == (len(texts), 4)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert list(baseline.classes_[proba.argmax(axis=1)]) == list(baseline.predict(texts))


def test_baseline_refuses_unknown_labels() -> None:
    with pytest.raises(ValueError, match="unknown labels"):
        CueRuleClassifier().fit(["a"], ["done"])


def test_baseline_pickle_drops_spacy(baseline: CueRuleClassifier) -> None:
    baseline.predict(["The policy was updated."])  # builds the spaCy pipeline
    data = pickle.dumps(baseline)
    assert b"spacy" not in data
    restored = pickle.loads(data)
    assert list(restored.predict([t for t, _ in HARD_CASES])) == list(baseline.predict([t for t, _ in HARD_CASES]))


# --- predict / classify_passages ------------------------------------------------------

PASSAGE = (
    "The force has reviewed its custody procedure. The revised procedure was published in May 2024. "
    "Training for custody sergeants is being delivered and will finish in the autumn."
)


def test_predictions_have_four_scores_and_evidence_from_the_text(baseline: CueRuleClassifier) -> None:
    texts = [PASSAGE, "We will review the vetting policy.", "Keeping people safe matters to us."]
    for text, prediction in zip(texts, predict(baseline, texts)):
        assert set(prediction.scores) == set(LABELS)
        assert sum(prediction.scores.values()) == pytest.approx(1.0)
        assert prediction.confidence == prediction.scores[prediction.label]
        assert prediction.label == max(prediction.scores, key=prediction.scores.get)
        assert 1 <= len(prediction.evidence) <= 2
        assert all(sentence in text for sentence in prediction.evidence)
    assert predict(baseline, [PASSAGE])[0].label == "in_progress"
    assert "being delivered" in " ".join(predict(baseline, [PASSAGE])[0].evidence)


@pytest.mark.parametrize("empty", ["", "   \n  "])
def test_empty_text_is_not_addressed_with_certainty(baseline: CueRuleClassifier, empty: str) -> None:
    (prediction,) = predict(baseline, [empty])
    assert prediction.label == "not_addressed"
    assert prediction.confidence == 1.0
    assert prediction.scores["not_addressed"] == 1.0 and sum(prediction.scores.values()) == 1.0
    assert prediction.evidence == ()


def test_predict_needs_predict_proba() -> None:
    with pytest.raises(TypeError):
        predict(object(), ["text"])


ABBREVIATIONS = Path(__file__).resolve().parent / "data" / "bug-inputs" / "16-abbreviations"


def _answers(text: str) -> list[str]:
    """The answer paragraphs of the abbreviations fixture: every line after an item label's line."""
    lines = [line for line in text.splitlines() if line.strip()]
    return [line for before, line in zip(lines, lines[1:]) if before.lower().startswith(("recommendation", "rec."))]


def test_abbreviations_do_not_cut_sentences(baseline: CueRuleClassifier) -> None:
    """Issue 15: "Ch. Supt.", "No. 5", "approx.", "i.e.", "Asst." and "e.g." end no sentence."""
    answers = _answers((ABBREVIATIONS / "abbreviations.txt").read_text(encoding="utf-8"))
    assert len(answers) == 3
    nlp = make_nlp()
    split = [split_sentences(answer, nlp) for answer in answers]
    # each answer's sentences: the full stops that end a sentence, and no others
    assert [len(s) for s in split] == [2, 2, 1]
    for sentences in split:
        for sentence in sentences:
            assert sentence.endswith(".") and sentence[0].isupper()
            assert not re.search(r"\b(?:Ch|Supt|No|Rec|Asst|approx|Approx|e\.g|i\.e)\.$", sentence)
    for answer, prediction in zip(answers, predict(baseline, answers)):
        for piece in prediction.evidence:
            assert piece in split_sentences(answer, nlp)  # whole sentences, never a fragment


def test_abbreviations_are_data() -> None:
    assert {"Ch.", "Supt.", "Insp.", "No.", "e.g.", "i.e.", "Rec.", "para.", "approx."} <= set(load_abbreviations())
    nlp = make_nlp(abbreviations=[])
    assert len(list(nlp("The Ch. Supt. approved it.").sents)) > 1  # without them the sentencizer cuts
    with pytest.raises(ValueError, match="line 2"):
        load_abbreviations("# a comment\nno stop\n")


def test_predict_uses_the_models_own_pipeline(baseline: CueRuleClassifier) -> None:
    assert sentence_nlp(baseline) is baseline._engine().nlp
    assert sentence_nlp(object()) is None


def test_split_sentences_returns_substrings() -> None:
    text = "First point. Second point, with a date: 1 May 2024.\nA third line without a stop\n\nFourth? Yes."
    sentences = split_sentences(text, make_nlp())
    assert sentences == ["First point.", "Second point, with a date: 1 May 2024.", "A third line without a stop",
                         "Fourth?", "Yes."]
    assert all(s in text for s in sentences)


def _passage(i: int, text: str, link: str) -> Passage:
    return Passage(
        id=f"p{i}", source="x.txt", sha256="0" * 64, recommendations=(str(i),), link=link, start=0,
        end=len(text), page=1, text=text, response_text=text, response_spans=((0, len(text)),),
    )


def test_classify_passages_keeps_order_and_classifies_blanket_links(baseline: CueRuleClassifier) -> None:
    passages = [
        _passage(1, "The policy was updated in October 2023.", "numbered"),
        _passage(2, "We accept all the recommendations.", "blanket"),
        _passage(3, "", "mention"),
    ]
    result = classify_passages(passages, baseline)
    assert isinstance(result, tuple) and all(isinstance(r, ClassifiedPassage) for r in result)
    assert [r.passage.id for r in result] == ["p1", "p2", "p3"]
    assert [r.prediction.label for r in result] == ["completed", "not_addressed", "not_addressed"]


try:  # property test: any text gets a well-formed prediction
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test extra
    pass
else:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=0x2FFF), max_size=200), min_size=1, max_size=4))
    def test_any_text_gets_a_well_formed_prediction(baseline: CueRuleClassifier, texts: list[str]) -> None:
        for text, prediction in zip(texts, predict(baseline, texts)):
            assert prediction.label in LABELS
            assert set(prediction.scores) == set(LABELS)
            assert sum(prediction.scores.values()) == pytest.approx(1.0)
            assert len(prediction.evidence) <= 2
            assert all(sentence in text for sentence in prediction.evidence)
            if not text.strip():
                assert prediction.label == "not_addressed" and prediction.evidence == ()


def test_sentences_after_their_passage_are_analysed_as_if_alone(engine: CueEngine) -> None:
    """``analyse`` reuses a sentence already seen in an earlier text of the same call (how ``predict`` scores
    evidence): the real seed passages' sentences must come out exactly as when each is analysed on its own."""
    import json

    from tests.conftest import ROOT

    seeds = ROOT / "corpus" / "annotations" / "seeds.jsonl"
    records = [json.loads(line) for line in seeds.read_text(encoding="utf-8").splitlines()]
    passages = [r["text"] for r in records]
    sentences = [s for p in passages for s in split_sentences(p)]
    together = engine.analyse(passages + sentences)
    assert together[:len(passages)] == [engine.analyse([p])[0] for p in passages]
    alone = [engine.analyse([s])[0] for s in sentences]
    assert together[len(passages):] == alone
    assert sum(len(s.matches) for a in alone for s in a) > 50  # the seeds' sentences do carry cues


def test_first_token_word_sets_become_plain_words_with_the_same_matches(engine: CueEngine) -> None:
    from pipeline.cues import _split_first_token

    tail = [{"LOWER": "been"}]
    assert _split_first_token([{"LOWER": {"IN": ["has", "have", "has"]}}, *tail]) == [
        [{"LOWER": "has"}, *tail], [{"LOWER": "have"}, *tail]]
    optional = [{"LOWER": {"IN": ["has", "have"]}, "OP": "?"}, *tail]
    assert _split_first_token(optional) == [optional]
    # the split lexicon still finds the perfect in both forms, and not the bare participle
    assert "perfect" in _families(engine, "The force has updated its policy.")
    assert "perfect" in _families(engine, "We have fully implemented the guidance.")
    assert "perfect" not in _families(engine, "The policy updated last year is in place.")


def test_patterns_split_by_first_word_find_what_one_matcher_finds(engine: CueEngine) -> None:
    """The engine keeps a Matcher per first word and tries one only on sentences holding its word (speed): on
    the seed responses and the real corpus excerpts every sentence must get exactly the spans that one
    Matcher holding every pattern, tried everywhere, finds (plus the phrases)."""
    from spacy.matcher import Matcher

    from pipeline.cues import _split_first_token
    from tests.conftest import RAW

    assert len(engine._by_first_word) > 20 and len(engine.matcher) < len(engine._by_first_word)
    reference = Matcher(engine.nlp.vocab)
    for family in LEXICON["families"]:
        if family["patterns"]:
            reference.add(family["name"], [q for p in family["patterns"] for q in _split_first_token(engine._expand(p))])
    texts = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((RAW / "responses").glob("*.txt"))]
    sentences = found = 0
    for doc in engine.nlp.pipe(texts):
        lowers = doc.to_array("LOWER").tolist()
        for sent in doc.sents:
            expected = {(s.label_, s.start, s.end) for s in [*reference(sent, as_spans=True),
                                                             *engine.phrase_matcher(sent, as_spans=True)]}
            assert {(s.label_, s.start, s.end) for s in engine._matches(sent, lowers[sent.start:sent.end])} == expected
            sentences, found = sentences + 1, found + len(expected)
    assert sentences > 1000 and found > 500


def test_memoised_char_ngrams_give_scikit_learns_matrix_exactly() -> None:
    """The shipped model's char_wb vectorizer counts from per-word memos in a run (speed): on the seed responses,
    the real corpus excerpts, their sentences and generated text it must give scikit-learn's own matrix, bit for bit."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pipeline.classify import memoise_char_ngrams
    from pipeline.parallel import ModelSpec
    from tests.conftest import RAW, ROOT

    spec = ModelSpec.from_file(str(ROOT / "models" / "status-classifier.joblib"))
    plain, fast = spec.load(), spec.load()
    memoise_char_ngrams(fast)
    ours = [s for s in _steps(fast) if getattr(s, "analyzer", None) == "char_wb"]
    theirs = [s for s in _steps(plain) if getattr(s, "analyzer", None) == "char_wb"]
    assert len(ours) == 1 and "_count_vocab" in vars(ours[0]) and "_count_vocab" not in vars(theirs[0])

    def same(texts: list[str]) -> None:
        a, b = theirs[0].transform(texts), ours[0].transform(texts)
        assert type(a) is type(b) and a.shape == b.shape and a.dtype == b.dtype and a.has_sorted_indices
        for part in ("indptr", "indices", "data"):
            x, y = getattr(a, part), getattr(b, part)
            assert x.dtype == y.dtype and np.array_equal(x, y)

    texts = [p.read_text(encoding="utf-8") for p in [*sorted(RAW.glob("*.txt")), *sorted((RAW / "responses").glob("*.txt"))]]
    same(texts)
    same([s for t in texts[:40] for s in split_sentences(t)])
    same(texts)  # again, from the memo
    assert np.array_equal(plain.predict_proba(texts), fast.predict_proba(texts))
    alphabet = st.sampled_from(["a", "Z", "é", "e\u0301", "ß", "İ", "ﬁ", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "-", "1",
                                "’"])

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.lists(alphabet, max_size=30).map("".join), min_size=1, max_size=4))
    def generated(batch: list[str]) -> None:
        same(batch)

    generated()


def _steps(model):
    from pipeline.model.features import steps_of

    return steps_of(model, object)


def _seed_answers_on_one_line() -> str:
    """The seed passages' text joined into one line of some 30,000 characters (a passage segment unwrapped)."""
    import json

    from tests.conftest import ROOT

    seeds = ROOT / "corpus" / "annotations" / "seeds.jsonl"
    records = [json.loads(line) for line in seeds.read_text(encoding="utf-8").splitlines()]
    line = " ".join(" ".join(r["text"].split()) for r in records)
    return " ".join([line] * (30_000 // len(line) + 1))


def test_a_line_longer_than_spacy_takes_is_read_in_pieces_with_the_same_sentences_and_cues() -> None:
    """spaCy refuses a text over ``nlp.max_length`` (E088; a 6.4 MB text file lost the whole run). Sentences and
    cues of such a line come from pieces cut at sentence ends: the same, at the same offsets, as read at once."""
    text = _seed_answers_on_one_line()
    whole, small = make_nlp(), make_nlp()
    small.max_length = 2_000
    assert len(text) > 10 * small.max_length and "\n" not in text
    sentences = split_sentences(text, small)
    assert sentences == split_sentences(text, whole)
    assert all(s in text for s in sentences) and len(sentences) > 100
    pieces, at_once = CueEngine(LEXICON, nlp=small).analyse([text])[0], CueEngine(LEXICON, nlp=whole).analyse([text])[0]
    assert pieces == at_once
    assert all(text[s.start_char:s.end_char] == s.text for s in pieces)
    assert all(text[m.start_char:m.end_char] == m.text for s in pieces for m in s.matches)
    assert sum(len(s.matches) for s in pieces) > 50


def test_text_windows_join_back_exactly_and_cut_at_the_best_break_in_reach() -> None:
    from pipeline.nlp import text_windows

    text = "One para.\n\nA line\nthen words. And more words here " + "x" * 40 + " tail"
    for limit in (2, 5, 12, 30, 64, len(text)):
        pieces = text_windows(text, limit)
        assert "".join(p for _, p in pieces) == text
        assert all(len(p) <= limit and text[o:o + len(p)] == p for o, p in pieces)
    assert text_windows(text, len(text)) == [(0, text)]
    assert text_windows(text, 16)[0] == (0, "One para.\n\n")  # a paragraph break first
    assert text_windows(text, 24)[0] == (0, "One para.\n\nA line\n")  # only breaks in the window's second half
    assert [p for _, p in text_windows('Aaaa bbbb." Cccc dd', 16)] == ['Aaaa bbbb." ', "Cccc dd"]  # a sentence end
    assert [p for _, p in text_windows("Aaaa bbbbb cccc dd", 16)] == ["Aaaa bbbbb cccc ", "dd"]  # white space
    assert [p for _, p in text_windows("a" * 50, 20)] == ["a" * 20, "a" * 20, "a" * 10]
    with pytest.raises(ValueError):
        text_windows(text, 1)


# --- the same sentence from every force (newcomer report s8 item 2) ---------------------------------------------------

#: Sentences that differ only in the force that writes them (a newcomer's, and one of each other kind).
FORCE_TEMPLATES = [
    "{} published its updated social media policy to all staff in October 2024.",
    "{} issued a new visible representations policy in January 2025.",
    "{} has trained all equality impact assessors.",
    "{} is reviewing its vetting policy and will report to the panel in the spring.",
    "{} will introduce a new triage form next year.",
]


@pytest.mark.parametrize("template", FORCE_TEMPLATES)
def test_shipped_model_gives_every_force_the_same_status_for_the_same_sentence(shipped, template: str) -> None:
    """All 43 forces of forces.csv get one label and the same probabilities: the scorecard compares forces.

    The model reads every force, PCC and area name as "force" (pipeline.model.ForceNameMasker); before, the
    first sentence was completed from each "... Constabulary" and not_addressed from each "... Police".
    """
    names = [force.name for force in io.load_forces()]
    predictions = predict(shipped, [template.format(name) for name in names])
    assert {p.label for p in predictions} == {predictions[0].label}
    completed = [p.scores["completed"] for p in predictions]
    assert max(completed) - min(completed) < 1e-9
    # the evidence keeps the force's own words: only the features read the name as "force"
    assert all(p.evidence == (template.format(name),) for p, name in zip(predictions, names))
