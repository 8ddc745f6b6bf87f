"""The model's cue features, as one scikit-learn transformer (:class:`StatusCueFeatures`).

The cue lexicon engine's tense, aspect and modality cues, the rule baseline's decision and past / future /
deadline dates.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

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


# --- force names, masked before every feature ---------------------------------------------

#: The word that stands for every force, PCC / OPCC and force area name in the text the features see: the word by which
#: a force names itself without its name ("the force has ..."), which the cue lexicon knows as the subject of a delivery.
FORCE_PLACEHOLDER = "force"

# a name's tokens and a text's: runs of word characters, and each other character but white space on its own
# ("Dyfed-Powys" is Dyfed, -, Powys; "Mayor's" is Mayor, ', s), so white space between words is free
_TOKEN = re.compile(r"\w+|[^\w\s]")


def _token_key(token: str) -> str:
    return "'" if token == "\u2019" else token.casefold()


def force_terms(forces: Iterable[Any]) -> tuple[str, ...]:
    """Every name by which a response may name a force, its PCC / OPCC or its area, longest first.

    In: :class:`~pipeline.types.Force` records (``pipeline/data/forces.csv`` through
    :func:`pipeline.io.load_forces`). Out: each force's name, short name (its area), local body and aliases
    in the spellings :mod:`pipeline.identify` also reads ("&" for "and", commas dropped, "Commissioner, Essex"),
    and the areas a short name joins with "and" ("Devon", "Cornwall" of "Devon and Cornwall"); longest first.
    """
    from pipeline.identify import _variants

    terms: set[str] = set()
    for force in forces:
        names = [force.name, force.short_name, force.local_body, *force.aliases]
        names += [part for part in force.short_name.split(" and ") if part.strip()]
        for name in names:
            terms.update(" ".join(v.split()) for v in _variants(name) if v.strip())
    return tuple(sorted(terms, key=lambda t: (-len(t), t)))


class _NameIndex:
    """The names of :func:`force_terms` by their first token, for a longest-match scan of a text's tokens.

    The case of a text does not matter ("ESSEX POLICE", "Essex police"), but for a name's first capitalised
    word: it must be capitalised as written, or in capitals, so that "the Met" is a name and "the met" is not;
    a name that is one abbreviation ("GMP") matches only as written.
    """

    def __init__(self, terms: Iterable[str]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
        for term in terms:
            tokens = tuple(_TOKEN.findall(term))
            if not tokens:
                continue
            anchor = next((i for i, t in enumerate(tokens) if t[:1].isupper()), -1)
            keys = tuple(_token_key(t) for t in tokens)
            self.by_first.setdefault(keys[0], []).append((keys, anchor, tokens[anchor] if anchor >= 0 else ""))
        for candidates in self.by_first.values():
            candidates.sort(key=lambda c: -len(c[0]))  # the longest name starting at a token wins

    @staticmethod
    def _cased(written: str, seen: str) -> bool:
        if len(written) > 1 and written.isupper():  # an abbreviation: as written
            return seen == written
        return seen == written or seen == written.upper()

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The ``(start, end)`` character spans of the names in ``text``, in order, not overlapping."""
        tokens = list(_TOKEN.finditer(text))
        keys = [_token_key(t.group()) for t in tokens]
        spans, i = [], 0
        while i < len(tokens):
            for names, anchor, written in self.by_first.get(keys[i], ()):
                n = len(names)
                if (tuple(keys[i:i + n]) == names
                        and (anchor < 0 or self._cased(written, tokens[i + anchor].group()))):
                    spans.append((tokens[i].start(), tokens[i + n - 1].end()))
                    i += n
                    break
            else:
                i += 1
        return spans


class ForceNameMasker(TransformerMixin, BaseEstimator):
    """Texts with the names of forces, PCCs / OPCCs and force areas replaced by one placeholder word.

    The model's first step, so its cue features and n-grams read the masked texts: the same sentence from any
    force gets the same features (it was ``completed`` from every "... Constabulary" and ``not_addressed`` from
    every "... Police": newcomer report s8 item 2), the model cannot learn a label prior per force name, nor
    recognise a held-out force by its name. Only the features are masked: the passage, its offsets and its
    evidence keep the force's own words.

    Args:
        forces: the forces whose names are masked (:class:`~pipeline.types.Force` records); ``None``: the 43 of
            the packaged ``pipeline/data/forces.csv``. Read at ``fit`` into ``terms_``, so a saved model keeps the
            names it was trained with.
        placeholder: the word put in place of each name.

    Learned: ``terms_`` (the names, longest first; see :func:`force_terms`).
    """

    def __init__(self, forces: Iterable[Any] | None = None, placeholder: str = FORCE_PLACEHOLDER) -> None:
        self.forces = forces
        self.placeholder = placeholder

    def fit(self, X: Any, y: Any = None) -> "ForceNameMasker":
        """Read the names to mask; nothing is learned from ``X``."""
        check_texts(X)
        if self.forces is None:
            from pipeline.io import load_forces

            forces = load_forces()
        else:
            forces = tuple(self.forces)
        self.terms_ = force_terms(forces)
        return self

    def _index(self) -> _NameIndex:
        index = self.__dict__.get("_index_cache")
        if index is None:
            index = self.__dict__["_index_cache"] = _NameIndex(self.terms_)
        return index

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: object.__getstate__ gives the live __dict__
        state.pop("_index_cache", None)  # rebuilt from terms_ on first use
        return state

    def mask(self, text: str) -> str:
        """``text`` with every name of ``terms_`` replaced by ``placeholder``."""
        check_is_fitted(self, "terms_")
        parts, last = [], 0
        for start, end in self._index().spans(text):
            parts += [text[last:start], self.placeholder]
            last = end
        parts.append(text[last:])
        return "".join(parts)

    def transform(self, X: Any) -> list[str]:
        """The masked texts (see :meth:`mask`), in order: a list of ``str``."""
        check_is_fitted(self, "terms_")
        return [self.mask(text) for text in check_texts(X)]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The one text column, passed through."""
        return np.asarray(input_features if input_features is not None else ["text"], dtype=object)


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
