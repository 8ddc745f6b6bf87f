# ruff: noqa: E501  (the HTML page is written out line for line, as sites serve it)
"""Build the answer-table inputs of this folder (newcomer report s5, items 1 and 6).

Response tables whose first column holds bare item numbers under an item-word header ("Recommendation",
"Rec", "AFI"), with the answer beside them, in each reader's shape: a ruled PDF table drawn by
:mod:`pipeline.pdfdraw` (the benchmark's own drawer), alone and after some "Recommendation N" headings;
a Word table and an HTML table whose RAG column gives the status by cell colour only (Word cell
shading, HTML ``bgcolor`` / ``background-color`` / ``background``), with the document's own key; and a
force-specific PEEL response whose unnumbered "Cause of concern" heading comes before its
"Recommendation 1" heading, answered in an "AFI | Update" table.

Wording is written for this purpose (no real response text). ``responses/`` answers the
activism-impartiality-2024 register; ``peel/in/`` answers ``peel/regs/peel-2025-warwickshire.toml``, a register
written by ``python -m pipeline register extract`` from a PEEL report drawn for the newcomer's test (synthetic).
Run from the repository root with the test extras installed:
``.venv/bin/python tests/data/tables/make_inputs.py`` (the PDFs byte for byte, reportlab invariant mode; the .docx differs only in its zip entries' times).
"""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path

from reportlab import rl_config

rl_config.invariant = 1  # fixed IDs and dates: the same bytes on every run

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root, for pipeline.pdfdraw

from docx import Document  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

from pipeline.pdfdraw import draw_pdf  # noqa: E402

HERE = Path(__file__).resolve().parent
TITLE = "An inspection into activism and impartiality in policing"

ANSWERS = {  # recommendation -> an answer written for these inputs
    "9": "The force will review its social media policy once the national guidance is published.",
    "10": "A policy on visible symbols was issued to all staff in October 2024.",
    "12": "Training for the authors of equality impact assessments is being delivered; half have completed it.",
    "13": "No work has begun on this recommendation yet.",
    "16": "Guidance on non-crime hate incidents has been rewritten and published on the intranet.",
    "17": "Changes to the recording system are planned for next year.",
    "18": "The review process is being developed with the crime bureau.",
    "20": "The policy now defines the personal data to be recorded and was published in May.",
    "22": "A funding assessment process for staff networks will be introduced in 2025.",
}


def pdf_table_only() -> bytes:
    story = [("para", "Office of the Police and Crime Commissioner for Cheshire"),
             ("heading", f"Response to HMICFRS: {TITLE}"), ("para", "Date: 28 October 2024"),
             ("table", [("Recommendation", "Force position")] + [(n, ANSWERS[n]) for n in ("9", "10", "16", "17")])]
    return draw_pdf(story)


def pdf_headings_then_table() -> bytes:
    story = [("para", "Office of the Police and Crime Commissioner for Bedfordshire"),
             ("heading", f"Response to HMICFRS: {TITLE}"), ("para", "Date: 4 November 2024"),
             ("para", "The Chief Constable has provided the following response to the recommendations.")]
    for n in ("9", "10", "12", "13"):
        story += [("heading", f"Recommendation {n}"), ("para", ANSWERS[n])]
    story.append(("table", [("Rec", "Response")] + [(n, ANSWERS[n]) for n in ("16", "17", "18", "20", "22")]))
    return draw_pdf(story)


FIXED = datetime.datetime(2024, 11, 5, 9, 0, 0)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _docx(document) -> bytes:
    props = document.core_properties
    props.created = props.modified = FIXED
    props.last_modified_by = props.author = "tables fixture"
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_rag_table() -> bytes:
    """Surrey: "Rec | Update | RAG", the RAG cells empty and shaded; the key gives words for the colours."""
    document = Document()
    document.add_heading("Surrey Police: progress against HMICFRS recommendations", level=1)
    document.add_paragraph(f"Report: {TITLE}. Update for the Police and Crime Commissioner for Surrey, 5 November 2024.")
    document.add_paragraph("Key: Green = complete, Amber = in progress, Red = not started.")
    rows = [("10", "Policy issued to all staff in October 2024.", "00B050"),
            ("12", "Training for assessment authors is half delivered.", "FFC000"),
            ("17", "Recording system changes are planned for next year.", "FF0000"),
            ("20", "The personal data to record is now defined in the policy.", "92D050")]
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Rec", "Update", "RAG")):
        cell.text = text
        _shade(cell, "1F3864")  # a dark blue header row: decoration, never a status
    for number, update, fill in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = number, update
        _shade(cells[2], fill)
    return _docx(document)


def html_rag_table() -> bytes:
    """Wiltshire: "No. | Force update | RAG" coloured by bgcolor, background-color and background; no key."""
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Wiltshire Police: HMICFRS recommendation tracker</title></head>
<body><main>
<h1>Wiltshire Police: HMICFRS recommendation tracker</h1>
<p>{TITLE}. Update to the Police and Crime Commissioner for Wiltshire.</p>
<p>Date: 2 December 2024</p>
<table>
<tr><th>Recommendation</th><th>Force update</th><th>RAG</th></tr>
<tr><td>9</td><td>Social media policy reviewed and republished in November 2024.</td><td style="background-color: #00b050"></td></tr>
<tr><td>12</td><td>Training for assessment authors has started.</td><td style="background:#ffc000 none"></td></tr>
<tr><td>13</td><td>Policy audit.</td><td bgcolor="red">&nbsp;</td></tr>
<tr><td>22</td><td>Funding review of staff networks.</td><td style="background-color: rgb(255, 0, 0)"></td></tr>
</table>
</main></body></html>
"""
    return page.encode("utf-8")


PEEL_RESPONSE = """Warwickshire Police and Crime Commissioner
Response to PEEL 2025: An inspection of Warwickshire Police
Date: 20 June 2025

Cause of concern
The Chief Constable has recruited more call handlers and emergency calls are now answered within ten seconds.

Recommendation 1
As above: this was completed in May 2025.

AFI | Update
1 | A new vulnerability form will be introduced next year.
2 | Twelve of twenty investigator posts have now been filled.
"""


def main() -> None:
    responses = HERE / "responses"
    responses.mkdir(exist_ok=True)
    (responses / "cheshire-rec-table.pdf").write_bytes(pdf_table_only())
    (responses / "bedfordshire-headings-then-table.pdf").write_bytes(pdf_headings_then_table())
    (responses / "surrey-rag-table.docx").write_bytes(docx_rag_table())
    (responses / "wiltshire-rag-table.html").write_bytes(html_rag_table())
    (HERE / "peel" / "in").mkdir(parents=True, exist_ok=True)
    (HERE / "peel" / "in" / "warwickshire-peel.txt").write_text(PEEL_RESPONSE, encoding="utf-8")


if __name__ == "__main__":
    main()
