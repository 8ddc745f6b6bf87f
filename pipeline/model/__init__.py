"""The trained status classifier: one scikit-learn Pipeline, its training and its honest evaluation.

Everything learned lives inside the :class:`~sklearn.pipeline.Pipeline` built by
:func:`build_status_pipeline`::

    mask        ForceNameMasker     the names of forces, PCCs / OPCCs and force areas (pipeline/data/forces.csv)
                                  read as "force", so every feature is the same whichever force writes
    features    FeatureUnion
      cues        StatusCueFeatures   tense / aspect / modality cues, status words and RAG colours of
                                      pipeline/data/cues.toml, pooled over sentences (any / share), the
                                      rule baseline's decision, past / future / deadline dates
      words       TfidfVectorizer     lower-cased word 1-2-grams
      characters  TfidfVectorizer     character 2-5-grams within words
      sentences   SentenceEmbeddingFeatures
                                      all-MiniLM-L6-v2 sentence vectors (from its PyPI wheel, offline),
                                      max- and mean-pooled over the passage's sentences
    classifier  CalibratedStatusClassifier
                  LogisticRegression(class_weight="balanced") with temperature scaling on held-out
                  folds grouped by force (CalibratedClassifierCV; stratified folds without groups,
                  uncalibrated when a class has a single example)

:func:`train` fits it on the real items first, adding synthetic passages and the
New Zealand out-of-domain set only when grouped cross-validation on the real
items picks them (:func:`select_variant`); :func:`evaluate` runs nested
cross-validation grouped by force on the real items only, against two baselines,
with the out-of-domain figure and annotator agreement apart;
:func:`format_evaluation`, :func:`model_card` and :func:`readme_block` render the
results. No file I/O here: the CLI reads the annotations and writes the model
through :mod:`pipeline.io`.

One module per part: :mod:`~pipeline.model.features` (the cue features), :mod:`~pipeline.model.embeddings`
(the sentence embeddings),
:mod:`~pipeline.model.training` (the pipeline, the records, variants, training),
:mod:`~pipeline.model.evaluation` and :mod:`~pipeline.model.card` (modules named apart from the
functions :func:`train` and :func:`evaluate` this package exports, so neither hides the other). Saved models
name their classes by this package (``pipeline.model.StatusCueFeatures``,
``pipeline.model.CalibratedStatusClassifier``), so they stay importable from here.
"""

from __future__ import annotations

from pipeline.model.card import model_card, readme_block, replace_readme_block
from pipeline.model.embeddings import SentenceEmbeddingFeatures, SentenceEncoder
from pipeline.model.evaluation import MODEL_NAMES, batch_agreement, evaluate, format_evaluation, target_checks
from pipeline.model.features import (
    FORCE_PLACEHOLDER,
    ForceNameMasker,
    StatusCueFeatures,
    date_features,
    force_terms,
)
from pipeline.model.training import (
    CalibratedStatusClassifier,
    build_status_pipeline,
    data_hash,
    external_records,
    fit_variant,
    is_synthetic,
    library_versions,
    real_items,
    record_problem,
    select_variant,
    train,
    validate_records,
)

__all__ = ["FORCE_PLACEHOLDER", "MODEL_NAMES", "CalibratedStatusClassifier", "ForceNameMasker",
           "SentenceEmbeddingFeatures", "SentenceEncoder",
           "StatusCueFeatures", "batch_agreement", "build_status_pipeline",
           "data_hash", "date_features", "evaluate", "external_records", "fit_variant", "force_terms", "format_evaluation",
           "is_synthetic",
           "library_versions", "model_card", "readme_block", "real_items", "record_problem", "replace_readme_block",
           "select_variant", "target_checks", "train", "validate_records"]
