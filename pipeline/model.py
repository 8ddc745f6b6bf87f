"""The trained status classifier: one scikit-learn Pipeline, its training and its honest evaluation.

Everything learned lives inside the :class:`~sklearn.pipeline.Pipeline` built by
:func:`build_status_pipeline`::

    features    FeatureUnion
      cues        StatusCueFeatures   tense / aspect / modality cues of pipeline/data/cues.toml,
                                      the rule baseline's decision, past / future / deadline dates
      words       TfidfVectorizer     lower-cased word 1-2-grams
      chars       TfidfVectorizer     character 3-5-grams within word boundaries
    classifier  CalibratedStatusClassifier
                  LogisticRegression(class_weight="balanced") with sigmoid calibration
                  (CalibratedClassifierCV, stratified 3-fold; fewer folds when a
                  class is rare, uncalibrated when a class has a single example)

:func:`train` fits it on annotation records (the JSONL objects of
``corpus/annotation-guidelines.md``) and returns metrics for the manifest;
:func:`evaluate` runs leave-one-force-out cross-validation on the real
(non-synthetic) records against two baselines; :func:`format_evaluation` and
:func:`model_card` render the results. No file I/O here: the CLI reads the
annotations and writes the model through :mod:`pipeline.io`.
"""

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
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from pipeline.classify import CueRuleClassifier, predict_labels
from pipeline.cues import LazyCueEngineMixin, check_texts, cue_families, load_cue_lexicon, role_counts, rule_decision
from pipeline.dates import find_dates, parse_year_month
from pipeline.errors import PipelineError
from pipeline.types import GUIDELINE_ORDER, LABELS

# --- dates -------------------------------------------------------------------------

def _compare(when: tuple[int, int | None], ref: tuple[int, int | None]) -> int:
    """-1 if ``when`` is before ``ref``, 1 if after, 0 if the same or not comparable at that precision."""
    if when[1] is None or ref[1] is None:
        return (when[0] > ref[0]) - (when[0] < ref[0])
    return (when > ref) - (when < ref)


def date_features(text: str, reference: tuple[int, int | None] | None = None) -> dict[str, float]:
    """``date_past``, ``date_future``, ``date_deadline`` (0/1) for one text.

    Dates with a year are compared with ``reference`` (year, month) - the
    response's date when the caller knows it. Without a reference, the latest
    dated mention of the text is the reference, so ``date_past`` means "an
    earlier date than the latest one mentioned" and ``date_future`` cannot fire;
    promised dates still show through ``date_deadline`` ("by March 2026").
    Comparison is by month when both sides have one, else by year.
    """
    dates = find_dates(text)
    dated = [(d["year"], d["month"]) for d in dates if d["year"] is not None]
    ref = reference
    if ref is None and dated:
        ref = max(dated, key=lambda d: (d[0], d[1] or 0))
    relations = [_compare(d, ref) for d in dated] if ref is not None else []
    return {
        "date_past": float(any(r < 0 for r in relations)),
        "date_future": float(any(r > 0 for r in relations)),
        "date_deadline": float(any(d["deadline"] for d in dates)),
    }


# --- the spaCy cue transformer ---------------------------------------------------------

class StatusCueFeatures(LazyCueEngineMixin, TransformerMixin, BaseEstimator):
    """Linguistic cue features of tense, aspect and modality, one row per text.

    Texts go through the blank spaCy pipeline of :mod:`pipeline.nlp`
    (sentencizer + lookup lemmatizer) and the cue lexicon's Matcher (see
    ``pipeline/data/cues.toml`` and :class:`pipeline.cues.CueEngine`).
    Columns (``get_feature_names_out``):

    * ``cue_<family>`` - 1 if the family fires anywhere in the text (perfect,
      past, existing_practice, progressive, review_begun, future, conditional,
      outstanding, refusal, blanket, restatement, negation);
    * ``share_<family>`` - the share of the text's sentences in which it fires;
    * ``mixed_done_todo`` / ``mixed_done_started`` - both kinds present (the
      guidelines' mixed-tense case, which a linear model cannot form itself);
    * ``rule_<label>`` - one-hot of the rule baseline's decision;
    * ``date_past``, ``date_future``, ``date_deadline`` - see :func:`date_features`.

    Parameters
    ----------
    lexicon : None, str or mapping
        The cue lexicon (``None``: the packaged one). It is parsed into
        ``lexicon_`` at ``fit``, so a saved model keeps the lexicon it was
        trained with.
    reference_date : None, date or "YYYY[-MM[-DD]]"
        What dates are past or future relative to; ``None``: the latest date
        each text mentions.

    The spaCy ``Language`` is built on first use and dropped from the pickled
    state, so a saved model stays small and the pipeline is rebuilt (about a
    second) after loading.
    """

    def __init__(self, lexicon: str | Mapping[str, Any] | None = None, reference_date: Any = None) -> None:
        self.lexicon = lexicon
        self.reference_date = reference_date

    def fit(self, X: Any, y: Any = None) -> "StatusCueFeatures":
        """Load the lexicon and fix the feature names; nothing is learned from ``X``."""
        check_texts(X)
        self.lexicon_ = load_cue_lexicon(self.lexicon)
        self.reference_ = parse_year_month(self.reference_date)
        families = cue_families(self.lexicon_)
        names = [f"cue_{f}" for f in families] + [f"share_{f}" for f in families]
        names += ["mixed_done_todo", "mixed_done_started"]
        names += [f"rule_{label}" for label in LABELS]
        names += ["date_past", "date_future", "date_deadline"]
        self.feature_names_out_ = np.array(names, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The column names (see the class docstring)."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()


    def transform(self, X: Any) -> np.ndarray:
        """The feature matrix, ``(n_texts, n_features_out_)``."""
        check_is_fitted(self, "lexicon_")
        texts = check_texts(X)
        families = cue_families(self.lexicon_)
        index = {name: i for i, name in enumerate(self.feature_names_out_)}
        out = np.zeros((len(texts), self.n_features_out_))
        for row, (text, sentences) in enumerate(zip(texts, self._engine().analyse(texts))):
            n_sentences = max(len(sentences), 1)
            for family in families:
                hits = sum(1 for s in sentences if family in s.families)
                out[row, index[f"cue_{family}"]] = float(hits > 0)
                out[row, index[f"share_{family}"]] = hits / n_sentences
            counts = role_counts(sentences)
            out[row, index["mixed_done_todo"]] = float(counts["done"] > 0 and counts["todo"] > 0)
            out[row, index["mixed_done_started"]] = float(counts["done"] > 0 and counts["started"] > 0)
            out[row, index[f"rule_{rule_decision(counts)}"]] = 1.0
            for name, value in date_features(text, self.reference_).items():
                out[row, index[name]] = value
        return out


# --- calibrated classifier that survives rare classes ------------------------------------

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


def _checked(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
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


def _label_counts(records: Sequence[Mapping[str, Any]]) -> dict[str, int]:
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
    records = _checked(records)
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
        "label_counts": {"real": _label_counts(real), "synthetic": _label_counts(synthetic)},
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


# --- evaluation ----------------------------------------------------------------------

MODEL_NAMES: tuple[str, ...] = ("model", "majority", "cue_rules")


def _fast_macro_f1(truth: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Macro-F1 over the labels present in ``truth`` or ``pred`` (sklearn's default label set), labels coded 0..k-1."""
    cm = np.bincount(truth * k + pred, minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(float)
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)
    present = (support + predicted) > 0
    denominator = support + predicted
    f1 = np.divide(2 * tp, denominator, out=np.zeros(k), where=denominator > 0)
    return float(f1[present].mean()) if present.any() else 0.0


def _scores(truth: Sequence[str], pred: Sequence[str]) -> dict:
    labels = list(GUIDELINE_ORDER)
    precision, recall, f1, support = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    code = {label: i for i, label in enumerate(labels)}
    t = np.array([code[x] for x in truth], dtype=int)
    p = np.array([code[x] for x in pred], dtype=int)
    return {
        "per_label": {
            label: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
        "macro_f1": _fast_macro_f1(t, p, len(labels)) if len(t) else 0.0,
        "accuracy": float(np.mean(t == p)) if len(t) else 0.0,
        "confusion_matrix": confusion_matrix(truth, pred, labels=labels).tolist() if len(t) else [[0] * 4 for _ in labels],
    }


def _bootstrap(truth: Sequence[str], preds: Mapping[str, Sequence[str]], resamples: int, seed: int) -> dict[str, list[float]]:
    """95% percentile intervals of macro-F1; the same resamples for every model (paired)."""
    code = {label: i for i, label in enumerate(GUIDELINE_ORDER)}
    t = np.array([code[x] for x in truth], dtype=int)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(t), size=(resamples, len(t)))
    intervals = {}
    for name, pred in preds.items():
        p = np.array([code[x] for x in pred], dtype=int)
        values = np.array([_fast_macro_f1(t[idx], p[idx], len(code)) for idx in draws])
        intervals[name] = [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]
    return intervals


def _fit_majority(train_records: Sequence[Mapping[str, Any]]) -> DummyClassifier:
    real = [r for r in train_records if not is_synthetic(r)] or list(train_records)
    return DummyClassifier(strategy="most_frequent").fit([r["text"] for r in real], [r["label"] for r in real])


def evaluate(
    records: Sequence[Mapping[str, Any]], random_state: int = 0, resamples: int = 1000, bootstrap_seed: int = 0,
) -> dict:
    """Leave-one-force-out evaluation of the model and two baselines on REAL passages only.

    For each force with real records: the test fold is that force's real
    records; the training fold is every other force's real records plus all
    synthetic records (synthetic records are never tested and never counted).
    Models: ``model`` (:func:`build_status_pipeline`), ``majority`` (the most
    frequent label among the fold's real training records - all training
    records if there are none) and ``cue_rules`` (:class:`CueRuleClassifier`).
    Pooled out-of-fold predictions give per-label precision / recall / F1,
    macro-F1 with a paired bootstrap 95% interval (``resamples`` resamples,
    seed ``bootstrap_seed``) and the confusion matrix (rows true, columns
    predicted, labels in the guidelines' order). ``folds`` lists each fold's
    test force, test ids, training forces and scores. Without real records
    there is nothing to evaluate: ``models`` and ``folds`` are empty and
    :func:`format_evaluation` / :func:`model_card` say so.
    """
    records = _checked(records)
    real = [r for r in records if not is_synthetic(r)]
    synthetic = [r for r in records if is_synthetic(r)]
    forces = sorted({str(r["force"]) for r in real})
    folds, pooled = [], []
    started = time.perf_counter()
    for force in forces:
        test = [r for r in real if str(r["force"]) == force]
        train_real = [r for r in real if str(r["force"]) != force]
        training = [r for r in train_real + synthetic if r["text"].strip()]
        texts = [r["text"] for r in test]
        truth = [r["label"] for r in test]
        fitted = {
            "model": build_status_pipeline(random_state=random_state).fit([r["text"] for r in training], [r["label"] for r in training]),
            "majority": _fit_majority(training),
            "cue_rules": CueRuleClassifier().fit([r["text"] for r in training], [r["label"] for r in training]),
        }
        predicted = {name: predict_labels(estimator, texts)[0] for name, estimator in fitted.items()}
        folds.append({
            "force": force,
            "n_test": len(test),
            "test_ids": [str(r["id"]) for r in test],
            "train_forces": sorted({str(r["force"]) for r in train_real}),
            "n_train_real": len(train_real),
            "n_train_synthetic": len(synthetic),
            "scores": {name: {k: v for k, v in _scores(truth, predicted[name]).items() if k in ("macro_f1", "accuracy")} for name in MODEL_NAMES},
        })
        for i, record in enumerate(test):
            pooled.append({"id": str(record["id"]), "force": force, "true": truth[i], **{name: predicted[name][i] for name in MODEL_NAMES}})
    truth = [p["true"] for p in pooled]
    preds = {name: [p[name] for p in pooled] for name in MODEL_NAMES}
    models = {}
    if pooled:  # no real records: no figures at all (synthetic ones never count)
        intervals = _bootstrap(truth, preds, resamples, bootstrap_seed)
        for name in MODEL_NAMES:
            models[name] = _scores(truth, preds[name])
            models[name]["macro_f1_ci95"] = intervals[name]
    return {
        "scheme": "leave-one-force-out",
        "labels": list(GUIDELINE_ORDER),
        "n_real": len(real),
        "n_synthetic": len(synthetic),
        "real_label_counts": _label_counts(real),
        "forces": forces,
        "random_state": random_state,
        "bootstrap": {"resamples": resamples, "seed": bootstrap_seed, "interval": 0.95, "paired": True},
        "models": models,
        "folds": folds,
        "predictions": pooled,
        "seconds": round(time.perf_counter() - started, 3),
        "notes": [
            "Test folds hold real passages only; synthetic passages are added to every training fold and never scored.",
            "majority = most frequent label among the fold's real training passages.",
            "macro-F1 averages the labels that occur in the truth or the predictions.",
        ],
    }


_TITLES = {"model": "trained model", "majority": "majority label", "cue_rules": "cue rules"}


_NO_REAL = "No real (non-synthetic) annotated passages: nothing to evaluate. Synthetic passages never count."


def format_evaluation(report: Mapping[str, Any]) -> str:
    """The plain-text tables ``make evaluate`` prints."""
    if not report["models"]:
        return f"{_NO_REAL} ({report['n_synthetic']} synthetic passages available for training.)\n"
    labels = list(report["labels"])
    lines = [
        f"Leave-one-force-out evaluation: {report['n_real']} real passages from {len(report['forces'])} forces "
        f"({report['n_synthetic']} synthetic passages used for training only, never scored).",
        "",
        f"{'':16}{'macro-F1':>9}  {'95% CI':>14}  {'accuracy':>8}",
    ]
    for name in MODEL_NAMES:
        m = report["models"][name]
        lo, hi = m["macro_f1_ci95"]
        lines.append(f"{_TITLES[name]:16}{m['macro_f1']:9.3f}  [{lo:5.3f}, {hi:5.3f}]  {m['accuracy']:8.3f}")
    lines += ["", "Per label (precision / recall / F1):"]
    header = f"{'label':16}{'support':>8}" + "".join(f"{_TITLES[n]:>20}" for n in MODEL_NAMES)
    lines.append(header)
    for label in labels:
        support = report["models"]["model"]["per_label"][label]["support"]
        cells = "".join(
            "{:>20}".format("{precision:.2f} / {recall:.2f} / {f1:.2f}".format(**report["models"][n]["per_label"][label]))
            for n in MODEL_NAMES
        )
        lines.append(f"{label:16}{support:8d}{cells}")
    for name in MODEL_NAMES:
        lines += ["", f"Confusion matrix, {_TITLES[name]} (rows true, columns predicted):"]
        lines.append(f"{'':16}" + "".join(f"{label:>15}" for label in labels))
        for label, row in zip(labels, report["models"][name]["confusion_matrix"]):
            lines.append(f"{label:16}" + "".join(f"{v:15d}" for v in row))
    lines += ["", "Per force (macro-F1 / accuracy):", f"{'force':24}{'n':>4}" + "".join(f"{_TITLES[n]:>18}" for n in MODEL_NAMES)]
    for fold in report["folds"]:
        cells = "".join("{:>18}".format(f"{fold['scores'][n]['macro_f1']:.2f} / {fold['scores'][n]['accuracy']:.2f}") for n in MODEL_NAMES)
        lines.append(f"{fold['force'][:23]:24}{fold['n_test']:4d}{cells}")
    return "\n".join(lines) + "\n"


def model_card(metrics: Mapping[str, Any], evaluation: Mapping[str, Any]) -> str:
    """Markdown for ``models/model-card.md``."""
    labels = list(evaluation.get("labels", GUIDELINE_ORDER))
    real_counts = metrics["label_counts"]["real"]
    synthetic_counts = metrics["label_counts"]["synthetic"]
    out = [
        "# Model card: recommendation status classifier",
        "",
        "## Intended use",
        "",
        "Labels one passage of a police force's (or PCC's) published response to an HMICFRS inspection",
        "recommendation with its status: `completed`, `in_progress`, `planned` or `not_addressed`, as defined in",
        "`corpus/annotation-guidelines.md`. It reads only the force's own words (`Passage.response_text`) and",
        "gives a probability per label and the 1-2 sentences that most support its label as evidence.",
        "It is a screening aid for researchers building the scorecard: every status should be checkable against",
        "its evidence, and low-confidence labels should be reviewed by a person. It does not judge the quality",
        "of the work or whether the response is true.",
        "",
        "## Model",
        "",
        *[f"- {step}" for step in metrics.get("steps", [])],
        f"- calibrated: {metrics.get('calibrated')} ({metrics.get('calibration_folds')}-fold sigmoid)",
        f"- trained {metrics.get('trained_at')} in {metrics.get('training_seconds')} s; data sha256 `{metrics.get('data_sha256', '')[:16]}…`",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in metrics.get("versions", {}).items()),
        "",
        "## Data",
        "",
        "| label | real | synthetic |",
        "|---|---:|---:|",
    ]
    for label in labels:
        out.append(f"| `{label}` | {real_counts.get(label, 0)} | {synthetic_counts.get(label, 0)} |")
    out.append(f"| total | {sum(real_counts.values())} | {sum(synthetic_counts.values())} |")
    out += [
        "",
        "Real passages come from published responses (forces: " + (", ".join(metrics.get("forces", [])) or "none") + ").",
        "Synthetic passages are hand-written from the guidelines' phrasing categories to cover wording the",
        "real responses lack; they are used for training only and never in any evaluation figure.",
        "",
        "## Evaluation",
        "",
    ]
    if not evaluation["models"]:
        out += [
            f"**Not evaluated.** {_NO_REAL} The model's accuracy on real responses is unknown:",
            "do not use its labels without human review.",
            "",
            "## Limits",
            "",
            "- No real passages were available for training or evaluation; the model has only seen synthetic text.",
        ]
        return "\n".join(out) + "\n"
    model = evaluation["models"]["model"]
    lo, hi = model["macro_f1_ci95"]
    out += [
        f"Leave-one-force-out cross-validation on {evaluation['n_real']} real passages from {len(evaluation['forces'])} forces:",
        "no force is ever in both the training and the test side of a fold; synthetic passages are added to",
        f"every training fold and never scored. Intervals: bootstrap of the pooled out-of-fold predictions "
        f"({evaluation['bootstrap']['resamples']} resamples, seed {evaluation['bootstrap']['seed']}).",
        "",
        "| model | macro-F1 | 95% interval | accuracy |",
        "|---|---:|---:|---:|",
    ]
    for name in MODEL_NAMES:
        m = evaluation["models"][name]
        a, b = m["macro_f1_ci95"]
        out.append(f"| {_TITLES[name]} | {m['macro_f1']:.3f} | {a:.3f}–{b:.3f} | {m['accuracy']:.3f} |")
    out += ["", "Per label (trained model):", "", "| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for label in labels:
        s = model["per_label"][label]
        out.append(f"| `{label}` | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | {s['support']} |")
    out += ["", "Confusion matrix (trained model; rows true, columns predicted):", "",
            "| true \\ predicted | " + " | ".join(f"`{label}`" for label in labels) + " |",
            "|---|" + "---:|" * len(labels)]
    for label, row in zip(labels, model["confusion_matrix"]):
        out.append(f"| `{label}` | " + " | ".join(str(v) for v in row) + " |")
    out += ["", "Per force (trained model):", "", "| force | passages | macro-F1 | accuracy |", "|---|---:|---:|---:|"]
    for fold in evaluation["folds"]:
        s = fold["scores"]["model"]
        out.append(f"| {fold['force']} | {fold['n_test']} | {s['macro_f1']:.2f} | {s['accuracy']:.2f} |")
    out += ["", "## Limits", ""]
    if model["macro_f1"] < 0.80:
        out.append(
            f"- **The macro-F1 on real passages is {model['macro_f1']:.2f} (95% interval {lo:.2f}–{hi:.2f}), below 0.80: "
            "do not use the labels without human review.**"
        )
    else:
        out.append(f"- Macro-F1 on real passages is {model['macro_f1']:.2f} (95% interval {lo:.2f}–{hi:.2f}).")
    out += [
        f"- The real evaluation set is small ({evaluation['n_real']} passages, {len(evaluation['forces'])} forces): the interval is wide and"
        " a single force's house style can move the figures.",
    ]
    rules = evaluation["models"]["cue_rules"]["macro_f1"]
    if model["macro_f1"] <= rules:
        out.append(f"- The trained model does not beat the transparent cue-rule baseline (macro-F1 {rules:.2f}) on real passages.")
    if sum(synthetic_counts.values()) > sum(real_counts.values()):
        out += [
            "- Most training passages are synthetic; they were written from the guidelines, not sampled from real",
            "  responses, so the model may over-rely on textbook cue phrases.",
        ]
    out += [
        "- Tense and modality cues come from a blank spaCy pipeline (no parser or tagger): participles and",
        "  progressives are recognised by word form, so unusual phrasing can be missed.",
        "- Dates are compared with the latest date the passage itself mentions, not the response date.",
        "- English only: Welsh passages get unreliable labels.",
        "- The guidelines' tie rule (choose the less advanced label) is applied only to exact probability ties.",
    ]
    return "\n".join(out) + "\n"
