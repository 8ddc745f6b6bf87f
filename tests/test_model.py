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
from pipeline.model import evaluation
from pipeline.model.evaluation import _bootstrap
from pipeline.classify import GUIDELINE_ORDER, predict
from pipeline.dates import find_dates
from pipeline.errors import PipelineError
from pipeline.types import LABELS

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
    assert max(counts.values()) - min(counts.values()) <= 5
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
    ("cue_conditional", "Once the national guidance is published we will update our procedure.", "The national guidance was published last year."),
    ("cue_outstanding", "The new form is not yet live.", "The new form is live."),
    ("cue_refusal", "This recommendation does not apply to the constabulary.", "This recommendation applies to the constabulary."),
    ("cue_blanket", "We accept all the recommendations.", "We accept that the form needs work."),
    ("cue_restatement", "Forces should review their custody procedures.", "The force reviewed its custody procedures."),
    ("cue_negation", "The form is not used by call handlers.", "The form is used by call handlers."),
    ("mixed_done_todo", "We have updated the policy and will now train staff.", "We have updated the policy and trained staff."),
    ("rule_in_progress", "The policy is being reviewed.", "The policy was reviewed."),
    ("date_deadline", "The audit will finish by 31 March 2026.", "The audit will finish soon."),
    ("date_past", "The form changed in June 2023 and again in May 2024.", "The form changed in May 2024."),
]


@pytest.fixture(scope="module")
def cue_features() -> M.StatusCueFeatures:
    return M.StatusCueFeatures().fit([])


@pytest.mark.parametrize(("feature", "with_cue", "without_cue"), CUE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CUE_CASES)])
def test_cue_feature_fires_only_with_its_cue(cue_features: M.StatusCueFeatures, feature: str, with_cue: str, without_cue: str) -> None:
    names = list(cue_features.get_feature_names_out())
    column = names.index(feature)
    values = cue_features.transform([with_cue, without_cue])[:, column]
    assert values[0] > 0
    assert values[1] == 0


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
    assert [name for name, _ in pipeline.steps] == ["features", "classifier"]
    assert [name for name, _ in pipeline.named_steps["features"].transformer_list] == ["cues", "words", "chars"]
    assert clone(pipeline).get_params()["classifier__random_state"] == 3
    assert pipeline.get_params()["classifier__estimator__class_weight"] == "balanced"


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

def _evaluation_records() -> list[dict]:
    """Real-looking records from three forces (texts borrowed from the synthetic file) plus synthetic ones."""
    pool = _synthetic()
    real = []
    for i, record in enumerate(pool[::4][:30]):
        real.append(dict(record, id=f"real-{i:02d}", force=("Alpha", "Beta", "Gamma")[i % 3], synthetic=False, source="test"))
    used = {r["text"] for r in real}
    synthetic = [r for r in pool if r["text"] not in used][:60]
    return real + synthetic


@pytest.fixture(scope="module")
def evaluation_and_spy() -> tuple[dict, list[list[str]], list[dict]]:
    records = _evaluation_records()
    seen: list[list[str]] = []
    original = evaluation.build_status_pipeline  # the name evaluate() looks up

    class Spy(Pipeline):
        def fit(self, X, y=None, **params):  # type: ignore[override]
            seen.append(list(X))
            return super().fit(X, y, **params)

    def spying(random_state: int = 0) -> Pipeline:
        return Spy(original(random_state).steps)

    evaluation.build_status_pipeline = spying
    try:
        report = M.evaluate(records, resamples=200)
    finally:
        evaluation.build_status_pipeline = original
    return report, seen, records


def test_evaluation_never_mixes_a_force_into_its_own_training(evaluation_and_spy) -> None:
    report, seen, records = evaluation_and_spy
    by_id = {r["id"]: r for r in records}
    assert [fold["force"] for fold in report["folds"]] == ["Alpha", "Beta", "Gamma"]
    assert len(seen) == len(report["folds"])
    for fold, training_texts in zip(report["folds"], seen):
        assert fold["force"] not in fold["train_forces"]
        assert {by_id[i]["force"] for i in fold["test_ids"]} == {fold["force"]}
        test_texts = {by_id[i]["text"] for i in fold["test_ids"]}
        assert not test_texts & set(training_texts)
        assert not any(r["force"] == fold["force"] and not r["synthetic"] and r["text"] in training_texts for r in records)


def test_evaluation_never_counts_synthetic_records(evaluation_and_spy) -> None:
    report, seen, records = evaluation_and_spy
    real_ids = {r["id"] for r in records if not r["synthetic"]}
    synthetic_texts = {r["text"] for r in records if r["synthetic"]}
    tested = [i for fold in report["folds"] for i in fold["test_ids"]]
    assert sorted(tested) == sorted(real_ids)
    assert {p["id"] for p in report["predictions"]} == real_ids
    assert report["n_real"] == len(real_ids) and report["n_synthetic"] == len(records) - len(real_ids)
    for training_texts in seen:  # synthetic records are in every training fold
        assert synthetic_texts <= set(training_texts)
    for name in M.MODEL_NAMES:
        scores = report["models"][name]
        assert np.sum(scores["confusion_matrix"]) == len(real_ids)
        assert sum(s["support"] for s in scores["per_label"].values()) == len(real_ids)
        lo, hi = scores["macro_f1_ci95"]
        assert 0.0 <= lo <= hi <= 1.0


def test_evaluation_report_shape(evaluation_and_spy) -> None:
    report, _, _ = evaluation_and_spy
    assert report["labels"] == list(GUIDELINE_ORDER)
    assert set(report["models"]) == {"model", "majority", "cue_rules"}
    assert report["bootstrap"]["seed"] == 0
    json.dumps(report)
    text = M.format_evaluation(report)
    assert "macro-F1" in text and "cue rules" in text and "Gamma" in text


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


def test_model_card_says_plainly_when_below_threshold(trained, evaluation_and_spy) -> None:
    _, metrics = trained
    report, _, _ = evaluation_and_spy
    low = json.loads(json.dumps(report))
    low["models"]["model"]["macro_f1"] = 0.55
    card = M.model_card(metrics, low)
    assert card.startswith("# Model card")
    assert "below 0.80" in card
    high = json.loads(json.dumps(report))
    high["models"]["model"]["macro_f1"] = 0.91
    assert "below 0.80" not in M.model_card(metrics, high)
    for label in GUIDELINE_ORDER:
        assert f"`{label}`" in card


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
