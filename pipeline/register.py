"""The inspection register: one TOML file per HMICFRS inspection report.

A researcher adds an inspection by adding ``corpus/inspections/<id>.toml``;
the schema is documented in the comment header of
``corpus/inspections/activism-impartiality-2024.toml``. This module only
parses and validates text (no file access): :mod:`pipeline.io` reads the files
and passes their text here with the path as ``origin``, so every error names
the file a researcher has to fix.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from typing import Any, Sequence

from pipeline.errors import PipelineError
from pipeline.types import Inspection, Recommendation

#: The two addressee values: "forces" recommendations become scorecard columns.
ADDRESSEES = ("forces", "national")

_TOP_REQUIRED = ("id", "title", "published", "recommendations")
_TOP_ALLOWED = frozenset(_TOP_REQUIRED + ("aliases",))
_REC_REQUIRED = ("number", "text", "addressee", "addressed_to")
_REC_ALLOWED = frozenset(_REC_REQUIRED + ("deadline", "deadline_note"))
# Ids go into file names, manifest cells and output columns: keep them plain.
_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def parse_inspection(toml_text: str, origin: str) -> Inspection:
    """Parse and validate one register file.

    ``toml_text`` is the file's text, ``origin`` its path (used only in error
    messages). Returns an :class:`~pipeline.types.Inspection` whose
    recommendations keep the file's order. Any problem (TOML syntax, a missing
    or unknown field, a wrong type, a duplicate recommendation number, an
    addressee other than ``forces``/``national``, a date with a time or in
    quotes) raises ``PipelineError("E403", path=origin, detail=...)``.
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

    aliases_raw = data.get("aliases", [])
    if not isinstance(aliases_raw, list) or not all(isinstance(a, str) and a.strip() for a in aliases_raw):
        raise fail("aliases must be a list of non-empty strings")
    aliases = tuple(dict.fromkeys(a.strip() for a in aliases_raw))  # de-duplicated, order kept

    recs_raw = data["recommendations"]
    if not isinstance(recs_raw, list) or not recs_raw or not all(isinstance(r, dict) for r in recs_raw):
        raise fail("recommendations must be one or more [[recommendations]] tables")

    recommendations: list[Recommendation] = []
    seen: set[str] = set()
    for index, raw in enumerate(recs_raw, start=1):
        recommendations.append(_recommendation(raw, index, seen, fail))

    return Inspection(
        id=inspection_id,
        title=title,
        published=published,
        aliases=aliases,
        recommendations=tuple(recommendations),
    )


def _recommendation(raw: dict[str, Any], index: int, seen: set[str], fail: Any) -> Recommendation:
    where = f"recommendation #{index}"
    if "number" in raw and isinstance(raw["number"], str):
        where += f" (number '{raw['number']}')"

    def rec_fail(detail: str) -> PipelineError:
        return fail(f"{where}: {detail}")

    _check_fields(raw, _REC_REQUIRED, _REC_ALLOWED, rec_fail)

    if isinstance(raw["number"], int) and not isinstance(raw["number"], bool):
        # A bare 9 would compare unequal to the "9" read from documents.
        raise rec_fail(f'number must be a quoted string: write number = "{raw["number"]}"')
    number = _string(raw, "number", rec_fail)
    if number in seen:
        raise rec_fail(f"duplicate recommendation number '{number}'")
    seen.add(number)

    addressee = _string(raw, "addressee", rec_fail)
    if addressee not in ADDRESSEES:
        raise rec_fail(f"addressee '{addressee}' is not one of {', '.join(ADDRESSEES)}")

    deadline = _date(raw["deadline"], "deadline", rec_fail) if "deadline" in raw else None
    deadline_note = _string(raw, "deadline_note", rec_fail) if "deadline_note" in raw else ""

    return Recommendation(
        number=number,
        text=" ".join(_string(raw, "text", rec_fail).split()),  # hard wraps in multi-line strings
        addressee=addressee,
        addressed_to=_string(raw, "addressed_to", rec_fail),
        deadline=deadline,
        deadline_note=deadline_note,
    )


def _check_fields(table: dict[str, Any], required: Sequence[str], allowed: frozenset[str], fail: Any) -> None:
    """Raise ``fail(...)`` naming the missing required fields, or else the unknown ones."""
    missing = [k for k in required if k not in table]
    if missing:
        raise fail(f"missing field(s) {', '.join(missing)}")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


def _string(table: dict[str, Any], key: str, fail: Any) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{key} must be a non-empty string, got {value!r}")
    return value.strip()


def _date(value: Any, key: str, fail: Any) -> date:
    # tomllib gives datetime (a date subclass) for 2024-09-10T00:00 and str for "2024-09-10".
    if isinstance(value, datetime) or not isinstance(value, date):
        raise fail(f"{key} must be a bare TOML date like 2024-09-10 (no quotes, no time), got {value!r}")
    return value
