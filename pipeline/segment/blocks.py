"""Numbered blocks: where a labelled answer starts and stops, and the force's words in it.

The force's words are what is left once the quoted recommendation wording (aligned against the register)
is taken out.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from pipeline.segment.labels import Citation, in_table, to_number
from pipeline.segment.lines import WORD, Line, clean, grid_cells, is_heading, is_label_only, lower_words
from pipeline.segment.speech import _compiled, _force_names
from pipeline.types import Force

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules


_SENTENCE_END = re.compile(r"(?<=[.!?])(?P<quote>[\"”’']?)\s+(?=[\"“‘'(]?[A-Z0-9])")
# Abbreviations whose full stop ends no sentence ("Ch. Supt.", "No. 5", "e.g.", "Rec. No. 13").
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]|Ch|Supt|Insp|Sgt|Det|Con|Asst|Dep|Mr|Mrs|Ms|Dr|St|No|Nos|Rec|Recs|Ref|Para|para|approx|Approx|"
    r"e\.g|i\.e|etc|vs|cf|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Co|Ltd|Vol|pp|p)\.)$")


# A paragraph number before a sentence: "2.2 ", "3. ", "a) ".
_PARAGRAPH_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[a-z]\))\s+")
# What may stand before a label at a line's start and still be the label's: a bullet, a list or paragraph number
# ("2. AFI 6: ...", "3.1 Recommendation 4", "a) ...").
_LABEL_PREFIX = re.compile(r"[\s\-•(#*|]*(?:\d{1,2}(?:\.\d{1,2})*[.)]?|[a-z]\))?\s*")
# The item's own label at the head of the line that quotes it ("Recommendation 1: By 30 September 2021, chief
# constables should ..."): the quote's cue is the words after it.
_LEADING_LABEL = re.compile(
    r"^(?:recommendation|rec\.?|area for improvement|afi|cause of concern)\s*(?:no\.?\s*)?[\w.]{0,8}\s*[:.\-\u2013]\s+",
    re.IGNORECASE)


def sentence_spans(doc_text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``doc_text[start:end]`` as absolute spans; a full stop after an abbreviation cuts none."""
    spans, cursor = [], start
    for m in _SENTENCE_END.finditer(doc_text, start, end):
        if _ABBREVIATION.search(doc_text[max(cursor, m.start() - 8):m.start()]):
            continue
        spans.append((cursor, m.start() + len(m.group("quote"))))  # a closing quotation mark ends the sentence with it
        cursor = m.end()
    spans.append((cursor, end))
    return [(s, e) for s, e in spans if doc_text[s:e].strip()]


def _in_answer_voice(doc_text: str, span: tuple[int, int], rules: SegmentRules) -> bool:
    """Does the sentence holding ``span`` open in the force's voice ("We have updated our policy ...")?"""
    line_start = doc_text.rfind("\n", 0, span[0]) + 1
    cell_start = max(line_start, doc_text.rfind("|", line_start, span[0]) + 1)
    line_end = doc_text.find("\n", span[0])
    line_end = len(doc_text) if line_end < 0 else line_end
    for s, e in sentence_spans(doc_text, cell_start, line_end):
        if s <= span[0] < max(e, s + 1):
            opening = doc_text[s:e].lstrip(" -•*\"“‘'(")
            return any(p.match(opening) for p in rules.answer_voice)
    return False


def cue_quote_spans(doc_text: str, start: int, end: int, rules: SegmentRules, registered: bool = False,
                    findings: bool = False) -> list[tuple[int, int]]:
    """The sentences of ``doc_text[start:end]`` that quote the item or the report, found by their cues.

    For an unregistered inspection (no wording to align): a sentence opening
    with an item cue ("The force should", "Chief constables should", "We
    recommend"; ``quotes.item_opening`` and ``quotes.inspectorate_opening``) or
    standing wholly in quotation marks is the inspectorate's wording. For a
    ``registered`` one, whose quotes the register's wording finds, only the
    report's instructions count (``quotes.inspectorate_opening``: "The force
    should make sure ..." paraphrasing the item in an update table's cell): a
    force's "By March, all staff will ..." or a quotation of its own words
    stays its answer, and so do the words after a colon inside the quoted
    sentence ("Chief constables should ...: the Chief Constable issued ...").
    With ``findings`` (inside an item's block), a sentence giving the report's
    finding ("The inspectorate found that ...", ``quotes.finding_opening``) is
    a quote too. So is each sentence after a quote in its paragraph or cell
    that prescribes as an item does (``quotes.item_modal``: "The review should
    consider ..."), and for an unregistered inspection in the paragraphs that
    follow it too ("For PCCs, this should include the following:"). A sentence
    in the force's voice is never one.
    """
    openings = rules.inspectorate_opening if registered else rules.item_opening
    if findings:
        openings += rules.finding_opening
    spans = []
    listing = False  # inside the bulleted list a quoted item introduces ("... should have in place:")
    listed = False  # ... and one of its items taken
    quoting = False
    previous_end = start
    for cell in re.finditer(r"[^\n|]+", doc_text[start:end]):  # each line, and each cell of a table row
        ls, le = start + cell.start(), start + cell.end()
        gap = doc_text[previous_end:ls]
        same_cell = "|" not in gap
        # the list ends with the cell that holds it, or at a blank line after its items (ingest writes a list's
        # items on consecutive lines: a bullet after a blank line opens another list, the force's own)
        listing = listing and same_cell and not (listed and "\n\n" in gap)
        previous_end = le
        if listing and re.match(r"\s*[-•*–]\s", cell.group()):
            spans.append((ls, le))
            listed = True
            continue
        # with no wording to align, a quoted item's next paragraph goes on prescribing ("For PCCs, this should ..."),
        # but not past the list it introduced
        quoting = quoting and same_cell and not registered and not listed
        listing = listed = False
        for s, e in sentence_spans(doc_text, ls, le):
            sentence = doc_text[s:e].strip(" |")
            bare = _LEADING_LABEL.sub("", _PARAGRAPH_NUMBER.sub("", sentence.lstrip(" -•*(")))
            quoted = not registered and len(bare) > 20 and bare[0] in "\"“‘'" and bare.rstrip(" .")[-1:] in "\"”’'"
            goes_on = quoting and rules.item_modal is not None and bool(rules.item_modal.search(bare))
            quoting = (any(p.match(bare.lstrip("\"“‘'")) for p in openings) or quoted or goes_on) and not any(
                p.match(bare.lstrip("\"“‘'")) for p in rules.answer_voice)
            if quoting:
                colon = re.search(r":\s+(?=\S)", doc_text[s:e]) if registered else None
                if colon:  # "Chief constables should give clear direction ...: the Chief Constable issued ..."
                    e = s + colon.start() + 1
                spans.append((s, e))
                listing = sentence.rstrip().endswith(":")
    return spans


def force_doer(rules: SegmentRules, force: Force | None) -> re.Pattern | None:
    """What opens a sentence naming the force or its commissioner as the doer ("Surrey Police will publish ...").

    A ``[speech]`` responder ("The PCC", "the Chief Constable"), one of ``force``'s names (forces.csv) or a
    capitalised name ending in a ``[speech]`` force noun ("Surrey Police"), maybe followed by a person's name,
    then one of ``quotes.doer_verb``. None when the rules name no such verbs.
    """
    if not rules.doer_verb:
        return None
    names = _force_names(force, rules.speech.force_nouns)[0]
    nouns = "|".join(rules.speech.force_nouns)
    who = "|".join(w for w in (names, rules.speech.responders, rf"(?-i:(?:[A-Z][\w’'-]+ ){{1,4}})(?:{nouns})") if w)
    return _compiled(rf"(?:the |our )?(?:{who})(?![\w-])(?:\s+(?-i:[A-Z][\w’'-]+)){{0,3}},?\s+(?:{rules.doer_verb})")


def opens_in_force_voice(sentence: str, rules: SegmentRules, doer: re.Pattern | None) -> bool:
    """Does ``sentence`` open in the force's (or its commissioner's) voice, where the inspectorate's words might stand?

    It opens in ``quotes.answer_voice`` ("We have updated ...") but not in the inspectorate's own first person
    (``quotes.inspectorate_we``: "We found that ...") or an item's opening ("We recommend ..."), or it names the
    force as the doer (``doer``, :func:`force_doer`).
    """
    opening = _LEADING_LABEL.sub("", _PARAGRAPH_NUMBER.sub("", sentence.strip().lstrip(" -•*\"“‘'(")))
    if (rules.inspectorate_we is not None and rules.inspectorate_we.match(opening)) or any(
            p.match(opening) for p in rules.item_opening + rules.finding_opening):
        return False
    return any(p.match(opening) for p in rules.answer_voice) or (doer is not None and bool(doer.match(opening)))


def _quote_end(doc_text: str, start: int, end: int, rules: SegmentRules, doer: re.Pattern | None,
               first_is_quote: bool) -> int:
    """Where the inspectorate's words in ``doc_text[start:end]`` stop: the first sentence in the force's voice, else ``end``.

    With ``first_is_quote`` the first sentence (an inline label's own) is the inspectorate's whatever its words.
    """
    for k, (s, e) in enumerate(sentence_spans(doc_text, start, end)):
        if (k or not first_is_quote) and opens_in_force_voice(doc_text[s:e], rules, doer):
            return s
    return end


def quoted_item_block_spans(doc_text: str, block: Sequence[Line], rules: SegmentRules,
                            doer: re.Pattern | None = None) -> list[tuple[int, int]]:
    """The lines of a numbered block that hold the inspectorate's wording under a heading that says so.

    A heading such as "Recommendation received" (``quotes.quoted_item_heading``) opens the item's wording as
    the report gave it; a heading over the force's answer ("Our current process", ``quotes.answer_heading``, or
    a section's response heading) closes it. Both headings and every line between are returned (they are no
    answer); with no answer heading after it, the rest of the block is the quote. The same words as an inline
    label ("What HMICFRS found: The inspectorate found ...", ``quoted_item_labels``) make the rest of their line,
    or of their table cell, the quote. Either quote ends at the first sentence in the force's voice
    (:func:`opens_in_force_voice`; ``doer``, :func:`force_doer`, names the force as the doer): "What HMICFRS
    found: <finding>. We have updated our policy ..." keeps the force's sentence as the answer (newcomer report s7,
    item 2).
    """
    spans: list[tuple[int, int]] = []
    quoting = False
    for line in block:
        labelled = False
        for cell in line.cells:
            cell_text = doc_text[cell[0]:cell[1]]
            if any(p.match(cell_text) for p in rules.quoted_item_labels):
                labelled = True
                spans.append((cell[0], _quote_end(doc_text, cell[0], cell[1], rules, doer, first_is_quote=True)))
        if line.is_row:
            quoting = False  # a table's cells have their own columns for the item and the answer
        elif is_heading(line.text, rules.quoted_item_headings, rules.heading_max_words):
            quoting = True
        elif is_heading(line.text, rules.answer_headings + rules.response_headings, rules.heading_max_words):
            quoting = False
            if spans:
                spans.append((line.start, line.end))  # the answer's heading is a label, not its words
            continue
        if quoting and not labelled:
            end = _quote_end(doc_text, line.start, line.end, rules, doer, first_is_quote=False)
            spans.append((line.start, end))
            quoting = end == line.end  # the force's words from here on are its answer
    return spans


def is_owner_header(cell: str, rules: SegmentRules) -> bool:
    """Is ``cell`` a header naming an owner, lead or due-date column ("Rec. Owner", "Lead", "Target date")?"""
    bare = cell.strip(" |.:/\t")
    return rules.owner_header is not None and bool(bare) and rules.owner_header.fullmatch(bare) is not None


def owner_spans(doc_text: str, block: Sequence[Line], rules: SegmentRules, owner_column: bool) -> list[tuple[int, int]]:
    """The cells of a numbered block that say who owns or leads the item, or when it is due: no answer.

    A cell opening with such a field's name as a label ("Lead: DCI Smith", "Due date: 31/03/2025",
    ``passages.owner_field``) always; with ``owner_column`` (the block lies under a header naming such a column,
    :func:`is_owner_header`), also a cell that is only an owner or a date ("Chief Constables", "D/Supt Leeson",
    "March 2026": ``passages.owner_cell``, matched whole), as a table read one cell a line has it. The item's
    status and its update stay the force's answer. Returns absolute cell spans.
    """
    spans: list[tuple[int, int]] = []
    for line in block:
        for s, e in line.cells:
            cell = doc_text[s:e]
            if rules.owner_label is not None and rules.owner_label.match(cell):
                spans.append((s, e))
            elif owner_column and rules.owner_cell is not None and rules.owner_cell.fullmatch(cell.strip(" |.,;:\t")):
                spans.append((s, e))
    return spans


def sub_item_spans(doc_text: str, start: int, end: int, number: str, rules: SegmentRules) -> list[tuple[int, int]]:
    """The sub-items of item ``number`` quoted in ``doc_text[start:end]`` (its block): "7.1 | Processes should ...".

    A sub-item belongs to its parent: its label ("7.1", at a line's or a cell's start) neither ends the parent's
    block nor starts an item of its own, and its wording (the rest of its cell, or the next cell when the label
    stands alone in one) is the inspectorate's, like the parent's, when it is worded as an item is
    (``quotes.item_modal``: "should", "must", "needs to") and not in the force's voice (``quotes.answer_voice``).
    A force's own paragraph numbers ("2.3 The board meets monthly") are never sub-items: their first number
    is not the item's, or their words are no item's. Returns the labels and wordings as absolute spans.
    """
    if rules.item_modal is None or not number.isdigit():
        return []
    label = re.compile(rf"\s*{int(number)}\.\d{{1,2}}(?![\d.]*\d)[.):]?(?=\s|$)")
    cells = [(start + m.start(), start + m.end()) for m in re.finditer(r"[^\n|]+", doc_text[start:end])]
    spans: list[tuple[int, int]] = []
    for k, (s, e) in enumerate(cells):
        opened = label.match(doc_text, s, e)
        if opened is None:
            continue
        wording = (opened.end(), e)
        if not doc_text[opened.end():e].strip() and k + 1 < len(cells):
            wording = cells[k + 1]  # the label alone in its cell: the wording is the next cell
        words = doc_text[wording[0]:wording[1]].strip()
        first = next(iter(sentence_spans(doc_text, *wording)), wording)
        if (words and rules.item_modal.search(doc_text, first[0], first[1])
                and not any(p.match(words.lstrip(" -•*\"“‘'(")) for p in rules.answer_voice)):
            spans += [(s, e), wording]
    return spans


def quoted_spans(doc_text: str, start: int, end: int, wording: str, rules: SegmentRules | None = None) -> list[tuple[int, int]]:
    """Spans in ``doc_text[start:end]`` that quote ``wording``, found by token alignment.

    Matching runs of at least three words are grouped when they lie close
    together; the group covering the most of the wording is the quote, kept
    if it covers half of it (or most of a short block). With ``rules``, a
    match inside a sentence in the force's own voice ("we have updated our
    policy to reflect ...", ``quotes.answer_voice``) is an answer phrased in
    the item's words, not a quote, and is kept.
    """
    tokens = [(m.start() + start, m.end() + start, m.group().lower()) for m in WORD.finditer(doc_text[start:end])]
    target = lower_words(wording)
    if not tokens or not target:
        return []
    matcher = SequenceMatcher(None, [t[2] for t in tokens], target, autojunk=False)
    runs = [b for b in matcher.get_matching_blocks() if b.size >= 3]
    groups: list[list] = []
    for run in runs:
        if groups and run.a - (groups[-1][-1].a + groups[-1][-1].size) <= 4:
            groups[-1].append(run)
        else:
            groups.append([run])
    spans = []
    for group in groups:
        matched = sum(r.size for r in group)
        if matched >= 0.5 * len(target) or (matched >= 6 and matched >= 0.3 * len(target)):
            first, last = group[0].a, group[-1].a + group[-1].size - 1
            span_end = tokens[last][1]
            # take the sentence's closing punctuation with the quote
            closing = re.match(r"[.;:,]?", doc_text[span_end:end])  # optional: matches at least ""
            trailing = closing.group() if closing else ""
            span = (tokens[first][0], span_end + len(trailing))
            if rules is not None and _in_answer_voice(doc_text, span, rules):
                continue
            spans.append(span)
    if rules is not None:
        spans += _restated_openings(doc_text, start, end, target, spans, rules)
    return spans


#: Words of the item's wording a cell must open with to restate it (fewer are common phrasing, not a restatement).
_RESTATED_MIN_WORDS = 6


def _restated_openings(doc_text: str, start: int, end: int, target: list[str], found: list[tuple[int, int]],
                       rules: SegmentRules) -> list[tuple[int, int]]:
    """Cells that open by restating the item once more, outside the quote already ``found``.

    A response cell may repeat the recommendation's opening words before its
    answer ("Chief constables should give clear direction ... : the Chief
    Constable gave that direction in October"), after the label cell quoted it:
    the restated words (at least :data:`_RESTATED_MIN_WORDS` in a row, not in
    the force's voice) are taken out and the answer after them kept. The
    whole-block alignment above cannot see it: it matches each word of the
    wording once.
    """
    spans = []
    for cell in re.finditer(r"[^\n|]+", doc_text[start:end]):
        cs, ce = start + cell.start(), start + cell.end()
        cs += len(cell.group()) - len(cell.group().lstrip())
        for a, b in sorted(found):  # the quote already found may have taken the restatement's first words
            if a <= cs < b:
                cs = b
        tokens = [(m.start() + cs, m.end() + cs, m.group().lower()) for m in WORD.finditer(doc_text[cs:ce])]
        if len(tokens) <= _RESTATED_MIN_WORDS:
            continue
        words = [t[2] for t in tokens]
        run = SequenceMatcher(None, words, target, autojunk=False).find_longest_match(0, len(words), 0, len(target))
        if run.a != 0 or run.size < _RESTATED_MIN_WORDS or run.size == len(words):
            continue  # not at the cell's opening, too short, or the cell is all quote (the alignment's business)
        span_end = tokens[run.size - 1][1]
        closing = re.match(r"[.;:,]?", doc_text[span_end:ce])
        span = (tokens[0][0], span_end + len(closing.group() if closing else ""))
        if not _in_answer_voice(doc_text, span, rules):
            spans.append(span)
    return spans


def _subtract(span: tuple[int, int], holes: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces = [span]
    for hs, he in sorted(holes):
        next_pieces = []
        for s, e in pieces:
            if he <= s or hs >= e:
                next_pieces.append((s, e))
                continue
            if hs > s:
                next_pieces.append((s, hs))
            if he < e:
                next_pieces.append((he, e))
        pieces = next_pieces
    return pieces


def response_spans(doc_text: str, lines: Sequence[Line], holes: list[tuple[int, int]],
                   rules: SegmentRules) -> tuple[tuple[int, int], ...]:
    """The pieces of ``lines`` that are the force's words: cells minus ``holes``, trimmed, no labels."""
    spans: list[tuple[int, int]] = []
    for line in lines:
        for cell in line.cells:
            for s, e in _subtract(cell, holes):
                piece = doc_text[s:e]
                if not WORD.search(piece) or is_label_only(piece, rules):
                    continue
                s += len(piece) - len(piece.lstrip(" |.,;:-–"))
                e -= len(piece) - len(piece.rstrip(" |"))
                if s < e:
                    spans.append((s, e))
    return tuple(spans)


def join_spans(doc_text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text of the character ``spans`` of ``doc_text``, joined by single spaces, white space collapsed."""
    return re.sub(r"\s+", " ", " ".join(doc_text[s:e] for s, e in spans)).strip()


def regions(text: str, lines: Sequence[Line], rules: SegmentRules) -> list[str]:
    """``body`` | ``summary`` | ``response`` for every line, switched by standalone section headings."""
    current, out = "body", []
    for line in lines:
        if not line.is_row:
            if is_heading(line.text, rules.summary_headings, rules.heading_max_words):
                current = "summary"
            elif is_heading(line.text, rules.response_headings, rules.heading_max_words):
                current = "response"
        out.append(current)
    return out


def is_field_summary(text: str, line: Line, rules: SegmentRules) -> bool:
    """A form row whose label cell says it summarises the report ("Summary of inspection | ...")."""
    return line.is_row and is_heading(line.cell_text(text, 0), rules.summary_headings, rules.heading_max_words)


def block_extent(text: str, lines: Sequence[Line], cite: Citation, next_label: Citation | None,
                  wording: str, rules: SegmentRules, region: Sequence[str],
                  known: Mapping[str, set[str] | None] | None = None, label_row: bool = False) -> tuple[list[Line], int]:
    """The lines a numbered block touches and the offset where it stops.

    A block runs from its label to the next label, a section heading, a closing
    line, a grid of short cells (:func:`starts_grid`), (for a table row) the
    first row that does not carry it on, or a line opening with the label of an
    item ``known`` (the register's numbers by kind) lacks. Up to two caption lines just above a
    grid (a title such as "Action tracker", a header row of short labels; no
    sentence's closing punctuation, not in the force's voice) are the grid's:
    they stay among the block's lines (so they are no free paragraph) but past
    ``stop``, as long as the block keeps some words of its own before them; so does a caption-like
    last line of the whole text (:func:`_is_trailing_caption`), whose grid or picture was not read.
    A ``label_row`` (a row of labels only: "Argymhelliad 9 | Recommendation 9") heads the rows under it as a
    heading line does, so they need not carry it on.
    """
    first = lines[cite.line]
    block = [first]
    captions = 0
    for line in lines[first.index + 1:]:
        if next_label is not None and line.index > next_label.line:
            break
        if next_label is not None and line.index == next_label.line:
            head = text[line.start:next_label.start]
            if line.cells[0][0] < next_label.start and head.strip(" |") and not _LABEL_PREFIX.fullmatch(head):
                block.append(line)  # the next label sits mid-line: the line's head is still ours
            break
        if region[line.index] != region[first.index] or any(p.match(clean(line.text)) for p in rules.block_end):
            break
        if known is not None and not line.is_row and _opens_with_other_item(line, rules, known):
            break
        if is_heading(line.text, rules.summary_headings + rules.response_headings, rules.heading_max_words):
            break
        if starts_grid(text, lines, line.index, rules):
            label_has_words = bool(WORD.search(text[cite.end:first.end]))
            while (captions < 2 and len(block) - captions > (1 if label_has_words else 2)
                   and _is_caption(text, block[-1 - captions], rules)):
                captions += 1
            break
        if first.is_row and not label_row and not _continues_row(text, line, wording, rules):
            break
        if first.is_row and line.text[:1].isupper() and _is_caption(text, line, rules) and in_table(text, lines, line.index):
            break  # a table's full-width sub-heading row heads the rows below it, it is no part of the answer above
        block.append(line)
    else:
        if _is_trailing_caption(text, lines, block, rules):
            captions = 1
    stop = block[-1].end
    if captions:
        stop = block[-1 - captions].end
    elif next_label is not None and block[-1].index == next_label.line:
        stop = next_label.start
    return block, stop


def _opens_with_other_item(line: Line, rules: SegmentRules, known: Mapping[str, set[str] | None]) -> bool:
    """Does ``line`` open with an item label the register does not know ("AFI 3 of our last PEEL report ...")?

    An item of a kind or number the register lacks (``known``: its numbers by
    kind; None for any) is another item's text, of another report, and no
    part of the answer above it.
    """
    head = line.text.lstrip(" -•*#(")
    for kind, pattern in rules.labels.by_kind.items():
        m = pattern.match(head)
        numbers = known.get(kind)
        if m and numbers is not None:
            value = to_number(m.group("first"), rules.labels.spelled)
            if value is not None and str(value) not in numbers:
                return True
    return False


def _is_trailing_caption(text: str, lines: Sequence[Line], block: Sequence[Line], rules: SegmentRules) -> bool:
    """Is the block's last line, the last line of the text, the title of something left unread?

    It must be caption-like (:func:`_is_caption`), follow a line of the block
    that closes its sentence, and hold no status word
    (``trailing_caption_keep``): the title of a grid left out as fine print
    (E122) or of a picture, with nothing under it, is no part of the answer.
    """
    if len(block) < 2 or block[-1].index != lines[-1].index or block[-1].is_row:
        return False
    last, before = block[-1], block[-2]
    if not text[before.start:before.end].rstrip().endswith((".", "!", "?")):
        return False
    return _is_caption(text, last, rules) and not rules.trailing_caption_keep.search(last.text)


def _is_caption(text: str, line: Line, rules: SegmentRules) -> bool:
    """Is ``line`` a grid's title or header row rather than the end of an answer?

    Its cells are short (a line of at most ``heading_max_words`` words, a row's
    cells at most ``grid_cell_max_tokens`` words each), it has no sentence's
    closing punctuation and it is not in the force's voice (``quotes.answer_voice``).
    """
    cells = [text[s:e].strip() for s, e in line.cells]
    limit = rules.grid_cell_max_tokens if line.is_row else rules.heading_max_words
    if not all(len(cell.split()) <= limit for cell in cells) or not line.text.split():
        return False
    if line.text.rstrip().endswith((".", "!", "?", ";", ":", ",")):
        return False
    return not any(p.search(line.text) for p in rules.answer_voice_anywhere)


def starts_grid(text: str, lines: Sequence[Line], index: int, rules: SegmentRules) -> bool:
    """Does a grid of short cells start at line ``index`` (an action tracker's numbers, bullets, ticks)?

    A grid is a run of consecutive lines made only of grid cells
    (:func:`~pipeline.segment.lines.grid_cells`), with at least
    ``grid_min_cells`` cells over at least ``grid_min_lines`` lines. Such a run
    holds no prose: an answer's block that ran on into it would be diluted by
    hundreds of numbers and ticks.
    """
    cells = 0
    for count, line in enumerate(lines[index:], start=1):
        in_line = grid_cells(text, line, rules)
        if not in_line:
            return False
        cells += in_line
        if cells >= rules.grid_min_cells and count >= rules.grid_min_lines:
            return True
    return False


def _continues_row(text: str, line: Line, wording: str, rules: SegmentRules) -> bool:
    """Does a table row carry on the block above (empty first cell, a header row, or the quote's tail)?

    Without register wording (an unregistered inspection) every line carries
    on until the next label, as in prose: a table read one cell a line (a web
    page's table, its last row cut off) puts the item and its answer on lines
    of their own.
    """
    if not wording:
        return True
    if not line.is_row:
        return False
    head = line.cell_text(text, 0)
    if not head or is_label_only(line.text, rules):
        return True
    head_words = lower_words(head)
    spans = quoted_spans(text, line.cells[0][0], line.cells[0][1], wording)
    covered = sum(len(lower_words(text[s:e])) for s, e in spans)
    return bool(head_words) and covered >= 0.6 * len(head_words)
