"""Real Word documents for tests, written with python-docx into a folder the test gives (usually ``tmp_path``).

:func:`write_seed_docx` turns a normalised seed text into a ``.docx`` as Word
users build one: each run of `` | `` rows becomes a Word table, and (with
``numbered_headings``) every "Recommendation N" line becomes a Heading 2
paragraph whose label Word generates from a numbering definition
("Recommendation %1", restarted at N), so the number is *not* in the
paragraph's own text. :func:`add_numbering` defines such a list for tests
that build their own documents.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

CELL = " | "
_LABEL = re.compile(r"^Recommendation (\d+)$")


def add_numbering(document, levels: list[tuple[str, str]], start: int = 1) -> int:
    """Define a list in ``document``'s numbering part; return its numId.

    ``levels``: one ``(numFmt, lvlText)`` per level, as Word writes them
    (``("decimal", "%1.")``, ``("lowerLetter", "%2)")``, ``("decimal", "Recommendation %1")``).
    """
    numbering = document.part.numbering_part.element
    abstract_id = max([int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))] + [100]) + 1
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(abstract_id))
    for ilvl, (fmt, text) in enumerate(levels):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, value in (("w:start", str(start if ilvl == 0 else 1)), ("w:numFmt", fmt), ("w:lvlText", text)):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            lvl.append(child)
        abstract.append(lvl)
    # abstractNum elements must come before every num element
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num_id = max([int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))] + [100]) + 1
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(abstract_id))
    num.append(ref)
    numbering.append(num)
    return num_id


def number_paragraph(paragraph, num_id: int, level: int = 0) -> None:
    """Make ``paragraph`` an item of list ``num_id`` at ``level`` (Word's w:numPr)."""
    p_pr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", str(level)), ("w:numId", str(num_id))):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        num_pr.append(child)
    p_pr.append(num_pr)


def write_seed_docx(seed_text: str, path: str | os.PathLike, *, numbered_headings: bool = False) -> Path:
    """Write a normalised seed as a .docx at ``path``: rows as Word tables, optionally numbered headings.

    Returns the path.
    """
    path = Path(path)
    document = Document()
    rows: list[list[str]] = []

    def flush_rows() -> None:
        if rows:
            width = max(len(r) for r in rows)
            table = document.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for row in rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row + [""] * (width - len(row))):
                    cell.text = value
            rows.clear()

    for line in seed_text.split("\n"):
        if CELL in line or line.startswith("| "):
            rows.append([c.strip() for c in line.split("|")] if line.startswith("| ") else line.split(CELL))
            continue
        flush_rows()
        if not line.strip():
            continue
        label = _LABEL.match(line)
        if numbered_headings and label:
            heading = document.add_paragraph("", style="Heading 2")
            number_paragraph(heading, add_numbering(document, [("decimal", "Recommendation %1")], int(label.group(1))))
        else:
            document.add_paragraph(line)
    flush_rows()
    document.save(str(path))
    return path
