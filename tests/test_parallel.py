"""Parallel and distributed runs give the very bytes of the one-process run.

``--jobs 2`` runs two worker processes (forked on Linux; loky processes where
fork is not used, which the loky test forces); the Dask test starts a
``distributed.LocalCluster`` of two single-threaded worker processes and
points ``--backend dask --scheduler`` at it. Both are part of ``make test``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import io, parallel
from pipeline.cli import main
from tests.conftest import CONFIG, ROOT, SEEDS
from tests.pdf_fixtures import render_seed_pdf

MODEL = ROOT / "models" / "status-classifier.joblib"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The five seed texts and two of them drawn as PDFs: seven documents, one a problem (the HMICFRS letter)."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in SEEDS.values():
        shutil.copy(path, folder / path.name)
    for name in ("Suffolk", "Staffordshire"):
        render_seed_pdf(SEEDS[name].read_text(encoding="utf-8"), folder / f"{name.lower()}.pdf")
    return folder


@pytest.fixture(scope="module")
def one_process(corpus, tmp_path_factory):
    """The reference: scored in this process, without the cache."""
    out = tmp_path_factory.mktemp("jobs1")
    assert main(["score", str(corpus), "--out", str(out), "--jobs", "1", "--no-cache", "--quiet"]) == 1
    return out


def assert_same_files(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert {"scorecard.csv", "passages.csv", "forces.csv", "errors.csv"} <= set(names)
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_jobs_2_writes_byte_identical_files(corpus, one_process, tmp_path):
    stats = tmp_path / "stats.json"
    assert main(["score", str(corpus), "--out", str(tmp_path / "out"), "--jobs", "2", "--no-cache", "--quiet",
                 "--stats", str(stats)]) == 1
    report = __import__("json").loads(stats.read_text())
    # forked workers start with the context this process built: one build, not one per worker or document
    assert report["workers"] == 2 and report.get("contexts_built", 0) <= 1 and report["parsed"] == 7
    assert_same_files(one_process, tmp_path / "out")


def test_loky_workers_where_fork_is_not_used_give_the_same_files(corpus, one_process, tmp_path, monkeypatch):
    """Off Linux, workers are fresh loky processes that build their context from the pickled settings."""
    monkeypatch.setattr(parallel, "_can_fork", lambda: False)
    stats = tmp_path / "stats.json"
    assert main(["score", str(corpus), "--out", str(tmp_path / "out"), "--jobs", "2", "--no-cache", "--quiet",
                 "--stats", str(stats)]) == 1
    assert __import__("json").loads(stats.read_text())["workers"] == 2
    assert_same_files(one_process, tmp_path / "out")


def test_parallel_run_keeps_input_order_when_some_documents_come_from_the_cache(corpus, one_process, tmp_path):
    """Cached documents come out at once, in between the ones the workers are still doing: order must hold."""
    cache = tmp_path / "cache"
    files = sorted(corpus.iterdir())
    assert main(["score", *map(str, files[::2]), "--out", str(tmp_path / "part"), "--jobs", "1", "--cache", str(cache),
                 "--quiet"]) in (0, 1)
    assert main(["score", str(corpus), "--out", str(tmp_path / "out"), "--jobs", "2", "--cache", str(cache),
                 "--quiet"]) == 1
    assert_same_files(one_process, tmp_path / "out")


def test_dask_cluster_gives_the_local_scorecard(corpus, one_process, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        code = main(["score", str(corpus), "--out", str(tmp_path / "out"), "--backend", "dask",
                     "--scheduler", cluster.scheduler_address, "--cache", str(tmp_path / "cache"), "--quiet"])
    assert code == 1
    assert_same_files(one_process, tmp_path / "out")
    # the cache lives with the client: a second, local run finds everything there
    settings = parallel.make_settings(io.load_inspections(ROOT / "corpus" / "inspections"), io.load_forces(),
                                    io.read_package_data("segment.toml"), parallel.ModelSpec.from_file(str(MODEL)),
                                    max_pages=CONFIG.limits.max_pages)
    warm = parallel.run(io.discover_inputs([corpus]), settings,
                      options=parallel.RunOptions(jobs=1, cache_dir=str(tmp_path / "cache")))
    assert "parsed" not in warm.stats and warm.stats["cache_analyses_hit"] == 7


def test_dask_backend_needs_a_scheduler(corpus, tmp_path, capsys):
    assert main(["score", str(corpus), "--out", str(tmp_path / "out"), "--backend", "dask"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: E450 python -m pipeline score: --backend dask needs --scheduler") and err.count("\n") == 1


def test_an_unreachable_scheduler_is_one_coded_line(corpus, tmp_path, capsys):
    dask = pytest.importorskip("dask")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["score", str(corpus), "--out", str(tmp_path / "out"), "--backend", "dask",
                     "--scheduler", "tcp://127.0.0.1:9", "--no-cache", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "E407" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
