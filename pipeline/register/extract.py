"""Register extraction: an HMICFRS report's normalised text -> its register.

Pure functions (no file access): :func:`extract_register` reads a
:class:`~pipeline.types.Document` made by :func:`pipeline.ingest.ingest`
from the report (PDF or HTML) and returns an
:class:`~pipeline.types.Inspection`; :func:`render_register` writes that as
register TOML. The command ``python -m pipeline register extract`` joins them
and parses the TOML back through :mod:`pipeline.register.schema` before
writing, so an extracted register is checked exactly like a hand-written one.

How a report is read (rules and patterns in ``pipeline/data/register.toml``):

* **Items** open at a box heading: ``Recommendation 4``, ``Recommendation``,
  ``Area for improvement 2``, ``Cause of concern`` (singular: one item) or
  ``Recommendations`` / ``Areas for improvement`` / ``Causes of concern``
  (plural: one item per paragraph or bullet that is no continuation). A
  numbered heading may carry the text on its own line
  (``Recommendation 4: By ...``) or in the next table cell.
* **An item's text** runs from its heading to the next heading, table or body
  paragraph. A paragraph continues the item when the text so far is an
  unfinished sentence (a box broken by a page or column), when it is a bullet
  of a list the item opened (text ending in ``:``), or when it is itself an
  obligation of a body (``The College of Policing should ...``, ``They
  should ...``). Lines are joined with a space; bullets run on with ``"; "``
  unless they end in their own ``;``/``,``/``and``/``or`` (the register's
  convention, see ``corpus/inspections/activism-impartiality-2024.toml``).
* **Running headers and footers** (a line at a page edge that is a page
  number, a protective marking, or the same text at the edge of two or more
  pages) are skipped wherever they fall, so a box broken across a page reads
  as one.
* **Repeats**: an item listed twice (a summary, an annex) is emitted once.
  Numbered items are matched by kind and number, unnumbered ones by text.
  When one occurrence is the other plus more words, the shorter is kept (the
  longer swallowed a body paragraph after its box); any other difference is
  an ``E411`` error, since the register must hold the report's exact wording.
* **Causes of concern** own the recommendations whose headings follow them
  directly (``cause_of_concern`` = the cause's number).
* **Unnumbered items** are numbered "1", "2", ... per kind in report order.
* **Recommendation fields**: ``deadline`` from an opening ``By 31 March
  2025,``; ``deadline_note`` from an opening ``Within ...,`` (or
  ``Immediately,`` ...); ``addressed_to`` lists the bodies that are subjects
  of *should*/*must* in each sentence (consulted bodies, pronouns and opening
  clauses left out), in order; ``addressee`` is ``forces`` when the first of
  them is the forces or chief constables (in a force's inspection also the
  force's own names), else ``national``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from pipeline.errors import NOT_A_REPORT, PipelineError
from pipeline.types import Document, Finding, Force, Inspection, Recommendation

#: Item kind -> how messages name it.
KIND_NAMES = {"recommendation": "recommendation", "cause_of_concern": "cause of concern",
              "area_for_improvement": "area for improvement"}

_TERMINAL = re.compile(r"[.!?][\"')\]]*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])[\"')\]]*\s+(?=[\"'(]?[A-Z])")
_QUOTED = re.compile(r"(?<!\w)(['\"])[^'\"]{1,200}?\1(?!\w)")
_CELL = " | "


@dataclass(frozen=True)
class ExtractionRules:
    """The compiled rules of ``pipeline/data/register.toml`` (see that file for each rule's meaning)."""

    label: re.Pattern
    furniture: tuple[re.Pattern, ...]
    title_suffix: re.Pattern
    page_number: re.Pattern
    edge_lines: int
    published: tuple[re.Pattern, ...]
    cover_pages: int
    deadline_date: re.Pattern
    deadline_note: re.Pattern
    verbs: re.Pattern
    consulted: re.Pattern
    openers: re.Pattern
    whole_names: re.Pattern
    pronouns: frozenset[str]
    determiners: re.Pattern
    max_words: int
    force_bodies: tuple[tuple[frozenset[str], str, str], ...]  # (names, national form, one-force form)
    # a force's or PCC's response, not a report ([response]): whole-line patterns tried on the first top lines
    response_lines: tuple[re.Pattern, ...] = ()
    response_top_lines: int = 0
    # a panel's or committee's paper about a report, not a report ([response] paper): whole-line patterns, same lines
    paper_lines: tuple[re.Pattern, ...] = ()


def parse_rules(toml_text: str, origin: str = "pipeline/data/register.toml") -> ExtractionRules:
    """Compile the extraction rules from the text of ``pipeline/data/register.toml``.

    Raises:
        PipelineError: ``E410`` naming ``origin`` when the file is not valid
            TOML, lacks a rule or holds a pattern that does not compile.
    """
    try:
        data = tomllib.loads(toml_text)
        labels, furniture, published = data["labels"], data["furniture"], data["published"]
        deadline, addressees = data["deadline"], data["addressees"]
        response = data.get("response", {})

        def words(items: Iterable[str]) -> str:
            return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in items), key=len, reverse=True))

        kinds = "|".join(f"(?P<{k}>{labels[k]})" for k in KIND_NAMES)
        label = re.compile(rf"^(?:{kinds})(?:\s+(?P<number>\d{{1,3}}))?(?:{labels['separator']}(?P<rest>\S.*))?\s*$",
                           re.IGNORECASE)
        return ExtractionRules(
            label=label,
            furniture=tuple(re.compile(rf"^(?:{p})$", re.IGNORECASE) for p in furniture["lines"]),
            title_suffix=re.compile(rf"(?:{furniture['title_suffix']})$", re.IGNORECASE),
            page_number=re.compile(rf"^(?:{furniture['page_number']})$", re.IGNORECASE),
            edge_lines=int(furniture["edge_lines"]),
            published=tuple(re.compile(rf"^(?:{p})$", re.IGNORECASE) for p in published["patterns"]),
            cover_pages=int(published["cover_pages"]),
            deadline_date=re.compile(deadline["date"], re.IGNORECASE),
            deadline_note=re.compile(deadline["note"], re.IGNORECASE),
            verbs=re.compile(rf"\b(?:{words(addressees['verbs'])})\b"),
            consulted=re.compile(rf"(?:^|,)\s*(?:{words(addressees['consulted'])})\b[^,]*,", re.IGNORECASE),
            openers=re.compile(rf"^\s*(?:{words(addressees['openers'])})\b[^,]*,", re.IGNORECASE),
            whole_names=re.compile(words(addressees["whole_names"]), re.IGNORECASE),
            pronouns=frozenset(w.lower() for w in addressees["pronouns"]),
            determiners=re.compile(rf"^(?:(?:{words(addressees['determiners'])})\s+)+", re.IGNORECASE),
            max_words=int(addressees["max_words"]),
            force_bodies=tuple((frozenset(n.lower() for n in b["names"]), b["national"], b["one_force"])
                               for b in addressees["forces"]),
            response_lines=tuple(re.compile(rf"^(?:{p})$", re.IGNORECASE)
                                 for p in (*response.get("author", ()), *response.get("title", ()))),
            response_top_lines=int(response.get("top_lines", 0)),
            paper_lines=tuple(re.compile(rf"^(?:{p})$", re.IGNORECASE) for p in response.get("paper", ())),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, re.error) as exc:
        raise PipelineError("E410", path=origin, detail=f"extraction rules unusable ({type(exc).__name__}: {exc})") from None


# --- lines of the report ------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    text: str
    page: int
    page_start: bool  # first kept line of its page (a box may have been broken just before it)


def _lines(document: Document, rules: ExtractionRules) -> list[_Line]:
    """The document's non-blank lines in order, running headers, footers and markings left out."""
    pages = document.pages or ()
    per_page: list[tuple[int, list[str]]] = []
    for page in pages:
        chunk = document.text[page.start:page.end]
        per_page.append((page.number, [" ".join(line.split()) for line in chunk.split("\n") if line.strip()]))
    if not per_page:
        per_page = [(1, [" ".join(line.split()) for line in document.text.split("\n") if line.strip()])]

    edge = rules.edge_lines
    edge_counts: dict[str, int] = {}
    for _, lines in per_page:
        for text in set(lines[:edge] + lines[-edge:]):
            edge_counts[text] = edge_counts.get(text, 0) + 1

    def running(text: str, at_edge: bool) -> bool:
        if any(p.match(text) for p in rules.furniture):
            return True
        if not at_edge or rules.label.match(text):
            return False
        return bool(rules.page_number.match(text)) or (edge_counts.get(text, 0) >= 2 and len(text.split()) <= 15)

    kept: list[_Line] = []
    for number, lines in per_page:
        first = True
        for i, text in enumerate(lines):
            if running(text, i < edge or i >= len(lines) - edge):
                continue
            kept.append(_Line(text, number, first))
            first = False
    return kept


def _is_bullet(text: str) -> bool:
    return text.startswith("- ")


def _is_row(text: str) -> bool:
    return _CELL in text or text.startswith("| ")


def _is_heading(text: str) -> bool:
    """A short line that is no sentence: a section heading, a grade, a chart label."""
    return len(text.split()) <= 12 and not _TERMINAL.search(text) and not text.endswith((":", ";", ","))


# --- items --------------------------------------------------------------------

@dataclass
class _Piece:
    text: str
    bullet: bool


@dataclass
class _Occurrence:
    kind: str
    number: str | None
    pieces: list[_Piece]
    page: int
    cause: int | None = None  # index (into the occurrence list) of the cause of concern it follows

    @property
    def text(self) -> str:
        return _join(self.pieces)


def _join(pieces: Sequence[_Piece]) -> str:
    """One item's wording: lines joined by a space, bullets run on with "; " unless they carry their own joint."""
    out = ""
    for i, piece in enumerate(pieces):
        text = piece.text[2:].strip() if piece.bullet else piece.text
        if i == 0:
            out = text
            continue
        previous = pieces[i - 1]
        run_on = previous.bullet and piece.bullet and not re.search(r"(?:[;,]|\band|\bor)$", out)
        out += ("; " if run_on else " ") + text
    return out


def _obligation(text: str, rules: ExtractionRules, force_words: frozenset[str]) -> bool:
    """Whether a paragraph opens with a sentence that obliges a body (or a pronoun for one) to act."""
    first = _SENTENCE_SPLIT.split(text, maxsplit=1)[0]
    match = rules.verbs.search(first)
    if not match:
        return False
    subject = _subject_text(first[:match.start()], rules)
    if not subject:
        return False
    head = subject.split()[0].lower()
    return head in rules.pronouns or bool(_bodies(subject, rules, force_words, one_force=False))


def _continues(pieces: list[_Piece], line: _Line, rules: ExtractionRules, force_words: frozenset[str]) -> bool:
    """Whether ``line`` carries on the item whose text so far is ``pieces`` (see the module docstring)."""
    last = pieces[-1].text
    if _is_row(line.text):
        return False
    if _is_bullet(line.text):
        # a list the item opened with a colon goes on; under a plural heading a finished bullet is the next item
        opened = any(p.text.endswith(":") for p in pieces)
        return last.endswith(":") or pieces[-1].bullet and (opened or not _TERMINAL.search(last))
    unfinished = not _TERMINAL.search(last)
    if unfinished and (line.text[:1].islower() or line.page_start or last.endswith((",", ":"))):
        return True
    if _is_heading(line.text):
        return False
    return _obligation(line.text, rules, force_words)


def _starts_item(kind: str, line: _Line, rules: ExtractionRules, force_words: frozenset[str]) -> bool:
    """Under a plural heading, whether a paragraph that does not continue the last item is the next item."""
    if _is_row(line.text) or _is_heading(line.text):
        return False
    if kind == "cause_of_concern":  # a cause states a finding: only a bullet tells it from the heading's introduction
        return _is_bullet(line.text)
    return _is_bullet(line.text) or _obligation(line.text, rules, force_words)


def _occurrences(lines: Sequence[_Line], rules: ExtractionRules, force_words: frozenset[str]) -> list[_Occurrence]:
    found: list[_Occurrence] = []
    open_cause: int | None = None  # the cause of concern whose recommendations may follow
    i = 0
    while i < len(lines):
        match = rules.label.match(lines[i].text)
        if not match:
            open_cause = None  # body text: what follows is no longer the cause's
            i += 1
            continue
        kind = next(k for k in KIND_NAMES if match.group(k))
        words = match.group(kind).lower()
        plural = words.startswith(("recommendations", "causes", "areas"))
        number = None if plural else match.group("number")
        start_page = lines[i].page
        items: list[list[_Piece]] = [[_Piece(match.group("rest"), False)]] if match.group("rest") else [[]]
        j = i + 1
        while j < len(lines) and not rules.label.match(lines[j].text):
            line = lines[j]
            current = items[-1]
            if not current:
                # under a plural heading ("Recommendations") the first paragraph may be an introduction, no item
                if plural and not _starts_item(kind, line, rules, force_words):
                    break
                if _is_row(line.text) or (_is_heading(line.text) and not _is_bullet(line.text) and kind != "area_for_improvement"
                                          and not rules.verbs.search(line.text)):
                    break
                current.append(_Piece(line.text, _is_bullet(line.text)))
            elif _continues(current, line, rules, force_words):
                current.append(_Piece(line.text, _is_bullet(line.text)))
            elif plural and _starts_item(kind, line, rules, force_words):
                items.append([_Piece(line.text, _is_bullet(line.text))])
            else:
                break
            j += 1
        followed_by_label = j < len(lines) and bool(rules.label.match(lines[j].text))
        cause = open_cause if kind == "recommendation" else None
        for pieces in items:
            if pieces:
                found.append(_Occurrence(kind, number, pieces, start_page, cause))
        if kind == "cause_of_concern" and items[-1]:
            open_cause = len(found) - 1 if followed_by_label else None
        elif kind != "recommendation" or not followed_by_label:
            open_cause = None
        i = j
    return found


def _words(text: str) -> list[str]:
    return text.split()


def _prefix(short: str, long: str) -> bool:
    a, b = _words(short), _words(long)
    return len(a) <= len(b) and b[:len(a)] == a


def _merge(occurrences: list[_Occurrence], origin: str) -> tuple[list[tuple[int, str]], dict[int, int]]:
    """Each item once: ``([(index of its first occurrence, wording)], {every occurrence index: that first index})``.

    Raises ``E411`` when two occurrences of one numbered item disagree beyond one being the other cut short.
    """
    representative: dict[int, int] = {}
    wording: dict[int, str] = {}
    groups: dict[tuple[str, str], list[int]] = {}
    for k, occ in enumerate(occurrences):
        if occ.number is not None:
            groups.setdefault((occ.kind, occ.number), []).append(k)
    for (kind, number), group in groups.items():
        texts = {k: occurrences[k].text for k in group}
        shortest_index = min(group, key=lambda k: len(texts[k]))
        for k in group:
            if not _prefix(texts[shortest_index], texts[k]):
                raise PipelineError("E411", path=origin, item=f"{KIND_NAMES[kind]} {number}",
                                    first=occurrences[shortest_index].page, second=occurrences[k].page)
            representative[k] = group[0]
        wording[group[0]] = texts[shortest_index]
    for k, occ in enumerate(occurrences):
        if occ.number is not None:
            continue
        text = occ.text
        same = next((held for held in wording if occurrences[held].kind == occ.kind
                     and (_prefix(text, wording[held]) or _prefix(wording[held], text))), None)
        if same is None:
            representative[k] = k
            wording[k] = text
            continue
        # a summary's copy of an item (numbered or not) already held: keep the shorter wording
        representative[k] = same
        if occurrences[same].number is None and len(text) < len(wording[same]):
            wording[same] = text
    for k, occ in enumerate(occurrences):  # a recommendation listed once under its cause of concern keeps the link
        held = occurrences[representative[k]]
        if occ.cause is not None and held.cause is None:
            held.cause = occ.cause
    return sorted(wording.items()), representative


# --- recommendation fields ----------------------------------------------------

def _subject_text(before: str, rules: ExtractionRules) -> str:
    """The words before *should* with quotations, consulted bodies and opening clauses cut away."""
    text = _QUOTED.sub("Q", before)
    text = re.split(r";", text)[-1]
    text = rules.consulted.sub(",", text)
    previous = None
    while previous != text:
        previous = text
        text = rules.openers.sub("", text).strip()
    return text.strip(" ,")


def _bodies(subject: str, rules: ExtractionRules, force_words: frozenset[str], one_force: bool) -> list[str]:
    """The bodies a subject names (``"the Home Office, the NPCC and forces"`` -> three), canonical for the forces."""
    if not subject or len(subject.split()) > rules.max_words:
        return []
    protected: list[str] = []

    def keep(match: re.Match) -> str:
        protected.append(match.group(0))
        return f"\x00{len(protected) - 1}\x00"

    subject = rules.whole_names.sub(keep, subject)
    bodies = []
    for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", subject):
        part = re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], part)
        part = rules.determiners.sub("", part.strip(" ,.")).strip()
        if not part or part.split()[0].lower() in rules.pronouns:
            continue
        form = _force_form(part, rules, one_force)
        if form is None and " ".join(part.lower().split()) in force_words:
            form = "the force"  # the inspected force's own name
        if form is None and not part[0].isupper():
            continue  # prose, not a body's name
        bodies.append(form or part)
    return bodies


def _force_form(name: str, rules: ExtractionRules, one_force: bool) -> str | None:
    """The register's name for a body that is the forces (``"forces"``, ``"chief constables"``...), else None."""
    lowered = " ".join(name.lower().split())
    for names, national, single in rules.force_bodies:
        if lowered in names:
            return single if one_force else national
    return None


def _addressed(text: str, rules: ExtractionRules, force_words: frozenset[str], one_force: bool) -> list[str]:
    found: list[str] = []
    for sentence in _SENTENCE_SPLIT.split(text):
        for clause in sentence.split(";"):
            match = rules.verbs.search(clause)
            if not match:
                continue
            for body in _bodies(_subject_text(clause[:match.start()], rules), rules, force_words, one_force):
                if body.lower() not in (b.lower() for b in found):
                    found.append(body)
    return found


def _deadline(text: str, rules: ExtractionRules) -> tuple[date | None, str]:
    match = rules.deadline_date.match(text)
    if match:
        parsed = _parse_date(match.group(1))
        if parsed is not None:
            return parsed, ""
    match = rules.deadline_note.match(text)
    if match:
        return None, match.group(1).strip()
    return None, ""


def _parse_date(text: str) -> date | None:
    try:
        return datetime.strptime(" ".join(text.split()), "%d %B %Y").date()
    except ValueError:
        return None


def _recommendation(number: str, text: str, cause: str | None, rules: ExtractionRules,
                    force_words: frozenset[str], one_force: bool, origin: str) -> Recommendation:
    bodies = _addressed(text, rules, force_words, one_force)
    if not bodies:
        raise PipelineError("E413", path=origin, item=f"recommendation {number}",
                            detail="no body is told to act (no '<body> should ...' sentence found)")
    forces_forms = {single if one_force else national for _, national, single in rules.force_bodies}
    deadline, note = _deadline(text, rules)
    return Recommendation(number=number, text=text, addressee="forces" if bodies[0] in forces_forms else "national",
                          addressed_to="; ".join(bodies), deadline=deadline, deadline_note=note, cause_of_concern=cause)


# --- title and date ---------------------------------------------------------------

def _title(lines: Sequence[_Line], rules: ExtractionRules) -> str | None:
    for line in lines[:40]:
        text = line.text
        if (_is_bullet(text) or _is_row(text) or rules.label.match(text) or _published_in(text, rules)
                or _parse_date(text) or len(text.split()) < 3):
            continue
        # a web page's <title> comes first and may carry the site's name after a dash or bar
        return rules.title_suffix.sub("", text).rstrip(":").strip()
    return None


def _published_in(text: str, rules: ExtractionRules) -> date | None:
    for pattern in rules.published:
        match = pattern.match(text)
        if match:
            return _parse_date(match.group(1))
    return None


def _published(lines: Sequence[_Line], rules: ExtractionRules) -> date | None:
    for line in lines:
        found = _published_in(line.text, rules)
        if found:
            return found
    first_page = lines[0].page if lines else 1
    for line in lines:
        if line.page - first_page >= rules.cover_pages:
            break
        found = _parse_date(line.text.rstrip("."))
        if found:
            return found
    return None


# --- the whole report ---------------------------------------------------------

def extract_register(document: Document, inspection_id: str, rules: ExtractionRules, *, force: Force | None = None,
                     force_label: str | None = None, title: str | None = None, published: date | None = None,
                     source: Sequence[str] = ()) -> Inspection:
    """Read an HMICFRS report into its register.

    Args:
        document: the report as ingest normalised it (PDF or HTML).
        inspection_id: the register's ``id`` (checked by the schema, not here).
        rules: from :func:`parse_rules`.
        force: the force inspected, for a force's inspection (PEEL...); None
            for a national one. Its names count as "the force" in subjects.
        force_label: the register's ``force`` value (the name the user gave);
            defaults to ``force.short_name``.
        title: the title, overriding the report's first line.
        published: the publication date, overriding what the report prints
            (needed when it prints none).
        source: the register's ``source`` (where the wording came from).

    Returns:
        The :class:`~pipeline.types.Inspection`: every item once, in report
        order per kind; aliases are the title alone.

    Raises:
        PipelineError: ``E416`` the document is a force's or PCC's response, not a report (its title block
            names a commissioner or chief constable as the writer, or calls it a response: ``[response]`` of
            ``register.toml``), or a Police and Crime Panel's or committee's paper about one (its title block
            names the panel or committee, an agenda item or the paper's author: ``[response] paper``);
            ``E410`` no item found; ``E411`` one item worded
            differently in two places; ``E412`` no title or no publication
            date printed and none given; ``E413`` a recommendation whose
            addressee cannot be read.
    """
    origin = document.source
    lines = _lines(document, rules)
    for line in lines[:rules.response_top_lines]:
        for kind, patterns in (("response", rules.response_lines), ("paper", rules.paper_lines)):
            if any(p.match(line.text.rstrip(".:")) for p in patterns):
                raise PipelineError("E416", path=origin, what=NOT_A_REPORT[kind], text=line.text)
    one_force = force is not None
    force_words = frozenset(n.lower() for names, _, _ in rules.force_bodies for n in names)
    if force is not None:
        force_words |= frozenset(n.lower() for n in (force.name, force.short_name, *force.aliases))

    occurrences = _occurrences(lines, rules, force_words)
    if not occurrences:
        raise PipelineError("E410", path=origin, detail="no recommendation, cause of concern or area for improvement "
                                                        "found (no 'Recommendation N' / 'Area for improvement' / "
                                                        "'Cause of concern' heading)")
    merged, representative = _merge(occurrences, origin)

    numbers: dict[int, str] = {}  # first-occurrence index -> the item's number
    for kind in KIND_NAMES:
        held = [k for k, _ in merged if occurrences[k].kind == kind]
        used = {occurrences[k].number for k in held} - {None}
        counter = 0
        for k in held:
            number = occurrences[k].number
            if number is not None:
                numbers[k] = number
                continue
            counter += 1
            while str(counter) in used:
                counter += 1
            numbers[k] = str(counter)

    def in_report_order(kind: str) -> list[tuple[int, str]]:
        pairs = [(k, text) for k, text in merged if occurrences[k].kind == kind]
        return sorted(pairs, key=lambda p: (0, int(numbers[p[0]]), p[0]) if numbers[p[0]].isdigit() else (1, 0, p[0]))

    recommendations = []
    for k, text in in_report_order("recommendation"):
        cause_index = occurrences[k].cause
        cause = numbers[representative[cause_index]] if cause_index is not None else None
        recommendations.append(_recommendation(numbers[k], text, cause, rules, force_words, one_force, origin))
    causes = [Finding("cause_of_concern", numbers[k], text) for k, text in in_report_order("cause_of_concern")]
    afis = [Finding("area_for_improvement", numbers[k], text) for k, text in in_report_order("area_for_improvement")]

    title = title or _title(lines, rules)
    if not title:
        raise PipelineError("E412", path=origin, what="title", flag="--title 'THE TITLE'")
    published = published or _published(lines, rules)
    if published is None:
        raise PipelineError("E412", path=origin, what="publication date", flag="--published YYYY-MM-DD")
    return Inspection(
        id=inspection_id,
        title=title,
        published=published,
        aliases=(title,),
        recommendations=tuple(recommendations),
        force=(force_label or force.short_name) if force is not None else None,
        source=tuple(source),
        causes_of_concern=tuple(causes),
        areas_for_improvement=tuple(afis),
    )


def register_data(inspection: Inspection) -> dict[str, Any]:
    """The register TOML's tables for ``inspection``, in the schema's field order (for :func:`render_register`)."""
    data: dict[str, Any] = {"id": inspection.id, "title": inspection.title, "published": inspection.published}
    if inspection.aliases:
        data["aliases"] = list(inspection.aliases)
    if inspection.force is not None:
        data["force"] = inspection.force
    if inspection.source:
        data["source"] = inspection.source[0] if len(inspection.source) == 1 else list(inspection.source)
    recs = []
    for r in inspection.recommendations:
        table: dict[str, Any] = {"number": r.number, "addressee": r.addressee, "addressed_to": r.addressed_to}
        if r.deadline is not None:
            table["deadline"] = r.deadline
        if r.deadline_note:
            table["deadline_note"] = r.deadline_note
        if r.cause_of_concern is not None:
            table["cause_of_concern"] = r.cause_of_concern
        table["text"] = r.text
        recs.append(table)
    if recs:
        data["recommendations"] = recs
    for table_name, findings in (("causes_of_concern", inspection.causes_of_concern),
                                 ("areas_for_improvement", inspection.areas_for_improvement)):
        if findings:
            data[table_name] = [{"number": f.number, "text": f.text} for f in findings]
    return data


def render_register(inspection: Inspection, origin: str = "") -> str:
    """The register TOML of ``inspection``: a comment naming where it came from, then the tables.

    Written with tomli-w (a small, maintained TOML writer: correct escaping of
    quotes, backslashes and control characters, bare dates), so the text
    parses back to the same values.
    """
    import tomli_w

    header = (f"# Inspection register written by `python -m pipeline register extract` from {origin}.\n"
              "# Check every item against the report; the schema is in activism-impartiality-2024.toml.\n\n"
              if origin else "")
    return header + tomli_w.dumps(register_data(inspection))
