"""The one per-document flow (pipeline.run) and the run over many documents (pipeline.parallel): settings a worker
can rebuild its context from, the streaming run, the garbage-collector pause."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

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


def _long_response(characters: int) -> str:
    """A response whose first item's answer runs on for over ``characters`` of neutral prose, then a short last item.

    Generated like newcomer s7's 6.4 MB text (/work/nc7/long/): segment unwraps the prose into one line of the
    item's passage, longer than spaCy takes at once (``nlp.max_length``, a million characters).
    """
    head = ("Sussex Police and Crime Commissioner\nResponse to An inspection into activism and impartiality in policing\n"
            "Date: 1 March 2025\n\nRecommendation 9\nThe policy was updated in January 2025 and is complete.\n\n")
    line = "The board meets every month and reviews a wide range of measures across the force. " * 20
    body = "\n".join([line.strip()] * (characters // len(line) + 1))
    return head + body + "\n\nRecommendation 22\nStaff networks will be consulted on the new policy in summer 2025.\n"


def test_a_text_longer_than_spacy_takes_is_scored_and_so_is_the_rest_of_the_folder(settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    long = folder / "sussex-long.txt"
    long.write_text(_long_response(1_100_000), encoding="utf-8")
    shutil.copy(SEEDS["Gwent"], folder)
    paths = sorted(str(p) for p in folder.iterdir())
    report = parallel.run(paths, settings, options=parallel.RunOptions(jobs=1, cache_dir=None))
    assert report.problems == []
    assert sorted(r.source for r in report.results) == paths
    result = next(r for r in report.results if r.source == str(long))
    text = ingest.ingest(io.read_source(long)).text
    by_item = {c.passage.recommendations: c for c in result.passages}
    assert {("9",), ("22",)} <= set(by_item)
    assert len(by_item[("9",)].passage.response_text) > 1_000_000 and "\n" not in by_item[("9",)].passage.response_text
    assert by_item[("22",)].prediction.label == "planned"
    for classified in result.passages:  # offsets exact, evidence the document's own sentences
        passage = classified.passage
        assert text[passage.start:passage.end] == passage.text
        assert classified.prediction.evidence and all(s in passage.response_text for s in classified.prediction.evidence)


#: A word no response holds: the document holding it is the one a library refuses in the test below.
_REFUSED = "Zzyzxrefused"


@pytest.fixture
def spacy_refuses_one_text(monkeypatch):
    """spaCy raises, as it did on a text over its limit (E088), for any text holding :data:`_REFUSED`.

    No input left makes a stage raise once long texts are read in pieces, so the library's refusal is brought
    back for one document; the stages themselves are the real ones. Forked workers inherit the patch.
    """
    from spacy.language import Language

    real = Language.__call__

    def call(self, text, *args, **kwargs):
        if isinstance(text, str) and _REFUSED in text:
            raise ValueError("[E088] Text of length 6400055 exceeds maximum of 1000000.\nMore lines of advice.")
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(Language, "__call__", call)


@pytest.fixture
def folder_with_one_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("Gwent", "Staffordshire"):
        shutil.copy(SEEDS[name], folder)
    refused = folder / "suffolk-refused.txt"
    refused.write_text(SEEDS["Suffolk"].read_text(encoding="utf-8") + f"\n{_REFUSED} closing words.\n", encoding="utf-8")
    return folder, refused


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "forked"])
def test_a_stage_that_raises_costs_only_its_document(settings, folder_with_one_refused, spacy_refuses_one_text,
                                                      tmp_path, jobs):
    folder, refused = folder_with_one_refused
    paths = sorted(str(p) for p in folder.iterdir())
    report = parallel.run(paths, settings, options=parallel.RunOptions(jobs=jobs, cache_dir=str(tmp_path / "c")))
    assert [(p.source, p.code) for p in report.problems] == [(str(refused), "E219")]
    message = report.problems[0].message
    assert message.startswith("could not be processed: classify failed with ValueError: [E088] Text of length")
    assert "More lines" not in message and re.search(r"maximum of 1000000\. \(in pipeline/nlp\.py:\d+\); ", message)
    assert sorted(r.identification.force.short_name for r in report.results) == ["Gwent", "Staffordshire"]


def test_a_stage_that_raises_is_one_line_on_the_terminal_and_the_rest_is_written(folder_with_one_refused,
                                                                                  spacy_refuses_one_text, tmp_path,
                                                                                  capsys):
    from pipeline.cli import main

    folder, refused = folder_with_one_refused
    out = tmp_path / "out"
    assert main(["score", str(folder), "--out", str(out), "--jobs", "1", "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "E219" in line] == [
        line for line in err.splitlines() if line.startswith(str(refused))]
    assert len([line for line in err.splitlines() if "E219" in line]) == 1
    import pandas as pd

    assert set(pd.read_csv(out / "scorecard.csv")["force"]) == {"Gwent Police", "Staffordshire Police"}
    errors = pd.read_csv(out / "errors.csv")
    assert errors["code"].tolist() == ["E219"] and errors["source"].tolist() == [str(refused)]


def test_a_cached_document_over_the_runs_character_cap_is_refused_like_a_new_one(inspections, forces, tmp_path):
    """The document cache holds what a run with a higher cap read: a later run with a lower cap (and new segment
    rules, so only the document entry is used) refuses it as ingest would (E129)."""
    rules = io.read_package_data("segment.toml")
    model = parallel.ModelSpec.baseline(io.read_package_data("cues.toml"))
    options = parallel.RunOptions(jobs=1, cache_dir=str(tmp_path / "c"))
    paths = [str(SEEDS["Gwent"]), str(SEEDS["Staffordshire"])]
    first = parallel.run(paths, parallel.make_settings(inspections, forces, rules, model, 300), options=options)
    assert first.problems == []
    capped = parallel.make_settings(inspections, forces, rules + "\n# changed\n", model, 300,
                                    {"max_characters": 12_000})
    report = parallel.run(paths, capped, options=options)
    assert report.stats["cache_documents_hit"] == 2
    assert [(p.source, p.code) for p in report.problems] == [(str(SEEDS["Gwent"]), "E129")]
    assert [r.source for r in report.results] == [str(SEEDS["Staffordshire"])]


def test_a_cached_analysis_is_checked_against_the_runs_limits_both_ways(inspections, forces, tmp_path):
    """Tightening limits.max_characters, max_pages or max_seconds refuses a document whose identification and
    passages are cached (same code, registers and rules: an analysis hit) as a fresh read would (E129, E107,
    E108); loosening them again scores it as before, from the cache. The limits are not in any key: each hit is
    checked against the document's measures (characters, pages, reading seconds) kept in the entry."""
    from tests.pdf_fixtures import render_seed_pdf

    rules = io.read_package_data("segment.toml")
    model = parallel.ModelSpec.baseline(io.read_package_data("cues.toml"))
    options = parallel.RunOptions(jobs=1, cache_dir=str(tmp_path / "c"))
    pdf = render_seed_pdf(SEEDS["Suffolk"].read_text(encoding="utf-8"), tmp_path / "suffolk.pdf")
    paths = [str(SEEDS["Cleveland"]), str(pdf), str(SEEDS["Staffordshire"])]

    def run(max_pages=300, **ingest_options):
        return parallel.run(paths, parallel.make_settings(inspections, forces, rules, model, max_pages, ingest_options),
                            options=options)

    loose = run()
    assert loose.problems == [] and len(loose.results) == 3
    pages = len(ingest.ingest(io.read_source(str(pdf))).pages)
    assert pages > 1
    for limits, refused, code in (({"max_characters": 20_000}, str(SEEDS["Cleveland"]), "E129"),
                                  ({"max_pages": pages - 1}, str(pdf), "E107"),
                                  ({"max_seconds": 1e-6}, str(pdf), "E108")):  # text is read without a time cap
        tight = run(**limits)
        assert tight.stats["cache_analyses_hit"] == 3 and tight.stats.get("parsed", 0) == 0, limits  # the run is warm
        assert [(p.source, p.code) for p in tight.problems] == [(refused, code)], limits
        assert [r.source for r in tight.results] == [p for p in paths if p != refused]
    again = run()
    assert again.stats["cache_analyses_hit"] == 3 and again.stats.get("parsed", 0) == 0
    assert again.results == loose.results and again.problems == []


def test_a_document_refused_under_a_tight_limit_is_scored_once_the_limit_is_loosened(inspections, forces, tmp_path):
    """The reverse: a refusal under a limit is not cached, so a looser limit reads the document afresh."""
    rules = io.read_package_data("segment.toml")
    model = parallel.ModelSpec.baseline(io.read_package_data("cues.toml"))
    options = parallel.RunOptions(jobs=1, cache_dir=str(tmp_path / "c"))
    paths = [str(SEEDS["Gwent"])]
    tight = parallel.run(paths, parallel.make_settings(inspections, forces, rules, model, 300, {"max_characters": 12_000}),
                         options=options)
    assert [p.code for p in tight.problems] == ["E129"]
    loose = parallel.run(paths, parallel.make_settings(inspections, forces, rules, model, 300), options=options)
    assert loose.problems == [] and [r.source for r in loose.results] == paths


@pytest.fixture
def workers_killed_on(monkeypatch, tmp_path):
    """A worker process that starts reading a file named in the returned dict is killed outright with SIGKILL, as the
    out-of-memory killer kills it (name -> how many times: None for every time). The kill is real (the worker's own
    ``os.kill``, from ingest, which forked workers inherit patched); this process (the run's parent) is never killed."""
    import os
    import signal
    from pathlib import Path

    parent = os.getpid()
    kills: dict[str, int | None] = {}
    marks = tmp_path / "kills"
    marks.mkdir()
    real = ingest.ingest

    def ingest_or_die(source, **kw):
        name = Path(source.path).name
        if name in kills and os.getpid() != parent:
            done = len(list(marks.glob(f"{name}.*")))  # kills so far, counted in files: each worker is a new process
            if kills[name] is None or done < kills[name]:
                (marks / f"{name}.{done}").touch()
                os.kill(os.getpid(), signal.SIGKILL)
        return real(source, **kw)

    monkeypatch.setattr(ingest, "ingest", ingest_or_die)
    return kills


def test_a_worker_killed_by_its_document_costs_only_that_document(settings, paths, workers_killed_on):
    """``--jobs 2``: the worker reading Suffolk's response is killed each time (as by the out-of-memory killer). The
    pool breaks; the documents in flight are run again, each in a fresh process of its own, so the one whose
    process is killed again is named (E218, with the signal) and every other document is scored, in input order."""
    killer = paths[3]
    workers_killed_on[Path(killer).name] = None
    report = parallel.run(paths, settings, options=parallel.RunOptions(jobs=2, cache_dir=None))
    others = parallel.run([p for p in paths if p != killer], settings, options=parallel.RunOptions(jobs=1, cache_dir=None))
    assert [p.source for p in others.problems] == [paths[2]]  # the HMICFRS letter is no response
    assert report.problems[:1] == others.problems and [(p.source, p.code) for p in report.problems[1:]] == [(killer, "E218")]
    assert "killed by signal SIGKILL" in report.problems[1].message
    assert "the other documents are scored" in report.problems[1].message
    assert report.results == others.results and report.stats["pools_broken"] == 1


def test_a_worker_killed_once_loses_nothing(settings, paths, workers_killed_on):
    """A worker killed once (from outside: the document is not to blame) breaks the pool; every document it held in
    flight is run again, and the run is the one an undisturbed run gives."""
    workers_killed_on[Path(paths[1]).name] = 1
    report = parallel.run(paths, settings, options=parallel.RunOptions(jobs=2, cache_dir=None))
    undisturbed = parallel.run(paths, settings, options=parallel.RunOptions(jobs=1, cache_dir=None))
    assert report.stats["pools_broken"] == 1
    assert report.results == undisturbed.results and report.problems == undisturbed.problems


def test_a_killed_worker_is_one_line_and_keeps_a_previous_scorecard(workers_killed_on, tmp_path, capsys):
    """On the command line: the one document whose worker is killed is one coded line naming it, no traceback; with
    nothing else to score, the previous scorecard in --out is kept (E443)."""
    from pipeline.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS["Gwent"], folder)
    out = tmp_path / "out"
    assert main(["score", str(folder), "--out", str(out), "--jobs", "2", "--no-cache", "--baseline"]) == 0
    before = (out / "scorecard.csv").read_bytes()
    capsys.readouterr()
    workers_killed_on[SEEDS["Gwent"].name] = None
    assert main(["score", str(folder), "--out", str(out), "--jobs", "2", "--no-cache", "--baseline"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if "E218" in line]
    assert len(lines) == 1 and lines[0].startswith(str(folder / SEEDS["Gwent"].name)), err
    assert "E443" in err and (out / "scorecard.csv").read_bytes() == before
