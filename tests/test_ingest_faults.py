"""Ingest: each kind of fault found by trying inputs built from public bug reports, on new inputs of the same kind.

The bug inputs themselves are in :mod:`tests.test_bug_inputs`; here each kind
is drawn afresh (reportlab PDFs, hand-written bytes), so the fix holds for the
kind and not only for the one file.
"""

from __future__ import annotations

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline import io
from pipeline.errors import PipelineError
from pipeline.ingest import decode_text, ingest, normalise_text
from pipeline.types import SourceFile
from tests.pdf_fixtures import font_name, render_text_pdf, serialise_pdf


def source(name: str, data: bytes) -> SourceFile:
    return SourceFile(path=name, data=data, sha256=io.sha256_bytes(data))


# --- encodings -----------------------------------------------------------------------

def test_utf8_with_one_stray_windows_1252_byte_costs_one_character():
    text = "Response of the Police and Crime Commissioner for Gwent \u2013 Cwmbr\u00e2n \u2018agreed\u2019\n"
    data = text.encode("utf-8") * 20 + b"The force\x92s view.\n" + text.encode("utf-8") * 20
    decoded = decode_text(data)
    assert decoded == text * 20 + "The force\u2019s view.\n" + text * 20
    assert "\u00c3" not in decoded and "\u00e2\u20ac" not in decoded  # no mojibake anywhere


def test_windows_1252_and_latin_1_files_are_detected_as_western_text():
    assert decode_text("Na\u00efve r\u00e9sum\u00e9 \u00e0 la Fran\u00e7aise".encode("latin-1")) == \
        "Na\u00efve r\u00e9sum\u00e9 \u00e0 la Fran\u00e7aise"
    assert decode_text("Caf\u00e9 \u2019quoted\u2019 \u00a3500".encode("cp1252")) == "Caf\u00e9 \u2019quoted\u2019 \u00a3500"


def test_html_declared_utf8_with_a_stray_byte():
    page = b'<html><head><meta charset="utf-8"></head><body><p>Cwmbr\xc3\xa2n \xe2\x80\x93 the force\x92s plan</p></body></html>'
    assert ingest(source("a.html", page)).text == "Cwmbr\u00e2n \u2013 the force's plan"


# --- hyphens at line ends -----------------------------------------------------------------

@pytest.mark.parametrize("hyphen", ["\u00ad", "\u2010", "\u2011"])
def test_words_split_at_a_line_end_by_unicode_hyphens_are_joined(hyphen):
    text = f"We have asked supervisors to check the recommen{hyphen}\ndation and its over{hyphen}\nsight."
    assert normalise_text(text) == "We have asked supervisors to check the recommendation and its oversight."


def test_soft_hyphens_in_a_drawn_pdf_join_words(tmp_path):
    path = tmp_path / "soft.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(font_name(), 11)
    for i, line in enumerate(["The board reviewed the recommen\u00ad", "dation and asked the super\u00ad",
                              "visors to report."]):
        c.drawString(72, 760 - 14 * i, line)
    c.showPage()
    c.save()
    assert ingest(io.read_source(path)).text == "The board reviewed the recommendation and asked the supervisors to report."


# --- sideways text ---------------------------------------------------------------------------

@pytest.mark.parametrize("angle", [90, -90])
def test_text_drawn_sideways_reads_as_lines(tmp_path, angle):
    path = tmp_path / "sideways.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(font_name(), 11)
    c.drawString(72, 800, "Response to the inspection")
    c.saveState()
    c.translate(300, 400)
    c.rotate(angle)
    c.drawString(0, 0, "Recommendation 9 has been completed.")
    c.drawString(0, -14, "Recommendation 10 is in progress.")
    c.restoreState()
    c.showPage()
    c.save()
    text = ingest(io.read_source(path)).text
    assert "Recommendation 9 has been completed." in text.split("\n")
    assert "Recommendation 10 is in progress." in text.split("\n")
    assert text.index("Recommendation 9") < text.index("Recommendation 10")


# --- bytes after %%EOF, damaged pages ------------------------------------------------------

@pytest.mark.parametrize("padding", [b"\x00" * 8192, b"\r\n" * 100, b"<html>junk a server appended</html>"])
def test_bytes_after_eof_are_not_truncation(tmp_path, padding):
    path = render_text_pdf("Recommendation 9\nThe force has done it.", tmp_path / "a.pdf")
    path.write_bytes(path.read_bytes() + padding)
    assert ingest(io.read_source(path)).text == "Recommendation 9\n\nThe force has done it."


def _three_page_pdf(path, compress: int = 0, heading: tuple[str, ...] = ()):
    c = canvas.Canvas(str(path), pagesize=A4, pageCompression=compress)
    for number, words in enumerate(("Recommendation 9 is done.", "Recommendation 10 is planned.",
                                    "Recommendation 12 is under way.")):
        c.setFont("Helvetica", 11)
        for i, line in enumerate(heading if number == 0 else ()):
            c.drawString(72, 800 - 16 * i, line)
        c.drawString(72, 700, words)
        c.showPage()
    c.save()
    return path


def test_a_malformed_object_in_one_content_stream_loses_only_its_page(tmp_path):
    path = _three_page_pdf(tmp_path / "three.pdf")
    data = path.read_bytes()
    drawn = b"(Recommendation 10 is planned.) Tj"
    assert data.count(drawn) == 1
    # an odd dictionary in page two's content stream, of the same length (pdfminer.six issues 968 and 555)
    path.write_bytes(data.replace(drawn, b"<</Lang @pgfcolorspaces>>".ljust(len(drawn))))
    document = ingest(io.read_source(path))
    assert "Recommendation 9 is done." in document.text and "Recommendation 12 is under way." in document.text
    assert "planned" not in document.text
    assert [(p.code, p.page) for p in document.problems] == [("E111", 2)]
    assert [p.number for p in document.pages] == [1, 2, 3]


def test_every_page_malformed_is_an_unreadable_pdf(tmp_path):
    path = _three_page_pdf(tmp_path / "three.pdf")
    data = path.read_bytes()
    for words in (b"Recommendation 9 is done.", b"Recommendation 10 is planned.", b"Recommendation 12 is under way."):
        drawn = b"(" + words + b") Tj"
        data = data.replace(drawn, b"<</Lang @pgfcolorspaces>>".ljust(len(drawn)))
    path.write_bytes(data)
    with pytest.raises(PipelineError) as error:
        ingest(io.read_source(path))
    assert error.value.code == "E103"


# --- fonts with no Unicode map -----------------------------------------------------------------

def write_raw_pdf(path, pages: list[bytes]) -> None:
    """A PDF written object by object: ``pages`` are content streams that may use /F1 (Helvetica) and /F2,
    a CID font (Identity-H) with no ToUnicode map and no embedded program, as pdfminer.six issue 635 describes."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        None,  # the page tree, once the page numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Unmapped /Encoding /Identity-H /DescendantFonts [5 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Unmapped /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>",
    ]
    kids = []
    for content in pages:
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % len(objects))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    path.write_bytes(serialise_pdf(objects))


def _plain(y: int, words: str) -> bytes:
    return b"BT /F1 11 Tf 72 %d Td (%s) Tj ET\n" % (y, words.encode("ascii"))


def _unmapped(y: int, words: str) -> bytes:
    return b"BT /F2 11 Tf 72 %d Td <%s> Tj ET\n" % (y, "".join(f"{ord(ch):04X}" for ch in words).encode("ascii"))


def _cid_pdf(path, readable_pages: int) -> None:
    """``readable_pages`` plain pages, then one whose answers are in the unmapped CID font under a plain letterhead."""
    pages = [_plain(760, f"Recommendation {9 + i} is done and the report is published.") for i in range(readable_pages)]
    pages.append(_plain(780, "Office of the Police and Crime Commissioner")
                 + b"".join(_unmapped(740 - 16 * j, "The force has completed this recommendation.") for j in range(6)))
    write_raw_pdf(path, pages)


def test_text_in_a_font_with_no_unicode_map_is_never_silence(tmp_path):
    path = tmp_path / "cid.pdf"
    _cid_pdf(path, readable_pages=0)
    with pytest.raises(PipelineError) as error:
        ingest(io.read_source(path), ocr=False)
    assert error.value.code == "E114"  # letterhead alone would read as "nothing addressed"


def test_one_unreadable_page_among_readable_ones_is_a_page_level_problem(tmp_path):
    path = tmp_path / "cid.pdf"
    _cid_pdf(path, readable_pages=2)
    document = ingest(io.read_source(path), ocr=False)
    assert "Recommendation 9 is done" in document.text and "Recommendation 10 is done" in document.text
    assert [(p.code, p.page) for p in document.problems] == [("E110", 3)]
    assert "no Unicode map" in document.problems[0].message


# --- the reader picked by content ---------------------------------------------------------------

def test_reader_is_picked_by_content_not_only_by_suffix(tmp_path):
    pdf = render_text_pdf("A response saved without its suffix.", tmp_path / "a.pdf").read_bytes()
    assert ingest(source("download", pdf)).text == "A response saved without its suffix."
    assert ingest(source("page.txt", b"<!DOCTYPE html><html><body><p>Hi</p></body></html>")).text == "Hi"


@pytest.mark.parametrize("name,data,code", [
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 100, "E115"),
    ("old.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 100, "E115"),
    ("a.odt", b"PK\x03\x04\x14\x00\x00\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.text", "E116"),
    ("a.xlsx", b"PK\x03\x04\x14\x00junk", "E102"),
])
def test_old_word_and_opendocument_get_a_coded_error_naming_the_fix(name, data, code):
    with pytest.raises(PipelineError) as error:
        ingest(source(name, data))
    assert error.value.code == code
    if code in ("E115", "E116"):
        assert ".docx" in error.value.message


# --- a table row broken by a page break ------------------------------------------------------

def _split_row_pdf(path, footnote: bool, repeat_header: bool):
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    style = ParagraphStyle("cell", fontName=font_name(), fontSize=10, leading=12)

    def table(rows):
        drawn = Table([[Paragraph(c, style) for c in r] for r in rows], colWidths=[5 * cm, 11 * cm])
        drawn.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return drawn

    def draw_footnote(c, document):
        if footnote and document.page == 1:
            c.setFont(font_name(), 8)
            c.drawString(2.5 * cm, 1.5 * cm, "1 See the College of Policing guidance.")

    header = ["Recommendation", "Force response"]
    # as Word draws a row split by a page break: the second half under the repeated header, its first cell empty
    story = [table([header, ["Recommendation 9", "The policy was updated."],
                    ["Recommendation 10", "The uniform policy was issued in November and"]]),
             PageBreak(),
             table(([header] if repeat_header else []) + [["", "briefed to every officer; supervisors check it."],
                                                          ["Recommendation 12", "Training is planned."]])]
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2.5 * cm, rightMargin=2.5 * cm)
    doc.build(story, onFirstPage=draw_footnote, onLaterPages=draw_footnote)
    return path


@pytest.mark.parametrize("footnote", [False, True], ids=["no-footnote", "footnote-between"])
@pytest.mark.parametrize("repeat_header", [True, False], ids=["header-repeated", "no-header"])
def test_a_row_split_by_a_page_break_keeps_its_second_half(tmp_path, footnote, repeat_header):
    document = ingest(io.read_source(_split_row_pdf(tmp_path / "split.pdf", footnote, repeat_header)))
    lines = document.text.split("\n")
    assert ("Recommendation 10 | The uniform policy was issued in November and briefed to every officer; "
            "supervisors check it.") in lines
    assert lines.count("Recommendation | Force response") == 1
    assert "Recommendation 12 | Training is planned." in lines
    assert not any(line.startswith("| ") for line in lines)
    assert len(document.pages) == 2 and document.page_at(document.text.index("Recommendation 12")) == 2


def test_ocr_reads_what_it_can_and_reports_the_rest(tmp_path):
    """With OCR on, a page of unmapped glyphs is read by OCR or reported (E110, or E113 below the floor): never silent."""
    from pipeline.ingest.ocr import CONFIDENCE_FLOOR

    path = tmp_path / "cid.pdf"
    _cid_pdf(path, readable_pages=2)
    document = ingest(io.read_source(path))
    assert "Recommendation 9 is done" in document.text
    page = document.pages[2]
    reported = [p.code for p in document.problems if p.page == 3]
    assert (page.ocr and page.confidence >= CONFIDENCE_FLOOR and not reported) or reported in (["E110"], ["E113"])


def test_a_lost_page_is_a_row_of_errors_csv_and_the_exit_code_stays_0(tmp_path, capsys):
    from pipeline.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    path = _three_page_pdf(folder / "three.pdf", heading=(
        "Office of the Police and Crime Commissioner for Dorset", "Dorset Police", "2 December 2024",
        "Response to An inspection into activism and impartiality in policing"))
    data = path.read_bytes()
    drawn = b"(Recommendation 10 is planned.) Tj"
    path.write_bytes(data.replace(drawn, b"<</Lang @pgfcolorspaces>>".ljust(len(drawn))))
    code = main(["score", str(folder), "--out", str(tmp_path / "out"), "--no-cache", "--as-of", "2026-01-01"])
    import pandas as pd

    errors = pd.read_csv(tmp_path / "out" / "errors.csv", dtype={"page": "Int64"})
    stderr = capsys.readouterr().err
    assert errors[["code", "page"]].values.tolist() == [["E111", 2]]
    assert "three.pdf: E111 page 2" in stderr and code == 0
    card = pd.read_csv(tmp_path / "out" / "scorecard.csv")
    assert set(card["force"]) == {"Dorset Police"} and len(card) == 9


# --- a file whose extension lies: read by its bytes, the mismatch named (issue 13) ------------------------------

_ANSWER = "Recommendation 22. We will review how funding is allocated to our staff networks during 2025."
_HTML_PAGE = f"<!DOCTYPE html><html><head><title>Response</title></head><body><p>{_ANSWER}</p></body></html>".encode()
# The shape Word gives a document saved as a web page ("Save as: Web Page"), which users often keep named .doc.
_WORD_HTML = ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
              'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">\r\n<head>\r\n'
              '<meta http-equiv=Content-Type content="text/html; charset=windows-1252">\r\n'
              '<meta name=Generator content="Microsoft Word 15 (filtered)">\r\n<style>\r\n<!-- p.MsoNormal {margin:0cm;} '
              '-->\r\n</style>\r\n</head>\r\n<body lang=EN-GB>\r\n<div class=WordSection1>\r\n'
              f'<p class=MsoNormal>{_ANSWER}</p>\r\n</div>\r\n</body>\r\n</html>\r\n').encode("cp1252")
# Rich Text Format, as WordPad or Word writes it: a format no reader here reads.
_RTF_BYTES = (b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\\f0\\fs22 "
              + _ANSWER.encode("ascii") + b"\\par\n}")


def _docx_bytes(tmp_path) -> bytes:
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_paragraph(_ANSWER)
    word.save(tmp_path / "reply.docx")
    return (tmp_path / "reply.docx").read_bytes()


@pytest.mark.parametrize("name, kind, media_type, says", [
    ("reply.pdf", "html", "html", "named .pdf but its bytes are an HTML page: read as HTML (rename it .html)"),
    ("reply.pdf", "text", "text", "named .pdf but its bytes are plain text: read as text (rename it .txt)"),
    ("reply.doc", "word-html", "html", "named .doc but its bytes are an HTML page: read as HTML"),
    ("reply.doc", "docx", "docx", "named .doc but its bytes are a Word .docx document: read as Word .docx"),
    ("reply.doc", "pdf", "pdf", "named .doc but its bytes are a PDF: read as PDF (rename it .pdf)"),
    ("reply.doc", "text", "text", "named .doc but its bytes are plain text"),
    ("reply.docx", "pdf", "pdf", "named .docx but its bytes are a PDF"),
    ("reply.docx", "html", "html", "named .docx but its bytes are an HTML page"),
    ("reply.txt", "pdf", "pdf", "named .txt but its bytes are a PDF"),
    ("reply.pdf", "saved-html", "html", "named .pdf but its bytes are an HTML page"),
])
def test_a_file_whose_name_lies_is_read_by_its_bytes_and_the_mismatch_named(tmp_path, name, kind, media_type, says):
    saved = b"<!-- saved from url=(0043)https://www.example.org/hmicfrs-response -->\r\n" + _HTML_PAGE  # as IE saved pages
    data = {"html": _HTML_PAGE, "word-html": _WORD_HTML, "saved-html": saved, "text": _ANSWER.encode() + b"\n",
            "docx": _docx_bytes(tmp_path),
            "pdf": render_text_pdf(_ANSWER, tmp_path / "reply.pdf").read_bytes()}[kind]
    document = ingest(source(name, data))
    assert document.media_type == media_type
    assert _ANSWER in " ".join(document.text.split())
    [note] = document.problems
    assert (note.code, note.page, note.source) == ("E120", None, name)
    assert says in note.message


@pytest.mark.parametrize("name, data", [
    ("reply.txt", _HTML_PAGE),  # text and HTML are both read as text: no mismatch worth a row
    ("reply.html", _HTML_PAGE),
    ("download", _HTML_PAGE),  # a name that promises nothing
    ("reply.md", _ANSWER.encode()),
])
def test_a_name_that_fits_its_bytes_gets_no_note(name, data):
    assert ingest(source(name, data)).problems == ()


@pytest.mark.parametrize("name, named", [("reply.doc", " named .doc"), ("reply.rtf", ""), ("reply.pdf", " named .pdf"),
                                         ("reply.txt", " named .txt")])
def test_rtf_gets_a_coded_error_naming_the_fix(name, named):
    with pytest.raises(PipelineError) as error:
        ingest(source(name, _RTF_BYTES))
    assert error.value.code == "E121"
    assert error.value.message == (f"Rich Text Format (RTF) document{named}: open it in Word or LibreOffice and save "
                                   "it as .docx or PDF")


def test_a_doc_that_is_no_format_at_all_is_refused_without_calling_it_old_word():
    with pytest.raises(PipelineError) as error:
        ingest(source("reply.doc", bytes(range(256)) * 8))
    assert error.value.code == "E117" and "neither Word" in error.value.message


def test_binary_bytes_named_pdf_are_still_not_a_pdf():
    with pytest.raises(PipelineError) as error:
        ingest(source("reply.pdf", bytes(range(256)) * 8))
    assert error.value.code == "E103" and "no %PDF- header" in error.value.message


def test_responses_whose_names_lie_score_their_cells_with_a_note_and_rtf_is_refused(tmp_path, capsys):
    """A web page saved as .pdf, a .docx renamed .doc: scored as their text versions are; an RTF .doc: one coded line."""
    from pathlib import Path

    import lxml.html
    import pandas as pd

    from pipeline.cli import main
    from tests.conftest import ROOT, SEEDS
    from tests.docx_fixtures import write_seed_docx
    from tests.html_fixtures import wrap_seed_html

    folder = tmp_path / "in"
    folder.mkdir()
    gwent = ingest(io.read_source(SEEDS["Gwent"])).text
    (folder / "gwent.pdf").write_bytes(
        wrap_seed_html(gwent, "wordpress", "Response to An inspection into activism and impartiality in policing"))
    write_seed_docx(ingest(io.read_source(SEEDS["Suffolk"])).text, folder / "suffolk.doc", numbered_headings=True)
    (folder / "letter.doc").write_bytes(_RTF_BYTES)
    out = tmp_path / "out"
    code = main(["score", str(folder), "--out", str(out), "--no-cache", "--as-of", "2026-01-01"])
    stderr = capsys.readouterr().err
    assert code == 1 and "Traceback" not in stderr  # the RTF letter is a document not scored
    assert sorted(line.split(": ", 1)[1][:4] for line in stderr.splitlines() if line.strip()) == ["E120", "E120", "E121"]
    errors = pd.read_csv(out / "errors.csv", dtype={"page": "Int64"})
    assert {(Path(s).name, c) for s, c in zip(errors["source"], errors["code"])} == {
        ("gwent.pdf", "E120"), ("suffolk.doc", "E120"), ("letter.doc", "E121")}
    assert errors["page"].isna().all()
    card = pd.read_csv(out / "scorecard.csv", dtype={"recommendation": str})
    golden = pd.read_csv(ROOT / "tests" / "data" / "golden" / "scorecard.csv", dtype={"recommendation": str})
    columns = ["force", "recommendation", "status", "basis"]
    golden = golden[golden["force"].isin(["Gwent Police", "Suffolk Constabulary"])][columns]
    pd.testing.assert_frame_equal(card[columns].sort_values(columns[:2]).reset_index(drop=True),
                                  golden.sort_values(columns[:2]).reset_index(drop=True))
    # the report says the two were scored and only the letter was not
    report = lxml.html.fromstring((out / "report.html").read_text(encoding="utf-8"))
    rows = report.xpath('//table[contains(@class, "errors")]/tbody/tr')
    assert {Path(r.xpath("./th")[0].text_content().strip()).name: r.xpath('./td[@class="outcome"]')[0].text_content()
            for r in rows} == {"gwent.pdf": "scored in full", "suffolk.doc": "scored in full", "letter.doc": "not scored"}


# Word's "Single File Web Page" (a web archive, MHTML): the page quoted-printable in Windows-1252, "=92" a curly apostrophe.
_WORD_MHT = (
    'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_01DB1C2A.5E3F4A10"\r\n\r\n'
    'This document is a Single File Web Page, also known as a Web Archive file.\r\n\r\n'
    '------=_NextPart_01DB1C2A.5E3F4A10\r\nContent-Location: file:///C:/reply.htm\r\n'
    'Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset="windows-1252"\r\n\r\n'
    '<html xmlns:o=3D"urn:schemas-microsoft-com:office:office" xmlns:w=3D"urn:schemas-microsoft-com:office:word">\r\n'
    '<head><meta http-equiv=3DContent-Type content=3D"text/html; charset=3Dwindows-1252"></head>\r\n'
    '<body lang=3DEN-GB><div class=3DWordSection1><p class=3DMsoNormal>Recommendation 22. The force=92s funding pan=\r\n'
    'el will decide in April.</p></div></body></html>\r\n\r\n'
    '------=_NextPart_01DB1C2A.5E3F4A10\r\nContent-Location: file:///C:/reply_files/filelist.xml\r\n'
    'Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/xml; charset="utf-8"\r\n\r\n'
    '<xml xmlns:o=3D"urn:schemas-microsoft-com:office:office"></xml>\r\n\r\n'
    '------=_NextPart_01DB1C2A.5E3F4A10--\r\n').encode("ascii")


@pytest.mark.parametrize("name, note", [
    ("reply.doc", "named .doc but its bytes are a web archive (MHTML): read as HTML (rename it .mht)"),
    ("reply.mht", None),
])
def test_a_word_web_archive_is_read_as_the_page_inside_it(name, note):
    document = ingest(source(name, _WORD_MHT))
    assert document.media_type == "html"
    assert document.text == "Recommendation 22. The force's funding panel will decide in April."  # (quotes normalised)
    assert [p.message for p in document.problems] == ([note] if note else [])


def test_a_web_archive_without_a_page_is_not_text():
    data = _WORD_MHT.replace(b"Content-Type: text/html", b"Content-Type: image/png")
    with pytest.raises(PipelineError) as error:
        ingest(source("reply.mht", data))
    assert error.value.code == "E106" and "MHTML" in error.value.message
# --- the glyph cap ----------------------------------------------------------------------

def test_one_string_longer_than_the_glyph_cap_is_stopped_at_the_cap():
    # the cap counts a string at a time and goes glyph by glyph only in a string that may pass it: one Tj
    # of 30,000 glyphs must still stop at GLYPH_CAP, not be drawn whole
    from io import BytesIO

    from pipeline.ingest.pdf import GLYPH_CAP

    out = BytesIO()
    drawing = canvas.Canvas(out, pagesize=A4)
    drawing.setFont("Helvetica", 1)
    drawing.drawString(10, 10, "x" * (GLYPH_CAP + 10_000))
    drawing.drawString(10, 20, "Recommendation 1 is accepted.")
    drawing.showPage()
    drawing.save()
    document = ingest(source("one-long-string.pdf", out.getvalue()))
    assert [(p.code, p.page) for p in document.problems] == [("E112", 1)]
    assert document.text.count("x") == GLYPH_CAP


def _page_of_sizes(*strings: tuple[float, float, str]) -> bytes:
    """One A4 page drawing each (font size in points, y, text) in order."""
    from io import BytesIO

    out = BytesIO()
    drawing = canvas.Canvas(out, pagesize=A4)
    for size, y, text in strings:
        drawing.setFont("Helvetica", size)
        drawing.drawString(10, y, text)
    drawing.showPage()
    drawing.save()
    return out.getvalue()


def test_a_background_of_fine_print_drawn_first_leaves_the_cap_to_the_text_read():
    """Fault-kind 05b's shape: 2-point glyphs past the cap drawn before 11-point text; the 11-point text is read."""
    from pipeline.ingest.pdf import GLYPH_CAP

    data = _page_of_sizes((2, 800, "x" * (GLYPH_CAP + 5_000)), (11, 700, "Recommendation 1 is accepted."))
    document = ingest(source("pattern.pdf", data))
    assert document.text == "Recommendation 1 is accepted."
    assert [(p.code, p.page) for p in document.problems] == [("E122", 1)]
    assert f"{GLYPH_CAP + 5_000} glyphs of text 2 pt or smaller" in document.problems[0].message


def test_body_text_past_the_cap_is_read_in_drawing_order_after_the_larger_heading():
    """A size of at least half the smallest size read whole is the page's text: read into what the cap leaves."""
    from pipeline.ingest.pdf import GLYPH_CAP

    heading = "Response to the inspection"
    data = _page_of_sizes((11, 700, "y" * (GLYPH_CAP + 5_000)), (14, 800, heading))
    document = ingest(source("long-body.pdf", data))
    assert heading in document.text
    assert document.text.count("y") == GLYPH_CAP - len(heading)
    assert [(p.code, p.page) for p in document.problems] == [("E112", 1)]


def test_a_page_counted_past_the_census_cap_is_read_from_what_was_counted(monkeypatch):
    """The count by size stops at CENSUS_CAP (time stays bounded): text drawn after it is not read, and E112 says so."""
    from pipeline.ingest import pdf

    monkeypatch.setattr(pdf, "CENSUS_CAP", pdf.GLYPH_CAP + 10_000)
    data = _page_of_sizes((2, 800, "x" * (pdf.GLYPH_CAP + 20_000)), (11, 700, "Recommendation 1 is accepted."))
    read = pdf.read_pdf(data, max_pages=10, max_seconds=None)  # here, not in a worker started before the patch
    [page] = read.pages
    assert page.text.count("x") == pdf.GLYPH_CAP and "Recommendation" not in page.text
    assert [(note.code, note.page) for note in read.notes] == [("E112", 1)]


@pytest.mark.parametrize("strings, passes, code", [
    (((11, 700, "y" * 30_000),), 1, "E112"),  # one size: its first glyphs, counted by size as they were read
    (((2, 800, "x" * 25_000), (11, 700, "Recommendation 1 is accepted.")), 2, "E122"),  # then the 11 pt text
])
def test_a_page_past_the_cap_is_counted_by_size_as_it_is_first_read(monkeypatch, strings, passes, code):
    """The count by size is kept during the first read: the page's content is parsed again only to read what it chose."""
    from pdfminer.pdfinterp import PDFPageInterpreter

    from pipeline.ingest import pdf

    parsed = []
    process_page = PDFPageInterpreter.process_page

    def counted(self, page):
        parsed.append(page)
        return process_page(self, page)

    monkeypatch.setattr(PDFPageInterpreter, "process_page", counted)
    read = pdf.read_pdf(_page_of_sizes(*strings), max_pages=10, max_seconds=None)  # here, to count the passes
    assert len(parsed) == passes
    assert [(note.code, note.page) for note in read.notes] == [(code, 1)]
    assert read.pages[0].text.count("y") == (pdf.GLYPH_CAP if code == "E112" else 0)
    assert ("Recommendation 1 is accepted." in read.pages[0].text) == (code == "E122")


def test_fine_print_left_out_still_moves_the_pen():
    """Text after a run of fine print on the same line stays where it is drawn, not drawn back over the gap."""
    from io import BytesIO

    from pipeline.ingest.pdf import GLYPH_CAP

    out = BytesIO()
    drawing = canvas.Canvas(out, pagesize=A4)
    drawing.setFont("Helvetica", 2)
    drawing.drawString(10, 820, "x" * (GLYPH_CAP + 5_000))
    line = drawing.beginText(72, 700)  # one text object: 11 pt, then 150 glyphs of 2 pt (about 150 pt wide), then 11 pt
    for size, text in ((11, "Status:"), (2, "x" * 150), (11, "Completed")):
        line.setFont("Helvetica", size)
        line.textOut(text)
    drawing.drawText(line)
    drawing.showPage()
    drawing.save()
    document = ingest(source("gap.pdf", out.getvalue()))
    assert document.text == "Status: | Completed"  # two boxes side by side, as drawn (not "Status:Completed")


@pytest.mark.parametrize("counts, floor, quota, whole, skipped", [
    ({11.0: 600, 2.0: 36_000}, 11.0, 600, True, 36_000),  # a 2-point pattern under 11-point text: left out
    ({14.0: 125, 12.0: 128, 11.0: 606, 2.0: 157_260}, 11.0, 606, True, 157_260),  # 11-huge-page's sizes
    ({11.0: 25_000}, 11.0, 20_000, False, 0),  # one size: the first glyphs drawn, as the cap always read
    ({14.0: 100, 11.0: 25_000}, 11.0, 19_900, False, 0),  # body text under a heading: read into what is left
    ({11.0: 15_000, 8.0: 10_000, 2.0: 50_000}, 8.0, 5_000, False, 50_000),  # footnotes cut, the pattern left out
    ({12.0: 600, 6.0: 30_000}, 6.0, 19_400, False, 0),  # half the size read whole: still the page's text
    ({12.0: 600, 5.9: 30_000}, 12.0, 600, True, 30_000),  # under half: fine print
    ({11.0: 500, 2.0: 500}, 2.0, 500, True, 0),  # all within the cap: everything
])
def test_a_page_past_the_cap_reads_its_largest_text_first(counts, floor, quota, whole, skipped):
    from pipeline.ingest.pdf import select_sizes

    selection = select_sizes(counts, cap=20_000)
    assert (selection.floor, selection.quota, selection.whole, selection.skipped) == (floor, quota, whole, skipped)
    read = sum(n for size, n in counts.items() if size > selection.floor) + selection.quota
    assert read <= 20_000
