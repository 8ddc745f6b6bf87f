"""Segment: cut a response into recommendation-level passages.

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
  be progressed"), or citing most of them; the scorer uses it only where
  nothing specific exists, and it is ``not_addressed`` by the guidelines.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Iterable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from spacy.language import Language

from pipeline.types import Document, Force, Inspection, Passage

CELL_SEPARATOR = " | "
_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class SegmentRules:
    """The segmenter's lexicons and thresholds (see ``pipeline/data/segment.toml``)."""

    heading_max_words: int
    summary_headings: tuple[re.Pattern, ...]
    response_headings: tuple[re.Pattern, ...]
    block_end: tuple[re.Pattern, ...]
    label_cells: tuple[re.Pattern, ...]
    citation: re.Pattern
    blanket_share: float
    blanket: tuple[re.Pattern, ...]
    content_min_similarity: float
    content_margin: float
    content_min_words: int
    voice: tuple[re.Pattern, ...]
    content_stop_words: frozenset[str]
    welsh_min_share: float
    welsh_words: frozenset[str]
    english_words: frozenset[str]


def parse_segment_rules(toml_text: str) -> SegmentRules:
    """Parse the TOML text of ``segment.toml`` into compiled :class:`SegmentRules`."""
    data = tomllib.loads(toml_text)

    def compile_all(patterns: Iterable[str], whole: bool = False) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(f"(?:{p})" if not whole else f"^(?:{p})$", re.IGNORECASE) for p in patterns)

    sections, passages, content, welsh = data["sections"], data["passages"], data["content"], data["welsh"]
    return SegmentRules(
        heading_max_words=int(sections["heading_max_words"]),
        summary_headings=compile_all(sections["summary"], whole=True),
        response_headings=compile_all(sections["response"], whole=True),
        block_end=compile_all(passages["block_end"], whole=True),
        label_cells=compile_all(passages["label_cells"], whole=True),
        citation=re.compile(passages["citation"], re.IGNORECASE),
        blanket_share=float(passages["blanket_share"]),
        blanket=compile_all(passages["blanket"]),
        content_min_similarity=float(content["min_similarity"]),
        content_margin=float(content["margin"]),
        content_min_words=int(content["min_words"]),
        voice=compile_all(content["voice"]),
        content_stop_words=frozenset(content["stop_words"]),
        welsh_min_share=float(welsh["min_share"]),
        welsh_words=frozenset(welsh["words"]),
        english_words=frozenset(welsh["english"]),
    )


@dataclass(frozen=True)
class Segmenter:
    """What segmenting needs besides the document: the rules and a spaCy pipeline (for lemmas)."""

    rules: SegmentRules
    nlp: Language


# --- lines ------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    index: int
    start: int
    end: int
    text: str
    cells: tuple[tuple[int, int], ...]  # absolute spans of the cells; one cell when not a row

    @property
    def is_row(self) -> bool:
        return len(self.cells) > 1

    def cell_text(self, doc_text: str, i: int) -> str:
        s, e = self.cells[i]
        return doc_text[s:e].strip()


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group()
        if not raw.strip():
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = match.end() - (len(raw) - len(raw.rstrip()))
        cells, cursor = [], start
        for sep in re.finditer(re.escape(CELL_SEPARATOR.strip()), text[start:end]):
            cells.append((cursor, start + sep.start()))
            cursor = start + sep.end()
        cells.append((cursor, end))
        lines.append(_Line(len(lines), start, end, text[start:end], tuple(cells)))
    return lines


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".:;,- ").strip()


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _is_heading(text: str, patterns: Sequence[re.Pattern], max_words: int) -> bool:
    cleaned = _clean(text)
    return 0 < len(cleaned.split()) <= max_words and any(p.match(cleaned) for p in patterns)


def _is_label_only(text: str, rules: SegmentRules) -> bool:
    """True when ``text`` holds no words beyond column/field labels and separators."""
    parts = [_clean(p) for p in re.split(r"\s*\|\s*|\n", text)]
    return all(not p or any(pat.match(p) for pat in rules.label_cells) for p in parts)


def is_welsh(text: str, rules: SegmentRules) -> bool:
    """True when ``text`` reads as Welsh: many Welsh function words, fewer English ones."""
    words = _words(text)
    if len(words) < 4:
        return False
    welsh = sum(w in rules.welsh_words for w in words) / len(words)
    english = sum(w in rules.english_words for w in words) / len(words)
    return welsh >= rules.welsh_min_share and welsh > english


# --- citations ----------------------------------------------------------------

@dataclass(frozen=True)
class _Citation:
    line: int
    start: int
    end: int
    numbers: tuple[str, ...]
    is_label: bool


def _numbers(first: str, rest: str, known: set[str]) -> tuple[str, ...]:
    values = [int(first)]
    for sep, num in re.findall(r"(,|and|ac|&|/|-|–|to|i)\s*(\d{1,3})", rest):
        n = int(num)
        if sep in ("-", "–", "to", "i") and values and n > values[-1]:  # "i" is Welsh "to"
            values.extend(range(values[-1] + 1, n + 1))
        else:
            values.append(n)
    seen: list[str] = []
    for v in values:
        if str(v) in known and str(v) not in seen:
            seen.append(str(v))
    return tuple(seen)


def _starts_like(text_after: str, wording: str) -> bool:
    """Does the text after a citation begin with the recommendation's own wording?"""
    after, words = _words(text_after)[:8], _words(wording)[:8]
    if not after or not words:
        return False
    return sum(a == b for a, b in zip(after, words)) >= min(4, len(words))


def _find_citations(doc_text: str, lines: Sequence[_Line], inspection: Inspection, rules: SegmentRules) -> list[_Citation]:
    known = {r.number for r in inspection.recommendations}
    found: list[_Citation] = []
    for line in lines:
        for m in rules.citation.finditer(line.text):
            numbers = _numbers(m.group("first"), m.group("rest") or "", known)
            if not numbers:
                continue
            start, end = line.start + m.start(), line.start + m.end()
            before = doc_text[line.start:start]
            cell_start = not re.sub(r"^[\s\-•(]*", "", before.split("|")[-1])
            after = doc_text[end:line.end]
            punctuated = bool(re.match(r"\s*[:\-–]", after))
            rec = inspection.recommendation(numbers[0])
            quoted = rec is not None and _starts_like(after, rec.text)
            if punctuated or quoted:
                end += len(re.match(r"\s*[:\-–]?\s*", after).group())
            found.append(_Citation(line.index, start, end, numbers, cell_start or punctuated or quoted))
    return found


# --- removing quoted recommendation wording ------------------------------------

def _quoted_spans(doc_text: str, start: int, end: int, wording: str) -> list[tuple[int, int]]:
    """Spans in ``doc_text[start:end]`` that quote ``wording``, found by token alignment.

    Matching runs of at least three words are grouped when they lie close
    together; the group covering the most of the wording is the quote, kept
    if it covers half of it (or most of a short block).
    """
    tokens = [(m.start() + start, m.end() + start, m.group().lower()) for m in _WORD.finditer(doc_text[start:end])]
    target = _words(wording)
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
            trailing = re.match(r"[.;:,]?", doc_text[span_end:end]).group()
            spans.append((tokens[first][0], span_end + len(trailing)))
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


def _response_spans(doc_text: str, lines: Sequence[_Line], holes: list[tuple[int, int]], rules: SegmentRules) -> tuple[tuple[int, int], ...]:
    """The pieces of ``lines`` that are the force's words: cells minus ``holes``, trimmed, no labels."""
    spans: list[tuple[int, int]] = []
    for line in lines:
        for cell in line.cells:
            for s, e in _subtract(cell, holes):
                piece = doc_text[s:e]
                if not _WORD.search(piece) or _is_label_only(piece, rules):
                    continue
                s += len(piece) - len(piece.lstrip(" |.,;:-–"))
                e -= len(piece) - len(piece.rstrip(" |"))
                if s < e:
                    spans.append((s, e))
    return tuple(spans)


def _join_spans(doc_text: str, spans: Sequence[tuple[int, int]]) -> str:
    return re.sub(r"\s+", " ", " ".join(doc_text[s:e] for s, e in spans)).strip()


# --- the stage ------------------------------------------------------------------

def segment(document: Document, inspection: Inspection, segmenter: Segmenter, force: Force | None = None) -> tuple[Passage, ...]:
    """Cut ``document`` (a response to ``inspection``) into passages, in document order.

    ``force`` (when known) adds its names to the cues of the force's voice used
    for content matching. Restated recommendations yield no passage.
    """
    rules, text = segmenter.rules, document.text
    lines = _split_lines(text)
    if not lines:
        return ()
    region = _regions(text, lines, rules)
    citations = _find_citations(text, lines, inspection, rules)

    passages: list[Passage] = []
    in_block: set[int] = set()
    answered: set[str] = set()

    def emit(recs: tuple[str, ...], link: str, start: int, end: int, spans: tuple[tuple[int, int], ...]) -> None:
        while end > start and text[end - 1] in " |\n":
            end -= 1
        spans = tuple((s, min(e, end)) for s, e in spans if s < end)  # a trailing empty cell was trimmed off
        response = _join_spans(text, spans)
        language = "cy" if is_welsh(response, rules) else "en"
        passages.append(Passage(
            id=f"{document.sha256[:12]}:{start}-{end}", source=document.source, sha256=document.sha256,
            recommendations=recs, link=link, start=start, end=end, page=document.page_at(start),
            text=text[start:end], response_text=response, response_spans=spans, language=language,
        ))

    force_numbers = {r.number for r in inspection.force_recommendations}
    blanket_min = max(2, rules.blanket_share * len(force_numbers))

    # 1. numbered blocks
    labels = [c for c in citations if c.is_label]
    for i, cite in enumerate(labels):
        next_label = labels[i + 1] if i + 1 < len(labels) else None
        block, stop = _block_extent(text, lines, cite, next_label, inspection, rules, region)
        in_block.update(line.index for line in block)
        if region[cite.line] == "summary":
            continue  # the report's own summary quoting it
        holes = [(c.start, c.end) for c in citations if cite.start <= c.start < stop]
        holes += [(block[0].start, cite.start), (stop, block[-1].end)]
        for number in cite.numbers:
            holes += _quoted_spans(text, cite.start, stop, inspection.recommendation(number).text)
        spans = _response_spans(text, block, holes, rules)
        if not spans:
            continue  # a restatement, not an answer
        is_blanket = len(set(cite.numbers) & force_numbers) >= blanket_min
        emit(cite.numbers, "blanket" if is_blanket else "numbered", cite.start, stop, spans)
        if not is_blanket:
            answered.update(cite.numbers)

    free = [line for line in lines if line.index not in in_block and region[line.index] != "summary"
            and not is_welsh(line.text, rules) and not _is_field_summary(text, line, rules)
            and not _is_heading(line.text, rules.summary_headings + rules.response_headings, rules.heading_max_words)]

    # 2. mentions in prose
    mention_lines: set[int] = set()
    for line in free:
        numbers: list[str] = []
        for c in citations:
            if c.line == line.index:
                numbers.extend(n for n in c.numbers if n not in numbers)
        if not numbers:
            continue
        mention_lines.add(line.index)
        is_blanket = len(set(numbers) & force_numbers) >= blanket_min
        holes = [h for n in numbers for h in _quoted_spans(text, line.start, line.end, inspection.recommendation(n).text)]
        spans = _response_spans(text, [line], holes, rules)
        if spans:
            emit(tuple(numbers), "blanket" if is_blanket else "mention", line.start, line.end, spans)
            if not is_blanket:
                answered.update(numbers)

    # 3. blanket paragraphs, consecutive ones merged
    blanket_lines = [line for line in free if line.index not in mention_lines and any(p.search(line.text) for p in rules.blanket)]
    all_force = tuple(r.number for r in inspection.force_recommendations)
    for run in _consecutive(blanket_lines, lines):
        emit(all_force, "blanket", run[0].start, run[-1].end, tuple((line.start, line.end) for line in run))

    # 4. content matching for what is still unanswered
    unanswered = [r for r in inspection.force_recommendations if r.number not in answered]
    taken = mention_lines | {line.index for line in blanket_lines}
    candidates = [line for line in free if line.index not in taken and _speaks_for_force(line.text, rules, force)
                  and len(_words(line.text)) >= rules.content_min_words]
    if unanswered and candidates:
        links = _match_by_content(segmenter, candidates, unanswered, [r.text for r in inspection.recommendations])
        by_lines: dict[tuple[int, ...], list[str]] = {}
        on_topic = {line.index for matched in links.values() for line in matched}
        for number, matched in links.items():
            for run in _consecutive(matched, lines, bridge=on_topic):
                by_lines.setdefault(tuple(line.index for line in run), []).append(number)
        for indices, numbers in by_lines.items():
            run = [lines[i] for i in indices]
            emit(tuple(numbers), "content", run[0].start, run[-1].end, tuple((line.start, line.end) for line in run))

    return tuple(sorted(passages, key=lambda p: (p.start, p.end, p.recommendations)))


def _regions(text: str, lines: Sequence[_Line], rules: SegmentRules) -> list[str]:
    """``body`` | ``summary`` | ``response`` for every line, switched by standalone section headings."""
    current, out = "body", []
    for line in lines:
        if not line.is_row:
            if _is_heading(line.text, rules.summary_headings, rules.heading_max_words):
                current = "summary"
            elif _is_heading(line.text, rules.response_headings, rules.heading_max_words):
                current = "response"
        out.append(current)
    return out


def _is_field_summary(text: str, line: _Line, rules: SegmentRules) -> bool:
    """A form row whose label cell says it summarises the report ("Summary of inspection | ...")."""
    return line.is_row and _is_heading(line.cell_text(text, 0), rules.summary_headings, rules.heading_max_words)


def _block_extent(text: str, lines: Sequence[_Line], cite: _Citation, next_label: _Citation | None,
                  inspection: Inspection, rules: SegmentRules, region: Sequence[str]) -> tuple[list[_Line], int]:
    """The lines a numbered block touches and the offset where it stops.

    A block runs from its label to the next label, a section heading, a closing
    line, or (for a table row) the first row that does not carry it on.
    """
    first = lines[cite.line]
    block = [first]
    wording = " ".join(r.text for n in cite.numbers if (r := inspection.recommendation(n)))
    for line in lines[first.index + 1:]:
        if next_label is not None and line.index > next_label.line:
            break
        if next_label is not None and line.index == next_label.line:
            if line.cells[0][0] < next_label.start and text[line.start:next_label.start].strip(" |"):
                block.append(line)  # the next label sits mid-line: the line's head is still ours
            break
        if region[line.index] != region[first.index] or any(p.match(_clean(line.text)) for p in rules.block_end):
            break
        if _is_heading(line.text, rules.summary_headings + rules.response_headings, rules.heading_max_words):
            break
        if first.is_row and not _continues_row(text, line, wording, rules):
            break
        block.append(line)
    stop = block[-1].end
    if next_label is not None and block[-1].index == next_label.line:
        stop = next_label.start
    return block, stop


def _continues_row(text: str, line: _Line, wording: str, rules: SegmentRules) -> bool:
    """Does a table row carry on the block above (empty first cell, a header row, or the quote's tail)?"""
    if not line.is_row:
        return False
    head = line.cell_text(text, 0)
    if not head or _is_label_only(line.text, rules):
        return True
    head_words = _words(head)
    spans = _quoted_spans(text, line.cells[0][0], line.cells[0][1], wording)
    covered = sum(len(_words(text[s:e])) for s, e in spans)
    return bool(head_words) and covered >= 0.6 * len(head_words)


def _consecutive(chosen: Sequence[_Line], lines: Sequence[_Line], bridge: set[int] = frozenset()) -> list[list[_Line]]:
    """Group ``chosen`` lines into runs adjacent in the document.

    Lines in ``bridge`` may sit between two chosen lines of one run: prose on
    the same topic (linked to a neighbouring recommendation) does not split an
    answer in two.
    """
    runs: list[list[_Line]] = []
    for line in sorted(chosen, key=lambda l: l.index):
        if runs and all(i in bridge for i in range(runs[-1][-1].index + 1, line.index)):
            runs[-1].extend(lines[i] for i in range(runs[-1][-1].index + 1, line.index + 1))
        else:
            runs.append([line])
    return runs


def _speaks_for_force(text: str, rules: SegmentRules, force: Force | None) -> bool:
    names = (force.short_name, force.name) if force else ()
    return any(p.search(text) for p in rules.voice) or any(n.lower() in text.lower() for n in names)


def _lemma_text(doc, stop: frozenset[str]) -> str:
    return " ".join(t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and t.lower_ not in stop)


def _match_by_content(segmenter: Segmenter, candidates: Sequence[_Line], recommendations: Sequence,
                      reference: Sequence[str]) -> dict[str, list[_Line]]:
    """Link each candidate paragraph to the recommendations whose key terms it covers.

    A recommendation's terms are weighted by TF-IDF over the whole register
    (``reference``: every recommendation's text), so words every recommendation
    shares weigh little. A sentence's score for a recommendation is the share
    of that weight whose lemmas it contains; a paragraph takes its best
    sentence, so that long paragraphs gain nothing from length alone.
    """
    rules, nlp = segmenter.rules, segmenter.nlp
    vectoriser = TfidfVectorizer(sublinear_tf=True, norm=None, token_pattern=r"[a-z]{2,}")
    vectoriser.fit([_lemma_text(d, rules.content_stop_words) for d in nlp.pipe(reference)])
    weights = vectoriser.transform([_lemma_text(d, rules.content_stop_words) for d in nlp.pipe(r.text for r in recommendations)]).toarray()
    totals = np.maximum(weights.sum(axis=1), 1e-9)
    links: dict[str, list[_Line]] = {}
    for line, doc in zip(candidates, nlp.pipe(line.text for line in candidates)):
        sentences = [_lemma_text(s, rules.content_stop_words) for s in doc.sents]
        present = (vectoriser.transform(sentences).toarray() > 0).astype(float)
        scores = ((present @ weights.T) / totals).max(axis=0)
        best = float(scores.max()) if scores.size else 0.0
        if best < rules.content_min_similarity:
            continue
        for j in np.flatnonzero(scores >= max(rules.content_min_similarity, rules.content_margin * best)):
            links.setdefault(recommendations[j].number, []).append(line)
    return links
