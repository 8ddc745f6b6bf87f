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
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from pipeline.errors import PipelineError
from pipeline.model.embeddings import SentenceEmbeddingFeatures, SentenceEncoder, share_encoder
from pipeline.model.features import ForceNameMasker, StatusCueFeatures, drop_engine, share_engine
from pipeline.types import GUIDELINE_ORDER, LABELS


class CalibratedStatusClassifier(ClassifierMixin, BaseEstimator):
    """A linear classifier calibrated on held-out folds, grouped by force when the groups are known.

    ``fit(X, y, groups=None)``: with ``groups`` (one force per row; ``""``
    for rows that must always stay on the training side, such as synthetic or
    out-of-domain passages) the calibration folds are ``GroupKFold`` folds over
    the grouped rows, so a force's passages are never calibrated on a model
    that saw them; without ``groups`` they are ``StratifiedKFold`` folds.
    ``n_splits = min(max_splits, ...)`` shrinks when a class or the number of
    groups is small; with fewer than two usable folds ``estimator`` is fitted
    alone (its own probabilities, uncalibrated) and ``calibrated_`` says so.
    ``ensemble=True``: one estimator per fold, each calibrated on its held-out
    forces, probabilities averaged (``ensemble=False`` needs folds that
    partition every row, and synthetic rows must never be held out to
    calibrate a real-text model).

    Args:
        estimator: the classifier to calibrate (``None``: ``LogisticRegression``).
        method: ``CalibratedClassifierCV``'s method; ``"temperature"`` (one
            parameter for all labels) suits a few hundred passages better than
            one sigmoid per label.
        max_splits: most calibration folds.
        random_state: seed of the stratified folds.

    Learned: ``estimator_`` (the fitted CalibratedClassifierCV or estimator),
    ``classes_``, ``n_splits_`` (0 when uncalibrated), ``calibrated_``,
    ``grouped_`` (whether the folds were grouped), ``held_out_index_`` and
    ``held_out_proba_`` (the rows of ``X`` held out of a calibration fold and
    that fold's calibrated probabilities for them, columns in ``classes_``
    order; empty when uncalibrated).
    """

    def __init__(self, estimator: Any = None, method: str = "temperature", max_splits: int = 3,
                 random_state: int | None = 0) -> None:
        self.estimator = estimator
        self.method = method
        self.max_splits = max_splits
        self.random_state = random_state

    def fit(self, X: Any, y: Any, groups: Any = None) -> "CalibratedStatusClassifier":
        """Fit the estimator and calibrate it on held-out folds (grouped by ``groups`` when given).

        Args:
            X: the training inputs the estimator takes (texts for the pipeline), ``n_samples`` long.
            y: the status labels, ``n_samples`` long.
            groups: the group of each sample (the force), so no force is in a fold it is calibrated on.

        Returns:
            self, fitted.
        """
        # one BLAS thread: on small problems OpenBLAS threads only contend (here fitting was ~25x slower
        # with two threads), and a single thread keeps the floating-point results reproducible
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(X, y, groups)

    def _splits(self, y: np.ndarray, groups: Any) -> list[tuple[np.ndarray, np.ndarray]]:
        classes, counts = np.unique(y, return_counts=True)
        if groups is not None:
            groups = np.asarray(["" if g is None else str(g) for g in groups], dtype=object)
            grouped = np.flatnonzero(groups != "")
            n = int(min(self.max_splits, len(set(groups[grouped]))))
            if n >= 2:
                splits = []
                for _, held in GroupKFold(n_splits=n).split(grouped, groups=groups[grouped]):
                    test = grouped[held]
                    train = np.setdiff1d(np.arange(len(y)), test)
                    splits.append((train, test))
                # every training side must see every label, or its decisions have missing columns
                if all(len(np.unique(y[train])) == len(classes) for train, _ in splits):
                    self.grouped_ = True
                    return splits
        self.grouped_ = False
        n = int(min(self.max_splits, counts.min()))
        if n < 2:
            return []
        return list(StratifiedKFold(n_splits=n, shuffle=True, random_state=self.random_state).split(np.zeros(len(y)), y))

    def _fit(self, X: Any, y: Any, groups: Any) -> "CalibratedStatusClassifier":
        y = np.asarray(y, dtype=object)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"need at least two labels to train, got {classes.tolist()}")
        base = clone(self.estimator) if self.estimator is not None else LogisticRegression(max_iter=5000)
        splits = self._splits(y, groups)
        if splits:
            self.estimator_ = CalibratedClassifierCV(base, method=self.method, cv=splits, ensemble=True).fit(X, y)
            self.calibrated_ = True
            self.n_splits_ = len(splits)
            # each fold's calibrated model on the rows it was not trained on: out-of-fold probabilities of the
            # training rows, which a rule fitted on training data alone (the review threshold) can use
            index, rows = [], []
            for (_, held), calibrated in zip(splits, self.estimator_.calibrated_classifiers_):
                index.append(held)
                rows.append(calibrated.predict_proba(_safe_indexing(X, held)))
            self.held_out_index_ = np.concatenate(index)
            self.held_out_proba_ = np.vstack(rows)
        else:
            self.estimator_ = base.fit(X, y)
            self.calibrated_ = False
            self.n_splits_ = 0
            self.held_out_index_ = np.zeros(0, dtype=int)
            self.held_out_proba_ = np.zeros((0, len(classes)))
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities, shape ``(n_samples, n_classes)``, columns in the order of ``classes_``.

        Raises:
            NotFittedError: before :meth:`fit`.
        """
        check_is_fitted(self, "estimator_")
        if sparse.issparse(X):
            # sparse features (the pipeline's) need no BLAS, and setting the limit scans the loaded
            # libraries each time: about 5 ms, as much as classifying a document's passages
            return self.estimator_.predict_proba(X)
        with threadpool_limits(limits=1, user_api="blas"):
            return self.estimator_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each sample, shape ``(n_samples,)``."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


#: Regularisation of the logistic regression (inverse strength) on cue and word features, when none is chosen.
DEFAULT_C = 16.0
#: The values of ``C`` the inner grouped cross-validation chooses from, with the training variant (:func:`select_variant`).
#: Screened on the outer folds of issue 12's evaluation (406 real items, variant real+synthetic+nz fixed, uncalibrated):
#: macro-F1 C=1 0.524, 4 0.552, 16 0.575, 32 0.576, 64 0.580, 128 0.581 - thousands of sparse n-gram columns and a few
#: hundred passages want little shrinkage; which of them is chosen, each fold decides on its own training forces.
C_GRID: tuple[float, ...] = (4.0, 16.0, 64.0)
#: The same with the 768 dense sentence-embedding columns added: more columns, stronger regularisation. Chosen by the
#: grouped evaluation of issue 12 (fixed training data, same outer folds): at C = 4 the embeddings' gain came with an
#: expected calibration error of 0.094 (target 0.08); at C = 1 the macro-F1 was the same and the ECE about 0.07.
C_EMBEDDINGS = 1.0
#: Whether the shipped model uses the sentence embeddings. Off: their grouped-evaluation gain is clear (macro-F1
#: +0.058, paired interval +0.018 to +0.101; model card) but the model with them misreads a pinned bug input
#: (tests/data/bug-inputs/22-soft-hyphen-line-ends, recommendation 10: not_addressed 0.39 against completed 0.39),
#: classifies about six times slower and needs torch (about 1.1 GB), so it is an optional extra: `python -m pipeline
#: evaluate --embeddings` measures them (figures of issue 12 measured on 291 real items, before the character n-grams).
EMBEDDINGS = False


def build_status_pipeline(random_state: int = 0, calibrate: bool = True, embeddings: bool | None = None,
                          C: float | None = None) -> Pipeline:
    """The unfitted model: force names masked, cue, word and character n-gram features, a calibrated classifier.

    The sentence embeddings are an option (below).

    ``C``: the logistic regression's inverse regularisation (``None``: :data:`DEFAULT_C`, or :data:`C_EMBEDDINGS` with the
    embeddings).

    ``calibrate=False`` gives the bare logistic regression (used by the inner
    model selection of :func:`pipeline.model.evaluate`, where only the label counts).
    ``embeddings`` adds the sentence embeddings
    (:class:`~pipeline.model.embeddings.SentenceEmbeddingFeatures`; ``None``:
    :data:`EMBEDDINGS`, the shipped choice); the evaluation measures the other
    choice on the same folds.
    Fit with ``fit(texts, labels, classifier__groups=forces)`` to calibrate on
    folds grouped by force (see :class:`CalibratedStatusClassifier`).
    """
    # character 2-5-grams within words beside the word n-grams: they share evidence between the inflections and
    # spellings of few examples ("implemented"/"implementing", "re-issued"/"reissued"). Measured on the same outer
    # folds of the grouped evaluation of 406 real items: macro-F1 0.487 -> 0.513 (specific 0.460 -> 0.486,
    # blanket 0.413 -> 0.442), and better in every training variant.
    features = FeatureUnion([
        ("cues", StatusCueFeatures()),
        ("words", TfidfVectorizer(lowercase=True, strip_accents="unicode", ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
        ("characters", TfidfVectorizer(analyzer="char_wb", lowercase=True, strip_accents="unicode", ngram_range=(2, 5),
                                       sublinear_tf=True, min_df=2)),
    ])
    if embeddings is None:
        embeddings = EMBEDDINGS
    if embeddings:
        features.transformer_list.append(("sentences", SentenceEmbeddingFeatures()))
    if C is None:
        C = C_EMBEDDINGS if embeddings else DEFAULT_C
    linear = LogisticRegression(C=C, class_weight="balanced", max_iter=5000,
                                random_state=random_state)
    # every feature reads the text with the names of forces, PCCs and force areas masked (ForceNameMasker): unmasked,
    # the same sentence was completed from every "... Constabulary" and not_addressed from every "... Police" (the
    # cue lexicon's subjects know "constabulary", the n-grams learned the names' label priors; newcomer report s8
    # item 2), and a held-out force could be recognised by its name. The passage itself, and so its evidence, is
    # not changed.
    mask = ForceNameMasker()
    if not calibrate:
        return Pipeline([("mask", mask), ("features", features), ("classifier", linear)])
    classifier = CalibratedStatusClassifier(linear, method="temperature", max_splits=3, random_state=random_state)
    return Pipeline([("mask", mask), ("features", features), ("classifier", classifier)])


# --- training data: real items first, then what the evaluation shows helps --------------------

#: How many standard errors of the inner folds' macro-F1 a variant with added sources must beat real-only (and every
#: variant with fewer sources) by to be chosen (:func:`select_variant`; ``config.toml`` ``[model] variant_margin_se``).
VARIANT_MARGIN = 1.0

#: Training variants, each a set of sources added to the real items. :func:`pipeline.model.evaluate`
#: measures each under grouped cross-validation and picks one by inner grouped CV on training folds only.
VARIANTS: dict[str, tuple[str, ...]] = {
    "real": ("real",),
    "real+synthetic": ("real", "synthetic"),
    "real+synthetic+nz": ("real", "synthetic", "external"),
}


def normalise_force(name: Any) -> str:
    """The grouping key of a force: lower case, without "police", "constabulary", "service" ("Gwent Police" -> "gwent")."""
    words = str(name or "").lower().replace("&", "and").split()
    words = [w for w in words if w not in {"police", "constabulary", "service", "force"}]
    return " ".join(words)


def record_kind(record: Mapping[str, Any]) -> str:
    """``all`` for a blanket answer to the whole report, else the item's kind (``recommendation`` when unstated)."""
    kind = record.get("kind")
    if kind:
        return str(kind)
    return "all" if str(record.get("recommendation", record.get("item", ""))).strip().lower() == "all" else "recommendation"


def text_key(text: str) -> str:
    """Identity of a text for de-duplication: lower case, white space collapsed."""
    return " ".join(str(text).lower().split())


def real_items(records: Sequence[Mapping[str, Any]]) -> tuple[list[dict], list[dict]]:
    """The real (non-synthetic, non-external) records with text, one per distinct text, and the duplicates dropped.

    Each kept record gains ``group`` (:func:`normalise_force`) and ``kind``
    (:func:`record_kind`). A text seen again (the same words, case and white
    space aside) is dropped, so no passage is in both a training and a test fold.
    """
    kept, dropped, seen = [], [], set()
    for record in records:
        if is_synthetic(record) or is_external(record) or not str(record.get("text", "")).strip():
            continue
        key = text_key(record["text"])
        if key in seen:
            dropped.append(dict(record))
            continue
        seen.add(key)
        kept.append(dict(record, group=normalise_force(record.get("force")), kind=record_kind(record)))
    return kept, dropped


def label_conflicts(kept: Sequence[Mapping[str, Any]], dropped: Sequence[Mapping[str, Any]]) -> list[dict]:
    """The dropped duplicates (see :func:`real_items`) whose label differs from the kept record of the same text.

    Two people (an adjudicated label and a later review, or two reviews of
    passages with the same words) can disagree; only the first record's label
    is trained on and scored, so the disagreement is named rather than lost.
    Out: one dict per conflict, ``text_key``-ordered as found: ``kept_id``,
    ``kept_label``, ``dropped_id``, ``dropped_label``.
    """
    first = {text_key(r["text"]): r for r in kept}
    conflicts = []
    for record in dropped:
        held = first.get(text_key(record["text"]))
        if held is not None and held.get("label") != record.get("label"):
            conflicts.append({"kept_id": str(held.get("id", "")), "kept_label": held.get("label"),
                              "dropped_id": str(record.get("id", "")), "dropped_label": record.get("label")})
    return conflicts


def is_external(record: Mapping[str, Any]) -> bool:
    """True for out-of-domain records (the New Zealand set): never in a police figure."""
    return record.get("external") is True


def external_records(rows: Sequence[Mapping[str, Any]], masked: bool = False) -> list[dict]:
    """Annotation records from the New Zealand status reports (``taic_minister_status_reports.jsonl``).

    Only rows with a ``label_strict`` (Implemented -> completed, Being
    implemented -> in_progress, Rejected -> not_addressed; see
    ``corpus/external/taic-nz/NOTICE.md``). ``group`` is the recommendation
    number, so the 29 recommendations reported in both years stay on one side
    of a split. ``masked=True`` drops the agency's opening status sentence
    (``text_without_status_line``) where the row has one.
    """
    out = []
    for row in rows:
        label = row.get("label_strict")
        if label not in LABELS:
            continue
        text = row.get("text_without_status_line") if masked and row.get("text_without_status_line") else row.get("text")
        if not str(text or "").strip():
            continue
        out.append({"id": f"taic-nz:{row['id']}", "force": "external:taic-nz", "text": str(text), "label": label,
                    "external": True, "synthetic": False, "group": f"taic-nz:{row.get('rec_no')}",
                    "has_status_line": bool(row.get("text_without_status_line"))})
    return out


def training_set(real: Sequence[Mapping[str, Any]], synthetic: Sequence[Mapping[str, Any]],
                 external: Sequence[Mapping[str, Any]], variant: str) -> tuple[list[str], list[str], list[str]]:
    """Texts, labels and calibration groups of one training variant (see :data:`VARIANTS`).

    Real items keep their force as group; synthetic and external ones get ``""``
    (always on the training side of a calibration fold).
    """
    sources = VARIANTS[variant]
    rows = [(r["text"], r["label"], r["group"]) for r in real]
    if "synthetic" in sources:
        rows += [(r["text"], r["label"], "") for r in synthetic if r["text"].strip()]
    if "external" in sources:
        rows += [(r["text"], r["label"], "") for r in external]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


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
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}  # id -> line it was first on
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
    """``records`` as a list, once each is a valid annotation with an id of its own.

    Raises:
        ValueError: naming the first record that is not valid (see :func:`record_problem`), or up to
            five ids that occur more than once.
    """
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
    """The number of records of each status label, every label present (0 when unused), in guideline order."""
    counts = Counter(r["label"] for r in records)
    return {label: counts.get(label, 0) for label in GUIDELINE_ORDER}


def library_versions() -> dict[str, str]:
    """Versions that decide whether a saved model reproduces."""
    import sklearn
    import spacy

    return {"sklearn": sklearn.__version__, "spacy": spacy.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def fit_variant(real: Sequence[Mapping[str, Any]], synthetic: Sequence[Mapping[str, Any]], external: Sequence[Mapping[str, Any]],
                variant: str, random_state: int = 0, calibrate: bool = True, engine: Any = None,
                encoder: SentenceEncoder | None = None, embeddings: bool | None = None, C: float | None = None) -> Pipeline:
    """:func:`build_status_pipeline` fitted on one training variant, calibrated on folds grouped by force.

    ``engine``: a :class:`~pipeline.cues.CueEngine` and ``encoder`` a
    :class:`~pipeline.model.embeddings.SentenceEncoder` to share between many
    fits (evaluation); ``None`` builds the model's own. ``embeddings``: see
    :func:`build_status_pipeline`. ``C``: the regularisation (``None``: the default of :func:`build_status_pipeline`).
    """
    texts, labels, groups = training_set(real, synthetic, external, variant)
    if not texts:
        raise ValueError(f"no records with text to train on (variant {variant})")
    pipeline = build_status_pipeline(random_state=random_state, calibrate=calibrate, embeddings=embeddings, C=C)
    if engine is not None:
        share_engine(pipeline, engine)
    if encoder is not None:
        share_encoder(pipeline, encoder)
    if calibrate:
        return pipeline.fit(texts, labels, classifier__groups=groups)
    with threadpool_limits(limits=1, user_api="blas"):
        return pipeline.fit(texts, labels)


def select_variant(real: Sequence[Mapping[str, Any]], synthetic: Sequence[Mapping[str, Any]],
                   external: Sequence[Mapping[str, Any]], random_state: int = 0, max_splits: int = 4,
                   engine: Any = None, encoder: SentenceEncoder | None = None, embeddings: bool | None = None,
                   variant_margin: float = VARIANT_MARGIN) -> dict:
    """Pick a training variant and the regularisation by grouped cross-validation on ``real`` alone (nested CV's inner loop).

    ``GroupKFold`` over the forces of ``real`` (at most ``max_splits`` folds);
    each variant of :data:`VARIANTS` is fitted at each ``C`` of :data:`C_GRID`
    (uncalibrated: calibration does not change which label wins often enough to
    pay for itself here) on the training side plus its extra sources and scored
    on the held-out real items only (pooled macro-F1, and macro-F1 per inner fold).

    The variant: real items first (issue 12: synthetic and out-of-domain data "may help only where the real
    evaluation shows they do"). A variant with added sources is taken only if it beats every variant with fewer
    sources by a clear margin: the variant listed first (fewest sources) whose best pooled macro-F1 over the grid
    is within ``variant_margin`` standard errors of the best one's wins, the standard error being that of the
    best (variant, C)'s per-inner-fold macro-F1 (the one-standard-error rule; ``config.toml`` ``[model]
    variant_margin_se``). ``variant_margin = 0``: the best pooled score wins, a tie going to fewer sources.
    The ``C``: the chosen variant's best, a tie going to the smaller (more regularised).

    Returns ``{"variant", "C", "scores": {variant: its best macro-F1 over the grid}, "grid": {"<variant> C=<C>":
    macro-F1}, "fold_scores": {"<variant> C=<C>": [macro-F1 per inner fold]}, "best", "standard_error",
    "margin_se", "splits"}``. Without two forces there is nothing to compare: ``real+synthetic`` when there are
    synthetic records, else ``real``, at :data:`DEFAULT_C`.
    """
    from sklearn.metrics import f1_score

    groups = np.array([r["group"] for r in real], dtype=object)
    n = int(min(max_splits, len(set(groups.tolist()))))
    candidates = [v for v in VARIANTS if "external" not in VARIANTS[v] or external]
    candidates = [v for v in candidates if "synthetic" not in VARIANTS[v] or synthetic]
    if n < 2:
        fallback = "real+synthetic" if synthetic else "real"
        return {"variant": fallback, "C": DEFAULT_C, "scores": {}, "grid": {}, "splits": 0}
    grid = [(v, c) for v in candidates for c in C_GRID]
    truth: list[str] = []
    predicted: dict[tuple[str, float], list[str]] = {key: [] for key in grid}
    bounds: list[tuple[int, int]] = []  # each inner fold's slice of the pooled predictions
    for train_index, test_index in GroupKFold(n_splits=n).split(groups, groups=groups):
        train_real = [real[i] for i in train_index]
        test_texts = [real[i]["text"] for i in test_index]
        bounds.append((len(truth), len(truth) + len(test_index)))
        truth += [real[i]["label"] for i in test_index]
        for variant, c in grid:
            train_labels = {r["label"] for r in train_real}
            if "synthetic" in VARIANTS[variant]:
                train_labels |= {r["label"] for r in synthetic}
            if len(train_labels) < 2:
                predicted[(variant, c)] += [train_real[0]["label"]] * len(test_texts)
                continue
            model = fit_variant(train_real, synthetic, external, variant, random_state=random_state, calibrate=False,
                                engine=engine, encoder=encoder, embeddings=embeddings, C=c)
            predicted[(variant, c)] += list(model.predict(test_texts))
    def macro(key: tuple[str, float], lo: int = 0, hi: int | None = None) -> float:
        return float(f1_score(truth[lo:hi], predicted[key][lo:hi], labels=list(GUIDELINE_ORDER), average="macro",
                              zero_division=0))

    scores = {key: macro(key) for key in grid}
    folds = {key: [macro(key, lo, hi) for lo, hi in bounds] for key in grid}

    def best_of(keys: Sequence[tuple[str, float]]) -> tuple[str, float]:
        # ties go to the key listed first: the variant with fewer sources, then the smaller C
        return max(keys, key=lambda key: (round(scores[key], 6), -grid.index(key)))

    best = best_of(grid)
    standard_error = float(np.std(folds[best], ddof=1) / np.sqrt(len(folds[best]))) if len(folds[best]) > 1 else 0.0
    per_variant = {v: best_of([key for key in grid if key[0] == v]) for v in candidates}
    floor = round(scores[best] - variant_margin * standard_error, 6)
    variant = next(v for v in candidates if round(scores[per_variant[v]], 6) >= floor)
    c = per_variant[variant][1]
    return {"variant": variant, "C": c, "scores": {v: scores[per_variant[v]] for v in candidates},
            "grid": {f"{v} C={g:g}": scores[(v, g)] for v, g in grid},
            "fold_scores": {f"{v} C={g:g}": folds[(v, g)] for v, g in grid},
            "best": f"{best[0]} C={best[1]:g}", "standard_error": standard_error, "margin_se": float(variant_margin),
            "splits": n}


def train(records: Sequence[Mapping[str, Any]], random_state: int = 0, external_rows: Sequence[Mapping[str, Any]] = (),
          variant: str | None = None, variant_margin: float = VARIANT_MARGIN) -> tuple[Pipeline, dict]:
    """Fit the shipped model: real items first, synthetic and New Zealand passages only if grouped CV says so.

    Args:
        records: annotation records (real and synthetic; see :func:`record_problem`).
        random_state: seed of every fold and estimator.
        external_rows: rows of ``taic_minister_status_reports.jsonl`` (see :func:`external_records`).
        variant: a key of :data:`VARIANTS`, or ``None`` to pick one by :func:`select_variant`.
        variant_margin: the margin, in standard errors, an added source must win by (see :func:`select_variant`).

    Returns:
        The fitted pipeline and a metrics dict for the model manifest: label
        counts (real and synthetic apart), the variant and how it was chosen,
        the data hash, library versions, the training date and how long it took.

    Raises:
        ValueError: an invalid record (see :func:`record_problem`) or nothing to train on.
    """
    from pipeline.cues import CueEngine, load_cue_lexicon

    records = checked_records(records)
    usable = [r for r in records if r["text"].strip()]
    if not usable:
        raise ValueError("no records with text to train on")
    real, duplicates = real_items(usable)
    synthetic = [r for r in usable if is_synthetic(r)]
    external = external_records(external_rows)
    started = time.perf_counter()
    engine = CueEngine(load_cue_lexicon(None), memo=True)
    encoder = SentenceEncoder(memo_size=None)
    selection: dict[str, Any]
    if not real:
        selection = {"variant": "real+synthetic", "C": DEFAULT_C, "scores": {}, "splits": 0, "reason": "no real records"}
    elif variant is None:
        selection = select_variant(real, synthetic, external, random_state=random_state, engine=engine, encoder=encoder,
                                   variant_margin=variant_margin)
    else:
        selection = {"variant": variant, "C": DEFAULT_C, "scores": {}, "splits": 0, "reason": "given"}
    pipeline = fit_variant(real, synthetic, external, selection["variant"], random_state=random_state, engine=engine,
                           encoder=encoder, C=selection["C"])
    # the shared engine and encoder carry a memo of every training text: the saved model builds its own on first use
    drop_engine(pipeline)
    share_encoder(pipeline, None)
    seconds = time.perf_counter() - started
    sources = VARIANTS[selection["variant"]]
    classifier = pipeline.named_steps["classifier"]
    metrics = {
        "n_records": len(records),
        "n_trained": (len(real) + (len(synthetic) if "synthetic" in sources else 0)
                      + (len(external) if "external" in sources else 0)),
        "n_skipped_empty": len(records) - len(usable),
        "n_duplicate_texts_dropped": len(duplicates),
        "duplicate_label_conflicts": label_conflicts(real, duplicates),
        "variant": selection["variant"],
        "C": selection["C"],
        "variant_selection": {k: v for k, v in selection.items() if k != "variant"},
        "label_counts": {"real": label_counts(real), "synthetic": label_counts(synthetic), "external": label_counts(external)},
        "kind_counts": dict(sorted(Counter(r["kind"] for r in real).items())),
        "forces": sorted({str(r["force"]) for r in real}),
        "data_sha256": data_hash(records),
        "external_sha256": data_hash(list(external_rows)) if external_rows else None,
        "versions": library_versions(),
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_seconds": round(seconds, 3),
        "random_state": random_state,
        "classes": [str(c) for c in classifier.classes_],
        "calibrated": bool(classifier.calibrated_),
        "calibration_folds": int(classifier.n_splits_),
        "calibration_grouped": bool(getattr(classifier, "grouped_", False)),
        "steps": _describe(pipeline),
    }
    return pipeline, metrics


def _describe(pipeline: Pipeline) -> list[str]:
    features = pipeline.named_steps["features"]
    classifier = pipeline.named_steps["classifier"]
    parts = [f"mask: {type(pipeline.named_steps['mask']).__name__} (force, PCC and force area names read as "
             f"\"{pipeline.named_steps['mask'].placeholder}\")"] if "mask" in pipeline.named_steps else []
    parts += [f"features/{name}: {type(step).__name__}" for name, step in features.transformer_list]
    inner = type(classifier.estimator).__name__
    if hasattr(classifier.estimator, "C"):
        inner += f" C={classifier.estimator.C:g}"
    parts.append(f"classifier: {type(classifier).__name__}({inner}, method={classifier.method})")
    return parts
