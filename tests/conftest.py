"""Shared fixtures: the shipped register, forces, segmenter and the seed responses, ingested for real.

No test writes into the working tree: every run's default cache folder is a
temporary one (per test, and per session for fixtures shared by a module),
and Hypothesis keeps no example database and its other files in a temporary folder.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir

from pipeline import cli, io
from pipeline.cli import load_config
from pipeline.ingest import ingest
from pipeline.nlp import make_nlp
from pipeline.segment import Segmenter, parse_segment_rules

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "corpus" / "raw"

#: The seed responses by force short name (the HMICFRS letter is not a response).
SEEDS = {
    "Gwent": RAW / "000_c5efd783d32bafbb.txt",
    "Cleveland": RAW / "001_ab4122f530438a67.txt",
    "HMICFRS letter": RAW / "002_4133dcc53e7dd621.txt",
    "Suffolk": RAW / "003_f653cdaf582a19da.txt",
    "Staffordshire": RAW / "004_a33bc431c058d8a8.txt",
}
#: The seed files as command-line arguments: scoring the folder would also score the real excerpts in corpus/raw/responses/.
SEED_PATHS = [str(path) for path in SEEDS.values()]
FORCE_RECOMMENDATIONS = ("9", "10", "12", "13", "16", "17", "18", "20", "22")

# no example database; and no per-example deadline: a deadline is a timed unit test, which fails on a loaded
# machine (CI, several jobs at once) while the behaviour is right. Speed lives in make bench.
hypothesis_settings.register_profile("suite", database=None, deadline=None)
hypothesis_settings.load_profile("suite")
# Hypothesis also caches the constants of our code, from collection on: in a folder removed at exit
_HYPOTHESIS_HOME = tempfile.TemporaryDirectory(prefix="hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME.name)


#: The shipped configuration (pipeline/data/config.toml): the limits `score` runs with unless told.
CONFIG = load_config(None)


def _with_cache(folder) -> object:
    """`load_config` whose configured cache folder (`paths.cache`, used by `score` without --cache) is ``folder``."""
    def load(path):
        config = load_config(path)
        return replace(config, paths=replace(config.paths, cache=str(folder)))
    return load


@pytest.fixture(scope="session", autouse=True)
def _no_cache_in_the_tree(tmp_path_factory):
    """`score` without --cache writes its default folder: for fixtures that outlive one test, a session folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "load_config", _with_cache(tmp_path_factory.mktemp("session-cache")))
        yield


@pytest.fixture(autouse=True)
def _cache_in_tmp_path(tmp_path, monkeypatch):
    """Each test's own default cache folder, so no test reads another's entries (a second run is warm only
    where a test makes it so)."""
    monkeypatch.setattr(cli, "load_config", _with_cache(tmp_path / "cache"))


def score_fixture_folder(root: Path, name: str, tmp_path: Path, capsys) -> tuple[int, dict, str, Path]:
    """Score the fixture of ``root/name`` (named by its expected.json) alone, as a user would: exit code, expected, stderr, out.

    Shared by the bug inputs (``tests/data/bug-inputs``) and the fault-kind inputs (``tests/data/fault-kinds``),
    whose folders have the same shape.
    """
    import json
    import shutil

    expected = json.loads((root / name / "expected.json").read_text(encoding="utf-8"))
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(root / name / expected["fixture"], folder)
    out = tmp_path / "out"
    code = cli.main(["score", str(folder), "--out", str(out), "--no-cache", "--as-of", "2026-01-01"])
    return code, expected, capsys.readouterr().err, out


def check_scored_fixture(code: int, expected: dict, stderr: str, out: Path, accepted_errors=(),
                         may_be_lost=None):
    """What every bug-input and fault-kind input must show; returns (scorecard, passages, errors), or None.

    The exit code is one ``expected`` allows, with no traceback. A document-level coded error instead of
    statuses is allowed only for a code in ``accepted_errors`` (then None). Otherwise the scorecard names the
    expected force and inspection and gives each recommendation its expected status, except that one in
    ``may_be_lost`` (number -> page-level codes) may read not_addressed when such a code says its page was lost.
    """
    import pandas as pd

    allowed = expected["exit_code"] if isinstance(expected["exit_code"], list) else [expected["exit_code"]]
    assert code in allowed, stderr
    assert "Traceback" not in stderr
    errors = pd.read_csv(out / "errors.csv", dtype={"page": "Int64"})
    document_errors = errors[errors["page"].isna()]
    if len(document_errors):
        assert set(document_errors["code"]) <= set(accepted_errors), document_errors.to_dict("records")
        assert code == 3 and stderr.strip()  # the folder's one document not scored: nothing was (E443's exit code)
        return None
    card = pd.read_csv(out / "scorecard.csv", dtype={"recommendation": str, "response_date": str})
    assert set(card["force"]) == {expected["force"]}
    assert set(card["inspection"]) == {expected["inspection"]}
    statuses = dict(zip(card["recommendation"], card["status"]))
    wanted = dict(expected["recommendations"])
    for number, codes in (may_be_lost or {}).items():
        if set(errors["code"]) & set(codes) and statuses.get(number) == "not_addressed":
            wanted[number] = "not_addressed"
    assert statuses == wanted
    passages = pd.read_csv(out / "passages.csv", dtype={"recommendations": str})
    return card, passages, errors


def strict_xfail_params(cases, known: dict[str, str]):
    """``cases`` as pytest params, those in ``known`` (name -> the fault) marked as strict xfails."""
    for name in cases:
        marks = [pytest.mark.xfail(strict=True, reason=known[name])] if name in known else []
        yield pytest.param(name, marks=marks, id=name)


def no_reviews(out) -> list[str]:
    """``score`` options that leave people's reviews out, so the statuses are the pipeline's own (``''``: none)."""
    return ["--reviews", ""]


def one_error_line(err: str) -> str:
    """The one line a CLI problem prints (asserting it is one line and no traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def snapshot(folder) -> dict[str, bytes]:
    """Every file of ``folder`` (hidden ones too: a temporary file left behind shows here) by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="session")
def inspections():
    return io.load_inspections(ROOT / "corpus" / "inspections")


@pytest.fixture(scope="session")
def inspection(inspections):
    return next(i for i in inspections if i.id == "activism-impartiality-2024")


@pytest.fixture(scope="session")
def forces():
    return io.load_forces()


@pytest.fixture(scope="session")
def nlp():
    return make_nlp()


@pytest.fixture(scope="session")
def segmenter(nlp):
    return Segmenter(parse_segment_rules(io.read_package_data("segment.toml")), nlp)


@pytest.fixture(scope="session")
def settings(inspections, forces):
    """Run settings with the shipped model, as `score` builds them."""
    from pipeline import parallel

    return parallel.make_settings(inspections, forces, io.read_package_data("segment.toml"),
                                parallel.ModelSpec.from_file(str(ROOT / "models" / "status-classifier.joblib")),
                                max_pages=CONFIG.limits.max_pages)


@pytest.fixture(scope="session")
def seed_documents():
    return {name: ingest(io.read_source(path)) for name, path in SEEDS.items()}
