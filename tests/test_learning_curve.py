"""The learning curve (``evaluate --learning-curve``): forces never on both sides, smaller shares train on less."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from pipeline import io
from pipeline.model import learning_curve as LC
from pipeline.model.training import real_items, training_set
from tests.test_model import _evaluation_records


def test_curve_splits_draw_whole_forces_never_a_test_force() -> None:
    groups = [f"force {i % 8}" for i in range(80)]
    seen = set()
    for split in LC.curve_splits(groups, fractions=(0.25, 0.5, 1.0), draws=3, outer_splits=4, random_state=0):
        train_forces = {groups[i] for i in split["train_index"]}
        test_forces = {groups[i] for i in split["test_index"]}
        assert train_forces.isdisjoint(test_forces)
        assert train_forces == set(split["train_forces"])
        # the share is of the fold's 6 training forces, whole forces with all their items
        assert len(train_forces) == max(1, round(split["fraction"] * 6))
        assert len(split["train_index"]) == 10 * len(train_forces)
        seen.add((split["fold"], split["fraction"], split["draw"]))
    assert len(seen) == 4 * (3 + 3 + 1)
    with pytest.raises(ValueError):
        list(LC.curve_splits(groups, fractions=(0.0,)))


@pytest.fixture(scope="module")
def curve_and_fits() -> tuple[dict, list[dict], list[dict]]:
    """The curve of the evaluation fixture (four forces), with every model fit recorded."""
    records = _evaluation_records()
    fits: list[dict] = []
    original = LC.fit_variant

    def spying_fit(real, synthetic, external, variant, **kwargs):
        texts, _, _ = training_set(real, synthetic, external, variant)
        fits.append({"forces": {r["group"] for r in real}, "texts": {t.lower() for t in texts}, "n_real": len(real),
                     "C": kwargs.get("C")})
        return original(real, synthetic, external, variant, **kwargs)

    LC.fit_variant = spying_fit
    try:
        report = LC.learning_curve(records, "real+synthetic", 16.0, fractions=(0.5, 1.0), draws=2, outer_splits=4,
                                   resamples=100)
    finally:
        LC.fit_variant = original
    return report, fits, records


def test_learning_curve_never_trains_on_a_test_force(curve_and_fits) -> None:
    report, fits, records = curve_and_fits
    real, _ = real_items(records)
    assert len(fits) == len(report["splits"]) == 4 * (2 + 1)
    for fit, split in zip(fits, report["splits"]):
        test_forces = set(split["test_forces"])
        assert fit["forces"] and fit["forces"].isdisjoint(test_forces)
        assert fit["forces"] == set(split["train_forces"])
        test_texts = {r["text"].lower() for r in real if r["group"] in test_forces}
        assert not test_texts & fit["texts"]
        assert fit["C"] == 16.0
    # every real item is tested once per share and draw: the four outer folds cover all forces
    assert sorted({f for s in report["splits"] for f in s["test_forces"]}) == ["alpha", "beta", "delta", "gamma"]


def test_learning_curve_reports_each_share(curve_and_fits) -> None:
    report, _, records = curve_and_fits
    half, whole = report["points"]
    assert (half["fraction"], whole["fraction"]) == (0.5, 1.0)
    assert (half["draws"], whole["draws"]) == (2, 1)
    # half of each fold's three training forces rounds to two: fewer real training items than all three
    assert half["mean_train_forces"] == 2 and whole["mean_train_forces"] == 3
    assert half["mean_train_items"] < whole["mean_train_items"]
    for point in report["points"]:
        for name in ("all", "specific", "blanket", "f1:completed", "items_flagged", "flagged_at_catch"):
            lo, hi = point["ci95"][name]
            assert 0.0 <= lo <= hi <= 1.0
            assert point["draw_range"][name][0] <= point["scores"][name] <= point["draw_range"][name][1]
    assert set(report["extrapolation"]) == {key for key, *_ in LC.CURVE_TARGETS}
    json.dumps(report)  # JSON-ready


def test_extrapolation_reads_the_trend_and_says_never() -> None:
    points = [{"fraction": f, "mean_train_items": n, "scores": dict.fromkeys(
        [key for key, *_ in LC.CURVE_TARGETS], 0.0)} for f, n in ((0.5, 100.0), (1.0, 200.0))]
    # macro-F1 on specific items 0.5 at 100 items, 0.6 at 200: +0.1 per doubling reaches 0.8 at 800
    points[0]["scores"]["specific"], points[1]["scores"]["specific"] = 0.5, 0.6
    # blanket answers get worse with more data: never
    points[0]["scores"]["blanket"], points[1]["scores"]["blanket"] = 0.5, 0.4
    # flagged share falls from 0.8 to 0.4: the power law halves it per doubling, 0.3 needs 200 * 2^log2(4/3)
    points[0]["scores"]["flagged_at_catch"], points[1]["scores"]["flagged_at_catch"] = 0.8, 0.4
    out = LC.extrapolate(points)
    assert out["specific"]["log"]["items"] == pytest.approx(800.0)
    # power law in the shortfall: 0.5 -> 0.4 is x0.8 per doubling; from 0.4 at 200 to 0.2 takes log(0.5)/log(0.8) more
    assert out["specific"]["power"]["items"] == pytest.approx(200 * 2 ** (math.log(0.2 / 0.4) / math.log(0.8)))
    assert out["blanket"]["log"]["items"] is None and out["blanket"]["power"]["items"] is None
    assert out["flagged_at_catch"]["power"]["items"] == pytest.approx(200 * 2 ** (math.log(0.3 / 0.4) / math.log(0.5)))
    assert not out["specific"]["reached"]


def test_flag_at_catch_is_the_lowest_threshold_catching_the_share() -> None:
    confidence = np.array([0.3, 0.4, 0.5, 0.6, 0.9, 0.95])
    wrong = np.array([True, True, True, False, False, False])
    # 70% of three errors is three: the threshold sits just above 0.5 and flags half the items
    assert LC._flag_at_catch(confidence, wrong) == pytest.approx(0.5)
    assert LC._flag_at_catch(confidence, np.zeros(6, dtype=bool)) == 0.0


def test_evaluate_learning_curve_command_writes_the_blocks(tmp_path: Path, capsys) -> None:
    from pipeline.cli import main

    annotations = tmp_path / "annotations"
    annotations.mkdir()
    records = _evaluation_records()
    io.write_jsonl(annotations / "real.jsonl", [r for r in records if not r["synthetic"]])
    io.write_jsonl(annotations / "synthetic.jsonl", [r for r in records if r["synthetic"]])
    models = tmp_path / "models"
    models.mkdir()
    (models / "metrics.json").write_text(json.dumps({"variant": "real+synthetic", "C": 4.0}), encoding="utf-8")
    stale = f"{LC.CURVE_BEGIN}\nSTALE\n{LC.CURVE_END}\n"
    (models / "model-card.md").write_text(f"# card\n\n{stale}\nafter\n", encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{stale}\nend\n", encoding="utf-8")
    assert main(["evaluate", "--learning-curve", "--annotations", str(annotations), "--external", "",
                 "--metrics", str(models / "metrics.json"), "--readme", str(readme)]) == 0
    printed = capsys.readouterr().out
    report = json.loads((models / "learning-curve.json").read_text(encoding="utf-8"))
    assert (report["variant"], report["C"]) == ("real+synthetic", 4.0)
    assert [p["fraction"] for p in report["points"]] == list(LC.FRACTIONS)
    whole = report["points"][-1]
    row = f"| 1.00 | {whole['mean_train_items']:.0f} |"
    for text in (printed, readme.read_text(encoding="utf-8"), (models / "model-card.md").read_text(encoding="utf-8")):
        assert row in text and f"{whole['scores']['all']:.3f}" in text and "Extrapolation" in text
    assert "STALE" not in readme.read_text(encoding="utf-8") and readme.read_text(encoding="utf-8").endswith("end\n")
