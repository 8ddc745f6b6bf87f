"""The register schema: parse and validate one inspection's TOML text.

A researcher adds an inspection by adding ``corpus/inspections/<id>.toml``
(by hand, or with ``python -m pipeline register extract``); the schema is
documented in the comment header of
``corpus/inspections/activism-impartiality-2024.toml`` and in issue 11:

* top level: ``id``, ``title``, ``published`` (TOML date), optional
  ``aliases``, ``force`` (absent for a national inspection) and ``source``
  (where the wording came from: a string or a list of strings);
* ``[[recommendations]]``: ``number``, ``text``, ``addressee`` (``forces`` |
  ``national``), ``addressed_to``, ``deadline`` (TOML date) or
  ``deadline_note``, optional ``cause_of_concern`` (the number of the cause
  it belongs to);
* ``[[causes_of_concern]]`` and ``[[areas_for_improvement]]``: ``number``
  ("1", "2", ... in report order) and ``text``.

This module only parses and validates text (no file access): :mod:`pipeline.io`
reads the files and passes their text here with the path as ``origin``, so
every error names the file and the item a researcher has to fix. Whether
``force`` names a real force is checked against the names passed in
(``force_names``), which :func:`pipeline.io.load_inspections` takes from
``pipeline/data/forces.csv``.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from typing import Any, Callable, Collection, Sequence

from pipeline.errors import PipelineError
from pipeline.types import Finding, Inspection, Recommendation

#: The two addressee values: "forces" recommendations become scorecard columns.
ADDRESSEES = ("forces", "national")

#: Table name in the TOML -> item kind (the scorecard's ``item_kind``) for the two finding kinds.
FINDING_TABLES = {"causes_of_concern": "cause_of_concern", "areas_for_improvement": "area_for_improvement"}

_TOP_REQUIRED = ("id", "title", "published")
_TOP_ALLOWED = frozenset(_TOP_REQUIRED + ("aliases", "force", "source", "recommendations") + tuple(FINDING_TABLES))
_REC_REQUIRED = ("number", "text", "addressee", "addressed_to")
_REC_ALLOWED = frozenset(_REC_REQUIRED + ("deadline", "deadline_note", "cause_of_concern"))
_FINDING_REQUIRED = ("number", "text")
_FINDING_ALLOWED = frozenset(_FINDING_REQUIRED)
# Ids go into file names, manifest cells and output columns: keep them plain.
_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

Fail = Callable[[str], PipelineError]


def parse_inspection(toml_text: str, origin: str, force_names: Collection[str] | None = None) -> Inspection:
    """Parse and validate one register file.

    Args:
        toml_text: the file's text.
        origin: its path, used only in error messages.
        force_names: the names a ``force`` value may take (official and short
            names from ``forces.csv``); None skips that check (the parser
            stays pure and usable without the force list).

    Returns:
        An :class:`~pipeline.types.Inspection` whose items keep the file's
        order; texts have hard line wraps joined.

    Raises:
        PipelineError: ``E403`` naming ``origin`` and the item, for TOML
            syntax, a missing or unknown field, a wrong type, a duplicate
            number within a kind, an addressee other than
            ``forces``/``national``, a date with a time or in quotes, both
            ``deadline`` and ``deadline_note``, a ``cause_of_concern`` that
            names no cause of the file, a ``force`` not in ``force_names``,
            or a file with no item at all.
    """

    def fail(detail: str) -> PipelineError:
        return PipelineError("E403", path=origin, detail=detail)

    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise fail(f"not valid TOML ({exc})") from None

    _check_fields(data, _TOP_REQUIRED, _TOP_ALLOWED, fail)

    inspection_id = _string(data, "id", fail)
    if not _ID_PATTERN.fullmatch(inspection_id):
        raise fail(f"id '{inspection_id}' must be lower-case letters, digits and single hyphens")
    title = _string(data, "title", fail)
    published = _date(data["published"], "published", fail)
    aliases = _strings(data, "aliases", fail)
    source = _strings(data, "source", fail)
    force = _string(data, "force", fail) if "force" in data else None
    if force is not None and force_names is not None and force not in force_names:
        raise fail(f"force '{force}' is not a force of pipeline/data/forces.csv (use its name or short name, e.g. 'Surrey')")

    findings = {kind: _findings(data, table, kind, fail) for table, kind in FINDING_TABLES.items()}
    causes = {f.number for f in findings["cause_of_concern"]}

    recs_raw = _tables(data, "recommendations", fail)
    if not recs_raw and not any(findings.values()):
        raise fail("needs one or more [[recommendations]], [[causes_of_concern]] or [[areas_for_improvement]] tables")
    recommendations: list[Recommendation] = []
    seen: set[str] = set()
    for index, raw in enumerate(recs_raw, start=1):
        recommendations.append(_recommendation(raw, index, seen, causes, fail))

    return Inspection(
        id=inspection_id,
        title=title,
        published=published,
        aliases=aliases,
        recommendations=tuple(recommendations),
        force=force,
        source=source,
        causes_of_concern=findings["cause_of_concern"],
        areas_for_improvement=findings["area_for_improvement"],
    )


def check_unique_ids(inspections: Sequence[Inspection], origins: Sequence[str]) -> None:
    """Raise ``E403`` naming the second file when two registers share an id (a manifest cell must name one)."""
    first: dict[str, str] = {}
    for inspection, origin in zip(inspections, origins):
        if inspection.id in first:
            raise PipelineError("E403", path=origin, detail=f"id '{inspection.id}' is already used by {first[inspection.id]}")
        first[inspection.id] = origin


def _tables(data: dict[str, Any], key: str, fail: Fail) -> list[dict[str, Any]]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise fail(f"{key} must be [[{key}]] tables")
    return raw


def _where(label: str, index: int, raw: dict[str, Any]) -> str:
    where = f"{label} #{index}"
    if isinstance(raw.get("number"), str):
        where += f" (number '{raw['number']}')"
    return where


def _number(raw: dict[str, Any], seen: set[str], label: str, fail: Fail) -> str:
    if isinstance(raw["number"], int) and not isinstance(raw["number"], bool):
        # A bare 9 would compare unequal to the "9" read from documents.
        raise fail(f'number must be a quoted string: write number = "{raw["number"]}"')
    number = _string(raw, "number", fail)
    if number in seen:
        raise fail(f"duplicate {label} number '{number}'")
    seen.add(number)
    return number


def _findings(data: dict[str, Any], table: str, kind: str, fail: Fail) -> tuple[Finding, ...]:
    label = kind.replace("_", " ")
    found: list[Finding] = []
    seen: set[str] = set()
    for index, raw in enumerate(_tables(data, table, fail), start=1):
        where = _where(label, index, raw)

        def item_fail(detail: str, where: str = where) -> PipelineError:
            return fail(f"{where}: {detail}")

        _check_fields(raw, _FINDING_REQUIRED, _FINDING_ALLOWED, item_fail)
        number = _number(raw, seen, label, item_fail)
        found.append(Finding(kind=kind, number=number, text=_text(raw, item_fail)))
    return tuple(found)


def _recommendation(raw: dict[str, Any], index: int, seen: set[str], causes: set[str], fail: Fail) -> Recommendation:
    where = _where("recommendation", index, raw)

    def rec_fail(detail: str) -> PipelineError:
        return fail(f"{where}: {detail}")

    _check_fields(raw, _REC_REQUIRED, _REC_ALLOWED, rec_fail)
    number = _number(raw, seen, "recommendation", rec_fail)

    addressee = _string(raw, "addressee", rec_fail)
    if addressee not in ADDRESSEES:
        raise rec_fail(f"addressee '{addressee}' is not one of {', '.join(ADDRESSEES)}")

    if "deadline" in raw and "deadline_note" in raw:
        raise rec_fail("give deadline (a date) or deadline_note (a deadline that is no date), not both")
    deadline = _date(raw["deadline"], "deadline", rec_fail) if "deadline" in raw else None
    deadline_note = _string(raw, "deadline_note", rec_fail) if "deadline_note" in raw else ""

    cause = None
    if "cause_of_concern" in raw:
        cause = _string(raw, "cause_of_concern", rec_fail)
        if cause not in causes:
            known = ", ".join(sorted(causes)) or "none"
            raise rec_fail(f"cause_of_concern '{cause}' is not a [[causes_of_concern]] number of this file (numbers: {known})")

    return Recommendation(
        number=number,
        text=_text(raw, rec_fail),
        addressee=addressee,
        addressed_to=_string(raw, "addressed_to", rec_fail),
        deadline=deadline,
        deadline_note=deadline_note,
        cause_of_concern=cause,
    )


def _text(raw: dict[str, Any], fail: Fail) -> str:
    return " ".join(_string(raw, "text", fail).split())  # hard wraps in multi-line strings


def _check_fields(table: dict[str, Any], required: Sequence[str], allowed: frozenset[str], fail: Fail) -> None:
    """Raise ``fail(...)`` naming the missing required fields, or else the unknown ones."""
    missing = [k for k in required if k not in table]
    if missing:
        raise fail(f"missing field(s) {', '.join(missing)}")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


def _string(table: dict[str, Any], key: str, fail: Fail) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{key} must be a non-empty string, got {value!r}")
    return value.strip()


def _strings(table: dict[str, Any], key: str, fail: Fail) -> tuple[str, ...]:
    """An optional string or list of strings, de-duplicated in order (absent: empty)."""
    raw = table.get(key, [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(a, str) and a.strip() for a in raw):
        raise fail(f"{key} must be a list of non-empty strings")
    return tuple(dict.fromkeys(" ".join(a.split()) for a in raw))


def _date(value: Any, key: str, fail: Fail) -> date:
    # tomllib gives datetime (a date subclass) for 2024-09-10T00:00 and str for "2024-09-10".
    if isinstance(value, datetime) or not isinstance(value, date):
        raise fail(f"{key} must be a bare TOML date like 2024-09-10 (no quotes, no time), got {value!r}")
    return value
