"""The unfitted model (:func:`build_status_pipeline`), the annotation records it learns from, and :func:`train`."""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from pipeline.errors import PipelineError
from pipeline.model.features import StatusCueFeatures
from pipeline.types import GUIDELINE_ORDER, LABELS


class CalibratedStatusClassifier(ClassifierMixin, BaseEstimator):
    """Sigmoid-calibrated wrapper that does not crash on rare classes.

    ``CalibratedClassifierCV`` refuses a k-fold split when a class has fewer
    than k examples. This wrapper uses ``StratifiedKFold`` with
    ``n_splits = min(max_splits, smallest class count)``; when the smallest class
    has a single example it fits ``estimator`` alone (its own probabilities,
    uncalibrated) and says so in ``calibrated_``. ``ensemble=False``: one final
    estimator fitted on all the data plus a calibrator fitted on out-of-fold
    decisions, which keeps the model small.

    Learned: ``estimator_`` (the fitted CalibratedClassifierCV or estimator),
    ``classes_``, ``n_splits_`` (0 when uncalibrated), ``calibrated_``.
    """

    def __init__(self, estimator: Any = None, method: str = "sigmoid", max_splits: int = 3, random_state: int | None = 0) -> None:
        self.estimator = estimator
        self.method = method
        self.max_splits = max_splits
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> "CalibratedStatusClassifier":
        # one BLAS thread: on small problems OpenBLAS threads only contend (here fitting was ~25x slower
        # with two threads), and a single thread keeps the floating-point results reproducible
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(X, y)

    def _fit(self, X: Any, y: Any) -> "CalibratedStatusClassifier":
        y = np.asarray(y, dtype=object)
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError(f"need at least two labels to train, got {classes.tolist()}")
        base = clone(self.estimator) if self.estimator is not None else LogisticRegression(max_iter=5000)
        n_splits = int(min(self.max_splits, counts.min()))
        if n_splits >= 2:
            cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
            self.estimator_ = CalibratedClassifierCV(base, method=self.method, cv=cv, ensemble=False).fit(X, y)
            self.calibrated_ = True
            self.n_splits_ = n_splits
        else:
            self.estimator_ = base.fit(X, y)
            self.calibrated_ = False
            self.n_splits_ = 0
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        if sparse.issparse(X):
            # sparse features (the pipeline's) need no BLAS, and setting the limit scans the loaded
            # libraries each time: about 5 ms, as much as classifying a document's passages
            return self.estimator_.predict_proba(X)
        with threadpool_limits(limits=1, user_api="blas"):
            return self.estimator_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def build_status_pipeline(random_state: int = 0) -> Pipeline:
    """The unfitted model: cue + word + character features, then a calibrated linear classifier."""
    features = FeatureUnion([
        ("cues", StatusCueFeatures()),
        ("words", TfidfVectorizer(lowercase=True, strip_accents="unicode", ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
        ("chars", TfidfVectorizer(analyzer="char_wb", lowercase=True, strip_accents="unicode", ngram_range=(3, 5),
                                  sublinear_tf=True, min_df=2, max_features=20000)),
    ])
    classifier = CalibratedStatusClassifier(
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=5000, random_state=random_state),
        method="sigmoid", max_splits=3, random_state=random_state,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


# --- records ------------------------------------------------------------------

_REQUIRED = ("id", "force", "text", "label")


def record_problem(record: Any) -> str | None:
    """Why ``record`` is not a usable annotation record, or None (see :func:`validate_records`)."""
    if not isinstance(record, Mapping):
        return "not a JSON object"
    for key in _REQUIRED:
        if key not in record:
            return f"missing field '{key}'"
    if not isinstance(record["text"], str):
        return "'text' is not a string"
    if record["label"] not in LABELS:
        return f"label '{record['label']}' is not one of {', '.join(GUIDELINE_ORDER)}"
    if "synthetic" in record and not isinstance(record["synthetic"], bool):
        return "'synthetic' must be true or false"
    return None


def validate_records(rows: Iterable[tuple[int, Any]], origin: str) -> list[dict]:
    """Check ``(line, object)`` pairs from :func:`pipeline.io.read_jsonl` and return the records.

    Raises ``PipelineError(E404)`` naming ``origin`` and the line of the first
    record that is not a valid annotation (see :func:`record_problem`) or that
    repeats an id seen earlier in the same file.
    """
    records, seen = [], {}
    for line, obj in rows:
        problem = record_problem(obj)
        if problem is None and obj["id"] in seen:
            problem = f"duplicate id '{obj['id']}' (first on line {seen[obj['id']]})"
        if problem:
            raise PipelineError("E404", path=origin, line=line, detail=problem)
        seen[obj["id"]] = line
        records.append(dict(obj))
    return records


def checked_records(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    records = list(records)
    for number, record in enumerate(records, start=1):
        problem = record_problem(record)
        if problem:
            ident = record.get("id", "?") if isinstance(record, Mapping) else "?"
            raise ValueError(f"record {number} ({ident}): {problem}")
    ids = Counter(r["id"] for r in records)
    duplicated = sorted(i for i, n in ids.items() if n > 1)
    if duplicated:
        raise ValueError(f"duplicate record ids: {', '.join(map(str, duplicated[:5]))}")
    return records


def is_synthetic(record: Mapping[str, Any]) -> bool:
    """True for hand-written synthetic records (``"synthetic": true``): training only, never evaluated."""
    return record.get("synthetic") is True


def data_hash(records: Sequence[Mapping[str, Any]]) -> str:
    """sha256 over the records as sorted, key-sorted JSON lines: the same data gives the same hash in any order."""
    lines = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def label_counts(records: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts = Counter(r["label"] for r in records)
    return {label: counts.get(label, 0) for label in GUIDELINE_ORDER}


def library_versions() -> dict[str, str]:
    """Versions that decide whether a saved model reproduces."""
    import sklearn
    import spacy

    return {"sklearn": sklearn.__version__, "spacy": spacy.__version__, "numpy": np.__version__, "python": platform.python_version()}


def train(records: Sequence[Mapping[str, Any]], random_state: int = 0) -> tuple[Pipeline, dict]:
    """Fit :func:`build_status_pipeline` on every record with text (real and synthetic).

    Returns the fitted pipeline and a metrics dict for the model manifest:
    label counts (real and synthetic apart), the data hash, library versions,
    the training date and how long fitting took. Raises ``ValueError`` on an
    invalid record (see :func:`record_problem`).
    """
    records = checked_records(records)
    usable = [r for r in records if r["text"].strip()]
    if not usable:
        raise ValueError("no records with text to train on")
    started = time.perf_counter()
    pipeline = build_status_pipeline(random_state=random_state)
    pipeline.fit([r["text"] for r in usable], [r["label"] for r in usable])
    seconds = time.perf_counter() - started
    real = [r for r in usable if not is_synthetic(r)]
    synthetic = [r for r in usable if is_synthetic(r)]
    classifier = pipeline.named_steps["classifier"]
    metrics = {
        "n_records": len(records),
        "n_trained": len(usable),
        "n_skipped_empty": len(records) - len(usable),
        "label_counts": {"real": label_counts(real), "synthetic": label_counts(synthetic)},
        "forces": sorted({str(r["force"]) for r in real}),
        "data_sha256": data_hash(records),
        "versions": library_versions(),
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_seconds": round(seconds, 3),
        "random_state": random_state,
        "classes": [str(c) for c in classifier.classes_],
        "calibrated": bool(classifier.calibrated_),
        "calibration_folds": int(classifier.n_splits_),
        "steps": _describe(pipeline),
    }
    return pipeline, metrics


def _describe(pipeline: Pipeline) -> list[str]:
    features = pipeline.named_steps["features"]
    classifier = pipeline.named_steps["classifier"]
    parts = [f"features/{name}: {type(step).__name__}" for name, step in features.transformer_list]
    inner = type(classifier.estimator).__name__
    parts.append(f"classifier: {type(classifier).__name__}({inner}, method={classifier.method})")
    return parts
