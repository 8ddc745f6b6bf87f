"""The shared spaCy pipeline: a blank English pipeline with rule-based components.

No trained spaCy model can be downloaded here, so text processing is a blank
``en`` pipeline with a sentencizer and the lookup lemmatizer from
``spacy-lookups-data``. Stages that need more (phrase matching of force names,
status cues) add their own components to the object this returns; nothing is
cached at module level, callers hold the ``Language`` they build.

It is the project's one sentence splitter (issue 15): the abbreviations of
``pipeline/data/abbreviations.txt`` ("Ch. Supt.", "Rec. No. 13", "approx.",
"e.g.") are tokenizer special cases, so the sentencizer, which ends a sentence
after a "." token, never cuts after them.
"""

from __future__ import annotations

from typing import Iterable

import spacy
from spacy.language import Language

_ABBREVIATIONS_FILE = "abbreviations.txt"


def load_abbreviations(text: str | None = None) -> tuple[str, ...]:
    """The abbreviations of ``pipeline/data/abbreviations.txt`` (or of ``text`` in that format), in file order.

    One a line; blank lines and lines starting with ``#`` are skipped. Raises
    ``ValueError`` for an entry with white space inside or without a final full stop.
    """
    if text is None:
        from pipeline.io import read_package_data

        text = read_package_data(_ABBREVIATIONS_FILE)
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if any(c.isspace() for c in entry) or not entry.endswith("."):
            raise ValueError(f"abbreviations line {number}: {entry!r} is not one word ending in a full stop")
        out.append(entry)
    return tuple(dict.fromkeys(out))


def make_nlp(abbreviations: Iterable[str] | None = None) -> Language:
    """A new blank English pipeline: ``sentencizer`` then lookup ``lemmatizer``, initialised.

    Args:
        abbreviations: words kept whole by the tokenizer (``None``: those of
            ``pipeline/data/abbreviations.txt``).
    """
    nlp = spacy.blank("en")
    for word in load_abbreviations() if abbreviations is None else abbreviations:
        # spaCy annotates Language.tokenizer as a plain callable; spacy.blank always builds a Tokenizer, which has
        # add_special_case, and spacy.tokenizer ships no type information to narrow it with isinstance
        nlp.tokenizer.add_special_case(word, [{"ORTH": word}])  # type: ignore[union-attr]
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp
