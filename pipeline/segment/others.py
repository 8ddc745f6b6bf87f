"""Another body's work reported in an item's answer: no action of the force's.

A commissioner's letter often tells what a national body did about a recommendation ("I am aware that the NPCC
has worked closely with the Home Office ..."). That is the NPCC's work, not the force's: the guidelines keep the
responder's account of the force's action (decision procedure, step 3; section 4), and the adjudicated records of
``corpus/raw/responses/essex-g206.txt`` leave those sentences out of the answer. The bodies and the words of work
are ``[quotes]`` ``other_bodies``, ``other_body_frame`` and ``other_body_work`` in ``pipeline/data/segment.toml``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Mapping

from pipeline.segment.blocks import sentence_spans
from pipeline.segment.content import speaks_for_force

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules
    from pipeline.types import Force


def compile_other_body_rules(quotes: Mapping[str, Any]) -> dict[str, re.Pattern | None]:
    """The ``SegmentRules`` fields ``other_body``, ``other_body_opening`` and ``other_body_work`` from ``[quotes]``.

    ``other_body_opening`` matches a sentence whose subject is another body: an optional opening clause up to a
    comma, an optional reporting frame (group ``frame``, "I am aware that"), then the body's name. All are
    ``None`` when ``[quotes]`` names no body.
    """
    bodies = quotes.get("other_bodies", ())
    if not bodies:
        return {"other_body": None, "other_body_opening": None, "other_body_work": None}
    names = "|".join(f"(?:{p})" for p in bodies)
    frame = quotes.get("other_body_frame", "(?!)")
    return {
        "other_body": re.compile(rf"\b(?:{names})\b", re.IGNORECASE),
        "other_body_opening": re.compile(
            rf"(?:[^,;:|]{{0,80}},\s+)?(?P<frame>(?:{frame})\s+)?(?:the\s+)?(?:{names})(?:['’]s)?\b", re.IGNORECASE),
        "other_body_work": re.compile(quotes.get("other_body_work", "(?!)"), re.IGNORECASE),
    }


def _in_force_voice(text: str, rules: SegmentRules, force: Force | None) -> bool:
    return speaks_for_force(text, rules, force) or any(p.search(text) for p in rules.answer_voice_anywhere)


def other_body_spans(doc_text: str, start: int, end: int, rules: SegmentRules,
                     force: Force | None = None) -> list[tuple[int, int]]:
    """The sentences of ``doc_text[start:end]`` that report another body's work, not the force's.

    Such a sentence has another body as its subject (``rules.other_body_opening``: "The NPCC has worked ...",
    "Since May, I am aware that the Home Office has ..."), speaks of work (``rules.other_body_work``) and holds
    no word of the force's voice ("we", "I", "the force", the force's names) outside its reporting frame; each
    sentence after it in its paragraph or table cell that names another body and holds no word of the force's
    voice goes on with it. Returns absolute ``(start, end)`` spans; none when the rules name no body.
    """
    body, body_opening, body_work = rules.other_body, rules.other_body_opening, rules.other_body_work
    # every sentence taken out names a body (its opening does), so a block naming none is passed over whole: most
    # blocks, and the per-sentence voice checks below were a tenth of segmenting the bench's documents
    if body is None or body_opening is None or body_work is None or not body.search(doc_text[start:end]):
        return []
    spans = []
    for cell in re.finditer(r"[^\n|]+", doc_text[start:end]):  # each line, and each cell of a table row
        reporting = False
        for s, e in sentence_spans(doc_text, start + cell.start(), start + cell.end()):
            sentence = doc_text[s:e]
            bare = sentence.lstrip(" -•*(\"“‘'")
            opening = body_opening.match(bare)
            own = bare if opening is None or opening.group("frame") is None else (
                bare[:opening.start("frame")] + bare[opening.end("frame"):])
            if _in_force_voice(own, rules, force):
                reporting = False
            elif opening is not None and body_work.search(bare, opening.end()):
                reporting = True
            else:
                reporting = reporting and bool(body.search(bare))
            if reporting:
                spans.append((s, e))
    return spans
