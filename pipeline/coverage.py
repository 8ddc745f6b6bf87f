"""Coverage of real responses: the share of labelled documents that yield a passage attributed to the right force.

The figure of issue 11 ("Done when"): of the documents in which readers
labelled at least one answer item (``labels.jsonl`` / ``real.jsonl``), the
share that the pipeline identifies (no coded error), attributes to the force
the provenance records (``sources.csv`` ``force`` column, or the shared
corpus's ``meta.jsonl``), and cuts into at least one passage. Overall and per
``doc_kind``, with each failing document and why.

Pure functions over loaded records, and :func:`measure` /
:func:`coverage_report`, which read the files through :mod:`pipeline.io` and
run the stages; the CLI (``python -m pipeline coverage``) checks its
arguments and prints the lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence


@dataclass(frozen=True)
class Provenance:
    """What is known of one input file: its name, the address it came from, its true force and kind of document."""

    file: str
    url: str = ""
    force: str = ""
    doc_kind: str = ""


@dataclass(frozen=True)
class Outcome:
    """How one labelled document fared: ``ok`` when it yields a passage attributed to the right force, else ``reason``."""

    file: str
    doc_kind: str
    ok: bool
    reason: str = ""
    force: str = ""  # the force the pipeline attributed it to ("" when identify failed)
    passages: int = 0
    answers: int = 0  # labelled answers located in the text
    answers_in_passage: int = 0  # of those, how many start inside a passage of the right force


def provenance_from_rows(rows: Iterable[Mapping[str, object]]) -> dict[str, Provenance]:
    """Provenance by file name from ``sources.csv`` rows or ``meta.jsonl`` objects.

    Each row gives ``file``, ``url``, ``force`` and ``doc_kind``.
    """
    out: dict[str, Provenance] = {}
    for row in rows:
        name = str(row.get("file") or "").strip()
        if name:
            out[name] = Provenance(file=name, url=str(row.get("url") or "").strip(), force=str(row.get("force") or "").strip(),
                                   doc_kind=str(row.get("doc_kind") or "").strip() or "unknown")
    return out


def labelled_answers(labels: Iterable[Mapping[str, object]]) -> dict[str, list[str]]:
    """The labelled answer texts by file name (items with a non-empty ``text``)."""
    out: dict[str, list[str]] = defaultdict(list)
    for row in labels:
        if row.get("file") and row.get("item") and str(row.get("text") or "").strip():
            out[str(row["file"])].append(str(row["text"]))
    return dict(out)


def locate(document_text: str, answer: str) -> int:
    """Where a labelled answer starts in the document text, or -1.

    The answer's first fragment (fragments are joined by " ... ") is matched on
    its first twelve words, across any white space and either form of
    apostrophe or quotation mark (ingest straightens them).
    """
    import re

    words = answer.split(" ... ")[0].split()[:12]
    if not words:
        return -1
    quotes = {"'": "['’‘]", "’": "['’‘]", "‘": "['’‘]", '"': '["“”]', "“": '["“”]', "”": '["“”]'}
    pattern = r"\s+".join("".join(quotes.get(c, re.escape(c)) for c in word) for word in words)
    match = re.search(pattern, document_text)
    return match.start() if match else -1


def labelled_files(labels: Iterable[Mapping[str, object]]) -> set[str]:
    """Names of the files in which readers labelled at least one answer item (any kind, "all" included)."""
    return {str(row["file"]) for row in labels if row.get("file") and row.get("item")}


def judge(file: str, doc_kind: str, true_force: str | None, found_force: str | None, passages: int,
          error: str = "", answers: Sequence[int] = (), spans: Sequence[tuple[int, int]] = ()) -> Outcome:
    """The outcome of one document: an error, a wrong or missing force, no passage, or ok.

    ``true_force`` and ``found_force`` are official force names (None when
    the true force is unknown: then the document cannot count as right).
    ``answers`` are the offsets where labelled answers start (-1: not found in
    the text) and ``spans`` the passages' (start, end); an answer counts as
    found when the force is right and it starts inside a passage.
    """
    located = [a for a in answers if a >= 0]
    inside = sum(any(s <= a < e for s, e in spans) for a in located) if found_force == true_force else 0
    if error:
        return Outcome(file, doc_kind, False, error, answers=len(located))
    if true_force is None:
        return Outcome(file, doc_kind, False, "true force unknown (not in the force list)", found_force or "", passages,
                       len(located))
    if found_force != true_force:
        return Outcome(file, doc_kind, False, f"force {found_force or 'none'}, expected {true_force}", found_force or "",
                       passages, len(located))
    if passages == 0:
        return Outcome(file, doc_kind, False, "no passage", found_force, 0, len(located))
    return Outcome(file, doc_kind, True, "", found_force, passages, len(located), inside)


def summarise(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int]]:
    """``{"all": (ok, n), <doc_kind>: (ok, n), ...}``, doc kinds in name order."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        for key in ("all", outcome.doc_kind):
            counts[key][0] += outcome.ok
            counts[key][1] += 1
    order = ["all"] + sorted(k for k in counts if k != "all")
    return {k: (counts[k][0], counts[k][1]) for k in order if k in counts}


def format_summary(title: str, outcomes: Sequence[Outcome]) -> list[str]:
    """Printable lines: the share overall and per doc_kind, then one line per failing document."""
    lines = [title]
    for key, (ok, n) in summarise(outcomes).items():
        share = 100.0 * ok / n if n else 0.0
        lines.append(f"  {key:<14} {ok:>4} of {n:<4} {share:5.1f}%")
    found = sum(o.answers_in_passage for o in outcomes)
    total = sum(o.answers for o in outcomes)
    lines.append(f"  labelled answers starting inside a passage of the right force: {found} of {total}"
                 f" ({100.0 * found / total if total else 0.0:.1f}%)")
    for outcome in outcomes:
        if not outcome.ok:
            lines.append(f"  FAIL {outcome.file} [{outcome.doc_kind}]: {outcome.reason}")
    return lines


def measure(inputs: Sequence[str], labels_path: str, sources_path: str, inspections: str, *, max_pages: int,
            max_seconds: float, max_characters: int | None = None) -> dict[bool, list[Outcome]]:
    """Identify and segment every labelled input file, without and with its source URL as a hint.

    Args:
        inputs: files or folders of responses (each checked to exist by the caller).
        labels_path: ``labels.jsonl`` / ``real.jsonl``, one object per answer item (``file``, ``item``, ``text``).
        sources_path: a ``sources.csv``, or a ``.jsonl`` (the shared corpus's ``meta.jsonl``), giving each file's
            ``url``, ``force`` and ``doc_kind``.
        inspections: folder of inspection registers (``*.toml``).
        max_pages: pages above which a PDF is refused (E107).
        max_seconds: seconds of layout above which a PDF is refused (E108).
        max_characters: characters above which a document is refused (E129); None: ingest's default.

    Returns:
        ``{False: outcomes without the URL hint, True: outcomes with it}``, each one :class:`Outcome` per labelled
        file (a labelled file missing from the inputs fails as "not among the inputs"), sorted by file name. A
        document's coded error (ingest, identify, segment) is its outcome's reason, never raised.

    Raises:
        PipelineError: from reading the labels, the sources or the registers (E1xx, E4xx).
    """
    from pipeline import io, parallel
    from pipeline.errors import PipelineError
    from pipeline.identify import identify
    from pipeline.ingest import DEFAULT_MAX_CHARACTERS, ingest
    from pipeline.segment import segment_identified

    if sources_path.endswith(".jsonl"):
        rows = [obj for _, obj in io.read_jsonl(sources_path) if isinstance(obj, dict)]
    else:
        rows = io.read_csv(sources_path).to_dict("records")
    provenance = provenance_from_rows(rows)
    labels = [obj for _, obj in io.read_jsonl(labels_path) if isinstance(obj, dict)]
    wanted = labelled_files(labels)
    answers = labelled_answers(labels)
    paths = [p for p in io.discover_inputs(inputs) if p.name in wanted]
    context = parallel.build_context(io.load_inspections(inspections), io.load_forces(),
                                   io.read_package_data("segment.toml"), model=None, max_pages=max_pages)
    found = {p.name for p in paths}
    missing = [Outcome(name, provenance.get(name, Provenance(name, doc_kind="unknown")).doc_kind,
                       False, "not among the inputs") for name in sorted(wanted - found)]
    runs: dict[bool, list] = {False: list(missing), True: list(missing)}
    for path in paths:
        known = provenance.get(path.name, Provenance(path.name, doc_kind="unknown"))
        truth = context.identifier.resolve_force(known.force) if known.force else None
        try:
            document = ingest(io.read_source(path), max_pages=context.max_pages, max_seconds=max_seconds,
                              max_characters=DEFAULT_MAX_CHARACTERS if max_characters is None else max_characters)
        except PipelineError as error:
            for hint in runs:
                runs[hint].append(judge(path.name, known.doc_kind, None, None, 0, f"{error.code} {error.message}"))
            continue
        starts = [locate(document.text, a) for a in answers.get(path.name, [])]
        for hint in runs:
            try:
                ident = identify(document, context.identifier, url=known.url if hint else None)
                assert ident.inspection is not None  # identify names an inspection or raises E201
                passages = segment_identified(document, ident, context.segmenter)
                runs[hint].append(judge(path.name, known.doc_kind, truth.name if truth else None,
                                        ident.force.name if ident.force else None,
                                        len(passages), answers=starts,
                                        spans=[(p.start, p.end) for p in passages]))
            except PipelineError as error:
                runs[hint].append(judge(path.name, known.doc_kind, None, None, 0, f"{error.code} {error.message}",
                                        answers=starts))
    return {hint: sorted(outcomes, key=lambda o: o.file) for hint, outcomes in runs.items()}


def coverage_report(inputs: Sequence[str], labels_path: str, sources_path: str, inspections: str, *, max_pages: int,
                    max_seconds: float, max_characters: int | None = None) -> list[str]:
    """The printable lines of ``python -m pipeline coverage``: :func:`format_summary` without, then with, the URL hint.

    Arguments and errors as :func:`measure`.
    """
    runs = measure(inputs, labels_path, sources_path, inspections, max_pages=max_pages, max_seconds=max_seconds,
                   max_characters=max_characters)
    lines: list[str] = []
    for hint, title in ((False, "without the source URL"), (True, "with the source URL as a hint")):
        lines += format_summary(f"documents with a labelled answer item yielding a passage of the right force, "
                                f"{title}:", runs[hint])
    return lines
