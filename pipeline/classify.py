"""Classify a passage's recommendation status: ``completed``, ``in_progress``, ``planned`` or ``not_addressed``.

Three public pieces:

* :class:`CueRuleClassifier` - the transparent baseline. It matches the cue
  lexicon of ``pipeline/data/cues.toml`` (tense, aspect and modality of the
  response sentences), then applies the decision order of the annotation
  guidelines' hard cases. It is a scikit-learn classifier over raw texts, so it
  can be evaluated exactly like the trained model of :mod:`pipeline.model`.
* :func:`predict` - turns any fitted estimator with ``predict_proba`` and
  ``classes_`` (the baseline or the trained pipeline) into
  :class:`~pipeline.types.Prediction` records: label, its probability, all four
  labels' probabilities and the 1-2 sentences that most support the label.
* :func:`classify_passages` - :func:`predict` over
  :attr:`Passage.response_text <pipeline.types.Passage.response_text>`.

The cue engine (:func:`load_cue_lexicon`, :class:`CueEngine`) is shared with the
``StatusCueFeatures`` transformer of :mod:`pipeline.model`.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from pipeline.types import GUIDELINE_ORDER, LABELS, ClassifiedPassage, Passage, Prediction


#: Roles a cue family can play in the rule baseline's decision order.
ROLES: tuple[str, ...] = ("done", "started", "todo", "refusal", "blanket", "restatement", "modifier")

#: The label each voting role supports.
ROLE_LABEL: dict[str, str] = {
    "done": "completed",
    "started": "in_progress",
    "todo": "planned",
    "refusal": "not_addressed",
    "blanket": "not_addressed",
    "restatement": "not_addressed",
}

_CUES_FILE = "cues.toml"
_TOKEN_KEYS = {
    "LOWER", "LEMMA", "TEXT", "ORTH", "NORM", "OP", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT", "LIKE_NUM",
    "IS_SENT_START", "IS_TITLE", "IS_LOWER", "IS_UPPER", "LENGTH", "SHAPE", "PREFIX", "SUFFIX", "MACRO",
}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


# --- the cue lexicon ---------------------------------------------------------

def load_cue_lexicon(cues: str | Mapping[str, Any] | None = None) -> dict:
    """Parse and check a cue lexicon.

    ``cues`` is ``None`` (the packaged ``pipeline/data/cues.toml``), the text of
    a TOML file in that format, or an already parsed mapping. Returns a plain,
    picklable dict ``{"version", "settings", "macros", "families": [...]}`` with
    the families as a list in file order (order breaks ties between overlapping
    matches). Raises ``ValueError`` naming what is wrong.
    """
    if cues is None:
        from pipeline.io import read_package_data

        cues = read_package_data(_CUES_FILE)
    data = tomllib.loads(cues) if isinstance(cues, str) else copy.deepcopy(dict(cues))
    settings = dict(data.get("settings", {}))
    settings.setdefault("void_done_after", [])
    settings.setdefault("sentence_scope", [])
    macros = dict(data.get("macros", {}))
    raw_families = data.get("families")
    if isinstance(raw_families, list):  # already normalised
        families = [dict(f) for f in raw_families]
    elif isinstance(raw_families, Mapping):
        families = [dict(body, name=name) for name, body in raw_families.items()]
    else:
        raise ValueError("cue lexicon: no [families] table")
    names = [f["name"] for f in families]
    if len(set(names)) != len(names):
        raise ValueError("cue lexicon: duplicate family names")
    for family in families:
        name = family["name"]
        if family.get("label") not in (*LABELS, "none"):
            raise ValueError(f"cue family {name!r}: label {family.get('label')!r} is not one of {LABELS} or 'none'")
        if family.get("role") not in ROLES:
            raise ValueError(f"cue family {name!r}: role {family.get('role')!r} is not one of {ROLES}")
        if family["role"] in ROLE_LABEL and ROLE_LABEL[family["role"]] != family["label"]:
            raise ValueError(f"cue family {name!r}: role {family['role']!r} votes for {ROLE_LABEL[family['role']]!r}, not {family['label']!r}")
        family.setdefault("description", "")
        family["phrases"] = [str(p) for p in family.get("phrases", [])]
        family["patterns"] = [list(p) for p in family.get("patterns", [])]
        family["fires_on"] = [str(s) for s in family.get("fires_on", [])]
        family["silent_on"] = [str(s) for s in family.get("silent_on", [])]
        if not family["phrases"] and not family["patterns"]:
            raise ValueError(f"cue family {name!r}: no phrases and no patterns")
        for pattern in family["patterns"]:
            if not pattern:
                raise ValueError(f"cue family {name!r}: empty pattern")
            for token in pattern:
                unknown = set(token) - _TOKEN_KEYS
                if unknown:
                    raise ValueError(f"cue family {name!r}: unknown token keys {sorted(unknown)}")
                if "MACRO" in token and token["MACRO"] not in macros:
                    raise ValueError(f"cue family {name!r}: unknown macro {token['MACRO']!r}")
    for scoped in settings["sentence_scope"]:
        if scoped not in names:
            raise ValueError(f"cue lexicon: sentence_scope names unknown family {scoped!r}")
    return {"version": data.get("version", 1), "settings": settings, "macros": macros, "families": families}


def cue_families(lexicon: Mapping[str, Any]) -> tuple[str, ...]:
    """The family names of a lexicon from :func:`load_cue_lexicon`, in file order."""
    return tuple(f["name"] for f in lexicon["families"])


@dataclass(frozen=True)
class CueMatch:
    """One cue found in a text: its family, the label and role it points to, and where it is."""

    family: str
    label: str
    role: str
    text: str
    start_char: int
    end_char: int


@dataclass(frozen=True)
class SentenceCues:
    """One sentence of a text and the cue matches kept in it (after the lexicon's filtering rules)."""

    text: str
    start_char: int
    end_char: int
    matches: tuple[CueMatch, ...]

    @property
    def families(self) -> set[str]:
        """The families matched in this sentence."""
        return {m.family for m in self.matches}


def _split_first_token(pattern: list[dict]) -> list[list[dict]]:
    """``pattern``, or one pattern per word when its first token is just ``{"LOWER": {"IN": [...]}}``.

    The Matcher tries every pattern's first token on every token of a text: a
    set test there is a call into Python each time, a plain ``LOWER`` value is
    compared in C. The patterns match exactly the same spans.
    """
    first = pattern[0]
    lower = first.get("LOWER")
    if set(first) != {"LOWER"} or not isinstance(lower, Mapping) or set(lower) != {"IN"} or not lower["IN"]:
        return [pattern]
    return [[{"LOWER": word}, *pattern[1:]] for word in dict.fromkeys(lower["IN"])]


class CueEngine:
    """spaCy pipeline plus Matcher for a cue lexicon: texts in, :class:`SentenceCues` out.

    Built from a lexicon of :func:`load_cue_lexicon`. It holds a spaCy
    ``Language``, so estimators build it lazily and never pickle it.
    """

    def __init__(self, lexicon: Mapping[str, Any]) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        from pipeline.nlp import make_nlp

        self.lexicon = lexicon
        self.nlp = make_nlp()
        self.matcher = Matcher(self.nlp.vocab)
        # fixed phrases go to a PhraseMatcher: it finds the same spans as one-token-per-word LOWER patterns
        # in the Matcher, at a fraction of the cost (most of the lexicon is phrases)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._families = {f["name"]: f for f in lexicon["families"]}
        self._priority = {name: i for i, name in enumerate(self._families)}
        self._void_after = {str(w).lower() for w in lexicon["settings"]["void_done_after"]}
        self._scope = set(lexicon["settings"]["sentence_scope"])
        for family in lexicon["families"]:
            if family["patterns"]:
                self.matcher.add(family["name"], [q for p in family["patterns"] for q in _split_first_token(self._expand(p))])
            if family["phrases"]:
                self.phrase_matcher.add(family["name"], [self.nlp.make_doc(p.translate(_APOSTROPHES)) for p in family["phrases"]])

    def _expand(self, pattern: Sequence[Mapping[str, Any]]) -> list[dict]:
        out = []
        for token in pattern:
            token = dict(token)
            macro = token.pop("MACRO", None)
            if macro is not None:
                token = {**copy.deepcopy(self.lexicon["macros"][macro]), **token}
            out.append(token)
        return out

    def analyse(self, texts: Iterable[str]) -> list[list[SentenceCues]]:
        """For each text, its sentences with the cue matches kept in each.

        A text that is exactly a sentence of an earlier text in the same call
        gets that sentence's analysis without going through spaCy again.
        :func:`predict` sends each passage's sentences after the passages (to
        find the evidence), and a sentence's tokens, boundaries and matches
        depend only on its own characters (the tokenizer splits at white
        space, the sentencizer and the matcher look within the sentence), so
        the result is the same at about half the cost.
        """
        known: dict[str, tuple[CueMatch, ...]] = {}  # sentence text -> its matches, offsets from the sentence start
        out = []
        for text in texts:
            prepared = (text or "").translate(_APOSTROPHES)  # same length: offsets still valid
            if prepared in known:
                out.append([SentenceCues(text=prepared, start_char=0, end_char=len(prepared), matches=known[prepared])])
                continue
            sentences = self._analyse_doc(self.nlp(prepared))
            for sentence in sentences:
                known.setdefault(sentence.text, tuple(
                    replace(m, start_char=m.start_char - sentence.start_char, end_char=m.end_char - sentence.start_char)
                    for m in sentence.matches))
            out.append(sentences)
        return out

    def _analyse_doc(self, doc: Any) -> list[SentenceCues]:
        sentences = []
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            candidates = []
            for span in [*self.matcher(sent, as_spans=True), *self.phrase_matcher(sent, as_spans=True)]:
                family = self._families[span.label_]
                # rule 2: a `done` cue right after a modal / "to" / "be" / "not" is void
                if family["role"] == "done" and span.start > sent.start and doc[span.start - 1].lower_ in self._void_after:
                    continue
                candidates.append(span)
            # rule 1: overlapping matches - the longest wins, then the family listed first
            candidates.sort(key=lambda s: (-(s.end - s.start), self._priority[s.label_], s.start))
            taken: set[int] = set()
            kept = []
            for span in candidates:
                positions = set(range(span.start, span.end))
                if positions & taken:
                    continue
                taken |= positions
                kept.append(span)
            # rule 3: a sentence with a blanket / refusal / restatement cue counts only for those
            if any(s.label_ in self._scope for s in kept):
                kept = [s for s in kept if s.label_ in self._scope]
            kept.sort(key=lambda s: s.start)
            matches = tuple(
                CueMatch(
                    family=s.label_, label=self._families[s.label_]["label"], role=self._families[s.label_]["role"],
                    text=s.text, start_char=s.start_char, end_char=s.end_char,
                )
                for s in kept
            )
            sentences.append(SentenceCues(text=sent.text, start_char=sent.start_char, end_char=sent.end_char, matches=matches))
        return sentences


def role_counts(sentences: Sequence[SentenceCues]) -> Counter:
    """How many kept cue matches of each role a text has."""
    return Counter(m.role for s in sentences for m in s.matches)


def rule_decision(counts: Mapping[str, int]) -> str:
    """The baseline's label from role counts, in the guidelines' decision order.

    1. a refusal / "does not apply" anywhere            -> ``not_addressed``
    2. anything started (progressive, review begun)      -> ``in_progress``
    3. something done and something still to do (mixed)  -> ``in_progress``
    4. something done                                    -> ``completed``
    5. something to do (future, conditional, outstanding) -> ``planned``
    6. blanket statements only, restatement, or nothing  -> ``not_addressed``
    """
    if counts.get("refusal", 0):
        return "not_addressed"
    if counts.get("started", 0):
        return "in_progress"
    if counts.get("done", 0) and counts.get("todo", 0):
        return "in_progress"
    if counts.get("done", 0):
        return "completed"
    if counts.get("todo", 0):
        return "planned"
    return "not_addressed"


def _check_texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise ValueError("expected a sequence of texts, got a single string")
    texts = list(X)
    for text in texts:
        if text is not None and not isinstance(text, str):
            raise ValueError(f"expected texts (str), got {type(text).__name__}")
    return ["" if t is None else t for t in texts]


# --- the rule baseline ---------------------------------------------------------

class LazyCueEngineMixin:
    """For estimators fitted with a ``lexicon_``: a :class:`CueEngine` built on first use and never pickled.

    The engine holds a spaCy ``Language``; rebuilding it after loading keeps
    the joblib file small and free of spaCy internals.
    """

    def _engine(self) -> CueEngine:
        engine = self.__dict__.get("_engine_cache")
        if engine is None:
            engine = CueEngine(self.lexicon_)
            self.__dict__["_engine_cache"] = engine
        return engine

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())
        state.pop("_engine_cache", None)
        return state


class CueRuleClassifier(LazyCueEngineMixin, ClassifierMixin, BaseEstimator):
    """Transparent baseline: cue lexicon + the guidelines' decision order.

    Parameters
    ----------
    lexicon : None, str or mapping
        The cue lexicon: ``None`` for ``pipeline/data/cues.toml``, TOML text, or
        a parsed mapping (see :func:`load_cue_lexicon`).
    alpha : float
        Additive smoothing of the cue counts when they are turned into
        probabilities.

    ``fit`` learns nothing from the data: it loads the lexicon into
    ``lexicon_`` (so a pickled baseline keeps the lexicon it was built with) and
    sets ``classes_`` to the four labels. Probabilities: each label gets
    ``alpha`` plus the number of cue matches voting for it; the label chosen by
    :func:`rule_decision` is then raised to one above the largest other score
    (so it is always the argmax), and the scores are normalised.
    """

    def __init__(self, lexicon: str | Mapping[str, Any] | None = None, alpha: float = 0.5) -> None:
        self.lexicon = lexicon
        self.alpha = alpha

    def fit(self, X: Any, y: Any = None) -> "CueRuleClassifier":
        """Load the lexicon and set ``classes_``; ``y``, when given, must hold only the four labels."""
        _check_texts(X)
        if y is not None:
            unknown = set(np.asarray(y, dtype=object).tolist()) - set(LABELS)
            if unknown:
                raise ValueError(f"unknown labels {sorted(map(str, unknown))}: expected {LABELS}")
        if self.alpha <= 0:
            raise ValueError("alpha must be > 0")
        self.lexicon_ = load_cue_lexicon(self.lexicon)
        self.classes_ = np.array(sorted(LABELS), dtype=object)
        return self


    def analyse(self, X: Any) -> list[list[SentenceCues]]:
        """The sentences and kept cue matches of each text (to see why a label was chosen)."""
        check_is_fitted(self, "lexicon_")
        return self._engine().analyse(_check_texts(X))

    def _scores(self, counts: Mapping[str, int]) -> np.ndarray:
        raw = {label: float(self.alpha) for label in self.classes_}
        for role, n in counts.items():
            if role in ROLE_LABEL:
                raw[ROLE_LABEL[role]] += n
        decided = rule_decision(counts)
        others = max(v for k, v in raw.items() if k != decided)
        raw[decided] = max(raw[decided], others + 1.0)
        values = np.array([raw[label] for label in self.classes_])
        return values / values.sum()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Smoothed cue-count probabilities, columns in ``classes_`` order."""
        analyses = self.analyse(X)
        if not analyses:
            return np.zeros((0, len(self.classes_)))
        return np.vstack([self._scores(role_counts(a)) for a in analyses])

    def predict(self, X: Any) -> np.ndarray:
        """The label of :func:`rule_decision` for each text."""
        check_is_fitted(self, "lexicon_")
        return np.array([rule_decision(role_counts(a)) for a in self.analyse(X)], dtype=object)


# --- predictions -----------------------------------------------------------------

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9\u2022])")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` for evidence: line breaks and sentence-final punctuation before a capital.

    Every sentence returned is a substring of ``text`` (stripped of surrounding
    whitespace), so evidence can always be found in the input.
    """
    sentences = []
    for line in (text or "").splitlines():
        start = 0
        for m in _SENTENCE_BREAK.finditer(line):
            sentences.append(line[start:m.start()])
            start = m.end()
        sentences.append(line[start:])
    return [s.strip() for s in sentences if s.strip() and any(c.isalnum() for c in s)]


def _model_classes(model: Any) -> list[str]:
    if not hasattr(model, "predict_proba") or not hasattr(model, "classes_"):
        raise TypeError("model must be a fitted estimator with predict_proba and classes_")
    classes = [str(c) for c in model.classes_]
    unknown = set(classes) - set(LABELS)
    if unknown:
        raise ValueError(f"model predicts unknown labels {sorted(unknown)}")
    return classes


def _label_rows(model: Any, texts: Sequence[str]) -> np.ndarray:
    """``(len(texts), 4)`` probabilities in :data:`LABELS` order (labels the model lacks get 0)."""
    classes = _model_classes(model)
    out = np.zeros((len(texts), len(LABELS)))
    if not texts:
        return out
    proba = np.asarray(model.predict_proba(list(texts)), dtype=float)
    for j, label in enumerate(classes):
        out[:, LABELS.index(label)] = proba[:, j]
    totals = out.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    return out / totals


def _argmax_label(row: np.ndarray) -> int:
    # ties go to the less advanced label: LABELS runs least to most advanced, argmax takes the first
    return int(np.argmax(row))


def predict_labels(model: Any, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Labels and ``(n, 4)`` probabilities (columns in :data:`LABELS` order) without evidence.

    Empty or blank texts are ``not_addressed`` with probability 1 and are not
    shown to the model.
    """
    texts = _check_texts(texts)
    rows = np.zeros((len(texts), len(LABELS)))
    rows[:, LABELS.index("not_addressed")] = 1.0
    filled = [i for i, t in enumerate(texts) if t.strip()]
    if filled:
        rows[filled] = _label_rows(model, [texts[i] for i in filled])
    return [LABELS[_argmax_label(r)] for r in rows], rows


def predict(model: Any, texts: Sequence[str], with_evidence: bool = True) -> list[Prediction]:
    """A :class:`~pipeline.types.Prediction` per text, from any fitted estimator with ``predict_proba``.

    ``scores`` holds all four labels (0 for a label the model never saw) and
    sums to 1; ``label`` is the argmax, ties going to the less advanced label.
    ``evidence`` is the 1-2 sentences of the text that most support the label:
    every sentence is scored by the same model, the sentences whose own best
    label is the predicted one are ranked by that label's probability (or, if no
    sentence supports it alone - a mixed-tense passage - all sentences are) and
    the top two are kept, in text order (a one-sentence text is its own
    evidence). An empty text is ``not_addressed`` with probability 1 and no
    evidence.
    """
    texts = _check_texts(texts)
    sentences = [split_sentences(t) if with_evidence and t.strip() else [] for t in texts]
    # a text of one sentence has it as evidence, whatever its scores: only longer texts are ranked
    ranked = [group if len(group) > 1 else [] for group in sentences]
    flat = [s for group in ranked for s in group]
    # texts and their sentences in one call to the model: its transforms work row by row, and each call
    # has a fixed cost that was, per document, as large as the work itself
    labels, both = predict_labels(model, texts + flat)
    labels, rows, sentence_rows = labels[:len(texts)], both[:len(texts)], both[len(texts):]
    predictions, offset = [], 0
    for text_label, row, group in zip(labels, rows, sentences):
        evidence = tuple(group)
        if len(group) > 1:
            block = sentence_rows[offset:offset + len(group)]
            offset += len(group)
            j = LABELS.index(text_label)
            supporting = [i for i in range(len(group)) if _argmax_label(block[i]) == j]
            pool = supporting or list(range(len(group)))
            best = sorted(pool, key=lambda i: (-block[i, j], i))[:2]
            evidence = tuple(group[i] for i in sorted(best))
        scores = {label: float(row[k]) for k, label in enumerate(LABELS)}
        predictions.append(Prediction(label=text_label, confidence=scores[text_label], scores=scores, evidence=evidence))
    return predictions


def classify_passages(passages: Sequence[Passage], model: Any) -> tuple[ClassifiedPassage, ...]:
    """Classify each passage's ``response_text`` (blanket-linked passages too: the scorer decides what to do with them)."""
    predictions = predict(model, [p.response_text for p in passages])
    return tuple(ClassifiedPassage(passage=p, prediction=pred) for p, pred in zip(passages, predictions))
