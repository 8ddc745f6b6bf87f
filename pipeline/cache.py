"""The extraction cache: keys, fingerprints and the JSON form of entries. Pure: no file access.

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

A fingerprint is a sha256 over everything the stage's output depends on:
the source of the stage modules (so any code change invalidates old entries),
an optional ``STAGE_VERSION`` constant of the module (for a change the source
does not show, such as a dependency's behaviour), the versions of the
libraries the stage calls, and its data files. JSON, never pickle: reading an
entry must not be able to run code. An entry that does not parse, has the
wrong shape or names another key is *corrupt*: the ``parse_*`` functions
return None for it, and the run rebuilds and overwrites it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from pathlib import PurePath
from typing import Any, Iterable, Mapping, Sequence

from pipeline.types import Document, Force, Identification, Inspection, Page, Passage, Prediction, Problem

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


def dump_document(key: str, document: Document) -> str:
    """The JSON entry of an ingested document (its ``source`` is not kept: the same bytes may sit at another path)."""
    return _dump("documents", key, {"media_type": document.media_type, "text": document.text,
                                    "pages": [[p.number, p.start, p.end, p.ocr, p.confidence] for p in document.pages],
                                    "problems": _page_problems_body(document.problems)})


def _page_problems_body(problems: Sequence[Problem]) -> list:
    return [{"code": p.code, "message": p.message, "page": p.page} for p in problems]


def _page_problems(rows: Any, source: str, sha256: str) -> tuple[Problem, ...]:
    out = []
    for row in rows:
        if not isinstance(row["code"], str) or not isinstance(row["message"], str) or not isinstance(row["page"], int):
            raise ValueError("bad page problem")
        out.append(Problem(source=source, code=row["code"], message=row["message"], sha256=sha256, page=row["page"]))
    return tuple(out)


def dump_document_problem(key: str, problem: Problem) -> str:
    """The JSON entry of a file ingest refused (only for :data:`CACHEABLE_INGEST_CODES`)."""
    return _dump("documents", key, _problem_body(problem))


def parse_document(text: str | None, key: str, source: str, sha256: str) -> Document | Problem | None:
    """The cached :class:`Document` (or ingest :class:`Problem`) for the file at ``source``; None when missing or corrupt."""
    obj = _load(text, "documents", key)
    if obj is None:
        return None
    try:
        if "problem" in obj:
            return _problem(obj, source, sha256)
        body = obj["text"]
        pages = tuple(Page(int(n), int(s), int(e), bool(ocr), None if conf is None else float(conf))
                      for n, s, e, ocr, conf in obj["pages"])
        if not isinstance(body, str) or not isinstance(obj["media_type"], str) or any(
                not 0 <= p.start <= p.end <= len(body) for p in pages):
            return None
        return Document(source=source, sha256=sha256, media_type=obj["media_type"], text=body, pages=pages,
                        problems=_page_problems(obj["problems"], source, sha256))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _passage_body(p: Passage) -> dict:
    return {"id": p.id, "recommendations": list(p.recommendations), "link": p.link, "start": p.start, "end": p.end,
            "page": p.page, "text": p.text, "response_text": p.response_text,
            "response_spans": [list(s) for s in p.response_spans], "language": p.language}


def _passage(obj: Mapping[str, Any], source: str, sha256: str) -> Passage:
    strings = ("id", "link", "text", "response_text", "language")
    if not all(isinstance(obj[k], str) for k in strings) or not all(isinstance(obj[k], int) for k in ("start", "end", "page")):
        raise ValueError("bad passage")
    return Passage(id=obj["id"], source=source, sha256=sha256, recommendations=tuple(str(r) for r in obj["recommendations"]),
                   link=obj["link"], start=obj["start"], end=obj["end"], page=obj["page"], text=obj["text"],
                   response_text=obj["response_text"],
                   response_spans=tuple((int(s), int(e)) for s, e in obj["response_spans"]), language=obj["language"])


def dump_analysis(key: str, identification: Identification, passages: Sequence[Passage],
                  page_problems: Sequence[Problem] = ()) -> str:
    """The JSON entry of a document's identification (by force name and inspection id), passages and page-level problems."""
    ident = {"force": identification.force.name if identification.force else None,
             "inspection": identification.inspection.id if identification.inspection else None,
             "response_date": identification.response_date.isoformat() if identification.response_date else None,
             "method": identification.method, "evidence": identification.evidence}
    return _dump("analyses", key, {"identification": ident, "passages": [_passage_body(p) for p in passages],
                                   "problems": _page_problems_body(page_problems)})


def dump_analysis_problem(key: str, problem: Problem) -> str:
    """The JSON entry of a document identify refused (only for :data:`CACHEABLE_ANALYSIS_CODES`)."""
    return _dump("analyses", key, _problem_body(problem))


def parse_analysis(text: str | None, key: str, source: str, sha256: str, forces: Iterable[Force],
                   inspections: Iterable[Inspection]) -> tuple[Identification, tuple[Passage, ...], tuple[Problem, ...]] | Problem | None:
    """The cached identification, passages and page-level problems (or identify :class:`Problem`); None when missing or corrupt.

    The force and inspection are looked up by name and id in ``forces`` and
    ``inspections`` (the run's, which the key covers); one that is not there
    makes the entry corrupt.
    """
    obj = _load(text, "analyses", key)
    if obj is None:
        return None
    try:
        if "problem" in obj:
            return _problem(obj, source, sha256)
        ident = obj["identification"]
        force = next((f for f in forces if f.name == ident["force"]), None) if ident["force"] is not None else None
        inspection = next((i for i in inspections if i.id == ident["inspection"]), None) if ident["inspection"] is not None else None
        if (ident["force"] is not None and force is None) or (ident["inspection"] is not None and inspection is None):
            return None
        when = date.fromisoformat(ident["response_date"]) if ident["response_date"] is not None else None
        if not isinstance(ident["method"], str) or not isinstance(ident["evidence"], str):
            return None
        identification = Identification(force=force, inspection=inspection, response_date=when,
                                        method=ident["method"], evidence=ident["evidence"])
        return (identification, tuple(_passage(p, source, sha256) for p in obj["passages"]),
                _page_problems(obj["problems"], source, sha256))
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
