"""The cue lexicon engine: tense, aspect, modality and status words of a text, from ``pipeline/data/cues.toml``.

:func:`load_cue_lexicon` parses and checks a lexicon; :class:`CueEngine` runs
it (a blank spaCy pipeline, a ``Matcher`` and a ``PhraseMatcher``) over texts
and returns each sentence's kept :class:`CueMatch` es (:class:`SentenceCues`);
:func:`role_counts` and :func:`rule_decision` turn those into the annotation
guidelines' decision order. Shared by the rule baseline
(:class:`pipeline.classify.CueRuleClassifier`) and the trained model's cue
features (:class:`pipeline.model.StatusCueFeatures`), which hold their engine
through :class:`LazyCueEngineMixin`.
"""

from __future__ import annotations

import copy
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence

from pipeline.types import LABELS

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
    settings.setdefault("negated_universal", [])
    settings.setdefault("sentence_scope", [])
    settings.setdefault("status_statements", [])
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
            raise ValueError(f"cue family {name!r}: role {family['role']!r} votes for {ROLE_LABEL[family['role']]!r}, "
                             f"not {family['label']!r}")
        family.setdefault("description", "")
        if not isinstance(family.setdefault("feature", True), bool):
            raise ValueError(f"cue family {name!r}: feature must be true or false")
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
    for key in ("sentence_scope", "status_statements"):
        for named in settings[key]:
            if named not in names:
                raise ValueError(f"cue lexicon: {key} names unknown family {named!r}")
    return {"version": data.get("version", 1), "settings": settings, "macros": macros, "families": families}


def cue_families(lexicon: Mapping[str, Any]) -> tuple[str, ...]:
    """The family names of a lexicon from :func:`load_cue_lexicon`, in file order."""
    return tuple(f["name"] for f in lexicon["families"])


def feature_families(lexicon: Mapping[str, Any]) -> tuple[str, ...]:
    """The families that are columns of the model's cue features (``feature = true``, the default), in file order.

    A family with ``feature = false`` is still matched: its words are taken from the families listed after it
    (overlap rule 1), it counts in the rule baseline by its role, but the model gets no column of its own.
    """
    return tuple(f["name"] for f in lexicon["families"] if f.get("feature", True))


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


def _shifted(sentence: SentenceCues, offset: int) -> SentenceCues:
    """``sentence`` and its matches moved ``offset`` characters on (a piece of a longer text read on its own)."""
    matches = tuple(replace(m, start_char=m.start_char + offset, end_char=m.end_char + offset) for m in sentence.matches)
    return replace(sentence, start_char=sentence.start_char + offset, end_char=sentence.end_char + offset, matches=matches)


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


def _first_word(pattern: list[dict]) -> str | None:
    """The word a pattern's first token must be (``{"LOWER": word}``, matched once), else None."""
    first = pattern[0]
    return first["LOWER"] if set(first) == {"LOWER"} and isinstance(first["LOWER"], str) else None


class CueEngine:
    """spaCy pipeline plus Matcher for a cue lexicon: texts in, :class:`SentenceCues` out.

    Built from a lexicon of :func:`load_cue_lexicon`. It holds a spaCy
    ``Language``, so estimators build it lazily and never pickle it. With
    ``memo=True`` it remembers each text's analysis (for evaluation, which
    fits many models on the same texts; the memo grows with every new text).
    """

    def __init__(self, lexicon: Mapping[str, Any], memo: bool = False, nlp: Any = None) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        from pipeline.nlp import make_nlp

        self.lexicon = lexicon
        # evaluation fits hundreds of models on the same texts: with a memo each text goes through spaCy once
        self._memo: dict[str, list[SentenceCues]] | None = {} if memo else None
        # a run shares the pipeline identify and segment use (pipeline.parallel.build_context): building one
        # costs about 0.2 s, and the engine only reads it (its matchers add strings to the shared vocabulary)
        self.nlp = make_nlp() if nlp is None else nlp
        # Patterns whose first token must be one word sit in one Matcher per word, tried only on sentences
        # holding that word: the Matcher tries every pattern it holds at every token, and most sentences
        # hold few of the ~100 first words. The rest (``matcher``) are tried everywhere. Each pattern finds
        # the same spans wherever it sits, and the spans are sorted before use (see _analyse_doc).
        self.matcher = Matcher(self.nlp.vocab)
        self._by_first_word: dict[int, Any] = {}  # LOWER hash of the first word -> Matcher of its patterns
        # fixed phrases go to a PhraseMatcher: it finds the same spans as one-token-per-word LOWER patterns
        # in the Matcher, at a fraction of the cost (most of the lexicon is phrases)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._families = {f["name"]: f for f in lexicon["families"]}
        self._priority = {name: i for i, name in enumerate(self._families)}
        self._void_after = {str(w).lower() for w in lexicon["settings"]["void_done_after"]}
        # a lexicon pickled before the key existed has none: its engine reads as it was fitted
        self._universals = {str(w).lower() for w in lexicon["settings"].get("negated_universal", ())}
        self._negators = self._void_after & {"not", "n't", "never", "no"}
        self._scope = set(lexicon["settings"]["sentence_scope"])
        strings = self.nlp.vocab.strings
        for family in lexicon["families"]:
            for pattern in (q for p in family["patterns"] for q in _split_first_token(self._expand(p))):
                word = _first_word(pattern)
                if word is None:
                    self.matcher.add(family["name"], [pattern])
                else:
                    self._by_first_word.setdefault(strings.add(word), Matcher(self.nlp.vocab)).add(family["name"], [pattern])
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
            if self._memo is not None and prepared in self._memo:
                out.append(self._memo[prepared])
                continue
            if prepared in known:
                out.append([SentenceCues(text=prepared, start_char=0, end_char=len(prepared), matches=known[prepared])])
                continue
            sentences = self._analyse_text(prepared)
            for sentence in sentences:
                known.setdefault(sentence.text, tuple(
                    replace(m, start_char=m.start_char - sentence.start_char, end_char=m.end_char - sentence.start_char)
                    for m in sentence.matches))
            if self._memo is not None:
                self._memo[prepared] = sentences
            out.append(sentences)
        return out

    def _analyse_text(self, text: str) -> list[SentenceCues]:
        """:meth:`_analyse_doc` of ``text``; one longer than spaCy takes is read in pieces, offsets kept exact."""
        from pipeline.nlp import docs_of

        out: list[SentenceCues] = []
        for offset, doc in docs_of(self.nlp, text):
            out.extend(self._analyse_doc(doc) if offset == 0 else (_shifted(s, offset) for s in self._analyse_doc(doc)))
        return out

    def _matches(self, sent: Any, lowers: Sequence[int]) -> list[Any]:
        """Every span of ``sent`` a pattern or phrase matches (``lowers``: its tokens' LOWER hashes), unfiltered."""
        found = [*self.matcher(sent, as_spans=True), *self.phrase_matcher(sent, as_spans=True)]
        for word in dict.fromkeys(lowers):
            matcher = self._by_first_word.get(word)
            if matcher is not None:
                found.extend(matcher(sent, as_spans=True))
        return found

    def _after_negated_universal(self, doc: Any, start: int, span: Any) -> bool:
        """Whether a negation stands before a universal ("not all", "not the case that every") ahead of ``span``'s end.

        The universal may open the span itself ("Not all recommendations have been implemented" matches from "all").
        """
        if not self._universals:
            return False
        for i in range(start, span.start):
            if doc[i].lower_ in self._negators and any(
                    doc[j].lower_ in self._universals for j in range(i + 1, min(i + 5, span.end))):
                return True
        return False

    def _analyse_doc(self, doc: Any) -> list[SentenceCues]:
        lowers = doc.to_array("LOWER").tolist() if self._by_first_word else []
        sentences = []
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            candidates = []
            for span in self._matches(sent, lowers[sent.start:sent.end]):
                family = self._families[span.label_]
                # rule 2: a `done` cue right after a modal / "to" / "be" / "not" is void
                if family["role"] == "done" and span.start > sent.start and doc[span.start - 1].lower_ in self._void_after:
                    continue
                # ... and one after a negated universal ("not all AFIs have been discharged": some are not)
                if family["role"] == "done" and self._after_negated_universal(doc, sent.start, span):
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


def statement_label(families: Iterable[str], lexicon: Mapping[str, Any]) -> str | None:
    """The label an explicit status statement decides, or None (the lexicon's ``settings.status_statements``).

    The guidelines' decision procedure (step 4.4, section 7, D11): a status the responder states outright
    ("Complete", "Not started", "No action has been taken") decides the label when the text does not
    contradict it. Here: the families of ``settings.status_statements`` among ``families`` (those that fired
    in a text) all point to one label, and no other voting family fired for another label (modifiers such as
    negation or monitoring do not contradict). Few labelled passages say their status this baldly, so the
    trained model has next to nothing to learn these families from; :func:`pipeline.classify.predict_labels`
    applies this rule on top of it.

    Args:
        families: names of the cue families that fired in one text (any order, repeats allowed).
        lexicon: a lexicon from :func:`load_cue_lexicon`.

    Returns:
        One of :data:`~pipeline.types.LABELS`, or None when no statement fired or the text contradicts it.
    """
    by_name = {f["name"]: f for f in lexicon["families"]}
    statements = set(lexicon["settings"].get("status_statements", []))
    fired = {name for name in families if name in by_name}
    stated = {by_name[name]["label"] for name in fired & statements}
    if len(stated) != 1:
        return None
    (label,) = stated
    others = {ROLE_LABEL[by_name[name]["role"]] for name in fired - statements if by_name[name]["role"] in ROLE_LABEL}
    return label if others <= {label} else None


def check_texts(X: Any) -> list[str]:
    """``X`` as a list of texts (None as ""); ``ValueError`` for a single string or a non-text item."""
    if isinstance(X, str):
        raise ValueError("expected a sequence of texts, got a single string")
    texts = list(X)
    for text in texts:
        if text is not None and not isinstance(text, str):
            raise ValueError(f"expected texts (str), got {type(text).__name__}")
    return ["" if t is None else t for t in texts]


# --- estimators built on the engine ---------------------------------------------

class LazyCueEngineMixin:
    """For estimators fitted with a ``lexicon_``: a :class:`CueEngine` built on first use and never pickled.

    The engine holds a spaCy ``Language``; rebuilding it after loading keeps
    the joblib file small and free of spaCy internals.
    """

    lexicon_: Mapping[str, Any]  # set by the estimator's fit

    def _engine(self) -> CueEngine:
        engine = self.__dict__.get("_engine_cache")
        if engine is None:
            engine = CueEngine(self.lexicon_)
            self.__dict__["_engine_cache"] = engine
        return engine

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        # BaseEstimator.__getstate__ (of the estimators this mixes into) returns the instance's attributes as a dict
        assert isinstance(state, dict)
        state = dict(state)
        state.pop("_engine_cache", None)
        return state
