"""Command line: a thin layer over the stage functions.

``python -m pipeline score INPUT... --out DIR [--manifest CSV]``
``python -m pipeline classify --in IN.jsonl --out OUT.jsonl``
``python -m pipeline train`` / ``evaluate``

Exit codes: 0 every document scored; 1 some documents reported in
``errors.csv`` (the outputs are still written); 2 a usage or set-up error.
Expected failures print one line each, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from pipeline import io
from pipeline.errors import PipelineError, format_problem

DEFAULT_MODEL = "models/status-classifier.joblib"
DEFAULT_INSPECTIONS = "corpus/inspections"
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its one-line usage message
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m pipeline", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    score = sub.add_parser("score", help="score responses into a scorecard dataset")
    score.add_argument("inputs", nargs="+", help="files or folders of responses (.pdf, .html, .txt, .md)")
    score.add_argument("--out", required=True, help="output folder")
    score.add_argument("--manifest", help="CSV with columns file,force,inspection overriding detection")
    score.add_argument("--inspections", default=DEFAULT_INSPECTIONS, help="folder of inspection registers (*.toml)")
    score.add_argument("--model", default=DEFAULT_MODEL, help="trained status classifier (joblib with manifest)")
    score.add_argument("--baseline", action="store_true", help="use the cue-rule baseline instead of the trained model")

    classify = sub.add_parser("classify", help="classify texts from JSONL (id, text)")
    classify.add_argument("--in", dest="input", required=True, help="JSONL with objects {id, text}")
    classify.add_argument("--out", required=True, help="JSONL to write {id, label, confidence, scores, evidence}")
    classify.add_argument("--model", default=DEFAULT_MODEL)
    classify.add_argument("--baseline", action="store_true")

    train = sub.add_parser("train", help="train the status classifier on the annotations")
    train.add_argument("--annotations", default="corpus/annotations")
    train.add_argument("--out", default="models")

    evaluate = sub.add_parser("evaluate", help="leave-one-force-out evaluation on real passages")
    evaluate.add_argument("--annotations", default="corpus/annotations")
    return parser


def _load_model(path: str, baseline: bool):
    if baseline:
        from pipeline.classify import CueRuleClassifier, load_cue_lexicon

        return CueRuleClassifier(lexicon=load_cue_lexicon(io.read_package_data("cues.toml"))).fit([], [])
    return io.load_model(path)


def _score(args: argparse.Namespace) -> int:
    from pipeline import runner
    from pipeline.identify import parse_manifest
    from pipeline.score import build_scorecard

    inspections = io.load_inspections(args.inspections)
    manifest = parse_manifest(io.read_text(args.manifest), origin=args.manifest) if args.manifest else {}
    model = _load_model(args.model, args.baseline)
    context = runner.build_context(inspections, io.load_forces(), io.read_package_data("segment.toml"), model, manifest)
    paths = io.discover_inputs(args.inputs)
    results, problems = runner.score_paths(paths, context)
    card = build_scorecard(results, problems, inspections)

    out = Path(args.out)
    io.write_csv(out / "scorecard.csv", card.scorecard)
    io.write_parquet(out / "scorecard.parquet", card.scorecard)
    io.write_csv(out / "passages.csv", card.passages)
    io.write_csv(out / "forces.csv", card.forces)
    io.write_csv(out / "errors.csv", card.errors)
    for problem in problems:
        print(format_problem(problem), file=sys.stderr)
    print(f"scored {len(results)} of {len(paths)} documents: {len(card.scorecard)} scorecard rows, "
          f"{len(card.passages)} passages, {len(problems)} problems -> {out}/")
    return EXIT_PROBLEMS if problems else EXIT_OK


def _classify(args: argparse.Namespace) -> int:
    from pipeline.classify import predict

    rows = []
    for line, obj in io.read_jsonl(args.input):
        if not isinstance(obj, dict) or "id" not in obj or not isinstance(obj.get("text"), str):
            raise PipelineError("E405", path=args.input, line=line, detail="each object needs 'id' and a string 'text'")
        rows.append(obj)
    predictions = predict(_load_model(args.model, args.baseline), [r["text"] for r in rows])
    io.write_jsonl(args.out, [
        {"id": r["id"], "label": p.label, "confidence": round(p.confidence, 6),
         "scores": {k: round(v, 6) for k, v in p.scores.items()}, "evidence": list(p.evidence)}
        for r, p in zip(rows, predictions)
    ])
    print(f"classified {len(rows)} texts -> {args.out}")
    return EXIT_OK


def _annotations(folder: str) -> list[dict]:
    from pipeline.model import validate_records

    records = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        records.extend(validate_records(io.read_jsonl(path), origin=str(path)))
    return records


def _train(args: argparse.Namespace) -> int:
    from pipeline.model import evaluate, model_card, train

    records = _annotations(args.annotations)
    model, metrics = train(records)
    evaluation = evaluate(records)
    metrics["evaluation"] = evaluation
    out = Path(args.out)
    provenance = {k: metrics[k] for k in ("data_sha256", "label_counts", "versions", "trained_at") if k in metrics}
    io.save_model(model, out / "status-classifier.joblib", provenance)
    io.write_json(out / "metrics.json", metrics)
    io.write_text(out / "model-card.md", model_card(metrics, evaluation))
    print(f"trained on {len(records)} passages -> {out}/status-classifier.joblib, metrics.json, model-card.md")
    return EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    from pipeline.model import evaluate, format_evaluation

    print(format_evaluation(evaluate(_annotations(args.annotations))))
    return EXIT_OK


COMMANDS = {"score": _score, "classify": _classify, "train": _train, "evaluate": _evaluate}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except PipelineError as error:
        print(f"error: {error.code} {error.message}", file=sys.stderr)
        return EXIT_USAGE
