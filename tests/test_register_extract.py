"""``register extract``: HMICFRS reports (drawn PDFs, a publication page) -> registers, word for word."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipeline import io
from pipeline.errors import PipelineError
from pipeline.ingest import ingest
from pipeline.register import parse_inspection
from pipeline.register.extract import extract_register, parse_rules, render_register
from pipeline.types import Document, Inspection, Page, SourceFile
from tests.register_fixtures import (
    HTML_REGISTER,
    PEEL_FORCE,
    PEEL_REGISTER,
    draw_peel_pdf,
    draw_thematic_pdf,
    write_publication_html,
)

ROOT = Path(__file__).resolve().parents[1]
ACTIVISM = ROOT / "corpus" / "inspections" / "activism-impartiality-2024.toml"


@pytest.fixture(scope="module")
def rules():
    return parse_rules(io.read_package_data("register.toml"))


@pytest.fixture(scope="module")
def shipped() -> Inspection:
    return parse_inspection(ACTIVISM.read_text(encoding="utf-8"), origin=str(ACTIVISM))


@pytest.fixture(scope="module")
def reports(tmp_path_factory, shipped) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    return {
        "thematic": draw_thematic_pdf(shipped, folder / "activism.pdf"),
        "peel": draw_peel_pdf(PEEL_REGISTER, folder / "peel.pdf", "Surrey Police"),
        "html": write_publication_html(HTML_REGISTER, folder / "custody.html"),
    }


def _document(path: Path) -> Document:
    return ingest(io.read_source(path))


def _force(short_name: str):
    return next(f for f in io.load_forces() if f.short_name == short_name)


def _pages_spanned(document: Document, text: str) -> set[int]:
    """The pages the last printing of ``text`` (its box, after the summary) runs over, line breaks and bullets aside."""
    import re

    pattern = r"(?:\s|- )+".join(re.escape(word) for word in text.split())
    last = list(re.finditer(pattern, document.text))[-1]
    return {document.page_at(last.start()), document.page_at(last.end() - 1)}


# --- the shipped register, drawn as a national thematic, comes back --------------

def test_the_activism_report_extracts_back_to_the_shipped_register(reports, rules, shipped):
    extracted = extract_register(_document(reports["thematic"]), shipped.id, rules, source=("activism.pdf",))
    # aliases and source are not printed in a report: the rest is the register, field for field
    assert dataclasses.replace(extracted, aliases=shipped.aliases, source=()) == shipped
    assert extracted.aliases == (shipped.title,) and extracted.source == ("activism.pdf",)


def test_the_drawn_thematic_has_the_layouts_extraction_must_survive(reports, shipped):
    """Guard that the round trip above is not vacuous: repeats, bullets and a box broken across pages are there."""
    document = _document(reports["thematic"])
    flat = " ".join(document.text.split())
    assert len(document.pages) >= 10
    for rec in shipped.recommendations:  # the summary and the box: every item printed twice
        assert flat.count(rec.text[:80]) == 2, rec.number
    assert "\n- the dress code for those attending;" in document.text
    broken = [r.number for r in shipped.recommendations if len(_pages_spanned(document, r.text)) == 2]
    assert broken, "no recommendation box runs across a page break"


def test_every_field_of_every_recommendation_matches(reports, rules, shipped):
    extracted = extract_register(_document(reports["thematic"]), shipped.id, rules)
    for got, want in zip(extracted.recommendations, shipped.recommendations, strict=True):
        assert got.text == want.text, got.number
        assert (got.addressee, got.addressed_to, got.deadline, got.deadline_note) == (
            want.addressee, want.addressed_to, want.deadline, want.deadline_note), got.number


# --- a force's PEEL report -------------------------------------------------------

def test_a_peel_report_gives_its_causes_recommendations_and_afis(reports, rules):
    document = _document(reports["peel"])
    extracted = extract_register(document, PEEL_REGISTER.id, rules, force=_force(PEEL_FORCE), force_label=PEEL_FORCE)
    assert extracted == dataclasses.replace(PEEL_REGISTER, source=())
    # the causes are printed twice (summary and section), the bullets bare: "; " is put back between them
    assert " ".join(document.text.split()).count(PEEL_REGISTER.causes_of_concern[0].text) == 2
    assert "- use a structured triage tool for every call\n" in document.text


def test_a_peel_report_read_as_national_names_forces_not_the_force(reports, rules):
    extracted = extract_register(_document(reports["peel"]), "x", rules)
    assert extracted.force is None
    assert {r.addressed_to for r in extracted.recommendations} == {"forces"}
    assert {r.addressee for r in extracted.recommendations} == {"forces"}


# --- the publication page ---------------------------------------------------------

def test_the_publication_page_gives_its_register(reports, rules):
    document = _document(reports["html"])
    assert document.media_type == "html"
    assert extract_register(document, HTML_REGISTER.id, rules) == HTML_REGISTER


def test_the_written_register_is_checked_like_a_hand_written_one(reports, rules, tmp_path):
    for name, force in (("thematic", None), ("peel", PEEL_FORCE), ("html", None)):
        extracted = extract_register(_document(reports[name]), f"example-{name}", rules,
                                     force=_force(force) if force else None, source=(f"https://example.org/{name}",))
        text = render_register(extracted, origin=reports[name].name)
        assert text.startswith("# Inspection register written by `python -m pipeline register extract`")
        path = tmp_path / f"example-{name}.toml"
        path.write_text(text, encoding="utf-8")
        assert parse_inspection(text, origin=str(path), force_names=io.force_names()) == extracted
    assert len(io.load_inspections(tmp_path)) == 3


# --- fields read from a recommendation's words -----------------------------------

def _html(body: str, published: str = "<p>Published on: 3 March 2025</p>") -> SourceFile:
    data = f"<html><body><main><h1>An example inspection of something</h1>{published}{body}</main></body></html>".encode()
    return SourceFile("report.html", data, io.sha256_bytes(data))


def _box(label: str, *paragraphs: str) -> str:
    return f"<div class='box'><h3>{label}</h3>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div><p>We found more.</p>"


@pytest.mark.parametrize("text, addressee, addressed_to, deadline, note", [
    ("By 31 March 2025, chief constables should review their policies.", "forces", "chief constables", date(2025, 3, 31), ""),
    ("By 1 October 2025, all forces should publish data. The Home Office should fund it.",
     "forces", "forces; Home Office", date(2025, 10, 1), ""),
    ("By 31 July 2025, the Home Office and the College of Policing should agree a plan.",
     "national", "Home Office; College of Policing", date(2025, 7, 31), ""),
    ("Within six months of the guidance being published, forces should adopt it.",
     "forces", "forces", None, "Within six months of the guidance being published"),
    ("Immediately, the National Police Chiefs' Council, working with forces, should set a standard.",
     "national", "National Police Chiefs' Council", None, "Immediately"),
    ("The Association of Police and Crime Commissioners should write guidance. It should publish it.",
     "national", "Association of Police and Crime Commissioners", None, ""),
])
def test_addressee_and_deadline_come_from_the_wording(rules, text, addressee, addressed_to, deadline, note):
    extracted = extract_register(ingest(_html(_box("Recommendation 1", text))), "x", rules)
    rec = extracted.recommendation("1")
    assert (rec.text, rec.addressee, rec.addressed_to, rec.deadline, rec.deadline_note) == (
        text, addressee, addressed_to, deadline, note)


def test_a_box_split_by_a_running_header_the_reader_kept_reads_as_one(rules):
    """Two pages (too few for ingest to call a line a running header): the extraction drops them itself."""
    page1 = ("An example inspection of something\n\nPublished: 3 March 2025\n\nRecommendation 1\n\n"
             "By 31 March 2025, chief constables should make sure that every\n\nExample inspection\n\n1\n\n")
    page2 = ("Example inspection\n\n2\n\nofficer is trained.\n\nRecommendation 2\n\n"
             "The College of Policing should publish guidance.\n\nWe found more.\n\nExample inspection\n\n3")
    text = page1 + page2
    document = Document("report.pdf", "0" * 64, "pdf", text,
                        (Page(1, 0, len(page1)), Page(2, len(page1), len(text))))
    extracted = extract_register(document, "x", rules)
    assert [r.text for r in extracted.recommendations] == [
        "By 31 March 2025, chief constables should make sure that every officer is trained.",
        "The College of Policing should publish guidance."]


def test_an_item_under_a_plural_heading_one_per_bullet(rules):
    body = ("<h3>Areas for improvement</h3><ul><li>The force should improve its call handling.</li>"
            "<li>The force should record equality data.</li></ul><h2>Next section</h2><p>Text.</p>")
    extracted = extract_register(ingest(_html(body)), "x", rules)
    assert [(a.number, a.text) for a in extracted.areas_for_improvement] == [
        ("1", "The force should improve its call handling."), ("2", "The force should record equality data.")]


def test_a_plural_heading_over_an_introduction_is_no_item(rules):
    body = ("<h2>Recommendations</h2><p>We make two recommendations, set out below.</p>"
            "<h2>Causes of concern</h2><p>We found one cause of concern.</p>"
            + _box("Recommendation 1", "By 31 March 2025, chief constables should review their policies.")
            + _box("Cause of concern", "The force does not record crime accurately."))
    extracted = extract_register(ingest(_html(body)), "x", rules)
    assert [r.text for r in extracted.recommendations] == ["By 31 March 2025, chief constables should review their policies."]
    assert [c.text for c in extracted.causes_of_concern] == ["The force does not record crime accurately."]


# --- bad reports get the register's coded errors -----------------------------------

def test_an_item_worded_two_ways_is_e411(rules):
    body = (_box("Recommendation 1", "By 31 March 2025, forces should do one thing.")
            + _box("Recommendation 1", "By 31 March 2025, forces should do another thing."))
    with pytest.raises(PipelineError) as raised:
        extract_register(ingest(_html(body)), "x", rules)
    assert raised.value.code == "E411" and "recommendation 1" in raised.value.message


def test_a_page_without_items_is_e410(rules):
    with pytest.raises(PipelineError) as raised:
        extract_register(ingest(_html("<p>Forces should do better.</p>")), "x", rules)
    assert raised.value.code == "E410" and "report.html" in raised.value.message


def test_no_publication_date_is_e412_unless_given(rules):
    source = _html(_box("Recommendation 1", "Forces should do better."), published="")
    with pytest.raises(PipelineError) as raised:
        extract_register(ingest(source), "x", rules)
    assert raised.value.code == "E412" and "--published" in raised.value.message
    assert extract_register(ingest(source), "x", rules, published=date(2025, 1, 2)).published == date(2025, 1, 2)


def test_a_recommendation_that_tells_no_body_to_act_is_e413(rules):
    with pytest.raises(PipelineError) as raised:
        extract_register(ingest(_html(_box("Recommendation 1", "Better training for everyone."))), "x", rules)
    assert raised.value.code == "E413" and "recommendation 1" in raised.value.message


def test_broken_rules_are_e410(tmp_path):
    with pytest.raises(PipelineError) as raised:
        parse_rules("[labels]\nrecommendation = '('\n", origin="rules.toml")
    assert raised.value.code == "E410" and "rules.toml" in raised.value.message


# --- the command line -----------------------------------------------------------------

def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "register", "extract", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def test_cli_writes_a_register_the_pipeline_loads(reports, tmp_path, shipped):
    out = tmp_path / "inspections" / "activism-impartiality-2024.toml"
    done = _cli(reports["thematic"], "--id", shipped.id, "--out", out, "--source", "https://example.org/activism")
    assert done.returncode == 0, done.stderr
    assert "22 recommendations (9 to forces)" in done.stdout and done.stderr == ""
    [loaded] = io.load_inspections(out.parent)
    assert dataclasses.replace(loaded, aliases=shipped.aliases, source=()) == shipped
    assert loaded.source == ("https://example.org/activism",)


def test_cli_force_report(reports, tmp_path):
    out = tmp_path / "peel.toml"
    done = _cli(reports["peel"], "--id", PEEL_REGISTER.id, "--out", out, "--force", PEEL_FORCE)
    assert done.returncode == 0, done.stderr
    assert "2 causes of concern, 3 areas for improvement" in done.stdout
    parsed = parse_inspection(out.read_text(encoding="utf-8"), origin=str(out))
    assert dataclasses.replace(parsed, source=()) == PEEL_REGISTER


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("make, args, code, exit_code", [
    (lambda d: d / "missing.pdf", ["--id", "x"], "E109", 2),  # a missing input is a usage error, as everywhere
    (lambda d: _write(d / "empty.pdf", ""), ["--id", "x"], "E101", 1),
    (lambda d: _write(d / "page.html", "<p>No items here.</p>"), ["--id", "x"], "E410", 1),
    (lambda d: d / "activism.pdf", ["--id", "Not An Id"], "E414", 1),
    (lambda d: d / "activism.pdf", ["--id", "x", "--force", "Atlantis"], "E415", 2),
])
def test_cli_errors_are_one_coded_line_and_write_nothing(reports, tmp_path, make, args, code, exit_code):
    (tmp_path / "activism.pdf").write_bytes(reports["thematic"].read_bytes())
    out = tmp_path / "out.toml"
    out.write_text("# a previous register stays as it was\n", encoding="utf-8")
    done = _cli(make(tmp_path), *args, "--out", out)
    assert done.returncode == exit_code
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and code in lines[0] and "Traceback" not in done.stderr
    assert out.read_text(encoding="utf-8") == "# a previous register stays as it was\n"


def test_cli_usage_errors_exit_2(tmp_path):
    done = _cli(tmp_path / "r.pdf", "--id", "x", "--out", tmp_path / "r.txt")
    assert done.returncode == 2 and "E440 --out" in done.stderr and "ending in .toml" in done.stderr
    done = _cli(tmp_path / "r.pdf", "--out", tmp_path / "r.toml")
    assert done.returncode == 2 and "--id" in done.stderr


# --- a panel's or committee's paper about a report is no report either (newcomer s6 item 9) ----------------------

# after /work/nc6/regx/hampshire-panel-paper.txt: the paper quotes the items beside the force's progress
PAPER_ITEMS = ("\n\nRecommendation 1\nBy 31 March 2025, chief constables should make sure that their force reviews hate "
               "incidents.\nUpdate: a weekly review meeting is in place.\n")


@pytest.mark.parametrize("first_lines, said", [
    ("Police and Crime Panel, 14 March 2025\nAgenda item 6: progress against HMICFRS recommendations",
     "Police and Crime Panel, 14 March 2025"),
    ("Agenda item 6: progress against HMICFRS recommendations\nReport of the Chief Executive",
     "Agenda item 6: progress against HMICFRS recommendations"),
    ("Progress against HMICFRS recommendations\nReport of the Chief Executive", "Report of the Chief Executive"),
    ("Joint Audit Committee\nHMICFRS inspection update", "Joint Audit Committee"),
])
def test_a_panel_or_committee_paper_is_refused_with_e416_naming_why(rules, tmp_path, first_lines, said):
    paper = _write(tmp_path / "panel-paper.txt", first_lines + PAPER_ITEMS)
    with pytest.raises(PipelineError) as raised:
        extract_register(_document(paper), "x", rules, published=date(2025, 3, 14))
    assert raised.value.code == "E416"
    assert f"a panel's or committee's paper about one (its first lines say '{said}')" in raised.value.message


def test_the_cli_refuses_a_panel_paper_and_writes_nothing(tmp_path):
    paper = _write(tmp_path / "hampshire-panel-paper.txt",
                   "Police and Crime Panel, 14 March 2025\nReport of the Chief Executive" + PAPER_ITEMS)
    out = tmp_path / "h.toml"
    done = _cli(paper, "--id", "hants-test2", "--out", out, "--published", "2025-03-14")
    assert done.returncode == 1 and not out.exists()
    assert done.stderr.strip().splitlines() == [
        f"error: E416 {paper}: not an inspectorate report but a panel's or committee's paper about one (its first "
        "lines say 'Police and Crime Panel, 14 March 2025'): extract the register from the HMICFRS report itself"]


def test_a_report_whose_items_follow_a_plain_title_is_still_read(rules, tmp_path):
    report = _write(tmp_path / "report.txt", "An inspection of hate incident recording\nPublished 10 September 2024"
                    + PAPER_ITEMS.replace("Update: a weekly review meeting is in place.\n", ""))
    extracted = extract_register(_document(report), "x", rules, published=date(2024, 9, 10))
    assert [r.number for r in extracted.recommendations] == ["1"]
