"""The model's cue features, as one scikit-learn transformer (:class:`StatusCueFeatures`).

The cue lexicon engine's tense, aspect and modality cues, the rule baseline's decision and past / future /
deadline dates.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pipeline.cues import LazyCueEngineMixin, check_texts, feature_families, load_cue_lexicon, role_counts, rule_decision
from pipeline.dates import find_dates, parse_year_month
from pipeline.types import LABELS


def _compare(when: tuple[int, int | None], ref: tuple[int, int | None]) -> int:
    """-1 if ``when`` is before ``ref``, 1 if after, 0 if the same or not comparable at that precision."""
    if when[1] is None or ref[1] is None:
        return (when[0] > ref[0]) - (when[0] < ref[0])
    return (when > ref) - (when < ref)


def date_features(text: str, reference: tuple[int, int | None] | None = None) -> dict[str, float]:
    """``date_past``, ``date_future``, ``date_deadline`` (0/1) for one text.

    Dates with a year are compared with ``reference`` (year, month) - the
    response's date when the caller knows it. Without a reference, the latest
    dated mention of the text is the reference, so ``date_past`` means "an
    earlier date than the latest one mentioned" and ``date_future`` cannot fire;
    promised dates still show through ``date_deadline`` ("by March 2026").
    Comparison is by month when both sides have one, else by year.
    """
    dates = find_dates(text)
    dated = [(d["year"], d["month"]) for d in dates if d["year"] is not None]
    ref = reference
    if ref is None and dated:
        ref = max(dated, key=lambda d: (d[0], d[1] or 0))
    relations = [_compare(d, ref) for d in dated] if ref is not None else []
    return {
        "date_past": float(any(r < 0 for r in relations)),
        "date_future": float(any(r > 0 for r in relations)),
        "date_deadline": float(any(d["deadline"] for d in dates)),
    }


# --- the spaCy cue transformer ---------------------------------------------------------

class StatusCueFeatures(LazyCueEngineMixin, TransformerMixin, BaseEstimator):
    """Linguistic cue features of tense, aspect and modality, one row per text.

    Texts go through the blank spaCy pipeline of :mod:`pipeline.nlp`
    (sentencizer + lookup lemmatizer) and the cue lexicon's Matcher (see
    ``pipeline/data/cues.toml`` and :class:`pipeline.cues.CueEngine`).
    Columns (``get_feature_names_out``):

    * ``cue_<family>`` - 1 if the family fires anywhere in the text (one column
      per family of the lexicon with ``feature = true``: closure, now_state, perfect, past,
      existing_practice, progressive, review_begun, future, conditional,
      outstanding, refusal, blanket, restatement, negation, ...);
    * ``share_<family>`` - the share of the text's sentences in which it fires;
    * ``mixed_done_todo`` / ``mixed_done_started`` - both kinds present (the
      guidelines' mixed-tense case, which a linear model cannot form itself);
    * ``rule_<label>`` - one-hot of the rule baseline's decision;
    * ``date_past``, ``date_future``, ``date_deadline`` - see :func:`date_features`.

    Parameters
    ----------
    lexicon : None, str or mapping
        The cue lexicon (``None``: the packaged one). It is parsed into
        ``lexicon_`` at ``fit``, so a saved model keeps the lexicon it was
        trained with.
    reference_date : None, date or "YYYY[-MM[-DD]]"
        What dates are past or future relative to; ``None``: the latest date
        each text mentions.

    The spaCy ``Language`` is built on first use and dropped from the pickled
    state, so a saved model stays small and the pipeline is rebuilt (about a
    second) after loading.
    """

    def __init__(self, lexicon: str | Mapping[str, Any] | None = None, reference_date: Any = None) -> None:
        self.lexicon = lexicon
        self.reference_date = reference_date

    def fit(self, X: Any, y: Any = None) -> "StatusCueFeatures":
        """Load the lexicon and fix the feature names; nothing is learned from ``X``."""
        check_texts(X)
        self.lexicon_ = load_cue_lexicon(self.lexicon)
        self.reference_ = parse_year_month(self.reference_date)
        families = feature_families(self.lexicon_)
        names = [f"cue_{f}" for f in families] + [f"share_{f}" for f in families]
        names += ["mixed_done_todo", "mixed_done_started"]
        names += [f"rule_{label}" for label in LABELS]
        names += ["date_past", "date_future", "date_deadline"]
        self.feature_names_out_ = np.array(names, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The column names (see the class docstring)."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()


    def transform(self, X: Any) -> np.ndarray:
        """The feature matrix, ``(n_texts, n_features_out_)``."""
        check_is_fitted(self, "lexicon_")
        texts = check_texts(X)
        families = feature_families(self.lexicon_)
        index = {name: i for i, name in enumerate(self.feature_names_out_)}
        out = np.zeros((len(texts), self.n_features_out_))
        for row, (text, sentences) in enumerate(zip(texts, self._engine().analyse(texts))):
            n_sentences = max(len(sentences), 1)
            for family in families:
                hits = sum(1 for s in sentences if family in s.families)
                out[row, index[f"cue_{family}"]] = float(hits > 0)
                out[row, index[f"share_{family}"]] = hits / n_sentences
            counts = role_counts(sentences)
            out[row, index["mixed_done_todo"]] = float(counts["done"] > 0 and counts["todo"] > 0)
            out[row, index["mixed_done_started"]] = float(counts["done"] > 0 and counts["started"] > 0)
            out[row, index[f"rule_{rule_decision(counts)}"]] = 1.0
            for name, value in date_features(text, self.reference_).items():
                out[row, index[name]] = value
        return out


def steps_of(estimator: Any, kind: type) -> list[Any]:
    """Every estimator of type ``kind`` inside ``estimator`` and its nested Pipelines / FeatureUnions."""
    found, stack = [], [estimator]
    while stack:
        step = stack.pop()
        if isinstance(step, kind):
            found.append(step)
        stack.extend(s for _, s in getattr(step, "steps", []))
        stack.extend(s for _, s in getattr(step, "transformer_list", []))
    return found


def _cue_steps(estimator: Any) -> list[Any]:
    """Every estimator with a cue engine inside a Pipeline / FeatureUnion."""
    return steps_of(estimator, LazyCueEngineMixin)


def share_engine(estimator: Any, engine: Any) -> None:
    """Give every cue step of an unfitted ``estimator`` the same :class:`~pipeline.cues.CueEngine`.

    Evaluation fits hundreds of models on the same texts: one engine (with its
    memo) spares a spaCy pipeline per fit and a pass per text. Only for steps
    that use the packaged lexicon (``lexicon=None``), which is the engine's.
    """
    for step in _cue_steps(estimator):
        if getattr(step, "lexicon", None) is not None:
            raise ValueError("share_engine: a cue step with its own lexicon cannot share the packaged one")
        step.__dict__["_engine_cache"] = engine


def drop_engine(estimator: Any) -> None:
    """Forget shared engines (the next use builds the step's own); pickling drops them anyway."""
    for step in _cue_steps(estimator):
        step.__dict__.pop("_engine_cache", None)
