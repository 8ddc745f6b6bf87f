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

import re
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

_ABBREVIATIONS_FILE = "abbreviations.txt"
#: A sentence end a long text may be cut after: the sentencizer keeps closing punctuation with the sentence before.
_SENTENCE_END = re.compile(r"[.!?][\"'\u2019\u201d)\]]*\s+(?=\w)")


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


def text_windows(text: str, limit: int) -> list[tuple[int, str]]:
    """``text`` cut into consecutive pieces of at most ``limit`` characters, each with its offset in ``text``.

    The pieces join back into ``text`` exactly, so offsets stay exact. Each cut falls after the last
    paragraph break (a blank line) in the second half of the window, else the last line break there,
    else the last sentence end (``.``, ``!`` or ``?``, closing quotes or brackets, white space, then a
    letter or digit: where spaCy's sentencizer would end the sentence too), else the last white space;
    only a window with none of these in its second half is cut at ``limit`` characters.

    Args:
        text: any text.
        limit: the longest piece, in characters (at least 2).

    Returns:
        ``[(offset, piece), ...]`` in text order; ``[(0, text)]`` when it fits.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        floor = start + limit // 2
        cut = text.rfind("\n\n", floor, end) + 2
        if cut < floor + 2:
            cut = text.rfind("\n", floor, end) + 1
        if cut < floor + 1:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, floor, end)]
            cut = ends[-1] if ends else floor
        if cut <= floor:
            cut = next((i + 1 for i in range(end - 1, floor - 1, -1) if text[i].isspace()), end)
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:]))
    return pieces


def docs_of(nlp: Language, text: str) -> Iterator[tuple[int, Doc]]:
    """``nlp`` run over ``text`` in pieces it accepts: ``(offset of the piece in text, its Doc)``, in text order.

    spaCy refuses a text longer than ``nlp.max_length`` (error E088, one million characters by default);
    a longer text is cut by :func:`text_windows`, so a sentence's characters are ``text[offset + start_char:
    offset + end_char]``. A text that fits is one Doc, exactly as ``nlp(text)``.
    """
    if len(text) <= nlp.max_length:
        yield 0, nlp(text)
        return
    for offset, piece in text_windows(text, nlp.max_length):
        yield offset, nlp(piece)
