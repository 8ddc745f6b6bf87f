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

from pipeline.cues import (
    ROLE_LABEL,
    LazyCueEngineMixin,
    SentenceCues,
    check_texts,
    load_cue_lexicon,
    role_counts,
    rule_decision,
    statement_label,
)
from pipeline.types import LABELS, ClassifiedPassage, Passage, Prediction, with_status

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
    from pipeline.nlp import docs_of, make_nlp

    if nlp is None:
        nlp = make_nlp()
    sentences: list[str] = []
    for line in (text or "").splitlines():
        if line.strip():  # a line over spaCy's max_length is read in pieces (docs_of), not refused
            sentences.extend(sent.text for _, doc in docs_of(nlp, line) for sent in doc.sents)
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


class _CharWbCounts:
    """A fitted ``char_wb`` vectorizer's ``_count_vocab`` for transform, from the n-grams of each word, memoised.

    scikit-learn cuts every word of every text into its 2- to 5-grams and looks each up in the vocabulary
    (two thirds of the model's time on the benchmark's passages and sentences). ``char_wb`` n-grams never
    cross a word (each white-space separated word, padded with one space each side), so a word's
    in-vocabulary feature indices, in n-gram order, are computed once; a text's are its words' in order,
    which is the very sequence scikit-learn counts. The counting and the matrix are scikit-learn's own steps,
    so the matrix is identical (test: ``tests/test_classify.py``). Fitting (``fixed_vocab=False``) is left
    to scikit-learn. At most ``limit`` words are remembered (then the memo starts again).
    """

    def __init__(self, vectorizer: Any, align: Any, limit: int = 200_000) -> None:
        self.vectorizer = vectorizer
        self.align = align  # scikit-learn's _align_api_if_sparse: the sparse type its transform returns
        self.limit = limit
        self.memo: dict[str, tuple[int, ...]] = {}

    def __call__(self, raw_documents: Any, fixed_vocab: bool) -> Any:
        import array
        import itertools
        from collections import Counter

        import scipy.sparse as sp
        from sklearn.feature_extraction.text import CountVectorizer

        v = self.vectorizer
        if not fixed_vocab:
            return CountVectorizer._count_vocab(v, raw_documents, fixed_vocab)
        vocabulary, memo = v.vocabulary_, self.memo
        preprocess = v.build_preprocessor()
        j_indices: list[int] = []
        indptr = [0]
        values = array.array("i")
        for doc in raw_documents:
            words = []
            for word in v._white_spaces.sub(" ", preprocess(v.decode(doc))).split():
                ids = memo.get(word)
                if ids is None:
                    if len(memo) >= self.limit:
                        memo.clear()
                    ids = memo[word] = tuple(vocabulary[g] for g in v._char_wb_ngrams(word) if g in vocabulary)
                words.append(ids)
            # counted in C; a Counter keeps first-seen order, as scikit-learn's dict does
            feature_counter = Counter(itertools.chain.from_iterable(words))
            j_indices.extend(feature_counter.keys())
            values.extend(feature_counter.values())
            indptr.append(len(j_indices))
        indices_dtype = np.int64 if indptr[-1] > np.iinfo(np.int32).max else np.int32
        X = sp.csr_array((np.frombuffer(values, dtype=np.intc), np.asarray(j_indices, dtype=indices_dtype),
                          np.asarray(indptr, dtype=indices_dtype)), shape=(len(indptr) - 1, len(vocabulary)),
                         dtype=v.dtype)
        X.sort_indices()
        return vocabulary, self.align(X)


def memoise_char_ngrams(model: Any) -> None:
    """Give every fitted ``char_wb`` vectorizer in ``model`` (a Pipeline / FeatureUnion) a :class:`_CharWbCounts`.

    Only vectorizers whose analysis is scikit-learn's own (no analyzer, tokenizer or n-gram function of
    their own) and that hold a vocabulary; anything else is left as it is. The model's outputs do not change.
    Used on the model of a run's context (:func:`pipeline.parallel.build_context`).
    """
    from sklearn.feature_extraction.text import CountVectorizer

    from pipeline.model.features import steps_of

    try:
        from sklearn.utils._sparse import _align_api_if_sparse
    except ImportError:  # another scikit-learn than the one this mirrors (pinned in pyproject.toml): its own way
        return
    for step in steps_of(model, CountVectorizer):
        own = type(step)
        if (step.analyzer == "char_wb" and hasattr(step, "vocabulary_") and "_count_vocab" not in step.__dict__
                and own.build_analyzer is CountVectorizer.build_analyzer
                and own._char_wb_ngrams is CountVectorizer._char_wb_ngrams
                and own._count_vocab is CountVectorizer._count_vocab):
            step.__dict__["_count_vocab"] = _CharWbCounts(step, _align_api_if_sparse)


def _model_classes(model: Any) -> list[str]:
    if not hasattr(model, "predict_proba") or not hasattr(model, "classes_"):
        raise TypeError("model must be a fitted estimator with predict_proba and classes_")
    classes = [str(c) for c in model.classes_]
    unknown = set(classes) - set(LABELS)
    if unknown:
        raise ValueError(f"model predicts unknown labels {sorted(unknown)}")
    return classes


def _cue_step(model: Any) -> Any:
    """The fitted cue-feature step leading the model's feature union (the trained pipeline's ``cues``), or None.

    The union is the last step before the classifier (a step before it, such as the force-name mask, only
    changes the text it reads).
    """
    steps = getattr(model, "steps", None)
    if not steps or len(steps) < 2:
        return None
    union = getattr(steps[-2][1], "transformer_list", None)
    if not union:
        return None
    first = union[0][1]
    if isinstance(first, LazyCueEngineMixin) and hasattr(first, "feature_names_out_") and hasattr(first, "lexicon_"):
        return first
    return None


def _model_proba(model: Any, texts: list[str]) -> tuple[np.ndarray, list[str | None]]:
    """The model's probabilities, and for each text the label its explicit status statement decides (or None).

    For the trained pipeline the features are computed once: the statement comes from the ``cue_<family>``
    columns of the cue step, which leads the feature union (see :func:`pipeline.cues.statement_label`).
    """
    step = _cue_step(model)
    if step is None:
        return np.asarray(model.predict_proba(texts), dtype=float), [None] * len(texts)
    features = model[:-1].transform(texts)
    proba = np.asarray(model[-1].predict_proba(features), dtype=float)
    names = [str(n) for n in step.get_feature_names_out()]
    columns = [(i, n[len("cue_"):]) for i, n in enumerate(names) if n.startswith("cue_")]
    cues = features[:, :len(names)]
    cues = cues.toarray() if hasattr(cues, "toarray") else np.asarray(cues)
    stated = [statement_label([family for i, family in columns if row[i] > 0], step.lexicon_) for row in cues]
    return proba, stated


def _label_rows(model: Any, texts: Sequence[str]) -> np.ndarray:
    """``(len(texts), 4)`` probabilities in :data:`LABELS` order (labels the model lacks get 0).

    Where a text's explicit status statement decides its label (guidelines step 4.4, D11;
    :func:`pipeline.cues.statement_label`) and the model's top label is another, the two labels' probabilities
    are swapped: the statement decides the label, the model's confidence stays how sure the reading is (so an
    unsure reading is still flagged for review). Few labelled passages state their status this baldly, so the
    model alone has next to nothing to learn it from.
    """
    classes = _model_classes(model)
    out = np.zeros((len(texts), len(LABELS)))
    if not texts:
        return out
    proba, stated = _model_proba(model, list(texts))
    for j, label in enumerate(classes):
        out[:, LABELS.index(label)] = proba[:, j]
    totals = out.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    out = out / totals
    for row, statement in zip(out, stated):
        if statement is not None:
            top, want = _argmax_label(row), LABELS.index(statement)
            if top != want:
                row[top], row[want] = row[want], row[top]
    return out


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


def predict(model: Any, texts: Sequence[str], with_evidence: bool = True,
            statuses: Sequence[str] | None = None) -> list[Prediction]:
    """A :class:`~pipeline.types.Prediction` per text, from any fitted estimator with ``predict_proba``.

    ``scores`` holds all four labels (0 for a label the model never saw) and
    sums to 1; ``label`` is the argmax, ties going to the less advanced label.
    ``evidence`` is the 1-2 sentences of the text that most support the label:
    every sentence is scored by the same model, the sentences whose own best
    label is the predicted one are ranked by that label's probability (or, if no
    sentence supports it alone - a mixed-tense passage - all sentences are) and
    the top two are kept, in text order (a one-sentence text is its own
    evidence). An empty text is ``not_addressed`` with probability 1 and no
    evidence. ``statuses`` (one per text, "" for none): a tracker's status word
    for the item (:attr:`Passage.status <pipeline.types.Passage.status>`), read
    with its text for the label as a status cell ("... | complete") but never
    shown as evidence: the text beside it is (guidelines section 7, D11).
    """
    texts = check_texts(texts)
    statuses = [""] * len(texts) if statuses is None else list(statuses)
    if len(statuses) != len(texts):
        raise ValueError("expected one status per text")
    stated = [with_status(t, s) for t, s in zip(texts, statuses)]
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
    labels, both = predict_labels(model, stated + flat)
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
    """Classify each passage's ``response_text`` with its ``status`` (blanket-linked passages too: the scorer decides).

    The status (a tracker's status cell, :attr:`Passage.status <pipeline.types.Passage.status>`) is read with the
    text for the label, never shown as its evidence (:func:`predict`).
    """
    predictions = predict(model, [p.response_text for p in passages], statuses=[p.status for p in passages])
    return tuple(ClassifiedPassage(passage=p, prediction=pred) for p, pred in zip(passages, predictions))
