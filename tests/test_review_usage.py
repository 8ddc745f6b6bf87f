"""Files the review loop is pointed at by hand (newcomer s8, item 9).

A path the user typed after ``--reviews`` that does not exist was silently read as "no reviews", and ``review
import`` given a file that is no review export (a ``classify`` input) said "imported 0 ... not reviewed" and
exited 0. Both are one coded line now; the configured default reviews file may still be absent.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.cli import main
from tests.conftest import ROOT, SEEDS, one_error_line

INSPECTIONS = str(ROOT / "corpus" / "inspections")




def score_argv(out: Path, *extra: str) -> list[str]:
    return ["score", str(SEEDS["Suffolk"]), "--out", str(out), "--inspections", INSPECTIONS, "--baseline",
            "--jobs", "1", "--no-cache", "--quiet", *extra]


def test_a_reviews_file_the_user_names_must_exist(tmp_path, capsys):
    mistyped = tmp_path / "annotations" / "reviewz.jsonl"
    out = tmp_path / "scored"
    assert main(score_argv(out, "--reviews", str(mistyped))) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: E109 file not found or unreadable: {mistyped}: no such file "
        "(--reviews: reviewed labels from `review import`; '' for none)")
    assert not out.exists()  # found before any work: nothing written


def test_the_configured_reviews_file_may_be_absent_and_an_empty_path_means_none(tmp_path, capsys):
    mine = tmp_path / "mine.toml"
    mine.write_text(f'[paths]\nreviews = "{tmp_path / "no-reviews-yet.jsonl"}"\n', encoding="utf-8")
    assert main([*score_argv(tmp_path / "default"), "--config", str(mine)]) == 0
    assert main(score_argv(tmp_path / "none", "--reviews", "")) == 0
    assert "error" not in capsys.readouterr().err


def test_review_import_of_a_file_that_is_no_review_export_says_so(tmp_path, capsys):
    texts = tmp_path / "force-names.jsonl"  # a classify input: {id, text} objects
    texts.write_text('{"id": 1, "text": "Surrey Police published its policy."}\n'
                     '{"id": 2, "text": "We published our policy."}\n', encoding="utf-8")
    annotations = tmp_path / "annotations"
    assert main(["review", "import", str(texts), "--annotations", str(annotations)]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: E406 review file {texts} line 1: not a review file written by `review export` "
        "(none of passage_id, recommendation, reviewed_label, reviewer, note in any object)")
    assert not (annotations / "reviews.jsonl").exists()


def test_review_import_of_a_table_that_is_no_review_export_says_so(tmp_path, capsys):
    table = tmp_path / "forces.csv"  # a scored table, not the sheet to fill in
    table.write_text("inspection,force,completed\nactivism-impartiality-2024,Surrey Police,3\n", encoding="utf-8")
    assert main(["review", "import", str(table), "--annotations", str(tmp_path / "annotations")]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: E406 review file {table} line 1: not a review file written by `review export` "
        "(none of passage_id, recommendation, reviewed_label, reviewer, note in the header)")
