"""Ingest stage: what a researcher would check on the text the pipeline reads.

The seeds are the five texts in ``corpus/raw`` (extracted from PDFs and web
pages, artefacts included); PDFs are drawn for real with reportlab by
:mod:`tests.pdf_fixtures`.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfminer.high_level import extract_text
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from pipeline import io
from pipeline.errors import PipelineError
from pipeline.ingest import decode_text, drop_running_lines, ingest, normalise_text
from pipeline.types import Page, SourceFile
from tests.conftest import SEEDS
from tests.pdf_fixtures import (
    font_name,
    render_seed_pdf,
    render_text_pdf,
    write_encrypted_pdf,
    write_image_only_pdf,
    write_truncated_pdf,
)


def source(name: str, data: bytes) -> SourceFile:
    return SourceFile(path=name, data=data, sha256=io.sha256_bytes(data))


def ingest_file(path, **kwargs):
    return ingest(io.read_source(path), **kwargs)


def lines(text: str) -> list[str]:
    return text.split("\n")


@pytest.fixture(scope="module")
def seeds():
    return {name: ingest_file(path) for name, path in SEEDS.items()}


# --- the seeds, as text ------------------------------------------------------------

def test_gwent_table_rows_are_one_line_each_with_cells_joined(seeds):
    text = seeds["Gwent"].text
    assert "<p>" not in text and "</p>" not in text and "\t" not in text
    rows = lines(text)
    assert "Recommendation | Force position" in rows
    [row9] = [r for r in rows if r.startswith("Recommendation 9 ")]
    assert row9 == (
        "Recommendation 9 Within six months of the College of Policing updating its engagement and communication "
        "authorised professional practice, forces should update their policies to reflect the College of Policing "
        "advice on communicating about politicised and contentious issues. | The force will review College of "
        "Policing updated guidance and update our Social Media Policy to ensure consistency."
    )
    # cells holding several <p> stay one row: paragraphs of a cell join with one space
    [row17] = [r for r in rows if r.startswith("Recommendation 17 ")]
    assert "and not recorded. Hate crime is reported through our governance processes" in row17
    assert row17.count(" | ") == 1


def test_gwent_header_repeated_after_page_breaks_is_dropped(seeds):
    """The seed repeats "Recommendation | Force position" where each PDF page began; the table is one table."""
    raw = SEEDS["Gwent"].read_text(encoding="utf-8")
    assert raw.count("Recommendation\tForce position") == 3
    rows = lines(seeds["Gwent"].text)
    assert rows.count("Recommendation | Force position") == 1
    start = rows.index("Recommendation | Force position")
    table = rows[start:]
    assert all(" | " in r for r in table)
    assert [r.split(" ", 2)[1] for r in table[1:9]] == ["9", "10", "12", "13", "16", "17", "18", "20"]
    # the row split by a page break stays two rows, the second right after the first
    assert table[9].startswith("Recommendation 22 | All of the force networks")
    assert table[10].startswith("By 31 March 2025, all forces should") and "| days. Staff networks leads" in table[10]


def test_suffolk_markdown_markers_are_gone(seeds):
    text = seeds["Suffolk"].text
    for marker in ("**", "###", "##", "](#)", "[An inspection"):
        assert marker not in text
    rows = lines(text)
    assert "Recommendation 9" in rows and "Recommendation 22" in rows
    assert "Response to HMICFRS' report: An inspection into activism and impartiality in policing, September 2024" in rows
    assert "RE: An inspection into activism and impartiality in policing." in rows
    assert any(r.startswith("Suffolk Constabulary's Corporate Communications Team has a strong") for r in rows)
    assert not any(r.startswith("*") or r.endswith("*") for r in rows)
    # italics are markup, not list items
    assert not any(r.startswith("- Suffolk") for r in rows)


def test_cleveland_hard_wrapped_recommendations_become_one_line(seeds):
    rows = lines(seeds["Cleveland"].text)
    assert (
        "Recommendation 16 By 31 March 2025, forces should update and implement their policies and guidance for "
        "non-crime hate incidents to provide clear direction to officers and staff for the assessment and "
        "recording of, and response to, these incidents."
    ) in rows
    assert (
        "Recommendation 9 Within six months of the College of Policing updating its engagement and communication "
        "authorised professional practice, forces should update their policies to reflect the College of Policing "
        "advice on communicating about politicised and contentious issues."
    ) in rows
    assert any(r.startswith("Recommendation 11 By 31 July 2025") and r.endswith("authorised professional practice.")
               for r in rows)
    assert ("- The recording of hate-related incidents, and the ability to retrieve data, is a significant challenge "
            "in some forces") in rows
    # the bullet glyph is a list item like the others
    assert "- Some officers and staff found training relating to NCHIs confusing" in rows
    # the list item after the wrapped recommendation stays its own line
    i = rows.index(next(r for r in rows if r.startswith("Recommendation 16 ")))
    assert rows[i + 1].startswith("- The recording of hate-related incidents")


def test_cleveland_distinct_paragraphs_and_list_items_are_not_merged(seeds):
    raw_items = [line for line in SEEDS["Cleveland"].read_text(encoding="utf-8").split("\n") if line.startswith("- ")]
    rows = lines(seeds["Cleveland"].text)
    for item in raw_items[:20]:
        assert any(r.startswith(item.split("**")[0].strip()) for r in rows), item
    assert "Introduction" in rows and "Terms of Reference" in rows
    # a line after one ending a clause with ";" is not joined to it
    assert "and" in rows


def test_staffordshire_form_rows_and_cell_markup(seeds):
    rows = lines(seeds["Staffordshire"].text)
    assert "Force | Staffordshire" in rows
    assert "Inspectorate | HMICFRS Making communities safer" in rows
    [recs] = [r for r in rows if r.startswith("Recommendations | ")]
    assert recs.startswith("Recommendations | Recommendation 10: By 31 March 2025, chief constables")
    assert "consistent approach Recommendation 12: By 31 July 2025" in recs
    assert "<u>" not in recs and "</u>" not in recs
    # the row that carries on the cell above keeps its empty first cell
    assert any(r.startswith("| Recommendation 17: By 31 March 2025") for r in rows)


@pytest.mark.parametrize("name", list(SEEDS))
def test_every_seed_meets_the_conventions(seeds, name):
    document = seeds[name]
    text = document.text
    assert document.media_type == "text" and document.pages == (Page(1, 0, len(text)),)
    assert "\n\n\n" not in text and not text.startswith("\n") and not text.endswith("\n")
    assert all(r == r.strip() and "  " not in r for r in lines(text))
    for bad in ("\t", "\u2019", "\u201c", "\u00a0", "\u00ad", "\u2022", "<p>", "&amp;"):
        assert bad not in text
    assert normalise_text(text) == text


# --- normalise_text ---------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("e\ufb03cient \ufb01le \ufb02ow o\ufb00er ba\ufb04e", "efficient file flow offer baffle"),
    ("the force\u2019s \u2018view\u2019 and \u201cquote\u201d", "the force's 'view' and \"quote\""),
    ("non\u00a0breaking\u2009thin\u202fspaces   and  runs", "non breaking thin spaces and runs"),
    ("soft\u00adhyphen", "softhyphen"),
    ("AT&amp;T &lt;b&gt; &#163;5 &pound;6 &nbsp;x", "AT&T £5 £6 x"),
    ("<p>One</p> <p>two</p><br><u>three</u>", "One two three"),
    ("  padded line  ", "padded line"),
])
def test_characters_and_markup(raw, expected):
    assert normalise_text(raw) == expected


@pytest.mark.parametrize("raw", ["\u2022 item", "\u25aa item", "\uf0b7 item", "\u25e6 item", "\u2013 item", "* item",
                                 "\u2022item", "\u2022\titem", "\u2022\nitem", "- item"])
def test_bullets_become_dash_items(raw):
    assert normalise_text(raw) == "- item"


def test_checkboxes_and_dashes_inside_lines_stay():
    assert normalise_text("Type:\t\u2610 National\u2610 Thematic") == "Type: | \u2610 National\u2610 Thematic"
    assert normalise_text("Annex A \u2013 Update") == "Annex A \u2013 Update"


@pytest.mark.parametrize("raw, expected", [
    ("the recom-\nmendation is met", "the recommendation is met"),
    ("non-\ncrime hate incidents", "non-crime hate incidents"),
    ("hate-related incidents. Also hate-\nrelated crime", "hate-related incidents. Also hate-related crime"),
    ("the Anglo-\nSaxon period", "the Anglo-Saxon period"),
    ("budget for 2023-\n24 is set", "budget for 2023-24 is set"),
    ("the force will review its policy\nand report back", "the force will review its policy and report back"),
    ("The force reviewed it.\nand then", "The force reviewed it.\nand then"),
    ("Address line\nLondon", "Address line\nLondon"),
    ("we will do this\n- first\n- second", "we will do this\n- first\n- second"),
    ("as set out in\nRecommendation 9 below", "as set out in\nRecommendation 9 below"),
    ("one paragraph\n\n\n\nnext paragraph", "one paragraph\n\nnext paragraph"),
])
def test_line_joining_is_conservative(raw, expected):
    assert normalise_text(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("### **Recommendation 9**", "Recommendation 9"),
    ("# Title #", "Title"),
    ("## Background\nthe force said", "Background\n\nthe force said"),
    ("see [the report](https://example.org/r.pdf) now", "see the report now"),
    ("**bold**, *italic*, _under_ and __strong__", "bold, italic, under and strong"),
    ("*A whole italic paragraph, with a 'quote'.*", "A whole italic paragraph, with a 'quote'."),
    ("snake_case_name and 2 * 3 * 4 and file_", "snake_case_name and 2 * 3 * 4 and file_"),
    ("| a | b |\n|---|:-:|\n| c | d |", "a | b\nc | d"),
    ("text\n\n---\n\nmore", "text\n\nmore"),
])
def test_markdown(raw, expected):
    assert normalise_text(raw) == expected


def test_markdown_file_soft_wraps_join_but_text_file_lines_stay():
    raw = b"# Title\n\nThe force will\nReview the `policy`.\n\n- item one\n  continues\n- item two\n"
    assert ingest(source("a.md", raw)).text == "Title\n\nThe force will Review the policy.\n\n- item one continues\n- item two"
    assert ingest(source("a.txt", raw)).text == "Title\n\nThe force will\nReview the policy.\n\n- item one continues\n- item two"


def test_tab_cells_become_pipe_rows():
    raw = "Recommendation\tForce position\n<p>Rec 9 text</p>\t<p>First.</p> <p>Second.</p>\n\tcarried on\t\nLabel\t\t"
    assert normalise_text(raw) == "Recommendation | Force position\nRec 9 text | First. Second.\n| carried on\nLabel"


def test_repeated_table_header_after_a_break_is_merged_but_other_tables_are_not():
    raw = "H1 | H2\na | b\n\nH1 | H2\nc | d\n\nX | Y\ne | f"
    assert normalise_text(raw) == "H1 | H2\na | b\nc | d\n\nX | Y\ne | f"


_TOKENS = ["<p>", "</p>", "<u>", "<br>", "**", "*", "_", "\t", "\n", "\n\n", " ", "-", "- ", "\u2022", "\uf0b7", "\u2013",
           "\ufb01", "&amp;", "&lt;", "p&gt;", "Recommendation 9", "| ", " | ", "|", "#", "### ", "[a](b)", "[", "](",
           ")", "\u00ad", "\u00a0", "\u2019", "recom-", "non-", "mendation", "Saxon", "word", ".", ";", "e", "\u0301",
           "(a)", "1.", "---", "\r", "\x0c", "\u2610"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)))
def test_normalise_never_raises_and_is_idempotent(raw):
    once = normalise_text(raw)
    assert normalise_text(once) == once
    assert "\n\n\n" not in once and "\t" not in once


# --- decoding ---------------------------------------------------------------------------

def test_windows_1252_with_curly_quotes_and_pound():
    data = "The force\u2019s \u201cnew\u201d budget is \u00a3500 \u2013 agreed.".encode("cp1252")
    assert decode_text(data) == "The force\u2019s \u201cnew\u201d budget is \u00a3500 \u2013 agreed."
    assert ingest(source("a.txt", data)).text == "The force's \"new\" budget is \u00a3500 \u2013 agreed."


def test_latin_1():
    text = "Caf\u00e9 costs \u00a35 \u00bd price."
    assert ingest(source("a.txt", text.encode("latin-1"))).text == text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-8-sig", "utf-8"])
def test_unicode_encodings(codec):
    text = "Gwent \u2013 Cwmbr\u00e2n \u00a35 \u2018ok\u2019"
    data = {"utf-16-le-bom": b"\xff\xfe" + text.encode("utf-16-le"),
            "utf-16-be-bom": b"\xfe\xff" + text.encode("utf-16-be")}.get(codec) or text.encode(codec)
    assert ingest(source("a.md", data)).text == "Gwent \u2013 Cwmbr\u00e2n \u00a35 'ok'"


# --- HTML -------------------------------------------------------------------------------

HTML = b"""<!DOCTYPE html><html><head><meta charset="windows-1252"><title>Page title</title>
<style>p { color: red }</style><script>var x = "<p>not text</p>";</script></head>
<body><header>Site header</header><nav><a href="/">Home</a> | <a href="/a">About</a></nav>
<h1>Response to the inspection</h1>
<p>The force\x92s view &amp; more&nbsp;text.</p>
<ul><li>First <b>item</b></li><li>Second<ul><li>Nested</li></ul></li></ul>
<table><thead><tr><th>Recommendation</th><th>Force position</th></tr></thead>
<tbody><tr><td><p>Recommendation 9 Within six months</p><p>of the College.</p></td>
<td><p>The force will review.</p> <p>Done.</p></td></tr>
<tr><td></td><td>Carried on</td></tr></tbody></table>
<footer>Footer text</footer></body></html>"""


def test_html_blocks_lists_and_table_rows():
    document = ingest(source("page.html", HTML))
    assert document.media_type == "html" and len(document.pages) == 1
    assert document.text == (
        "Page title\n\n"  # the page's <title> first, for identify
        "Response to the inspection\n\n"
        "The force's view & more text.\n\n"
        "- First item\n- Second\n- Nested\n\n"
        "Recommendation | Force position\n"
        "Recommendation 9 Within six months of the College. | The force will review. Done.\n"
        "| Carried on"
    )


def test_html_cells_spanning_rows_are_read_in_every_row_they_span():
    """Newcomer report s8, item 3, on a web page: an answer and status shared by two items (rowspan) are both items';
    a first cell spanning rows stays empty below its first row (the row carries on the item above); colspan pads
    nothing, and a table after it starts with no span left over."""
    page = (b"<table><tr><th>No.</th><th>Force response</th><th>Status</th></tr>"
            b"<tr><td colspan='3'>Recommendations for chief constables</td></tr>"
            b"<tr><td>13</td><td rowspan='2'>An audit was completed in December.</td><td rowspan='2'>Complete</td></tr>"
            b"<tr><td>16</td></tr>"
            b"<tr><td rowspan='2'>17</td><td>The system was changed in January.</td><td>Complete</td></tr>"
            b"<tr><td>It is checked every month.</td><td>Ongoing</td></tr>"
            b"<tr><td>18</td><td rowspan='5'>Not accepted.</td></tr></table>"
            b"<table><tr><td>A</td><td>B</td></tr></table>")
    assert ingest(source("a.html", page)).text.split("\n") == [
        "No. | Force response | Status",
        "Recommendations for chief constables",
        "13 | An audit was completed in December. | Complete",
        "16 | An audit was completed in December. | Complete",
        "17 | The system was changed in January. | Complete",
        "| It is checked every month. | Ongoing",
        "18 | Not accepted.",
        "",
        "A | B",
    ]


def test_html_nested_tables_stay_in_their_cell_and_items_keep_their_order():
    page = (b"<ol><li>Two<table><tr><td>A</td><td>B</td></tr></table></li></ol>"
            b"<table><tr><td>Outer<table><tr><td>in1</td><td>in2</td></tr></table></td><td>Right</td></tr></table>"
            + b"<div>" * 5000 + b"deep" + b"</div>" * 5000)
    assert ingest(source("a.html", page)).text == "- Two\n\nA | B\n\nOuter in1 in2 | Right\n\ndeep"


def test_htm_suffix_and_empty_page():
    assert ingest(source("a.htm", b"<p>Hi</p>")).text == "Hi"
    with pytest.raises(PipelineError) as err:
        ingest(source("a.html", b"<html><script>x()</script></html>"))
    assert err.value.code == "E106"


# --- bad inputs ---------------------------------------------------------------------------

def code_of(src: SourceFile, **kwargs) -> str:
    with pytest.raises(PipelineError) as err:
        ingest(src, **kwargs)
    return err.value.code


def test_empty_and_unsupported_files():
    assert code_of(source("a.txt", b"")) == "E101"
    assert code_of(source("a.docx", b"PK\x03\x04")) == "E117"  # a Word file that is no zip
    assert code_of(source("README", bytes(range(256)) * 4)) == "E102"  # no suffix and not text: nothing to go by
    assert code_of(source("a.xyz", b"text")) == "E102"  # a suffix no reader takes
    assert ingest(source("README", b"text")).text == "text"  # no suffix, bytes that are text: read as text


def test_random_bytes_are_not_text():
    assert code_of(source("a.txt", random.Random(0).randbytes(4096))) == "E106"
    assert code_of(source("a.txt", b"\x00" * 100)) == "E106"
    assert code_of(source("a.txt", b"  \n\t\n ")) == "E106"


def test_not_a_pdf_and_damaged_pdfs(tmp_path):
    assert code_of(source("a.pdf", bytes(range(256)) * 4)) == "E103"  # (text named .pdf is read as text: test_ingest_faults)
    assert code_of(source("a.pdf", b"%PDF-1.4\n" + random.Random(1).randbytes(3000) + b"\n%%EOF\n")) == "E103"
    assert code_of(io.read_source(write_truncated_pdf(tmp_path / "cut.pdf"))) == "E103"


def test_damaged_pdfs_never_leak_a_traceback(tmp_path):
    data = render_seed_pdf("Heading\n\nA | B\nC | D\n\n" + "Some prose. " * 200, tmp_path / "ok.pdf").read_bytes()
    rng = random.Random(3)
    for _ in range(40):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 40)):
            damaged[rng.randrange(20, len(data) - 10)] = rng.randrange(256)
        try:
            ingest(source("d.pdf", bytes(damaged)))
        except PipelineError as err:
            assert err.code in ("E103", "E105")


def test_encrypted_pdf(tmp_path):
    assert code_of(io.read_source(write_encrypted_pdf(tmp_path / "locked.pdf"))) == "E104"


def test_image_only_pdf_needs_ocr(tmp_path):
    src = io.read_source(write_image_only_pdf(tmp_path / "scan.pdf", pages=2))
    with pytest.raises(PipelineError) as err:
        ingest(src)
    assert err.value.code == "E105" and "OCR" in err.value.message


def test_too_many_pages(tmp_path):
    path = render_text_pdf("\n".join(f"Paragraph {i}. " + "Words of text. " * 60 for i in range(30)), tmp_path / "long.pdf")
    assert len(ingest_file(path).pages) >= 3
    with pytest.raises(PipelineError) as err:
        ingest_file(path, max_pages=2)
    assert err.value.code == "E107" and "over the limit of 2" in err.value.message


# --- PDF --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Gwent", "Suffolk", "Cleveland", "Staffordshire"])
def test_seed_rendered_as_pdf_reads_back_the_same(seeds, name, tmp_path):
    """Ingesting the seed drawn as a PDF (ruled tables, wrapped cells, pages) gives the seed's lines back.

    Equal line for line, modulo blank lines: the PDF draws every line as its
    own paragraph, so units that the text file kept on adjacent lines (an
    address, a list) come back separated by a blank line, and pages add one.
    A character the fixture font cannot draw (Cleveland's ballot boxes, where
    DejaVu Sans is not installed and reportlab's Vera stands in) cannot come
    back, so it is left out of the comparison.
    """
    expected = seeds[name].text
    path = render_seed_pdf(expected, tmp_path / f"{name}.pdf")
    document = ingest_file(path)
    assert document.media_type == "pdf" and len(document.pages) > 1
    drawable = pdfmetrics.getFont(font_name()).face.charToGlyph
    missing = {ch for ch in expected if ord(ch) not in drawable and not ch.isspace()}
    if missing:
        expected = normalise_text(expected.translate(dict.fromkeys(map(ord, missing), " ")))
    assert [r for r in lines(document.text) if r] == [r for r in lines(expected) if r]


def test_gwent_pdf_table_spans_pages_with_repeated_header(seeds, tmp_path):
    path = render_seed_pdf(seeds["Gwent"].text, tmp_path / "gwent.pdf")
    raw = extract_text(str(path))
    assert raw.count("Force position") >= 2  # the PDF repeats the header on each page of the table
    document = ingest_file(path)
    assert lines(document.text).count("Recommendation | Force position") == 1
    [row] = [r for r in lines(document.text) if r.startswith("Recommendation 12 ")]
    assert row.endswith("| Currently, EIAs are written by the policy owner and reviewed by the Strategic Equality and "
                        "Diversity Manager. Going forward, the Equality and Diversity Manager is looking to reintroduce "
                        "monthly EIA advice surgeries which would allow policy owners who need to complete an EIA, to "
                        "bring their draft EIA along for advice from the EDI team. The Equality and Diversity Manager "
                        "will then review the product at final stage. The Equality and Diversity Manager will work with "
                        "Learning and Development to understand and progress the training requirements.")


def test_pdf_pages_and_offsets(tmp_path):
    text = "\n".join(f"Paragraph {i:02d} says: " + ("the force will act on this. " * 25).strip() for i in range(24))
    path = render_text_pdf(text, tmp_path / "pages.pdf")
    document = ingest_file(path)
    pages = document.pages
    assert [p.number for p in pages] == list(range(1, len(pages) + 1)) and len(pages) >= 3
    assert pages[0].start == 0 and pages[-1].end == len(document.text)
    for before, after in zip(pages, pages[1:]):
        assert document.text[before.end:after.start] == "\n\n"
    for number in (1, 2):
        first = re.search(r"Paragraph \d\d", extract_text(str(path), page_numbers=[number])).group()
        offset = document.text.index(first)
        assert pages[number].start <= offset < pages[number].end
        assert document.page_at(offset) == number + 1
    assert [r for r in lines(document.text) if r] == lines(text)


def test_pdf_blank_page_gets_an_empty_span(tmp_path):
    path = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for text in ("First page text.", "", "Third page text."):
        c.setFont(font_name(), 10)
        if text:
            c.drawString(72, 760, text)
        c.showPage()
    c.save()
    document = ingest_file(path)
    assert document.text == "First page text.\n\nThird page text."
    assert [(p.start, p.end) for p in document.pages] == [(0, 16), (16, 16), (18, 34)]
    assert document.page_at(document.text.index("Third")) == 3


def draw_pdf(path, items, font_size=10):
    """A one-page PDF with strings at given positions: ``items`` are (x, y, text) in points from the bottom left."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(font_name(), font_size)
    for x, y, text in items:
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    return path


def test_pdf_wrapped_lines_join_and_hyphenation_mends(tmp_path):
    path = draw_pdf(tmp_path / "wrap.pdf", [
        (72, 780, "Response heading"),
        (72, 768, "The force will review the whole policy and its recom-"),
        (72, 756, "mendation on non-crime hate incidents, as well as its non-"),
        (72, 744, "crime hate incident guidance, and will report to the Board"),
        (72, 732, "in March 2025."),
        (72, 720, "A short line."),
        (72, 708, "Another short line."),
    ] + [(72, 690, "This line is long enough to reach the right-hand side of the page margin here.")])
    text = ingest_file(path).text
    assert lines(text)[:2] == [
        "Response heading",
        "The force will review the whole policy and its recommendation on non-crime hate incidents, as well as its "
        "non-crime hate incident guidance, and will report to the Board in March 2025.",
    ]
    assert "A short line.\nAnother short line." in text


def test_pdf_side_by_side_boxes_are_a_row_and_loose_bullets_attach(tmp_path):
    path = draw_pdf(tmp_path / "form.pdf", [
        (72, 780, "Force"), (250, 780, "Staffordshire"),
        (72, 750, "Chief Constable"), (250, 750, "Chris Noble"),
        (72, 710, "\u2022"), (90, 710, "First point"),
        (72, 690, "\u2022"), (90, 690, "Second point"),
    ])
    rows = [r for r in lines(ingest_file(path).text) if r]
    assert rows == ["Force | Staffordshire", "Chief Constable | Chris Noble", "- First point", "- Second point"]


def test_pdf_ruled_table_with_an_empty_first_cell_and_three_columns(tmp_path):
    text = "Intro.\n\nNo. | Recommendation | Status\n1 | Update the policy | Done\n| carried on from above | Ongoing"
    path = render_seed_pdf(text, tmp_path / "three.pdf")
    assert ingest_file(path).text == ("Intro.\n\nNo. | Recommendation | Status\n1 | Update the policy | Done\n"
                                      "| carried on from above | Ongoing")


def test_pdf_cells_too_close_for_pdfminer_are_split_at_the_ruling(tmp_path):
    """With no cell padding pdfminer reads "Chief Constable Chris Noble" as one line; the ruling between splits it."""
    path = tmp_path / "tight.pdf"
    table = Table([["Force", "Staffordshire"], ["Chief Constable", "Chris Noble"]], colWidths=[80, 120])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), font_name()),
                               ("LEFTPADDING", (0, 0), (-1, -1), 1), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    SimpleDocTemplate(str(path), pagesize=A4).build([table])
    assert "Chief Constable Chris Noble" in extract_text(str(path))
    assert ingest_file(path).text == "Force | Staffordshire\nChief Constable | Chris Noble"


@pytest.mark.parametrize("valign", ["TOP", "MIDDLE"])
def test_pdf_ruled_table_cells_merged_over_rows_are_read_in_every_row(tmp_path, valign):
    """Newcomer report s8, item 3, in a PDF: a cell no ruling divides from the one below answers both rows; a merged
    first cell stays in its first row wherever it is drawn (centred on two rows), the row below carrying on its item."""
    cell = ParagraphStyle("cell", fontName=font_name(), fontSize=10, leading=12)
    rows = [["No.", "Force response", "Status"], ["Recommendations for chief constables", "", ""],
            ["13", Paragraph("An audit of every policy was completed in December.", cell), "Complete"], ["16", "", ""],
            ["17", Paragraph("The recording system was changed in January.", cell), "Complete"],
            ["", Paragraph("It is checked every month.", cell), "Ongoing"]]
    table = Table(rows, colWidths=[60, 300, 80])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), font_name()),
                               ("SPAN", (0, 1), (2, 1)), ("SPAN", (1, 2), (1, 3)), ("SPAN", (2, 2), (2, 3)),
                               ("SPAN", (0, 4), (0, 5)), ("VALIGN", (0, 0), (-1, -1), valign)]))
    path = tmp_path / "merged.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([table])
    assert lines(ingest_file(path).text) == [
        "No. | Force response | Status",
        "Recommendations for chief constables",
        "13 | An audit of every policy was completed in December. | Complete",
        "16 | An audit of every policy was completed in December. | Complete",
        "17 | The recording system was changed in January. | Complete",
        "| It is checked every month. | Ongoing",
    ]


def test_pdf_paragraphs_with_first_line_or_hanging_indent_stay_whole(tmp_path):
    body = ParagraphStyle("b", fontName=font_name(), fontSize=10, leading=12, spaceAfter=8)
    prose = ("The force has reviewed its policy on non-crime hate incidents and will publish the revised version "
             "to all officers and staff in the spring, with training to follow for supervisors.")
    path = tmp_path / "indent.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([
        Paragraph(prose + " " + prose, ParagraphStyle("i", parent=body, firstLineIndent=24)),
        Paragraph(prose, ParagraphStyle("h", parent=body, leftIndent=18, bulletFontName=font_name()), bulletText="\u2022"),
    ])
    assert lines(ingest_file(path).text) == [prose + " " + prose, "", "- " + prose]


# --- running headers and footers ----------------------------------------------------

def _pages(bodies, header=None, footer=None):
    return [("\n\n".join(filter(None, [header, body, footer.format(page=n) if footer else None])))
            for n, body in enumerate(bodies, start=1)]


BODIES = ["Recommendation 9\n\nThe force has done this.", "Recommendation 10\n\nWork is under way.",
          "Recommendation 11\n\nThe force will do this.", "Recommendation 12\n\nNot accepted."]


@pytest.mark.parametrize("footer", ["{page}", "Page {page} of 4", "- {page} -", "{page}/4", "Tudalen {page} o 4"])
def test_running_marking_and_page_numbers_are_dropped(footer):
    assert drop_running_lines(_pages(BODIES, "OFFICIAL", footer)) == BODIES


def test_headings_that_open_every_page_are_not_running_lines():
    """Consecutive recommendations, one a page, open each page with a rising number: they are text."""
    assert drop_running_lines(BODIES) == BODIES


def test_page_numbers_must_rise_by_one_a_page():
    bodies = ["A.", "B.", "C.", "D."]
    assert drop_running_lines([f"{b}\n\n{n}" for b, n in zip(bodies, (3, 7, 12, 20))]) == [
        f"{b}\n\n{n}" for b, n in zip(bodies, (3, 7, 12, 20))]


def test_short_documents_and_rows_keep_their_lines():
    assert drop_running_lines(_pages(BODIES[:2], "OFFICIAL", "{page}")) == _pages(BODIES[:2], "OFFICIAL", "{page}")
    rows = _pages(BODIES, "Recommendation | Force position")
    assert drop_running_lines(rows) == rows  # a repeated table header is ingest's other rule, not a running line


def test_a_marking_on_most_pages_goes_where_it_stands_only():
    pages = _pages(BODIES, "OFFICIAL")
    pages[0] = "Gwent Police\n\n" + pages[0]  # a letterhead above the marking on the first page
    pages[2] = pages[2] + "\n\nOFFICIAL"  # the marking at the foot of one page: once, so not a footer
    assert drop_running_lines(pages) == ["Gwent Police\n\nOFFICIAL\n\n" + BODIES[0], BODIES[1],
                                         BODIES[2] + "\n\nOFFICIAL", BODIES[3]]


def test_a_text_over_the_character_cap_is_refused_with_its_length():
    data = ("Words of a response. " * 100).encode()
    source = SourceFile(path="long.txt", sha256="0" * 64, data=data)
    assert len(ingest(source, max_characters=len(data)).text) <= len(data)
    with pytest.raises(PipelineError) as caught:
        ingest(source, max_characters=1_000)
    assert caught.value.code == "E129" and "over the limit of 1,000" in caught.value.message
