"""Dates in English text: the one month table and the pipeline's date readers. Pure, standard library only.

* :func:`parse_date` - a string that is a whole date and nothing else ("19th
  December 2024", "December 19, 2024", "19/12/2024", "2024-12-19"): how
  :mod:`pipeline.identify` reads a response's date line.
* :func:`find_dates` - every date mentioned in running text, whole or partial
  ("by 31 March 2025", "in June", "2024/25"): the model's date features
  (:mod:`pipeline.model.features`).
* :func:`parse_year_month` - a reference date given as a date or "YYYY[-MM[-DD]]".
* :func:`format_day` - a date spelled out in English ("19 December 2024"),
  whatever the locale.

python-dateutil was considered: its parser fills in a missing day ("Version
Dec 2024" would become a date) and reads "04/02/2025" month first unless told,
so matching these rules would take as much code as the rules themselves.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

#: English month names, January first (spelled out in every locale: report, bench).
MONTH_NAMES: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December")
#: Lower-cased month name or abbreviation ("jan" ... "dec", "sept") -> month number.
MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
# longest first, so "september" is tried before "sep" and "sept" before "sep"
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))


def month_number(name: str) -> int:
    """The month number of a name or abbreviation, any case, with or without a full stop ("Dec." -> 12)."""
    return MONTHS[name.lower().rstrip(".")]


def format_day(value: date) -> str:
    """``19 December 2024``: day, English month name, year."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


# --- a whole date ----------------------------------------------------------------------------

_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_DOTTED_MONTH = "(?:" + _MONTH + r")\.?"
# "19th December 2024", "10 th September 2024" (a PDF artefact), "Thursday 19 Dec. 2024",
# "December 19, 2024", "19/12/2024" (UK order), "2024-12-19". A month without a day
# ("Version Dec 2024") is deliberately not a date.
_DATE = re.compile(
    _WEEKDAY
    + r"(?:(?P<d1>\d{1,2})\s*(?:st|nd|rd|th)?\s+(?P<m1>" + _DOTTED_MONTH + r"),?\s+(?P<y1>(?:19|20)\d\d)"
    + r"|(?P<m2>" + _DOTTED_MONTH + r")\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)"
    + r"|(?P<d3>\d{1,2})[/.](?P<m3>\d{1,2})[/.](?P<y3>(?:19|20)\d\d|\d\d)"
    + r"|(?P<y4>(?:19|20)\d\d)-(?P<m4>\d\d)-(?P<d4>\d\d))",
    re.IGNORECASE,
)


def parse_date(value: str) -> date | None:
    """The date ``value`` states when it is a date and nothing else (a trailing full stop or comma allowed).

    Forms: day month year ("19th December 2024", "Thursday 19 Dec. 2024"),
    month day year ("December 19, 2024"), numeric day/month/year in UK order
    ("19/12/2024", "19.12.24"), ISO ("2024-12-19"). None for anything else,
    including a month without a day ("Dec 2024") and impossible dates ("31
    February 2025", "13/13/2024").
    """
    match = _DATE.fullmatch(value.strip().rstrip(".,").strip())
    if not match:
        return None
    g = match.groupdict()
    try:
        if g["d1"]:
            return date(int(g["y1"]), month_number(g["m1"]), int(g["d1"]))
        if g["d2"]:
            return date(int(g["y2"]), month_number(g["m2"]), int(g["d2"]))
        if g["d3"]:
            year = int(g["y3"])
            return date(year + 2000 if year < 100 else year, int(g["m3"]), int(g["d3"]))
        return date(int(g["y4"]), int(g["m4"]), int(g["d4"]))
    except ValueError:
        return None


# --- dates mentioned in running text -------------------------------------------------------------

# "31 March 2025", "31st March", "March 2025", "in June" (a month alone counts only after a preposition: "may" is a verb)
_MONTH_DATE = re.compile(
    rf"\b(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?P<month>{_MONTH})\b\.?,?(?:\s+(?P<year>(?:19|20)\d{{2}}))?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?P<year>(?:19|20)\d{2})(?:\s*[/\u2013-]\s*\d{2,4})?\b")
_STATUTE_BEFORE = re.compile(r"\b(?:Act|Regulations?|Order|Rules|Bill|Code|Directive)\s*$")
_DEADLINE_BEFORE = re.compile(
    r"\b(?:by|before|until|till|no later than|not later than|deadline(?: of)?|due(?: by| in)?|end of|target(?: date)?(?: of)?)"
    r"\s+(?:the\s+)?(?:end\s+of\s+)?$", re.IGNORECASE)
_PREPOSITION_BEFORE = re.compile(
    r"\b(?:in|on|by|since|from|during|until|till|before|after|of|end of|early|late|mid|mid-)\s*$", re.IGNORECASE)


def find_dates(text: str) -> list[dict]:
    """Explicit dates in ``text``: ``{"year", "month", "deadline", "text"}`` for each.

    A date is a month with an optional day and year ("31 March 2025", "in
    June", "October 2023") or a four-digit year 1900-2099 ("in 2024",
    "2024/25"). A bare month counts only with a day, a year or a preposition
    before it ("may" is usually a verb). Years right after "Act",
    "Regulations", "Order", "Code"... are statute names, not dates.
    ``deadline`` is true after "by", "before", "until", "no later than", "end of".
    ``year`` or ``month`` is ``None`` when the text does not give it.
    """
    found: list[dict] = []
    taken: list[tuple[int, int]] = []
    for m in _MONTH_DATE.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        if not (m.group("day") or m.group("year") or _PREPOSITION_BEFORE.search(before)):
            continue
        found.append({
            "year": int(m.group("year")) if m.group("year") else None,
            "month": month_number(m.group("month")),
            "deadline": bool(_DEADLINE_BEFORE.search(before)),
            "text": m.group(0).strip(),
        })
        taken.append((m.start(), m.end()))
    for m in _YEAR.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        before = text[max(0, m.start() - 40):m.start()]
        if _STATUTE_BEFORE.search(before):
            continue
        found.append({"year": int(m.group("year")), "month": None, "deadline": bool(_DEADLINE_BEFORE.search(before)),
                      "text": m.group(0)})
    return found


def parse_year_month(value: Any, name: str = "reference_date") -> tuple[int, int | None] | None:
    """``value`` as ``(year, month)``: None, a date, "YYYY", "YYYY-MM" or "YYYY-MM-DD" (month None for "YYYY").

    Raises ``ValueError`` naming ``name`` for anything else or a month out of range.
    """
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return (value.year, value.month)
    match = re.fullmatch(r"((?:19|20)\d{2})(?:-(\d{2})(?:-(\d{2}))?)?", str(value).strip())
    if not match:
        raise ValueError(f"{name} {value!r}: expected None, a date or 'YYYY[-MM[-DD]]'")
    month = int(match.group(2)) if match.group(2) else None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{name} {value!r}: month out of range")
    return (int(match.group(1)), month)
