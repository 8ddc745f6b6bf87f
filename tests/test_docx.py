"""Word documents: the seeds as .docx score the same cells as their text versions; numbering; safety limits.

The .docx files are written by python-docx (:mod:`tests.docx_fixtures`);
``tests/data/docx/taic-status-report-2023.docx`` is a real Word document (see
the NOTICE beside it).
"""

from __future__ import annotations

import io as bytes_io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from pipeline import io
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.ingest import ingest
from pipeline.ingest.docx import MAX_PART_BYTES
from pipeline.types import SourceFile
from tests.conftest import SEEDS
from tests.docx_fixtures import add_numbering, number_paragraph, write_seed_docx

REAL_DOCX = Path(__file__).resolve().parent / "data" / "docx" / "taic-status-report-2023.docx"


def source(name: str, data: bytes) -> SourceFile:
    return SourceFile(path=name, data=data, sha256=io.sha256_bytes(data))


def _statuses(folder: Path, out: Path) -> pd.DataFrame:
    assert main(["score", str(folder), "--out", str(out), "--no-cache", "--as-of", "2026-01-01"]) == 0
    card = pd.read_csv(out / "scorecard.csv", dtype={"recommendation": str})
    return card[["force", "recommendation", "status", "basis"]].sort_values(["force", "recommendation"]).reset_index(drop=True)


def test_seeds_as_word_documents_score_the_same_cells_as_their_text(tmp_path):
    """Gwent's response table as a Word table, Suffolk's headings as Word headings numbered by Word itself."""
    text_folder, docx_folder = tmp_path / "text", tmp_path / "docx"
    text_folder.mkdir()
    docx_folder.mkdir()
    for name, numbered in (("Gwent", False), ("Suffolk", True)):
        shutil.copy(SEEDS[name], text_folder)
        seed = ingest(io.read_source(SEEDS[name])).text
        write_seed_docx(seed, docx_folder / f"{name}.docx", numbered_headings=numbered)
    suffolk = Document(str(docx_folder / "Suffolk.docx"))
    # the numbers are Word's, not the paragraphs' own text
    assert not any(p.text.startswith("Recommendation 9") for p in suffolk.paragraphs)
    expected = _statuses(text_folder, tmp_path / "text-out")
    assert len(expected) == 18 and (expected["basis"] == "model").sum() >= 12
    pd.testing.assert_frame_equal(_statuses(docx_folder, tmp_path / "docx-out"), expected)


def test_word_table_rows_join_cells_like_the_other_readers(tmp_path):
    document = Document()
    table = document.add_table(rows=3, cols=2)
    for r, (left, right) in enumerate([("Recommendation", "Force response"), ("Recommendation 9", "Done.\nAll of it."),
                                        ("", "Carried on")]):
        table.cell(r, 0).text = left
        table.cell(r, 1).text = right
    document.save(str(tmp_path / "t.docx"))
    assert ingest(io.read_source(tmp_path / "t.docx")).text == (
        "Recommendation | Force response\nRecommendation 9 | Done. All of it.\n| Carried on")


def test_a_cell_merged_down_is_read_in_every_row_it_spans(tmp_path):
    """Newcomer report s8, item 3: an answer and status shared by two items (w:vMerge) are both items'; a merged
    first cell stays empty below its first row (the row carries on the item above); a merged row across is one cell."""
    document = Document()
    rows = [("Recommendation", "Force response", "Status"), ("Recommendations for chief constables", "", ""),
            ("13", "An audit of every policy was completed in December.", "Complete"), ("16", "", ""),
            ("17", "The recording system was changed in January.", "Complete"), ("", "It is checked every month.", "")]
    table = document.add_table(rows=len(rows), cols=3)
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    table.cell(1, 0).merge(table.cell(1, 2))  # one cell across the table
    table.cell(2, 1).merge(table.cell(3, 1))  # the answer of 13 and 16
    table.cell(2, 2).merge(table.cell(3, 2))
    table.cell(4, 0).merge(table.cell(5, 0))  # 17 over its two rows
    document.save(str(tmp_path / "merged.docx"))
    assert ingest(io.read_source(tmp_path / "merged.docx")).text.split("\n") == [
        "Recommendation | Force response | Status",
        "Recommendations for chief constables",
        "13 | An audit of every policy was completed in December. | Complete",
        "16 | An audit of every policy was completed in December. | Complete",
        "17 | The recording system was changed in January. | Complete",
        "| It is checked every month.",
    ]


def test_list_numbers_word_generates_are_in_the_text(tmp_path):
    document = Document()
    document.add_paragraph("The force's response")
    plain = add_numbering(document, [("decimal", "%1."), ("lowerLetter", "%2)")])
    for words, level in (("Policies were updated.", 0), ("for staff", 1), ("for officers", 1), ("Training was given.", 0),
                         ("to supervisors", 1)):
        number_paragraph(document.add_paragraph(words), plain, level)
    heading = document.add_paragraph("Staff networks", style="Heading 2")
    number_paragraph(heading, add_numbering(document, [("decimal", "Recommendation %1")], start=22))
    document.add_paragraph("Funding will be reviewed in 2025.")
    roman = add_numbering(document, [("upperRoman", "(%1)")], start=4)
    number_paragraph(document.add_paragraph("A fourth point."), roman)
    number_paragraph(document.add_paragraph("A fifth point."), roman)
    bullets = add_numbering(document, [("bullet", "\uf0b7")])
    number_paragraph(document.add_paragraph("A bullet."), bullets)
    document.save(str(tmp_path / "n.docx"))
    assert ingest(io.read_source(tmp_path / "n.docx")).text == (
        "The force's response\n\n"
        "1. Policies were updated.\na) for staff\nb) for officers\n2. Training was given.\na) to supervisors\n\n"
        "Recommendation 22 Staff networks\n\n"
        "Funding will be reviewed in 2025.\n\n"
        "(IV) A fourth point.\n(V) A fifth point.\n- A bullet.")


def test_numbering_set_on_a_heading_style_numbers_every_heading(tmp_path):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = Document()
    num_id = add_numbering(document, [("decimal", "Recommendation %1")])
    style = document.styles["Heading 1"]
    num_pr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", "0"), ("w:numId", str(num_id))):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        num_pr.append(child)
    style.element.get_or_add_pPr().append(num_pr)
    for words in ("Uniform policy", "Equality audit"):
        document.add_heading(words, level=1)
        document.add_paragraph("Done.")
    document.save(str(tmp_path / "s.docx"))
    assert ingest(io.read_source(tmp_path / "s.docx")).text == (
        "Recommendation 1 Uniform policy\n\nDone.\n\nRecommendation 2 Equality audit\n\nDone.")


def test_a_real_word_document_reads_with_its_tables():
    document = ingest(io.read_source(REAL_DOCX))
    assert document.media_type == "docx" and len(document.pages) == 1
    lines = document.text.split("\n")
    header = "Inquiry | Number | Issued | Recommendation | Response"
    assert header in lines
    rows = [line for line in lines if line.count(" | ") == 4]
    assert len(rows) >= 10
    # the text box at the top is read once, not twice (drawing and its VML fallback)
    assert document.text.count("TAIC collates the information") == 1


# --- refused, with a coded error and bounded memory --------------------------------------

def _docx_bytes(tmp_path) -> bytes:
    document = Document()
    document.add_paragraph("Recommendation 9: done.")
    document.save(str(tmp_path / "ok.docx"))
    return (tmp_path / "ok.docx").read_bytes()


def _rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    out = bytes_io.BytesIO()
    with zipfile.ZipFile(bytes_io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            new.writestr(entry.filename, (replace or {}).get(entry.filename, old.read(entry.filename)))
        for name, body in (add or {}).items():
            new.writestr(name, body)
    return out.getvalue()


def _code(data: bytes, name: str = "a.docx") -> PipelineError:
    with pytest.raises(PipelineError) as error:
        ingest(source(name, data))
    return error.value


def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    bomb = _rezip(_docx_bytes(tmp_path), add={"word/media/padding.bin": b"\0" * (4 * 1024 * 1024)})
    error = _code(bomb)
    assert error.code == "E118" and "zip bomb" in error.message and len(bomb) < 100_000


def test_a_huge_part_is_refused(tmp_path):
    import os

    # a stored (uncompressed, so no zip bomb) part over the limit
    out = bytes_io.BytesIO(_docx_bytes(tmp_path))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as archive:
        with archive.open("word/media/video.bin", "w", force_zip64=True) as part:
            chunk = os.urandom(1 << 20)
            for _ in range(MAX_PART_BYTES // len(chunk) + 1):
                part.write(chunk)
    error = _code(out.getvalue())
    assert error.code == "E118" and "word/media/video.bin" in error.message


def test_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("THE SECRET")
    data = _docx_bytes(tmp_path)
    with zipfile.ZipFile(bytes_io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml")
    hostile = body.replace(b"?>", f'?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{secret}">]>'.encode(), 1)
    hostile = hostile.replace(b"Recommendation 9: done.", b"&x;")
    error = _code(_rezip(data, replace={"word/document.xml": hostile}))
    assert error.code == "E118" and "THE SECRET" not in error.message


def test_not_a_word_document(tmp_path):
    assert _code(b"PK\x03\x04 not really a zip").code == "E117"
    assert _code(_rezip(_docx_bytes(tmp_path), replace={"word/document.xml": b"<w:document"})).code == "E117"


# --- a PCC letter in Word whose force is named only in its letterhead (the header) ---------------------------------

LETTER_BODY = ("Response to An inspection into activism and impartiality in policing",
               "The commissioner has received the following from the Chief Constable.",
               "Recommendation 9",
               "The force's communications policy was updated in October 2024; this is complete.")


def _letter(path: Path, *, first_page_only: bool = False, footer: str = "", header_table: bool = False) -> Path:
    """A letter whose body names no force; its header (the first page's alone, when ``first_page_only``, as a
    letterhead often is) names the commissioner's office, in a paragraph or in a one-row table."""
    document = Document()
    for line in LETTER_BODY:
        document.add_paragraph(line)
    section = document.sections[0]
    if first_page_only:
        section.different_first_page_header_footer = True
    header = section.first_page_header if first_page_only else section.header
    if header_table:
        cells = header.add_table(rows=1, cols=2, width=section.page_width).rows[0].cells
        cells[0].text, cells[1].text = "Office of the Sussex Police and Crime Commissioner", "Lewes, East Sussex"
    else:
        header.paragraphs[0].text = "Office of the Sussex Police and Crime Commissioner"
    if footer:
        section.footer.paragraphs[0].text = footer
    document.save(str(path))
    return path


@pytest.mark.parametrize("shape", [{}, {"first_page_only": True}, {"header_table": True}],
                         ids=["header", "first-page-header", "header-table"])
def test_a_word_letters_header_is_its_site_text_and_names_its_force(tmp_path, shape):
    """The header and footer of a .docx are kept apart as ``Document.site`` (never its text), which identify reads
    for the force when the body names none, as it reads a web page's header and footer."""
    from pipeline.identify import build_identifier, identify

    path = _letter(tmp_path / "letter.docx", footer="Page 1", **shape)
    document = ingest(io.read_source(path))
    assert "Sussex" not in document.text and document.text.startswith(LETTER_BODY[0])
    assert "Office of the Sussex Police and Crime Commissioner" in document.site.splitlines()
    identifier = build_identifier(io.load_forces(), io.load_inspections(Path(__file__).resolve().parents[1]
                                                                        / "corpus" / "inspections"))
    found = identify(document, identifier)
    assert found.force.name == "Sussex Police" and "header or footer" in found.evidence


def test_a_word_letter_named_only_in_its_letterhead_is_scored_not_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _letter(folder / "letter.docx", first_page_only=True)
    out = tmp_path / "out"
    assert main(["score", str(folder), "--out", str(out), "--no-cache", "--as-of", "2026-01-01"]) == 0
    assert pd.read_csv(out / "forces.csv")["force"].tolist() == ["Sussex Police"]


def test_a_word_letters_header_naming_two_forces_names_none(tmp_path):
    """As for a web page: a header or footer naming two forces (a joint letterhead, a partner's) names neither."""
    from pipeline.identify import build_identifier, identify

    document = ingest(io.read_source(_letter(tmp_path / "letter.docx", footer="In partnership with Surrey Police")))
    identifier = build_identifier(io.load_forces(), io.load_inspections(Path(__file__).resolve().parents[1]
                                                                        / "corpus" / "inspections"))
    with pytest.raises(PipelineError) as raised:
        identify(document, identifier)
    assert raised.value.code == "E202"
