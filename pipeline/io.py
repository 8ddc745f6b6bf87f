"""The one module (besides the CLI) that touches the file system.

Reading: input discovery, source files, package data, registers, manifests,
annotations. Writing: always atomic (temporary file in the same folder, then
``os.replace``), so a run killed part way never leaves a half-written output
where a good one stood; a set of outputs (:func:`write_outputs`) is written in
full before any is renamed, so a failure while writing replaces none. An
OSError from a write names the file asked for, never the temporary one. Models: saved with a manifest of their sha256 and
scikit-learn version, and refused on load when either does not match, because
unpickling a joblib file can run code.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from pipeline.errors import PipelineError
from pipeline.types import SourceFile

#: The provenance file `collect` writes beside the documents (pipeline/collect.py reads and formats it).
SOURCES_FILE = "sources.csv"


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


#: Machine-readable data kept beside responses (an annotation's expected.json, a tracker's .csv export, a run's
#: parquet): no PCC publishes its response in these, so inside an input folder they are passed over and counted,
#: not reported as unsupported documents (which would fail the run). A data file named on its own is still read,
#: and reported (E102).
DATA_SUFFIXES = frozenset({".json", ".jsonl", ".csv", ".tsv", ".parquet"})

#: Suffixes of a web page a browser's "Save page as, complete" writes beside a folder ``<page>_files`` of its parts.
_SAVED_PAGE_SUFFIXES = (".html", ".htm")


def _saved_page_assets(folder: Path) -> bool:
    """Whether ``folder`` is the parts folder of a saved web page: ``<page>_files`` beside ``<page>.html`` (or .htm)."""
    if not folder.name.endswith("_files"):
        return False
    page = folder.name[: -len("_files")]
    return any((folder.parent / f"{page}{suffix}").is_file() for suffix in _SAVED_PAGE_SUFFIXES)


def find_inputs(paths: Sequence[str | os.PathLike], skip: Iterable[str | os.PathLike] = ()) -> tuple[list[Path], list[Path]]:
    """Expand files and folders (recursively) into the input files, and what was passed over in the folders.

    Hidden files and folders are skipped, and so is every ``sources.csv``
    (the provenance ``collect`` writes beside the documents, read by
    :func:`read_source_tables`); so are the files and folders in ``skip``
    (a run's own outputs and cache, should they lie inside an input folder),
    and the parts folder a browser saves beside a web page (``Response_files/``
    beside ``Response.html``: scripts, styles and images, no document), and
    data files found in a folder (:data:`DATA_SUFFIXES`). Every
    other file is returned, so that unsupported types are reported rather than
    silently ignored, and so is a symbolic link to a missing file (read_source
    reports it, E109).

    Returns:
        ``(files, passed_over)``, each sorted by path: ``passed_over`` holds the saved-page asset folders and
        the data files.

    Raises:
        PipelineError: E402 when no file is found.
    """
    skipped = {Path(p).resolve() for p in skip}
    found: set[Path] = set()
    passed: set[Path] = set()  # saved-page asset folders and data files
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            if path.name != SOURCES_FILE:
                found.add(path)  # a missing file is reported by read_source, not dropped
            continue
        for folder, subfolders, files in os.walk(path):
            here = Path(folder)
            kept = []
            for name in sorted(subfolders):
                child = here / name
                if name.startswith(".") or child.resolve() in skipped:
                    continue
                if _saved_page_assets(child):
                    passed.add(child)
                    continue
                kept.append(name)
            subfolders[:] = kept  # os.walk descends only into these
            for name in files:
                child = here / name
                if name.startswith(".") or name == SOURCES_FILE or child.resolve() in skipped:
                    continue
                if child.suffix.lower() in DATA_SUFFIXES and child.is_file():
                    passed.add(child)
                elif child.is_file() or child.is_symlink():  # a dangling link is kept, to be reported
                    found.add(child)
    if not found:
        raise PipelineError("E402", paths=", ".join(str(p) for p in paths))
    return sorted(found, key=str), sorted(passed, key=str)


def discover_inputs(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """The input files under ``paths``: :func:`find_inputs` without what it passed over.

    Raises ``PipelineError(E402)`` when nothing is found.
    """
    return find_inputs(paths)[0]


def check_output_folder(path: str | os.PathLike) -> None:
    """Make sure ``path`` is a folder this run can write into, before any work, leaving nothing behind.

    The folder (and any missing parent) is created, a file is tried in it,
    and what the check created is removed again: a run stopped later by a
    usage error has written nothing.

    Raises:
        PipelineError: E517 naming the folder and the system's reason (a file
            of that name, a read-only or virtual file system, no permission).
    """
    folder = Path(path)
    created = [p for p in (folder, *folder.parents) if not p.exists() and not p.is_symlink()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise PipelineError("E517", path=str(folder), detail=exc.strerror or str(exc)) from None
    finally:
        for made in created:  # deepest first
            try:
                made.rmdir()
            except OSError:
                pass


def read_source_tables(paths: Sequence[str | os.PathLike]) -> tuple[list[tuple[str, tuple]], list]:
    """Every ``sources.csv`` in the input folders (or named as an input), parsed.

    Returns ``([(folder holding it, its rows), ...], problems)``: a file that
    cannot be read or parsed is one :class:`~pipeline.types.Problem` (E503)
    and is left out, never a stop. Rows are :class:`pipeline.collect.SourceRow`.
    """
    from pipeline.collect import parse_sources

    found: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.update(p for p in path.rglob(SOURCES_FILE)
                         if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.name == SOURCES_FILE and path.is_file():
            found.add(path)
    tables, problems = [], []
    for path in sorted(found, key=str):
        try:
            tables.append((str(path.parent), parse_sources(read_text(path), origin=str(path))))
        except PipelineError as error:
            problems.append(error.problem(str(path)))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(PipelineError("E503", path=str(path), detail=f"unreadable ({exc})").problem(str(path)))
    return tables, problems


def read_source(path: str | os.PathLike) -> SourceFile:
    """Read one input file's bytes and hash. Raises ``PipelineError(E109)`` if unreadable."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        if os.path.islink(path) and not os.path.exists(path):
            target = os.readlink(os.fspath(path))
            raise PipelineError("E109", detail=f"a symbolic link to {target}, which does not exist") from None
        raise PipelineError("E109", detail=exc.strerror or str(exc)) from None
    return SourceFile(path=str(path), data=data, sha256=sha256_bytes(data))


def read_package_data(name: str) -> str:
    """Text of a file shipped in ``pipeline/data/`` (lexicons, force list, label definitions)."""
    return resources.files("pipeline").joinpath("data", name).read_text(encoding="utf-8")


def read_package_templates() -> dict[str, str]:
    """Every file shipped in ``pipeline/templates/`` (the report's Jinja2 templates), by file name."""
    folder = resources.files("pipeline").joinpath("templates")
    return {f.name: f.read_text(encoding="utf-8") for f in folder.iterdir() if f.is_file()}


def read_text(path: str | os.PathLike) -> str:
    """UTF-8 text of a project file (register, manifest, annotations)."""
    return Path(path).read_text(encoding="utf-8")


def load_inspections(folder: str | os.PathLike) -> tuple:
    """Parse every ``*.toml`` register in ``folder`` into :class:`~pipeline.types.Inspection` records, sorted by id.

    A register's ``force`` must name a force of ``pipeline/data/forces.csv``
    (official or short name), and no two registers may share an id; either
    problem raises ``PipelineError(E403)`` naming the file.
    """
    from pipeline.register import check_unique_ids, parse_inspection

    names = force_names()
    paths = sorted(Path(folder).glob("*.toml"))
    inspections = [parse_inspection(read_text(p), origin=str(p), force_names=names) for p in paths]
    check_unique_ids(inspections, [str(p) for p in paths])
    return tuple(sorted(inspections, key=lambda i: i.id))


def force_names() -> frozenset[str]:
    """Every official and short force name of ``pipeline/data/forces.csv``: what a register's ``force`` may say."""
    return frozenset(name for f in load_forces() for name in (f.name, f.short_name))


def read_reserved_forces(path: str | os.PathLike) -> tuple[str, ...]:
    """The reserved forces (``corpus/reserved-forces.txt``): one force's short name a line, ``#`` comments skipped.

    Their real responses are kept for an independent evaluation, so no command trains, evaluates or imports
    reviews on them. Raises ``PipelineError(E109)`` when the file cannot be read: without the list nothing could
    be refused.
    """
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise PipelineError("E109", detail=f"{path}: {getattr(exc, 'strerror', None) or exc} (the reserved forces' list, "
                                           "paths.reserved_forces)") from None
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def load_forces() -> tuple:
    """The 43 territorial forces with their aliases, from ``pipeline/data/forces.csv``."""
    from pipeline.identify import parse_forces

    return parse_forces(read_package_data("forces.csv"))


def read_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, object)`` for each non-blank line. Bad JSON raises ``PipelineError(E405)``."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise PipelineError("E405", path=str(path), line=number, detail=f"invalid JSON ({exc.msg})") from None


def read_text_records(path: str | os.PathLike) -> tuple[list[dict], list[PipelineError]]:
    """The ``{id, text}`` objects of a ``classify --in`` JSONL file, and every line that is not one.

    Reads the whole file, so one run names every bad line: a line that is not JSON, not an object with an ``id``
    and a string ``text``, or whose ``id`` an earlier line already holds (both lines named: the outputs are
    matched back to the inputs by id).

    Returns:
        ``(records, problems)``: the good objects in file order, and one ``PipelineError(E405)`` per bad line,
        in line order.
    """
    records: list[dict] = []
    problems: list[PipelineError] = []
    seen: dict[str, int] = {}  # id -> the line that holds it first
    for number, raw in enumerate(Path(path).read_bytes().splitlines(), start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")  # a line, not the file, that is not UTF-8
        except UnicodeDecodeError as exc:
            problems.append(PipelineError("E405", path=str(path), line=number, detail=f"not UTF-8 ({exc.reason})"))
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(PipelineError("E405", path=str(path), line=number, detail=f"invalid JSON ({exc.msg})"))
            continue
        if not isinstance(obj, dict) or "id" not in obj or not isinstance(obj.get("text"), str):
            problems.append(PipelineError("E405", path=str(path), line=number,
                                          detail="each object needs 'id' and a string 'text'"))
            continue
        key = json.dumps(obj["id"], sort_keys=True)  # 1 and "1" are two ids, as the output writes them
        if key in seen:
            problems.append(PipelineError("E405", path=str(path), line=number,
                                          detail=f"duplicate id {obj['id']!r} (first on line {seen[key]})"))
            continue
        seen[key] = number
        records.append(obj)
    return records, problems


def read_jsonl_folder(folder: str | os.PathLike) -> Iterator[tuple[Path, list[tuple[int, Any]]]]:
    """Yield ``(path, [(line_number, object), ...])`` for each ``*.jsonl`` of ``folder``, in name order.

    Each file is read when its turn comes, so a caller that stops on one file's
    problem has not read the next. Bad JSON raises ``PipelineError(E405)``.
    """
    for path in sorted(Path(folder).glob("*.jsonl")):
        yield path, list(read_jsonl(path))


def read_jsonl_objects(path: str | os.PathLike) -> list[dict]:
    """The JSON objects of a JSONL file (any other value on a line is passed over). Bad JSON raises E405."""
    return [obj for _, obj in read_jsonl(path) if isinstance(obj, dict)]


def read_external_rows(path: str | os.PathLike) -> list[dict]:
    """The out-of-domain rows (a JSONL of objects), or none when ``path`` is empty or no file. Bad JSON raises E405."""
    if not path or not Path(path).is_file():
        return []
    return read_jsonl_objects(path)


def read_annotation_batches(folder: str | os.PathLike) -> dict[str, dict]:
    """``<folder>/batches/<batch>/``: each batch's ``a.jsonl``, ``b.jsonl`` (two annotators' objects) and README.md.

    Returns:
        ``{batch name: {"a": [objects], "b": [objects], "readme": text}}``, batches in name order, each key
        present only when its file is; ``{}`` when there is no ``batches`` folder. Bad JSON raises E405.
    """
    out = {}
    root = Path(folder) / "batches"
    for batch in sorted(p for p in root.glob("*") if p.is_dir()) if root.is_dir() else []:
        entry: dict = {}
        for name in ("a", "b"):
            path = batch / f"{name}.jsonl"
            if path.is_file():
                entry[name] = read_jsonl_objects(path)
        if (batch / "README.md").is_file():
            entry["readme"] = read_text(batch / "README.md")
        out[batch.name] = entry
    return out


def read_json_object(path: str | os.PathLike) -> dict:
    """The JSON object in ``path``, or {} when there is no such file (or it is not a JSON object)."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        obj = json.loads(read_text(path))
    except json.JSONDecodeError:
        return {}
    return obj if isinstance(obj, dict) else {}


def read_scored_table(path: str | os.PathLike) -> Any:
    """A table written by ``score`` (``passages.csv``, ``scorecard.csv``) as :func:`read_csv` returns it.

    Raises:
        PipelineError: E109 when there is no such file.
    """
    if not Path(path).is_file():
        raise PipelineError("E109", detail=f"{path}: no such file (a folder written by `python -m pipeline score` holds it)")
    return read_csv(path)


def read_review_text(path: str | os.PathLike) -> str:
    """A filled-in review file's text.

    Raises:
        PipelineError: E109 when there is no such file; E406 naming the line it breaks on when it is not UTF-8.
    """
    if not Path(path).is_file():
        raise PipelineError("E109", detail=f"{path}: no such file")
    try:
        return read_text(path)
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise PipelineError("E406", path=str(path), line=line, detail="not UTF-8 text: save it as 'CSV UTF-8'") from None


def read_csv(path: str | os.PathLike) -> Any:
    """A CSV this project wrote (e.g. ``passages.csv``) as a pandas DataFrame of strings, empty cells as ``""``.

    Every value stays text so that ids and recommendation numbers come back
    exactly as written; callers convert the numeric columns they need.
    """
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _naming(exc: OSError, path: Path) -> OSError:
    """``exc`` naming ``path``, the file the caller asked for, never a temporary file beside it nor no file at all.

    A full disk (ENOSPC) or a file size limit (EFBIG) names no file, and a rename onto a folder names the hidden
    temporary file first: the one line the CLI prints (E448) must name what the user can act on.
    """
    named = OSError(exc.errno, exc.strerror or str(exc), str(path)) if exc.errno else OSError(str(exc))
    if not exc.errno:
        named.filename = str(path)
    return named


def _refuse_folder(path: Path) -> None:
    """Raise IsADirectoryError naming ``path`` when a folder stands where a file is to be written (before any byte)."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))


def _stage(path: Path, write: Any, mode: str, durable: bool = True) -> str:
    """Call ``write(handle)`` on a new temporary file beside ``path``; return its name (the caller renames it).

    ``durable``: flushed to disk (fsync), so that after the rename a crash leaves the old file or the new one;
    without it (cache entries) a crash may leave a torn file, which the cache treats as a miss. On any failure
    the temporary file is removed and an OSError names ``path`` (:func:`_naming`).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _naming(exc, path) from None
    try:
        handle_of = os.fdopen(fd, mode) if "b" in mode else os.fdopen(fd, mode, encoding="utf-8", newline="")
        with handle_of as handle:
            write(handle)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs follow the user's umask like any file
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _naming(exc, path) from None
        raise
    return tmp


def _replace(tmp: str, path: Path) -> None:
    """Rename the staged file ``tmp`` onto ``path`` (atomic on one file system); an OSError names ``path``."""
    try:
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _naming(exc, path) from None


def _atomic_write(path: Path, write: Any, mode: str, durable: bool = True) -> None:
    """Call ``write(handle)`` on a temporary file beside ``path``, then rename it into place.

    ``durable``: see :func:`_stage`. Every OSError names ``path`` (never the temporary file).
    """
    _refuse_folder(path)
    _replace(_stage(path, write, mode, durable), path)


def write_outputs(folder: str | os.PathLike, contents: Mapping[str, str | bytes],
                  replaced: list[str] | None = None) -> None:
    """Write a set of outputs into ``folder`` so that a failure part way leaves the previous set whole.

    Every file is first written in full to a temporary file beside its target (text as UTF-8), flushed to
    disk; only when all are written is each renamed into place. A failure while writing (a full disk, a file
    size limit, a folder where a file should be) removes the temporary files and replaces nothing, so the
    folder never holds two runs' outputs side by side. Renames within one folder need no space and are
    atomic each; only an interruption (Ctrl-C) between two of them can split the set, and ``replaced``
    (when given) then lists, in order, the names already renamed so the caller can say which.

    Args:
        folder: the output folder (created when missing).
        contents: file name -> its text (``str``) or bytes, in the order they are renamed.
        replaced: a list the names are appended to as each file is renamed into place.

    Raises:
        OSError: naming the target file (never a temporary one); nothing was replaced.
    """
    folder = Path(folder)
    targets = [folder / name for name in contents]
    for target in targets:  # a rename onto a folder fails: found before any file is written or replaced
        _refuse_folder(target)
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in zip(targets, contents.values()):
            mode = "wb" if isinstance(data, bytes) else "w"
            staged.append((_stage(target, lambda h, data=data: h.write(data), mode), target))
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for index, (tmp, target) in enumerate(staged):
        try:
            _replace(tmp, target)
        except BaseException:
            for later, _ in staged[index:]:  # this one too, when the rename itself did not happen
                Path(later).unlink(missing_ok=True)
            raise
        if replaced is not None:
            replaced.append(target.name)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    _atomic_write(Path(path), lambda h: h.write(text), "w")


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    _atomic_write(Path(path), lambda h: h.write(data), "wb")


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as indented, key-sorted JSON, atomically."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")


def write_jsonl(path: str | os.PathLike, rows: Iterable[Any]) -> None:
    """Write one JSON object per line, atomically."""
    write_text(path, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))


def remove_file(path: str | os.PathLike) -> None:
    """Delete the file at ``path`` when there is one (a run's stale output; nothing else is ever deleted here)."""
    Path(path).unlink(missing_ok=True)


def write_csv(path: str | os.PathLike, frame: Any) -> None:
    """Write a pandas DataFrame as CSV (no index, Unix line ends), atomically."""
    write_text(path, csv_text(frame))


def csv_text(frame: Any) -> str:
    """A pandas DataFrame as the CSV text :func:`write_csv` writes (no index, Unix line ends)."""
    return frame.to_csv(index=False, lineterminator="\n")


def parquet_bytes(frame: Any) -> bytes:
    """A pandas DataFrame as the Parquet bytes :func:`write_parquet` writes."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def write_parquet(path: str | os.PathLike, frame: Any) -> None:
    """Write a pandas DataFrame as Parquet, atomically."""
    write_bytes(path, parquet_bytes(frame))


# --- models -----------------------------------------------------------------

def model_manifest_path(path: str | os.PathLike) -> Path:
    """Where the manifest of the model at ``path`` lives (``x.joblib`` -> ``x.manifest.json``)."""
    path = Path(path)
    return path.with_name(path.name.removesuffix(".joblib") + ".manifest.json")


def save_model(model: Any, path: str | os.PathLike, metadata: dict | None = None) -> dict:
    """Dump ``model`` with joblib and write its manifest (sha256, scikit-learn version, ``metadata``).

    Returns the manifest written.
    """
    import joblib
    import sklearn

    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    data = buffer.getvalue()
    write_bytes(path, data)
    manifest = {"file": Path(path).name, "sha256": sha256_bytes(data), "sklearn_version": sklearn.__version__}
    manifest.update(metadata or {})
    write_json(model_manifest_path(path), manifest)
    return manifest


def load_model(path: str | os.PathLike) -> Any:
    """Load a model saved by :func:`save_model`, after checking its manifest.

    The file's sha256 and the running scikit-learn version must equal those in
    the manifest; otherwise ``PipelineError(E301)`` names the file and what did
    not match, and nothing is unpickled. A missing model raises ``E302``.
    """
    import joblib

    data, _ = read_model(path)
    return joblib.load(io.BytesIO(data))


def read_model(path: str | os.PathLike) -> tuple[bytes, dict]:
    """The checked bytes of a model saved by :func:`save_model`, and its manifest, without unpickling.

    Same checks and errors as :func:`load_model`; :mod:`pipeline.parallel` sends these bytes
    to its workers (local or on a cluster), which unpickle them only after
    checking the sha256 again.
    """
    from importlib.metadata import version

    path = Path(path)
    manifest_path = model_manifest_path(path)
    if not path.exists():
        raise PipelineError("E302", path=str(path))
    if not manifest_path.exists():
        raise PipelineError("E301", path=str(path), detail=f"no manifest {manifest_path.name} beside it")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PipelineError("E301", path=str(path), detail=f"manifest unreadable ({exc})") from None
    data = path.read_bytes()
    digest = sha256_bytes(data)
    if digest != manifest.get("sha256"):
        expected = str(manifest.get("sha256"))[:12]
        raise PipelineError("E301", path=str(path), detail=f"sha256 {digest[:12]}… does not match the manifest's {expected}…")
    running = version("scikit-learn")  # the installed version, without importing scikit-learn (slow)
    if manifest.get("sklearn_version") != running:
        raise PipelineError(
            "E301", path=str(path),
            detail=f"trained with scikit-learn {manifest.get('sklearn_version')}, running {running}: retrain with `make train`",
        )
    return data, manifest


# --- the extraction cache (entries' keys and JSON are pipeline/cache.py's) --------

def read_package_sources(name: str) -> dict[str, bytes]:
    """The source bytes of a module or package of ``pipeline/``, by path relative to ``pipeline/``.

    The module ``pipeline/<name>.py``, or every ``.py`` file of the package ``pipeline/<name>/`` (at
    any depth): what the cache's stage fingerprints hash. A whole package, so that a file added to it
    later is covered without a list to update.
    """
    root = resources.files("pipeline")
    package = root.joinpath(name)
    if not package.is_dir():
        return {f"{name}.py": root.joinpath(f"{name}.py").read_bytes()}
    sources: dict[str, bytes] = {}
    folders = [(name, package)]
    while folders:
        prefix, folder = folders.pop()
        for child in folder.iterdir():
            if child.is_dir() and child.name != "__pycache__":
                folders.append((f"{prefix}/{child.name}", child))
            elif child.is_file() and child.name.endswith(".py"):
                sources[f"{prefix}/{child.name}"] = child.read_bytes()
    return dict(sorted(sources.items()))


def read_cache_entry(root: str | os.PathLike, relpath: str) -> str | None:
    """The text of a cache entry, or None when it is missing or unreadable (a miss, never an error)."""
    try:
        return (Path(root) / relpath).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write_cache_entry(root: str | os.PathLike, relpath: str, text: str) -> None:
    """Write a cache entry atomically, tagging the cache folder on first use.

    No fsync: an entry a crash leaves empty or torn is corrupt JSON, which
    the next run ignores and rebuilds, so durability is not worth a disk
    flush per entry. An unwritable cache never fails the run: the entry is
    simply not kept.
    """
    from pipeline.cache import CACHEDIR_TAG

    root = Path(root)
    try:
        tag = root / "CACHEDIR.TAG"
        if not tag.exists():
            _atomic_write(tag, lambda h: h.write(CACHEDIR_TAG), "w", durable=False)
        _atomic_write(root / relpath, lambda h: h.write(text), "w", durable=False)
    except OSError:
        pass


def clear_cache(root: str | os.PathLike) -> int | None:
    """Delete every entry of the cache at ``root``; returns how many files were removed.

    Only a folder this project made (holding its ``CACHEDIR.TAG``) is
    touched, and in it only the versioned entry folders (``v1/`` ...) and the
    tag: ``--cache`` pointed at the wrong folder by mistake cannot delete
    anything else. Returns None (nothing removed) when ``root`` holds files
    but no tag of ours; 0 when it does not exist.
    """
    import re
    import shutil

    from pipeline.cache import CACHEDIR_TAG

    root = Path(root)
    if not root.exists():
        return 0
    tag = root / "CACHEDIR.TAG"
    try:
        ours = tag.read_text(encoding="utf-8") == CACHEDIR_TAG
    except (OSError, UnicodeDecodeError):
        ours = False
    if not ours:
        return 0 if root.is_dir() and not any(root.iterdir()) else None
    removed = 0
    for child in root.iterdir():
        if child.is_dir() and re.fullmatch(r"v\d+", child.name):
            removed += sum(1 for p in child.rglob("*") if p.is_file())
            shutil.rmtree(child)
    tag.unlink()
    return removed
