"""Unnumbered prose linked to recommendations by content.

The share of each recommendation's TF-IDF-weighted lemmas a paragraph's best sentence contains
(thresholds in ``pipeline/data/segment.toml``, ``[content]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.nlp import docs_of
from pipeline.segment.lines import Line
from pipeline.types import Force

if TYPE_CHECKING:
    from pipeline.segment import Segmenter, SegmentRules


def speaks_for_force(text: str, rules: SegmentRules, force: Force | None) -> bool:
    """Whether ``text`` is in the force's voice: a ``content.voice`` pattern or the force's name (any case)."""
    names = (force.short_name, force.name) if force else ()
    return any(p.search(text) for p in rules.voice) or any(n.lower() in text.lower() for n in names)


def _lemma_text(doc, stop: frozenset[str]) -> str:
    return " ".join(t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and t.lower_ not in stop)


def _docs(nlp, texts: Sequence[str]) -> Iterator[list]:
    """Each text's spaCy Docs: one, from ``nlp.pipe``, when it fits ``nlp.max_length``; else its pieces (E088)."""
    fits = nlp.pipe(text for text in texts if len(text) <= nlp.max_length)
    for text in texts:
        yield [next(fits)] if len(text) <= nlp.max_length else [doc for _, doc in docs_of(nlp, text)]


def match_by_content(segmenter: Segmenter, candidates: Sequence[Line], recommendations: Sequence,
                      reference: Sequence[str]) -> dict[str, list[Line]]:
    """Link each candidate paragraph to the recommendations whose key terms it covers.

    A recommendation's terms are weighted by TF-IDF over the whole register
    (``reference``: every recommendation's text), so words every recommendation
    shares weigh little. A sentence's score for a recommendation is the share
    of that weight whose lemmas it contains; a paragraph takes its best
    sentence, so that long paragraphs gain nothing from length alone.
    """
    rules, nlp = segmenter.rules, segmenter.nlp
    vectoriser = TfidfVectorizer(sublinear_tf=True, norm=None, token_pattern=r"[a-z]{2,}")
    stop = rules.content_stop_words
    vectoriser.fit([" ".join(_lemma_text(d, stop) for d in docs) for docs in _docs(nlp, reference)])
    item_lemmas = [" ".join(_lemma_text(d, stop) for d in docs) for docs in _docs(nlp, [r.text for r in recommendations])]
    weights = vectoriser.transform(item_lemmas).toarray()
    totals = np.maximum(weights.sum(axis=1), 1e-9)
    links: dict[str, list[Line]] = {}
    for line, docs in zip(candidates, _docs(nlp, [line.text for line in candidates])):
        sentences = [_lemma_text(s, stop) for doc in docs for s in doc.sents]
        present = (vectoriser.transform(sentences).toarray() > 0).astype(float)
        scores = ((present @ weights.T) / totals).max(axis=0)
        best = float(scores.max()) if scores.size else 0.0
        if best < rules.content_min_similarity:
            continue
        for j in np.flatnonzero(scores >= max(rules.content_min_similarity, rules.content_margin * best)):
            links.setdefault(recommendations[int(j)].number, []).append(line)
    return links
