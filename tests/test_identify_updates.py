"""Identify: an update's framed title names the inspection it answers, a page's header names its publisher, and a
date label later on a line dates the response (newcomer s7 items 8, 9 and 10; the rest of identify is in test_identify.py).

The inputs are written here, after the newcomer's /work/nc7/variants/e and j and /work/nc7/mixed/hertfordshire-response.pdf
(synthetic pages, made by their generator).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from pipeline import cache, io
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.identify import build_identifier, find_response_date, identify, parse_identify_rules, slug
from pipeline.ingest import ingest
from pipeline.ingest.html import read_html, read_html_page
from pipeline.types import Document, Page, SourceFile
from tests.conftest import ROOT

MANIFEST = str(ROOT / "corpus" / "manifest.csv")


@pytest.fixture(scope="module")
def identifier():
    return build_identifier(io.load_forces(), io.load_inspections(ROOT / "corpus" / "inspections"))


def text_document(text: str) -> Document:
    return Document(source="test.txt", sha256="", media_type="text", text=text, pages=(Page(1, 0, len(text)),))


def page_document(html: str, name: str = "page.html") -> Document:
    data = html.encode("utf-8")
    return ingest(SourceFile(path=name, data=data, sha256=io.sha256_bytes(data)))


def score(tmp_path: Path, files: dict[str, str]) -> pd.DataFrame:
    """``forces.csv`` of a run over ``files`` (name -> text), written to a folder of their own."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["score", str(folder), "--out", str(out), "--manifest", MANIFEST, "--as-of", "2025-12-01",
                 "--jobs", "1", "--no-cache", "--quiet", "--reviews", ""]) == 0
    return pd.read_csv(out / "forces.csv", dtype=str, keep_default_na=False)


# --- item 8: "Response to the <inspection>", "Update on the <inspection>" name that inspection -----------------------

PEEL_RESPONSE = ("{place} Police and Crime Commissioner\n{title}\nPublished on {day}\n\n"
                 "Area for improvement 1\nThe force has put a new triage process in place, launched in February 2025.\n")


@pytest.mark.parametrize("title", [
    "Response to PEEL 2023-2025 inspection of Cambridgeshire Constabulary",
    "Response to the PEEL 2023–2025 Cambridgeshire Constabulary inspection report",  # the force before "inspection"
    "Update on the PEEL 2023/25 Cambridgeshire Constabulary inspection",
    "Our update on the PEEL 2023–25 Cambridgeshire Police assessment",  # an alias of the force
])
def test_a_response_or_update_titled_after_a_peel_inspection_answers_that_inspection(identifier, title):
    found = identify(text_document(PEEL_RESPONSE.format(place="Cambridgeshire", title=title, day="6 May 2025")),
                     identifier).inspection
    assert (found.id, found.force, found.registered) == ("peel-2023-25-cambridgeshire-constabulary",
                                                         "Cambridgeshire Constabulary", False)


def test_framed_titles_of_two_forces_or_two_years_stay_two_inspections(identifier):
    def inspection_id(place: str, years: str) -> str:
        title = f"Response to the PEEL {years} {place} Constabulary inspection report"
        return identify(text_document(PEEL_RESPONSE.format(place=place, title=title, day="6 May 2025")),
                        identifier).inspection.id

    assert inspection_id("Cambridgeshire", "2023–2025") != inspection_id("Hertfordshire", "2023–2025")
    assert inspection_id("Cambridgeshire", "2023–2025") != inspection_id("Cambridgeshire", "2021/22")


@pytest.mark.parametrize("framed, plain", [
    ("Response to the Crime Data Integrity inspection report", "Crime Data Integrity inspection report"),
    ("Update on the HMICFRS inspection of custody in Surrey", "HMICFRS inspection of custody in Surrey"),
    ("Our reply to PEEL 2021/22: An inspection of Essex Police", "PEEL 2021/22: An inspection of Essex Police"),
])
def test_the_frame_of_a_response_is_no_part_of_the_inspections_id(framed, plain):
    assert slug(framed) == slug(plain)


def test_an_update_titled_after_the_inspection_supersedes_the_earlier_response(tmp_path):
    forces = score(tmp_path, {
        "cambs-peel.txt": PEEL_RESPONSE.format(place="Cambridgeshire", day="4 April 2025",
                                               title="Response to PEEL 2023-2025 inspection of Cambridgeshire Constabulary"),
        "cambs-peel-update.txt": PEEL_RESPONSE.format(
            place="Cambridgeshire", day="6 May 2025",
            title="Response to the PEEL 2023–2025 Cambridgeshire Constabulary inspection report"),
    })
    assert forces["inspection"].tolist() == ["peel-2023-25-cambridgeshire-constabulary"]
    assert Path(forces["source"].iloc[0]).name == "cambs-peel-update.txt" and forces["response_date"].iloc[0] == "2025-05-06"


# --- item 9: a force named only in a web page's header or footer -----------------------------------------------------

ACTIVISM_BODY = ("<div id=\"content\"><h1>Response to An inspection into activism and impartiality in policing</h1>"
                 "<p>The commissioner has received the following from the Chief Constable.</p>"
                 "<h2>Recommendation 9</h2><p>The force's communications policy was updated in October 2024; this is "
                 "complete.</p></div>")
PARTNERS = ("<aside><h3>Partner forces</h3><ul><li><a href=\"https://www.surrey.police.uk\">Surrey Police</a></li>"
            "<li>Surrey Police and Crime Commissioner</li></ul></aside>")


def page(header: str = "", footer: str = "", body: str = ACTIVISM_BODY, head: str = "") -> str:
    return (f"<html><head><title>Activism report response</title>{head}</head><body>"
            f"<header><p>{header}</p><nav><a href=\"/\">Home</a></nav></header>{PARTNERS}{body}"
            f"<footer><p>{footer}</p></footer></body></html>")


SUSSEX_PAGE = page("Sussex Police and Crime Commissioner", "Office of the Sussex Police and Crime Commissioner")


def test_the_html_reader_keeps_a_pages_header_and_footer_apart_as_its_site_text():
    text, site = read_html_page(SUSSEX_PAGE.encode("utf-8"))
    assert "Sussex" not in text and text == read_html(SUSSEX_PAGE.encode("utf-8"))  # chrome is still no text
    # the header's menu and the partners' aside are not the site's own words
    assert site.splitlines() == ["Sussex Police and Crime Commissioner", "Office of the Sussex Police and Crime Commissioner"]
    head = "<meta property=\"og:site_name\" content=\"Sussex PCC\"><link rel=\"canonical\" href=\"https://x.example/r\">"
    _, site = read_html_page(page(head=head).encode("utf-8"))
    assert site.splitlines() == ["Sussex PCC", "https://x.example/r"]


def test_a_force_named_only_in_a_pages_header_or_footer_is_its_publisher(identifier):
    document = page_document(SUSSEX_PAGE)
    found = identify(document, identifier)
    assert found.force.name == "Sussex Police" and "site header or footer" in found.evidence
    # the site's name or address alone names it too
    for head in ("<meta property=\"og:site_name\" content=\"Sussex Police and Crime Commissioner\">",
                 "<link rel=\"canonical\" href=\"https://www.sussex-pcc.gov.uk/news/activism-response/\">"):
        assert identify(page_document(page(head=head)), identifier).force.name == "Sussex Police"


def test_the_pages_site_text_never_overrides_a_force_its_text_names(identifier):
    body = ACTIVISM_BODY.replace("The commissioner has", "The Hampshire Police and Crime Commissioner has")
    found = identify(page_document(page("Sussex Police and Crime Commissioner", body=body)), identifier)
    assert found.force.name == "Hampshire and Isle of Wight Constabulary" and "site" not in found.evidence


def test_a_site_text_naming_two_forces_names_none(identifier):
    document = page_document(page("Sussex Police and Crime Commissioner", "In partnership with Surrey Police"))
    with pytest.raises(PipelineError) as raised:
        identify(document, identifier)
    assert raised.value.code == "E202"


def test_the_site_text_survives_the_cache():
    document = page_document(SUSSEX_PAGE)
    again = cache.parse_document(cache.dump_document("k", document), "k", document.source, document.sha256)
    assert again == document and again.site.startswith("Sussex Police and Crime Commissioner")


def test_a_page_naming_its_pcc_only_in_its_header_is_scored_not_refused(tmp_path):
    forces = score(tmp_path, {"sussex-header-name.html": SUSSEX_PAGE})
    assert forces["force"].tolist() == ["Sussex Police"]


# --- item 10: a date label later on a line ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Hertfordshire PCC response\n\nResponse to An inspection into activism and impartiality in policing. "
     "Date: 5 February 2025.\n\nRecommendation 13", date(2025, 2, 5)),
    ("Our response follows. Dated: 5 Feb. 2025. It is published in full.", date(2025, 2, 5)),
    ("Commissioner's response – Date of response: 3 January 2025", date(2025, 1, 3)),
    # a label in a sentence, another date's label, a page's update stamp, a row's cell: none is the response's date
    ("Response\n\nWe have made progress to date: 5 February 2025 saw the launch.", None),
    ("Response\n\nWe read the report. Report date: 5 February 2025.", None),
    ("Response\n\nWe welcome it. Page last updated: 5 February 2025.", None),
    ("Response\n\nRecommendation 3 | Completed | Date: 31 March 2025", None),
])
def test_a_labelled_date_later_on_a_line_is_the_responses(text, expected):
    assert find_response_date(text) == expected


def test_the_inline_date_label_is_data():
    text = io.read_package_data("identify.toml")
    assert "date_label_inline" in text
    without = parse_identify_rules("\n".join(line for line in text.splitlines() if not line.startswith("date_label_inline")))
    assert find_response_date("Response. Date: 5 February 2025.", without) is None


def test_a_page_dated_later_on_a_line_gets_its_response_date_and_the_56_day_check(tmp_path):
    html = ("<html><body><h1>Hertfordshire PCC response</h1><p>Response to An inspection into activism and "
            "impartiality in policing. Date: 5 February 2025.</p><h2>Recommendation 13</h2><p>Hertfordshire "
            "Constabulary audited all its Equality Act policies in January 2025; the audit is complete.</p></body></html>")
    forces = score(tmp_path, {"hertfordshire-response.html": html})
    assert forces["response_date"].tolist() == ["2025-02-05"]
    assert forces["published_within_56_days"].tolist() != [""]
