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

The cue lexicon engine it builds on (:func:`~pipeline.cues.load_cue_lexicon`,
:class:`~pipeline.cues.CueEngine`) is :mod:`pipeline.cues`, shared with the
``StatusCueFeatures`` transformer of :mod:`pipeline.model`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from pipeline.cues import ROLE_LABEL, LazyCueEngineMixin, SentenceCues, check_texts, load_cue_lexicon, role_counts, rule_decision
from pipeline.types import LABELS, ClassifiedPassage, Passage, Prediction

# --- the rule baseline ---------------------------------------------------------

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
        check_texts(X)
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
        return self._engine().analyse(check_texts(X))

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

def split_sentences(text: str, nlp: Any = None) -> list[str]:
    """Sentences of ``text`` for evidence: each line cut by the shared spaCy sentencizer.

    The one sentence splitter of the project (issue 15): :func:`pipeline.nlp.make_nlp`,
    whose tokenizer keeps the abbreviations of ``pipeline/data/abbreviations.txt``
    whole, so "The Ch. Supt. approved ..." stays one sentence. A line break
    always ends a sentence (table rows and list items carry no full stop).
    Every sentence returned is a substring of ``text`` (stripped of surrounding
    white space), so evidence can always be found in the input.

    Args:
        text: the passage text.
        nlp: a pipeline from :func:`~pipeline.nlp.make_nlp` (``None``: a new one,
            about a second to build; :func:`predict` passes the model's own).
    """
    if nlp is None:
        from pipeline.nlp import make_nlp

        nlp = make_nlp()
    sentences: list[str] = []
    for line in (text or "").splitlines():
        if line.strip():
            sentences.extend(sent.text for sent in nlp(line).sents)
    return [s.strip() for s in sentences if s.strip() and any(c.isalnum() for c in s)]


def sentence_nlp(model: Any) -> Any:
    """The spaCy pipeline a fitted model already holds (its cue engine's), or ``None``.

    Looks through a scikit-learn ``Pipeline`` / ``FeatureUnion`` for an
    estimator with a cue engine (:class:`~pipeline.cues.LazyCueEngineMixin`).
    """
    stack = [model]
    while stack:
        step = stack.pop()
        if isinstance(step, LazyCueEngineMixin) and hasattr(step, "lexicon_"):
            return step._engine().nlp
        stack.extend(s for _, s in getattr(step, "steps", []))
        stack.extend(s for _, s in getattr(step, "transformer_list", []))
    return None


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
    texts = check_texts(texts)
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
    texts = check_texts(texts)
    nlp = None
    if with_evidence and any(t.strip() for t in texts):
        from pipeline.nlp import make_nlp

        nlp = sentence_nlp(model) or make_nlp()
    sentences = [split_sentences(t, nlp) if with_evidence and t.strip() else [] for t in texts]
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
