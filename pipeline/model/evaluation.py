"""Honest evaluation on real text only.

Nested cross-validation grouped by force, baselines, calibration, the needs-review flag, the New Zealand
out-of-domain figure and annotator agreement.

What :func:`evaluate` measures, and why each rule:

* **Real items only are scored.** Every real record (``real.jsonl``, ``seeds.jsonl``, reviews), one per
  distinct text (:func:`~pipeline.model.training.real_items`). Synthetic passages and the New Zealand
  set are training material at most; they never sit in a test fold and never count in a police figure.
* **Grouped by force.** The outer folds are ``GroupKFold`` over the forces ("Gwent" and "Gwent Police"
  are one force, :func:`~pipeline.model.training.normalise_force`): no force is in both training and test.
* **Nested choices.** Inside each outer fold, :func:`~pipeline.model.training.select_variant` picks the
  training variant (real only, + synthetic, + synthetic + New Zealand) and the regularisation ``C``
  (:data:`~pipeline.model.training.C_GRID`) by grouped CV on that fold's training forces alone; the outer
  test force is never looked at. The fixed variants are scored too (at the fold's chosen ``C``), so
  "with and without" synthetic and New Zealand passages can be compared.
* **Apart and together.** Specific items (recommendations, areas for improvement, causes of concern)
  and blanket answers (kind ``all``, labelled by what they say, guideline D9) are scored apart and
  together.
* **Intervals.** Percentile bootstrap of the pooled out-of-fold predictions, the same resamples for
  every model (paired).
* **Calibration and review.** Expected calibration error (10 equal-width bins of the top label's
  probability) and the needs-review flag (confidence below the report's threshold,
  ``pipeline/data/report.toml``): the share of errors it flags and the share of items it flags; also at
  the threshold that flags ``flag_share`` of items (a quantile of the confidences: no label is used).
* **Sentence embeddings measured.** Each outer fold also fits its chosen variant with the sentence embeddings
  switched the other way from the shipped model: the paired bootstrap of the difference says what they gain
  (issue 12: a gain of at least 0.03 macro-F1 with an interval above 0 to ship them).
* **A review threshold fitted on training folds.** Each outer fold fits the lowest threshold that flags
  ``REVIEW_CATCH`` of the errors in its training forces' held-out calibration probabilities and applies it
  to its test forces; the curve of errors caught against items flagged is reported beside it.
* **Out of domain, never pooled.** The New Zealand agencies' status updates (``label_strict``) are
  scored separately, with the agency's status-stating sentence kept and masked; when the chosen variant
  trains on them, they are split by recommendation (GroupKFold), never by row.
* **Agreement.** Cohen's κ per annotation batch over the items both annotators found, matched by
  ``(file, item)``; a batch without annotator files reports the κ its README states.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any, Mapping, Sequence

import numpy as np
from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from pipeline.classify import CueRuleClassifier, predict_labels
from pipeline.model.embeddings import SentenceEncoder
from pipeline.model.embeddings import available as embeddings_available
from pipeline.model.features import share_engine
from pipeline.model.training import (
    EMBEDDINGS,
    VARIANT_MARGIN,
    VARIANTS,
    checked_records,
    external_records,
    fit_variant,
    is_synthetic,
    label_counts,
    real_items,
    select_variant,
    training_set,
)
from pipeline.types import GUIDELINE_ORDER, LABELS

#: The models of the headline tables: the trained model (nested choice of variant) and two baselines.
MODEL_NAMES: tuple[str, ...] = ("model", "majority", "cue_rules")
MODEL_TITLES = {"model": "trained model", "majority": "majority label", "cue_rules": "cue rules"}
#: Item subsets scored apart and together.
SUBSETS: tuple[str, ...] = ("all", "specific", "blanket")
SUBSET_TITLES = {"all": "all real items", "specific": "specific items", "blanket": "blanket answers (all)"}
#: Targets of issue 12 (what "done" means), checked in the card and the printed report.
#: The review rule fitted on training folds: the lowest confidence threshold whose flag catches this share of
#: the training forces' held-out errors (issue 12's goal for the flag).
REVIEW_CATCH = 0.70
#: Thresholds of the review curve in the card (flag = confidence below the threshold).
REVIEW_CURVE = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))
TARGETS = {"specific_macro_f1": 0.80, "blanket_macro_f1": 0.75, "label_f1": 0.70, "ece": 0.08,
           "review_errors_flagged": 0.70, "review_items_flagged": 0.30}

NO_REAL = "No real (non-synthetic) annotated passages: nothing to evaluate. Synthetic passages never count."


# --- scores ---------------------------------------------------------------------------------

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
    code = {label: i for i, label in enumerate(labels)}
    t = np.array([code[x] for x in truth], dtype=int)
    p = np.array([code[x] for x in pred], dtype=int)
    if not len(t):
        return {"n": 0, "per_label": {label: {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0} for label in labels},
                "macro_f1": 0.0, "accuracy": 0.0, "confusion_matrix": [[0] * len(labels) for _ in labels]}
    precision, recall, f1, support = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    return {
        "n": len(t),
        "per_label": {
            label: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
        "macro_f1": _fast_macro_f1(t, p, len(labels)),
        "accuracy": float(np.mean(t == p)),
        "confusion_matrix": confusion_matrix(truth, pred, labels=labels).tolist(),
    }


def _bootstrap(truth: Sequence[str], preds: Mapping[str, Sequence[str]], resamples: int, seed: int) -> dict[str, list[float]]:
    """95% percentile intervals of macro-F1; the same resamples for every model (paired)."""
    code = {label: i for i, label in enumerate(GUIDELINE_ORDER)}
    t = np.array([code[x] for x in truth], dtype=int)
    if not len(t):
        return {name: [0.0, 0.0] for name in preds}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(t), size=(resamples, len(t)))
    intervals = {}
    for name, pred in preds.items():
        p = np.array([code[x] for x in pred], dtype=int)
        values = np.array([_fast_macro_f1(t[idx], p[idx], len(code)) for idx in draws])
        intervals[name] = [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]
    return intervals


def expected_calibration_error(truth: Sequence[str], probabilities: np.ndarray, bins: int = 10) -> dict:
    """ECE of the top label: ``sum_b (n_b / n) * |accuracy_b - mean confidence_b|`` over equal-width bins.

    Args:
        truth: true labels, one per row.
        probabilities: ``(n, 4)`` in :data:`~pipeline.types.LABELS` order.
        bins: number of equal-width confidence bins on (0, 1].

    Returns:
        ``{"ece", "bins": [{"lo", "hi", "n", "accuracy", "confidence"}, ...]}`` (empty bins left out).
    """
    probabilities = np.asarray(probabilities, dtype=float)
    if not len(truth):
        return {"ece": 0.0, "bins": []}
    confidence = probabilities.max(axis=1)
    correct = np.array([LABELS[int(np.argmax(row))] == t for row, t in zip(probabilities, truth)])
    out, ece = [], 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (confidence > lo) & (confidence <= hi) if lo > 0 else (confidence >= lo) & (confidence <= hi)
        if not inside.any():
            continue
        accuracy, mean_conf = float(correct[inside].mean()), float(confidence[inside].mean())
        ece += inside.mean() * abs(accuracy - mean_conf)
        out.append({"lo": float(lo), "hi": float(hi), "n": int(inside.sum()), "accuracy": accuracy, "confidence": mean_conf})
    return {"ece": float(ece), "bins": out}


def review_flag(truth: Sequence[str], probabilities: np.ndarray, threshold: float) -> dict:
    """The needs-review flag (confidence below ``threshold``): share of errors flagged, share of items flagged."""
    probabilities = np.asarray(probabilities, dtype=float)
    if not len(truth):
        return {"threshold": threshold, "n": 0, "errors": 0, "flagged": 0, "errors_flagged": 0,
                "share_of_errors_flagged": 0.0, "share_of_items_flagged": 0.0}
    confidence = probabilities.max(axis=1)
    wrong = np.array([LABELS[int(np.argmax(row))] != t for row, t in zip(probabilities, truth)])
    flagged = confidence < threshold
    return {
        "threshold": float(threshold), "n": len(truth), "errors": int(wrong.sum()), "flagged": int(flagged.sum()),
        "errors_flagged": int((wrong & flagged).sum()),
        "share_of_errors_flagged": float((wrong & flagged).sum() / wrong.sum()) if wrong.any() else 1.0,
        "share_of_items_flagged": float(flagged.mean()),
    }


def catch_threshold(truth: Sequence[str], probabilities: np.ndarray, classes: Sequence[str],
                    catch: float = REVIEW_CATCH) -> float:
    """The lowest threshold whose flag (confidence below it) catches ``catch`` of the errors in ``truth``.

    Fitted on out-of-fold probabilities of training forces (columns in ``classes`` order), then applied to a
    test fold: the threshold never sees a test label. 0.0 (flag nothing) when there is no error.
    """
    probabilities = np.asarray(probabilities, dtype=float)
    if not len(truth):
        return 0.0
    predicted = np.asarray(classes, dtype=object)[np.argmax(probabilities, axis=1)]
    confidence = probabilities.max(axis=1)
    wrong = np.sort(confidence[predicted != np.asarray(truth, dtype=object)])
    if not len(wrong):
        return 0.0
    k = int(np.ceil(catch * len(wrong)))
    return float(wrong[k - 1]) + 1e-9


def review_curve(truth: Sequence[str], probabilities: np.ndarray, thresholds: Sequence[float] = REVIEW_CURVE) -> list[dict]:
    """:func:`review_flag` at each threshold: the trade-off between errors caught and items flagged."""
    return [review_flag(truth, probabilities, t) for t in thresholds]


def _quantile_threshold(probabilities: np.ndarray, share: float) -> float:
    """The confidence below which ``share`` of the items fall (labels are not looked at)."""
    confidence = np.sort(np.asarray(probabilities, dtype=float).max(axis=1))
    if not len(confidence):
        return 0.0
    k = int(np.floor(share * len(confidence)))
    return float(confidence[k]) if k < len(confidence) else float(confidence[-1]) + 1e-9


# --- agreement ------------------------------------------------------------------------------

_README_KAPPA = re.compile(r"κ\s*=\s*([0-9]*\.[0-9]+)(?:\s+over the\s+(\d+)\s+items)?")


def batch_agreement(batches: Mapping[str, Mapping[str, Any]]) -> dict[str, dict]:
    """Cohen's κ per annotation batch.

    Args:
        batches: batch name -> ``{"a": records, "b": records, "readme": text}``
            (``corpus/annotations/batches/<batch>/a.jsonl``, ``b.jsonl``, ``README.md``;
            any may be missing).

    Returns:
        batch -> ``{"kappa", "n_both", "agreement", "only_a", "only_b", "source"}``: with both annotator
        files, ``sklearn.metrics.cohen_kappa_score`` over the items both found, matched by
        ``(file, item)``; otherwise the κ (and item count) the README states, ``source = "readme"``,
        or ``kappa = None`` when it states none.
    """
    out = {}
    for name in sorted(batches):
        batch = batches[name]
        a, b = batch.get("a"), batch.get("b")
        if a and b:
            def keyed(rows: Sequence[Mapping[str, Any]]) -> dict:
                return {(str(r.get("file")), str(r.get("item"))): str(r.get("label")) for r in rows}
            left, right = keyed(a), keyed(b)
            both = sorted(set(left) & set(right))
            la, lb = [left[k] for k in both], [right[k] for k in both]
            kappa = float(cohen_kappa_score(la, lb, labels=list(GUIDELINE_ORDER))) if len(set(la) | set(lb)) > 1 else None
            out[name] = {"kappa": kappa, "n_both": len(both),
                         "agreement": float(np.mean([x == y for x, y in zip(la, lb)])) if both else None,
                         "only_a": len(set(left) - set(right)), "only_b": len(set(right) - set(left)),
                         "source": "annotator files"}
            continue
        match = _README_KAPPA.search(str(batch.get("readme") or ""))
        out[name] = {"kappa": float(match.group(1)) if match else None,
                     "n_both": int(match.group(2)) if match and match.group(2) else None,
                     "agreement": None, "only_a": None, "only_b": None, "source": "readme" if match else "none"}
    return out


# --- the evaluation ---------------------------------------------------------------------------

def _subset(entries: Sequence[Mapping[str, Any]], subset: str) -> list[Mapping[str, Any]]:
    if subset == "all":
        return list(entries)
    blanket = subset == "blanket"
    return [e for e in entries if (e["kind"] == "all") is blanket]


def _score_block(entries: Sequence[Mapping[str, Any]], names: Sequence[str], resamples: int, seed: int) -> dict:
    truth = [e["true"] for e in entries]
    preds = {name: [e[name] for e in entries] for name in names}
    intervals = _bootstrap(truth, preds, resamples, seed)
    block = {}
    for name in names:
        block[name] = _scores(truth, preds[name])
        block[name]["macro_f1_ci95"] = intervals[name]
    return block


def _majority(labels: Sequence[str]) -> str:
    counts = Counter(labels)
    # ties go to the less advanced label (the guidelines' tie rule)
    return max(LABELS, key=lambda label: (counts.get(label, 0), -LABELS.index(label)))


def evaluate(
    records: Sequence[Mapping[str, Any]], external_rows: Sequence[Mapping[str, Any]] = (),
    batches: Mapping[str, Mapping[str, Any]] | None = None, random_state: int = 0, resamples: int = 1000,
    bootstrap_seed: int = 0, review_threshold: float = 0.6, flag_share: float = 0.30, outer_splits: int = 10,
    compare_embeddings: bool = False, variant_margin: float = VARIANT_MARGIN,
) -> dict:
    """Nested grouped cross-validation of the model and two baselines on REAL items only.

    Args:
        records: annotation records (real and synthetic).
        external_rows: the New Zealand status-report rows (``corpus/external/taic-nz/``), or none.
        batches: annotator files per batch for :func:`batch_agreement` (``None``: not reported).
        random_state: seed of every estimator and fold.
        outer_splits: outer ``GroupKFold`` folds over the forces (at most one per force; with
            one force per fold it is leave-one-force-out). Ten keeps ``make train`` within minutes
            on two cores while every test force is still unseen.
        resamples: resamples of the paired bootstrap of the intervals.
        bootstrap_seed: seed of that bootstrap.
        review_threshold: the report's needs-review threshold (``pipeline/data/report.toml``).
        flag_share: the share of items the second reported flag threshold flags.
        compare_embeddings: also fit each fold's chosen model with the sentence embeddings switched the other
            way (``evaluate --embeddings``; needs the optional ``embeddings`` extra, about 1.1 GB, and several
            minutes more) and report the paired difference under ``"embeddings"`` (empty otherwise).
        variant_margin: the margin, in standard errors of the inner folds' macro-F1, by which a variant with added
            sources must beat real-only to be chosen (:func:`~pipeline.model.training.select_variant`).

    Returns:
        A JSON-ready dict: ``models`` (all real items: model, majority, cue_rules; per-label precision /
        recall / F1, macro-F1 with interval, accuracy, confusion matrix), ``subsets`` (the same for
        specific items and blanket answers), ``variants`` (each fixed training variant, all / specific /
        blanket), ``calibration`` (ECE per subset), ``needs_review``, ``selection`` (the variant each
        outer fold chose; ``selection_C`` the same for ``C``), ``folds``, ``predictions``, ``out_of_domain``,
        ``agreement``, ``targets``.
        Without real records ``models`` and ``folds`` are empty.
    """
    from pipeline.cues import CueEngine, load_cue_lexicon

    records = checked_records(records)
    usable = [r for r in records if r["text"].strip()]
    real, duplicates = real_items(usable)
    synthetic = [r for r in usable if is_synthetic(r)]
    external = external_records(external_rows)
    external_masked = external_records(external_rows, masked=True)
    forces = sorted({r["group"] for r in real})
    started = time.perf_counter()
    base = {
        "scheme": f"nested: outer GroupKFold({min(outer_splits, len(forces))}) by force; "
                  "inner GroupKFold by force picks the training variant",
        "labels": list(GUIDELINE_ORDER),
        "n_real": len(real),
        "n_duplicates_dropped": len(duplicates),
        "n_synthetic": len(synthetic),
        "n_external": len(external),
        "real_label_counts": label_counts(real),
        "real_kind_counts": dict(sorted(Counter(r["kind"] for r in real).items())),
        "forces": forces,
        "random_state": random_state,
        "bootstrap": {"resamples": resamples, "seed": bootstrap_seed, "interval": 0.95, "paired": True},
        "targets": dict(TARGETS),
        "variant_margin_se": float(variant_margin),
        "agreement": batch_agreement(batches) if batches is not None else {},
    }
    if not real:
        return {**base, "models": {}, "subsets": {}, "variants": {}, "calibration": {}, "needs_review": {},
                "selection": {}, "selection_C": {}, "folds": [], "predictions": [], "out_of_domain": {},
                "seconds": round(time.perf_counter() - started, 3), "notes": [NO_REAL]}

    engine = CueEngine(load_cue_lexicon(None), memo=True)
    encoder = SentenceEncoder(memo_size=None)
    # the shipped model's own arm needs the extra only if it uses the embeddings
    compare_embeddings = compare_embeddings and (EMBEDDINGS or embeddings_available())
    rules = CueRuleClassifier()
    share_engine(rules, engine)
    rules.fit([""])
    rule_labels = dict(zip((r["id"] for r in real), rules.predict([r["text"] for r in real])))
    variants = [v for v in VARIANTS
                if ("external" not in VARIANTS[v] or external) and ("synthetic" not in VARIANTS[v] or synthetic)]
    folds, pooled = [], []
    groups = np.array([r["group"] for r in real], dtype=object)
    n_outer = int(min(outer_splits, len(forces)))
    outer = GroupKFold(n_splits=n_outer).split(groups, groups=groups) if n_outer >= 2 else []
    for _, test_index in outer:
        held_out = set(groups[test_index].tolist())
        force = ", ".join(sorted(held_out))
        test = [r for r in real if r["group"] in held_out]
        train_real = [r for r in real if r["group"] not in held_out]
        texts = [r["text"] for r in test]
        selection = select_variant(train_real, synthetic, external, random_state=random_state, engine=engine,
                                   encoder=encoder, variant_margin=variant_margin)
        rows, threshold = {}, 0.0
        # every fixed variant at the fold's chosen regularisation: the comparison is of training data alone
        for variant in variants:
            variant_labels = sorted(set(training_set(train_real, synthetic, external, variant)[1]))
            if len(variant_labels) < 2:
                # a tiny corpus whose training side holds one label: that label, as the inner selection does
                only = np.zeros((len(texts), len(LABELS)))
                only[:, LABELS.index(variant_labels[0])] = 1.0
                rows[variant] = ([variant_labels[0]] * len(texts), only)
                continue
            fitted = fit_variant(train_real, synthetic, external, variant, random_state=random_state, engine=engine,
                                 encoder=encoder, C=selection["C"])
            rows[variant] = predict_labels(fitted, texts)
            if variant == selection["variant"]:
                threshold = _fold_review_threshold(fitted, train_real, synthetic, external, variant)
        # the same choice with the sentence embeddings switched the other way: what they gain, on the same folds
        # (only where the optional extra is installed: the shipped model does not need it)
        other = (predict_labels(fit_variant(train_real, synthetic, external, selection["variant"],
                                            random_state=random_state, engine=engine, encoder=encoder,
                                            embeddings=not EMBEDDINGS), texts)
                 if compare_embeddings else None)
        majority = _majority([r["label"] for r in train_real])
        chosen_labels, chosen_rows = rows[selection["variant"]]
        for i, record in enumerate(test):
            entry = {"id": str(record["id"]), "force": str(record["force"]), "group": record["group"], "kind": record["kind"],
                     "true": record["label"], "model": chosen_labels[i],
                     "probabilities": [round(float(v), 6) for v in chosen_rows[i]],
                     "majority": majority, "cue_rules": str(rule_labels[record["id"]]), "variant": selection["variant"],
                     "C": selection["C"],
                     "review_threshold": round(threshold, 6)}
            if other is not None:
                entry["other_embeddings"] = other[0][i]
                entry["probabilities:other_embeddings"] = [round(float(v), 6) for v in other[1][i]]
            for variant in variants:
                entry[f"variant:{variant}"] = rows[variant][0][i]
                entry[f"probabilities:{variant}"] = [round(float(v), 6) for v in rows[variant][1][i]]
            pooled.append(entry)
        fold_truth = [r["label"] for r in test]
        folds.append({
            "force": force, "forces": sorted(held_out), "n_test": len(test), "test_ids": [str(r["id"]) for r in test],
            "train_forces": sorted({r["group"] for r in train_real}), "n_train_real": len(train_real),
            "variant": selection["variant"], "C": selection["C"], "inner_scores": selection["scores"],
            "inner_best": selection.get("best"), "inner_standard_error": selection.get("standard_error"),
            "inner_grid": selection.get("grid", {}), "review_threshold": threshold,
            "scores": {name: {k: v for k, v in _scores(fold_truth, [e[name] for e in pooled[-len(test):]]).items()
                              if k in ("macro_f1", "accuracy")} for name in MODEL_NAMES},
        })

    subsets = {s: _score_block(_subset(pooled, s), MODEL_NAMES, resamples, bootstrap_seed) for s in SUBSETS}
    variant_scores = {}
    for variant in variants:
        key = f"variant:{variant}"
        variant_scores[variant] = {s: _score_block(_subset(pooled, s), [key], resamples, bootstrap_seed)[key] for s in SUBSETS}
        for s in SUBSETS:
            part = _subset(pooled, s)
            probabilities = np.array([e[f"probabilities:{variant}"] for e in part]).reshape(-1, len(LABELS))
            variant_scores[variant][s]["ece"] = expected_calibration_error([e["true"] for e in part], probabilities)["ece"]
    embeddings = _embedding_gain(pooled, resamples, bootstrap_seed) if compare_embeddings else {}
    for entry in pooled:  # the fixed variants' probabilities served their ECE; the chosen model's stay
        for variant in variants:
            entry.pop(f"probabilities:{variant}", None)
        entry.pop("probabilities:other_embeddings", None)
    calibration, needs_review = {}, {}
    for s in SUBSETS:
        part = _subset(pooled, s)
        truth = [e["true"] for e in part]
        probabilities = np.array([e["probabilities"] for e in part]).reshape(-1, len(LABELS))
        calibration[s] = expected_calibration_error(truth, probabilities)
        quantile = _quantile_threshold(probabilities, flag_share)
        needs_review[s] = {"report_threshold": review_flag(truth, probabilities, review_threshold),
                           "share_threshold": {**review_flag(truth, probabilities, quantile), "target_share": flag_share},
                           "training_threshold": _fold_thresholds_flag(part, probabilities),
                           "curve": review_curve(truth, probabilities)}
    out_of_domain = _out_of_domain(real, synthetic, external, external_masked, (engine, encoder), rules, random_state,
                                   resamples, bootstrap_seed, variant_margin)
    return {
        **base,
        "variants_evaluated": variants,
        "models": subsets["all"],
        "subsets": {s: subsets[s] for s in ("specific", "blanket")},
        "variants": variant_scores,
        "embeddings": embeddings,
        "calibration": calibration,
        "needs_review": needs_review,
        "selection": dict(sorted(Counter(f["variant"] for f in folds).items())),
        "selection_C": {f"{c:g}": n for c, n in sorted(Counter(f["C"] for f in folds).items())},
        "folds": folds,
        "predictions": pooled,
        "out_of_domain": out_of_domain,
        "seconds": round(time.perf_counter() - started, 3),
        "notes": [
            "Test folds hold real items only; synthetic and New Zealand passages may train a fold, never test one.",
            "Identical texts (case and white space aside) are kept once.",
            "model = the variant chosen inside each outer fold by grouped CV on that fold's training forces.",
            "majority = most frequent label among the fold's real training items.",
            "macro-F1 averages the labels that occur in the truth or the predictions.",
        ],
    }


def _fold_review_threshold(fitted: Any, train_real: Sequence[Mapping[str, Any]], synthetic: Sequence[Mapping[str, Any]],
                           external: Sequence[Mapping[str, Any]], variant: str) -> float:
    """:func:`catch_threshold` on the held-out calibration probabilities of a fold's training forces."""
    classifier = fitted.named_steps["classifier"]
    _, labels, _ = training_set(train_real, synthetic, external, variant)
    index = classifier.held_out_index_
    return catch_threshold([labels[i] for i in index], classifier.held_out_proba_, [str(c) for c in classifier.classes_])


def _fold_thresholds_flag(entries: Sequence[Mapping[str, Any]], probabilities: np.ndarray) -> dict:
    """The flag with each outer fold's own threshold (fitted on its training forces), pooled."""
    truth = [e["true"] for e in entries]
    if not entries:
        return {**review_flag(truth, probabilities, 0.0), "threshold_range": [0.0, 0.0], "catch": REVIEW_CATCH}
    thresholds = np.array([e["review_threshold"] for e in entries], dtype=float)
    confidence = np.asarray(probabilities, dtype=float).max(axis=1)
    wrong = np.array([LABELS[int(np.argmax(row))] != t for row, t in zip(probabilities, truth)])
    flagged = confidence < thresholds
    return {"n": len(truth), "errors": int(wrong.sum()), "flagged": int(flagged.sum()),
            "errors_flagged": int((wrong & flagged).sum()),
            "share_of_errors_flagged": float((wrong & flagged).sum() / wrong.sum()) if wrong.any() else 1.0,
            "share_of_items_flagged": float(flagged.mean()), "catch": REVIEW_CATCH,
            "threshold_range": [float(thresholds.min()), float(thresholds.max())]}


def _embedding_gain(pooled: Sequence[Mapping[str, Any]], resamples: int, seed: int) -> dict:
    """The same nested choice with and without sentence embeddings: scores, ECE and the paired difference.

    One arm is the model (:data:`~pipeline.model.training.EMBEDDINGS` says which), the other ``other_embeddings``.
    Returns ``{subset: {"with", "without": {"macro_f1", "per_label_f1", "ece"}, "difference", "difference_ci95"}}``;
    the difference interval is a paired percentile bootstrap (the same resamples for both).
    """
    code = {label: i for i, label in enumerate(GUIDELINE_ORDER)}
    out = {}
    for s in SUBSETS:
        part = _subset(pooled, s)
        truth = [e["true"] for e in part]
        block = {}
        arms = {True: ("model", "probabilities"), False: ("other_embeddings", "probabilities:other_embeddings")}
        for name, (key, prob_key) in (("with", arms[EMBEDDINGS]), ("without", arms[not EMBEDDINGS])):
            scores = _scores(truth, [e[key] for e in part])
            probabilities = np.array([e[prob_key] for e in part]).reshape(-1, len(LABELS))
            block[name] = {"macro_f1": scores["macro_f1"], "accuracy": scores["accuracy"],
                           "per_label_f1": {k: v["f1"] for k, v in scores["per_label"].items()},
                           "ece": expected_calibration_error(truth, probabilities)["ece"]}
        t = np.array([code[x] for x in truth], dtype=int)
        a = np.array([code[e[arms[EMBEDDINGS][0]]] for e in part], dtype=int)
        b = np.array([code[e[arms[not EMBEDDINGS][0]]] for e in part], dtype=int)
        difference = block["with"]["macro_f1"] - block["without"]["macro_f1"]
        interval = [0.0, 0.0]
        if len(t):
            draws = np.random.default_rng(seed).integers(0, len(t), size=(resamples, len(t)))
            d = np.array([_fast_macro_f1(t[i], a[i], len(code)) - _fast_macro_f1(t[i], b[i], len(code)) for i in draws])
            interval = [float(np.percentile(d, 2.5)), float(np.percentile(d, 97.5))]
        out[s] = {**block, "difference": float(difference), "difference_ci95": interval}
    return out


def _out_of_domain(real: Sequence[Mapping[str, Any]], synthetic: Sequence[Mapping[str, Any]],
                   external: Sequence[Mapping[str, Any]], external_masked: Sequence[Mapping[str, Any]],
                   engines: tuple[Any, Any], rules: Any, random_state: int, resamples: int, seed: int,
                   variant_margin: float = VARIANT_MARGIN) -> dict:
    """The New Zealand figure of the shipped configuration (variant chosen on all police items), never pooled."""
    if not external:
        return {}
    engine, encoder = engines
    selection = select_variant(real, synthetic, external, random_state=random_state, engine=engine, encoder=encoder,
                               variant_margin=variant_margin)
    variant, c = selection["variant"], selection["C"]
    truth = [r["label"] for r in external]
    unmasked_pred: list[str] = [""] * len(external)
    masked_pred: list[str] = [""] * len(external)
    if "external" in VARIANTS[variant]:
        # trained on New Zealand passages too: test each recommendation on a model that never saw it (any year)
        groups = np.array([r["group"] for r in external], dtype=object)
        n = int(min(5, len(set(groups.tolist()))))
        for train_index, test_index in GroupKFold(n_splits=n).split(groups, groups=groups):
            model = fit_variant(real, synthetic, [external[i] for i in train_index], variant, random_state=random_state,
                                engine=engine, encoder=encoder, C=c)
            for target, source in ((unmasked_pred, external), (masked_pred, external_masked)):
                labels, _ = predict_labels(model, [source[i]["text"] for i in test_index])
                for i, label in zip(test_index, labels):
                    target[i] = label
        scheme = f"GroupKFold({n}) by recommendation over the New Zealand set, added to all police items"
    else:
        model = fit_variant(real, synthetic, external, variant, random_state=random_state, engine=engine, encoder=encoder,
                            C=c)
        unmasked_pred = predict_labels(model, [r["text"] for r in external])[0]
        masked_pred = predict_labels(model, [r["text"] for r in external_masked])[0]
        scheme = "trained on all police items, never on the New Zealand set"
    rule_unmasked = [str(x) for x in rules.predict([r["text"] for r in external])]
    rule_masked = [str(x) for x in rules.predict([r["text"] for r in external_masked])]
    with_line = [i for i, r in enumerate(external) if r["has_status_line"]]

    def block(pred: Sequence[str], rule: Sequence[str], index: Sequence[int]) -> dict:
        t = [truth[i] for i in index]
        intervals = _bootstrap(t, {"model": [pred[i] for i in index], "cue_rules": [rule[i] for i in index]}, resamples, seed)
        out = {}
        for name, p in (("model", pred), ("cue_rules", rule)):
            out[name] = _scores(t, [p[i] for i in index])
            out[name]["macro_f1_ci95"] = intervals[name]
        return out

    everyone = list(range(len(external)))
    return {
        "source": "corpus/external/taic-nz/taic_minister_status_reports.jsonl (label_strict)",
        "variant": variant, "C": c, "scheme": scheme, "n": len(external), "n_with_status_line": len(with_line),
        "label_counts": label_counts(external),
        "unmasked": block(unmasked_pred, rule_unmasked, everyone),
        "masked": block(masked_pred, rule_masked, everyone),
        "with_status_line_unmasked": block(unmasked_pred, rule_unmasked, with_line),
        "with_status_line_masked": block(masked_pred, rule_masked, with_line),
    }


# --- the printed report ---------------------------------------------------------------------

def _row(title: str, m: Mapping[str, Any]) -> str:
    lo, hi = m["macro_f1_ci95"]
    return f"{title:26}{m['n']:5d}{m['macro_f1']:9.3f}  [{lo:5.3f}, {hi:5.3f}]  {m['accuracy']:8.3f}"


def target_checks(report: Mapping[str, Any]) -> list[dict]:
    """Each target of issue 12 with the measured figure, met or not, and the gap."""
    if not report.get("models"):
        return []
    subsets = report["subsets"]
    review = report["needs_review"]["all"]["report_threshold"]
    checks = [
        ("macro-F1, specific items", subsets["specific"]["model"]["macro_f1"], TARGETS["specific_macro_f1"], ">="),
        ("macro-F1, blanket answers", subsets["blanket"]["model"]["macro_f1"], TARGETS["blanket_macro_f1"], ">="),
        *[(f"F1 of `{label}` (all real items)", report["models"]["model"]["per_label"][label]["f1"], TARGETS["label_f1"], ">=")
          for label in report["labels"]],
        ("expected calibration error (all)", report["calibration"]["all"]["ece"], TARGETS["ece"], "<="),
        (f"errors flagged for review (threshold {review['threshold']:.2f})", review["share_of_errors_flagged"],
         TARGETS["review_errors_flagged"], ">="),
        (f"items flagged for review (threshold {review['threshold']:.2f})", review["share_of_items_flagged"],
         TARGETS["review_items_flagged"], "<="),
    ]
    out = []
    for name, value, target, op in checks:
        met = value >= target if op == ">=" else value <= target
        out.append({"target": name, "value": float(value), "goal": f"{op} {target:.2f}", "met": bool(met),
                    "gap": 0.0 if met else float(abs(value - target))})
    return out


def format_evaluation(report: Mapping[str, Any]) -> str:
    """The plain-text tables ``make evaluate`` prints."""
    if not report["models"]:
        return f"{NO_REAL} ({report['n_synthetic']} synthetic passages available for training.)\n"
    labels = list(report["labels"])
    lines = [
        f"Nested grouped cross-validation ({report['scheme']}): "
        f"{report['n_real']} real items from {len(report['forces'])} forces "
        f"({report['n_duplicates_dropped']} duplicate texts dropped; {report['n_synthetic']} synthetic and "
        f"{report['n_external']} New Zealand passages may train, never test).",
        "Training variant chosen per outer fold by inner grouped CV: "
        + ", ".join(f"{k} x{v}" for k, v in report["selection"].items())
        + "; regularisation C: " + ", ".join(f"{k} x{v}" for k, v in report.get("selection_C", {}).items()),
        "",
        f"{'':26}{'n':>5}{'macro-F1':>9}  {'95% CI':>14}  {'accuracy':>8}",
    ]
    for subset in SUBSETS:
        block = report["models"] if subset == "all" else report["subsets"][subset]
        lines.append(f"-- {SUBSET_TITLES[subset]}")
        for name in MODEL_NAMES:
            lines.append(_row(MODEL_TITLES[name], block[name]))
    lines += ["", "Training variants (fixed, same folds): macro-F1 all / specific / blanket, ECE all"]
    for variant, scores in report["variants"].items():
        lines.append(f"{variant:26}" + " / ".join(f"{scores[s]['macro_f1']:.3f}" for s in SUBSETS)
                     + f"   ECE {scores['all']['ece']:.3f}")
    gain = report.get("embeddings") or {}
    if gain:
        lines += ["", f"Sentence embeddings ({'shipped' if EMBEDDINGS else 'not shipped'}; the same nested choice with and "
                  "without them, same folds): macro-F1 with / without, "
                  "paired difference [95% CI], ECE with / without"]
        for subset in SUBSETS:
            g = gain[subset]
            lo, hi = g["difference_ci95"]
            lines.append(f"  {SUBSET_TITLES[subset]:24} {g['with']['macro_f1']:.3f} / {g['without']['macro_f1']:.3f}   "
                         f"{g['difference']:+.3f} [{lo:+.3f}, {hi:+.3f}]   "
                         f"ECE {g['with']['ece']:.3f} / {g['without']['ece']:.3f}")
    lines += ["", "Per label, all real items (precision / recall / F1):"]
    lines.append(f"{'label':16}{'support':>8}" + "".join(f"{MODEL_TITLES[n]:>20}" for n in MODEL_NAMES))
    for label in labels:
        support = report["models"]["model"]["per_label"][label]["support"]
        cells = "".join("{:>20}".format("{precision:.2f} / {recall:.2f} / {f1:.2f}".format(
                            **report["models"][n]["per_label"][label])) for n in MODEL_NAMES)
        lines.append(f"{label:16}{support:8d}{cells}")
    for subset in SUBSETS:
        block = report["models"] if subset == "all" else report["subsets"][subset]
        lines += ["", f"Confusion matrix, trained model, {SUBSET_TITLES[subset]} (rows true, columns predicted):"]
        lines.append(f"{'':16}" + "".join(f"{label:>15}" for label in labels))
        for label, row in zip(labels, block["model"]["confusion_matrix"]):
            lines.append(f"{label:16}" + "".join(f"{v:15d}" for v in row))
    lines += ["", "Calibration and review (trained model):"]
    for subset in SUBSETS:
        r = report["needs_review"][subset]["report_threshold"]
        q = report["needs_review"][subset]["share_threshold"]
        lines.append(f"  {SUBSET_TITLES[subset]:24} ECE {report['calibration'][subset]['ece']:.3f}; "
                     f"flag < {r['threshold']:.2f}: {r['share_of_errors_flagged']:.0%} of errors, "
                     f"{r['share_of_items_flagged']:.0%} of items; "
                     f"flag < {q['threshold']:.2f}: {q['share_of_errors_flagged']:.0%} of errors, "
                     f"{q['share_of_items_flagged']:.0%} of items")
    trained = {s: report["needs_review"][s].get("training_threshold") for s in SUBSETS}
    if all(trained.values()):
        lines += ["", f"Review flag with each fold's threshold fitted on its training forces (the lowest that catches "
                  f"{REVIEW_CATCH:.0%} of their held-out errors):"]
        for subset in SUBSETS:
            t = trained[subset]
            lines.append(f"  {SUBSET_TITLES[subset]:24} thresholds {t['threshold_range'][0]:.2f}-{t['threshold_range'][1]:.2f}: "
                         f"{t['share_of_errors_flagged']:.0%} of errors, {t['share_of_items_flagged']:.0%} of items")
    curve = report["needs_review"]["all"].get("curve")
    if curve:
        lines += ["", "Review curve, all real items (flag < threshold: share of errors caught / share of items flagged):"]
        lines.append("  " + "  ".join(
            f"{c['threshold']:.2f}: {c['share_of_errors_flagged']:.0%}/{c['share_of_items_flagged']:.0%}" for c in curve))
    ood = report.get("out_of_domain") or {}
    if ood:
        lines += ["", f"Out of domain (New Zealand TAIC status updates, {ood['n']} rows; {ood['scheme']}; never pooled):",
                  f"{'':26}{'n':>5}{'macro-F1':>9}  {'95% CI':>14}  {'accuracy':>8}"]
        for key, title in (("unmasked", "status sentence kept"), ("masked", "status sentence masked"),
                           ("with_status_line_unmasked", "  rows with one, kept"),
                           ("with_status_line_masked", "  rows with one, masked")):
            lines.append(_row(f"{title}", ood[key]["model"]) + f"   cue rules {ood[key]['cue_rules']['macro_f1']:.3f}")
    if report.get("agreement"):
        lines += ["", "Annotator agreement (Cohen's kappa per batch):"]
        for batch, a in report["agreement"].items():
            kappa = "n/a" if a["kappa"] is None else f"{a['kappa']:.2f}"
            n_both = a["n_both"] if a["n_both"] is not None else "?"
            lines.append(f"  {batch:16} kappa {kappa} over {n_both} items both found ({a['source']})")
    lines += ["", "Targets (issue 12):"]
    for check in target_checks(report):
        status = "met" if check["met"] else f"MISSED by {check['gap']:.3f}"
        lines.append(f"  {check['target']:48} {check['value']:.3f} (goal {check['goal']}): {status}")
    lines += ["", "Per outer fold (macro-F1 / accuracy):",
              f"{'test forces':24}{'n':>4}{'variant':>20}" + "".join(f"{MODEL_TITLES[n]:>18}" for n in MODEL_NAMES)]
    for fold in report["folds"]:
        cells = "".join("{:>18}".format(f"{fold['scores'][n]['macro_f1']:.2f} / {fold['scores'][n]['accuracy']:.2f}")
                        for n in MODEL_NAMES)
        lines.append(f"{fold['force'][:23]:24}{fold['n_test']:4d}{fold['variant']:>20}{cells}")
    return "\n".join(lines) + "\n"


def replace_marked_block(text: str, begin: str, end: str, block: str) -> str:
    """``text`` with the span from marker ``begin`` to marker ``end`` (both included) replaced by ``block``.

    Unchanged when the markers are absent or out of order. The generated figure blocks of the README and the
    model card (evaluation figures, learning curve) are kept this way.
    """
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        return text
    return text[:start] + block + text[stop + len(end):]
