"""RAG statuses given by a table cell's colour only, read into the cell's text.

Action trackers often give each item's status as a red, amber or green cell
with no word in it: a Word cell's shading (``w:shd``), an HTML cell's
``bgcolor``, ``style`` background or a class the page's own ``<style>`` colours. The guidelines count such a colour as the
force's own status claim (section 7, D11), so the readers put it into the
text: an empty cell whose colour is clearly red, amber or green reads as the
status word the document's own key gives that colour ("Key: Green =
complete" -> "complete"), else as the colour's name ("Green"). Thresholds,
hue ranges, the key's shape and CSS colour names are data, in
``pipeline/data/rag.toml``.

The readers mark such a cell with :func:`marker` while they read and call
:func:`resolve` on the finished text, which finds the key and puts the words
in; a marker is private-use characters that no document holds.
"""

from __future__ import annotations

import colorsys
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

_MARK = "\ue000"  # private use: never in a document's text once read (normalise drops nothing of it before resolve)
_MARKED = re.compile(f"{_MARK}([A-Za-z]+){_MARK}")


@dataclass(frozen=True)
class RagRules:
    """The colours read as statuses and how a key names them (``pipeline/data/rag.toml``)."""

    min_saturation: float
    min_value: float
    hues: tuple[tuple[str, tuple[tuple[float, float], ...]], ...]  # colour name -> hue ranges in degrees
    key_opening: re.Pattern
    key_entry: re.Pattern
    named: dict[str, str]  # CSS colour name -> #rrggbb
    key_max_words: int = 4


def parse_rag_rules(toml_text: str) -> RagRules:
    """Compile the TOML text of ``rag.toml``."""
    data = tomllib.loads(toml_text)
    hues = tuple((c["name"], tuple((float(a), float(b)) for a, b in c["hues"])) for c in data["colours"])
    key = data["key"]
    names = "|".join(re.escape(name) for name, _ in hues)
    words = int(key["key_max_words"])
    word = r"[a-z][\w'’-]*"
    entry = (rf"\b(?P<colour>{names})\b{key['separator']}"
             rf"(?P<words>{word}(?:\s+(?!(?:{names})\b){word}){{0,{words - 1}}})(?=\s*(?:[,;./)|]|$|(?:{names})\b))")
    opening = "|".join(f"(?:{p})" for p in key["key_opening"])
    return RagRules(float(data["min_saturation"]), float(data["min_value"]), hues,
                    re.compile(rf"^\W*(?:{opening})\b", re.IGNORECASE), re.compile(entry, re.IGNORECASE),
                    {k.lower(): v for k, v in data["named"].items()}, words)


@lru_cache(maxsize=1)
def default_rules() -> RagRules:
    """The shipped rules (``pipeline/data/rag.toml``), read once."""
    from pipeline.io import read_package_data

    return parse_rag_rules(read_package_data("rag.toml"))


def _rgb(value: str, rules: RagRules) -> tuple[int, int, int] | None:
    """A colour as (r, g, b) 0-255 from "#rgb", "#rrggbb", "rrggbb" (Word), "rgb(r, g, b)" or a CSS name."""
    value = value.strip().lower()
    value = rules.named.get(value, value)
    m = re.fullmatch(r"#?([0-9a-f]{6}|[0-9a-f]{3})", value)
    if m:
        digits = m.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    m = re.fullmatch(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+\s*)?\)", value)
    if m:
        return tuple(min(int(g), 255) for g in m.groups())  # type: ignore[return-value]
    return None


def colour_name(value: str | None, rules: RagRules | None = None) -> str | None:
    """"Red", "Amber" or "Green" when ``value`` (a CSS or Word colour) is clearly that colour, else None."""
    if not value:
        return None
    rules = rules or default_rules()
    rgb = _rgb(value, rules)
    if rgb is None:
        return None
    hue, saturation, brightness = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    if saturation < rules.min_saturation or brightness < rules.min_value:
        return None
    degrees = hue * 360
    for name, ranges in rules.hues:
        if any(low <= degrees <= high for low, high in ranges):
            return name
    return None


def css_background(style: str | None, rules: RagRules | None = None) -> str | None:
    """The colour a ``style`` attribute's ``background-color`` or ``background`` gives (its first colour value)."""
    if not style:
        return None
    rules = rules or default_rules()
    for m in re.finditer(r"background(?:-color)?\s*:\s*([^;]+)", style, re.IGNORECASE):
        for token in re.findall(r"rgba?\([^)]*\)|#[0-9a-fA-F]{3,6}\b|[A-Za-z]+", m.group(1)):
            if _rgb(token, rules) is not None:
                return token
    return None


def marker(colour: str) -> str:
    """The placeholder a reader writes in an empty cell of ``colour`` ("Red", "Amber", "Green")."""
    return f"{_MARK}{colour}{_MARK}"


_LEGEND_ROW = re.compile(f"^{_MARK}([A-Za-z]+){_MARK} \\| ([A-Za-z][A-Za-z'’ -]*)$")


def _legend(text: str, rules: RagRules) -> dict[str, str]:
    """A key drawn as a table: rows of a coloured empty cell and its status words ("[green] | Complete").

    At least two such rows of different colours, each of two cells, the words at most ``key_max_words``
    with no digit or punctuation, so that no data row (with its item number and its answer) is taken for one.
    """
    rows = [m for m in map(_LEGEND_ROW.match, text.splitlines()) if m and len(m.group(2).split()) <= rules.key_max_words]
    legend: dict[str, str] = {}
    for m in rows:
        legend.setdefault(m.group(1), " ".join(m.group(2).split()))
    return legend if len(legend) >= 2 else {}


def key_words(text: str, rules: RagRules | None = None) -> dict[str, str]:
    """The document's own key: colour name -> its status words ("Green = complete" -> {"Green": "complete"}).

    Read from lines that open as a key ("Key:", "Legend"), give two colours so, or hold nothing but one
    colour so, or from a legend table (:func:`_legend`); the first entry of a colour wins.
    """
    rules = rules or default_rules()
    found: dict[str, str] = dict(_legend(text, rules))
    for line in text.splitlines():
        line = _MARKED.sub(" ", line)
        entries = list(rules.key_entry.finditer(line))
        alone = bool(entries) and not re.sub(r"[\W_]+", "", rules.key_entry.sub("", line))  # "Green = complete"
        if not entries or (len({e.group("colour").lower() for e in entries}) < 2 and not alone
                           and not rules.key_opening.match(line)):
            continue
        for entry in entries:
            colour = entry.group("colour").capitalize()
            found.setdefault(colour, " ".join(entry.group("words").split()))
    return found


def resolve(text: str, rules: RagRules | None = None) -> str:
    """``text`` with every colour marker replaced by the key's words for that colour, else the colour's name."""
    if _MARK not in text:
        return text
    rules = rules or default_rules()
    key = key_words(text, rules)
    legend = _legend(text, rules)
    lines = []
    for line in text.split("\n"):
        if legend and _LEGEND_ROW.match(line):
            lines.append(_MARKED.sub(lambda m: m.group(1), line))  # the legend itself reads "Green | Complete"
        else:
            lines.append(_MARKED.sub(lambda m: key.get(m.group(1), m.group(1)), line))
    return "\n".join(lines)
