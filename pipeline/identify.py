"""Identify stage: which force a document is from, which inspection it answers, and when it was written.

Pure functions over text (no file access). Force and inspection names are
found with spaCy ``PhraseMatcher`` s built once per run by
:func:`build_identifier` from ``pipeline/data/forces.csv`` and the inspection
register; :func:`identify` scores the matches. A force's listed web and e-mail
domains (``domains`` column) count too, in the text or as the source URL of a
``sources.csv`` row (``url``, ``force_hint``). An inspection no register holds
is named as the document names it (patterns in ``pipeline/data/identify.toml``)
and returned unregistered. A response answering several inspections in parts
("Part 1: <report>", "Part 2: <other report>") is returned with one
:class:`~pipeline.types.Section` per part (``[sections]`` in ``identify.toml``).
A manifest (``file,force,inspection`` CSV, parsed by :func:`parse_manifest`)
overrides detection where the researcher already knows the answer.

Failures are coded: E201 (the document names no inspection at all), E202 (no
force), E203 (dated before a registered inspection was published), E204
(manifest names an unknown force or inspection), E401 (manifest malformed),
E403 (force list malformed).
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Iterable, Mapping

from pipeline.dates import MONTH_NAMES, parse_date
from pipeline.errors import PipelineError

if TYPE_CHECKING:  # spaCy loads in about a second: only building an Identifier needs it
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc
from pipeline.types import Document, Force, Identification, Inspection, Section

IDENTIFY_RULES_FILE = "identify.toml"

FORCES_ORIGIN = "pipeline/data/forces.csv"
FORCE_COLUMNS = ("name", "short_name", "aliases", "local_body")
#: Optional columns of the force list: ``domains`` (``;``-separated web and e-mail domains of the force and its local body).
FORCE_OPTIONAL_COLUMNS = ("domains",)
MANIFEST_COLUMNS = ("file", "force", "inspection")

# How much one mention of each kind of name counts towards a force. Official
# names and the local body (PCC/PFCC/Mayor) are how a response introduces
# itself; a bare place name ("Norfolk's Joint Communications ...") is often a
# passing reference to a neighbour, so it only adds weight.
# A force named as the subject of an inspection ("An inspection of Sussex Police") is the force inspected, which a
# tracker or a neighbour answering the report's national recommendations also names: it weighs as a bare place name.
_FORCE_WEIGHTS = {"name": 4.0, "local_body": 4.0, "alias": 3.0, "short_name": 1.0, "domain": 4.0, "inspected": 1.0}
_WEAK_KINDS = ("short_name", "inspected")
# A form or table field "Force | Staffordshire" states the force outright.
_LABEL_BONUS = 8.0
_INSPECTION_WEIGHTS = {"title": 2.0, "alias": 1.0}
# Letterheads, titles and form headers name the author; later text names others.
_EARLY_FACTOR = 2.0
_EARLY_MIN_CHARS = 2000
_EARLY_FRACTION = 0.2
# A letter's own date sits in its first part; later dates are events or deadlines.
_DATE_TOP_MIN_CHARS = 3000
_DATE_TOP_FRACTION = 0.15

_FORCE_LABEL = re.compile(
    r"(?:^|\|)\s*(?:name\s+of\s+)?(?:police\s+)?(?:force|constabulary)(?:\s+name)?\s*[:|\-–—]?\s*$",
    re.IGNORECASE,
)

# A host name: labels of letters, digits and inner hyphens, joined by dots.
_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
# A host in running text: after a scheme, "www." or "@", or a bare name ending in a UK public-sector suffix.
_HOST_IN_TEXT = re.compile(
    r"(?i)(?:https?://|(?<![\w.-])(?=www\.)|@)(?P<host>[a-z0-9][a-z0-9.-]*\.[a-z]{2,})"
    r"|(?<![\w@./-])(?P<bare>[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:police\.uk|gov\.uk|org\.uk))\b"
)
# What every match of _HOST_IN_TEXT holds, lower-cased. The pattern tries each word of a text, which took a third
# of identify on the benchmark's responses, most of which hold no address at all.
_HOST_MARKERS = ("://", "www.", "@", ".uk")


# --- rules ----------------------------------------------------------------------

@dataclass(frozen=True)
class IdentifyRules:
    """How an inspection no register holds is named, and which publication lines date a response.

    Parsed from ``pipeline/data/identify.toml`` by :func:`parse_identify_rules`.
    """

    titles: tuple[re.Pattern, ...]
    weak_words: frozenset[str]
    trim_tail: re.Pattern
    published_line: re.Pattern
    published_label: re.Pattern
    not_own: re.Pattern
    unnamed_inspectorate: re.Pattern
    unnamed_report: re.Pattern
    unnamed_title: str
    subject_prefix: str
    role_after: re.Pattern
    role_before: re.Pattern
    own_heading: re.Pattern
    # an inspection programme named without a title ("the PEEL report"): (pattern, name) pairs, tried in order
    mentions: tuple[tuple[re.Pattern, str], ...] = ()
    # a force's name after ``inspected_before`` on a line ``national_scope`` matches is the force inspected by a
    # report that reaches every force ("An inspection of X Police ..., and an update on national recommendations")
    inspected_before: re.Pattern | None = None
    national_scope: re.Pattern | None = None
    # (when, pattern, replacement): rewrites of an unregistered inspection's title before :func:`slug` makes its id
    slug_rewrites: tuple[tuple[re.Pattern | None, re.Pattern, str], ...] = ()
    # a bare place name names the author when it is the only force named, at least this often (0: never)
    sole_place_mentions: int = 0
    # source URLs that name the force in their path or query (group "force", "-" for spaces)
    url_force: tuple[re.Pattern, ...] = ()
    # a date alone under a line ``not_under`` matches is never the response's; under one ``report_above`` matches,
    # only when that line is the response's own heading (``own_heading``)
    not_under: re.Pattern | None = None
    report_above: re.Pattern | None = None
    # lines naming what the document is and its date after a comma (group "date")
    dated_lines: tuple[re.Pattern, ...] = ()
    # an unregistered inspection of one force at a time (PEEL) whose title names no force is the document's force's:
    # a (rewritten) title ``force_specific`` matches is renamed ``force_specific_title`` ({title}, {force})
    force_specific: re.Pattern | None = None
    force_specific_title: str = "{title} – {force}"
    # a label before the response's own date ("Date:", "Posted", "Date of this update:"): group "rest" after it
    date_label: re.Pattern = re.compile(r"(?i)^\s*(?:date|dated)(?:\s*[:|\-–—]\s*|\s+|$)(?P<rest>.*)$")
    # such a label later on a line, a whole word and ":" at a sentence's start ("... report. Date: 5 February 2025.")
    date_label_inline: re.Pattern | None = None
    # where the label's date may end when more of the line follows it ("Date: 14 March 2025. Ref: PCC/123")
    date_end: re.Pattern | None = None
    # a time of day after a date alone on its line ("Thursday, 2nd March 2017, 12:01 am"): read without it
    time_of_day: re.Pattern | None = None
    # month names of another language a response dates itself in (lower case -> month number), as one pattern
    months: Mapping[str, int] = field(default_factory=dict)
    month_words: re.Pattern | None = None
    # what separates one date given in two languages
    bilingual_separator: re.Pattern | None = None
    # a line naming the inspectorate's report as such ("HMICFRS inspection report"): no title in a response's title block
    named_report: re.Pattern | None = None
    # a response answering several inspections in parts: a heading line numbering a part (group "title": the report it
    # names, or empty when the title stands on the next line), and a heading line that is a registered report's title
    # alone (group "title", after "Response to the ..."); ``[sections]`` in identify.toml
    part_heading: re.Pattern | None = None
    title_heading: re.Pattern | None = None
    # a line labelling an item ("Recommendation 2"): a part a bare title heads must hold one (a title alone on its
    # line may be a reference list's entry)
    part_item: re.Pattern | None = None
    # what an unregistered report's title in a part's heading must say to be a report's ("inspection", "HMICFRS",
    # "PEEL"): a part's own heading ("Part 2: Progress report") names none
    part_report: re.Pattern | None = None


def parse_identify_rules(toml_text: str) -> IdentifyRules:
    """Compile the TOML text of ``identify.toml`` into :class:`IdentifyRules`."""
    import tomllib

    data = tomllib.loads(toml_text)
    naming, dating = data["inspection"], data["response_date"]
    months = {str(name).casefold(): int(number) for name, number in dating.get("months", {}).items()}
    return IdentifyRules(
        titles=tuple(re.compile(p) for p in naming["titles"]),
        weak_words=frozenset(w.casefold() for w in naming["weak_words"]),
        trim_tail=re.compile(naming["trim_tail"]),
        published_line=re.compile(dating["published_line"]),
        published_label=re.compile(dating["published_label"]),
        not_own=re.compile(dating["not_own"]),
        unnamed_inspectorate=re.compile(naming["unnamed_inspectorate"]),
        unnamed_report=re.compile(naming["unnamed_report"]),
        unnamed_title=str(naming["unnamed_title"]),
        subject_prefix=str(naming["subject_prefix"]),
        role_after=re.compile(data["force"]["role_after"]),
        role_before=re.compile(data["force"]["role_before"]),
        own_heading=re.compile(dating["own_heading"]),
        mentions=tuple((re.compile(m["pattern"]), str(m["title"])) for m in naming.get("mentions", [])),
        inspected_before=re.compile(data["force"]["inspected_before"]) if "inspected_before" in data["force"] else None,
        national_scope=re.compile(data["force"]["national_scope"]) if "national_scope" in data["force"] else None,
        slug_rewrites=tuple((re.compile(r["when"], re.IGNORECASE) if r.get("when") else None,
                             re.compile(r["pattern"], re.IGNORECASE), str(r["replace"]))
                            for r in data.get("slug", {}).get("rewrite", [])),
        sole_place_mentions=int(data["force"].get("sole_place_mentions", 0)),
        url_force=tuple(re.compile(p, re.IGNORECASE) for p in data["force"].get("url_force", [])),
        not_under=re.compile(dating["not_under"]) if "not_under" in dating else None,
        report_above=re.compile(dating["report_above"]) if "report_above" in dating else None,
        dated_lines=tuple(re.compile(p) for p in dating.get("dated_lines", [])),
        force_specific=re.compile(naming["force_specific"], re.IGNORECASE) if "force_specific" in naming else None,
        force_specific_title=str(naming.get("force_specific_title", "{title} – {force}")),
        date_label=re.compile(dating["date_label"]),
        date_label_inline=re.compile(dating["date_label_inline"]) if "date_label_inline" in dating else None,
        date_end=re.compile(dating["date_end"]) if "date_end" in dating else None,
        time_of_day=re.compile(dating["time_of_day"]) if "time_of_day" in dating else None,
        months=months,
        month_words=re.compile(r"(?i)\b(?:" + "|".join(sorted(map(re.escape, months), key=len, reverse=True)) + r")\b")
        if months else None,
        bilingual_separator=re.compile(dating["bilingual_separator"]) if "bilingual_separator" in dating else None,
        named_report=re.compile(dating["named_report"]) if "named_report" in dating else None,
        part_heading=re.compile(data["sections"]["part_heading"]) if "sections" in data else None,
        title_heading=re.compile(data["sections"]["title_heading"]) if "sections" in data else None,
        part_item=re.compile(data["sections"]["part_item"]) if "sections" in data else None,
        part_report=re.compile(data["sections"]["part_report"]) if "sections" in data else None,
    )


@functools.lru_cache(maxsize=1)
def shipped_rules() -> IdentifyRules:
    """The rules of the shipped ``pipeline/data/identify.toml`` (read through :mod:`pipeline.io`, once a process)."""
    from pipeline import io as pipeline_io

    return parse_identify_rules(pipeline_io.read_package_data(IDENTIFY_RULES_FILE))


def slug(title: str, rules: IdentifyRules | None = None) -> str:
    """A stable id for an inspection named only by a document: its normalised title, lower case, words joined by "-".

    Typographic variants of one title ("2023–2025" and "2023-2025", curly and
    straight quotes, "&" and "and") give the same id, and so do the ways
    responses name one inspection that the ``[[slug.rewrite]]`` rules of
    ``identify.toml`` fold (``rules``, default the shipped ones): year forms
    ("2021/22", "2021-22", "2021 to 2022" are "2021-22"), the PEEL programme
    spelled out or after "HMIC", "An inspection of" in a PEEL title. So
    "PEEL 2021/22: An inspection of Essex Police" and "HMIC PEEL: Police
    effectiveness, efficiency and legitimacy 2021 to 2022 – Essex Police" are
    both ``peel-2021-22-essex-police``.
    """
    return _slug_words(_rewritten(title, rules or shipped_rules()))


def _slug_words(text: str) -> str:
    """The id of a title the rewrites have already folded: accents to their letters, lower case, words joined by "-"."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()
    text = text.replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _rewritten(title: str, rules: IdentifyRules) -> str:
    """``title`` after the ``[[slug.rewrite]]`` rules: the words of its name that the id keeps, in their own case."""
    # dashes are word breaks (dropping them would join "2023–2025" into one word)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", title)
    for when, pattern, replacement in rules.slug_rewrites:
        if when is None or when.search(text):
            text = pattern.sub(replacement, text)
    return text


# --- force list ---------------------------------------------------------------

def parse_forces(csv_text: str, origin: str = FORCES_ORIGIN) -> tuple[Force, ...]:
    """Parse the force list (``pipeline/data/forces.csv``) into :class:`Force` records.

    In: CSV text with header ``name,short_name,aliases,local_body`` and
    optionally ``domains``; ``aliases`` and ``domains`` are ``;``-separated.
    Out: the forces in file order. Empty required cells, a repeated name, one
    name/alias or domain claimed by two forces raise
    ``PipelineError("E403", path=origin, ...)``.
    """
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = tuple((reader.fieldnames or []))
    names = sorted(h.strip() for h in header)
    if names not in (sorted(FORCE_COLUMNS), sorted(FORCE_COLUMNS + FORCE_OPTIONAL_COLUMNS)):
        raise PipelineError("E403", path=origin,
                            detail=f"header must be {','.join(FORCE_COLUMNS)}[,domains], got {','.join(header) or 'nothing'}")
    expected_cells = len(header)
    forces: list[Force] = []
    owner: dict[str, str] = {}  # lower-cased term -> force name, to catch one term naming two forces
    for row in reader:
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise PipelineError("E403", path=origin, detail=f"line {line}: expected {expected_cells} cells")
        cells = {k.strip(): (v or "").strip() for k, v in row.items()}
        if not any(cells.values()):
            continue
        for key in ("name", "short_name", "local_body"):
            if not cells[key]:
                raise PipelineError("E403", path=origin, detail=f"line {line}: empty {key}")
        aliases = tuple(dict.fromkeys(a.strip() for a in cells["aliases"].split(";") if a.strip()))
        domains = tuple(dict.fromkeys(d.strip().lower().lstrip(".") for d in cells.get("domains", "").split(";") if d.strip()))
        force = Force(name=cells["name"], short_name=cells["short_name"], aliases=aliases, local_body=cells["local_body"],
                      domains=domains)
        for domain in domains:
            if not _DOMAIN.fullmatch(domain):
                raise PipelineError("E403", path=origin, detail=f"line {line}: '{domain}' is not a domain name")
            key = "@" + domain  # domains share the owner table, apart from names
            if key in owner and owner[key] != force.name:
                raise PipelineError("E403", path=origin, detail=f"line {line}: domain '{domain}' already names {owner[key]}")
            owner[key] = force.name
        for term in {force.name, force.short_name, force.local_body, *aliases}:
            key = term.casefold()
            if key in owner and owner[key] != force.name:
                raise PipelineError("E403", path=origin, detail=f"line {line}: '{term}' already names {owner[key]}")
            if key in owner and term == force.name:
                raise PipelineError("E403", path=origin, detail=f"line {line}: force '{term}' listed twice")
            owner[key] = force.name
        forces.append(force)
    if not forces:
        raise PipelineError("E403", path=origin, detail="no forces listed")
    return tuple(forces)


# --- manifest -----------------------------------------------------------------

@dataclass(frozen=True)
class ManifestEntry:
    """One manifest row: a file and the force / inspection a researcher says it is (None where blank)."""

    file: str
    force: str | None = None
    inspection: str | None = None
    # provenance hints from a sources.csv row (weaker than the cells above): where the file was published, and the
    # force its collector's list named; identify weighs them after the manifest and before the text
    url: str | None = None
    force_hint: str | None = None
    inspection_hint: str | None = None


def parse_manifest(csv_text: str, origin: str) -> dict[str, ManifestEntry]:
    """Parse a manifest CSV into entries keyed by the ``file`` cell as written.

    In: CSV text with header ``file,force,inspection``; ``force`` is a force's
    official name or any alias, ``inspection`` a register id; either may be
    blank. Out: ``{file: ManifestEntry}``; find a document's entry with
    :func:`manifest_entry_for`. A wrong header, a row with the wrong number of
    cells, an empty ``file`` or a file listed twice raises
    ``PipelineError("E401", path=origin, detail=...)``. Names are checked
    against the force list and register later, in :func:`identify` (E204).
    """
    reader = csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != MANIFEST_COLUMNS:
        got = ",".join(header) if header else "nothing"
        raise PipelineError("E401", path=origin, detail=f"header must be {','.join(MANIFEST_COLUMNS)}, got {got}")
    entries: dict[str, ManifestEntry] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(MANIFEST_COLUMNS):
            raise PipelineError("E401", path=origin,
                                detail=f"line {line}: expected 3 cells (file,force,inspection), got {len(row)}")
        file, force, inspection = (cell.strip() for cell in row)
        if not file:
            raise PipelineError("E401", path=origin, detail=f"line {line}: empty file cell")
        if file in entries:
            raise PipelineError("E401", path=origin, detail=f"line {line}: file '{file}' listed twice")
        entries[file] = ManifestEntry(file=file, force=force or None, inspection=inspection or None)
    return entries


def manifest_entry_for(manifest: Mapping[str, ManifestEntry], source: str) -> ManifestEntry | None:
    """The manifest entry for the document read from ``source``, or None.

    Tries the path exactly as written, then an entry whose path is a trailing
    part of ``source`` (``raw/a.pdf`` matches ``/data/corpus/raw/a.pdf``;
    the longest such wins), then a bare file name that only one entry has.
    """
    if source in manifest:
        return manifest[source]
    source_parts = PurePosixPath(source.replace("\\", "/")).parts
    best: ManifestEntry | None = None
    best_len = 0
    by_name: dict[str, list[ManifestEntry]] = defaultdict(list)
    for key, entry in manifest.items():
        parts = PurePosixPath(key.replace("\\", "/")).parts
        parts = tuple(p for p in parts if p != ".")
        if parts and len(parts) <= len(source_parts) and source_parts[-len(parts):] == parts and len(parts) > best_len:
            best, best_len = entry, len(parts)
        if parts:
            by_name[parts[-1]].append(entry)
    if best is not None:
        return best
    same_name = by_name.get(source_parts[-1], []) if source_parts else []
    return same_name[0] if len(same_name) == 1 else None


# --- identifier ---------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Identifier:
    """What :func:`identify` needs, built once per run by :func:`build_identifier`.

    Holds the spaCy pipeline, the phrase matchers over force names and
    inspection titles, and lookups from any name to its record.
    """

    nlp: Language
    forces: tuple[Force, ...]
    inspections: tuple[Inspection, ...]
    force_matcher: PhraseMatcher  # case-insensitive names (attr LOWER)
    acronym_matcher: PhraseMatcher  # all-capital abbreviations, case-sensitive: "GMP", not "gmp"
    inspection_matcher: PhraseMatcher
    _force_lookup: Mapping[str, Force] = field(repr=False)
    _inspection_lookup: Mapping[str, Inspection] = field(repr=False)
    rules: IdentifyRules | None = None
    _domain_lookup: Mapping[str, Force] = field(default_factory=dict, repr=False)

    def force_for_host(self, host: str) -> tuple[Force | None, str]:
        """The force whose listed domain ``host`` is or lies under ("www.essex.pfcc.police.uk"), with the domain.

        Returns (None, "") when no force lists such a domain.
        """
        labels = host.casefold().strip(".").split(".")
        for i in range(len(labels) - 1):
            domain = ".".join(labels[i:])
            if domain in self._domain_lookup:
                return self._domain_lookup[domain], domain
        return None, ""

    def force_for_url(self, url: str) -> tuple[Force | None, str]:
        """The force whose domain serves ``url`` (scheme optional), with the domain; else (None, "").

        A URL on no force's domain may still name the force in its path or query (``url_force`` rules:
        the inspectorate's recommendation tracker).
        """
        from urllib.parse import urlsplit

        value = url.strip()
        host = urlsplit(value if "//" in value else "//" + value).hostname or ""
        found = self.force_for_host(host) if host else (None, "")
        for pattern in (self.rules.url_force if self.rules is not None and found[0] is None else ()):
            named = pattern.search(value)
            force = self.resolve_force(named.group("force").replace("-", " ")) if named else None
            if named is not None and force is not None:
                return force, f"{host} names '{named.group('force')}'"  # the inspectorate's tracker files by force
        return found

    def resolve_force(self, value: str) -> Force | None:
        """The force whose official name, short name, alias or local body is ``value`` (any case), or None."""
        return self._force_lookup.get(_key(value))

    def resolve_inspection(self, value: str) -> Inspection | None:
        """The inspection whose register id or title is ``value`` (any case), or None."""
        return self._inspection_lookup.get(_key(value))


def build_identifier(forces: Iterable[Force], inspections: Iterable[Inspection], nlp: Language | None = None,
                     rules: IdentifyRules | None = None) -> Identifier:
    """Build the matchers for a run.

    In: the forces (from :func:`parse_forces`), inspections (from
    :func:`pipeline.register.parse_inspection`), optionally the run's
    spaCy pipeline from :func:`pipeline.nlp.make_nlp` (only its tokenizer is
    used, and the pipeline is not changed; a new one is made if not given)
    and the naming rules (default: the shipped ``pipeline/data/identify.toml``,
    read through :mod:`pipeline.io`).
    Out: an :class:`Identifier` to pass to every :func:`identify` call.
    """
    if rules is None:
        from pipeline import io as pipeline_io

        rules = parse_identify_rules(pipeline_io.read_package_data(IDENTIFY_RULES_FILE))
    forces = tuple(forces)
    inspections = tuple(inspections)
    from spacy.matcher import PhraseMatcher

    from pipeline.nlp import make_nlp

    nlp = make_nlp() if nlp is None else nlp
    force_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    acronym_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    inspection_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")

    force_lookup: dict[str, Force] = {}
    domain_lookup = {domain: force for force in forces for domain in force.domains}
    for index, force in enumerate(forces):
        terms = [("name", force.name), ("local_body", force.local_body), ("short_name", force.short_name)]
        terms += [("alias", alias) for alias in force.aliases]
        for kind, term in terms:
            force_lookup.setdefault(_key(term), force)
            label = f"{index}\t{kind}\t{term}"
            if _is_acronym(term):
                acronym_matcher.add(label, [nlp.make_doc(term)])
            else:
                force_matcher.add(label, [nlp.make_doc(v) for v in _variants(term)])

    inspection_lookup: dict[str, Inspection] = {}
    for index, inspection in enumerate(inspections):
        inspection_lookup.setdefault(_key(inspection.id), inspection)
        inspection_lookup.setdefault(_key(inspection.title), inspection)
        title_key = _key(inspection.title)
        terms = [("title", inspection.title)] + [("alias", a) for a in inspection.aliases if _key(a) != title_key]
        for kind, term in terms:
            inspection_matcher.add(f"{index}\t{kind}\t{term}", [nlp.make_doc(v) for v in _variants(term)])

    return Identifier(
        nlp=nlp,
        forces=forces,
        inspections=inspections,
        force_matcher=force_matcher,
        acronym_matcher=acronym_matcher,
        inspection_matcher=inspection_matcher,
        _force_lookup=force_lookup,
        _inspection_lookup=inspection_lookup,
        rules=rules,
        _domain_lookup=domain_lookup,
    )


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _is_acronym(term: str) -> bool:
    # Lower-case matching would let "MPs" hit an "MPS" alias and "gmp" in prose hit "GMP".
    return " " not in term and term.isupper() and len(term) <= 6


def _variants(term: str) -> list[str]:
    """The spellings of one name a response may use.

    "&" for "and", commas dropped, "Commissioner, Hampshire" for "Commissioner for Hampshire".
    """
    forms = {term, term.replace(" and ", " & "), term.replace(",", "")}
    forms.add(term.replace(",", "").replace(" and ", " & "))
    if " for " in term:
        forms.add(term.replace(" for ", ", ", 1))
    return sorted(forms)


# --- identify -----------------------------------------------------------------

@dataclass(frozen=True)
class _Mention:
    index: int  # into Identifier.forces / .inspections
    kind: str
    term: str  # the name as listed, for the evidence line
    offset: int  # character offset in Document.text
    labelled: bool = False


def identify(document: Document, identifier: Identifier, manifest: ManifestEntry | None = None,
             url: str | None = None, force_hint: str | None = None,
             inspection_hint: str | None = None) -> Identification:
    """Decide the force a document is from, the inspection it answers, and its own date.

    In: a normalised :class:`Document`, the run's :class:`Identifier`, the
    document's manifest entry if any (it overrides detection of whichever of
    force / inspection it names; ``method`` is then ``"manifest"``), and
    optionally its provenance (a ``sources.csv`` row): ``url``, the address it
    was fetched from (a force's or local body's listed domain names the force),
    and ``force_hint``, the force the collector recorded. The manifest beats
    the hint, the hint beats the URL, the URL beats the text.
    ``inspection_hint`` (the inspection a provenance row names) is used when
    the text names no registered inspection: a register id or title it names,
    else an unregistered inspection of that title, before the text's own naming.
    Out: an :class:`Identification` with ``evidence`` saying what decided it.

    The inspection is a registered one whose title or alias the text names;
    else the inspection as the document names it (patterns in
    ``pipeline/data/identify.toml``), returned as an unregistered
    :class:`Inspection` (``registered=False``, ``published=None``, no items,
    ``id`` the :func:`slug` of its title, ``force`` when the title names one).
    A manifest ``inspection`` cell that is no register id but a title (it has
    spaces) names an unregistered inspection the same way.

    A web page's site text (``Document.site``: its header, footer, site
    name; a Word document's headers and footers) names the force only when
    the text names none, and only when it names one force alone.

    A response answering several inspections in parts ("Part 1: <report>",
    "Part 2: <other report>") gets ``sections``, one per part with the
    inspection its heading names (:func:`_detect_sections`), and
    ``inspection`` is the first part's; not when a manifest names the inspection.

    Raises ``PipelineError``: E204 when the manifest names a force or
    register id that is not known; E201 when the document names no inspection
    at all; E203 when the document is dated before a registered inspection's
    publication (it cannot answer it); E202 when no force is found and the
    manifest gives none.
    """
    force: Force | None = None
    inspection: Inspection | None = None
    sections: tuple[Section, ...] = ()
    if manifest is not None and manifest.force:
        force = identifier.resolve_force(manifest.force)
        if force is None:
            raise PipelineError("E204", what="force", value=manifest.force)
    if manifest is not None and manifest.inspection:
        inspection = identifier.resolve_inspection(manifest.inspection)
        if inspection is None and " " in manifest.inspection.strip():
            inspection = _unregistered(" ".join(manifest.inspection.split()), identifier)
        if inspection is None:
            raise PipelineError("E204", what="inspection", value=manifest.inspection)

    text = document.text
    found_date = _find_response_date(text, identifier.rules)
    response_date = found_date[0] if found_date else None
    evidence: list[str] = []
    doc: _Tokens | None = None

    force_note = ""
    hinted = identifier.resolve_force(force_hint) if force_hint else None
    served, domain = identifier.force_for_url(url) if url else (None, "")
    if force is not None:
        force_note = f"manifest '{force.name}'"
    elif hinted is not None:
        force, force_note = hinted, f"source force '{force_hint}'"
    elif served is not None:
        force, force_note = served, f"source URL domain '{domain}'"
    else:
        doc = _Tokens(text, identifier.nlp)
        force, force_note = _detect_force(doc, identifier)
        if force is None and document.site.strip():
            # a web page's header or footer names its publisher, though it is no part of what the page says
            force, force_note = _detect_force(_Tokens(document.site, identifier.nlp), identifier, sole=True)
            force_note = f"the page's site header or footer: {force_note}" if force is not None else ""

    if inspection is not None:
        evidence.append(f"inspection: manifest '{inspection.id}'")
    else:
        doc = doc or _Tokens(text, identifier.nlp)
        inspection, note = _detect_inspection(doc, identifier, response_date, force)
        if inspection is None and inspection_hint and inspection_hint.strip():
            # the provenance row's name beats the text's own wording, which is often a generic "the report"
            hint = " ".join(inspection_hint.split())
            inspection = identifier.resolve_inspection(hint) or _unregistered(hint, identifier)
            note = f"source inspection '{hint}'"
        if inspection is None:
            inspection, note = _name_inspection(text, identifier)
        sections = _detect_sections(text, identifier, response_date, force)
        if sections:
            inspection = sections[0].inspection
            note = f"in {len(sections)} parts: " + "; ".join(
                f"'{s.inspection.id}' from '{s.heading}' (characters {s.start}-{s.end})" for s in sections)
        if inspection is None:
            raise PipelineError(
                "E201", detail="it names no inspection (no register title or alias, no report title, no mention of an "
                               "HMICFRS report); name it in a manifest CSV (columns file,force,inspection; inspection "
                               "is a register id or the report's title): corpus/manifest.csv is read by default, "
                               "another with --manifest")
        evidence.append(f"inspection: {note}")

    if response_date is not None and inspection.published is not None and response_date < inspection.published:
        raise PipelineError(
            "E203", inspection=inspection.id, found=response_date.isoformat(), published=inspection.published.isoformat()
        )

    if force is None:
        raise PipelineError("E202")
    evidence.insert(0, f"force: {force_note}")
    own = _force_specific(inspection, force, identifier)
    if own is not inspection:
        inspection = own
        evidence[-1] += f"; one force's programme, so {force.name}'s"
    if sections:
        sections = tuple(replace(s, inspection=_force_specific(s.inspection, force, identifier)) for s in sections)
        inspection = sections[0].inspection

    evidence.append(f"date: '{found_date[1]}'" if found_date else "date: none found")
    by_manifest = manifest is not None and bool(manifest.force or manifest.inspection)
    return Identification(
        force=force,
        inspection=inspection,
        response_date=response_date,
        method="manifest" if by_manifest else "detected",
        evidence="; ".join(evidence),
        sections=sections,
    )


def _unregistered(title: str, identifier: Identifier) -> Inspection:
    """The contract's unregistered inspection for ``title``, with the force its title names (if any).

    Its id is :func:`slug` of the title, except that a one-force programme's title (``force_specific``: PEEL) names
    the force by its official name in the id: "PEEL 2023-25 inspection of Hertfordshire Police" and "PEEL 2023–2025:
    An inspection of Hertfordshire Constabulary" are one inspection.
    """
    rules = identifier.rules or shipped_rules()
    # in a title a bare place name is the force inspected ("Custody inspection of Gwent"); two forces name none.
    # Only the words the id keeps count: a note the rewrites drop ("...; PEEL inspection of X Police") names no force.
    words = _rewritten(title, rules)
    tokens = _Tokens(words, identifier.nlp)
    matchers = (identifier.force_matcher, identifier.acronym_matcher)
    found = _matches(tokens, matchers)
    named = {int(m[0]) for m in found}
    # a rewrite may take a name's "the" ("an inspection of the Met"): a name as written counts when the rest is kept
    named |= {int(index) for index, _kind, term, *_ in _matches(_Tokens(title, identifier.nlp), matchers)
              if re.sub(r"(?i)^the\s+", "", term).casefold() in words.casefold()}
    force = identifier.forces[next(iter(named))] if len(named) == 1 else None
    if force is not None and rules.force_specific is not None and rules.force_specific.search(words):
        for _index, _kind, _term, start, end in reversed(found):
            first, last = tokens.offset(start), tokens.offset(end - 1) + len(tokens.doc[end - 1])
            words = words[:first] + force.name + words[last:]
    return Inspection(id=_slug_words(words), title=title, published=None, aliases=(), recommendations=(),
                      registered=False, force=force.name if force is not None else None)


def _force_specific(inspection: Inspection, force: Force, identifier: Identifier) -> Inspection:
    """``inspection`` as ``force``'s own when it is an unregistered one-force programme's (PEEL) naming no force.

    Else ``inspection`` itself. "The 2021/22 PEEL inspection" in two forces' responses names two inspections: each
    force's findings are its own (``force_specific`` and ``force_specific_title`` in ``identify.toml``), so the title
    gains the force's name and the id follows it ("PEEL inspection 2023-25 – Surrey Police" is
    ``peel-2023-25-surrey-police``, as the full title "PEEL 2023–25: An inspection of Surrey Police" is).
    """
    rules = identifier.rules
    if rules is None or rules.force_specific is None or inspection.registered or inspection.force is not None:
        return inspection
    kept = _rewritten(inspection.title, rules)  # the words the id keeps
    if not rules.force_specific.search(kept):
        return inspection
    if _matches(_Tokens(kept, identifier.nlp), (identifier.force_matcher, identifier.acronym_matcher)):
        return inspection  # its title names forces (two or more): whose it is stays open
    title = rules.force_specific_title.format(title=inspection.title, force=force.name)
    # the force goes after the words the id keeps (a rewrite may cut a title's tail: "...; another inspection")
    words = rules.force_specific_title.format(title=kept, force=force.name)
    return replace(inspection, id=_slug_words(words), title=title, force=force.name)


def _name_inspection(text: str, identifier: Identifier, unnamed: bool = True) -> tuple[Inspection | None, str]:
    """The inspection as the document names it.

    The first title pattern (in rule order) that yields a title; else the first programme the text names
    without a title (``mentions``: "the 2021/22 PEEL inspection report" is "PEEL inspection 2021/22"); else,
    when the text speaks of the inspectorate and of a report (and ``unnamed``), the ``unnamed_title``.
    """
    rules = identifier.rules
    if rules is None:
        return None, ""
    for pattern in rules.titles:
        for match in pattern.finditer(text):
            title = _clean_title(match.group("title"), rules)
            if title:
                return _unregistered(title, identifier), f"named in the text '{title}' (no register)"
    for pattern, name in rules.mentions:
        named = pattern.search(text)
        if named:
            year = named.groupdict().get("year") or named.groupdict().get("year_after")
            title = f"{name} {' '.join(year.split())}" if year else name
            words = " ".join(named.group().split())
            return _unregistered(title, identifier), f"'{words}' names the programme, not the report (no register)"
    mention = rules.unnamed_inspectorate.search(text) if unnamed else None
    if mention and rules.unnamed_report.search(text):
        return _unregistered(rules.unnamed_title, identifier), f"no title; '{mention.group()}' and a report are mentioned"
    return None, ""


def _detect_sections(text: str, identifier: Identifier, response_date: date | None,
                     force: Force | None) -> tuple[Section, ...]:
    """The parts of a response that answers several inspections, each with the inspection its heading names.

    A part opens at a heading line (``[sections]`` in ``identify.toml``): one that numbers a part and names a
    report ("Part 2: <title>", the title on that line or the next), or one that is a registered report's title
    alone ("Response to the <title>"). The document is in parts only when such headings name two inspections or
    more; a report named in passing (in a sentence, a citation) opens no part. The first part runs from the start
    of the text (its letterhead and introduction), each part to the next one's heading; consecutive headings naming
    one inspection are one part. Returns ``()`` for a document answering one inspection.
    """
    rules = identifier.rules
    if rules is None or rules.part_report is None:
        return ()
    part_heading, title_heading, part_item = rules.part_heading, rules.title_heading, rules.part_item
    if part_heading is None or title_heading is None or part_item is None:
        return ()
    titles = {_key(name): inspection for inspection in identifier.inspections
              for name in (inspection.title, *inspection.aliases)}
    longest = max(map(len, titles), default=0) + 60  # a title heading is a title and a few words before it
    heads: list[tuple[int, Inspection, str, bool]] = []  # offset, inspection, heading, whether it numbers a part
    lines = text.split("\n")
    offset = 0
    for number, line in enumerate(lines):
        line_offset, offset = offset, offset + len(line) + 1
        stripped = " ".join(line.split())
        if not stripped or len(stripped) > 300:
            continue
        named: Inspection | None = None
        part = part_heading.match(stripped)
        if part is not None:
            title = (part.group("title") or "").strip() or _next_nonblank(lines, number)
            named = _heading_inspection(title, identifier, response_date, force)
        elif len(stripped) <= longest and (alone := title_heading.match(stripped)) is not None:
            named = titles.get(_key(alone.group("title")))
            if named is not None and not _may_answer(named, identifier, response_date, force):
                named = None
        if named is not None:
            heads.append((line_offset, named, stripped, part is not None))
    # a bare title heads a part only when an item label follows it before the next heading
    ends = [start for start, *_ in heads[1:]] + [len(text)]
    heads = [head for head, end in zip(heads, ends) if head[3] or part_item.search(text, head[0], end)]
    if len({inspection.id for _, inspection, _, _ in heads}) < 2:
        return ()
    merged = [head for i, head in enumerate(heads) if i == 0 or heads[i - 1][1].id != head[1].id]
    starts = [0] + [start for start, *_ in merged[1:]] + [len(text)]
    return tuple(Section(starts[i], starts[i + 1], inspection, heading)
                 for i, (_, inspection, heading, _) in enumerate(merged))


def _may_answer(inspection: Inspection, identifier: Identifier, response_date: date | None, force: Force | None) -> bool:
    """Whether a response of ``force`` dated ``response_date`` can answer ``inspection`` (as :func:`_detect_inspection`)."""
    own = inspection.force
    if own is not None and force is not None and identifier.resolve_force(own) not in (None, force):
        return False
    return response_date is None or inspection.published is None or inspection.published <= response_date


def _heading_inspection(title: str, identifier: Identifier, response_date: date | None,
                        force: Force | None) -> Inspection | None:
    """The inspection a part's heading names: a registered one by its title or alias, else one its title patterns name.

    An unregistered title must read as a report's (``part_report``: "inspection", "HMICFRS", "PEEL") and say more
    than that it is one ("the HMICFRS report": ``weak_words``), or the part's heading names no report.
    """
    rules = identifier.rules
    if not title or rules is None or rules.part_report is None:
        return None
    registered, _ = _detect_inspection(_Tokens(title, identifier.nlp), identifier, response_date, force)
    if registered is not None and _may_answer(registered, identifier, response_date, force):
        return registered
    named, _ = _name_inspection(title, identifier, unnamed=False)
    if named is None or not rules.part_report.search(named.title):
        return None
    words = [w.casefold() for w in re.findall(r"[\w’'&-]+", named.title)]
    return named if any(w not in rules.weak_words for w in words) else None


def _clean_title(raw: str, rules: IdentifyRules) -> str:
    title = " ".join(raw.split())
    previous = None
    while previous != title:
        previous, title = title, rules.trim_tail.sub("", title).strip()
    title = re.sub(r"^(?i:the|this|a|an)\s+(?=(?:HMICFRS|HMIC|PEEL)\b)", "", title)
    if re.match(r"(?:into|on)\s", title):
        title = rules.subject_prefix + title
    words = [w.casefold() for w in re.findall(r"[\w’'&-]+", title)]
    if not words or all(w in rules.weak_words for w in words) and not re.search(r"HMIC|Inspectorate", title):
        return ""
    return title


#: White space that collapses to one space: a run of two or more, or one character that is not a space.
_COLLAPSIBLE_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")


class _Tokens:
    r"""A document tokenised for matching, with whitespace runs collapsed.

    Hard line breaks inside a name ("Police and Crime\nCommissioner") would
    otherwise become separate tokens and defeat the phrase matcher; the
    offset map sends positions back to ``Document.text``.
    """

    def __init__(self, text: str, nlp: Language) -> None:
        self.text = text
        pieces: list[str] = []
        self._starts_new: list[int] = []
        self._starts_old: list[int] = []
        pos = new = 0
        # only the runs that collapsing changes: single spaces between words map one to one
        for ws in _COLLAPSIBLE_WHITESPACE.finditer(text):
            for piece, old in ((text[pos:ws.start()], pos), (" ", ws.start())):
                self._starts_new.append(new)
                self._starts_old.append(old)
                pieces.append(piece)
                new += len(piece)
            pos = ws.end()
        self._starts_new.append(new)
        self._starts_old.append(pos)
        pieces.append(text[pos:])
        # the tokenizer alone: unlike make_doc it has no length limit, and tokenizing is cheap even on long reports
        self.doc: Doc = nlp.tokenizer("".join(pieces))
        self.early_limit = max(_EARLY_MIN_CHARS, int(len(text) * _EARLY_FRACTION))

    def offset(self, token_index: int) -> int:
        """Character offset in the original text of token ``token_index``."""
        new = self.doc[token_index].idx
        i = bisect.bisect_right(self._starts_new, new) - 1
        return self._starts_old[i] + (new - self._starts_new[i])

    def weight(self, offset: int) -> float:
        return _EARLY_FACTOR if offset < self.early_limit else 1.0


def _matches(tokens: _Tokens, matchers: Iterable[PhraseMatcher]) -> list[tuple[str, str, str, int, int]]:
    """Longest non-overlapping matches as (index, kind, term, start, end) with token positions."""
    strings = tokens.doc.vocab.strings
    from spacy.tokens import Span
    from spacy.util import filter_spans

    spans = [Span(tokens.doc, s, e, label=mid) for m in matchers for mid, s, e in m(tokens.doc)]
    result = []
    for span in sorted(filter_spans(spans), key=lambda sp: sp.start):
        index, kind, term = strings[span.label].split("\t", 2)
        result.append((index, kind, term, span.start, span.end))
    return result


def _is_labelled(text: str, offset: int) -> bool:
    """True when the name at ``offset`` fills a "Force" field (same line, or the line above)."""
    line_start = text.rfind("\n", 0, offset) + 1
    prefix = text[line_start:offset]
    if prefix.strip():
        return bool(_FORCE_LABEL.search(prefix))
    previous = text[:line_start].rstrip().rsplit("\n", 1)[-1]
    return bool(previous.strip()) and bool(_FORCE_LABEL.fullmatch(previous.strip()))


def _beside_role(text: str, start: int, end: int, rules: IdentifyRules) -> bool:
    """Is the name at ``text[start:end]`` next to a role on its line ("Surrey Chief Constable", "Commissioner, Hampshire")?"""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    after = text[end:line_end if line_end >= 0 else len(text)]
    return bool(rules.role_after.match(after) or rules.role_before.search(text[line_start:start]))


def _inspected_elsewhere(text: str, start: int, rules: IdentifyRules) -> bool:
    """Is the name at ``start`` the force inspected by a report that reaches every force, as its line names it?

    "An inspection of Sussex Police commissioned by ..., and an update on national recommendations": the
    document may come from any force answering those recommendations.
    """
    if rules.inspected_before is None or rules.national_scope is None:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    return bool(rules.inspected_before.search(text[line_start:start]) and rules.national_scope.search(line))


def _detect_force(tokens: _Tokens, identifier: Identifier, sole: bool = False) -> tuple[Force | None, str]:
    """The force the text's mentions name most strongly, with a note of the mentions; (None, "") when none does.

    ``sole``: name a force only when no other is named strongly (a site's footer may list its partners).
    """
    mentions = []
    rules = identifier.rules
    for index, kind, term, start, end in _matches(tokens, (identifier.force_matcher, identifier.acronym_matcher)):
        offset = tokens.offset(start)
        last = tokens.offset(end - 1) + len(tokens.doc[end - 1])  # end of the mention's last token
        if kind == "short_name" and rules is not None and _beside_role(tokens.text, offset, last, rules):
            kind = "alias"  # a place name beside a role names the author as an alias does
        elif rules is not None and _inspected_elsewhere(tokens.text, offset, rules):
            kind = "inspected"
        mentions.append(_Mention(int(index), kind, term, offset, _is_labelled(tokens.text, offset)))
    # a web or e-mail address on the force's or its local body's domain ("enquiries@surrey-pcc.gov.uk")
    index_of = {f.name: i for i, f in enumerate(identifier.forces)}
    lowered = tokens.text.lower()
    hosts = _HOST_IN_TEXT.finditer(tokens.text) if any(m in lowered for m in _HOST_MARKERS) else ()
    for match in hosts:
        found, domain = identifier.force_for_host(match.group("host") or match.group("bare"))
        if found is not None and found.name in index_of:
            mentions.append(_Mention(index_of[found.name], "domain", domain, match.start()))
    if not mentions:
        return None, ""

    scores: dict[int, float] = defaultdict(float)
    strong: set[int] = set()
    first: dict[int, int] = {}
    for m in mentions:
        scores[m.index] += (_FORCE_WEIGHTS[m.kind] + (_LABEL_BONUS if m.labelled else 0.0)) * tokens.weight(m.offset)
        first.setdefault(m.index, m.offset)
        if m.kind not in _WEAK_KINDS or m.labelled:
            strong.add(m.index)
    # A bare place name alone is too weak to attribute a document (it may be a neighbour) ... unless no other
    # force is named at all and it is named again and again.
    ranked = sorted((i for i in scores if i in strong), key=lambda i: (-scores[i], first[i]))
    place_mentions = rules.sole_place_mentions if rules is not None else 0
    if not ranked and len(scores) == 1 and place_mentions and sum(m.kind == "short_name" for m in mentions) >= place_mentions:
        ranked = list(scores)
    if not ranked or sole and len(ranked) > 1:
        return None, ""
    best = ranked[0]
    forms = Counter(m.term for m in mentions if m.index == best)
    note = ", ".join(f"'{term}' ×{n}" for term, n in forms.most_common(3))
    if any(m.labelled for m in mentions if m.index == best):
        note += " (form field)"
    others = sorted((i for i in scores if i != best), key=lambda i: -scores[i])
    if others:
        runner = others[0]
        tie = " (tie: earliest mention wins)" if scores[runner] == scores[best] else ""
        note += f"; next {identifier.forces[runner].name} {scores[runner]:g} vs {scores[best]:g}{tie}"
    return identifier.forces[best], note


def _detect_inspection(tokens: _Tokens, identifier: Identifier, response_date: date | None,
                       force: Force | None = None) -> tuple[Inspection | None, str]:
    scores: dict[int, float] = defaultdict(float)
    first: dict[int, int] = {}
    forms: dict[int, Counter] = defaultdict(Counter)
    for index, kind, term, start, _end in _matches(tokens, (identifier.inspection_matcher,)):
        i, offset = int(index), tokens.offset(start)
        scores[i] += _INSPECTION_WEIGHTS[kind] * tokens.weight(offset)
        first.setdefault(i, offset)
        forms[i][term] += 1
    # A force-specific inspection (PEEL) is answered only by its own force.
    candidates = [i for i in scores if (own_force := identifier.inspections[i].force) is None or force is None
                  or identifier.resolve_force(own_force) in (None, force)]
    if response_date is not None:
        # A response cannot answer a report published after it was written.
        possible = [i for i in candidates if (issued := identifier.inspections[i].published) is None
                    or issued <= response_date]
        candidates = possible or candidates
    if not candidates:
        return None, ""
    best = min(candidates, key=lambda i: (-scores[i], first[i]))
    return identifier.inspections[best], ", ".join(f"'{t}' ×{n}" for t, n in forms[best].most_common(2))


# --- response date ------------------------------------------------------------

def find_response_date(text: str, rules: IdentifyRules | None = None) -> date | None:
    """The date a response was written or sent, or None.

    In: a document's normalised text. Out: the first of (a) a date after a
    label such as ``Sent on``, ``Date:``, ``Dated``, ``Posted``, ``Date of this
    update:`` (same line or the next; ``date_label`` in ``identify.toml``),
    the date first and perhaps more of the line after it ("Date: 14 March
    2025. Ref: PCC/123"; ``date_end``), or
    after such a label with a colon later on a line, at a sentence's start
    ("... report. Date: 5 February 2025."; ``date_label_inline``), or
    (b) a line that is only a date, in the document's first part (a letter's
    date line), or a date and the time of day (a news page's stamp;
    ``time_of_day``). A publication date given as a field ("Published Date | 10
    September 2024") and a month without a day ("Version Dec 2024") are not
    response dates. A date may name its month in Welsh, or stand twice in two
    languages ("25 Hydref 2024 / 25 October 2024"; ``months``,
    ``bilingual_separator``). ``rules`` default to the shipped ``identify.toml``.
    """
    found = _find_response_date(text, rules)
    return found[0] if found else None


def _find_response_date(text: str, rules: IdentifyRules | None = None) -> tuple[date, str] | None:
    """As :func:`find_response_date`, also returning the matched wording for the evidence line."""
    rules = rules or shipped_rules()
    top = max(_DATE_TOP_MIN_CHARS, int(len(text) * _DATE_TOP_FRACTION))
    lines = text.split("\n")
    offset = 0
    previous = heading = ""  # the last two non-blank lines
    for number, line in enumerate(lines):
        line_offset, offset = offset, offset + len(line) + 1
        stripped = _strip_cells(line)
        if not stripped:
            continue
        published = rules.published_line.match(line.strip()) or rules.published_label.match(line.strip())
        # a line "Report published: 10 September 2024" is a field of its own, not a heading over the next line
        field = previous.rsplit(":", 1)
        report_heading = rules.not_own.search(previous) and not rules.own_heading.search(previous) \
            and not (len(field) == 2 and parse_date(field[1].strip()))
        if published and not rules.not_own.search(line) and not report_heading:
            # the page's own publication line: on a PCC's web page, the day the response went out; its date may
            # stand on the next line ("Date published" and the date in separate elements of a definition list)
            value = (published.groupdict().get("rest") or "").strip() or _next_nonblank(lines, number)
            found = _opening_date(value, rules)
            if found:
                return found[0], f"{stripped} {value}" if value not in stripped else stripped
        label = rules.date_label.match(stripped)
        if label:
            rest = label.group("rest").strip()
            found = _opening_date(rest or _next_nonblank(lines, number), rules)
            if found:
                return found
        elif inline := _inline_labelled_date(stripped, rules):
            return inline
        elif line_offset < top and not _date_under_other(previous, heading, rules):
            timed = rules.time_of_day.search(stripped) if rules.time_of_day is not None else None
            parsed = _read_date(stripped, rules) or (_read_date(stripped[:timed.start()], rules) if timed else None)
            if parsed:
                return parsed, stripped
            for pattern in rules.dated_lines:
                dated = pattern.match(stripped)
                parsed = _read_date(dated.group("date"), rules) if dated else None
                if parsed:
                    return parsed, stripped
        previous, heading = stripped, previous
    return None


def _opening_date(value: str, rules: IdentifyRules) -> tuple[date, str] | None:
    """The date ``value`` (what follows a date label) is, or opens with, and its wording; None when it opens with none.

    The whole of ``value`` first; else its shortest opening stretch that ends
    where ``date_end`` matches and reads as a date ("14 March 2025. Ref:
    PCC/123" -> "14 March 2025."). Only the first 80 characters are tried: a
    date is shorter, and a label may open a long paragraph.
    """
    parsed = _read_date(value, rules)
    if parsed:
        return parsed, value
    if rules.date_end is None:
        return None
    head = value[:80]
    for end in rules.date_end.finditer(head):
        stretch = head[:end.start()].strip()
        parsed = _read_date(stretch, rules) if stretch else None
        if parsed:
            # the same date again in another language after it is read with it; another day makes no one date
            other = rules.bilingual_separator.match(head, end.start()) if rules.bilingual_separator else None
            second = _opening_date(head[other.end():], rules) if other else None
            return (parsed, stretch) if second is None or second[0] == parsed else None
    return None


def _inline_labelled_date(line: str, rules: IdentifyRules) -> tuple[date, str] | None:
    """The date after a label later on ``line`` (``date_label_inline``: "... report. Date: 5 February 2025."), or None.

    The date runs to the end of its sentence, cell or line: the shortest such stretch after the label that reads as one.
    """
    labelled = rules.date_label_inline.search(line) if rules.date_label_inline is not None else None
    if labelled is None:
        return None
    rest = labelled.group("rest")
    for end in re.finditer(r"[.;|](?=\s|$)|$", rest):
        value = rest[:end.start()].strip()
        parsed = _read_date(value, rules) if value else None
        if parsed:
            return parsed, value
    return None


def _read_date(value: str, rules: IdentifyRules) -> date | None:
    """:func:`pipeline.dates.parse_date`, also reading the ``months`` of another language (Welsh).

    One date given in two languages ("25 Hydref 2024 / 25 October 2024") is read when both halves are the same day.
    """
    parsed = parse_date(value)
    if parsed is not None or rules.month_words is None:
        return parsed
    english = rules.month_words.sub(lambda m: MONTH_NAMES[rules.months[m.group().casefold()] - 1], value)
    parsed = parse_date(english)
    if parsed is not None or rules.bilingual_separator is None:
        return parsed
    days = {parse_date(part) for part in rules.bilingual_separator.split(english) if part.strip()}
    return days.pop() if len(days) == 1 and None not in days else None


def _date_under_other(previous: str, heading: str, rules: IdentifyRules) -> bool:
    """Whether a date alone under the line ``previous`` is another date than the response's (publication, deadline).

    A line naming the report or inspection dates the report, unless it is the response's own title naming the
    inspection ("Response to the ... inspection"), or the report's title as the second line of a title block under
    the response's own heading (``heading``, the line above it: "X Commissioner's response" / "An inspection into
    ..." / the date), where no line names the inspectorate's report as such (``named_report``): rules ``not_under``,
    ``report_above``, ``own_heading``.
    """
    if rules.not_under is None or rules.report_above is None:
        return bool(re.search(r"(?i)publish|deadline|\bdue\b|version|review|inspection", previous))
    if rules.not_under.search(previous):
        return True
    if not rules.report_above.search(previous) or rules.own_heading.search(previous):
        return False
    under_own = bool(heading) and bool(rules.own_heading.search(heading)) and rules.named_report is not None \
        and not rules.named_report.search(previous) and not rules.named_report.search(heading)
    return not under_own


def _strip_cells(line: str) -> str:
    # Table cells arrive joined by " | "; an empty cell leaves stray bars at the ends.
    return " | ".join(c.strip() for c in line.split("|") if c.strip())


def _next_nonblank(lines: list[str], number: int) -> str:
    for line in lines[number + 1:number + 4]:
        if line.strip():
            return _strip_cells(line)
    return ""
