"""Text and Markdown files: their bytes decoded, binary data refused (E106), Markdown's soft line breaks joined."""

from __future__ import annotations

import re
import unicodedata

from pipeline.errors import PipelineError

def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode the bytes of a text or HTML file.

    Tried in order: a byte order mark (UTF-8, UTF-16, UTF-32); UTF-16
    without a mark when every other byte is NUL; the ``declared`` encoding
    (an HTML meta charset); UTF-8; Windows-1252 (which also reads Latin-1
    text right, bar the C1 controls no real text uses); Latin-1, which
    cannot fail. Undecodable text is caught afterwards by its share of
    control characters (E106).
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
    for codec in candidates + ["utf-8", "cp1252"]:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


_MD_BLOCK_START = re.compile(r"^\s*(?:[-*+] |\d{1,3}[.)] |#|\||>|```|~~~)")


def unwrap_markdown(text: str) -> str:
    """Markdown's soft line breaks joined: a line carries on its paragraph unless it opens a block of its own.

    Fenced code keeps its lines (the fences go); a line ending in two spaces is a hard break.
    """
    out: list[str] = []
    fenced = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            out.append("")
            continue
        prev = out[-1] if out else ""
        if (not fenced and line.strip() and prev.strip() and not _MD_BLOCK_START.match(line)
                and not prev.endswith(("  ", "\\")) and not prev.lstrip().startswith(("#", "|"))):
            out[-1] = f"{prev.rstrip()} {line.strip()}"
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
