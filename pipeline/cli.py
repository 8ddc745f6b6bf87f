"""Command line: a thin layer over the stage functions.

``python -m pipeline score [INPUT...] [--out DIR] [--manifest CSV] [--as-of YYYY-MM-DD] [--review-threshold P]``
``python -m pipeline classify --in IN.jsonl --out OUT.jsonl``
``python -m pipeline train`` / ``evaluate``
``python -m pipeline review export [--scorecard DIR] [--out FILE.csv]`` / ``review import [FILE]``
``python -m pipeline cache clear [--cache DIR]`` / ``bench --out bench/results.json``
``python -m pipeline register extract REPORT.pdf|REPORT.html --id ID --out FILE.toml [--force NAME]``
``python -m pipeline collect URL... | --sources [CSV] [--out DIR] [--depth N] [--allow-host HOST] [--delay S]``
``python -m pipeline golden [--out tests/data/golden]``
``python -m pipeline config [KEY...]``
``python -m pipeline notebook [--scorecard DIR] [--inspection ID] [--out FILE.ipynb]``

Every default (paths, limits, the review threshold, seeds) comes from one
configuration, ``pipeline/data/config.toml``; ``--config FILE`` (before or
after the command) overrides any of its keys, and a flag overrides both
(:mod:`pipeline.config`).

Exit codes: 0 every document scored; 1 some documents reported in
``errors.csv`` (the outputs are still written); 2 a usage or set-up error,
found before any work where it can be; 3 (``score``) not one document could
be scored (E443: a previous scorecard in ``--out`` is kept, and this run's
errors are written to ``errors-last-run.csv`` beside it); 130 interrupted (Ctrl-C).
Expected failures print one line each, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, Sequence

from pipeline import io
from pipeline.config import DEFAULTS_FILE, Config, parse_config
from pipeline.errors import DUPLICATES, SUPERSEDED, UNMATCHED_REVIEWS, PipelineError, format_problem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
#: ``score``: there were inputs, and not one could be scored (E443); `make score` fails on it as on a usage error.
EXIT_NOTHING_SCORED = 3
#: The shell's code for a process stopped by SIGINT (128 + 2): Ctrl-C.
EXIT_INTERRUPTED = 130
#: The program's name in usage lines.
_PROG = "python -m pipeline"


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.prog != _PROG:
            # a command's own usage line shows --config too: main reads it wherever it stands (see main)
            self.add_argument("--config", metavar="FILE", help=f"TOML file overriding keys of pipeline/data/{DEFAULTS_FILE}")

    def error(self, message: str) -> NoReturn:
        # argparse's own complaints (a missing argument) are one coded line too (main prints it, exit 2), never a
        # usage block and an uncoded line: the line names the command whose --help lists its arguments
        for action in self._actions:  # a missing (sub)command is named by its choices, not its dest
            if isinstance(action, argparse._SubParsersAction) and action.choices:
                message = re.sub(rf"\b{action.dest}\b", f"command (one of {', '.join(action.choices)})", message)
        raise PipelineError("E450", command=self.prog, detail=message)

    # A value a flag refuses is E440, one line like a configuration range (main prints it), not usage and an
    # uncoded line: argparse lets any exception but ArgumentError, TypeError and ValueError through parse_args.
    # A mistyped command is a refused choice too (E440, listing the commands); an unknown flag is E450 (main).
    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as error:
            wanted = next((text for kind, text in _WANTED if action.type is kind), error.message)
            raise PipelineError("E440", flag=_flag_name(action), value=arg_string, wanted=wanted, why="") from None

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            # a (sub)command's name is checked here too: "command frobnicate", "review command exprot"
            flag = (" ".join([*self.prog.split()[len(_PROG.split()):], "command"]) if action.nargs == argparse.PARSER
                    else _flag_name(action))
            raise PipelineError("E440", flag=flag, value=value, why="", wanted="one of " + ", ".join(map(str, action.choices)))
        super()._check_value(action, value)


#: What a flag of a built-in type wants, for E440 (a type of this module raises ArgumentTypeError(what it wants)).
_WANTED: tuple[tuple[type, str], ...] = ((int, "a whole number"), (float, "a number"))


def _unknown_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace, extras: Sequence[str]) -> PipelineError:
    """E450 for the arguments no parser placed, naming the command they were given to and a flag they may mean."""
    import difflib

    command = parser
    while True:  # down to the command named: "review export" has its own flags
        sub = next((a for a in command._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None or getattr(args, sub.dest, None) not in sub.choices:
            break
        command = sub.choices[getattr(args, sub.dest)]
    flags = [flag for action in command._actions for flag in action.option_strings if flag.startswith("--")]
    given = [e.split("=", 1)[0] for e in extras if e.startswith("-")]
    near = next((m[0] for g in given if (m := difflib.get_close_matches(g, flags, n=1, cutoff=0.75))), None)
    detail = (f"unknown argument{'s' if len(extras) > 1 else ''} {' '.join(extras)}"
              + (f" (did you mean {near}?)" if near else ""))
    return PipelineError("E450", command=command.prog, detail=detail)


def _flag_name(action: argparse.Action) -> str:
    """The flag as a user types it (``--as-of``), or a positional argument's name as its usage line shows it."""
    return action.option_strings[-1] if action.option_strings else str(action.metavar or action.dest)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a calendar date YYYY-MM-DD") from None


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a number from 0 to 1")
    return value


def _parser(config: Config) -> argparse.ArgumentParser:
    """The command line, every default taken from ``config`` (so ``--help`` shows the values in force)."""
    parser = _Parser(prog=_PROG, description=__doc__.split("\n\n")[0])
    # read before this parser runs (see main); declared here for --help
    parser.add_argument("--config", metavar="FILE", help=f"TOML file overriding keys of pipeline/data/{DEFAULTS_FILE} "
                                                          "(before or after the command)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    paths, limits = config.paths, config.limits

    score = sub.add_parser(
        "score", help="score responses into a scorecard dataset",
        epilog="Exit 0: every document scored; 1: some documents could not be scored (listed in errors.csv; the "
               "outputs are still written); 2: usage or set-up error (nothing written); 3: no document could be "
               "scored (E443: a previous scorecard in --out is kept and this run's errors go to "
               f"{RUN_ERRORS} beside it; without one, empty tables are written); 130: interrupted. "
               "`make score` fails on any code but 0 and 1.")
    score.add_argument("inputs", nargs="*", default=list(paths.inputs),
                       help="files or folders of responses: PDF, Word .docx, web pages (.html, .htm, .mht), text, "
                            "Markdown. Each file's reader is chosen by its bytes, not its name, so a file with another "
                            "or no suffix is read too; inside a folder, data files (.json, .jsonl, .csv, .tsv, "
                            f".parquet) and sources.csv are passed over; default {' '.join(paths.inputs)}")
    score.add_argument("--out", default=paths.out, help=f"output folder (default {paths.out})")
    score.add_argument("--manifest", help="CSV with columns file,force,inspection overriding detection "
                                          f"(default {paths.manifest}, when that file exists)")
    score.add_argument("--inspections", default=paths.inspections,
                       help=f"folder of inspection registers (*.toml) (default {paths.inspections})")
    score.add_argument("--model", default=paths.model,
                       help=f"trained status classifier (joblib with manifest) (default {paths.model})")
    score.add_argument("--baseline", action="store_true", help="use the cue-rule baseline instead of the trained model")
    score.add_argument("--max-pages", type=int, default=limits.max_pages, metavar="N",
                       help=f"report (E107) and skip a PDF with more pages (default {limits.max_pages})")
    score.add_argument("--max-seconds", type=float, default=limits.max_seconds, metavar="S",
                       help="report (E108) and skip a PDF whose layout takes longer, checked between pages "
                            f"(default {limits.max_seconds:g})")
    score.add_argument("--as-of", type=_iso_date, default=None,
                       help="day deadlines are checked against (overdue), YYYY-MM-DD; default today")
    score.add_argument("--review-threshold", type=_probability, default=config.thresholds.review,
                       help=f"report.html marks model-decided cells below this confidence for review "
                            f"(default {config.thresholds.review:g})")

    classify = sub.add_parser("classify", help="classify texts from JSONL (id, text)")
    classify.add_argument("--in", dest="input", required=True, help="JSONL with objects {id, text}")
    classify.add_argument("--out", required=True, help="JSONL to write {id, label, confidence, scores, evidence}")
    classify.add_argument("--model", default=paths.model,
                          help=f"trained status classifier (joblib with manifest) (default {paths.model})")
    classify.add_argument("--baseline", action="store_true",
                          help="use the cue-rule baseline instead of the trained model (default: the model)")

    train = sub.add_parser("train", help="train the status classifier on the annotations")
    train.add_argument("--annotations", default=paths.annotations,
                       help=f"folder of labelled passages (*.jsonl) (default {paths.annotations})")
    train.add_argument("--out", default=paths.models,
                       help=f"folder for the model, metrics.json and model-card.md (default {paths.models})")
    train.add_argument("--external", default=paths.external,
                       help=f"New Zealand status reports (out-of-domain set); '' for none (default {paths.external})")
    train.add_argument("--readme", default="",
                       help="README whose generated status-classifier block is rewritten "
                            "(default none; make train: README.md)")

    evaluate = sub.add_parser("evaluate",
                              help="grouped-by-force evaluation on real items, with baselines and the out-of-domain set")
    evaluate.add_argument("--annotations", default=paths.annotations,
                          help=f"folder of labelled passages (*.jsonl) (default {paths.annotations})")
    evaluate.add_argument("--external", default=paths.external,
                          help=f"New Zealand status reports (out-of-domain set); '' for none (default {paths.external})")
    evaluate.add_argument("--metrics", default=paths.metrics,
                          help="metrics.json of the trained model, whose history gives the previous macro-F1 "
                               f"(default {paths.metrics})")
    evaluate.add_argument("--embeddings", action="store_true",
                          help="also measure the model with sentence embeddings (needs pip install -e '.[embeddings]')")
    evaluate.add_argument("--learning-curve", action="store_true",
                          help="instead: train each outer fold on 1/4, 1/2, 3/4 and all of its training forces (the shipped "
                               "training data and C of --metrics fixed), print macro-F1 against real training items and "
                               "the extrapolation to the targets, write learning-curve.json beside --metrics and the "
                               "generated block of its model-card.md and of --readme (minutes)")
    evaluate.add_argument("--readme", default="",
                          help="with --learning-curve: README whose generated learning-curve block is rewritten "
                               "(default none)")
    _add_review_parsers(sub, score, config)
    _add_run_parsers(sub, score, config)
    _add_register_parsers(sub)
    _add_collect_parser(sub, config)
    _add_coverage_parser(sub, config)
    _add_notebook_parser(sub, config)
    shown = sub.add_parser("config", help="print the configuration in force (defaults, --config FILE)",
                           description="Print every key of the configuration in force, or the values of the KEYs "
                                       "given (one a line), e.g. `python -m pipeline config paths.out`.")
    shown.add_argument("keys", nargs="*", metavar="KEY", help="table.key, e.g. paths.cache")
    return parser


def _add_register_parsers(sub: argparse._SubParsersAction) -> None:
    """The ``register extract`` command: an HMICFRS report -> a register TOML."""
    register = sub.add_parser("register", help="inspection registers (corpus/inspections/*.toml)")
    actions = register.add_subparsers(dest="register_command", required=True, parser_class=_Parser)
    extract = actions.add_parser(
        "extract", help="read an HMICFRS report (PDF or HTML) into a register TOML",
        description="Read an HMICFRS report and write its register: title, publication date, every recommendation "
                    "(exact wording, addressee, deadline), cause of concern and area for improvement. The TOML is "
                    "checked like a hand-written register before it is written; nothing is written on a problem. "
                    "Exit 0: written; 1: the report could not be read into a valid register; 2: usage error (among them a "
                    "report file that does not exist or cannot be read).")
    extract.add_argument("report", help="the report: .pdf, .html or .htm")
    extract.add_argument("--id", required=True, dest="inspection_id", help="the register's id, e.g. roads-policing-2020")
    extract.add_argument("--out", required=True, type=_toml_file, help="register file to write, e.g. corpus/inspections/ID.toml")
    extract.add_argument("--force", help="for an inspection of one force (PEEL ...): the force, as in pipeline/data/forces.csv")
    extract.add_argument("--title", help="the title, when the report's first line is not it")
    extract.add_argument("--published", type=_iso_date, help="publication date YYYY-MM-DD, when the report prints none")
    extract.add_argument("--source", action="append", default=None,
                         help="where the report came from (URL; repeatable); default: the report's file name")


def _toml_file(text: str) -> str:
    if Path(text).suffix.lower() != ".toml":
        raise argparse.ArgumentTypeError("a file name ending in .toml")
    return text


def _register_extract(args: argparse.Namespace) -> int:
    from pipeline.ingest import ingest
    from pipeline.register import parse_inspection
    from pipeline.register.extract import extract_register, parse_rules, render_register

    forces = io.load_forces()
    force = None
    if args.force:
        force = next((f for f in forces if args.force in (f.name, f.short_name)), None)
        if force is None:
            raise PipelineError("E415", value=args.force)
    _input_file(args.report, "the report to extract a register from")
    rules = parse_rules(io.read_package_data("register.toml"))
    try:
        source = io.read_source(args.report)
        inspection = extract_register(ingest(source), args.inspection_id, rules, force=force, force_label=args.force,
                                      title=args.title, published=args.published,
                                      source=args.source or [Path(args.report).name])
        text = render_register(inspection, origin=Path(args.report).name)
        try:
            checked = parse_inspection(text, origin=args.out, force_names=io.force_names())
        except PipelineError as error:
            raise PipelineError("E414", path=args.report, detail=error.message) from None
        if checked != inspection:
            raise PipelineError("E414", path=args.report, detail="the TOML does not read back as the register extracted")
    except PipelineError as error:
        # ingest's messages (E1xx) do not name the file; the register's do
        line = (format_problem(error.problem(args.report)) if error.code.startswith("E1")
                else f"error: {error.code} {error.message}")
        print(line, file=sys.stderr)
        return EXIT_PROBLEMS
    io.write_text(args.out, text)
    counts = (f"{len(inspection.recommendations)} recommendations ({len(inspection.force_recommendations)} to forces), "
              f"{len(inspection.causes_of_concern)} causes of concern, "
              f"{len(inspection.areas_for_improvement)} areas for improvement")
    print(f"extracted {counts} from {args.report} -> {args.out}")
    return EXIT_OK


def _register(args: argparse.Namespace) -> int:
    return {"extract": _register_extract}[args.register_command](args)


def _add_coverage_parser(sub: argparse._SubParsersAction, config: Config) -> None:
    coverage = sub.add_parser(
        "coverage", help="share of labelled real responses that yield a passage attributed to the right force",
        description="Identify and segment every input file in which readers labelled an answer item (--labels) and "
                    "print the share that yields at least one passage attributed to the force the provenance records "
                    "(--sources: a sources.csv or the shared corpus's meta.jsonl), overall and per doc_kind, without "
                    "and with the source URL as a hint, and each failing document with the reason.")
    coverage.add_argument("inputs", nargs="+", help="files or folders of responses")
    coverage.add_argument("--labels", required=True, help="labels.jsonl / real.jsonl: one object per answer item (file, item)")
    coverage.add_argument("--sources", help="sources.csv or meta.jsonl with file, url, force, doc_kind "
                                            "(default: sources.csv in the first input folder)")
    coverage.add_argument("--inspections", default=config.paths.inspections,
                          help=f"folder of inspection registers (*.toml) (default {config.paths.inspections})")


#: The notebook ``notebook`` runs, relative to the repository root (like :data:`SEEDS`), and the executed copy it
#: writes into the scored folder by default (never an input of a later ``score``, like the folder's other outputs).
NOTEBOOK = "notebooks/scorecard.ipynb"
NOTEBOOK_OUTPUT = "scorecard.ipynb"


def _add_notebook_parser(sub: argparse._SubParsersAction, config: Config) -> None:
    notebook = sub.add_parser(
        "notebook", help=f"run {NOTEBOOK} on a scored folder into an executed copy beside its tables",
        description=f"Execute {NOTEBOOK} top to bottom in this interpreter's python3 kernel (ipykernel), started in "
                    "notebooks/ with SCORECARD_DIR set to --scorecard and INSPECTION to --inspection, and write the "
                    "notebook with its outputs to --out (open it in Jupyter, VS Code or any notebook viewer). Needs "
                    "pip install -e '.[notebook]' (make notebook installs it). Run from the repository root.")
    notebook.add_argument("--scorecard", default=config.paths.out,
                          help=f"folder written by `score` (its scorecard.parquet; default {config.paths.out})")
    notebook.add_argument("--inspection", help="inspection id to show (default: the one with the most scored rows)")
    notebook.add_argument("--out", help="executed notebook to write (default: scorecard.ipynb in --scorecard)")


def _notebook(args: argparse.Namespace) -> int:
    import pandas as pd

    from pipeline.notebook import execute

    folder = Path(args.scorecard)
    table = folder / "scorecard.parquet"
    _input_file(str(table), "written by `python -m pipeline score`")
    _input_file(NOTEBOOK, "run this command from the repository root")
    if args.inspection:
        known = sorted(set(pd.read_parquet(table, columns=["inspection"])["inspection"]))
        if args.inspection not in known:
            raise PipelineError("E422", value=args.inspection, path=str(table), known=", ".join(known) or "none")
    out = Path(args.out) if args.out else folder / NOTEBOOK_OUTPUT
    try:
        executed = execute(io.read_text(NOTEBOOK), folder, args.inspection, Path(NOTEBOOK).parent)
    except PipelineError as error:
        if error.code != "E421":
            raise
        print(f"error: {error.code} {error.message}", file=sys.stderr)
        return EXIT_PROBLEMS
    io.write_text(out, executed)
    print(f"ran {NOTEBOOK} on {folder}/ -> {out}")
    return EXIT_OK


def _add_review_parsers(sub: argparse._SubParsersAction, score: argparse.ArgumentParser, config: Config) -> None:
    """The ``review export`` / ``review import`` commands and the ``score --reviews`` option."""
    paths = config.paths
    score.add_argument("--reviews", default=None, metavar="FILE",
                       help="reviewed labels (JSONL from `review import`) shown beside the model's and used as status; "
                            "a FILE given must exist (E109), '' for no reviews "
                            f"(default {paths.reviews}, no reviews when that file is absent)")
    review = sub.add_parser("review", help="export passages for people to check, import their labels")
    actions = review.add_subparsers(dest="review_command", required=True, parser_class=_Parser)
    export = actions.add_parser(
        "export", help="write the passages to check, least confident first",
        description="Write the (passage, recommendation) pairs the model labelled, for a person to check: pairs "
                    "without a human label first, then those where the model and the cue rules disagree, then the "
                    "least confident. Both FILE.csv (fill in reviewed_label, reviewer, note in a spreadsheet) and "
                    "FILE.jsonl (the same rows) are written, whichever of the two suffixes --out has. Each "
                    "response's overall stance is one row too (recommendation 'all'); the single items a blanket "
                    "passage alone answers, and items without a passage, are decided by rule and not exported.")
    export.add_argument("--scorecard", default=paths.out,
                        help=f"folder written by `score` (its passages.csv and scorecard.csv; default {paths.out})")
    export.add_argument("--out", default=paths.review_file, type=_review_file,
                        help=f"FILE.csv or FILE.jsonl; both are written (default {paths.review_file})")
    export.add_argument("--limit", type=_positive_int, help="export only the first N rows")
    export.add_argument("--annotations", default=paths.annotations,
                        help=f"labels already held (shown as annotated_label) (default {paths.annotations})")
    export.add_argument("--inspections", default=paths.inspections,
                        help=f"folder of inspection registers (*.toml) (default {paths.inspections})")
    imported = actions.add_parser(
        "import", help="merge a filled-in review file into ANNOTATIONS/reviews.jsonl",
        description="Check every row of a filled-in review file (.csv or .jsonl from `review export`) and merge the "
                    "good ones into ANNOTATIONS/reviews.jsonl. Rows with reviewed_label, reviewer and note all empty "
                    "were not reviewed and are skipped. A bad row (label not one of the four, passage id unknown, "
                    "empty reviewer) is reported on stderr with its line in the file (for the exported CSV, its "
                    "spreadsheet row: header = 1) and not imported. Exit 0: every reviewed row imported; 1: some rows rejected "
                    "(the good ones are still imported); 2: the file cannot be read.")
    imported.add_argument("file", nargs="?", default=paths.review_file, type=_review_file,
                          help=f"the filled-in FILE.csv or FILE.jsonl (default {paths.review_file})")
    imported.add_argument("--annotations", default=paths.annotations,
                          help=f"annotations folder holding reviews.jsonl (default {paths.annotations})")
    imported.add_argument("--scorecard", action="append",
                          help="scored folder holding the passages "
                               "(repeatable; default: the folder in each row's scorecard column)")


def _review_file(text: str) -> str:
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError("a review file (.csv or .jsonl), not a folder")
    if Path(text).suffix.lower() not in (".csv", ".jsonl"):
        raise argparse.ArgumentTypeError("a file name ending in .csv or .jsonl")
    return text


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a whole number of at least 1")
    return int(text)


def _model_spec(path: str, baseline: bool):
    """The model to use: the cue-rule baseline, or the checked joblib file at ``path``."""
    from pipeline.parallel import ModelSpec

    return ModelSpec.baseline(io.read_package_data("cues.toml")) if baseline else ModelSpec.from_file(path)


def _load_model(path: str, baseline: bool):
    return _model_spec(path, baseline).load()


def _score(args: argparse.Namespace) -> int:
    from pipeline import __version__, parallel
    from pipeline.report import parse_report_config, render_report
    from pipeline.review import with_reviews
    from pipeline.run import read_manifest, source_urls, with_provenance
    from pipeline.score import build_scorecard, force_profiles

    as_of = args.as_of or date.today()
    out = Path(args.out)
    _check_score_usage(args)
    report_config = parse_report_config(io.read_package_data("report.toml"))
    inspections = io.load_inspections(args.inspections)
    manifest = read_manifest(args.manifest, args.configuration.paths.manifest)
    settings = parallel.make_settings(inspections, io.load_forces(), io.read_package_data("segment.toml"),
                                      _model_spec(args.model, args.baseline), max_pages=args.max_pages,
                                      ingest_options={"max_seconds": args.max_seconds,
                                                      "max_characters": args.configuration.limits.max_characters})
    # the run's own outputs and cache are never inputs, should they lie inside an input folder
    own = [out, *(out / name for name in (*SCORE_OUTPUTS, RUN_ERRORS, NOTEBOOK_OUTPUT)),
           *([args.cache] if args.cache else []),
           *([args.stats] if args.stats else [])]
    paths, passed_over = io.find_inputs(args.inputs, skip=own)
    source_tables, source_problems = io.read_source_tables(args.inputs)
    manifest = with_provenance(manifest, paths, source_tables)
    try:
        run = parallel.run(paths, settings, manifest, _run_options(args))
    except KeyboardInterrupt:  # the workers are stopped by now; no output was touched
        error = PipelineError("E444")
        _print_error(error)
        return EXIT_INTERRUPTED
    results, problems = run.results, [*run.problems, *source_problems]
    for problem in problems:
        print(format_problem(problem), file=sys.stderr)
    for result in results:  # page-level: the document was scored without (part of) a page, which must not read as silence
        for problem in result.problems:
            print(format_problem(problem), file=sys.stderr)
    if args.stats:
        io.write_json(args.stats, run.stats)
    if not results and (out / "scorecard.csv").is_file():  # empty tables must not replace a scorecard
        # ... but this run's errors are written where the E443 line says, beside the kept errors.csv
        run_errors = out / RUN_ERRORS
        io.write_csv(run_errors, build_scorecard([], problems, inspections, as_of=as_of).errors)
        error = PipelineError("E443", problems=_count(len(problems), "problem"), errors=str(run_errors), path=str(out))
        _print_error(error)
        return EXIT_NOTHING_SCORED
    card = build_scorecard(results, problems, inspections, as_of=as_of, urls=source_urls(source_tables, results))
    # scored, yet in no table but errors.csv: another response of the force, or an identical copy of another input
    for row in card.errors[card.errors["code"].isin(SUPERSEDED | DUPLICATES)].itertuples():
        print(f"{row.source}: {row.code} {row.message}", file=sys.stderr)
    card = with_reviews(card, args.reviews, as_of)
    for row in card.errors[card.errors["code"].isin(UNMATCHED_REVIEWS)].itertuples():  # a re-saved file's reviews
        print(f"{row.source}: {row.code} {row.message}", file=sys.stderr)

    # No clock time in the page: two runs over the same input and as-of day give identical files.
    generated = (f"python -m pipeline score, inspection-scorecards {__version__}, "
                 f"{'cue-rule baseline' if args.baseline else 'model ' + args.model}, as of {as_of.isoformat()}")
    # Every output is made in memory, then written as one set (io.write_outputs): a failure while writing (a full
    # disk) replaces none of them, so --out never holds two runs' tables side by side.
    written: list[str] = []
    try:
        contents: dict[str, str | bytes] = {
            "scorecard.csv": io.csv_text(card.scorecard),
            "scorecard.parquet": io.parquet_bytes(card.scorecard),
            "passages.csv": io.csv_text(card.passages),
            "forces.csv": io.csv_text(card.forces),
            "force_profiles.csv": io.csv_text(force_profiles(card.forces)),
            "errors.csv": io.csv_text(card.errors),
            "report.html": render_report(card, inspections, as_of=as_of, review_threshold=args.review_threshold,
                                         generated=generated, config=report_config),
        }
        io.write_outputs(out, {name: contents[name] for name in SCORE_OUTPUTS}, replaced=written)
    except KeyboardInterrupt:  # before the renames nothing is replaced; during them, those named are this run's
        error = PipelineError("E445", written=", ".join(written), path=str(out)) if written else PipelineError("E444")
        _print_error(error)
        return EXIT_INTERRUPTED
    except OSError as exc:  # io names the file; none of the outputs was replaced
        raise PipelineError("E448", path=exc.filename or str(out),
                            detail=f"{exc.strerror or exc}; no output in {out} was replaced, the previous ones are "
                                   "kept as they were") from None
    folders = sum(1 for p in passed_over if p.is_dir())
    counts = [_count(n, what) for n, what in ((folders, "saved-page asset folder"),
                                              (len(passed_over) - folders, "data file")) if n]
    passed = f"; {' and '.join(counts)} passed over" if counts else ""
    copies = int(card.errors["code"].isin(DUPLICATES).sum())
    passed += f"; {copies} identical {'copy' if copies == 1 else 'copies'} of another input counted once" if copies else ""
    io.remove_file(out / RUN_ERRORS)  # an earlier run's that scored nothing: errors.csv is this run's now
    print(f"scored {len(results)} of {_count(len(paths), 'document')}: {len(card.scorecard)} scorecard rows, "
          f"{_count(len(card.passages), 'passage')}, {_count(len(problems), 'problem')}{passed} -> {out}/")
    if not results:
        return EXIT_NOTHING_SCORED
    return EXIT_PROBLEMS if problems else EXIT_OK


#: Where ``score`` writes its errors when it scored nothing and kept the previous outputs (E443), so they are
#: found beside the kept ``errors.csv`` (of the run that wrote the kept scorecard); a run that writes its outputs
#: deletes it.
RUN_ERRORS = "errors-last-run.csv"
#: What ``score`` writes into ``--out``, in the order it writes them.
SCORE_OUTPUTS = ("scorecard.csv", "scorecard.parquet", "passages.csv", "forces.csv", "force_profiles.csv", "errors.csv",
                 "report.html")


def _print_error(error: PipelineError) -> None:
    """The one line a stopped command prints for a coded error: ``error: E409 ...`` on stderr."""
    print(f"error: {error.code} {error.message}", file=sys.stderr)


def _count(n: int, noun: str) -> str:
    """``"1 problem"``, ``"3 problems"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _check_registers_folder(path: str) -> None:
    """Raise E441 when ``path`` (``--inspections``) is no folder: a mistyped one would silently mean no registers."""
    if not Path(path).is_dir():
        raise PipelineError("E441", path=path, detail="no such folder" if not Path(path).exists() else "a file, not a folder")


def _check_score_usage(args: argparse.Namespace) -> None:
    """Every usage error of ``score`` found before any work, so a mistyped path or flag writes nothing.

    Raises:
        PipelineError: E409 a named input that does not exist, E440 a flag out of the range the
            configuration allows, E441 an --inspections that is no folder, E442 a --manifest named
            but absent, E109 a --reviews file named but absent, E517 an --out that cannot be written (the folder is
            created when absent).
    """
    from pipeline.config import check_flag

    for raw in args.inputs:
        if not os.path.lexists(raw):  # a dangling link named as an input is read, and reported (E109)
            raise PipelineError("E409", path=raw)
    for table, key, flag in (("limits", "jobs", "--jobs"), ("limits", "max_pages", "--max-pages"),
                             ("limits", "max_seconds", "--max-seconds")):
        check_flag(table, key, getattr(args, key), flag)
    _check_registers_folder(args.inspections)
    if args.manifest and not Path(args.manifest).is_file():
        raise PipelineError("E442", path=args.manifest,
                            detail="a folder, not a file" if Path(args.manifest).is_dir() else "no such file")
    if args.reviews:  # a path the user typed: mistyped, it would silently score without the reviews
        _input_file(args.reviews, "--reviews: reviewed labels from `review import`; '' for none")
    elif args.reviews is None:  # the configured default may be absent: no reviews yet
        args.reviews = args.configuration.paths.reviews
    io.check_output_folder(args.out)


def _input_file(path: str, what: str) -> None:
    """Raise E109 (a usage error: exit 2, one line) unless ``path`` is a file this command can read."""
    if not Path(path).is_file():
        detail = "a folder, not a file" if Path(path).is_dir() else "no such file"
        raise PipelineError("E109", detail=f"{path}: {detail} ({what})")
    if not os.access(path, os.R_OK):
        raise PipelineError("E109", detail=f"{path}: not readable ({what})")


def _input_folder(path: str, what: str) -> None:
    """Raise E109 unless ``path`` is a folder: a mistyped one would silently mean nothing to read."""
    if not Path(path).is_dir():
        detail = "a file, not a folder" if Path(path).exists() else "no such folder"
        raise PipelineError("E109", detail=f"{path}: {detail} ({what})")


def _classify(args: argparse.Namespace) -> int:
    from pipeline.classify import predict

    _input_file(args.input, "--in: JSONL with objects {id, text}")
    if Path(args.out).is_dir():  # found before the model is loaded, and named as the user gave it
        raise PipelineError("E448", path=args.out, detail="a folder, not a file (--out: the JSONL to write)")
    rows, problems = io.read_text_records(args.input)
    for problem in problems:  # every bad line, then stop: nothing is classified from a file that needs fixing
        _print_error(problem)
    if problems:
        return EXIT_USAGE
    predictions = predict(_load_model(args.model, args.baseline), [r["text"] for r in rows])
    io.write_jsonl(args.out, [
        {"id": r["id"], "label": p.label, "confidence": round(p.confidence, 6),
         "scores": {k: round(v, 6) for k, v in p.scores.items()}, "evidence": list(p.evidence)}
        for r, p in zip(rows, predictions)
    ])
    print(f"classified {len(rows)} texts -> {args.out}")
    return EXIT_OK


def _training_annotations(args: argparse.Namespace, action: str) -> tuple[list[dict], int]:
    """``args.annotations`` without the records of reserved forces (one E319 line each on stderr), and how many."""
    from pipeline.model.data import training_annotations

    _input_folder(args.annotations, "--annotations: a folder of labelled passages, *.jsonl")
    records, refused = training_annotations(args.annotations, args.configuration.paths.reserved_forces, action)
    for line in refused:
        print(line, file=sys.stderr)
    return records, len(refused)


def _evaluation(args: argparse.Namespace, records: list[dict]) -> dict:
    from pipeline.model.data import evaluation

    return evaluation(records, annotations=args.annotations, external=args.external,
                      review_threshold=args.configuration.thresholds.review,
                      embeddings=bool(getattr(args, "embeddings", False)),
                      options=args.configuration.model.evaluation_options())


def _train(args: argparse.Namespace) -> int:
    import time

    from pipeline.model import model_card, readme_block, replace_readme_block, train
    from pipeline.review import training_history

    records, refused = _training_annotations(args, "left out of training")
    options = args.configuration.model
    # progress, one line a step: the whole run takes minutes (README, "The status classifier")
    started = time.monotonic()
    print(f"step 1 of 2: fitting the status classifier on {len(records)} records...", flush=True)
    model, metrics = train(records, external_rows=io.read_external_rows(args.external), **options.training_options())
    fitted = time.monotonic()
    print(f"  fitted in {fitted - started:.0f} s; step 2 of 2: nested cross-validation grouped by force for the "
          "model card (the longer step)...", flush=True)
    evaluation = _evaluation(args, records)
    print(f"  evaluated in {time.monotonic() - fitted:.0f} s", flush=True)
    metrics["evaluation"] = evaluation
    out = Path(args.out)
    metrics["history"] = training_history(io.read_json_object(out / "metrics.json"), metrics, evaluation)
    provenance = {k: metrics[k] for k in ("data_sha256", "label_counts", "versions", "trained_at") if k in metrics}
    io.save_model(model, out / "status-classifier.joblib", provenance)
    io.write_json(out / "metrics.json", metrics)
    io.write_text(out / "model-card.md", model_card(metrics, evaluation, io.read_json_object(out / "learning-curve.json")))
    if args.readme and Path(args.readme).is_file():
        readme = io.read_text(args.readme)
        updated = replace_readme_block(readme, readme_block(metrics, evaluation))
        if updated != readme:
            io.write_text(args.readme, updated)
    print(f"trained on {len(records)} passages -> {out}/status-classifier.joblib, metrics.json, model-card.md"
          + (f" ({_count(refused, 'record')} of reserved forces refused)" if refused else ""))
    return EXIT_PROBLEMS if refused else EXIT_OK


def _learning_curve(args: argparse.Namespace, records: list[dict]) -> None:
    """``evaluate --learning-curve``: print the curve, keep it beside the metrics, rewrite the generated blocks."""
    from pipeline.model import data_hash
    from pipeline.model.learning_curve import curve_block, format_learning_curve, learning_curve, replace_curve_block
    from pipeline.model.training import DEFAULT_C

    # the shipped model's training data and C, fixed (a models folder without metrics: real items at the default C)
    shipped = io.read_json_object(args.metrics)
    options = args.configuration.model.evaluation_options()
    report = learning_curve(records, shipped.get("variant") or "real", float(shipped.get("C") or DEFAULT_C),
                            external_rows=io.read_external_rows(args.external),
                            review_threshold=args.configuration.thresholds.review,
                            random_state=options["random_state"], resamples=options["resamples"],
                            bootstrap_seed=options["bootstrap_seed"])
    report["data_sha256"] = data_hash(records)
    print(format_learning_curve(report), end="")
    folder = Path(args.metrics).parent
    io.write_json(folder / "learning-curve.json", report)
    block = curve_block(report)
    for target in [folder / "model-card.md", *([Path(args.readme)] if args.readme else [])]:
        if target.is_file():
            text = io.read_text(target)
            updated = replace_curve_block(text, block)
            if updated != text:
                io.write_text(target, updated)


def _evaluate(args: argparse.Namespace) -> int:
    from pipeline.model import data_hash, format_evaluation
    from pipeline.review import format_history, training_history

    records, refused = _training_annotations(args, "left out of the evaluation")
    if getattr(args, "learning_curve", False):
        _learning_curve(args, records)
        return EXIT_PROBLEMS if refused else EXIT_OK
    report = _evaluation(args, records)
    print(format_evaluation(report))
    # a metrics.json from before histories were kept still gives its own figures as one entry
    history = training_history(io.read_json_object(args.metrics), {}, {})
    print(format_history(history, data_hash(records), report, origin=args.metrics), end="")
    return EXIT_PROBLEMS if refused else EXIT_OK


def _review_export(args: argparse.Namespace) -> int:
    from pipeline.review import export_reviews

    _check_registers_folder(args.inspections)
    print(export_reviews(args.scorecard, args.out, args.annotations, args.inspections, args.limit))
    return EXIT_OK


def _review_import(args: argparse.Namespace) -> int:
    from pipeline.review import import_reviews

    outcome = import_reviews(args.file, args.annotations, args.scorecard, args.configuration.paths.reserved_forces)
    for line in outcome.problems:
        print(line, file=sys.stderr)
    print(outcome.summary)
    return EXIT_PROBLEMS if outcome.rejected else EXIT_OK


def _review(args: argparse.Namespace) -> int:
    return {"export": _review_export, "import": _review_import}[args.review_command](args)


def _add_collect_parser(sub: argparse._SubParsersAction, config: Config) -> None:
    parser = sub.add_parser(
        "collect", help="download responses from PCC websites into a folder, with DIR/sources.csv",
        description="Download each URL (a response document, or an index page whose links to responses on the same "
                    "site are followed) into DIR, named by sha256, and record every document in DIR/sources.csv: "
                    "url, file, sha256, content type, fetch time, Last-Modified, ETag, status (new, unchanged, "
                    "changed, failed) and reason. A second run asks only for what changed. Obeys robots.txt and "
                    "waits --delay seconds between requests to one host. Exit 0: nothing failed; 1: some URLs failed "
                    "(rows with a reason; everything else collected); 2: usage error.")
    parser.add_argument("urls", nargs="*", metavar="URL", help="document or index page (http or https)")
    parser.add_argument("--sources", metavar="CSV", nargs="?", const=config.paths.sources,
                        help="index pages to read: a CSV with a url column and optionally force (and any notes); "
                             f"--sources alone reads {config.paths.sources}")
    parser.add_argument("--out", default=config.paths.collected, metavar="DIR",
                        help=f"folder for the documents and sources.csv (default {config.paths.collected})")
    limits = config.collect
    parser.add_argument("--depth", type=_whole, default=limits.depth,
                        help=f"levels of links followed from a page given (default {limits.depth}; "
                             f"0: save the URLs themselves only)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="HOST",
                        help="another host whose links and redirects may be followed (repeatable)")
    parser.add_argument("--delay", type=_seconds, default=limits.delay,
                        help=f"seconds between two requests to one host (default {limits.delay:g}; "
                             f"a longer robots.txt Crawl-delay wins)")
    parser.add_argument("--timeout", type=_seconds, default=limits.timeout,
                        help=f"seconds allowed for one response, first to last byte (default {limits.timeout:g})")
    parser.add_argument("--max-mb", type=_seconds, default=limits.max_mb, metavar="MB",
                        help=f"size cap of one response in megabytes (default {limits.max_mb:g})")
    parser.add_argument("--retries", type=_whole, default=limits.retries,
                        help=f"further attempts after a 429 or 5xx answer (default {limits.retries})")


def _whole(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError("a whole number (0 or more)")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < float("inf"):
        raise argparse.ArgumentTypeError("a number of at least 0")
    return value


def _collect(args: argparse.Namespace) -> int:
    from pipeline import __version__, collect

    seeds = []
    for url in args.urls:
        if collect.normalise_url(url) is None:
            raise PipelineError("E501", url=url)
        seeds.append(collect.Seed(url))
    if args.sources:
        try:
            text = io.read_text(args.sources)
        except (OSError, UnicodeDecodeError) as exc:
            raise PipelineError("E502", path=args.sources, detail=getattr(exc, "strerror", None) or str(exc)) from None
        seeds.extend(collect.parse_seed_list(text, origin=args.sources))
    if not seeds:
        raise PipelineError("E450", command=f"{_PROG} collect",
                            detail="collect needs a URL or --sources CSV with at least one url")
    out = Path(args.out)
    io.check_output_folder(out)  # before anything is fetched (E517)
    sources_path = out / collect.SOURCES_FILE
    previous: tuple[collect.SourceRow, ...] = ()
    if sources_path.is_file():  # parsed before anything is fetched: a bad file stops the run and stays as it is
        try:
            previous = collect.parse_sources(io.read_text(sources_path), origin=str(sources_path))
        except UnicodeDecodeError as exc:
            raise PipelineError("E503", path=str(sources_path), detail=f"not UTF-8 ({exc.reason})") from None
    # the configuration's [collect] limits, with the flags given over them
    options = {**args.configuration.collect.settings_options(), "depth": args.depth, "delay": args.delay,
               "timeout": args.timeout, "max_bytes": int(args.max_mb * 1_000_000), "retries": args.retries}
    settings = collect.load_settings(io.read_package_data("collect.toml"), __version__, allow_hosts=args.allow_host,
                                     **options)
    store = collect.Store(has=lambda name: (out / name).is_file(), read=lambda name: io.read_source(out / name).data,
                          put=lambda name, data: io.write_bytes(out / name, data))
    try:
        result = collect.collect(seeds, previous, store, settings)
        io.write_text(sources_path, collect.format_sources(result.rows))
    except OSError as exc:  # the folder, not a site, failed: nothing more can be kept
        raise PipelineError("E517", path=str(out), detail=exc.strerror or str(exc)) from None
    for url, followed in result.indexes:
        print(f"index {url}: {followed} links followed")
    for row in result.failed:
        print(f"{row.url}: {row.reason}", file=sys.stderr)
    counts = result.counts
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(result.skipped.items())) or "none"
    print(f"collected {sum(counts.get(s, 0) for s in ('new', 'changed', 'unchanged'))} documents "
          f"({counts.get('new', 0)} new, {counts.get('changed', 0)} changed, {counts.get('unchanged', 0)} unchanged), "
          f"{counts.get('failed', 0)} failed, in {result.requests} requests; links not followed: {skipped} "
          f"-> {sources_path}")
    return EXIT_PROBLEMS if result.failed else EXIT_OK


def _add_run_parsers(sub: argparse._SubParsersAction, score: argparse.ArgumentParser, config: Config) -> None:
    """``score``'s options for speed (cache, jobs, Dask), and the ``cache``, ``bench`` and ``golden`` commands."""
    from pipeline.bench import add_arguments as add_bench_arguments

    cache_dir = config.paths.cache
    run = score.add_argument_group("speed (none of these changes the outputs)")
    run.add_argument("--jobs", type=int, default=config.limits.jobs,
                     help="documents processed at once: worker processes (default: one per core; 1: in this process); "
                          "with --backend dask, tasks in flight (default: every worker thread)")
    run.add_argument("--backend", choices=("local", "dask"), default="local",
                     help="local processes (joblib) or an existing Dask cluster (needs --scheduler; default local)")
    run.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    run.add_argument("--cache", metavar="DIR", default=cache_dir,
                     help=f"cache of extracted text, passages and predictions (default {cache_dir})")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    run.add_argument("--quiet", action="store_true", help="no progress bar (it is shown only on a terminal anyway)")
    run.add_argument("--stats", metavar="FILE", help="write the run's counters and stage timings as JSON")

    cache = sub.add_parser("cache", help="manage the extraction cache")
    actions = cache.add_subparsers(dest="cache_command", required=True, parser_class=_Parser)
    clear = actions.add_parser("clear", help="delete every cache entry")
    clear.add_argument("--cache", metavar="DIR", default=cache_dir, help=f"cache folder (default {cache_dir})")

    bench = sub.add_parser("bench", help="benchmark on a generated PDF corpus; writes a JSON of the figures")
    add_bench_arguments(bench, seed=config.bench.seed, count=_positive_int)

    golden = sub.add_parser("golden",
                            help="rewrite the golden seed outputs the tests compare exactly (run from the repository root)",
                            description=f"Score the seeds ({SEEDS}) with the shipped model as of {config.golden.as_of} "
                                        f"(config golden.as_of), without reviews or cache, and write its "
                                        f"{', '.join(GOLDEN_FILES)} to --out.")
    golden.add_argument("--out", default=config.paths.golden, help=f"folder of the golden files (default {config.paths.golden})")


def _run_options(args: argparse.Namespace):
    from pipeline.parallel import RunOptions

    if args.backend == "dask" and not args.scheduler:
        raise PipelineError("E450", command=f"{_PROG} score",
                            detail="--backend dask needs --scheduler ADDRESS (a running Dask scheduler)")
    return RunOptions(jobs=args.jobs, backend=args.backend, scheduler=args.scheduler,
                      cache_dir=None if args.no_cache else args.cache, progress=not args.quiet)


def _cache(args: argparse.Namespace) -> int:
    removed = io.clear_cache(args.cache)
    if removed is None:
        raise PipelineError("E408", path=args.cache)
    print(f"cleared {args.cache}: {removed} entries deleted")
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from pipeline.bench import main as bench_main

    return bench_main(args)


def _coverage(args: argparse.Namespace) -> int:
    from pipeline.coverage import coverage_report

    _check_registers_folder(args.inspections)
    for raw in args.inputs:
        if not os.path.lexists(raw):
            raise PipelineError("E409", path=raw)
    _input_file(args.labels, "--labels: one object per answer item")
    sources = args.sources or str(Path(args.inputs[0]) / "sources.csv")
    if not Path(sources).is_file():
        raise PipelineError("E205", path=sources)
    limits = args.configuration.limits
    print("\n".join(coverage_report(args.inputs, args.labels, sources, args.inspections,
                                    max_pages=limits.max_pages, max_seconds=limits.max_seconds,
                                    max_characters=limits.max_characters)))
    return EXIT_OK


#: The golden seed outputs (tests/data/golden/, compared exactly by tests/test_golden.py): the seeds scored with
#: the shipped model on a fixed day (config ``golden.as_of``), paths relative to the repository root. Only
#: ``make golden`` rewrites them.
SEEDS = "corpus/raw/*.txt"
GOLDEN_FILES = ("scorecard.csv", "passages.csv", "forces.csv", "errors.csv")


def _golden(args: argparse.Namespace) -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:  # score writes more than the golden files: only these are kept
        # the seed responses only: the real excerpts under corpus/raw/responses/ are pinned elsewhere
        seeds = sorted(str(p) for p in Path().glob(SEEDS))
        paths = args.configuration.paths
        code = main(["score", *seeds, "--out", scratch, "--manifest", paths.manifest,
                     "--as-of", args.configuration.golden.as_of.isoformat(), "--inspections", paths.inspections,
                     "--model", paths.model, "--reviews", "", "--no-cache", "--quiet"])
        if code == EXIT_USAGE:
            return code
        for name in GOLDEN_FILES:
            io.write_text(Path(args.out) / name, io.read_text(Path(scratch) / name))
    print(f"wrote {', '.join(GOLDEN_FILES)} to {args.out}/: review the diff before committing")
    return EXIT_OK


def _show_config(args: argparse.Namespace) -> int:
    """Print the configuration in force: ``table.key = value`` lines, or the bare values of the keys asked for."""
    from dataclasses import asdict

    flat = {f"{table}.{key}": value for table, values in asdict(args.configuration).items() for key, value in values.items()}
    for key in args.keys:
        if key not in flat:
            raise PipelineError("E430", path="in force", key=key, known=", ".join(flat))
    for key in args.keys or flat:
        value = flat[key]
        text = " ".join(value) if isinstance(value, tuple) else str(value)
        print(text if args.keys else f"{key} = {text}")
    return EXIT_OK


COMMANDS = {"score": _score, "classify": _classify, "train": _train, "evaluate": _evaluate, "review": _review,
            "cache": _cache, "bench": _bench, "register": _register, "collect": _collect, "golden": _golden,
            "coverage": _coverage, "config": _show_config, "notebook": _notebook}


def load_config(path: str | None) -> Config:
    """The configuration in force: the shipped defaults, overridden by the TOML file at ``path`` when given.

    Raises:
        PipelineError: E433 when ``path`` cannot be read; E430-E434 for a bad key or value (see :mod:`pipeline.config`).
    """
    layers = [(io.read_package_data(DEFAULTS_FILE), f"pipeline/data/{DEFAULTS_FILE}")]
    if path is not None:
        try:
            layers.append((io.read_text(path), path))
        except (OSError, UnicodeDecodeError) as exc:
            raise PipelineError("E433", path=path, detail=getattr(exc, "strerror", None) or str(exc)) from None
    return parse_config(layers)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code.

    ``--config FILE`` is read first, wherever it stands, so that the parser's
    defaults are the configuration's values and a flag given overrides them.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    first = _Parser(prog=_PROG, add_help=False, allow_abbrev=False)
    first.add_argument("--config", metavar="FILE")
    try:
        known, rest = first.parse_known_args(argv)
        config = load_config(known.config)
    except PipelineError as error:
        _print_error(error)
        return EXIT_USAGE
    try:
        parser = _parser(config)
        args, extras = parser.parse_known_args(rest)
        if extras:
            raise _unknown_arguments(parser, args, extras)
    except PipelineError as error:  # a value a flag refuses (E440), an argument not understood (E450): nothing has run
        _print_error(error)
        return EXIT_USAGE
    args.configuration = config
    try:
        return COMMANDS[args.command](args)
    except PipelineError as error:
        _print_error(error)
        return EXIT_USAGE
    except OSError as exc:  # a file or folder no check above foresaw: still one coded line, never a traceback
        _print_error(PipelineError("E448", path=exc.filename or "a file", detail=exc.strerror or str(exc)))
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C: one line, no traceback (score says more precisely what it kept)
        interrupted = PipelineError("E446")
        _print_error(interrupted)
        return EXIT_INTERRUPTED
