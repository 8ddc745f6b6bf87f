"""Segment: cut a response into item-level passages (recommendations, causes of concern, AFIs).

In: a normalised :class:`~pipeline.types.Document` (one line per paragraph,
heading or table row; cells joined by `` | ``), the :class:`Inspection` it
answers, and a :class:`Segmenter` (rules from ``pipeline/data/segment.toml``
plus the shared spaCy pipeline). Out: a tuple of :class:`Passage`.

How passages are found, in order of strength (``Passage.link``):

* ``numbered``: a block that opens with a recommendation label ("Recommendation
  9", "Recommendation 10:", a table row whose first cell starts so) and runs to
  the next label, heading or end of the table. The quoted recommendation
  wording is aligned against the register and removed, so only the force's
  words are classified; a block with nothing left restates the recommendation
  and is no passage at all (Cleveland's report summary, Staffordshire's list).
* ``mention``: a paragraph outside any block that cites numbers in its prose
  ("In response to recommendation 10 and 22, ...").
* ``content``: unnumbered prose matched to a recommendation by TF-IDF
  similarity of lemmas against the register wording (Staffordshire), for
  recommendations no numbered passage answers.
* ``blanket``: a paragraph about all recommendations at once ("all actions will
  be progressed"), or citing most of them; failing both, the force's or its
  commissioner's own words about the recommendations as a whole (a news page
  quoting the chief constable, ``passages.speech_blanket``); the scorer uses it
  only where nothing specific exists, and it is ``not_addressed`` by the guidelines.

Every passage carries ``item_kind``. Labels come in every spelling (``[labels]`` in ``segment.toml``:
"Rec. No. 13", "R10", "Recommendation Thirteen", "Recommendation IV", "AFI 2", "Cause of concern 1", a
"No." column or one headed by an item word ("Recommendation | Force position", "AFI | Update"),
unnumbered headings and RAG rows numbered in document order). For an inspection no register holds
there is no wording to align: the quoted item is taken out by its cues (``[quotes]``) and a paragraph
about the report as a whole is a blanket passage listing no numbers. In any numbered
block, the lines under a heading that quotes the item ("Recommendation received") up to the heading over
the answer are the inspectorate's words (``[quotes]`` ``quoted_item_heading``, ``answer_heading``), and so
is a line or cell opening with such a heading as an inline label ("What HMICFRS found: ..."); for a
registered inspection too, a sentence opening with the report's instruction or finding ("The force should
make sure ...", "The inspectorate found that ...": ``inspectorate_opening``, ``finding_opening``) where the
response paraphrases the register's wording. A tracker's bookkeeping is no answer either: a cell opening
with an owner, lead or due-date field's name ("Lead: ...", "Due date: ..."), and under a header naming such a
column ("Rec. Owner"), a cell that is only an owner or a date (``owner_field``, ``owner_cell`` in
``[passages]``), and in a table under a header row naming such a column, every cell of it
(:mod:`~pipeline.segment.columns`). The item's update stays; a tracker's status cell is the passage's
``status`` (a colour read by the document's RAG key), classified with the update but never its evidence. A
committee paper's front matter ("1. Purpose: ...") and a title line are never a blanket passage
(:mod:`~pipeline.segment.paper`).

Language is decided per paragraph and per table cell (``[welsh]`` in ``segment.toml``): a Welsh label
beside the English label of the same item ("Argymhelliad 9 | Recommendation 9") is one label, a
passage's Welsh text is left out wherever English stands beside it, and a block under a label of one
language stops where the other language's paragraphs start (README, "Welsh").

One module per part: :mod:`~pipeline.segment.lines` (the document's lines, cells and words),
:mod:`~pipeline.segment.labels` (item labels and citations), :mod:`~pipeline.segment.blocks`
(numbered blocks and the removal of quoted recommendation wording), :mod:`~pipeline.segment.content`
(unnumbered prose matched by content) and :mod:`~pipeline.segment.blanket` (answers to the whole report).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from spacy.language import Language

from pipeline.segment.blanket import (
    find_blanket_lines,
    find_force_work_lines,
    find_report_lines,
    find_spoken_blanket_lines,
    is_blanket_citation,
)
from pipeline.segment.blocks import (
    block_extent,
    cue_quote_spans,
    force_doer,
    is_field_summary,
    is_owner_header,
    join_spans,
    owner_spans,
    quoted_item_block_spans,
    quoted_spans,
    regions,
    response_spans,
    sub_item_spans,
)
from pipeline.segment.chrome import compile_chrome_rules, is_headline, trim_chrome
from pipeline.segment.columns import tracker_columns
from pipeline.segment.content import match_by_content, speaks_for_force
from pipeline.segment.labels import (
    Citation,
    LabelRules,
    compile_label_rules,
    find_citations,
    is_header_row,
    item_wording,
    known_numbers,
)
from pipeline.segment.lines import (
    WORD,
    Line,
    consecutive,
    is_heading,
    is_welsh,
    language_of,
    line_language,
    lower_words,
    split_lines,
)
from pipeline.segment.others import compile_other_body_rules, other_body_spans
from pipeline.segment.paper import front_matter_lines, title_lines
from pipeline.segment.speech import Speakers, SpeechRules, compile_speech_rules, find_speech_lines, split_by_voice, voice_of
from pipeline.types import Document, Force, Identification, Inspection, Passage

__all__ = ["SegmentRules", "Segmenter", "is_welsh", "parse_segment_rules", "segment"]


@dataclass(frozen=True)
class SegmentRules:
    """The segmenter's lexicons and thresholds (see ``pipeline/data/segment.toml``)."""

    heading_max_words: int
    summary_headings: tuple[re.Pattern, ...]
    response_headings: tuple[re.Pattern, ...]
    block_end: tuple[re.Pattern, ...]
    label_cells: tuple[re.Pattern, ...]
    grid_token: tuple[re.Pattern, ...]  # whole-token patterns of a grid cell (item numbers, bullets, ticks)
    grid_cell_max_tokens: int
    trailing_caption_keep: re.Pattern  # status words that keep a caption-like last line in the answer
    grid_min_cells: int
    grid_min_lines: int
    labels: LabelRules
    blanket_share: float
    blanket: tuple[re.Pattern, ...]
    report_blanket: tuple[re.Pattern, ...]
    report_fallback: tuple[re.Pattern, ...]
    report_voice: tuple[re.Pattern, ...]
    speech_blanket: tuple[re.Pattern, ...]  # what the force says of the items as a whole (a registered inspection)
    speech_blanket_chrome: tuple[re.Pattern, ...]  # a line's opening that only points elsewhere ("Read our response")
    item_opening: tuple[re.Pattern, ...]
    answer_voice: tuple[re.Pattern, ...]  # matched at a sentence's start
    answer_voice_anywhere: tuple[re.Pattern, ...]  # the same, found anywhere as whole words
    content_min_similarity: float
    content_margin: float
    content_min_words: int
    voice: tuple[re.Pattern, ...]
    content_stop_words: frozenset[str]
    welsh_min_share: float
    welsh_words: frozenset[str]
    english_words: frozenset[str]
    speech: SpeechRules
    blanket_any: re.Pattern | None = None  # ``blanket`` as one alternation (see parse_segment_rules)
    quoted_item_headings: tuple[re.Pattern, ...] = ()  # a heading over the inspectorate's wording of an item
    quoted_item_labels: tuple[re.Pattern, ...] = ()  # the same words as an inline label before text ("What HMICFRS found: ...")
    inspectorate_opening: tuple[re.Pattern, ...] = ()  # the report's instruction opening a sentence, registered or not
    finding_opening: tuple[re.Pattern, ...] = ()  # the report's finding opening a sentence, in an item's block
    answer_headings: tuple[re.Pattern, ...] = ()  # a heading over the force's answer, ending that wording
    welsh_labels: re.Pattern | None = None  # the Welsh spellings of item labels ("Argymhelliad"), at a label's start
    welsh_shared: frozenset[str] = frozenset()  # Welsh words that are English words too ("a", "i", "at")
    item_modal: re.Pattern | None = None  # the prescriptive words of an item's wording ("should", "must")
    owner_label: re.Pattern | None = None  # a cell opening with an owner or due-date field's name ("Lead: ...")
    owner_header: re.Pattern | None = None  # a header cell that is only such a name ("Rec. Owner")
    owner_cell: re.Pattern | None = None  # a cell that is only an owner or a date ("Chief Constables")
    other_body: re.Pattern | None = None  # another body named anywhere ("the NPCC", "the Home Office"; segment/others.py)
    other_body_opening: re.Pattern | None = None  # a sentence opening with another body as its subject
    other_body_work: re.Pattern | None = None  # the words of work done ("worked", "published", "will take place")
    doer_verb: str = ""  # after the force's name or a responder, the verbs of its own action ("Surrey Police will")
    inspectorate_we: re.Pattern | None = None  # the inspectorate's first person ("We found that ..."), no answer
    status_cell_max_words: int = 4  # a tracker's status cell holds at most these words (segment/columns.py)
    front_matter_label: re.Pattern | None = None  # a committee paper's "1. Purpose: ..." (segment/paper.py)
    front_matter_heading: re.Pattern | None = None  # a heading that is only such a name ("Purpose of the report")
    chrome_line: re.Pattern | None = None  # a saved web page's chrome, a whole line ("Set your Postcode ...")
    chrome_prefix: re.Pattern | None = None  # chrome glued to a line's start ("Hide Ad")
    headline_max_words: int = 0  # a news page's headline is at most this long (0: no headline test)


def _any_of(patterns: Sequence[re.Pattern]) -> re.Pattern | None:
    """One pattern that ``search`` finds in a text exactly when one of ``patterns`` is found in it.

    An alternation of the patterns (all compiled with :data:`re.IGNORECASE`) goes over a line once
    instead of once a pattern: the blanket patterns were a fifth of segmenting. None when a pattern
    refers to a group by number or name, which an alternation would renumber.
    """
    if not patterns or any(re.search(r"\\[1-9]|\(\?P=", p.pattern) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
    except re.error:  # a group name used by two patterns
        return None


def parse_segment_rules(toml_text: str) -> SegmentRules:
    """Parse the TOML text of ``segment.toml`` into compiled :class:`SegmentRules`."""
    data = tomllib.loads(toml_text)

    def compile_all(patterns: Iterable[str], whole: bool = False) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(f"(?:{p})" if not whole else f"^(?:{p})$", re.IGNORECASE) for p in patterns)

    sections, passages, content, welsh = data["sections"], data["passages"], data["content"], data["welsh"]
    chrome_line, chrome_prefix, headline_max_words = compile_chrome_rules(data.get("chrome", {}))
    blanket = compile_all(passages["blanket"])
    return SegmentRules(
        heading_max_words=int(sections["heading_max_words"]),
        summary_headings=compile_all(sections["summary"], whole=True),
        response_headings=compile_all(sections["response"], whole=True),
        block_end=compile_all(passages["block_end"], whole=True),
        label_cells=compile_all(passages["label_cells"], whole=True),
        grid_token=compile_all(passages["grid_token"], whole=True),
        grid_cell_max_tokens=int(passages["grid_cell_max_tokens"]),
        trailing_caption_keep=re.compile(rf"\b(?:{passages['trailing_caption_keep']})\b", re.IGNORECASE),
        grid_min_cells=int(passages["grid_min_cells"]),
        grid_min_lines=int(passages["grid_min_lines"]),
        labels=compile_label_rules(data["labels"], passages["citation"]),
        blanket_share=float(passages["blanket_share"]),
        blanket=blanket,
        blanket_any=_any_of(blanket),
        report_blanket=compile_all(passages["report_blanket"]),
        report_fallback=compile_all(passages["report_fallback"]),
        report_voice=compile_all(passages["report_voice"]),
        speech_blanket=compile_all(passages.get("speech_blanket", ())),
        speech_blanket_chrome=compile_all(passages.get("speech_blanket_chrome", ())),
        item_opening=compile_all([*data["quotes"]["item_opening"], *data["quotes"].get("inspectorate_opening", ())]),
        inspectorate_opening=compile_all(data["quotes"].get("inspectorate_opening", ())),
        finding_opening=compile_all(data["quotes"].get("finding_opening", ())),
        answer_voice=compile_all(data["quotes"]["answer_voice"]),
        answer_voice_anywhere=compile_all(f"\\b(?:{p})" for p in data["quotes"]["answer_voice"]),
        content_min_similarity=float(content["min_similarity"]),
        content_margin=float(content["margin"]),
        content_min_words=int(content["min_words"]),
        voice=compile_all(content["voice"]),
        content_stop_words=frozenset(content["stop_words"]),
        welsh_min_share=float(welsh["min_share"]),
        welsh_words=frozenset(welsh["words"]),
        english_words=frozenset(welsh["english"]),
        welsh_shared=frozenset(welsh.get("shared", ())),
        welsh_labels=re.compile("|".join(f"(?:{p})" for p in welsh["labels"]), re.IGNORECASE) if welsh.get("labels") else None,
        speech=compile_speech_rules(data["speech"]),
        quoted_item_headings=compile_all(data["quotes"].get("quoted_item_heading", ()), whole=True),
        quoted_item_labels=compile_all(rf"^\s*(?:{p})\s*[:\u2013\u2014-]\s*\w"
                                       for p in data["quotes"].get("quoted_item_heading", ())),
        answer_headings=compile_all(data["quotes"].get("answer_heading", ()), whole=True),
        item_modal=re.compile(data["quotes"]["item_modal"], re.IGNORECASE) if data["quotes"].get("item_modal") else None,
        **_owner_rules(passages),
        **compile_other_body_rules(data["quotes"]),
        doer_verb=data["quotes"].get("doer_verb", ""),
        inspectorate_we=re.compile(data["quotes"]["inspectorate_we"], re.IGNORECASE)
        if data["quotes"].get("inspectorate_we") else None,
        status_cell_max_words=int(passages.get("status_cell_max_words", 4)),
        **_front_matter_rules(passages),
        chrome_line=chrome_line, chrome_prefix=chrome_prefix, headline_max_words=headline_max_words,
    )


def _front_matter_rules(passages: dict) -> dict:
    """``front_matter_label`` and ``front_matter_heading`` from ``front_matter`` of ``[passages]``."""
    if not passages.get("front_matter"):
        return {}
    names = "|".join(f"(?:{p})" for p in passages["front_matter"])
    number = r"(?:\d{1,2}(?:\.\d{1,2})*[.)]?\s+)?"  # the paper's own paragraph number
    return {"front_matter_label": re.compile(rf"^\s*{number}(?:{names})\s*[:\u2013\u2014-]\s*\S", re.IGNORECASE),
            "front_matter_heading": re.compile(rf"{number}(?:{names})", re.IGNORECASE)}


def _owner_rules(passages: dict) -> dict:
    """``owner_label``, ``owner_header`` and ``owner_cell`` from ``owner_field`` and ``owner_cell`` of ``[passages]``."""
    if not passages.get("owner_field"):
        return {}
    field = "|".join(f"(?:{p})" for p in passages["owner_field"])
    cell = "|".join(f"(?:{p})" for p in passages.get("owner_cell", ())) or "(?!)"
    return {"owner_label": re.compile(rf"^[\s\-•*]*(?:{field})\s*[:\u2013\u2014-]\s*\S", re.IGNORECASE),
            "owner_header": re.compile(rf"(?:{field})", re.IGNORECASE),
            "owner_cell": re.compile(rf"(?:{cell})", re.IGNORECASE)}


@dataclass(frozen=True)
class Segmenter:
    """What segmenting needs besides the document: the rules and a spaCy pipeline (for lemmas)."""

    rules: SegmentRules
    nlp: Language


def segment(document: Document, inspection: Inspection, segmenter: Segmenter, force: Force | None = None) -> tuple[Passage, ...]:
    """Cut ``document`` (a response to ``inspection``) into passages, in document order.

    ``force`` (when known) adds its names to the cues of the force's voice used
    for content matching. Restated items yield no passage. Items of every kind
    (recommendations, causes of concern, AFIs) are cut on the document's own
    labels; a cause of concern's own recommendations stay one item with it
    (shared corpus README, D7). For an unregistered inspection
    (``inspection.registered`` False) any number a label gives is an item, the
    quoted item is removed by its cues (``[quotes]`` in ``segment.toml``), and
    a paragraph about the report as a whole is a blanket passage listing no
    numbers.
    """
    rules, text = segmenter.rules, document.text
    lines = split_lines(text)
    if not lines:
        return ()
    # a saved page's chrome ("Set your Postcode", "Hide Ad", "Read more: ...") is nobody's answer (segment/chrome.py)
    lines, chrome = trim_chrome(text, lines, rules)
    region = regions(text, lines, rules)
    citations = find_citations(text, lines, inspection, rules)

    passages: list[Passage] = []
    in_block: set[int] = set()
    answered: set[str] = set()
    # the lines' speakers, each found when a blanket passage or the speech about the report as a whole asks
    said = Speakers(text, [line for line in lines if line.index not in chrome], rules, force)

    def emit(recs: tuple[str, ...], link: str, start: int, end: int, spans: tuple[tuple[int, int], ...],
             kind: str = "recommendation", bilingual: bool = False, status: str = "") -> None:
        while end > start and text[end - 1] in " |\n":
            end -= 1
        spans = tuple((s, min(e, end)) for s, e in spans if s < end)  # a trailing empty cell was trimmed off
        spans, language = _english_evidence(text, spans, rules, bilingual)
        response = join_spans(text, spans)
        # whose words a blanket passage is decides whether it can be the response's overall stance (score._stance)
        voice = voice_of([line for line in lines if any(line.start < e and s < line.end for s, e in spans)],
                         said, said.reports_speech) if link == "blanket" else ""
        passages.append(Passage(
            id=f"{document.sha256[:12]}:{start}-{end}", source=document.source, sha256=document.sha256,
            recommendations=recs, link=link, start=start, end=end, page=document.page_at(start),
            text=text[start:end], response_text=response, response_spans=spans, language=language, item_kind=kind,
            ocr=any(document.is_ocr(s) for s, _ in spans),  # policy teams are told which evidence a machine read
            voice=voice, status=status,
        ))

    kind_numbers = {
        "recommendation": {r.number for r in inspection.force_recommendations},
        "cause_of_concern": {f.number for f in inspection.causes_of_concern},
        "area_for_improvement": {f.number for f in inspection.areas_for_improvement},
    }

    def quotes(kind: str, number: str, start: int, stop: int) -> list[tuple[int, int]]:
        # another body's work the answer reports (the NPCC's, the Home Office's) is no action of the force's
        others = other_body_spans(text, start, stop, rules, force)
        if not inspection.registered:
            return cue_quote_spans(text, start, stop, rules, findings=True) + others
        spans = quoted_spans(text, start, stop, item_wording(inspection, kind, number), rules)
        if kind == "cause_of_concern":  # its own recommendations are quoted in its block too (D7)
            for rec in inspection.recommendations:
                if rec.cause_of_concern == number:
                    spans += quoted_spans(text, start, stop, rec.text, rules)
        # the report's words in its own cues where the response paraphrases them ("The force should make sure ...")
        return spans + cue_quote_spans(text, start, stop, rules, registered=True, findings=True) + others

    # 1. numbered blocks; a line opening with an item the register lacks ends one (another report's "AFI 3")
    known = known_numbers(inspection)
    doer = force_doer(rules, force)

    def answered_alone(cause, rec) -> bool:
        """Does the cause's own text, up to its recommendation's label, hold words besides the cause's wording?"""
        block = [line for line in lines if cause.line <= line.index <= rec.line]
        holes = [(block[0].start, cause.end), (rec.start, block[-1].end)]
        holes += [(c.start, c.end) for c in citations if cause.start <= c.start < rec.start]
        for number in cause.numbers:
            holes += quotes(cause.kind, number, cause.start, rec.start)
        return bool(response_spans(text, block, holes, rules))

    # the first line heading an owner or due-date column ("Rec. Owner"): the blocks below it hold such cells
    owner_from = next((line.index for line in lines if any(
        is_owner_header(text[s:e], rules) for s, e in line.cells)), None)
    # a tracker's owner and status columns: the owner is no answer, the status decides with the update beside it
    columns = tracker_columns(text, lines, rules)
    labels = _one_item_per_cause(inspection, [c for c in citations if c.is_label], answered_alone)
    paired = _bilingual_pairs(text, labels, rules)
    # the last numbered block emitted: its label's index, start and spans (a lettered sub-item's block joins it)
    last_block: tuple[int, int, tuple[tuple[int, int], ...], str] | None = None
    for i, cite in enumerate(labels):
        next_label = labels[i + 1] if i + 1 < len(labels) else None
        wording = " ".join(item_wording(inspection, cite.kind, n) for n in cite.numbers)
        # a "Welsh label | English label" row heads its item as a heading line does: the answer rows follow it
        label_row = paired[i] and i > 0 and labels[i - 1].line == cite.line
        block, stop = block_extent(text, lines, cite, next_label, wording, rules, region, known, label_row=label_row)
        if not paired[i]:
            block, stop = _one_language(text, block, stop, cite, rules)
        in_block.update(line.index for line in block)
        if region[cite.line] == "summary":
            continue  # the report's own summary quoting it
        holes = [(c.start, c.end) for c in citations if cite.start <= c.start < stop]
        holes += [(block[0].start, cite.start), (stop, block[-1].end)]
        for number in cite.numbers:
            holes += quotes(cite.kind, number, cite.start, stop)
        holes += owner_spans(text, block, rules, owner_column=owner_from is not None and owner_from < cite.line)
        holes += quoted_item_block_spans(text, block, rules, doer)
        for number in cite.numbers:
            holes += sub_item_spans(text, cite.end, stop, number, rules)
        holes += [(line.start, line.end) for line in block if is_header_row(text, lines, line, rules.labels)]
        holes += [cell for line in block for cell in line.cells if cell in columns.owner]
        holes += [(line.start, line.end) for line in block if line.index in columns.key_lines]  # a legend, no answer
        status_cells = [cell for line in block for cell in line.cells if cell in columns.status and cite.end <= cell[0] < stop]
        # the status cell decides with the update, which is the evidence; a status standing alone is the answer
        spans = response_spans(text, block, holes + status_cells, rules)
        status = "; ".join(columns.status[cell] for cell in status_cells) if spans else ""
        spans = spans or response_spans(text, block, holes, rules)
        if not spans:
            continue  # a restatement, not an answer
        start = cite.start
        if cite.sub and last_block is not None and last_block[0] == i - 1 \
                and (labels[i - 1].kind, labels[i - 1].numbers) == (cite.kind, cite.numbers):
            # "AFI 4a" after "AFI 4" (or "AFI 4b" after "AFI 4a"): one answer to AFI 4, in parts (guidelines, case 32)
            passages.pop()
            start, spans = last_block[1], last_block[2] + spans
            status = "; ".join(part for part in (last_block[3], status) if part)
        last_block = (i, start, spans, status)
        is_blanket = inspection.registered and is_blanket_citation(cite.numbers, kind_numbers[cite.kind], rules)
        emit(cite.numbers, "blanket" if is_blanket else "numbered", start, stop, spans, cite.kind, paired[i], status)
        if not is_blanket and cite.kind == "recommendation":
            answered.update(cite.numbers)

    front = front_matter_lines(lines, rules)  # a committee paper's "Purpose: ...": about the paper, no answer
    free = [line for line in lines if line.index not in in_block and line.index not in chrome
            and line.index not in front and region[line.index] != "summary"
            and not is_welsh(line.text, rules) and not is_field_summary(text, line, rules)
            and not is_heading(line.text, rules.summary_headings + rules.response_headings, rules.heading_max_words)]

    # 2. mentions in prose
    mention_lines: set[int] = set()
    for line in free:
        by_kind: dict[str, list[str]] = {}
        for c in citations:
            if c.line == line.index and not c.ordered:
                numbers = by_kind.setdefault(c.kind, [])
                numbers.extend(n for n in c.numbers if n not in numbers)
        for kind, numbers in by_kind.items():
            mention_lines.add(line.index)
            is_blanket = inspection.registered and is_blanket_citation(numbers, kind_numbers[kind], rules)
            holes = [h for n in numbers for h in quotes(kind, n, line.start, line.end)]
            spans = response_spans(text, [line], holes, rules)
            if spans:
                emit(tuple(numbers), "blanket" if is_blanket else "mention", line.start, line.end, spans, kind)
                if not is_blanket and kind == "recommendation":
                    answered.update(numbers)

    # 3. blanket paragraphs, consecutive ones merged
    # a title names the report it answers, in the words of an answer to it as a whole: it is none
    titles = title_lines(lines, rules)
    rest = [line for line in free if line.index not in mention_lines and line.index not in titles]
    blanket_lines = find_blanket_lines(rest, rules)
    if not inspection.registered:
        # a news page's headline or caption is the reporter's summary, never the answer (segment/chrome.py)
        rest = [line for line in rest if not is_headline(line, lines[line.index - 1] if line.index else None,
                                                         line.index == len(lines) - 1, rules)]
        # no register to match prose against: what speaks of the report as a whole answers it as a whole
        # ... and so does what the force or its commissioner says, on a page that reports it as speech
        spoken = find_speech_lines(text, lines, rest, rules, force, said)
        chosen = {line.index for line in find_report_lines(rest, rules, force) + spoken}
        blanket_lines = [line for line in rest if line.index in chosen]
        if not blanket_lines and not passages:
            blanket_lines = find_force_work_lines(rest, rules, force)
    elif not blanket_lines and not any(p.link == "blanket" for p in passages):
        # no blanket wording: what the force says of the recommendations as a whole ("we have completed most
        # of the recommendations", a news page quoting its chief constable) is its answer to them all
        blanket_lines = find_spoken_blanket_lines(text, lines, rest, rules, force, said)
    all_force = tuple(r.number for r in inspection.force_recommendations)
    runs = consecutive(blanket_lines, lines)
    if runs:  # the force's words and the inspectorate's are never one passage (news pages quote both)
        runs = [part for run in runs for part in split_by_voice(run, said)]
    for run in runs:
        spans = tuple((line.start, line.end) for line in run)
        if not inspection.registered:
            holes = [h for line in run for h in cue_quote_spans(text, line.start, line.end, rules)]
            spans = response_spans(text, run, holes, rules)
            if not spans:
                continue
        kind = "recommendation" if inspection.registered else _blanket_kind(text[run[0].start:run[-1].end], rules)
        emit(all_force, "blanket", run[0].start, run[-1].end, spans, kind)

    # 4. content matching for what is still unanswered
    unanswered = [r for r in inspection.force_recommendations if r.number not in answered]
    taken = mention_lines | {line.index for line in blanket_lines}
    candidates = [line for line in free if line.index not in taken and speaks_for_force(line.text, rules, force)
                  and len(lower_words(line.text)) >= rules.content_min_words]
    if unanswered and candidates:
        links = match_by_content(segmenter, candidates, unanswered, [r.text for r in inspection.recommendations])
        by_lines: dict[tuple[int, ...], list[str]] = {}
        on_topic = {line.index for matched in links.values() for line in matched}
        for number, matched in links.items():
            for run in consecutive(matched, lines, bridge=on_topic):
                by_lines.setdefault(tuple(line.index for line in run), []).append(number)
        for indices, numbers in by_lines.items():
            run = [lines[i] for i in indices]
            emit(tuple(numbers), "content", run[0].start, run[-1].end, tuple((line.start, line.end) for line in run))

    return tuple(sorted(passages, key=lambda p: (p.start, p.end, p.recommendations)))


def _label_language(text: str, cite: Citation, rules: SegmentRules) -> str:
    """``"cy"`` for a label in a Welsh spelling ("Argymhelliad 9", ``[welsh] labels``), else ``"en"``."""
    welsh = rules.welsh_labels is not None and rules.welsh_labels.match(text, cite.start, cite.end)
    return "cy" if welsh else "en"


def _bilingual_pairs(text: str, labels: Sequence[Citation], rules: SegmentRules) -> list[bool]:
    """For each label: is it one of a Welsh and an English label of the same items, side by side?

    "Argymhelliad 9 | Recommendation 9" (a bilingual table's row) or the two
    on consecutive lines (interleaved paragraphs), nothing but separators
    between them: the two are one label, and the block under the second
    holds the item's answer in both languages.
    """
    out = [False] * len(labels)
    for i in range(len(labels) - 1):
        a, b = labels[i], labels[i + 1]
        if (a.kind, a.numbers) == (b.kind, b.numbers) and not WORD.search(text[a.end:b.start]) \
                and _label_language(text, a, rules) != _label_language(text, b, rules):
            out[i] = out[i + 1] = True
    return out


def _one_language(text: str, block: list[Line], stop: int, cite: Citation,
                  rules: SegmentRules) -> tuple[list[Line], int]:
    """``block`` cut where a paragraph of the other language than its label's starts, once it holds words of its own.

    A response in halves (all Welsh, then all English) would otherwise run its
    last Welsh answer on into the English half's opening lines. A line of
    neither language (a date, a short label) carries the block on.
    """
    own = _label_language(text, cite, rules)
    has_words = bool(WORD.search(text[cite.end:block[0].end])) and language_of(text[cite.end:block[0].end], rules) != \
        ("en" if own == "cy" else "cy")
    for j, line in enumerate(block[1:], start=1):
        language = line_language(text, line, rules)
        if language and language != own and has_words:
            return block[:j], min(stop, block[j - 1].end)
        has_words = has_words or (language != ("en" if own == "cy" else "cy") and bool(WORD.search(line.text)))
    return block, stop


def _english_evidence(text: str, spans: tuple[tuple[int, int], ...], rules: SegmentRules,
                      bilingual: bool = False) -> tuple[tuple[tuple[int, int], ...], str]:
    """The spans a passage is classified on, and its language.

    Where an English paragraph or cell stands among them, the Welsh ones are
    left out (a bilingual answer's evidence is its English text, README
    "Welsh"); so are they under a ``bilingual`` label (Welsh and English
    side by side) beside any words of neither language (a short English
    answer has too few function words to tell). Else all are kept and the
    passage is Welsh (``"cy"``) when their text reads as Welsh.
    """
    languages = [language_of(text[s:e], rules) for s, e in spans]
    other = "" if bilingual else "en"
    if "cy" in languages and any(language in ("en", other) for language in languages):
        return tuple(span for span, language in zip(spans, languages) if language != "cy"), "en"
    return spans, "cy" if is_welsh(join_spans(text, spans), rules) else "en"


def _one_item_per_cause(inspection: Inspection, labels: list, answered_alone: Callable[[Citation, Citation], bool]) -> list:
    """Drop the labels of a cause of concern's own recommendations: they answer one item with the cause (D7).

    A recommendation label after a cause-of-concern label (before the next
    cause or AFI label) belongs to it when the register says so, or always for
    an unregistered inspection. For a registered inspection the label stays
    when ``answered_alone(cause, label)``: the response already answered the
    cause above it in words of its own ("Cause of concern / <answer> /
    Recommendation 1 / <answer>"), so the recommendation's answer is its own
    (newcomer report s5, item 6), not the tail of the cause's.
    """
    out, cause = [], None
    for cite in labels:
        if cite.kind == "cause_of_concern":
            cause = cite
        elif cite.kind == "area_for_improvement":
            cause = None
        elif cause is not None:
            rec = inspection.recommendation(cite.numbers[0])
            if not inspection.registered or (rec is not None and rec.cause_of_concern in cause.numbers
                                             and not answered_alone(cause, cite)):
                continue
        out.append(cite)
    return out


def _blanket_kind(text: str, rules: SegmentRules) -> str:
    """The kind of item an unregistered inspection's blanket passage speaks of.

    The kind whose unnumbered label words it uses ("the areas for improvement"), else recommendations.
    """
    for kind, pattern in rules.labels.unnumbered.items():
        if re.search(pattern.pattern.strip("^$"), text, re.IGNORECASE):
            return kind
    return "recommendation"


#: what blanking a part keeps: every character but a line break becomes a space
_BLANK = re.compile(r"[^\n]")


def segment_identified(document: Document, identification: Identification, segmenter: Segmenter) -> tuple[Passage, ...]:
    """:func:`segment` for what identify found: the whole document, or each of its parts against its own inspection.

    A response answering several inspections in parts (``identification.sections``) is cut part by part, each read
    against the inspection its heading names, so the second report's "Recommendation 2" is that report's item and
    no part's text runs into the next part. The other parts' characters are blanked (line breaks kept), so every
    offset stays an offset of ``document.text``. Passages in document order.
    """
    assert identification.inspection is not None  # identify names an inspection or raises E201
    if not identification.sections:
        return segment(document, identification.inspection, segmenter, identification.force)
    text = document.text
    passages: list[Passage] = []
    for section in identification.sections:
        kept = _BLANK.sub(" ", text[:section.start]) + text[section.start:section.end] \
            + _BLANK.sub(" ", text[section.end:])
        part = replace(document, text=kept)
        passages += segment(part, section.inspection, segmenter, identification.force)
    return tuple(passages)
