"""Web pages as a person reads them: the seeds wrapped in PCC-site chrome score the same cells as their text versions.

Pages from :mod:`tests.html_fixtures`: a WordPress page, a ModernGov
committee item page (mgAi.aspx), a gov.uk-style page and a page saved from a
browser with its scripts (plain ``<div>``s). The cookie notice, navigation,
breadcrumbs, "latest news" and "related documents" items and footers must
never reach the text, let alone become a passage.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import main
from pipeline.ingest import ingest
from pipeline.types import SourceFile
from tests.conftest import SEEDS
from tests.html_fixtures import COOKIE_NOTICE, NEWS_ITEM, RELATED, SHAPES, wrap_seed_html

TITLE = "Response to An inspection into activism and impartiality in policing"
#: Words of the chrome.
CHROME = (COOKIE_NOTICE[:30], NEWS_ITEM[:30], RELATED[:30], "Skip to", "Accept", "Privacy", "About", "Calendar",
          "Latest news", "Related content", "Related documents", "Supporting documents", "Services",
          "Open Government Licence", "Have your say")
NAMES = ("Gwent", "Suffolk")  # a response table, and headed sections


def _page(name: str, shape: str) -> bytes:
    return wrap_seed_html(ingest(io.read_source(SEEDS[name])).text, shape, TITLE)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", NAMES)
def test_chrome_never_reaches_the_text_and_the_content_all_does(name, shape):
    seed = ingest(io.read_source(SEEDS[name])).text
    data = _page(name, shape)
    document = ingest(SourceFile(f"{name}.html", data, io.sha256_bytes(data)))
    for words in CHROME:
        if words not in seed:  # ("Accept", "Services": words a response may use itself)
            assert words not in document.text, words
    lines = document.text.split("\n")
    assert [line for line in seed.split("\n") if line.strip() and line not in lines] == []
    assert TITLE in document.text.split("\n\n")[0]  # the page's name first, for identify


def _cells(folder: Path, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    assert main(["score", str(folder), "--out", str(out), "--no-cache", "--as-of", "2026-01-01"]) == 0
    card = pd.read_csv(out / "scorecard.csv", dtype={"recommendation": str})
    card = card[["force", "recommendation", "status", "basis"]].sort_values(["force", "recommendation"]).reset_index(drop=True)
    return card, pd.read_csv(out / "passages.csv")


@pytest.fixture(scope="module")
def text_cells(tmp_path_factory):
    folder = tmp_path_factory.mktemp("text")
    for name in NAMES:
        shutil.copy(SEEDS[name], folder)
    return _cells(folder, tmp_path_factory.mktemp("text-out"))[0]


@pytest.mark.parametrize("shape", SHAPES)
def test_seeds_as_web_pages_score_the_same_cells_as_their_text(shape, text_cells, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in NAMES:
        (folder / f"{name}.html").write_bytes(_page(name, shape))
    cells, passages = _cells(folder, tmp_path / "out")
    pd.testing.assert_frame_equal(cells, text_cells)
    assert len(cells) == 18
    for words in (COOKIE_NOTICE[:30], NEWS_ITEM[:30], RELATED[:30]):
        assert not passages["text"].str.contains(words, regex=False).any()


def test_a_page_opening_with_an_xml_declaration_is_read_without_a_warning(tmp_path, capsys):
    """A page that opens with an XML declaration is read like any page, with no bs4 warning on stderr."""
    import warnings

    from pipeline.ingest import ingest
    from pipeline.types import SourceFile

    # a CMS export: an XML declaration, then the page's body parts with no <html> element around them
    page = (b'<?xml version="1.0" encoding="utf-8"?>\n<page><title>Response to the inspection</title>'
            b"<p>Recommendation 1: the force has updated its guidance.</p></page>")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        document = ingest(SourceFile(path="page.html", data=page, sha256="0" * 64))
    assert "the force has updated its guidance" in document.text


@pytest.mark.parametrize("page", [b"index.html", b"https://www.example.police.uk/response"])
def test_a_page_whose_whole_text_looks_like_a_file_name_or_url_is_read_without_a_warning(page):
    """bs4 warns when its markup looks like a path or URL; ingest always passes a file's own bytes, so it never is."""
    import warnings

    from pipeline.ingest import ingest
    from pipeline.types import SourceFile

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        document = ingest(SourceFile(path="page.html", data=page, sha256="0" * 64))
    assert page.decode() in document.text
