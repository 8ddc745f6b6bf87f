"""The extraction cache: unchanged files are never parsed twice, and the cache is never trusted blindly.

Runs go through :func:`pipeline.parallel.run` in this process (``jobs=1``) with
a cache folder under ``tmp_path``; its counters say how many files were
parsed, and a counting wrapper around ``pipeline.ingest.ingest`` checks them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline import cache, ingest, io, parallel
from pipeline.cli import main
from pipeline.errors import PipelineError
from tests.conftest import ROOT, SEEDS
from tests.pdf_fixtures import render_seed_pdf


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    """A seed response drawn as a real PDF (with its ruled table), made once."""
    folder = tmp_path_factory.mktemp("pdf")
    return render_seed_pdf(SEEDS["Suffolk"].read_text(encoding="utf-8"), folder / "suffolk.pdf")


@pytest.fixture
def corpus(tmp_path, pdf):
    """The five seeds (one is the HMICFRS letter: a problem) and one PDF, copied where a test may change them."""
    folder = tmp_path / "in"
    folder.mkdir()
    for path in SEEDS.values():
        shutil.copy(path, folder / path.name)
    shutil.copy(pdf, folder / "suffolk.pdf")
    return folder


@pytest.fixture
def ingest_calls(monkeypatch):
    """Count the calls of ``pipeline.ingest.ingest`` by file name (the flow looks it up per call)."""
    calls: list[str] = []
    real = ingest.ingest

    def counting(source, **kwargs):
        calls.append(Path(source.path).name)
        return real(source, **kwargs)

    monkeypatch.setattr(ingest, "ingest", counting)
    return calls


def score(folder: Path, settings, cache_dir: Path | None):
    paths = io.discover_inputs([folder])
    return parallel.run(paths, settings, options=parallel.RunOptions(jobs=1, cache_dir=str(cache_dir) if cache_dir else None))


def entries(cache_dir: Path, kind: str) -> list[Path]:
    return sorted((cache_dir / f"v{cache.FORMAT}" / kind).rglob("*.json"))


def test_second_run_parses_nothing_and_gives_the_same_results(corpus, settings, tmp_path, ingest_calls):
    cold = score(corpus, settings, tmp_path / "cache")
    assert cold.stats["parsed"] == 6 and len(ingest_calls) == 6
    assert len(cold.problems) == 1 and cold.problems[0].code == "E203"
    ingest_calls.clear()

    warm = score(corpus, settings, tmp_path / "cache")
    assert ingest_calls == [] and "parsed" not in warm.stats
    assert warm.stats["cache_analyses_hit"] == 6 and warm.stats["cache_predictions_hit"] == 5
    assert warm.stats["workers"] == 0  # nothing to do: no context built, no worker started
    assert warm.results == cold.results and warm.problems == cold.problems


def test_changing_one_file_reparses_that_file_only(corpus, settings, tmp_path, ingest_calls):
    score(corpus, settings, tmp_path / "cache")
    ingest_calls.clear()
    gwent = corpus / SEEDS["Gwent"].name
    gwent.write_text(gwent.read_text(encoding="utf-8") + "\nThe force will publish a further update in June 2025.\n",
                     encoding="utf-8")
    (corpus / "suffolk-copy.pdf").write_bytes((corpus / "suffolk.pdf").read_bytes())  # same bytes, new name

    again = score(corpus, settings, tmp_path / "cache")
    assert ingest_calls == [gwent.name]
    assert again.stats["parsed"] == 1
    copy = next(r for r in again.results if r.source.endswith("suffolk-copy.pdf"))
    assert all(c.passage.source == copy.source for c in copy.passages)  # restored under its own path


def test_cli_warm_run_writes_byte_identical_outputs(corpus, tmp_path):
    common = ["--cache", str(tmp_path / "cache"), "--jobs", "1", "--quiet"]
    assert main(["score", str(corpus), "--out", str(tmp_path / "cold"), *common, "--stats", str(tmp_path / "cold.json")]) == 1
    assert main(["score", str(corpus), "--out", str(tmp_path / "warm"), *common, "--stats", str(tmp_path / "warm.json")]) == 1
    assert json.loads((tmp_path / "warm.json").read_text())["cache_analyses_hit"] == 6
    for name in ("scorecard.csv", "passages.csv", "forces.csv", "errors.csv"):
        assert (tmp_path / "cold" / name).read_bytes() == (tmp_path / "warm" / name).read_bytes(), name


def test_entries_are_json_and_hold_no_path(corpus, settings, tmp_path):
    score(corpus, settings, tmp_path / "cache")
    assert (tmp_path / "cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    documents = entries(tmp_path / "cache", "documents")
    assert len(documents) == 6 and len(entries(tmp_path / "cache", "analyses")) == 6
    for path in documents:
        obj = json.loads(path.read_text(encoding="utf-8"))
        assert obj["key"] == path.stem and "source" not in obj and str(corpus) not in path.read_text(encoding="utf-8")


def entry_path(cache_dir: Path, settings, result, kind: str) -> Path:
    """Where the cache keeps ``kind`` for a scored document (no manifest entry)."""
    doc = cache.document_key(result.sha256, result.source, settings.fingerprints.ingest)
    analysis = cache.analysis_key(doc, settings.fingerprints.analysis, None, None)
    key = {"documents": doc, "analyses": analysis,
           "predictions": cache.predictions_key(analysis, settings.fingerprints.classify)}[kind]
    return cache_dir / cache.entry_relpath(kind, key)


@pytest.mark.parametrize("kinds", [("analyses",), ("analyses", "documents"), ("predictions",)])
@pytest.mark.parametrize("damage", ["garbage", "empty", "wrong key", "bad shape"])
def test_a_corrupt_entry_is_rebuilt_never_fatal(corpus, settings, tmp_path, ingest_calls, kinds, damage):
    cold = score(corpus, settings, tmp_path / "cache")
    suffolk = next(r for r in cold.results if r.source.endswith("suffolk.pdf"))
    for kind in kinds:
        path = entry_path(tmp_path / "cache", settings, suffolk, kind)
        obj = json.loads(path.read_text(encoding="utf-8"))
        bad_shape = {"documents": {"pages": [["x"]]}, "analyses": {"passages": [{"id": 1}]},
                     "predictions": {"predictions": [{}]}}[kind]
        path.write_text({"garbage": "{not json", "empty": "", "wrong key": json.dumps({**obj, "key": "0" * 64}),
                         "bad shape": json.dumps({**obj, **bad_shape})}[damage], encoding="utf-8")
    ingest_calls.clear()

    rebuilt = score(corpus, settings, tmp_path / "cache")
    assert rebuilt.results == cold.results and rebuilt.problems == cold.problems
    assert ingest_calls == (["suffolk.pdf"] if "documents" in kinds else [])
    assert sum(v for k, v in rebuilt.stats.items() if k.endswith("_corrupt")) == len(kinds)

    ingest_calls.clear()
    third = score(corpus, settings, tmp_path / "cache")  # the rebuilt entries were written back
    assert ingest_calls == [] and not any(k.endswith(("_corrupt", "_miss")) for k in third.stats)


def test_cache_clear_empties_it(corpus, settings, tmp_path, ingest_calls, capsys):
    folder = tmp_path / "cache"
    score(corpus, settings, folder)
    assert main(["cache", "clear", "--cache", str(folder)]) == 0
    assert "17 entries deleted" in capsys.readouterr().out  # 6 documents, 6 analyses (one a problem), 5 predictions
    assert not any(p.is_file() for p in folder.rglob("*"))
    ingest_calls.clear()
    assert score(corpus, settings, folder).stats["parsed"] == 6 and len(ingest_calls) == 6
    assert main(["cache", "clear", "--cache", str(tmp_path / "never-made")]) == 0


def test_cache_clear_refuses_a_folder_that_is_not_a_cache(tmp_path, capsys):
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "thesis.txt").write_text("years of work")
    (folder / "v1").mkdir()
    (folder / "v1" / "notes.txt").write_text("more work")
    assert main(["cache", "clear", "--cache", str(folder)]) == 2
    assert "not a scorecards cache" in capsys.readouterr().err
    assert (folder / "thesis.txt").exists() and (folder / "v1" / "notes.txt").exists()


def test_a_stage_code_change_misses(corpus, inspections, forces, settings, tmp_path, monkeypatch, ingest_calls):
    score(corpus, settings, tmp_path / "cache")
    real = io.read_package_sources

    def edited(name: str) -> dict[str, bytes]:
        sources = real(name)
        if name == "ingest":  # a file added to the package later, which no list names
            sources["ingest/docx.py"] = b"STAGE_VERSION = 2\n"
        return sources

    monkeypatch.setattr(io, "read_package_sources", edited)
    bumped = parallel.make_settings(inspections, forces, io.read_package_data("segment.toml"), settings.model,
                                    max_pages=settings.max_pages)
    assert bumped.fingerprints.ingest != settings.fingerprints.ingest
    assert bumped.fingerprints.analysis != settings.fingerprints.analysis  # built on the ingest fingerprint
    ingest_calls.clear()
    assert score(corpus, bumped, tmp_path / "cache").stats["parsed"] == 6 and len(ingest_calls) == 6


def test_a_stage_package_is_read_whole():
    for name in ("ingest", "segment"):
        on_disk = sorted(str(p.relative_to(ROOT / "pipeline")) for p in (ROOT / "pipeline" / name).rglob("*.py"))
        assert sorted(io.read_package_sources(name)) == on_disk and len(on_disk) > 1
    assert list(io.read_package_sources("identify")) == ["identify.py"]


def test_a_rules_or_register_change_resegments_without_reparsing(corpus, inspections, forces, settings, tmp_path, ingest_calls):
    cold = score(corpus, settings, tmp_path / "cache")
    rules = io.read_package_data("segment.toml") + "\n# a comment is a change too\n"
    changed = parallel.make_settings(inspections, forces, rules, settings.model, max_pages=settings.max_pages)
    assert changed.fingerprints.ingest == settings.fingerprints.ingest
    ingest_calls.clear()
    again = score(corpus, changed, tmp_path / "cache")
    assert ingest_calls == [] and again.stats["analysed"] == 5 and again.stats["cache_documents_hit"] == 6
    assert again.results == cold.results


def test_a_retrained_model_reclassifies_from_the_cache(corpus, inspections, forces, settings, tmp_path, ingest_calls):
    cold = score(corpus, settings, tmp_path / "cache")
    baseline = parallel.make_settings(inspections, forces, io.read_package_data("segment.toml"),
                                    parallel.ModelSpec.baseline(io.read_package_data("cues.toml")), max_pages=settings.max_pages)
    ingest_calls.clear()
    other = score(corpus, baseline, tmp_path / "cache")
    assert ingest_calls == [] and "analysed" not in other.stats
    assert other.stats["cache_predictions_miss"] == 5 and other.stats["passages_classified"] > 0
    assert [c.prediction for r in other.results for c in r.passages] != [c.prediction for r in cold.results for c in r.passages]
    assert [c.passage for r in other.results for c in r.passages] == [c.passage for r in cold.results for c in r.passages]


def test_no_cache_reads_and_writes_nothing(corpus, settings, tmp_path, ingest_calls):
    score(corpus, settings, None)
    score(corpus, settings, None)
    assert len(ingest_calls) == 12


def test_failures_of_the_bytes_are_cached_a_time_limit_is_not(tmp_path, settings, monkeypatch, ingest_calls):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "slow.txt").write_text("Anything at all.", encoding="utf-8")
    real = ingest.ingest

    def slow(source, **kwargs):
        if source.path.endswith("slow.txt"):
            raise PipelineError("E108", seconds=1)
        return real(source, **kwargs)

    monkeypatch.setattr(ingest, "ingest", slow)
    first = score(folder, settings, tmp_path / "cache")
    assert sorted(p.code for p in first.problems) == ["E101", "E108"]
    second = score(folder, settings, tmp_path / "cache")
    assert second.problems == first.problems
    assert second.stats["parsed"] == 1 and second.stats["cache_documents_hit"] == 1  # E101 cached, E108 tried again


def test_a_cached_document_over_the_page_limit_is_refused(corpus, inspections, forces, settings, tmp_path):
    score(corpus, settings, tmp_path / "cache")
    strict = parallel.make_settings(inspections, forces, io.read_package_data("segment.toml"), settings.model, max_pages=1)
    # the analysis entry is the same (max_pages is not in its key): drop them so the documents are looked at
    for path in entries(tmp_path / "cache", "analyses"):
        path.unlink()
    run = score(corpus, strict, tmp_path / "cache")
    assert [p.code for p in run.problems if p.source.endswith(".pdf")] == ["E107"]


def test_parse_functions_reject_what_they_did_not_write():
    assert cache.parse_document(None, "k", "a.txt", "s") is None
    assert cache.parse_document("[1, 2]", "k", "a.txt", "s") is None
    assert cache.parse_document(json.dumps({"format": cache.FORMAT, "kind": "documents", "key": "k", "media_type": "text",
                                            "text": "abc", "pages": [[1, 0, 99]]}), "k", "a.txt", "s") is None
    assert cache.parse_predictions(json.dumps({"format": cache.FORMAT, "kind": "predictions", "key": "k",
                                               "predictions": []}), "k", 1) is None
    assert cache.parse_analysis('{"format": 1, "kind": "analyses", "key": "k", "identification": {"force": "Nowhere"}}',
                                "k", "a.txt", "s", (), ()) is None


def test_keys_follow_content_suffix_and_fingerprint():
    a = cache.document_key("0" * 64, "x/a.txt", "fp")
    assert a == cache.document_key("0" * 64, "y/b.TXT", "fp")  # content, not name
    assert a != cache.document_key("0" * 64, "x/a.md", "fp")  # another reader
    assert a != cache.document_key("0" * 64, "x/a.txt", "fp2")
    assert cache.analysis_key(a, "fp", None, None) != cache.analysis_key(a, "fp", "Gwent", None)
    assert cache.entry_relpath("documents", a) == f"v{cache.FORMAT}/documents/{a[:2]}/{a}.json"


def test_settings_are_picklable_and_keyed_by_content(settings, inspections, forces):
    import pickle

    rules = io.read_package_data("segment.toml")
    one, two = (parallel.make_settings(inspections, forces, rules, settings.model, max_pages=settings.max_pages)
                for _ in range(2))
    assert one.key == two.key and pickle.loads(pickle.dumps(one)) == one
    assert parallel.make_settings(inspections, forces, rules, settings.model, max_pages=5).key != one.key


def test_page_level_problems_and_ocr_pages_survive_the_cache(tmp_path, settings, ingest_calls):
    """A page read by OCR and a page lost to a malformed object: the same after a warm run (documents and analyses)."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "bug-inputs" / "01-cid-glyphs" / "cid-glyphs.pdf", folder)
    from tests.test_ingest_faults import _three_page_pdf

    path = _three_page_pdf(folder / "three.pdf", heading=(
        "Office of the Police and Crime Commissioner for Dorset", "Dorset Police", "2 December 2024",
        "Response to An inspection into activism and impartiality in policing"))
    drawn = b"(Recommendation 10 is planned.) Tj"
    path.write_bytes(path.read_bytes().replace(drawn, b"<</Lang @pgfcolorspaces>>".ljust(len(drawn))))
    cold = score(folder, settings, tmp_path / "cache")
    ingest_calls.clear()
    warm = score(folder, settings, tmp_path / "cache")  # from the analyses entries
    assert ingest_calls == [] and warm.results == cold.results
    problems = {Path(r.source).name: [(p.code, p.page) for p in r.problems] for r in warm.results}
    assert problems == {"cid-glyphs.pdf": [], "three.pdf": [("E111", 2)]}
    # the documents entries too: a register change re-segments from the cached documents
    key = cache.document_key(io.read_source(folder / "cid-glyphs.pdf").sha256, "cid-glyphs.pdf", settings.fingerprints.ingest)
    document = cache.parse_document(io.read_cache_entry(str(tmp_path / "cache"), cache.entry_relpath("documents", key)),
                                    key, "cid-glyphs.pdf", "sha")
    assert document.pages[0].ocr and document.pages[0].confidence > 0.7 and document.is_ocr(0)
    key = cache.document_key(io.read_source(path).sha256, "three.pdf", settings.fingerprints.ingest)
    document = cache.parse_document(io.read_cache_entry(str(tmp_path / "cache"), cache.entry_relpath("documents", key)),
                                    key, "three.pdf", "sha")
    assert [(p.code, p.page) for p in document.problems] == [("E111", 2)]


def test_a_note_without_a_page_survives_the_cache():
    """A file whose name lies (HTML named .pdf) is read with a note (E120, no page): the cached document keeps it."""
    data = b"<!DOCTYPE html><html><body><p>Recommendation 22. The panel will decide in April.</p></body></html>"
    from pipeline.types import SourceFile

    source = SourceFile("reply.pdf", data, io.sha256_bytes(data))
    document = ingest.ingest(source)
    key = cache.document_key(source.sha256, source.path, "fingerprint")
    back = cache.parse_document(cache.dump_document(key, document), key, source.path, source.sha256)
    assert back is not None and back.problems == document.problems
    assert [(p.code, p.page) for p in back.problems] == [("E120", None)]
