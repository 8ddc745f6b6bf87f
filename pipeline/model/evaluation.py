"""Honest evaluation: leave-one-force-out on real passages only, against two baselines, with bootstrap intervals."""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from pipeline.classify import CueRuleClassifier, predict_labels
from pipeline.model.training import build_status_pipeline, checked_records, is_synthetic, label_counts
from pipeline.types import GUIDELINE_ORDER


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
    records = checked_records(records)
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
        "real_label_counts": label_counts(real),
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


MODEL_TITLES = {"model": "trained model", "majority": "majority label", "cue_rules": "cue rules"}


NO_REAL = "No real (non-synthetic) annotated passages: nothing to evaluate. Synthetic passages never count."


def format_evaluation(report: Mapping[str, Any]) -> str:
    """The plain-text tables ``make evaluate`` prints."""
    if not report["models"]:
        return f"{NO_REAL} ({report['n_synthetic']} synthetic passages available for training.)\n"
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
        lines.append(f"{MODEL_TITLES[name]:16}{m['macro_f1']:9.3f}  [{lo:5.3f}, {hi:5.3f}]  {m['accuracy']:8.3f}")
    lines += ["", "Per label (precision / recall / F1):"]
    header = f"{'label':16}{'support':>8}" + "".join(f"{MODEL_TITLES[n]:>20}" for n in MODEL_NAMES)
    lines.append(header)
    for label in labels:
        support = report["models"]["model"]["per_label"][label]["support"]
        cells = "".join(
            "{:>20}".format("{precision:.2f} / {recall:.2f} / {f1:.2f}".format(**report["models"][n]["per_label"][label]))
            for n in MODEL_NAMES
        )
        lines.append(f"{label:16}{support:8d}{cells}")
    for name in MODEL_NAMES:
        lines += ["", f"Confusion matrix, {MODEL_TITLES[name]} (rows true, columns predicted):"]
        lines.append(f"{'':16}" + "".join(f"{label:>15}" for label in labels))
        for label, row in zip(labels, report["models"][name]["confusion_matrix"]):
            lines.append(f"{label:16}" + "".join(f"{v:15d}" for v in row))
    lines += ["", "Per force (macro-F1 / accuracy):", f"{'force':24}{'n':>4}" + "".join(f"{MODEL_TITLES[n]:>18}" for n in MODEL_NAMES)]
    for fold in report["folds"]:
        cells = "".join("{:>18}".format(f"{fold['scores'][n]['macro_f1']:.2f} / {fold['scores'][n]['accuracy']:.2f}") for n in MODEL_NAMES)
        lines.append(f"{fold['force'][:23]:24}{fold['n_test']:4d}{cells}")
    return "\n".join(lines) + "\n"
