"""One document answering two inspections in parts: each part read against its own inspection (newcomer s8, item 4).

identify finds the parts (``Identification.sections``: character ranges and the inspection each heading names),
segment cuts each part against its own inspection, and score gives each inspection its own rows and passages.
A report named only in passing (a sentence, a list of sources) leaves the document one inspection's.
Fixtures: ``tests/data/multinsp/`` (see its README.md), written for these tests.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import main
from pipeline.identify import ManifestEntry, build_identifier, identify
from pipeline.segment import segment_identified
from tests.conftest import ROOT, no_reviews
from tests.test_identify import make_document

DATA = ROOT / "tests" / "data" / "multinsp"
ACTIVISM, VAWG = "activism-impartiality-2024", "vawg-interim-2021"


@pytest.fixture(scope="module")
def identifier():
    return build_identifier(io.load_forces(), io.load_inspections(ROOT / "corpus" / "inspections"))


def _document(name: str):
    return make_document((DATA / name).read_text(encoding="utf-8"), source=name)


def test_a_document_in_two_parts_has_a_section_per_inspection_covering_its_text(identifier):
    document = _document("two-parts.txt")
    found = identify(document, identifier)
    assert [s.inspection.id for s in found.sections] == [ACTIVISM, VAWG]
    first, second = found.sections
    part_2 = document.text.index("Part 2:")
    # the first part holds the letterhead and introduction; the second opens at its own heading
    assert (first.start, first.end, second.start, second.end) == (0, part_2, part_2, len(document.text))
    assert second.heading.startswith("Part 2:")
    assert found.inspection.id == ACTIVISM  # the first part's
    assert VAWG in found.evidence and "2 parts" in found.evidence


def test_headings_that_are_each_reports_title_alone_also_make_parts(identifier):
    document = _document("title-headings.txt")
    found = identify(document, identifier)
    assert [s.inspection.id for s in found.sections] == [ACTIVISM, VAWG]
    assert found.sections[1].start == document.text.index("Response to the Interim report")


@pytest.mark.parametrize("heading", ["Part 2: Progress Report: what we have done", "Part 2: Summary of the HMICFRS report",
                                     "Section 2 – Next steps", "Part 2: Recommendations for chief constables"])
def test_a_parts_own_heading_naming_no_report_makes_no_part(identifier, heading):
    text = (DATA / "two-parts.txt").read_text(encoding="utf-8")
    text = text.replace(next(line for line in text.splitlines() if line.startswith("Part 2:")), heading)
    found = identify(make_document(text), identifier)
    assert found.sections == () and found.inspection.id == ACTIVISM


def test_a_part_may_answer_an_inspection_no_register_holds_its_title_on_the_next_line(identifier):
    document = _document("unregistered-part.txt")
    found = identify(document, identifier)
    assert [s.inspection.id for s in found.sections] == [ACTIVISM, "peel-2023-25-hertfordshire-constabulary"]
    assert not found.sections[1].inspection.registered
    assert found.sections[1].start == document.text.index("Part 2")


def test_a_manifest_naming_the_inspection_keeps_the_document_whole(identifier):
    found = identify(_document("two-parts.txt"), identifier, ManifestEntry(file="two-parts.txt", inspection=VAWG))
    assert found.sections == () and found.inspection.id == VAWG


def test_a_report_named_in_passing_or_in_a_list_of_sources_makes_no_part(identifier):
    found = identify(_document("passing-mention.txt"), identifier)
    assert found.sections == ()
    assert found.inspection.id == ACTIVISM


def test_each_part_is_segmented_against_its_own_inspection_with_file_offsets(identifier, segmenter):
    document = _document("two-parts.txt")
    passages = segment_identified(document, identify(document, identifier), segmenter)
    numbered = {(p.recommendations, p.start) for p in passages if p.link == "numbered"}
    starts = [i for i in range(len(document.text)) if document.text.startswith("Recommendation ", i)]
    assert numbered == {(("9",), starts[0]), (("12",), starts[1]), (("2",), starts[2])}
    for p in passages:
        assert p.text == document.text[p.start:p.end]
        assert "Part 2" not in p.text  # no part runs into the next one's heading


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """``score`` the two fixtures a user would keep in one folder, as a user would, with the shipped model."""
    inputs = tmp_path_factory.mktemp("multinsp-inputs")
    for name in ("two-parts.txt", "passing-mention.txt", "unregistered-part.txt"):
        shutil.copy(DATA / name, inputs / name)
    out = tmp_path_factory.mktemp("multinsp-out")
    assert _score(inputs, out, "--no-cache") == 0
    return out


def _score(inputs, out, *extra: str) -> int:
    return main(["score", str(inputs), "--out", str(out), "--inspections", str(ROOT / "corpus" / "inspections"),
                 "--model", str(ROOT / "models" / "status-classifier.joblib"), *no_reviews(out),
                 "--as-of", "2025-06-01", *extra])


def _read(out, name: str) -> pd.DataFrame:
    return pd.read_csv(out / name, dtype=str, keep_default_na=False)


def test_the_second_parts_answer_is_its_own_inspections_row_and_passage(scored):
    passages = _read(scored, "passages.csv")
    parts = passages[passages["source"].str.endswith("two-parts.txt") & (passages["link"] == "numbered")]
    assert sorted(zip(parts["inspection"], parts["recommendations"])) == [(ACTIVISM, "12"), (ACTIVISM, "9"), (VAWG, "2")]
    assert not parts["text"].str.contains("Part 2").any()
    card = _read(scored, "scorecard.csv")
    vawg = card[(card["inspection"] == VAWG) & (card["force"] == "Bedfordshire Police")]
    assert list(vawg["recommendation"]) == ["2"]
    assert vawg.iloc[0]["basis"] == "model" and "perpetrators" in vawg.iloc[0]["evidence"]
    activism = card[(card["inspection"] == ACTIVISM) & (card["force"] == "Bedfordshire Police")]
    assert "perpetrators" not in " ".join(activism["evidence"])
    forces = _read(scored, "forces.csv")
    assert set(forces.loc[forces["force"] == "Bedfordshire Police", "inspection"]) == {ACTIVISM, VAWG}


def test_an_unregistered_parts_items_are_its_own_rows(scored):
    card = _read(scored, "scorecard.csv")
    peel = card[card["inspection"] == "peel-2023-25-hertfordshire-constabulary"]
    assert sorted(zip(peel["item_kind"], peel["recommendation"], peel["register"])) == [
        ("area_for_improvement", "1", "none"), ("area_for_improvement", "2", "none")]
    passages = _read(scored, "passages.csv")
    ours = passages[passages["source"].str.endswith("unregistered-part.txt")]
    assert set(zip(ours["inspection"], ours["item_kind"])) == {
        (ACTIVISM, "recommendation"), ("peel-2023-25-hertfordshire-constabulary", "area_for_improvement")}


def test_a_passing_mention_keeps_every_passage_under_the_one_inspection(scored):
    passages = _read(scored, "passages.csv")
    mention = passages[passages["source"].str.endswith("passing-mention.txt")]
    assert len(mention) and set(mention["inspection"]) == {ACTIVISM}


def test_the_parts_come_back_from_the_cache_as_they_were_found(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(DATA / "two-parts.txt", inputs / "two-parts.txt")
    assert _score(inputs, tmp_path / "cold") == 0
    assert _score(inputs, tmp_path / "warm") == 0  # the analysis (sections and passages) read from the cache
    for name in ("passages.csv", "scorecard.csv", "forces.csv"):
        assert (tmp_path / "cold" / name).read_bytes() == (tmp_path / "warm" / name).read_bytes(), name
    assert VAWG in set(_read(tmp_path / "warm", "passages.csv")["inspection"])
