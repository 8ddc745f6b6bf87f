"""Text and Markdown files: their bytes decoded, binary data refused (E106), Markdown's soft line breaks joined."""

from __future__ import annotations

import codecs
import re
import unicodedata

from pipeline.errors import PipelineError
from pipeline.ingest.normalise import join_wrapped, word_counts


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode the bytes of a text or HTML file.

    Tried in order: a byte order mark (UTF-8, UTF-16, UTF-32); UTF-16
    without a mark when every other byte is NUL; the ``declared`` encoding
    (an HTML meta charset); UTF-8. Bytes that are UTF-8 but for a few stray
    bytes (a Windows-1252 quote pasted into a UTF-8 file) are read as UTF-8,
    each stray byte as its Windows-1252 character, so one byte costs at most
    one character, never the whole file. Anything else goes to
    charset-normalizer's detection (see :func:`_detected`). Undecodable text
    is caught afterwards by its share of control characters (E106).
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    candidates = []
    half = max(len(data) // 2, 1)
    # NUL bytes are valid UTF-8, so UTF-16 must be recognised before UTF-8 is tried
    if data[1::2].count(0) > 0.3 * half and data[0::2].count(0) < 0.05 * half:
        candidates.append("utf-16-le")
    elif data[0::2].count(0) > 0.3 * half and data[1::2].count(0) < 0.05 * half:
        candidates.append("utf-16-be")
    if declared and declared.lower().replace("_", "-") not in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        candidates.append(declared)  # (browsers read a declared Latin-1 as Windows-1252 too)
    for codec in candidates + ["utf-8"]:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    lenient = data.decode("utf-8", errors="replace")
    stray = lenient.count("\ufffd")
    multibyte = sum(1 for ch in lenient if ch > "\x7f") - stray
    if multibyte >= stray:  # real UTF-8 sequences outnumber the bytes that break it
        return data.decode("utf-8", errors=_STRAY_BYTE)
    return _detected(data)


def _stray_byte(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):  # registered for decoding only
        raise error
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", errors="replace"), error.end


_STRAY_BYTE = "scorecards-stray-cp1252"
codecs.register_error(_STRAY_BYTE, _stray_byte)
#: Single-byte encodings preferred, in order, among charset-normalizer's equally likely answers: the
#: responses are English or Welsh, written on Windows (short English text fits cp1250 as well as cp1252).
_PREFERRED = ("cp1252", "latin_1", "iso8859_15", "iso8859_14")


def _detected(data: bytes) -> str:
    """Bytes in an unknown single-byte (or other) encoding, decoded as charset-normalizer judges them.

    Among its answers as little "chaotic" as the best, Windows-1252 and the
    Western Latin sets come first (see :data:`_PREFERRED`); with no answer at
    all (binary data) the bytes are read as Latin-1, which cannot fail, and
    :func:`readable` judges the result.
    """
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return data.decode("latin-1")
    best = min(matches, key=lambda m: m.chaos)
    ties = [m for m in matches if m.chaos <= best.chaos + 0.01]
    for preferred in _PREFERRED:
        if any(preferred in m.could_be_from_charset or m.encoding == preferred for m in ties):
            return data.decode(preferred, errors="replace")
    return data.decode(best.encoding, errors="replace")


_MD_BLOCK_START = re.compile(r"^\s*(?:[-*+] |\d{1,3}[.)] |#|\||>|```|~~~)")


def unwrap_markdown(text: str) -> str:
    """Markdown's soft line breaks joined: a line carries on its paragraph unless it opens a block of its own.

    Fenced code keeps its lines (the fences go); a line ending in two spaces is a hard break. A word
    hyphenated at a soft break (U+00AD, U+2010, U+2011 or "-") is mended as in text and PDFs
    (:func:`pipeline.ingest.normalise.join_wrapped`).
    """
    out: list[str] = []
    fenced = False
    lines = text.replace("\r\n", "\n").split("\n")
    counts = word_counts(lines)  # the document's own spellings decide a hyphen at a line end, as for text and PDF
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            out.append("")
            continue
        prev = out[-1] if out else ""
        if (not fenced and line.strip() and prev.strip() and not _MD_BLOCK_START.match(line)
                and not prev.endswith(("  ", "\\")) and not prev.lstrip().startswith(("#", "|"))):
            out[-1] = join_wrapped(prev.rstrip(), line.strip(), counts)  # "review\u2011" + "ing" -> "reviewing"
        else:
            out.append(line)
    return "\n".join(out)


def readable(text: str) -> str:
    """``text`` unchanged, or E106 when it is mostly control characters or decoding failures (binary data)."""
    if not text:
        return text
    bad = sum(1 for ch in text if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cn") and ch not in "\t\n\r\x0c"))
    if bad > 0.05 * len(text):
        raise PipelineError("E106", detail=f"{bad / len(text):.0%} of the characters are control codes or undecodable bytes")
    return text
