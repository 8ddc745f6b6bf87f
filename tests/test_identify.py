"""Identify stage: force, inspection and response date of each seed document; manifests; coded errors."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from pipeline import io
from pipeline.errors import PipelineError
from pipeline.identify import (
    ManifestEntry,
    build_identifier,
    find_response_date,
    identify,
    manifest_entry_for,
    parse_manifest,
)
from pipeline.types import Document, Page

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "corpus" / "raw"
SEEDS = {
    "000": "000_c5efd783d32bafbb.txt",
    "001": "001_ab4122f530438a67.txt",
    "002": "002_4133dcc53e7dd621.txt",
    "003": "003_f653cdaf582a19da.txt",
    "004": "004_a33bc431c058d8a8.txt",
}
INSPECTION = "activism-impartiality-2024"


def make_document(text: str, source: str = "test.txt") -> Document:
    """A Document as ingest would normalise a .txt seed (enough of it for these tests)."""
    text = text.replace("\t", " | ")
    for marker in ("<p>", "</p>", "<u>", "</u>", "**", "*"):
        text = text.replace(marker, "")
    text = re.sub(r"(?m)^#+\s*", "", text)
    return Document(source=source, sha256="", media_type="text", text=text, pages=(Page(1, 0, len(text)),))


def seed(key: str) -> Document:
    path = RAW / SEEDS[key]
    return make_document(path.read_text(encoding="utf-8"), source=str(path))


@pytest.fixture(scope="module")
def identifier():
    return build_identifier(io.load_forces(), io.load_inspections(ROOT / "corpus" / "inspections"))


# --- seeds ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "key, force, response_date",
    [
        ("000", "Gwent Police", date(2024, 12, 19)),
        ("001", "Cleveland Police", None),
        ("003", "Suffolk Constabulary", date(2024, 10, 29)),
        ("004", "Staffordshire Police", None),
    ],
)
def test_seed_responses_are_identified(identifier, key, force, response_date):
    result = identify(seed(key), identifier)
    assert result.force is not None and result.force.name == force
    assert result.inspection is not None and result.inspection.id == INSPECTION
    assert result.response_date == response_date
    assert result.method == "detected"
    assert result.evidence.startswith("force: ")
    assert "inspection: " in result.evidence


def test_evidence_names_the_deciding_words(identifier):
    evidence = identify(seed("000"), identifier).evidence
    assert "'Gwent Police' ×" in evidence
    assert "activism and impartiality in policing" in evidence


def test_suffolk_passing_mention_of_norfolk_does_not_win(identifier):
    document = seed("003")
    assert "Suffolk and Norfolk's Joint Communications" in document.text
    assert identify(document, identifier).force.name == "Suffolk Constabulary"


def test_staffordshire_form_field_counts(identifier):
    assert "(form field)" in identify(seed("004"), identifier).evidence


def test_cleveland_broken_title_still_matches(identifier):
    document = seed("001")
    assert "An inspection in | nto activism and impartiality in policing" in document.text
    assert identify(document, identifier).inspection.id == INSPECTION


def test_hmicfrs_letter_before_publication_raises_e203(identifier):
    with pytest.raises(PipelineError) as raised:
        identify(seed("002"), identifier)
    assert raised.value.code == "E203"
    assert raised.value.details == {"inspection": INSPECTION, "found": "2024-01-10", "published": "2024-09-10"}


# --- response dates -------------------------------------------------------------

@pytest.mark.parametrize(
    "key, expected",
    [
        ("000", date(2024, 12, 19)),
        ("001", None),
        ("002", date(2024, 1, 10)),
        ("003", date(2024, 10, 29)),
        ("004", None),
    ],
)
def test_find_response_date_on_seeds(key, expected):
    assert find_response_date(seed(key).text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Dear X\n\nDate: 3rd March 2025\n\nText", date(2025, 3, 3)),
        ("Date | 04/02/2025", date(2025, 2, 4)),  # UK day/month order
        ("Sent on\n\n10 January 2024\n", date(2024, 1, 10)),
        ("Address\n\nThursday 19 December 2024\n\nDear Home Secretary", date(2024, 12, 19)),
        ("Address\n\nDecember 19, 2024\n", date(2024, 12, 19)),
        ("Dated 2025-01-31", date(2025, 1, 31)),
        ("Published Date | 10 th September 2024", None),
        ("Date Inspection Published - 10 September 2024", None),
        ("Published\n10 September 2024", None),
        ("Version Dec 2024", None),
        ("By 31 March 2025, forces should act.", None),
        ("31 February 2025", None),
    ],
)
def test_find_response_date_rules(text, expected):
    assert find_response_date(text) == expected


# --- failures -------------------------------------------------------------------

def test_document_naming_no_force_raises_e202(identifier):
    document = make_document(
        "12 November 2024\n\nResponse to An inspection into activism and impartiality in policing\n\n"
        "The force has updated its policy on visible representations."
    )
    with pytest.raises(PipelineError) as raised:
        identify(document, identifier)
    assert raised.value.code == "E202"


def test_bare_neighbour_place_name_is_not_enough(identifier):
    document = make_document(
        "Response to the activism and impartiality in policing inspection.\n\n"
        "Like colleagues in Norfolk, we have reviewed our policy."
    )
    with pytest.raises(PipelineError) as raised:
        identify(document, identifier)
    assert raised.value.code == "E202"


def test_document_naming_no_inspection_raises_e201(identifier):
    document = make_document("Gwent Police\n\nWe have updated our custody procedures this year.")
    with pytest.raises(PipelineError) as raised:
        identify(document, identifier)
    assert raised.value.code == "E201"
    # the message says how to name one
    assert "manifest" in raised.value.message and "file,force,inspection" in raised.value.message


def test_acronyms_match_case_sensitively(identifier):
    text = "Response on activism and impartiality in policing.\n\n{}\n\nWe wrote to MPs about it."
    assert identify(make_document(text.format("GMP has reviewed its policy.")), identifier).force.name == (
        "Greater Manchester Police"
    )
    with pytest.raises(PipelineError) as raised:
        identify(make_document(text.format("gmp has reviewed its policy.")), identifier)
    assert raised.value.code == "E202"


def test_name_broken_across_lines_still_matches(identifier):
    document = make_document("activism and impartiality in policing\n\nPolice and Crime\nCommissioner for Kent")
    assert identify(document, identifier).force.name == "Kent Police"


# --- manifest -------------------------------------------------------------------

def test_manifest_overrides_force_and_inspection(identifier):
    entry = ManifestEntry(file="x.txt", force="the Met", inspection=INSPECTION)
    result = identify(seed("000"), identifier, entry)
    assert result.force.name == "Metropolitan Police Service"
    assert result.inspection.id == INSPECTION
    assert result.method == "manifest"
    assert "manifest" in result.evidence
    assert result.response_date == date(2024, 12, 19)


def test_manifest_gives_the_force_a_document_does_not_name(identifier):
    document = make_document("12 November 2024\n\nOn activism and impartiality in policing: our update.")
    result = identify(document, identifier, ManifestEntry(file="x.txt", force="Suffolk Constabulary"))
    assert result.force.name == "Suffolk Constabulary"
    assert result.inspection.id == INSPECTION
    assert result.method == "manifest"


def test_manifest_with_blank_cells_leaves_detection_alone(identifier):
    result = identify(seed("003"), identifier, ManifestEntry(file="x.txt"))
    assert result.force.name == "Suffolk Constabulary"
    assert result.method == "detected"


def test_unknown_manifest_force_raises_e204(identifier):
    with pytest.raises(PipelineError) as raised:
        identify(seed("000"), identifier, ManifestEntry(file="x.txt", force="Gotham City Police"))
    assert raised.value.code == "E204"
    assert raised.value.details == {"what": "force", "value": "Gotham City Police"}


def test_unknown_manifest_inspection_raises_e204(identifier):
    with pytest.raises(PipelineError) as raised:
        identify(seed("000"), identifier, ManifestEntry(file="x.txt", inspection="peel-2099"))
    assert raised.value.code == "E204"
    assert raised.value.details == {"what": "inspection", "value": "peel-2099"}


def test_parse_manifest():
    manifest = parse_manifest(
        "file,force,inspection\n"
        "corpus/raw/000_c5efd783d32bafbb.txt,Gwent PCC,activism-impartiality-2024\n"
        "letter.pdf,,\n"
        "\n"
        "other/report.pdf,Kent Police,\n",
        origin="corpus/manifest.csv",
    )
    assert manifest["corpus/raw/000_c5efd783d32bafbb.txt"] == ManifestEntry(
        "corpus/raw/000_c5efd783d32bafbb.txt", "Gwent PCC", INSPECTION
    )
    assert manifest["letter.pdf"] == ManifestEntry("letter.pdf", None, None)
    assert manifest_entry_for(manifest, "corpus/raw/000_c5efd783d32bafbb.txt").force == "Gwent PCC"
    assert manifest_entry_for(manifest, "/data/corpus/raw/000_c5efd783d32bafbb.txt").force == "Gwent PCC"
    assert manifest_entry_for(manifest, "inbox/letter.pdf").file == "letter.pdf"
    assert manifest_entry_for(manifest, "elsewhere/report.pdf").force == "Kent Police"  # unique basename
    assert manifest_entry_for(manifest, "missing.pdf") is None


@pytest.mark.parametrize(
    "text, reason",
    [
        ("path,force,inspection\na.pdf,,\n", "header must be file,force,inspection"),
        ("", "header must be file,force,inspection"),
        ("file,force,inspection\na.pdf,Kent Police\n", "line 2: expected 3 cells"),
        ("file,force,inspection\n,Kent Police,\n", "line 2: empty file cell"),
        ("file,force,inspection\na.pdf,,\na.pdf,Kent Police,\n", "line 3: file 'a.pdf' listed twice"),
    ],
)
def test_bad_manifest_raises_e401(text, reason):
    with pytest.raises(PipelineError) as raised:
        parse_manifest(text, origin="corpus/manifest.csv")
    assert raised.value.code == "E401"
    assert "corpus/manifest.csv" in raised.value.message
    assert reason in raised.value.message


def test_resolve_force_accepts_any_listed_name(identifier):
    for name in ("Gwent Police", "gwent pcc", "Police and Crime Commissioner for Gwent", "Gwent", "Heddlu Gwent"):
        assert identifier.resolve_force(name).name == "Gwent Police"
    assert identifier.resolve_force("Nowhere Police") is None
