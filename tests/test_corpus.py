"""The real corpus: provenance, reserved forces and labels (issue 12).

``corpus/raw/responses/`` holds real response excerpts (immutable input) and
``sources.csv`` their provenance; ``corpus/annotations/real.jsonl`` the
adjudicated labels; ``corpus/annotations/batches/`` the material of each
annotation batch. Each check is a function returning the problems it finds, run
on the shipped corpus (no problems) and on a damaged copy (the problem is found),
so none of them can pass vacuously.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.types import LABELS
from tests.conftest import ROOT

CORPUS = ROOT / "corpus"
RESPONSES = CORPUS / "raw" / "responses"
SOURCES = RESPONSES / "sources.csv"
REAL = CORPUS / "annotations" / "real.jsonl"
BATCHES = CORPUS / "annotations" / "batches"
FORCES_CSV = ROOT / "pipeline" / "data" / "forces.csv"

#: The provenance columns, in order: the first ten are those of the `collect` command.
COLUMNS = ["url", "file", "sha256", "content_type", "fetched_at", "last_modified", "etag", "status", "reason",
           "force", "inspection", "inspection_year", "doc_kind", "publisher", "response_date", "origin"]
DOC_KINDS = {"pcc-letter", "force-update", "panel-paper", "web-page"}
ORIGINS = {"shared-corpus", "gathered"}


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _forces() -> list[dict]:
    return _rows(FORCES_CSV)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def reserved_names(path: Path = CORPUS / "reserved-forces.txt") -> set[str]:
    """Every spelling (name, short name, aliases, lower case) of the forces listed in ``path``."""
    reserved = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")}
    names = set()
    for force in _forces():
        if force["short_name"] in reserved:
            names |= {force["name"], force["short_name"], *filter(None, force["aliases"].split(";"))}
    return {n.strip().lower() for n in names}


def reserved_slugs(path: Path = CORPUS / "reserved-forces.txt") -> set[str]:
    reserved = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")}
    return {_slug(name) for name in reserved}


def _file_slug(name: str) -> str:
    """``greater-manchester-a018.txt`` -> ``greater-manchester`` (the force part of a response file name)."""
    return re.sub(r"-[a-z]?\d+\.txt$", "", name)


def source_problems(folder: Path) -> list[str]:
    """Files without exactly one provenance row, rows without a file, wrong hashes or values."""
    problems = []
    rows = _rows(folder / "sources.csv")
    with open(folder / "sources.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    if header != COLUMNS:
        problems.append(f"sources.csv columns {header}")
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != "sources.csv")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["file"]] = counts.get(row["file"], 0) + 1
    for name in files:
        if counts.get(name, 0) != 1:
            problems.append(f"{name}: {counts.get(name, 0)} rows in sources.csv")
    official = {f["name"] for f in _forces()}
    for row in rows:
        path = folder / row["file"]
        if not path.is_file():
            problems.append(f"{row['file']}: row without a file")
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != row["sha256"]:
            problems.append(f"{row['file']}: sha256 does not match the file")
        if row["force"] not in official:
            problems.append(f"{row['file']}: force '{row['force']}' is not a name in forces.csv")
        if row["doc_kind"] not in DOC_KINDS or row["origin"] not in ORIGINS:
            problems.append(f"{row['file']}: doc_kind '{row['doc_kind']}' / origin '{row['origin']}'")
        if (row["content_type"], row["status"]) != ("text/plain", "new") or not row["url"].startswith("http"):
            problems.append(f"{row['file']}: content_type/status/url")
        if not row["inspection"].strip() or not row["publisher"].strip():
            problems.append(f"{row['file']}: no inspection or publisher")
    return problems


def reserved_problems(sources: Path, annotations: Path, reserved: Path = CORPUS / "reserved-forces.txt") -> list[str]:
    """Any reserved force named as the force of a source, a labelled record or a batch file."""
    names, slugs = reserved_names(reserved), reserved_slugs(reserved)
    problems = []
    for row in _rows(sources):
        if row["force"].lower() in names or _file_slug(row["file"]) in slugs:
            problems.append(f"sources.csv: {row['file']} ({row['force']})")
    for path in sorted(annotations.rglob("*.jsonl")):
        for record in _jsonl(path):
            if str(record.get("force", "")).lower() in names or _file_slug(Path(str(record.get("file", ""))).name) in slugs:
                problems.append(f"{path.name}: {record.get('id')} ({record.get('force')})")
    for path in sorted(annotations.rglob("files.txt")):
        for name in path.read_text(encoding="utf-8").split():
            if _file_slug(name) in slugs:
                problems.append(f"{path.parent.name}/files.txt: {name}")
    return problems


def text_problems(records: list[dict], root: Path) -> list[str]:
    """Records whose label is not one of the four or whose text (each " ... " fragment) is not in the source."""
    problems = []
    for record in records:
        if record["label"] not in LABELS:
            problems.append(f"{record['id']}: label '{record['label']}'")
        source = root / record["source"]
        if not source.is_file():
            problems.append(f"{record['id']}: no source file {record['source']}")
            continue
        text = source.read_text(encoding="utf-8")
        for fragment in record["text"].split(" ... "):
            if not fragment.strip() or fragment not in text:
                problems.append(f"{record['id']}: fragment not in {record['source']}: {fragment[:60]!r}")
    return problems


def batch_problems(batches: Path, sources: Path) -> list[str]:
    """Batch lists naming a file that is not gathered, or a file in two batches."""
    origin = {row["file"]: row["origin"] for row in _rows(sources)}
    seen: dict[str, str] = {}
    problems = []
    for path in sorted(batches.glob("*/files.txt")):
        for name in path.read_text(encoding="utf-8").split():
            if origin.get(name) != "gathered":
                problems.append(f"{path.parent.name}: {name} is not a gathered file in sources.csv")
            if name in seen:
                problems.append(f"{name} in {seen[name]} and {path.parent.name}")
            seen[name] = path.parent.name
    return problems


# --- the shipped corpus ---------------------------------------------------------------

def test_every_response_file_has_one_provenance_row_with_its_sha256():
    assert source_problems(RESPONSES) == []


def test_shared_corpus_is_imported_whole():
    rows = [r for r in _rows(SOURCES) if r["origin"] == "shared-corpus"]
    assert len(rows) == 106
    assert len({r["force"] for r in rows}) == 23


def test_no_reserved_force_in_sources_labels_or_batches():
    assert len(reserved_slugs()) == 17
    assert all(name in {f["short_name"] for f in _forces()} for name in
               (line for line in (CORPUS / "reserved-forces.txt").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")))
    assert reserved_problems(SOURCES, CORPUS / "annotations") == []


def test_real_labels_are_one_of_four_and_quote_their_source():
    records = _jsonl(REAL)
    assert len(records) >= 120
    assert text_problems(records, ROOT) == []
    assert all(r["synthetic"] is False and r["source"].startswith("corpus/raw/responses/") for r in records)
    assert len({r["id"] for r in records}) == len(records)


def test_batches_list_gathered_files_once():
    assert batch_problems(BATCHES, SOURCES) == []
    assert (BATCHES / "shared" / "README.md").is_file()


def test_annotation_loader_accepts_the_real_labels():
    from pipeline.model.data import load_annotations as _annotations

    records = _annotations(str(CORPUS / "annotations"))
    real_ids = {r["id"] for r in _jsonl(REAL)}
    assert real_ids <= {r["id"] for r in records}


# --- the checks find what they are for -------------------------------------------------

@pytest.fixture()
def copy(tmp_path):
    folder = tmp_path / "responses"
    shutil.copytree(RESPONSES, folder)
    return folder


def test_a_changed_or_unlisted_file_is_found(copy):
    first = _rows(copy / "sources.csv")[0]["file"]
    (copy / first).write_bytes((copy / first).read_bytes() + b" ")
    (copy / "sussex-x999.txt").write_text("an excerpt nobody recorded", encoding="utf-8")
    problems = source_problems(copy)
    assert f"{first}: sha256 does not match the file" in problems
    assert "sussex-x999.txt: 0 rows in sources.csv" in problems


def test_a_reserved_force_is_found_by_name_alias_or_file_name(copy, tmp_path):
    rows = _rows(copy / "sources.csv")
    rows[0]["force"] = "Kent Police"
    rows[1]["file"] = "north-yorkshire-g001.txt"
    with open(copy / "sources.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    annotations = tmp_path / "annotations"
    (annotations / "batches" / "batch-99").mkdir(parents=True)
    (annotations / "batches" / "batch-99" / "a.jsonl").write_text(
        json.dumps({"id": "x#1", "force": "Cumbria PFCC", "label": "planned"}) + "\n", encoding="utf-8")
    (annotations / "batches" / "batch-99" / "files.txt").write_text("thames-valley-g002.txt\n", encoding="utf-8")
    found = reserved_problems(copy / "sources.csv", annotations)
    assert len(found) == 4, found


def test_a_label_outside_the_four_or_a_text_not_in_its_source_is_found():
    record = dict(_jsonl(REAL)[0])
    wrong_label = {**record, "label": "done"}
    edited_text = {**record, "text": record["text"] + " ... and every action is finished"}
    assert [p.split(":")[0] for p in text_problems([wrong_label, edited_text], ROOT)] == [record["id"]] * 2
