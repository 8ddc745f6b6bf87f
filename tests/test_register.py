"""The inspection register (corpus/inspections/*.toml) and the force list (pipeline/data/forces.csv)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline import io
from pipeline.errors import PipelineError
from pipeline.identify import parse_forces
from pipeline.register import parse_inspection

ROOT = Path(__file__).resolve().parents[1]
REGISTER = ROOT / "corpus" / "inspections" / "activism-impartiality-2024.toml"
FORCE_NUMBERS = ("9", "10", "12", "13", "16", "17", "18", "20", "22")

MINIMAL = """
id = "example-2025"
title = "An example inspection"
published = 2025-01-15
aliases = ["example inspection"]

[[recommendations]]
number = "1"
text = "By 31 March 2025, forces should do one thing."
addressee = "forces"
addressed_to = "forces"
deadline = 2025-03-31

[[recommendations]]
number = "2"
text = "The College of Policing should do another."
addressee = "national"
addressed_to = "College of Policing"
"""


@pytest.fixture(scope="module")
def inspection():
    return parse_inspection(REGISTER.read_text(encoding="utf-8"), origin=str(REGISTER))


def test_register_header(inspection):
    assert inspection.id == "activism-impartiality-2024"
    assert inspection.title == "An inspection into activism and impartiality in policing"
    assert inspection.published == date(2024, 9, 10)
    assert "activism and impartiality in policing" in inspection.aliases


def test_register_has_all_22_recommendations_in_order(inspection):
    assert [r.number for r in inspection.recommendations] == [str(n) for n in range(1, 23)]


def test_force_recommendations(inspection):
    assert tuple(r.number for r in inspection.force_recommendations) == FORCE_NUMBERS
    assert all(r.addressee == "national" for r in inspection.recommendations if r.number not in FORCE_NUMBERS)


def test_deadlines(inspection):
    assert inspection.recommendation("10").deadline == date(2025, 3, 31)
    assert inspection.recommendation("12").deadline == date(2025, 7, 31)
    assert inspection.recommendation("1").deadline == date(2025, 7, 31)
    nine = inspection.recommendation("9")
    assert nine.deadline is None
    assert nine.deadline_note.startswith("Within six months of the College of Policing updating")


def test_every_deadline_is_the_one_in_the_text(inspection):
    for rec in inspection.recommendations:
        if rec.deadline is not None:
            assert rec.text.startswith(f"By {rec.deadline.day} {rec.deadline:%B %Y},"), rec.number


def test_texts_follow_the_seed_wording(inspection):
    seed = " ".join((ROOT / "corpus" / "raw" / "001_ab4122f530438a67.txt").read_text(encoding="utf-8").split())
    assert "hate-related incidents allow them to analyse data" in inspection.recommendation("17").text
    assert inspection.recommendation("9").text == (
        "Within six months of the College of Policing updating its engagement and communication authorised "
        "professional practice, forces should update their policies to reflect the College of Policing advice "
        "on communicating about politicised and contentious issues."
    )
    # Texts without bullet lists appear verbatim (hard wraps aside) in the Cleveland response.
    for rec in inspection.recommendations:
        if rec.number not in ("1", "5", "14", "15"):  # bullets run on with "; "
            assert rec.text in seed, rec.number
    assert "Recommendation" not in " ".join(r.text for r in inspection.recommendations)


def test_addressed_to(inspection):
    assert inspection.recommendation("1").addressed_to == (
        "Home Office; Police Staff Council; College of Policing; National Police Chiefs' Council"
    )
    assert inspection.recommendation("17").addressed_to == "forces"
    assert inspection.recommendation("13").addressed_to == "chief constables"


def test_load_inspections_reads_the_folder():
    inspections = io.load_inspections(ROOT / "corpus" / "inspections")
    assert "activism-impartiality-2024" in [i.id for i in inspections]


def test_minimal_register_parses():
    parsed = parse_inspection(MINIMAL, origin="example.toml")
    assert parsed.recommendation("2").deadline is None
    assert parsed.recommendation("2").deadline_note == ""
    assert [r.number for r in parsed.force_recommendations] == ["1"]


@pytest.mark.parametrize(
    "broken, reason",
    [
        (MINIMAL.replace('number = "2"', 'number = "1"'), "duplicate recommendation number '1'"),
        (MINIMAL.replace('addressee = "national"', 'addressee = "police"'), "addressee 'police'"),
        (MINIMAL.replace('title = "An example inspection"\n', ""), "missing field(s) title"),
        (MINIMAL.replace('addressed_to = "College of Policing"\n', ""), "missing field(s) addressed_to"),
        (MINIMAL.replace("published = 2025-01-15", 'published = "15 January 2025"'), "published must be a bare TOML date"),
        (MINIMAL.replace("published = 2025-01-15", "published = 2025-01-15T09:00:00"), "published must be a bare TOML date"),
        (MINIMAL.replace("deadline = 2025-03-31", 'deadline = "31 March 2025"'), "deadline must be a bare TOML date"),
        (MINIMAL.replace('number = "2"', "number = 2"), 'number must be a quoted string'),
        (MINIMAL.replace('addressed_to = "forces"', 'addressed_to = "forces"\naddresse = "forces"'), "unknown field(s) addresse"),
        (MINIMAL.replace('id = "example-2025"', 'id = "Example 2025"'), "id 'Example 2025'"),
        (MINIMAL + "\n[[recommendations]\n", "not valid TOML"),
        ('id = "x"\ntitle = "X"\npublished = 2025-01-01\nrecommendations = []\n', "one or more [[recommendations]]"),
    ],
)
def test_malformed_register_raises_e403_naming_the_file(broken, reason):
    with pytest.raises(PipelineError) as raised:
        parse_inspection(broken, origin="corpus/inspections/broken.toml")
    assert raised.value.code == "E403"
    assert "corpus/inspections/broken.toml" in raised.value.message
    assert reason in raised.value.message


# --- forces.csv -----------------------------------------------------------------

@pytest.fixture(scope="module")
def forces():
    return io.load_forces()


def test_43_territorial_forces_with_unique_names(forces):
    assert len(forces) == 43
    assert len({f.name for f in forces}) == 43
    assert len({f.short_name for f in forces}) == 43
    assert "British Transport Police" not in {f.name for f in forces}


def test_seed_forces_and_their_local_bodies(forces):
    by_name = {f.name: f for f in forces}
    assert by_name["Gwent Police"].local_body == "Police and Crime Commissioner for Gwent"
    assert by_name["Suffolk Constabulary"].short_name == "Suffolk"
    assert by_name["Cleveland Police"].local_body == "Police and Crime Commissioner for Cleveland"
    assert by_name["Staffordshire Police"].local_body == "Police, Fire and Crime Commissioner for Staffordshire"
    assert by_name["Metropolitan Police Service"].local_body == "Mayor's Office for Policing and Crime"
    assert by_name["City of London Police"].local_body == "City of London Police Authority Board"
    assert "Gwent PCC" in by_name["Gwent Police"].aliases
    assert "Office of the Police and Crime Commissioner for Gwent" in by_name["Gwent Police"].aliases
    assert "PCC for Suffolk" in by_name["Suffolk Constabulary"].aliases
    assert "GMP" in by_name["Greater Manchester Police"].aliases


def test_forces_csv_rejects_a_name_claimed_twice():
    text = (
        "name,short_name,aliases,local_body\n"
        "Gwent Police,Gwent,Heddlu Gwent,Police and Crime Commissioner for Gwent\n"
        "South Wales Police,South Wales,Heddlu Gwent,Police and Crime Commissioner for South Wales\n"
    )
    with pytest.raises(PipelineError) as raised:
        parse_forces(text)
    assert raised.value.code == "E403" and "Heddlu Gwent" in raised.value.message


def test_forces_csv_rejects_a_bad_header():
    with pytest.raises(PipelineError) as raised:
        parse_forces("name,short\nGwent Police,Gwent\n", origin="forces.csv")
    assert raised.value.code == "E403" and "forces.csv" in raised.value.message
