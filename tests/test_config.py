"""The one configuration: shipped defaults, a user's --config file over them, flags over both, coded errors."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline import io
from pipeline.cli import main
from pipeline.config import DEFAULTS_FILE, parse_config
from pipeline.errors import PipelineError
from tests.conftest import ROOT, SEEDS, no_reviews

DEFAULTS = (io.read_package_data(DEFAULTS_FILE), "config.toml")


def test_the_shipped_defaults_hold_every_key():
    config = parse_config([DEFAULTS])
    assert config.paths.inspections == "corpus/inspections" and config.paths.inputs == ("corpus/raw",)
    assert config.paths.metrics == "models/metrics.json"
    assert config.limits.max_pages == 300 and config.limits.max_seconds == 120.0 and config.limits.jobs == 0
    assert config.thresholds.review == 0.6
    assert config.model.training_options() == {"random_state": 0, "variant_margin": 0.0}
    assert config.model.evaluation_options() == {"random_state": 0, "resamples": 1000, "bootstrap_seed": 0,
                                                 "variant_margin": 0.0}
    assert config.golden.as_of == date(2025, 6, 1) and config.bench.seed == 2024
    assert config.collect.settings_options() == {"depth": 1, "delay": 1.0, "timeout": 30.0, "max_bytes": 25_000_000,
                                                 "retries": 3, "backoff": 2.0, "max_wait": 120.0}


def test_ingest_library_defaults_agree_with_the_shipped_limits():
    # ingest() as a library falls back to its own defaults; a user who calls it must get what `score` does
    from pipeline.ingest import DEFAULT_MAX_CHARACTERS, DEFAULT_MAX_PAGES, DEFAULT_MAX_SECONDS
    limits = parse_config([DEFAULTS]).limits
    assert (DEFAULT_MAX_PAGES, DEFAULT_MAX_SECONDS) == (limits.max_pages, limits.max_seconds)
    assert DEFAULT_MAX_CHARACTERS == limits.max_characters


def test_a_user_file_overrides_only_the_keys_it_holds():
    user = '[limits]\nmax_pages = 5\n[model]\nseed = 7\n[golden]\nas_of = "2024-01-31"\n[paths]\ninputs = ["a", "b"]\n'
    config = parse_config([DEFAULTS, (user, "mine.toml")])
    assert config.limits.max_pages == 5 and config.limits.max_seconds == 120.0
    assert config.model.training_options() == {"random_state": 7, "variant_margin": 0.0}
    assert config.model.bootstrap_resamples == 1000
    assert config.golden.as_of == date(2024, 1, 31) and config.paths.inputs == ("a", "b")
    assert config.limits.max_seconds == 120.0 and isinstance(parse_config([DEFAULTS, ("[limits]\nmax_seconds = 3", "m")])
                                                             .limits.max_seconds, float)


@pytest.mark.parametrize(("text", "code", "named"), [
    ("[limit]\nmax_pages = 5", "E430", "'limit'"),
    ("[limits]\nmax_page = 5", "E430", "'limits.max_page'"),
    ("[limits]\nmax_pages = 2.5", "E431", "'limits.max_pages' must be a whole number"),
    ("[limits]\nmax_pages = true", "E431", "'limits.max_pages' must be a whole number"),
    ("[paths]\ninputs = \"corpus/raw\"", "E431", "'paths.inputs' must be a list of text"),
    ("limits = 3", "E431", "'limits' must be a table"),
    ("[golden]\nas_of = \"1 June 2025\"", "E431", "'golden.as_of' must be a date"),
    ("[limits]\nmax_pages = 0", "E432", "'limits.max_pages' is 0, must be at least 1"),
    ("[thresholds]\nreview = 1.5", "E432", "'thresholds.review' is 1.5, must be between 0 and 1"),
    ("[paths]\ninputs = []", "E432", "'paths.inputs'"),
    ("[limits\nmax_pages = 5", "E433", "cannot be read"),
])
def test_a_bad_file_gets_a_coded_error_naming_the_file_and_the_key(text, code, named):
    with pytest.raises(PipelineError) as caught:
        parse_config([DEFAULTS, (text, "mine.toml")])
    assert caught.value.code == code
    assert "mine.toml" in caught.value.message and named in caught.value.message


def test_defaults_missing_a_key_are_refused():
    text = DEFAULTS[0].replace("max_seconds = 120.0", "")
    with pytest.raises(PipelineError) as caught:
        parse_config([(text, "config.toml")])
    assert caught.value.code == "E434" and "'limits.max_seconds'" in caught.value.message


def _shown(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_config_command_shows_the_values_in_force(tmp_path, capsys):
    mine = tmp_path / "mine.toml"
    mine.write_text("[paths]\nout = \"elsewhere\"\n", encoding="utf-8")
    assert _shown(capsys, "config", "paths.out", "limits.max_pages") == "scorecards\n300\n"
    # before or after the command
    assert _shown(capsys, "--config", str(mine), "config", "paths.out") == "elsewhere\n"
    assert _shown(capsys, "config", "paths.out", "--config", str(mine)) == "elsewhere\n"
    assert "thresholds.review = 0.6\n" in _shown(capsys, "config")


@pytest.mark.parametrize(("content", "code"), [(None, "E433"), ("[limits]\njobs = -1\n", "E432")])
def test_a_bad_config_file_is_one_line_and_exit_2(tmp_path, capsys, content, code):
    mine = tmp_path / "mine.toml"
    if content is not None:
        mine.write_text(content, encoding="utf-8")
    assert main(["--config", str(mine), "config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {code} configuration {mine}") and err.count("\n") == 1 and "Traceback" not in err


def test_the_config_file_sets_a_default_and_a_flag_overrides_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # should the file be ignored, the default paths are under tmp_path, not the tree
    mine = tmp_path / "mine.toml"
    mine.write_text(f"[thresholds]\nreview = 0.25\n[paths]\nout = \"{tmp_path / 'configured'}\"\n"
                    f"inputs = [\"{SEEDS['Gwent']}\"]\n", encoding="utf-8")
    base = ["score", "--baseline", "--inspections", str(ROOT / "corpus" / "inspections"),
            *no_reviews(tmp_path), "--quiet", "--config", str(mine)]
    assert main(base) == 0
    page = (tmp_path / "configured" / "report.html").read_text(encoding="utf-8")
    assert "below confidence <strong>0.25</strong>" in page
    assert main([*base, "--out", str(tmp_path / "flagged"), "--review-threshold", "0.9"]) == 0
    page = (tmp_path / "flagged" / "report.html").read_text(encoding="utf-8")
    assert "below confidence <strong>0.90</strong>" in page


def test_the_configured_page_limit_applies_and_the_flag_overrides_it(tmp_path, monkeypatch):
    from pipeline.ingest import ingest
    from tests.pdf_fixtures import render_seed_pdf

    pdf = tmp_path / "in" / "gwent.pdf"
    pdf.parent.mkdir()
    render_seed_pdf(ingest(io.read_source(SEEDS["Gwent"])).text, pdf)
    mine = tmp_path / "mine.toml"
    mine.write_text("[limits]\nmax_pages = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    base = ["score", str(pdf.parent), "--baseline", "--inspections", str(ROOT / "corpus" / "inspections"),
            *no_reviews(tmp_path), "--quiet", "--config", str(mine), "--no-cache"]
    assert main([*base, "--out", str(tmp_path / "limited")]) == 3  # its one PDF not scored
    assert "E107" in (tmp_path / "limited" / "errors.csv").read_text(encoding="utf-8")
    assert main([*base, "--out", str(tmp_path / "flagged"), "--max-pages", "50"]) == 0
