"""Score stage: deadlines, section 55 checks, coverage and the per-force summary with Wilson intervals.

Pinned on the seed responses scored end to end through the CLI (as of
1 June 2025), plus small hand-built results for the edge cases.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.score import FORCE_COLUMNS, SCORECARD_COLUMNS, build_scorecard, force_summary, is_overdue, wilson_interval
from pipeline.types import DocumentResult, Force, Identification, Inspection, Recommendation
from tests.conftest import FORCE_RECOMMENDATIONS, ROOT, no_reviews



AS_OF = "2025-06-01"
PUBLISHED = date(2024, 9, 10)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("scored")
    code = main(["score", str(ROOT / "corpus" / "raw"), "--out", str(out), "--manifest",
                 str(ROOT / "corpus" / "manifest.csv"), "--inspections", str(ROOT / "corpus" / "inspections"),
                 "--model", str(ROOT / "models" / "status-classifier.joblib"), *no_reviews(out), "--as-of", AS_OF])
    assert code == 1  # the HMICFRS letter is reported in errors.csv
    return out


@pytest.fixture(scope="module")
def card(outputs):
    return pd.read_parquet(outputs / "scorecard.parquet")


@pytest.fixture(scope="module")
def forces_csv(outputs):
    return pd.read_csv(outputs / "forces.csv", dtype=str, keep_default_na=False)


def cell(card, force, number):
    rows = card[(card["force"] == force) & (card["recommendation"] == number)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- Wilson interval -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("k, n, low, high", [
    (5, 9, 0.266651, 0.811221),   # the brief's example, to six places
    (0, 10, 0.0, 0.277533),       # the textbook "rule of three" companion: 0 of 10 -> upper 0.2775
    (10, 10, 0.722467, 1.0),      # symmetric to 0 of 10
    (1, 9, 0.019891, 0.435000),
    (50, 100, 0.403832, 0.596168),
])
def test_wilson_interval_known_values(k, n, low, high):
    got_low, got_high = wilson_interval(k, n)
    assert got_low == pytest.approx(low, abs=1e-6)
    assert got_high == pytest.approx(high, abs=1e-6)


def test_wilson_interval_contains_share_and_stays_in_unit_interval():
    for n in range(1, 30):
        for k in range(n + 1):
            low, high = wilson_interval(k, n)
            assert 0.0 <= low <= k / n <= high <= 1.0


def test_wilson_interval_of_nothing_is_unknown():
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


# --- overdue ---------------------------------------------------------------------------------------------------------

def test_is_overdue_rules():
    as_of = date(2025, 6, 1)
    assert is_overdue("planned", date(2025, 3, 31), as_of) is True
    assert is_overdue("completed", date(2025, 3, 31), as_of) is False
    assert is_overdue("in_progress", date(2025, 7, 31), as_of) is False  # deadline still ahead
    assert is_overdue("planned", date(2025, 6, 1), as_of) is False  # due today is not yet late
    assert is_overdue("planned", None, as_of) is None


# --- the seeds, end to end ---------------------------------------------------------------------------------------------

def documented_columns(name: str) -> list[str]:
    """The columns docs/data-dictionary.md lists, in order, under the heading that names file ``name``."""
    text = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    section = next(part for part in re.split(r"^## ", text, flags=re.MULTILINE) if part.startswith(f"`{name}`"))
    first_cells = re.findall(r"^\| (`[^|]*) \|", section, flags=re.MULTILINE)  # a cell may name several columns
    return [name for cell in first_cells for name in re.findall(r"`(\w+)`", cell)]


@pytest.mark.parametrize("name", ["scorecard.csv", "passages.csv", "forces.csv", "errors.csv"])
def test_columns_are_the_documented_ones(outputs, name):
    header = (outputs / name).read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    assert header == documented_columns(name)


@pytest.mark.parametrize("force, response_date, days, within", [
    ("Gwent Police", date(2024, 12, 19), 100, False),
    ("Suffolk Constabulary", date(2024, 10, 29), 49, True),
    ("Cleveland Police", None, None, None),
    ("Staffordshire Police", None, None, None),
])
def test_response_date_and_section_55_check(card, forces_csv, force, response_date, days, within):
    rows = card[card["force"] == force]
    assert len(rows) == len(FORCE_RECOMMENDATIONS)
    for _, row in rows.iterrows():
        if response_date is None:
            # Undated response: unknown, never guessed.
            assert row["response_date"] is None or pd.isna(row["response_date"])
            assert pd.isna(row["days_after_publication"])
            assert pd.isna(row["published_within_56_days"])
        else:
            assert row["response_date"] == response_date
            assert (row["response_date"] - PUBLISHED).days == days
            assert row["days_after_publication"] == days
            assert bool(row["published_within_56_days"]) is within
    summary = forces_csv.set_index("force").loc[force]
    assert summary["response_date"] == ("" if response_date is None else response_date.isoformat())
    assert summary["published_within_56_days"] == ("" if within is None else str(within))
    assert summary["days_after_publication"] == ("" if days is None else str(days))


def test_deadlines_and_overdue(card):
    gwent_10 = cell(card, "Gwent Police", "10")
    assert gwent_10["status"] == "planned"
    assert gwent_10["deadline"] == date(2025, 3, 31)
    assert bool(gwent_10["overdue"]) is True

    suffolk_16 = cell(card, "Suffolk Constabulary", "16")
    assert suffolk_16["status"] == "completed"
    assert bool(suffolk_16["overdue"]) is False

    for force in card["force"].unique():
        rec_9 = cell(card, force, "9")  # "within six months of ..." is no date
        assert rec_9["deadline"] is None or pd.isna(rec_9["deadline"])
        assert pd.isna(rec_9["overdue"])
        assert rec_9["deadline_note"].startswith("Within six months")

    rec_12 = cell(card, "Gwent Police", "12")  # due 31 July 2025, after the as-of day
    assert rec_12["deadline"] == date(2025, 7, 31)
    assert bool(rec_12["overdue"]) is False


def test_overdue_empty_in_csv_when_no_deadline(outputs):
    rows = pd.read_csv(outputs / "scorecard.csv", dtype=str, keep_default_na=False)
    rec_9 = rows[rows["recommendation"] == "9"]
    assert set(rec_9["deadline"]) == {""} and set(rec_9["overdue"]) == {""}
    gwent_10 = rows[(rows["force"] == "Gwent Police") & (rows["recommendation"] == "10")].iloc[0]
    assert (gwent_10["deadline"], gwent_10["overdue"]) == ("2025-03-31", "True")


def test_coverage_is_share_decided_by_model(card, forces_csv):
    for force, rows in card.groupby("force"):
        expected = (rows["basis"] == "model").mean()
        assert rows["coverage"].nunique() == 1
        assert rows["coverage"].iloc[0] == pytest.approx(expected)
        assert float(forces_csv.set_index("force").loc[force, "coverage"]) == pytest.approx(expected)
    assert cell(card, "Gwent Police", "9")["coverage"] == 1.0
    assert cell(card, "Cleveland Police", "9")["coverage"] == 0.0  # a blanket statement only
    assert cell(card, "Staffordshire Police", "9")["coverage"] == pytest.approx(2 / 9)


def test_forces_counts_and_shares_come_from_the_scorecard(card, forces_csv):
    for _, summary in forces_csv.iterrows():
        rows = card[card["force"] == summary["force"]]
        n = len(rows)
        assert int(summary["recommendations"]) == n
        for label in ("not_addressed", "planned", "in_progress", "completed"):
            assert int(summary[label]) == int((rows["status"] == label).sum())
        k = int(summary["completed"])
        low, high = wilson_interval(k, n)
        assert float(summary["share_completed"]) == pytest.approx(k / n)
        assert float(summary["completed_ci_low"]) == pytest.approx(low)
        assert float(summary["completed_ci_high"]) == pytest.approx(high)
    suffolk = forces_csv.set_index("force").loc["Suffolk Constabulary"]
    assert (suffolk["completed"], suffolk["recommendations"]) == ("5", "9")
    assert float(suffolk["completed_ci_low"]) == pytest.approx(0.266651, abs=1e-6)
    assert float(suffolk["completed_ci_high"]) == pytest.approx(0.811221, abs=1e-6)


def test_force_summary_follows_changed_statuses(card):
    # A review that changes a status must change the counts: force_summary recomputes from the rows.
    changed = card.copy()
    changed.loc[(changed["force"] == "Gwent Police") & (changed["recommendation"] == "10"), "status"] = "completed"
    before = force_summary(card).set_index("force").loc["Gwent Police"]
    after = force_summary(changed).set_index("force").loc["Gwent Police"]
    assert after["completed"] == before["completed"] + 1
    assert after["planned"] == before["planned"] - 1


# --- hand-built edge cases ---------------------------------------------------------------------------------------------

def _inspection():
    return Inspection(id="demo", title="Demo", published=PUBLISHED, aliases=(), recommendations=(
        Recommendation("1", "Do a thing.", "forces", "forces", date(2025, 1, 31)),
        Recommendation("2", "Do another.", "forces", "forces", None, "Within six months of something"),
        Recommendation("3", "National only.", "national", "Home Office", date(2025, 1, 31)),
    ))


def _force(name):
    return Force(name=name, short_name=name.split()[0], aliases=(), local_body="")


def test_no_results_gives_empty_tables_with_columns():
    card = build_scorecard([], [], [_inspection()], as_of=date(2025, 6, 1))
    assert list(card.scorecard.columns) == SCORECARD_COLUMNS and card.scorecard.empty
    assert list(card.forces.columns) == FORCE_COLUMNS and card.forces.empty


def test_boundary_day_56_is_within_and_day_57_is_not():
    inspection = _inspection()
    results = [
        DocumentResult(source=f"{name}.txt", sha256="0" * 64,
                       identification=Identification(_force(name), inspection, PUBLISHED + timedelta(days=d), "manifest"))
        for name, d in (("Alpha Police", 56), ("Beta Police", 57))
    ]
    card = build_scorecard(results, [], [inspection], as_of=date(2025, 6, 1))
    summary = card.forces.set_index("force")
    assert bool(summary.loc["Alpha Police", "published_within_56_days"]) is True
    assert bool(summary.loc["Beta Police", "published_within_56_days"]) is False
    assert list(card.scorecard["recommendation"]) == ["1", "2", "1", "2"]  # national recommendations are no columns
    assert list(card.scorecard["basis"]) == ["no_passage"] * 4
    assert list(card.scorecard["overdue"].astype(object).where(card.scorecard["overdue"].notna(), None)) == [
        True, None, True, None]
    assert list(summary["coverage"]) == [0.0, 0.0]
