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
from pipeline.score import (
    FORCE_COLUMNS,
    PROFILE_COLUMNS,
    SCORECARD_COLUMNS,
    build_scorecard,
    force_profiles,
    force_summary,
    is_overdue,
    item_number_key,
    wilson_interval,
)
from pipeline.types import (
    ClassifiedPassage,
    DocumentResult,
    Finding,
    Force,
    Identification,
    Inspection,
    Passage,
    Prediction,
    Recommendation,
)
from tests.conftest import FORCE_RECOMMENDATIONS, ROOT, SEED_PATHS, no_reviews

AS_OF = "2025-06-01"
PUBLISHED = date(2024, 9, 10)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("scored")
    code = main(["score", *SEED_PATHS, "--out", str(out), "--manifest",
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


def test_seed_rows_are_registered_recommendations_with_provenance_columns(outputs):
    rows = pd.read_csv(outputs / "scorecard.csv", dtype=str, keep_default_na=False)
    assert set(rows["item_kind"]) == {"recommendation"} and set(rows["register"]) == {"registered"}
    assert set(rows["url"]) == {""}  # the seeds have no sources.csv
    assert set(rows.loc[rows["basis"] != "no_passage", "ocr"]) == {"False"}
    assert set(rows.loc[rows["basis"] == "no_passage", "ocr"]) <= {""}


def test_seed_overall_stance_is_the_blanket_passage_label(outputs, forces_csv):
    passages = pd.read_csv(outputs / "passages.csv", dtype=str, keep_default_na=False)
    stance = passages[passages["is_overall_stance"] == "True"].set_index("force")
    # every seed response has a blanket passage; Gwent's (a welcome) makes no status claim beside its nine
    # answered items, so it has no stance (tests/test_stance.py)
    with_stance = forces_csv[forces_csv["overall_stance_basis"] == "blanket"]
    assert sorted(stance.index) == sorted(with_stance["force"]) == sorted(set(forces_csv["force"]) - {"Gwent Police"})
    assert set(stance["link"]) == {"blanket"}
    # Cleveland's two blanket passages: the one making a status claim (and longer) speaks for the response.
    assert stance.loc["Cleveland Police", "passage_id"] == "3d1b8a1a8772:25884-26338"
    for _, force in with_stance.iterrows():
        assert force["overall_stance"] == stance.loc[force["force"], "status"]
        assert float(force["overall_stance_confidence"]) == pytest.approx(float(stance.loc[force["force"], "confidence"]))


def test_seed_force_profiles_add_up_forces_csv(outputs, forces_csv):
    profiles = pd.read_csv(outputs / "force_profiles.csv", dtype=str, keep_default_na=False)
    assert list(profiles.columns) == PROFILE_COLUMNS
    assert list(profiles["force"]) == sorted(forces_csv["force"])  # one row per force, each answered one inspection
    assert set(profiles["inspections"]) == {"1"} and set(profiles["unregistered_inspections"]) == {"0"}
    for column in ("items", "items_answered", "completed", "share_completed", "completed_ci_low", "items_overdue"):
        assert list(profiles[column]) == list(forces_csv.sort_values("force")[column]), column
    suffolk = profiles.set_index("force").loc["Suffolk Constabulary"]
    assert (suffolk["items"], suffolk["completed"], suffolk["responses_dated"], suffolk["responses_within_56_days"]) == (
        "9", "5", "1", "1")
    gwent = profiles.set_index("force").loc["Gwent Police"]
    assert (gwent["responses_dated"], gwent["responses_within_56_days"], gwent["items_answered"]) == ("1", "0", "9")
    assert profiles.set_index("force").loc["Cleveland Police", "responses_dated"] == "0"  # undated: not counted


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


def test_identical_bytes_are_one_document_only_when_they_are_the_same_forces_response():
    inspection = _inspection()
    day = PUBLISHED + timedelta(days=10)

    def result(source, name):
        return DocumentResult(source=source, sha256="0" * 64,
                              identification=Identification(_force(name), inspection, day, "manifest"))

    # a copy saved twice: counted once, as the first in input order, with a note naming it
    card = build_scorecard([result("a.txt", "Alpha Police"), result("b.txt", "Alpha Police")], [], [inspection],
                           as_of=date(2025, 6, 1))
    assert list(card.forces["source"]) == ["a.txt"] and len(card.scorecard) == 2
    assert list(zip(card.errors["source"], card.errors["code"])) == [("b.txt", "E449")]
    assert "as a.txt, and the same force's response" in card.errors["message"].iloc[0]
    # a joint response given once per force (a manifest row each): two responses, no note
    card = build_scorecard([result("a.txt", "Alpha Police"), result("b.txt", "Beta Police")], [], [inspection],
                           as_of=date(2025, 6, 1))
    assert sorted(card.forces["source"]) == ["a.txt", "b.txt"] and card.errors.empty


# --- items of every kind, unregistered inspections, blanket answers (hand-built results) --------------------------------

def _passage(sha, start, numbers, link="numbered", kind="recommendation", label="in_progress", confidence=0.7,
             text=None, ocr=False):
    text = text or f"Answer at {start} for {kind} {','.join(numbers) or 'all'}."
    others = (1 - confidence) / 3
    scores = {lab: (confidence if lab == label else others) for lab in ("not_addressed", "planned", "in_progress",
                                                                         "completed")}
    passage = Passage(id=f"{sha[:12]}:{start}-{start + len(text)}", source=f"{sha[:4]}.txt", sha256=sha,
                      recommendations=tuple(numbers), link=link, start=start, end=start + len(text), page=1, text=text,
                      response_text=text, response_spans=((start, start + len(text)),), item_kind=kind, ocr=ocr)
    return ClassifiedPassage(passage, Prediction(label, confidence, scores, (text,)))


def _result(force, inspection, passages, sha, response_date=None):
    return DocumentResult(source=f"{sha[:4]}.txt", sha256=sha, passages=tuple(passages),
                          identification=Identification(force, inspection, response_date, "detected"))


def _peel():
    """A force-specific inspection with a recommendation under a cause of concern and three AFIs."""
    return Inspection(
        id="peel-demo", title="PEEL demo: an inspection of Essex Police", published=PUBLISHED, aliases=(),
        recommendations=(Recommendation("1", "Improve triage.", "forces", "the chief constable", date(2025, 3, 1),
                                        cause_of_concern="1"),),
        force="Essex", causes_of_concern=(Finding("cause_of_concern", "1", "Triage is poor."),),
        areas_for_improvement=tuple(Finding("area_for_improvement", n, f"Finding {n}.") for n in ("10", "2", "1")))


ESSEX = Force(name="Essex Police", short_name="Essex", aliases=("Essex",), local_body="")
SURREY = Force(name="Surrey Police", short_name="Surrey", aliases=("Surrey",), local_body="")


def test_peel_like_inspection_scores_causes_of_concern_and_afis_for_its_own_force():
    sha = "a" * 64
    essex = _result(ESSEX, _peel(), [
        _passage(sha, 0, ["1"], kind="cause_of_concern", label="completed", confidence=0.9),
        _passage(sha, 100, ["10"], kind="area_for_improvement", label="planned", confidence=0.8),
        # The same number under another kind answers a different item.
        _passage(sha, 200, ["2"], kind="recommendation", label="completed"),
    ], sha, date(2024, 10, 1))
    surrey = _result(SURREY, _peel(), [], "b" * 64)
    card = build_scorecard([essex, surrey], [], [_peel()], as_of=date(2025, 6, 1))
    rows = card.scorecard
    essex_rows = rows[rows["force"] == "Essex Police"]
    assert list(zip(essex_rows["item_kind"], essex_rows["recommendation"])) == [
        ("recommendation", "1"), ("cause_of_concern", "1"), ("area_for_improvement", "1"),
        ("area_for_improvement", "2"), ("area_for_improvement", "10")]  # numeric order: 2 before 10
    assert list(essex_rows["status"]) == ["not_addressed", "completed", "not_addressed", "not_addressed", "planned"]
    assert list(essex_rows["basis"]) == ["no_passage", "model", "no_passage", "no_passage", "model"]
    afi_1 = essex_rows[(essex_rows["item_kind"] == "area_for_improvement") & (essex_rows["recommendation"] == "1")]
    assert afi_1["evidence"].iloc[0] == "No passage answering area for improvement 1 was found in this response."
    assert set(essex_rows["register"]) == {"registered"}
    assert essex_rows["coverage"].iloc[0] == pytest.approx(2 / 5)
    # Another force answering a force-specific inspection is scored on its recommendations only.
    surrey_rows = rows[rows["force"] == "Surrey Police"]
    assert list(zip(surrey_rows["item_kind"], surrey_rows["recommendation"])) == [("recommendation", "1")]
    assert list(rows.columns).index("item_kind") == list(rows.columns).index("recommendation") - 1

    forces = card.forces.set_index("force")
    assert forces.loc["Essex Police", ["recommendations", "causes_of_concern", "areas_for_improvement", "items",
                                       "items_answered", "completed"]].tolist() == [1, 1, 3, 5, 2, 1]
    assert forces.loc["Essex Police", "share_completed"] == pytest.approx(1 / 5)
    assert forces.loc["Essex Police", "items_overdue"] == 1  # the recommendation, due 1 March 2025
    assert forces.loc["Essex Police", "overall_stance"] == ""  # no blanket passage: no overall stance


def _unregistered():
    return Inspection(id="an-inspection-of-stalking", title="An inspection of stalking", published=None, aliases=(),
                      recommendations=(), registered=False)


def test_unregistered_inspection_rows_are_the_items_found_with_coverage_unknown():
    sha = "c" * 64
    result = _result(SURREY, _unregistered(), [
        _passage(sha, 0, [], link="blanket", label="in_progress", confidence=0.65),
        _passage(sha, 100, ["2"], kind="area_for_improvement", label="completed", confidence=0.9, ocr=True),
        _passage(sha, 200, ["3"], label="planned"),
        _passage(sha, 300, ["10"], label="in_progress"),
    ], sha, date(2025, 2, 1))
    card = build_scorecard([result], [], [_inspection()], as_of=date(2025, 6, 1))
    rows = card.scorecard
    assert list(zip(rows["item_kind"], rows["recommendation"])) == [
        ("recommendation", "3"), ("recommendation", "10"), ("area_for_improvement", "2")]
    assert list(rows["status"]) == ["planned", "in_progress", "completed"]
    assert set(rows["basis"]) == {"model"}  # never a no_passage row, never a guessed not_addressed
    assert set(rows["register"]) == {"none"}
    assert rows["coverage"].isna().all()
    assert rows["days_after_publication"].isna().all() and rows["published_within_56_days"].isna().all()
    assert rows["deadline"].isna().all() and rows["overdue"].isna().all()
    assert list(rows["ocr"]) == [False, False, True]
    forces = card.forces.iloc[0]
    assert (forces["register"], forces["items"], forces["completed"]) == ("none", 3, 1)
    assert pd.isna(forces["coverage"])
    assert (forces["overall_stance"], forces["overall_stance_confidence"]) == ("in_progress", 0.65)
    assert [i.id for i in card.inspections] == ["an-inspection-of-stalking"]
    stance = card.passages[card.passages["is_overall_stance"]]
    assert list(stance["link"]) == ["blanket"] and list(stance["status"]) == ["in_progress"]


def test_blanket_only_response_gives_overall_stance_and_single_items_stay_not_addressed():
    sha, other = "d" * 64, "e" * 64
    registered = _result(ESSEX, _inspection(), [
        _passage(sha, 0, ["1", "2"], link="blanket", label="completed", confidence=0.55, text="Short."),
        _passage(sha, 50, ["1", "2"], link="blanket", label="in_progress", confidence=0.8,
                 text="Every recommendation has been accepted and work is under way on each."),
    ], sha, PUBLISHED + timedelta(days=30))
    unregistered = _result(ESSEX, _unregistered(), [
        _passage(other, 0, [], link="blanket", label="planned", confidence=0.75)], other, None)
    card = build_scorecard([registered, unregistered], [], [_inspection()], as_of=date(2025, 6, 1))
    rows = card.scorecard
    assert list(rows["inspection"]) == ["demo", "demo"]  # the unregistered blanket answer has no item of its own
    assert list(rows["status"]) == ["not_addressed"] * 2 and list(rows["basis"]) == ["blanket"] * 2
    forces = card.forces.set_index("inspection")
    # The longer of two blanket passages speaks for the response.
    assert (forces.loc["demo", "overall_stance"], forces.loc["demo", "overall_stance_confidence"]) == ("in_progress", 0.8)
    assert forces.loc["demo", "completed"] == 0 and forces.loc["demo", "coverage"] == 0.0
    stalking = forces.loc["an-inspection-of-stalking"]
    assert (stalking["items"], stalking["overall_stance"]) == (0, "planned")
    assert pd.isna(stalking["share_completed"]) and pd.isna(stalking["completed_ci_low"])
    passages = card.passages
    assert passages["is_overall_stance"].sum() == 2  # one per response
    assert set(passages.loc[passages["is_overall_stance"], "char_start"]) == {0, 50}
    profile = force_profiles(card.forces).iloc[0]
    assert (profile["inspections"], profile["unregistered_inspections"], profile["items"]) == (2, 1, 2)
    assert (profile["overall_stance_in_progress"], profile["overall_stance_planned"]) == (1, 1)
    assert (profile["responses_dated"], profile["responses_within_56_days"]) == (1, 1)


def test_urls_fill_every_table_by_sha256_or_path():
    sha = "f" * 64
    results = [_result(ESSEX, _inspection(), [_passage(sha, 0, ["1"])], sha),
               _result(SURREY, _inspection(), [], "1" * 64)]
    card = build_scorecard(results, [], [_inspection()], as_of=date(2025, 6, 1),
                           urls={sha: "https://example.org/essex.pdf", "1111.txt": "https://example.org/surrey.html"})
    by_force = card.scorecard.groupby("force")["url"].agg(set)
    assert by_force["Essex Police"] == {"https://example.org/essex.pdf"}
    assert by_force["Surrey Police"] == {"https://example.org/surrey.html"}
    assert set(card.passages["url"]) == {"https://example.org/essex.pdf"}
    assert list(card.forces["url"]) == ["https://example.org/essex.pdf", "https://example.org/surrey.html"]
    assert set(build_scorecard(results, [], [_inspection()], as_of=date(2025, 6, 1)).scorecard["url"]) == {""}


def test_force_profiles_add_up_a_force_across_inspections():
    sha, other = "2" * 64, "3" * 64
    results = [
        _result(ESSEX, _inspection(), [_passage(sha, 0, ["1"], label="completed")], sha, PUBLISHED + timedelta(days=80)),
        _result(ESSEX, _peel(), [_passage(other, 0, ["1"], kind="cause_of_concern", label="completed")], other,
                PUBLISHED + timedelta(days=20)),
        _result(SURREY, _inspection(), [], "4" * 64),
    ]
    card = build_scorecard(results, [], [_inspection(), _peel()], as_of=date(2025, 6, 1))
    profiles = force_profiles(card.forces).set_index("force")
    assert list(force_profiles(card.forces).columns) == PROFILE_COLUMNS
    essex = profiles.loc["Essex Police"]
    assert (essex["inspections"], essex["items"], essex["items_answered"], essex["completed"]) == (2, 7, 2, 2)
    low, high = wilson_interval(2, 7)
    assert (essex["share_completed"], essex["completed_ci_low"], essex["completed_ci_high"]) == pytest.approx(
        (2 / 7, low, high))
    assert (essex["responses_dated"], essex["responses_within_56_days"]) == (2, 1)
    # Only the PEEL recommendation (not answered, due 1 March 2025): demo 1 is completed and demo 2 has no date.
    assert essex["items_overdue"] == 1
    surrey = profiles.loc["Surrey Police"]
    assert (surrey["inspections"], surrey["items"], surrey["completed"], surrey["responses_dated"]) == (1, 2, 0, 0)
    assert force_profiles(card.forces.iloc[0:0]).empty


def test_item_numbers_sort_numerically_then_by_text():
    assert sorted(["10", "2", "1", "3a", "all"], key=item_number_key) == ["1", "2", "10", "3a", "all"]


def test_a_lone_blanket_answer_to_an_unregistered_inspection_keeps_its_forces_row():
    sha = "5" * 64
    result = _result(ESSEX, _unregistered(), [_passage(sha, 0, [], link="blanket", label="planned", confidence=0.75)],
                     sha)
    card = build_scorecard([result], [], [], as_of=date(2025, 6, 1))
    assert card.scorecard.empty and list(card.scorecard.columns) == SCORECARD_COLUMNS
    assert list(card.forces.columns) == FORCE_COLUMNS
    row = card.forces.iloc[0]
    assert (row["register"], row["items"], row["overall_stance"], row["sha256"]) == ("none", 0, "planned", sha)
    assert pd.isna(row["coverage"]) and pd.isna(row["share_completed"]) and pd.isna(row["days_after_publication"])
    assert force_profiles(card.forces).iloc[0]["overall_stance_planned"] == 1


def test_every_document_of_a_force_under_one_unregistered_id_keeps_its_items():
    """Answers that name no report share one id: a news item must not hide another page's specific answers."""
    older, newer = "d" * 64, "e" * 64
    answers = _result(SURREY, _unregistered(), [
        _passage(older, 0, ["7"], label="in_progress"), _passage(older, 100, ["10"], label="planned"),
    ], older, date(2024, 3, 1))
    news = _result(SURREY, _unregistered(), [
        _passage(newer, 0, [], link="blanket", label="completed", confidence=0.8),
        _passage(newer, 100, ["10"], label="completed"),
    ], newer, date(2025, 1, 1))
    card = build_scorecard([news, answers], [], [], as_of=date(2025, 6, 1))
    rows = card.scorecard.set_index("recommendation")
    assert list(rows.index) == ["7", "10"]
    assert rows.loc["7", "sha256"] == older and rows.loc["7", "status"] == "in_progress"
    assert rows.loc["10", "sha256"] == newer and rows.loc["10", "status"] == "completed"  # the later answer
    assert card.forces.iloc[0]["overall_stance"] == "completed" and card.forces.iloc[0]["items"] == 2
