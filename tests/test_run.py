"""The one per-document flow (pipeline.run) and the run over many documents (pipeline.parallel): settings a worker
can rebuild its context from, the streaming run, the garbage-collector pause."""

from __future__ import annotations

import shutil

import pytest

from pipeline import ingest, io, parallel
from pipeline.errors import PipelineError
from pipeline.types import DocumentResult, Problem
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def paths():
    return [str(p) for p in SEEDS.values()]


def test_run_keeps_input_order_and_counts_each_stage(settings, paths):
    report = parallel.run(paths, settings, options=parallel.RunOptions(jobs=1, cache_dir=None))
    assert [r.source for r in report.results] == [p for p in paths if "002_" not in p]  # input order
    assert [p.source for p in report.problems] == [p for p in paths if "002_" in p]
    stats = report.stats
    assert (stats["scored"], stats["problems"], stats["parsed"], stats["analysed"]) == (4, 1, 5, 4)
    assert stats["passages_classified"] == sum(len(r.passages) for r in report.results)
    assert all(stats[f"{stage}_seconds"] > 0 for stage in ("ingest", "identify", "segment", "classify"))


def test_outcomes_stream_one_document_at_a_time(settings, paths, monkeypatch):
    calls = []
    real = ingest.ingest
    monkeypatch.setattr(ingest, "ingest", lambda source, **kw: calls.append(source.path) or real(source, **kw))
    outcomes = parallel.iter_outcomes(paths, settings, options=parallel.RunOptions(jobs=1, cache_dir=None))
    first = next(outcomes)
    assert isinstance(first, DocumentResult) and calls == paths[:1]  # nothing read ahead in-process
    rest = list(outcomes)
    assert len(rest) == 4 and isinstance(rest[1], Problem) and len(calls) == 5


def test_default_jobs_stay_in_process_for_a_few_documents(settings, paths):
    report = parallel.run(paths, settings, options=parallel.RunOptions(cache_dir=None))
    assert report.stats["workers"] == 1 and report.stats.get("contexts_built", 0) <= 1


def test_context_is_built_once_per_settings(settings):
    first, _ = parallel.context_for(settings)
    again, built = parallel.context_for(settings)
    assert again is first and not built


def test_context_model_reads_with_the_runs_one_spacy_pipeline(settings, seed_documents):
    """The model's cue engine is built with the context, on the pipeline identify and segment use (one
    spaCy pipeline a run, not two), and classifies the seed passages as a model loaded alone does."""
    from pipeline.classify import classify_passages, sentence_nlp
    from pipeline.identify import identify
    from pipeline.segment import segment

    context, _ = parallel.context_for(settings)
    shared = context.identifier.nlp
    assert context.segmenter.nlp is shared and sentence_nlp(context.model) is shared
    alone = settings.model.load()  # its engine is built on first use, with a pipeline of its own
    passages = []
    for document in seed_documents.values():
        try:
            found = identify(document, context.identifier, None)
        except PipelineError:
            continue  # the HMICFRS letter is no response
        passages += segment(document, found.inspection, context.segmenter, found.force)
    assert len(passages) > 20
    assert classify_passages(passages, context.model) == classify_passages(passages, alone)
    from pipeline.model.features import steps_of

    memoised = [s for s in steps_of(context.model, object) if "_count_vocab" in vars(s)]
    assert len(memoised) == 1 and memoised[0].analyzer == "char_wb"  # and classified as the plain model does
    assert sentence_nlp(alone) is not shared


def test_worker_refuses_model_bytes_that_are_not_the_checked_ones(settings):
    tampered = parallel.ModelSpec("joblib", settings.model.data + b"x", settings.model.sha256)
    with pytest.raises(PipelineError) as error:
        tampered.load()
    assert error.value.code == "E301"


def test_baseline_spec_loads_the_cue_rules():
    spec = parallel.ModelSpec.baseline(io.read_package_data("cues.toml"))
    assert spec.sha256.startswith("baseline:") and hasattr(spec.load(), "predict_proba")


def test_a_missing_file_is_a_problem_not_a_crash(settings, tmp_path):
    report = parallel.run([str(tmp_path / "gone.txt")], settings,
                          options=parallel.RunOptions(jobs=1, cache_dir=str(tmp_path / "c")))
    assert [p.code for p in report.problems] == ["E109"]


def test_unknown_backend_is_refused(settings, paths):
    with pytest.raises(ValueError):
        parallel.run(paths, settings, options=parallel.RunOptions(backend="spark"))


def test_no_progress_bar_when_stderr_is_not_a_terminal(settings, paths, capsys):
    parallel.run(paths, settings, options=parallel.RunOptions(jobs=1, cache_dir=None, progress=True))
    assert capsys.readouterr().err == ""


def test_manifest_entry_is_part_of_the_analysis_key(settings, tmp_path, inspections):
    from pipeline.identify import parse_manifest

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS["Gwent"], folder / "gwent.txt")
    options = parallel.RunOptions(jobs=1, cache_dir=str(tmp_path / "cache"))
    plain = parallel.run([str(folder / "gwent.txt")], settings, options=options)
    manifest = parse_manifest("file,force,inspection\ngwent.txt,Cleveland Police,\n", origin="m.csv")
    forced = parallel.run([str(folder / "gwent.txt")], settings, manifest, options=options)
    assert plain.results[0].identification.force.short_name == "Gwent"
    assert forced.results[0].identification.force.short_name == "Cleveland"
    assert forced.stats["cache_documents_hit"] == 1 and "parsed" not in forced.stats


def test_a_model_in_memory_can_be_sent_to_workers_too(settings):
    model = settings.model.load()
    spec = parallel.ModelSpec.from_object(model)
    texts = ["The policy was updated in March and is now in place.", "We will review the guidance next year."]
    assert spec.kind == "joblib" and (spec.load().predict_proba(texts) == model.predict_proba(texts)).all()


def test_the_collector_is_off_only_while_a_document_is_parsed(settings, paths, monkeypatch):
    import gc

    seen = []
    real = ingest.ingest
    monkeypatch.setattr(ingest, "ingest", lambda source, **kw: seen.append(gc.isenabled()) or real(source, **kw))
    assert gc.isenabled()
    parallel.run(paths, settings, options=parallel.RunOptions(jobs=1, cache_dir=None))
    assert seen == [False] * len(paths) and gc.isenabled()


def test_a_context_is_built_with_the_collector_off_and_frozen_before_it_is_back_on(settings, monkeypatch):
    """Building imports scikit-learn and spaCy: no collector pass during it, nor one right after over all it made."""
    import gc
    from dataclasses import replace

    seen, passes = [], []
    real = parallel.build_context
    monkeypatch.setattr(parallel, "build_context", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    fresh = replace(settings, key=settings.key + "-fresh")
    frozen = gc.get_freeze_count()

    def count(phase, info):
        if phase == "stop":
            passes.append(info["generation"])

    gc.callbacks.append(count)
    try:
        _, built = parallel.context_for(fresh)
    finally:
        gc.callbacks.remove(count)
        parallel._CONTEXTS.pop(fresh.key, None)
    assert built and seen == [False] and gc.isenabled()
    assert passes == [] and gc.get_freeze_count() > frozen


def test_overlapping_pauses_leave_the_collector_as_they_found_it():
    import gc
    import threading

    pause = parallel._CollectorPause()
    inside, release = threading.Barrier(3), threading.Event()

    def parse():
        with pause:
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=parse) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert not gc.isenabled()  # both threads are inside
    release.set()
    for t in threads:
        t.join()
    assert gc.isenabled()
    gc.disable()
    try:
        with pause:
            pass
        assert not gc.isenabled()  # a collector switched off by the caller stays off
    finally:
        gc.enable()
