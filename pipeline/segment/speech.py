"""Who is speaking: the force's and its commissioner's own words on a page that reports them.

News pages, press releases and meeting notes carry a response as speech: "Chief Constable Alex Morgan
said: ...", a quoted paragraph in the first person, "... , said Assistant Chief Constable Sam Patel.",
"The force said it had ...", "OPCC comment: ...". For an inspection no register holds, those lines are
the answer to the report; the inspectorate's own words ("Inspectors said: 'We found ...'", "the report
said") are not the force's, first person or not. The roles, verbs and the inspectorate's speakers are data
(``[speech]`` in ``pipeline/data/segment.toml``).

A line's speaker is, in order: the force when the line is a field label of the force's side ("OPCC
comment:"), opens, unquoted, in the first person ("I welcome ...", ``quotes.answer_voice``) or introduces
a list of the force's actions ("Since May, the force has:"); else the speaker its words outside quotation
marks attribute speech to (the one named nearest before the first speech verb in its clause, or right
after it); else the last speaker so named, after a pronoun beside a speech verb ("he added"); else, on a
line opening a quotation or a bullet, the speaker of the line before; and when all that names nobody,
the force if the line holds the first person anywhere (``[speech] first_person``: the page's author, or a
speaker the text does not place); a line that only names the force in the third person as the doer ("the force
has since ...") is :data:`NARRATED`: a line of the force's work, but in nobody's placed voice (on a news page, the
reporter's account). A passage nobody speaks on a page that quotes the force is the reporter's
(:func:`voice_of`). Whom a message goes to is never its speaker ("X has written to the inspectorate to say ...": X;
``[speech] addressed``). People the text introduces with a role ("Chief Constable Alex Morgan", "the commissioner, Sam
Patel,") are known by their surname afterwards ("Mr Patel said").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Sequence

from pipeline.segment.lines import Line, lower_words
from pipeline.types import Force

if TYPE_CHECKING:
    from pipeline.segment import SegmentRules

FORCE, OTHER = "force", "other"
# A line no rule places that names the force in the third person as the doer ("the force has established ...", an
# ``answer_voice`` form): it speaks of the force's work, so it is a line of the force's answer, but nobody is placed as
# saying it (on a news page it is the reporter's account): its passage takes no voice from it.
NARRATED = "narrated"

# A person's name after a role: one to three capitalised words on one line ("Alex Morgan", "JD Smith").
_NAME = r"(?:,[ \t]*)?(?P<name>(?:(?-i:[A-Z][\w’'-]+)[ \t]+){0,2}(?-i:[A-Z][\w’'-]+))"
_OPENS_QUOTE = re.compile(r"^\s*[\"“‘']")
_OPENS_BULLET = re.compile(r"^\s*[-•*–]\s")
# A mention right after one of these prepositions is what the subject is about, never the speaker: "The assessment
# of Surrey Police's custody suites said ...", "a report into Surrey Police found ...", "problems in the force control
# room, although it said ...". (Not "at" or "for": a speaker's role names them, "lead for X at the Met, said:".)
_OBJECT_BEFORE = re.compile(r"(?<![\w-])(?:of|into|about|on|in|over|against)\s+(?:the\s+)?$", re.IGNORECASE)
# A line whose first double quotation mark closes a quotation (it follows a word and precedes no word), before any
# mark opens one: "This report has highlighted ... forward." More details ...
_CLOSES_FIRST = re.compile(r'^[^"“”]*(?:”|(?<=[\w.,!?;:’\'])"(?!\w))')


def _open_quotation(text: str) -> bool:
    """Whether a line leaves a double quotation unbalanced: an odd number of straight marks, or unpaired curly ones."""
    return text.count('"') % 2 == 1 or text.count("“") != text.count("”")


# A line opening in lower case after a line that ends no sentence carries on that sentence (the text was wrapped).
_OPENS_LOWER = re.compile(r"^\s*[a-z]")
_ENDS_SENTENCE = re.compile(r"[.!?:;\"”’')\]]\s*$")
# Quoted words (double quotation marks; an unclosed quotation runs to the line's end): a speaker's own words
# name others ("HMIC has acknowledged the progress we have made") without making them the speaker.
_QUOTED = re.compile(r"“[^”]*(?:”|$)|\"[^\"]*(?:\"|$)")


@dataclass(frozen=True)
class SpeechRules:
    """Compiled ``[speech]`` rules: who answers for the force, who does not, how speech is reported."""

    responders: str  # alternation of role patterns
    others: str
    inspector_titles: str  # the ``others`` that are a person's title ("HM Inspector of Constabulary")
    verbs: str
    pronouns: str
    addressed: re.Pattern  # ends right before a mention of the one addressed ("written to", "told")
    field_label: re.Pattern
    list_verbs: str  # after the force's side, they introduce a list of its actions ("the force has:")
    force_nouns: tuple[str, ...]  # after a force's short name, they name the force ("the Sussex force", "Kent Police")
    not_answer: tuple[re.Pattern, ...]
    min_words: int
    first_person: re.Pattern | None = None  # an unplaced line holding one of these is the force's (its author's)


def compile_speech_rules(speech: Mapping) -> SpeechRules:
    """Build :class:`SpeechRules` from the ``[speech]`` table of ``segment.toml``."""
    def alternation(patterns: Sequence[str]) -> str:
        return "|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True))

    return SpeechRules(
        responders=alternation(speech["responders"]), others=alternation(speech["others"]),
        inspector_titles=alternation([p for p in speech["others"] if re.search(r"inspector(?![a-z])", p)]),
        verbs=alternation(speech["verbs"]), pronouns=alternation(speech["pronouns"]),
        addressed=re.compile(rf"(?<![\w-])(?:{alternation(speech['addressed'])})\s+(?:(?:the|his|her|their)\s+)?$",
                             re.IGNORECASE),
        field_label=re.compile(speech["field_label"], re.IGNORECASE),
        list_verbs=alternation(speech["list_verbs"]),
        force_nouns=tuple(speech["force_nouns"]),
        not_answer=tuple(re.compile(p, re.IGNORECASE) for p in speech["not_answer"]),
        min_words=int(speech["min_words"]),
        first_person=re.compile(rf"(?<![\w’'-])(?:{alternation(speech['first_person'])})(?![\w-])", re.IGNORECASE)
        if speech.get("first_person") else None,
    )


# Someone the text names but the rules do not place: "Mr Patel", "Alex Morgan" (placed once introduced with a role).
_PERSON = r"(?-i:(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor|Sir|Dame|Lord|Lady)\.?\s+[A-Z][\w’'-]+|[A-Z][a-z]+\s+[A-Z][\w’'-]+)"
# What may stand between a speaker and the verb in one clause ("X, who leads the plan, has said"): no sentence end,
# colon or quotation mark, at most this many characters.
_CLAUSE_GAP = 80
# A speech verb after "who" ("a girl who told teachers") is said by the person "who" follows, never by a speaker named
# further back in the clause. ("which" is left to the clause rule: its antecedent is a thing, often a long phrase,
# "the Jay Report into exploitation in Rotherham, which said".)
_RELATIVE_BEFORE = re.compile(r"\bwho\s+(?:(?:has|have|had)\s+)?$", re.IGNORECASE)
# A verb in the passive reports no speech: "X was found to be", "X has been described as", "recognised by".
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|be|is|are)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_PASSIVE_AFTER = re.compile(r"\s+by\s+(?!\w+ing\b)", re.IGNORECASE)  # "responded by saying" is active
# What may stand between a speech verb (or "according to") and the speaker after it: "said the county's
# police and crime commissioner", "according to the area's commissioner".
_AFTER_GAP = re.compile(r"^[\s,]*(?:(?:the|a|an|its|their|[a-z]+(?:’s|'s))[\s,]+){0,3}$", re.IGNORECASE)
# A speaker named after the verb ends the clause there, or goes on to a name or an apposition ("said the chief
# constable.", "said Chief Constable Sam Patel", "said the commissioner, who ..."); a mention going on to a verb or a
# possessive is what is said, not who says it ("it said the force had delays", "said the force's work was poor").
_CLOSES_CLAUSE = re.compile(r"\s*(?:$|[,.;:!?()\[\]–—-]|[\"”“’'](?![\w])|(?-i:[A-Z])|who\b|(?:in|at|for|of)\s+(?-i:[A-Z]))")


def _attributed(outside: str, who: Callable[[], Sequence[tuple[re.Pattern, str | None]]], verbs: re.Pattern,
                according: re.Pattern, addressed: re.Pattern) -> str | None | bool:
    """Who a line's words outside quotation marks attribute speech to: a kind of speaker, None (someone unplaced) or False.

    For the first speech verb: the speaker named nearest before it in its clause ("Responding to the report,
    Chief Constable X said": the chief constable, not the report), else right after it (", said ACC Patel");
    "according to X" names X. A placed speaker beats an unplaced name ending at the same place; one ``addressed``
    matches right before is the one written or spoken to ("X has written to the inspectorate to say"), never the
    speaker. ``who`` gives
    the speakers' patterns with their kinds, in rank order; it is called only for a line with a speech verb or
    "according to" (most lines have neither, and the patterns need the whole document's people).
    """
    mentions: list[tuple[int, int, int, str | None]] | None = None

    def mentioned() -> list[tuple[int, int, int, str | None]]:
        nonlocal mentions
        if mentions is None:
            mentions = [(m.start(), m.end(), rank, kind) for rank, (pattern, kind) in enumerate(who())
                        for m in pattern.finditer(outside)]
        return mentions

    for verb in verbs.finditer(outside):
        if _PASSIVE_BEFORE.search(outside, 0, verb.start()) or _PASSIVE_AFTER.match(outside, verb.end()):
            continue  # "the force was found to be good", "improvements recognised by the inspectorate": no one speaks
        relative = _RELATIVE_BEFORE.search(outside, 0, verb.start())
        if relative:  # only the one right before "who" speaks: "Chief Constable X, who said", not "the force ... a girl who told"
            before = [(end, -rank, kind) for start, end, rank, kind in mentioned()
                      if end <= relative.start() and not outside[end:relative.start()].strip(" \t,")]
            if before:
                return max(before)[2]
            continue  # someone unnamed speaks ("a girl who told teachers"): the line's speech is a later verb's
        before = [(end, -rank, kind) for start, end, rank, kind in mentioned()
                  if end <= verb.start() and verb.start() - end <= _CLAUSE_GAP
                  and not re.search(r"[.!?:;\"“”]", outside[end:verb.start()])
                  and not addressed.search(outside, 0, start) and not _OBJECT_BEFORE.search(outside, 0, start)]
        if before:
            return max(before)[2]
        after = [(start, rank, kind) for start, end, rank, kind in mentioned()
                 if verb.end() <= start and _AFTER_GAP.match(outside[verb.end():start])
                 and _CLOSES_CLAUSE.match(outside, end)]
        if after:
            return min(after)[2]
    for match in according.finditer(outside):
        after = [(start, rank, kind) for start, end, rank, kind in mentioned()
                 if match.end() <= start and _AFTER_GAP.match(outside[match.end():start])]
        if after:
            return min(after)[2]
    return False


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    """``pattern`` compiled case-blind, once a process: the lexicon's alternations are long to compile."""
    return re.compile(pattern, re.IGNORECASE)


def _whole(alternation: str) -> re.Pattern:
    """``alternation`` as whole words or phrases (no word character or hyphen either side)."""
    return _compiled(rf"(?<![\w-])(?:{alternation})(?![\w-])")


# A role set off after a name: what stands between the comma after the name and the role ("Sam Patel, the PCC").
_THE = re.compile(r"the", re.IGNORECASE)
# What the words of a name and the spaces between them are made of (``_NAME``).
_NAME_CHAR = re.compile(r"[\w’' \t-]")


def _starts(text: str, roles: str, apposition: bool) -> list[int]:
    """Every place in ``text`` where :func:`_people`'s pattern can start, in order: a superset, found cheaply.

    A match starts where a role does, as a whole word (every one, overlapping ones too), or, with
    ``apposition``, inside the name before a comma that ", the " or ", " joins to such a role. Trying the
    pattern only there, rather than at every character, costs a third of the time (the role alternation
    fails fast where its whole-word test does) and finds the same matches.
    """
    role, at, roles_at = _whole(roles), 0, []
    while (m := role.search(text, at)) is not None:
        roles_at.append(m.start())
        at = m.start() + 1
    if not apposition:
        return roles_at
    starts = set(roles_at)
    for start in roles_at:
        # the comma before ",\s+(?:the\s+)?<role>": the space before the role, then "the" and the space before it
        space = start
        while space > 0 and text[space - 1].isspace():  # str.isspace is the re module's \s
            space -= 1
        commas = []
        if space < start:
            commas.append(space - 1)
            if _THE.fullmatch(text, max(space - 3, 0), space):
                before_the = space - 3
                while before_the > 0 and text[before_the - 1].isspace():
                    before_the -= 1
                if before_the < space - 3:
                    commas.append(before_the - 1)
        for comma in commas:
            if comma < 0 or text[comma] != ",":
                continue
            name = comma
            while name > 0 and _NAME_CHAR.match(text, name - 1):
                name -= 1
            starts.update(range(name, comma))
            if name > 0 and text[name - 1] == ",":  # _NAME's optional comma before the name
                starts.add(name - 1)
    return sorted(starts)


def _people(text: str, roles: str, not_names: frozenset[str], apposition: bool = True,
            not_first: frozenset[str] = frozenset()) -> list[str]:
    """Surnames of the people ``text`` introduces with one of ``roles`` ("Chief Constable Alex Morgan" -> "Morgan").

    With ``apposition``, also a name set off by commas beside the role ("the commissioner, Sam Patel,",
    "Sam Patel, PCC for Surrey,"). A word of ``not_names`` (function words) is no surname; a name opening with a
    word of ``not_first`` is no person (after the force's short name as a role, "Bedfordshire Police" names the
    force, not a person surnamed "Police").
    """
    found = []
    name = _NAME if apposition else _NAME.replace("(?:,[ \\t]*)?", "", 1)
    after_role = rf"(?<![\w-])(?:{roles})(?![\w-])\s*(?:\([A-Z]+\)\s*)?{name}"
    before_role = rf"{_NAME},\s+(?:the\s+)?(?:{roles})(?![\w-])"  # "Sam Patel, PCC for Surrey,"
    pattern = f"{after_role}|{before_role.replace('?P<name>', '?P<name2>')}" if apposition else after_role
    # every role, overlapping ones too: in "Bedfordshire Police Chief Constable Jon Boutcher" the force's name takes
    # "Chief Constable Jon" for a name, and only the role after it gives the surname
    compiled = _compiled(pattern)
    for start in _starts(text, roles, apposition):
        m = compiled.match(text, start)
        if m is None:
            continue
        name_words = (m.group("name") or m.groupdict().get("name2") or "").split()
        surname = name_words[-1]
        if name_words[0].lower() in not_first:
            continue
        if len(surname) > 2 and surname.lower() not in not_names and surname not in found:
            found.append(surname)
    return found


def _opens_in_first_person(text: str, rules: SegmentRules) -> bool:
    """Does the line open, unquoted, in the first person ("I welcome ...", "3. We have ...", "- Our ...")?"""
    opening = re.sub(r"^\s*(?:[-•*–]\s+|\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-z])[.)]\s+)?", "", text)
    return any(p.match(opening) for p in rules.answer_voice)


def _force_names(force: Force | None, nouns: Sequence[str]) -> tuple[str, frozenset[str]]:
    """The force's names as one alternation, longest first, and the words its names add to its short name.

    The names are ``pipeline/data/forces.csv``'s (name, short name, aliases, local body) and the short name before
    each of ``nouns`` (``[speech] force_nouns``: "the Sussex force"). Longest first, so "Suffolk Police said" is the
    force by its whole name: the short name alone would leave "Suffolk Police" to read as an unplaced person. The
    words (lower case: "police", "constabulary", "pcc") are never a person's first name after the force's name.
    """
    if force is None:
        return "", frozenset()
    short = force.short_name
    names = {n for n in (force.name, short, *force.aliases, force.local_body) if n}
    names.update(f"{short} {noun}" for noun in nouns if short)
    short_words = set(lower_words(short))
    words = frozenset(w for n in names for w in lower_words(n) if w not in short_words)
    return "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n))), words


class Speakers(Mapping[int, str]):
    """The speaker of every line that has one, ``{line index: "force" | "other" | "narrated"}``, each found when asked.

    The same mapping as :func:`speakers` gives, but a line is attributed only when asked for, with the lines
    its speaker depends on (the line before, for a quotation or list carrying on; the lines back to the last
    speaker named, for "he added"), and the document's people are searched only when a line names a speech
    verb or a list of the force's actions. A registered inspection asks only for its blanket passages' lines:
    attributing every line of every document cost ~50 ms a document. Iterating attributes every line.
    """

    def __init__(self, doc_text: str, lines: Sequence[Line], rules: SegmentRules, force: Force | None) -> None:
        self._text, self._lines, self._rules = doc_text, lines, rules
        self._names, self._name_words = _force_names(force, rules.speech.force_nouns)
        self._position = {line.index: k for k, line in enumerate(lines)}
        self._outside: dict[int, str] = {}
        self._said: dict[int, str | None | bool] = {}
        self._named_after: dict[int, str | None] = {}  # by position: the last speaker named up to that line
        self._who: dict[int, str | None] = {}  # by position
        # what needs the whole document's people, found once a line asks
        self._people: tuple[str, str] | None = None
        self._who_ranked: list[tuple[re.Pattern, str | None]] | None = None
        self._list_openers: list[re.Pattern] | None = None
        speech = rules.speech
        self._verbs, self._according = _whole(speech.verbs), _compiled(r"\baccording to\b")
        self._not_names = rules.english_words | {w.lower() for w in re.findall(r"[a-z]+", speech.verbs)}
        self._people_other: list[str] | None = None
        self._reports: bool | None = None  # whether the page reports speech (reports_speech), once asked

    def _names_of_people(self) -> tuple[str, str]:
        """The force's names and the people the document places, as alternations: (force's side, inspectorate's)."""
        if self._people is None:
            speech, names, doc_text, not_names = self._rules.speech, self._names, self._text, self._not_names
            people_force = _people(doc_text, speech.responders, not_names)
            people_force += [p for p in (_people(doc_text, names, not_names, not_first=self._name_words) if names else ())
                             if p not in people_force]
            # a word that names the inspectorate's side ("HM Inspectorate" after a role) is no surname of the force's
            others = _whole(speech.others)
            people_force = [p for p in people_force if not others.fullmatch(p)]
            # "the report, Sam Patel said" names no inspector: a name set off by commas counts only beside an
            # inspector's title
            people_other = [p for p in self._inspectorate_people() if p not in people_force]
            titled = r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor)\.?\s+(?:[A-Z][\w’'-]+\s+)?)?"
            self._people = ("|".join([names, *(titled + re.escape(p) for p in people_force)]).strip("|"),
                            "|".join(titled + re.escape(p) for p in people_other))
        return self._people

    def _who_patterns(self) -> list[tuple[re.Pattern, str | None]]:
        """The speakers' patterns with their kinds, in rank order, once a document."""
        if self._who_ranked is None:
            speech = self._rules.speech
            force_names, other_names = self._names_of_people()
            # The lexicon's long alternations are compiled once a run (_whole); only the few names of this document
            # and its force are compiled per document: compiling them as one alternation cost ~30 ms a document.
            # Each side's patterns keep their kind and their order, so a mention ranks as it did in the one
            # alternation.
            self._who_ranked = [(_whole(speech.responders), FORCE),
                                *([(_whole(force_names), FORCE)] if force_names else []),
                                (_whole(speech.others), OTHER), *([(_whole(other_names), OTHER)] if other_names else []),
                                (_whole(speech.pronouns), "pronoun"), (_compiled(_PERSON), None)]
        return self._who_ranked

    def _force_lists(self) -> list[re.Pattern]:
        """What opens a list of the force's actions ("Since May, the force has:"), once a document."""
        if self._list_openers is None:
            speech, force_names = self._rules.speech, self._names_of_people()[0]
            self._list_openers = [_compiled(rf"(?<![\w-])(?:{who})(?![\w-])\s+(?:{speech.list_verbs})\b[^:]*:\s*$")
                                  for who in (speech.responders, force_names) if who]
        return self._list_openers

    def _quotes(self, k: int) -> bool:
        """Whether line ``k`` quotes someone: it holds a quotation, introduces one (``:``) or the next line opens one."""
        text, after = self._lines[k].text, self._lines[k + 1].text if k + 1 < len(self._lines) else ""
        return bool(_QUOTED.search(text)) or text.rstrip().endswith(":") or bool(_OPENS_QUOTE.match(after))

    def _outside_quotes(self, k: int) -> str:
        if k not in self._outside:
            self._outside[k] = _QUOTED.sub(" ", self._lines[k].text)
        return self._outside[k]

    def _attributed(self, k: int) -> str | None | bool:
        if k not in self._said:
            outside = self._outside_quotes(k)
            said = self._responder_before_verb(outside)
            self._said[k] = said if said is not None else _attributed(outside, self._who_patterns, self._verbs,
                                                                      self._according, self._rules.speech.addressed)
        return self._said[k]

    def _responder_before_verb(self, outside: str) -> str | None:
        """:data:`FORCE` when :func:`_attributed` gives it whatever people the document names, else None (not known).

        The commonest line with a speech verb ("The Chief Constable accepts all the recommendations") names a
        responder right before it. When the mention nearest before the first speech verb, of all the speakers'
        patterns that need no people, is a responder (the first rank), only a person of the inspectorate's side ending
        between it and the verb could make the line another's (the force's names and people are the force's too):
        so the document is searched for the inspectorate's people only, not the force's (the longer search).
        """
        for verb in self._verbs.finditer(outside):
            if _PASSIVE_BEFORE.search(outside, 0, verb.start()) or _PASSIVE_AFTER.match(outside, verb.end()):
                continue
            if _RELATIVE_BEFORE.search(outside, 0, verb.start()):
                return None  # who speaks in a relative clause is _attributed's question
            speech = self._rules.speech
            known = (_whole(speech.responders), _whole(speech.others), _whole(speech.pronouns), _compiled(_PERSON))
            before = [(m.end(), -rank) for rank, pattern in enumerate(known) for m in pattern.finditer(outside)
                      if m.end() <= verb.start() and verb.start() - m.end() <= _CLAUSE_GAP
                      and not re.search(r"[.!?:;\"“”]", outside[m.end():verb.start()])
                      and not speech.addressed.search(outside, 0, m.start())
                      and not _OBJECT_BEFORE.search(outside, 0, m.start())]
            if not before:
                return None
            end, rank = max(before)
            if rank:
                return None
            # a person of the force's side ending nearer the verb would make it the force's all the same; one of the
            # inspectorate's would not (their surnames are a superset of those the inspectorate's side keeps)
            # (compiled through re's own cache: the lexicon's patterns keep _compiled's)
            ending_here = [s for s in self._inspectorate_people() if re.compile(re.escape(s), re.IGNORECASE).search(
                outside, max(0, end + 1 - len(s)), verb.start())]
            return None if ending_here else FORCE
        return None

    def _inspectorate_people(self) -> list[str]:
        """Surnames the document introduces with an inspectorate's role, before those of the force's side are taken out."""
        if self._people_other is None:
            speech = self._rules.speech
            self._people_other = (_people(self._text, speech.others, self._not_names, apposition=False)
                                  + _people(self._text, speech.inspector_titles, self._not_names))
        return self._people_other

    def _named_before(self, k: int) -> str | None:
        """The last speaker named beside a speech verb before line position ``k`` (whom "he added" means)."""
        back = k - 1
        while back >= 0 and back not in self._named_after:
            said = self._attributed(back)
            if said is not False and said != "pronoun":
                self._named_after[back] = said if isinstance(said, str) else None
                break
            back -= 1
        named = self._named_after[back] if back >= 0 else None
        for j in range(back + 1, k):  # the lines passed name nobody new
            self._named_after[j] = named
        return named

    def _own_speaker(self, k: int) -> str | None | Callable[[str | None], str | None]:
        """Line ``k``'s speaker, or (for a quotation or list carrying on) how it follows from the line before's."""
        rules, speech, text = self._rules, self._rules.speech, self._lines[k].text
        outside = self._outside_quotes(k)
        said: str | None | bool = None

        def settled(who: str | None) -> str | None:
            if who is None and said is not OTHER:
                own = any(p.search(text) for p in rules.answer_voice_anywhere)
                if speech.first_person is None:
                    who = FORCE if own else None
                elif speech.first_person.search(text):
                    who = FORCE  # the first person of an unplaced speaker, or of the page's own author
                elif own:
                    # the force named in the third person as the doer ("the force has since achieved ...") is what
                    # the line says of it, not who says it
                    who = NARRATED
            if who in (FORCE, NARRATED) and any(p.search(text) for p in speech.not_answer):
                who = None  # the site's own chrome ("we use cookies") is no answer
            return who

        if k and _open_quotation(self._lines[k - 1].text) and _CLOSES_FIRST.match(text):
            # a quotation left open on the line before closes on this one, its opening mark not repeated ("...
            # Hertfordshire." / "This report has highlighted ... forward."): the quoted speaker's words go on
            return settled
        if k and _OPENS_LOWER.match(text) and not _ENDS_SENTENCE.search(self._lines[k - 1].text):
            # a sentence wrapped onto this line ("... we fully accept the findings in the" / "report and recognise
            # ..."): its words are the speaker's of the line it started on, whatever a verb here seems to say
            return settled
        # a list opener ends in a colon: only such a line needs the document's people (the force's names)
        if (speech.field_label.match(text) or _opens_in_first_person(text, rules)
                or (outside.rstrip().endswith(":") and any(p.search(outside) for p in self._force_lists()))):
            return settled(FORCE)  # "OPCC comment: ...", "I welcome the report, which found ...", "Since May the force has:"
        said = self._attributed(k)
        if said in (FORCE, OTHER):
            return settled(str(said))
        if said == "pronoun":
            return settled(self._named_before(k))
        if _OPENS_QUOTE.match(text) or _OPENS_BULLET.match(text):
            return settled  # a quotation or a list carrying on
        return settled(None)

    def _speaker(self, k: int) -> str | None:
        """The speaker of the line at position ``k``, found with those of the lines before it that it carries on."""
        carried: list[tuple[int, Callable[[str | None], str | None]]] = []
        current: str | None = None  # whom a quotation or list on the next line carries on
        j = k
        while True:
            if j in self._who:
                current = self._who[j]
                break
            own = self._own_speaker(j)
            if not callable(own):
                current = self._who[j] = own
                break
            carried.append((j, own))
            if j == 0:
                break
            j -= 1
        # a narrative line ends the quotation; a line introducing a list or a quote ("... said:") carries on
        for j, carry in reversed(carried):
            current = self._who[j] = carry(current)
        return self._who[k]

    def reports_speech(self) -> bool:
        """Whether the page quotes the force's speech: a line gives quoted words to its side by a speech verb.

        'Chief Constable X said: "..."', '"...," the commissioner added': such a page (a news page, a press
        release) has a writer besides the force's speakers. A first-person line or a field label is the page's own
        voice; the report's findings cited ("the report found ...") or the commissioner's office writing of its
        commissioner ("The PCC acknowledges that ...") quote nobody. Found once a document, trying only the lines
        holding a quotation and a speech verb or "according to".
        """
        if self._reports is None:
            self._reports = any(self._quotes(k) and (self._verbs.search(self._outside_quotes(k))
                                                     or self._according.search(self._outside_quotes(k)))
                                and self._attributed(k) in (FORCE, "pronoun") and self._speaker(k) == FORCE
                                for k in range(len(self._lines)))
        return self._reports

    def __getitem__(self, index: int) -> str:
        k = self._position.get(index)
        who = None if k is None else self._speaker(k)
        if who is None:
            raise KeyError(index)
        return who

    def __iter__(self) -> Iterator[int]:
        return iter([line.index for k, line in enumerate(self._lines) if self._speaker(k) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def speakers(doc_text: str, lines: Sequence[Line], rules: SegmentRules, force: Force | None) -> dict[int, str]:
    """The speaker of every line that has one: ``{line index: "force" | "other" | "narrated"}`` (:data:`NARRATED`).

    ``force`` adds its names ("Lincolnshire Police said") to the responders. :class:`Speakers` gives the same
    speakers line by line, attributing only the lines asked for.
    """
    return dict(Speakers(doc_text, lines, rules, force))


def find_speech_lines(doc_text: str, lines: Sequence[Line], candidates: Sequence[Line], rules: SegmentRules,
                      force: Force | None, said: Mapping[int, str] | None = None) -> list[Line]:
    """Of ``candidates``, the lines in the force's (or its commissioner's) voice, in document order.

    A line counts when :func:`speakers` gives it to the force and it holds at least ``speech.min_words``
    words, or introduces a quotation or list (ends in ":"). ``said``: the document's :class:`Speakers`, when the
    caller has them already (they are built here otherwise).
    """
    said = Speakers(doc_text, lines, rules, force) if said is None else said
    return [line for line in candidates if said.get(line.index) in (FORCE, NARRATED)
            and (len(lower_words(line.text)) >= rules.speech.min_words or line.text.rstrip().endswith(":"))]


#: The value of :attr:`pipeline.types.Passage.voice` for each kind of speaker :func:`speakers` places.
VOICES = {FORCE: "force", OTHER: "inspectorate"}
#: :attr:`pipeline.types.Passage.voice` of a run nobody speaks on a page that reports speech: the reporter's words.
REPORTER = "reporter"


def voice_of(run: Sequence[Line], said: Mapping[int, str], reports_speech: Callable[[], bool] | None = None) -> str:
    """Whose words a run of lines is: ``"force"``, ``"inspectorate"``, ``"reporter"`` or ``""`` (nobody placed).

    ``said`` is :func:`speakers` of the document. The force's words anywhere in the run make it the force's:
    a passage the force's document cuts on its own labels quotes the inspectorate only to answer it. A run nobody
    speaks is the reporter's when ``reports_speech()`` says the page reports others' speech ("X said ...",
    :meth:`Speakers.reports_speech`): on a news page or a press release the narration between the quotations
    ("Three areas were deemed to require improvement") is the writer's account, not the force's answer.
    """
    placed = {said[line.index] for line in run if line.index in said}
    if FORCE in placed:
        return VOICES[FORCE]
    if OTHER in placed:
        return VOICES[OTHER]
    return REPORTER if reports_speech is not None and reports_speech() else ""


def split_by_voice(run: Sequence[Line], said: Mapping[int, str]) -> list[list[Line]]:
    """Cut a run of adjacent lines where its speaker changes between the force and the inspectorate.

    A line nobody speaks stays with the run it follows (or the one it opens), so one passage never holds both the
    force's answer and the inspectorate's findings: the overall stance must be the force's words alone.
    """
    parts: list[list[Line]] = []
    current: str | None = None
    for line in run:
        who = said.get(line.index)
        who = None if who == NARRATED else who  # the force's work, in nobody's placed voice
        if parts and (who is None or current is None or who == current):
            parts[-1].append(line)
            current = current or who
        else:
            parts.append([line])
            current = who
    return parts
