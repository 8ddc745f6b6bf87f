"""The register schema of issue 11: causes of concern, areas for improvement, force, source, and their checks."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from pipeline import io
from pipeline.errors import PipelineError
from pipeline.register import parse_inspection
from pipeline.types import Finding, Inspection, Recommendation

ROOT = Path(__file__).resolve().parents[1]
ACTIVISM = ROOT / "corpus" / "inspections" / "activism-impartiality-2024.toml"

PEEL = '''
id = "peel-2025-example"
title = "PEEL 2025: An inspection of an example force"
published = 2025-06-12
force = "Surrey"
source = ["https://example.org/report", "checked against the PDF"]

[[causes_of_concern]]
number = "1"
text = "The force does not answer calls quickly enough."

[[causes_of_concern]]
number = "2"
text = "The force does not supervise investigations."

[[recommendations]]
number = "1"
text = "Within three months, the force should: answer calls; triage them"
addressee = "forces"
addressed_to = "the force"
deadline_note = "Within three months"
cause_of_concern = "1"

[[recommendations]]
number = "2"
text = "Within six months, the force should review open investigations."
addressee = "forces"
addressed_to = "the force"
deadline_note = "Within six months"
cause_of_concern = "2"

[[recommendations]]
number = "3"
text = "The College of Policing should publish guidance."
addressee = "national"
addressed_to = "College of Policing"

[[areas_for_improvement]]
number = "1"
text = "The force should record equality data."

[[areas_for_improvement]]
number = "2"
text = """The force should share learning
  from complaints."""
'''

FORCE_NAMES = frozenset({"Surrey Police", "Surrey", "Gwent Police", "Gwent"})


@pytest.fixture(scope="module")
def peel() -> Inspection:
    return parse_inspection(PEEL, origin="peel.toml", force_names=FORCE_NAMES)


def test_the_shipped_register_parses_as_before():
    inspection = parse_inspection(ACTIVISM.read_text(encoding="utf-8"), origin=str(ACTIVISM))
    # the new fields are empty for a national register written before them
    assert inspection.force is None and inspection.source == ()
    assert inspection.causes_of_concern == () and inspection.areas_for_improvement == ()
    assert all(r.cause_of_concern is None for r in inspection.recommendations)
    # and the scorecard's items are its nine recommendations to forces, as before
    assert [(i.kind, i.number) for i in inspection.scorecard_items] == [
        ("recommendation", n) for n in ("9", "10", "12", "13", "16", "17", "18", "20", "22")]
    assert [r.text for r in inspection.force_recommendations] == [i.text for i in inspection.scorecard_items]


def test_records_built_the_old_way_still_work():
    """Code that builds an Inspection or Recommendation positionally, as before issue 11, still runs."""
    rec = Recommendation("1", "Do a thing.", "forces", "forces", date(2025, 1, 31))
    inspection = Inspection("demo", "Demo", date(2025, 1, 1), (), (rec,))
    assert rec.cause_of_concern is None and inspection.force is None
    assert [f.name for f in fields(Inspection)][:5] == ["id", "title", "published", "aliases", "recommendations"]


def test_a_force_register_with_every_kind_of_item(peel):
    assert peel.force == "Surrey"
    assert peel.source == ("https://example.org/report", "checked against the PDF")
    assert [c.number for c in peel.causes_of_concern] == ["1", "2"]
    assert [r.cause_of_concern for r in peel.recommendations] == ["1", "2", None]
    assert peel.cause_recommendations("2") == (peel.recommendation("2"),)
    assert peel.areas_for_improvement[1] == Finding("area_for_improvement", "2",
                                                    "The force should share learning from complaints.")
    assert peel.recommendation("1").deadline is None and peel.recommendation("1").deadline_note == "Within three months"


def test_scorecard_items_list_each_kind_with_its_number(peel):
    assert [(i.kind, i.number) for i in peel.scorecard_items] == [
        ("recommendation", "1"), ("recommendation", "2"),
        ("cause_of_concern", "1"), ("cause_of_concern", "2"),
        ("area_for_improvement", "1"), ("area_for_improvement", "2"),
    ]
    assert peel.force_recommendations == peel.recommendations[:2]  # recommendation 3 is national
    assert peel.item("cause_of_concern", "2").text == "The force does not supervise investigations."
    assert peel.item("recommendation", "3").text.startswith("The College of Policing")
    assert peel.item("area_for_improvement", "9") is None and peel.item("other", "1") is None


def test_a_register_of_areas_for_improvement_only_is_valid():
    text = 'id = "afi-only"\ntitle = "T"\npublished = 2025-01-01\n[[areas_for_improvement]]\nnumber = "1"\ntext = "Do it."\n'
    inspection = parse_inspection(text, origin="afi.toml")
    assert inspection.recommendations == () and len(inspection.scorecard_items) == 1


@pytest.mark.parametrize(
    "broken, reason",
    [
        (PEEL.replace('cause_of_concern = "2"', 'cause_of_concern = "3"'),
         "recommendation #2 (number '2'): cause_of_concern '3' is not a [[causes_of_concern]] number of this file"),
        (PEEL.replace('number = "2"\ntext = "The force does not', 'number = "1"\ntext = "The force does not'),
         "cause of concern #2 (number '1'): duplicate cause of concern number '1'"),
        (PEEL.replace('number = "2"\ntext = """The force should share', 'number = "1"\ntext = """The force should share'),
         "area for improvement #2 (number '1'): duplicate area for improvement number '1'"),
        (PEEL.replace('[[areas_for_improvement]]\nnumber = "1"', '[[areas_for_improvement]]\nnumber = 1'),
         "area for improvement #1: number must be a quoted string"),
        (PEEL.replace('text = "The force should record equality data."', 'txt = "x"'),
         "area for improvement #1 (number '1'): missing field(s) text"),
        (PEEL.replace('text = "The force does not answer calls quickly enough."',
                      'text = "x"\ngrade = "Inadequate"'), "cause of concern #1 (number '1'): unknown field(s) grade"),
        (PEEL.replace('deadline_note = "Within six months"', 'deadline_note = "Within six months"\ndeadline = 2025-12-31'),
         "recommendation #2 (number '2'): give deadline (a date) or deadline_note"),
        (PEEL.replace('force = "Surrey"', 'force = "Cumbria Constabulary Plc"'),
         "force 'Cumbria Constabulary Plc' is not a force"),
        (PEEL.replace('force = "Surrey"', "force = 3"), "force must be a non-empty string"),
        (PEEL.replace('source = ["https://example.org/report", "checked against the PDF"]', "source = 5"),
         "source must be a list of non-empty strings"),
        ('id = "x"\ntitle = "X"\npublished = 2025-01-01\n', "needs one or more [[recommendations]]"),
        (PEEL.replace("[[causes_of_concern]]\n", "[causes_of_concern]\n", 1), "not valid TOML"),
    ],
)
def test_bad_registers_get_e403_naming_the_file_and_the_item(broken, reason):
    with pytest.raises(PipelineError) as raised:
        parse_inspection(broken, origin="corpus/inspections/peel-bad.toml", force_names=FORCE_NAMES)
    assert raised.value.code == "E403"
    assert "corpus/inspections/peel-bad.toml" in raised.value.message
    assert reason in raised.value.message


def test_the_force_check_is_skipped_without_a_force_list():
    inspection = parse_inspection(PEEL.replace('force = "Surrey"', 'force = "Anywhere"'), origin="x.toml")
    assert inspection.force == "Anywhere"


def test_load_inspections_checks_force_names_against_forces_csv(tmp_path):
    good = PEEL.replace('force = "Surrey"', 'force = "Surrey Police"')
    (tmp_path / "good.toml").write_text(good, encoding="utf-8")
    assert io.load_inspections(tmp_path)[0].force == "Surrey Police"
    (tmp_path / "bad.toml").write_text(PEEL.replace('id = "peel-2025-example"', 'id = "other"')
                                       .replace('force = "Surrey"', 'force = "Surreyshire"'), encoding="utf-8")
    with pytest.raises(PipelineError) as raised:
        io.load_inspections(tmp_path)
    assert raised.value.code == "E403" and "bad.toml" in raised.value.message and "'Surreyshire'" in raised.value.message


def test_load_inspections_refuses_two_registers_with_one_id(tmp_path):
    text = ACTIVISM.read_text(encoding="utf-8")
    (tmp_path / "a.toml").write_text(text, encoding="utf-8")
    (tmp_path / "b.toml").write_text(text, encoding="utf-8")
    with pytest.raises(PipelineError) as raised:
        io.load_inspections(tmp_path)
    assert raised.value.code == "E403"
    assert "b.toml" in raised.value.message and "already used by" in raised.value.message


def test_every_shipped_register_is_valid_and_names_its_source():
    inspections = io.load_inspections(ROOT / "corpus" / "inspections")
    assert "activism-impartiality-2024" in {i.id for i in inspections}
    for inspection in inspections:
        if inspection.id != "activism-impartiality-2024":  # the first register predates `source`
            assert inspection.source, inspection.id
        assert inspection.scorecard_items or inspection.recommendations, inspection.id
