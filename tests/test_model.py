"""The trained status model: features, determinism, persistence, honest evaluation."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import check_no_attributes_set_in_init

from pipeline import io
from pipeline import model as M
from pipeline.classify import predict
from pipeline.dates import find_dates
from pipeline.errors import PipelineError
from pipeline.model import evaluation, training
from pipeline.model.evaluation import _bootstrap
from pipeline.types import GUIDELINE_ORDER, LABELS

SYNTHETIC = Path(__file__).resolve().parents[1] / "corpus" / "annotations" / "synthetic.jsonl"


def _synthetic() -> list[dict]:
    return [record for _, record in io.read_jsonl(SYNTHETIC)]


def _small(per_label: int = 10) -> list[dict]:
    """A small balanced fixture: the first ``per_label`` synthetic records of each label."""
    out, seen = [], {label: 0 for label in LABELS}
    for record in _synthetic():
        if seen[record["label"]] < per_label:
            seen[record["label"]] += 1
            out.append(record)
    return out


PROBE = [
    "The custody procedure was rewritten in March 2024 and published to all staff.",
    "The vetting policy is being reviewed by the professional standards department.",
    "We will introduce a new call grading model next year.",
    "We accept all the recommendations in the report.",
    "We have trained all call handlers and will now brief supervisors.",
]


@pytest.fixture(scope="module")
def trained() -> tuple[Pipeline, dict]:
    return M.train(_small(), random_state=0)


# --- the synthetic corpus ----------------------------------------------------------

def test_synthetic_corpus_is_valid_and_balanced() -> None:
    records = _synthetic()
    assert 160 <= len(records) <= 240
    counts = {label: sum(r["label"] == label for r in records) for label in LABELS}
    # balanced, not equal: the D9 relabellings of blanket records (twelve not_addressed -> planned / in_progress)
    # moved the counts; a label is never under 18% or over 32% of the file
    assert all(0.18 <= n / len(records) <= 0.32 for n in counts.values()), counts
    for number, record in enumerate(records, start=1):
        assert M.record_problem(record) is None
        assert record["synthetic"] is True and record["force"] == "synthetic" and record["source"] == "synthetic"
        assert record["id"] == f"synthetic-{number:04d}"
        assert record["note"] and record["recommendation"]
    assert len({r["text"] for r in records}) == len(records)


# --- cue features ----------------------------------------------------------------

CUE_CASES = [
    ("cue_perfect", "Training has been delivered to every call handler.", "Training will be delivered to every call handler."),
    ("cue_past", "The procedure was published in May.", "The procedure is due for publication."),
    ("cue_existing_practice", "A clear escalation process is in place.", "A clear escalation process would help."),
    ("cue_progressive", "The vetting policy is being reviewed.", "The vetting policy was reviewed."),
    ("cue_review_begun", "A review of the bail process has begun.", "A review of the bail process will begin."),
    ("cue_future", "We will review the policy.", "We reviewed the policy."),
    ("cue_future", "The force is looking to appoint a data manager.", "The force appointed a data manager."),
    ("cue_conditional", "Once the national guidance is published we will update our procedure.",
     "The national guidance was published last year."),
    ("cue_outstanding", "The new form is not yet live.", "The new form is live."),
    ("cue_refusal", "This recommendation does not apply to the constabulary.",
     "This recommendation applies to the constabulary."),
    ("cue_blanket", "We accept all the recommendations.", "We accept that the form needs work."),
    ("cue_restatement", "Forces should review their custody procedures.", "The force reviewed its custody procedures."),
    ("cue_negation", "The form is not used by call handlers.", "The form is used by call handlers."),
    ("cue_closure", "The inspectorate has discharged the cause of concern.",
     "The cause of concern will be reviewed at the revisit."),
    ("cue_now_state", "The new triage desk is now fully embedded.", "The new triage desk will be embedded next year."),
    ("cue_not_started", "No work has started on the new form yet.", "Work has started on the new form."),
    ("cue_no_action", "No action has been taken on the finding.", "Action has been taken on the finding."),
    ("cue_status_todo", "Scheduled for Q3.", "Due to staffing, training was delayed."),
    # "continue to improve" after a delivered change: not work in progress (issue 12, confusion (b))
    ("rule_completed", "The triage desk was introduced in May 2023 and we are continuing to improve it.",
     "The triage desk was introduced in May 2023 and is being extended to every hub."),
    ("mixed_done_todo", "We have updated the policy and will now train staff.", "We have updated the policy and trained staff."),
    ("rule_in_progress", "The policy is being reviewed.", "The policy was reviewed."),
    ("date_deadline", "The audit will finish by 31 March 2026.", "The audit will finish soon."),
    ("date_past", "The form changed in June 2023 and again in May 2024.", "The form changed in May 2024."),
]


@pytest.fixture(scope="module")
def cue_features() -> M.StatusCueFeatures:
    return M.StatusCueFeatures().fit([])


@pytest.mark.parametrize(("feature", "with_cue", "without_cue"), CUE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CUE_CASES)])
def test_cue_feature_fires_only_with_its_cue(cue_features: M.StatusCueFeatures, feature: str, with_cue: str,
                                            without_cue: str) -> None:
    names = list(cue_features.get_feature_names_out())
    column = names.index(feature)
    values = cue_features.transform([with_cue, without_cue])[:, column]
    assert values[0] > 0
    assert values[1] == 0


def test_a_family_marked_feature_false_is_matched_but_no_column(cue_features: M.StatusCueFeatures) -> None:
    """A family with ``feature = false`` (here continuation, a column in the shipped lexicon): no column of its own,
    but its words are still matched, so "continuing to improve" still leaves progressive."""
    import copy

    from pipeline.cues import load_cue_lexicon

    assert "cue_continuation" in list(cue_features.get_feature_names_out())
    lexicon = copy.deepcopy(load_cue_lexicon())
    next(f for f in lexicon["families"] if f["name"] == "continuation")["feature"] = False
    features = M.StatusCueFeatures(lexicon=lexicon).fit([])
    names = list(features.get_feature_names_out())
    assert "cue_continuation" not in names and "share_continuation" not in names
    assert len(names) < len(cue_features.get_feature_names_out())
    row = features.transform(["We are continuing to improve the service."])[0]
    assert row[names.index("cue_progressive")] == 0


@pytest.mark.parametrize(("feature", "with_cue", "without_cue"), [
    ("date_past", "The policy was published in May 2023.", "The policy will be published in May 2026."),
    ("date_future", "The policy will be published in May 2026.", "The policy was published in May 2023."),
])
def test_date_features_with_a_reference_date(feature: str, with_cue: str, without_cue: str) -> None:
    features = M.StatusCueFeatures(reference_date="2024-10-29").fit([])
    column = list(features.get_feature_names_out()).index(feature)
    values = features.transform([with_cue, without_cue])[:, column]
    assert values.tolist() == [1.0, 0.0]


def test_statute_years_are_not_dates() -> None:
    assert find_dates("Under the Police Act 1996 and the Equality Act 2010.") == []
    assert find_dates("We may review it.") == []


def test_bad_reference_date_is_refused() -> None:
    with pytest.raises(ValueError, match="reference_date"):
        M.StatusCueFeatures(reference_date="next week").fit([])


def test_cue_transformer_does_not_pickle_spacy(cue_features: M.StatusCueFeatures) -> None:
    cue_features.transform(["The policy was updated."])  # the spaCy pipeline now exists
    assert "_engine_cache" in cue_features.__dict__
    data = pickle.dumps(cue_features)
    assert b"spacy" not in data
    restored = pickle.loads(data)
    assert "_engine_cache" not in restored.__dict__
    assert np.array_equal(restored.transform(PROBE), cue_features.transform(PROBE))


# --- scikit-learn conventions ----------------------------------------------------------

def test_estimators_follow_sklearn_conventions() -> None:
    check_no_attributes_set_in_init("StatusCueFeatures", M.StatusCueFeatures())
    check_no_attributes_set_in_init("CalibratedStatusClassifier", M.CalibratedStatusClassifier(LogisticRegression()))
    pipeline = M.build_status_pipeline(random_state=3)
    assert isinstance(pipeline, Pipeline)
    assert [name for name, _ in pipeline.steps] == ["mask", "features", "classifier"]
    assert [name for name, _ in pipeline.named_steps["features"].transformer_list] == ["cues", "words", "characters"]
    assert clone(pipeline).get_params()["classifier__random_state"] == 3
    assert pipeline.get_params()["classifier__estimator__class_weight"] == "balanced"


def test_calibration_folds_are_grouped_by_force_and_never_hold_out_synthetic() -> None:
    y = np.array(["completed", "planned"] * 12, dtype=object)
    groups = ["a", "a", "b", "b", "c", "c", "d", "d", "e", "e", "f", "f"] + [""] * 12
    classifier = M.CalibratedStatusClassifier(LogisticRegression(), max_splits=3)
    splits = classifier._splits(y, groups)
    assert classifier.grouped_ and len(splits) == 3
    for train, test in splits:
        assert not {groups[i] for i in test} & {groups[i] for i in train}
        assert all(groups[i] for i in test)  # synthetic rows ("") stay on the training side
        assert set(range(12, 24)) <= set(train.tolist())
    ungrouped = M.CalibratedStatusClassifier(LogisticRegression(), max_splits=3)
    assert len(ungrouped._splits(y, None)) == 3 and not ungrouped.grouped_


def test_real_items_are_grouped_by_force_and_kept_once() -> None:
    records = [
        {"id": "1", "force": "Gwent Police", "text": "The policy was updated.", "label": "completed", "recommendation": "9"},
        {"id": "2", "force": "Gwent", "text": "the policy  was updated.", "label": "completed", "recommendation": "10"},
        {"id": "3", "force": "Surrey", "text": "We welcome the report.", "label": "not_addressed", "kind": "all"},
        {"id": "4", "force": "synthetic", "text": "We will act.", "label": "planned", "synthetic": True},
    ]
    kept, dropped = M.real_items(records)
    assert [r["id"] for r in kept] == ["1", "3"] and [r["id"] for r in dropped] == ["2"]
    assert [r["group"] for r in kept] == ["gwent", "surrey"] and [r["kind"] for r in kept] == ["recommendation", "all"]
    assert training.record_kind({"recommendation": "all"}) == "all"


def test_a_duplicate_text_with_another_label_is_named_in_the_card() -> None:
    """Two reviews of passages with the same words that disagree: the first counts, the card says so."""
    records = [
        {"id": "r1", "force": "Essex", "text": "The plan was agreed.", "label": "completed", "recommendation": "3"},
        {"id": "r2", "force": "Essex", "text": "The plan  was agreed.", "label": "planned", "recommendation": "4"},
        {"id": "r3", "force": "Essex", "text": "the plan was agreed.", "label": "completed", "recommendation": "5"},
    ]
    kept, dropped = M.real_items(records)
    assert training.label_conflicts(kept, dropped) == [
        {"kept_id": "r1", "kept_label": "completed", "dropped_id": "r2", "dropped_label": "planned"}]
    from pipeline.model.card import _conflicts
    named = _conflicts({"duplicate_label_conflicts": training.label_conflicts(kept, dropped)})
    assert "1 of them labelled differently" in named and "r2 planned (kept r1 completed)" in named
    assert _conflicts({}) == ""


def test_calibration_survives_rare_classes() -> None:
    records = _small(6)
    rare = [r for r in records if r["label"] != "planned"] + [next(r for r in records if r["label"] == "planned")]
    pipeline, metrics = M.train(rare)
    assert metrics["calibrated"] is False and metrics["calibration_folds"] == 0
    two = [r for r in records if r["label"] != "planned"] + [r for r in records if r["label"] == "planned"][:2]
    pipeline, metrics = M.train(two)
    assert metrics["calibrated"] is True and metrics["calibration_folds"] == 2
    proba = pipeline.predict_proba(PROBE)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_training_needs_two_labels() -> None:
    with pytest.raises(ValueError, match="two labels"):
        M.train([r for r in _small(4) if r["label"] == "planned"])


def test_invalid_record_is_refused() -> None:
    records = _small(2)
    records[0] = dict(records[0], label="done")
    with pytest.raises(ValueError, match="label 'done'"):
        M.train(records)


# --- training ---------------------------------------------------------------------

def test_training_is_deterministic(trained: tuple[Pipeline, dict]) -> None:
    again, _ = M.train(_small(), random_state=0)
    assert np.array_equal(trained[0].predict_proba(PROBE), again.predict_proba(PROBE))


def test_metrics(trained: tuple[Pipeline, dict]) -> None:
    _, metrics = trained
    assert metrics["label_counts"]["synthetic"] == {label: 10 for label in GUIDELINE_ORDER}
    assert metrics["label_counts"]["real"] == {label: 0 for label in GUIDELINE_ORDER}
    assert set(metrics["versions"]) == {"sklearn", "spacy", "numpy", "python"}
    assert metrics["data_sha256"] == M.data_hash(list(reversed(_small())))
    assert metrics["trained_at"] and metrics["training_seconds"] > 0
    json.dumps(metrics)  # the manifest must be JSON


def test_trained_predictions(trained: tuple[Pipeline, dict]) -> None:
    predictions = predict(trained[0], PROBE + [""])
    for text, prediction in zip(PROBE, predictions):
        assert set(prediction.scores) == set(LABELS)
        assert sum(prediction.scores.values()) == pytest.approx(1.0)
        assert 1 <= len(prediction.evidence) <= 2 and all(e in text for e in prediction.evidence)
    assert predictions[-1].label == "not_addressed" and predictions[-1].confidence == 1.0 and predictions[-1].evidence == ()


# --- persistence through pipeline.io -------------------------------------------------------

def test_save_load_round_trip(trained: tuple[Pipeline, dict], tmp_path: Path) -> None:
    pipeline, metrics = trained
    path = tmp_path / "status.joblib"
    io.save_model(pipeline, path, metadata=metrics)
    assert path.stat().st_size < 5_000_000
    loaded = io.load_model(path)
    assert np.array_equal(loaded.predict_proba(PROBE), pipeline.predict_proba(PROBE))
    assert predict(loaded, PROBE) == predict(pipeline, PROBE)


def test_tampered_model_is_refused(trained: tuple[Pipeline, dict], tmp_path: Path) -> None:
    path = tmp_path / "status.joblib"
    io.save_model(trained[0], path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(PipelineError) as caught:
        io.load_model(path)
    assert caught.value.code == "E301"
    assert str(path) in caught.value.message


def test_model_from_another_sklearn_is_refused(trained: tuple[Pipeline, dict], tmp_path: Path) -> None:
    path = tmp_path / "status.joblib"
    io.save_model(trained[0], path)
    manifest_path = io.model_manifest_path(path)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["sklearn_version"] = "0.24.2"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PipelineError) as caught:
        io.load_model(path)
    assert caught.value.code == "E301"
    assert str(path) in caught.value.message and "0.24.2" in caught.value.message


# --- evaluation ---------------------------------------------------------------------

FORCES = ("Alpha", "Beta Police", "Gamma", "Delta Constabulary")


def _evaluation_records() -> list[dict]:
    """Real-looking records from four forces (texts borrowed from the synthetic file), some blanket, plus synthetic ones.

    One real text is repeated under another force and another case, so de-duplication has something to do.
    """
    pool = _synthetic()
    real = []
    for i, record in enumerate(pool[::4][:40]):
        real.append(dict(record, id=f"real-{i:02d}", force=FORCES[i % 4], synthetic=False, source="test",
                         kind="all" if i % 5 == 0 else "area_for_improvement"))
    real.append(dict(real[1], id="real-dup", force=FORCES[2], text=real[1]["text"].upper()))
    used = {r["text"] for r in real}
    synthetic = [r for r in pool if r["text"] not in used][:60]
    return real + synthetic


def _external_rows() -> list[dict]:
    """Rows shaped like corpus/external/taic-nz/taic_minister_status_reports.jsonl (invented wording)."""
    rows = []
    for i in range(12):
        label = ("completed", "in_progress", "not_addressed")[i % 3]
        status = {"completed": "The agency has implemented this recommendation.",
                  "in_progress": "The agency is implementing this recommendation.",
                  "not_addressed": "The agency has rejected this recommendation."}[label]
        body = f"Work on the rule change number {i} was reported to the board."
        rows.append({"id": f"nz-{i}", "rec_no": f"{i % 8:03d}/21", "label_strict": label, "text": f"{status} {body}",
                     "text_without_status_line": body if i % 2 == 0 else None})
    rows.append({"id": "nz-loose", "rec_no": "900/21", "label_strict": None, "label_loose": "planned",
                 "text": "Under consideration."})
    return rows


@pytest.fixture(scope="module")
def evaluation_and_spy() -> tuple[dict, list[dict], list[dict]]:
    """The evaluation of the fixture, with every model fit recorded: which real forces and which texts trained it."""
    records = _evaluation_records()
    calls: list[dict] = []
    original_fit, original_select = training.fit_variant, evaluation.select_variant

    def spying_fit(real, synthetic, external, variant, **kwargs):
        texts, _, _ = training.training_set(real, synthetic, external, variant)
        calls.append({"forces": {r["group"] for r in real}, "texts": set(texts), "variant": variant,
                      "C": kwargs.get("C"), "calibrate": kwargs.get("calibrate", True)})
        return original_fit(real, synthetic, external, variant, **kwargs)

    def spying_select(real, *args, **kwargs):
        calls.append({"select": {r["group"] for r in real}})
        return original_select(real, *args, **kwargs)

    training.fit_variant = evaluation.fit_variant = spying_fit
    evaluation.select_variant = spying_select
    try:
        report = M.evaluate(records, external_rows=_external_rows(), resamples=200, outer_splits=4)
    finally:
        training.fit_variant = evaluation.fit_variant = original_fit
        evaluation.select_variant = original_select
    return report, calls, records


def test_evaluation_never_mixes_a_force_into_its_own_training(evaluation_and_spy) -> None:
    report, calls, records = evaluation_and_spy
    # "Beta Police" and "Delta Constabulary" are grouped as the forces they name
    assert sorted(f for fold in report["folds"] for f in fold["forces"]) == ["alpha", "beta", "delta", "gamma"]
    starts = [i for i, c in enumerate(calls) if "select" in c]
    assert len(starts) == len(report["folds"]) + 1  # one choice per outer fold, one for the shipped configuration
    by_id = {r["id"]: r for r in records}
    for fold, start, stop in zip(report["folds"], starts, starts[1:]):
        held_out = set(fold["forces"])
        assert calls[start]["select"].isdisjoint(held_out)  # the inner choice never sees the test forces
        test_texts = {by_id[i]["text"].lower() for i in fold["test_ids"]}
        fits = calls[start + 1:stop]
        assert fits, "no model was fitted in this fold"
        for fit in fits:
            assert fit["forces"].isdisjoint(held_out)
            assert not test_texts & {t.lower() for t in fit["texts"]}


def test_evaluation_never_counts_synthetic_or_external_records(evaluation_and_spy) -> None:
    report, calls, records = evaluation_and_spy
    real_ids = {r["id"] for r in records if not r["synthetic"]} - {"real-dup"}  # the duplicate text is kept once
    tested = [i for fold in report["folds"] for i in fold["test_ids"]]
    assert sorted(tested) == sorted(real_ids)
    assert {p["id"] for p in report["predictions"]} == real_ids
    assert report["n_real"] == len(real_ids) and report["n_duplicates_dropped"] == 1
    assert report["n_external"] == 12  # rows without a strict label are left out
    synthetic_texts = {r["text"] for r in records if r["synthetic"]}
    for fit in calls:
        if "variant" in fit:
            assert (synthetic_texts <= fit["texts"]) is ("synthetic" in fit["variant"])
    for subset, block in (("all", report["models"]), ("specific", report["subsets"]["specific"]),
                          ("blanket", report["subsets"]["blanket"])):
        n = {"all": len(real_ids), "blanket": 8, "specific": len(real_ids) - 8}[subset]
        for name in M.MODEL_NAMES:
            assert np.sum(block[name]["confusion_matrix"]) == n == block[name]["n"]
            lo, hi = block[name]["macro_f1_ci95"]
            assert 0.0 <= lo <= hi <= 1.0


def test_evaluation_measures_each_training_variant(evaluation_and_spy) -> None:
    report, _, _ = evaluation_and_spy
    assert set(report["variants"]) == {"real", "real+synthetic", "real+synthetic+nz"}
    assert sum(report["selection"].values()) == len(report["folds"])
    for scores in report["variants"].values():
        assert set(scores) == {"all", "specific", "blanket"} and 0.0 <= scores["all"]["ece"] <= 1.0


def test_regularisation_is_chosen_inside_each_outer_fold(evaluation_and_spy) -> None:
    report, calls, _ = evaluation_and_spy
    assert sum(report["selection_C"].values()) == len(report["folds"])
    starts = [i for i, c in enumerate(calls) if "select" in c]
    for fold, start, stop in zip(report["folds"], starts, starts[1:]):
        grid = fold["inner_grid"]
        # the inner loop tries every variant at every C, on the fold's training forces (checked above) ...
        assert set(grid) == {f"{v} C={c:g}" for v in report["variants_evaluated"] for c in training.C_GRID}
        inner = [c for c in calls[start + 1:stop] if not c["calibrate"]]
        assert {c["C"] for c in inner} == set(training.C_GRID)
        # ... keeps the variant with the fewest added sources within the margin of the best pair, at its best C ...
        order = report["variants_evaluated"]
        best_of = {v: max(score for key, score in grid.items() if key.startswith(f"{v} C=")) for v in order}
        floor = round(max(grid.values()) - report["variant_margin_se"] * fold["inner_standard_error"], 6)
        assert round(best_of[fold["variant"]], 6) >= floor
        assert all(round(best_of[v], 6) < floor for v in order[:order.index(fold["variant"])])
        assert grid[f"{fold['variant']} C={fold['C']:g}"] == best_of[fold["variant"]]
        # ... and every model scored on the test forces is fitted at the chosen C
        outer = [c for c in calls[start + 1:stop] if c["calibrate"]]
        assert outer and {c["C"] for c in outer} == {fold["C"]}


def test_added_training_data_must_beat_real_items_by_the_margin() -> None:
    """Issue 12: synthetic and New Zealand passages train the model only where the real evaluation shows they help."""
    records = _evaluation_records()
    usable = [r for r in records if r["text"].strip()]
    real, _ = training.real_items(usable)
    synthetic = [r for r in usable if training.is_synthetic(r)]
    external = training.external_records(_external_rows())
    plain = training.select_variant(real, synthetic, external, variant_margin=0.0)
    strict = training.select_variant(real, synthetic, external, variant_margin=1.0)
    # the same inner folds and scores; only the rule differs
    assert plain["grid"] == strict["grid"] and plain["fold_scores"] == strict["fold_scores"]
    assert plain["standard_error"] == strict["standard_error"] > 0
    assert plain["scores"][plain["variant"]] == max(plain["scores"].values())
    floor = max(strict["scores"].values()) - strict["standard_error"]
    if strict["scores"]["real"] >= floor - 1e-9:
        assert strict["variant"] == "real"
    # the standard error is that of the best pair's per-fold macro-F1
    folds = strict["fold_scores"][strict["best"]]
    assert strict["standard_error"] == pytest.approx(np.std(folds, ddof=1) / np.sqrt(len(folds)))
    # a margin no added source can clear: real items alone, at their own best C
    alone = training.select_variant(real, synthetic, external, variant_margin=100.0)
    real_grid = {k: v for k, v in alone["grid"].items() if k.startswith("real C=")}
    assert alone["variant"] == "real" and alone["grid"][f"real C={alone['C']:g}"] == max(real_grid.values())


def test_regularisation_reaches_the_classifier() -> None:
    pipeline = M.build_status_pipeline(C=2.5)
    assert pipeline.get_params()["classifier__estimator__C"] == 2.5
    assert M.build_status_pipeline(calibrate=False).get_params()["classifier__C"] == training.DEFAULT_C


def test_out_of_domain_is_apart_and_split_by_recommendation(evaluation_and_spy) -> None:
    report, calls, _ = evaluation_and_spy
    ood = report["out_of_domain"]
    assert ood["n"] == 12 and ood["n_with_status_line"] == 6
    for key in ("unmasked", "masked"):
        assert np.sum(ood[key]["model"]["confusion_matrix"]) == 12
    assert np.sum(ood["with_status_line_masked"]["model"]["confusion_matrix"]) == 6
    assert all(p["id"].startswith("real-") for p in report["predictions"])
    if "external" in training.VARIANTS[ood["variant"]]:
        assert ood["scheme"].startswith("GroupKFold")


def test_external_records_mask_the_status_sentence() -> None:
    rows = _external_rows()
    kept, masked = M.external_records(rows), M.external_records(rows, masked=True)
    assert [r["label"] for r in kept] == [r["label"] for r in masked] and len(kept) == 12
    assert masked[0]["text"] == rows[0]["text_without_status_line"] and masked[1]["text"] == rows[1]["text"]
    assert kept[0]["group"] == kept[8]["group"]  # the same recommendation in another year: one group


def test_evaluation_report_shape(evaluation_and_spy) -> None:
    report, _, _ = evaluation_and_spy
    assert report["labels"] == list(GUIDELINE_ORDER)
    assert set(report["models"]) == {"model", "majority", "cue_rules"}
    assert set(report["calibration"]) == set(report["needs_review"]) == {"all", "specific", "blanket"}
    assert report["bootstrap"]["seed"] == 0
    json.dumps(report)
    text = M.format_evaluation(report)
    for words in ("macro-F1", "cue rules", "majority label", "blanket answers", "specific items", "ECE", "New Zealand",
                  "Targets"):
        assert words in text


def test_evaluation_without_real_records_reports_nothing(trained) -> None:
    report = M.evaluate(_small(3))
    assert report["n_real"] == 0 and report["n_synthetic"] == 12
    assert report["models"] == {} and report["folds"] == [] and report["predictions"] == []
    assert "nothing to evaluate" in M.format_evaluation(report)
    card = M.model_card(trained[1], report)
    assert "Not evaluated" in card and "human review" in card


def test_bootstrap_is_reproducible() -> None:
    truth = ["completed", "planned", "in_progress", "not_addressed"] * 5
    pred = ["completed", "planned", "planned", "not_addressed"] * 5
    first = _bootstrap(truth, {"m": pred}, 300, 0)
    assert first == _bootstrap(truth, {"m": pred}, 300, 0)


def test_expected_calibration_error_and_review_flag() -> None:
    truth = ["completed", "completed", "planned", "planned"]
    # columns in LABELS order (not_addressed, planned, in_progress, completed)
    sure_right = np.array([[0, 0, 0, 1.0], [0, 0, 0, 1.0], [0, 1.0, 0, 0], [0, 1.0, 0, 0]])
    assert evaluation.expected_calibration_error(truth, sure_right)["ece"] == pytest.approx(0.0)
    sure_wrong = np.array([[1.0, 0, 0, 0]] * 4)
    assert evaluation.expected_calibration_error(truth, sure_wrong)["ece"] == pytest.approx(1.0)
    half = np.array([[0, 0, 0.4, 0.6], [0, 0, 0.6, 0.4], [0, 0.9, 0.1, 0], [0.1, 0.9, 0, 0]])
    flag = evaluation.review_flag(truth, half, 0.7)
    assert flag["errors"] == 1 and flag["errors_flagged"] == 1 and flag["flagged"] == 2
    assert flag["share_of_errors_flagged"] == 1.0 and flag["share_of_items_flagged"] == 0.5


def test_kappa_per_batch_from_annotator_files_and_readme() -> None:
    from sklearn.metrics import cohen_kappa_score

    a = [{"file": "f1", "item": str(i), "label": label}
         for i, label in enumerate(["completed", "planned", "planned", "in_progress", "not_addressed"])]
    b = [{"file": "f1", "item": str(i), "label": label}
         for i, label in enumerate(["completed", "planned", "in_progress", "in_progress"])]
    b.append({"file": "f2", "item": "0", "label": "completed"})  # found by b only
    agreement = M.batch_agreement({"batch-01": {"a": a, "b": b},
                                   "shared": {"readme": "Cohen's κ = 0.80 over the 203 items both annotators found"},
                                   "empty": {}})
    expected = cohen_kappa_score(["completed", "planned", "planned", "in_progress"],
                                 ["completed", "planned", "in_progress", "in_progress"])
    assert agreement["batch-01"]["kappa"] == pytest.approx(expected)
    assert agreement["batch-01"]["n_both"] == 4 and agreement["batch-01"]["only_a"] == 1 and agreement["batch-01"]["only_b"] == 1
    assert agreement["shared"] == {"kappa": 0.80, "n_both": 203, "agreement": None, "only_a": None, "only_b": None,
                                   "source": "readme"}
    assert agreement["empty"]["kappa"] is None


def test_model_card_states_each_target_and_its_gap(trained, evaluation_and_spy) -> None:
    _, metrics = trained
    report, _, _ = evaluation_and_spy
    low = json.loads(json.dumps(report))
    low["subsets"]["specific"]["model"]["macro_f1"] = 0.55
    card = M.model_card(metrics, low)
    assert card.startswith("# Model card")
    assert "| macro-F1, specific items | 0.550 | >= 0.80 | **missed by 0.250** |" in card
    high = json.loads(json.dumps(report))
    high["subsets"]["specific"]["model"]["macro_f1"] = 0.91
    assert "| macro-F1, specific items | 0.910 | >= 0.80 | met |" in M.model_card(metrics, high)
    for label in GUIDELINE_ORDER:
        assert f"`{label}`" in card
    block = M.readme_block(metrics, low)
    readme = "intro\n" + M.replace_readme_block("x", "") + evaluation_card_markers()
    assert M.replace_readme_block(readme, block).count("missed by 0.250") == 1


def evaluation_card_markers() -> str:
    from pipeline.model.card import README_BEGIN, README_END

    return f"{README_BEGIN}\nold figures\n{README_END}\nrest\n"


def test_validate_records_names_file_and_line(tmp_path: Path) -> None:
    good = _small(1)
    assert M.validate_records(enumerate(good, start=1), origin="a.jsonl") == good
    bad = [good[0], dict(good[1], label="finished")]
    with pytest.raises(PipelineError) as caught:
        M.validate_records(enumerate(bad, start=1), origin="corpus/annotations/seeds.jsonl")
    assert caught.value.code == "E404"
    assert "seeds.jsonl line 2" in caught.value.message and "finished" in caught.value.message
    with pytest.raises(PipelineError, match="duplicate id"):
        M.validate_records(enumerate([good[0], good[0]], start=1), origin="a.jsonl")
    path = tmp_path / "x.jsonl"
    io.write_jsonl(path, good)
    assert M.validate_records(io.read_jsonl(path), origin=str(path)) == good


def test_cli_style_baseline_construction() -> None:
    from pipeline.classify import CueRuleClassifier
    from pipeline.cues import load_cue_lexicon

    baseline = CueRuleClassifier(lexicon=load_cue_lexicon(io.read_package_data("cues.toml"))).fit([], [])
    assert baseline.predict(["The policy is being reviewed."])[0] == "in_progress"


# --- the commands ------------------------------------------------------------------

def test_train_and_evaluate_commands_write_generated_figures(tmp_path: Path, capsys) -> None:
    """``train`` writes the model, metrics, card and the README block; ``evaluate`` prints the same figures."""
    from pipeline.cli import main
    from pipeline.model.card import README_BEGIN, README_END

    annotations = tmp_path / "annotations"
    batch = annotations / "batches" / "batch-01"
    batch.mkdir(parents=True)
    records = _evaluation_records()
    io.write_jsonl(annotations / "real.jsonl", [r for r in records if not r["synthetic"]])
    io.write_jsonl(annotations / "synthetic.jsonl", [r for r in records if r["synthetic"]])
    first = [r for r in records if not r["synthetic"]][:6]
    io.write_jsonl(batch / "a.jsonl", [{"id": r["id"], "file": "f.txt", "item": r["id"], "kind": "all", "text": r["text"],
                                        "label": r["label"]} for r in first])
    io.write_jsonl(batch / "b.jsonl", [{"id": r["id"], "file": "f.txt", "item": r["id"], "kind": "all", "text": r["text"],
                                        "label": "in_progress" if i == 0 else r["label"]} for i, r in enumerate(first)])
    external = tmp_path / "nz.jsonl"
    io.write_jsonl(external, _external_rows())
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{README_BEGIN}\nSTALE FIGURES\n{README_END}\n\nafter\n", encoding="utf-8")
    out = tmp_path / "models"
    assert main(["train", "--annotations", str(annotations), "--out", str(out), "--external", str(external),
                 "--readme", str(readme)]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    card = (out / "model-card.md").read_text(encoding="utf-8")
    text = readme.read_text(encoding="utf-8")
    assert "STALE FIGURES" not in text and text.endswith("after\n")
    specific = metrics["evaluation"]["subsets"]["specific"]["model"]["macro_f1"]
    assert f"| specific items | {metrics['evaluation']['subsets']['specific']['model']['n']} | {specific:.3f} |" in text
    assert f"{specific:.3f}" in card and "batch-01" in card
    assert metrics["evaluation"]["agreement"]["batch-01"]["n_both"] == 6
    capsys.readouterr()
    assert main(["evaluate", "--annotations", str(annotations), "--external", str(external),
                 "--metrics", str(out / "metrics.json")]) == 0
    printed = capsys.readouterr().out
    assert f"{specific:.3f}" in printed and "batch-01" in printed and "New Zealand" in printed


# --- force names: every feature reads them as one word (newcomer report s8 item 2) ---------------------------------

@pytest.fixture(scope="module")
def masker() -> M.ForceNameMasker:
    return M.ForceNameMasker().fit([""])


def test_every_name_of_every_force_is_read_as_the_placeholder(masker: M.ForceNameMasker) -> None:
    """Names, areas, PCC / OPCC bodies and aliases of pipeline/data/forces.csv, each replaced whole."""
    forces = io.load_forces()
    assert len(forces) == 43
    for force in forces:
        for term in (force.name, force.short_name, force.local_body, *force.aliases):
            assert masker.mask(f"{term} published the plan.") == "force published the plan.", term
            assert masker.mask(f"We met {term}'s team.") == "We met force's team.", term


@pytest.mark.parametrize(("text", "masked"), [
    ("ESSEX POLICE and Essex police agreed", "force and force agreed"),  # a heading in capitals, a lower-case suffix
    ("The Office of the Police and Crime Commissioner for Kent wrote", "The force wrote"),  # the longest name wins
    ("Police, Fire and Crime Commissioner for Essex", "force"),
    ("Police Fire and Crime Commissioner for Essex", "force"),  # identify's spellings: commas dropped
    ("Devon and Cornwall Police, then Devon, then Cornwall", "force, then force, then force"),  # an area's parts
    ("Dyfed-Powys Police and Dyfed Powys Police", "force and force"),
    ("Mayor\u2019s Office for Policing and Crime", "force"),
    ("Sussex\n\nPolice did it", "force did it"),  # a name broken over lines
    ("the Met did; THE MET did", "force did; force did"),
])
def test_names_are_masked_in_the_spellings_responses_use(masker: M.ForceNameMasker, text: str, masked: str) -> None:
    assert masker.mask(text) == masked


@pytest.mark.parametrize("text", [
    "We met the target; the met office agreed.",  # "the Met" is a name only capitalised
    "A gmp check was run.",  # an abbreviation only as written ("GMP")
    "Kentish Town and Essexshire are no force areas.",  # whole words only
    "The police and crime plan was published by the force.",
])
def test_words_that_are_no_force_name_stay(masker: M.ForceNameMasker, text: str) -> None:
    assert masker.mask(text) == text


def test_masker_follows_sklearn_conventions_and_pickles_its_names_only(masker: M.ForceNameMasker) -> None:
    check_no_attributes_set_in_init("ForceNameMasker", M.ForceNameMasker())
    texts = ["Cheshire Constabulary published it.", "Gwent Police will publish it."]
    before = list(texts)
    assert masker.transform(texts) == ["force published it.", "force will publish it."]
    assert texts == before  # the passages themselves are not changed
    restored = pickle.loads(pickle.dumps(masker))
    assert "_index_cache" not in restored.__dict__ and restored.terms_ == masker.terms_
    assert restored.transform(texts) == masker.transform(texts)
    only = M.ForceNameMasker(forces=[f for f in io.load_forces() if f.short_name == "Gwent"], placeholder="x").fit([])
    assert only.transform(texts) == ["Cheshire Constabulary published it.", "x will publish it."]
    with pytest.raises(ValueError):
        masker.transform("Gwent Police")  # one string, not a sequence of texts


def test_a_trained_model_reads_the_same_sentence_alike_from_every_force(trained: tuple[Pipeline, dict]) -> None:
    """Same words but the force's name: the same features, so the same probabilities (newcomer report s8 item 2).

    Without the mask the cue lexicon saw a delivery by "the Constabulary" but not by "the Police", and the n-grams
    learned each name's share of the labels.
    """
    names = [force.name for force in io.load_forces()]
    for template in ("{} published its updated social media policy to all staff in October 2024.",
                     "{} will review the policy by March 2026."):
        proba = trained[0].predict_proba([template.format(name) for name in names])
        assert np.ptp(proba, axis=0).max() < 1e-12, template
