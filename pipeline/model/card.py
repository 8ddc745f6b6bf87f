"""The model card (``models/model-card.md``): intended use, model, data, evaluation and limits."""

from __future__ import annotations

from typing import Any, Mapping

from pipeline.model.evaluation import MODEL_NAMES, MODEL_TITLES, NO_REAL
from pipeline.types import GUIDELINE_ORDER


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
            f"**Not evaluated.** {NO_REAL} The model's accuracy on real responses is unknown:",
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
        out.append(f"| {MODEL_TITLES[name]} | {m['macro_f1']:.3f} | {a:.3f}–{b:.3f} | {m['accuracy']:.3f} |")
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
