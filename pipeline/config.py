"""The one configuration: paths, limits, thresholds, the model's seeds, collect's limits, golden and bench settings.

The defaults are ``pipeline/data/config.toml`` (shipped with the package). A user's
file (``--config FILE``) holds only the keys it changes, in the same tables; a
command-line flag overrides both (the CLI builds its parser with this
configuration's values as the flags' defaults). :func:`parse_config` reads the
layers once, checks every key and value, and returns a frozen :class:`Config`.
No file access here: the CLI reads the texts through :mod:`pipeline.io`.

Rules of one stage stay beside the rules they tune, not here: segment's
content-matching thresholds in ``segment.toml``, the report's colours in
``report.toml``, collect's link rules in ``collect.toml``.

Errors (:class:`~pipeline.errors.PipelineError`, each naming the file and the
key as ``table.key``): E430 unknown table or key, E431 a value of the wrong
type, E432 a value out of range, E433 a file that cannot be read as TOML,
E434 a key missing from the defaults.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Callable, Iterable, Mapping, get_type_hints

from pipeline.errors import PipelineError

#: The shipped defaults, a file of ``pipeline/data/``.
DEFAULTS_FILE = "config.toml"


def _check(test: Callable[[Any], bool], wanted: str) -> dict[str, Any]:
    """Field metadata: a range check on the value and the words an error gives for it."""
    return {"check": test, "wanted": wanted}


def _non_empty(value: Any) -> bool:
    return len(value) > 0


@dataclass(frozen=True)
class Paths:
    """Files and folders the commands read and write (relative to the current directory)."""

    inputs: tuple[str, ...] = field(metadata=_check(_non_empty, "at least one file or folder"))
    out: str = field(metadata=_check(_non_empty, "a folder"))
    inspections: str = field(metadata=_check(_non_empty, "a folder"))
    model: str = field(metadata=_check(_non_empty, "a file"))
    models: str = field(metadata=_check(_non_empty, "a folder"))
    manifest: str
    annotations: str = field(metadata=_check(_non_empty, "a folder"))
    external: str  # out-of-domain status updates (New Zealand) for train/evaluate; "" for none
    reviews: str
    review_file: str = field(metadata=_check(_non_empty, "a file"))
    cache: str = field(metadata=_check(_non_empty, "a folder"))
    sources: str = field(metadata=_check(_non_empty, "a file"))
    collected: str = field(metadata=_check(_non_empty, "a folder"))
    golden: str = field(metadata=_check(_non_empty, "a folder"))
    reserved_forces: str = field(metadata=_check(_non_empty, "a file"))

    @property
    def metrics(self) -> str:
        """The ``metrics.json`` that ``train`` writes beside the model (``evaluate`` reads its history)."""
        return f"{self.models}/metrics.json"


@dataclass(frozen=True)
class Limits:
    """What one run may cost: pages and seconds per PDF (E107, E108), characters per document (E129), documents at once."""

    max_pages: int = field(metadata=_check(lambda v: v >= 1, "at least 1"))
    max_seconds: float = field(metadata=_check(lambda v: v > 0, "more than 0"))
    jobs: int = field(metadata=_check(lambda v: v >= 0, "0 (one per core) or more"))
    max_characters: int = field(metadata=_check(lambda v: v >= 1, "at least 1"))


@dataclass(frozen=True)
class Thresholds:
    """Thresholds of the outputs: ``review``, the confidence under which a model-decided cell needs review."""

    review: float = field(metadata=_check(lambda v: 0.0 <= v <= 1.0, "between 0 and 1"))


@dataclass(frozen=True)
class ModelConfig:
    """The model's seeds and evaluation settings, passed to :mod:`pipeline.model` by the CLI.

    The hook for more hyper-parameters: add the key to ``config.toml`` and a
    field here, and pass it in :meth:`training_options` / :meth:`evaluation_options`
    once :func:`pipeline.model.train` / :func:`pipeline.model.evaluate` take it.
    """

    seed: int = field(metadata=_check(lambda v: v >= 0, "0 or more"))
    bootstrap_resamples: int = field(metadata=_check(lambda v: v >= 1, "at least 1"))
    bootstrap_seed: int = field(metadata=_check(lambda v: v >= 0, "0 or more"))
    variant_margin_se: float = field(metadata=_check(lambda v: v >= 0, "0 or more"))

    def training_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`pipeline.model.train`."""
        return {"random_state": self.seed, "variant_margin": self.variant_margin_se}

    def evaluation_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`pipeline.model.evaluate`."""
        return {"random_state": self.seed, "resamples": self.bootstrap_resamples, "bootstrap_seed": self.bootstrap_seed,
                "variant_margin": self.variant_margin_se}


@dataclass(frozen=True)
class CollectConfig:
    """``python -m pipeline collect``: links followed, politeness and the limits on one response (seconds, megabytes)."""

    depth: int = field(metadata=_check(lambda v: v >= 0, "0 or more"))
    delay: float = field(metadata=_check(lambda v: v >= 0, "0 or more"))
    timeout: float = field(metadata=_check(lambda v: v > 0, "more than 0"))
    max_mb: float = field(metadata=_check(lambda v: v > 0, "more than 0"))
    retries: int = field(metadata=_check(lambda v: v >= 0, "0 or more"))
    backoff: float = field(metadata=_check(lambda v: v >= 0, "0 or more"))
    max_wait: float = field(metadata=_check(lambda v: v >= 0, "0 or more"))

    def settings_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`pipeline.collect.load_settings` (the size cap in bytes)."""
        return {"depth": self.depth, "delay": self.delay, "timeout": self.timeout,
                "max_bytes": int(self.max_mb * 1_000_000), "retries": self.retries, "backoff": self.backoff,
                "max_wait": self.max_wait}


@dataclass(frozen=True)
class GoldenConfig:
    """The golden seed outputs (``python -m pipeline golden``): ``as_of``, the day deadlines are checked against."""

    as_of: date


@dataclass(frozen=True)
class BenchConfig:
    """``python -m pipeline bench``: ``seed`` of the generated responses."""

    seed: int = field(metadata=_check(lambda v: v >= 0, "0 or more"))


@dataclass(frozen=True)
class Config:
    """The whole configuration, one frozen dataclass per table of ``config.toml``."""

    paths: Paths
    limits: Limits
    thresholds: Thresholds
    model: ModelConfig
    collect: CollectConfig
    golden: GoldenConfig
    bench: BenchConfig


def _type_name(value: Any) -> str:
    return {bool: "true/false", int: "a whole number", float: "a number", str: "text", list: "a list",
            dict: "a table", date: "a date"}.get(type(value), type(value).__name__)


def _convert(value: Any, kind: Any, where: str, origin: str) -> Any:
    """``value`` as the field's type (an int is a good float; "YYYY-MM-DD" a good date); E431 otherwise."""
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    if kind is date:
        if isinstance(value, date) and type(value) is date:  # tomllib gives datetime for 2025-06-01T00:00
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise PipelineError("E431", path=origin, key=where, expected="a date YYYY-MM-DD", got=repr(value))
    if kind == tuple[str, ...] and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    expected = {int: "a whole number", float: "a number", str: "text"}.get(kind, "a list of text")
    raise PipelineError("E431", path=origin, key=where, expected=expected, got=f"{_type_name(value)} {value!r}")


def _checked_layer(data: Mapping[str, Any], origin: str) -> dict[str, dict[str, Any]]:
    """One file's tables, every key known and every value converted and in range (E430, E431, E432)."""
    tables = [f.name for f in fields(Config)]
    hints = get_type_hints(Config)
    layer: dict[str, dict[str, Any]] = {}
    for name, table in data.items():
        if name not in tables:
            raise PipelineError("E430", path=origin, key=name, known=", ".join(tables))
        if not isinstance(table, dict):
            raise PipelineError("E431", path=origin, key=name, expected="a table", got=_type_name(table))
        cls = hints[name]
        known = {f.name: f for f in fields(cls)}
        kinds = get_type_hints(cls)
        for key, value in table.items():
            where = f"{name}.{key}"
            if key not in known:
                raise PipelineError("E430", path=origin, key=where, known=", ".join(f"{name}.{k}" for k in known))
            converted = _convert(value, kinds[key], where, origin)
            metadata = known[key].metadata
            if "check" in metadata and not metadata["check"](converted):
                raise PipelineError("E432", path=origin, key=where, value=repr(value), wanted=metadata["wanted"])
            layer.setdefault(name, {})[key] = converted
    return layer


def _parse_toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError("E433", path=origin, detail=str(exc)) from None


def parse_config(layers: Iterable[tuple[str, str]]) -> Config:
    """The configuration from TOML texts, each later one overriding the keys it holds.

    Args:
        layers: ``(text, origin)`` pairs, the defaults (``pipeline/data/config.toml``)
            first, then a user's ``--config FILE``; ``origin`` names the file in errors.

    Returns:
        The frozen :class:`Config`.

    Raises:
        PipelineError: E433 a text that is not TOML; E430 an unknown table or key;
            E431 a value of the wrong type; E432 a value out of range; E434 a key
            no layer gives (the first layer is the one that must hold every key).
    """
    merged: dict[str, dict[str, Any]] = {}
    first = ""
    for text, origin in layers:
        first = first or origin
        for name, table in _checked_layer(_parse_toml(text, origin), origin).items():
            merged.setdefault(name, {}).update(table)
    hints = get_type_hints(Config)
    sections = {}
    for section in fields(Config):
        values = merged.get(section.name, {})
        cls = hints[section.name]
        missing = [f.name for f in fields(cls) if f.name not in values]
        if missing:
            raise PipelineError("E434", path=first, key=f"{section.name}.{missing[0]}")
        sections[section.name] = cls(**values)
    return Config(**sections)


def check_flag(table: str, key: str, value: Any, flag: str) -> None:
    """Apply the range check of ``table.key`` (the one a configuration file gets, E432) to a flag's value.

    Args:
        table: the configuration table, e.g. ``"limits"``.
        key: the key in that table, e.g. ``"jobs"``.
        value: the value the flag gave.
        flag: the flag as typed, e.g. ``"--jobs"``, for the message.

    Raises:
        PipelineError: E440 naming the flag, the value and the range, when the check fails.
    """
    cls = get_type_hints(Config)[table]
    metadata = next(f.metadata for f in fields(cls) if f.name == key)
    if "check" in metadata and not metadata["check"](value):
        raise PipelineError("E440", flag=flag, value=value, wanted=metadata["wanted"],
                            why=f" (the check the configuration applies to {table}.{key})")
