"""Collect: a real HTTP site on loopback, the real requests client, and the collected folder scored.

The site (http.server in threads, on 127.0.0.1, and a second host on
127.0.0.2 for off-site links and redirects) serves an index page with relative
and absolute links, a robots.txt that forbids a folder, the Gwent seed as
text, the Suffolk seed drawn as a PDF, a Word document built by hand, an HTML
response, a 404, a slow page, redirects on and off the host, a 429 before a
200, an oversized file and an HTML error page served as a PDF. Every request
is recorded, so the tests check what was (and was not) asked for. Nothing
leaves loopback: the one DNS failure is a name under ``.invalid`` whose lookup
this test answers itself.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
import zipfile
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest

from pipeline import io
from pipeline.cli import main
from pipeline.collect import (
    SOURCES_COLUMNS,
    Fetcher,
    Seed,
    SourceRow,
    Store,
    collect,
    extract_links,
    format_sources,
    load_settings,
    new_session,
    normalise_url,
    parse_seed_list,
    parse_sources,
    retry_after_seconds,
    sniff,
    url_index,
)
from pipeline.errors import PipelineError
from pipeline.ingest import ingest
from tests.conftest import CONFIG, ROOT, SEEDS
from tests.pdf_fixtures import render_seed_pdf

LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


def minimal_docx(text: str) -> bytes:
    """The smallest valid Word document (ECMA-376): content types, the package relationship, one paragraph."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                   '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
                   'document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    return buffer.getvalue()


class Site:
    """What the test server serves, and every request it received (path, headers, status answered)."""

    def __init__(self) -> None:
        self.resources: dict[str, dict] = {}
        self.log: list[dict] = []
        self.hits: dict[str, int] = {}
        self.completed: set[str] = set()  # streamed bodies the client read to their end
        self.lock = threading.Lock()

    def add(self, path: str, body: bytes, content_type: str, *, etag: bool = True, last_modified: bool = True) -> None:
        self.resources[path] = {"body": body, "type": content_type, "etag": etag, "last_modified": last_modified}

    def requests_for(self, path: str) -> list[dict]:
        return [r for r in self.log if r["path"] == path]

    def paths(self) -> set[str]:
        return {r["path"] for r in self.log}


def _handler(site: Site, special: dict):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes = b"", headers: dict | None = None, length: bool = True) -> None:
            with site.lock:
                site.log.append({"path": self.path, "headers": dict(self.headers), "status": status})
            try:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (time-out, size cap): that is the point

        def do_GET(self) -> None:
            with site.lock:
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                hit = site.hits[self.path]
            if self.path in special:
                return special[self.path](self, hit)
            resource = site.resources.get(self.path)
            if resource is None:
                return self._send(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})
            body = resource["body"]
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            headers = {"Content-Type": resource["type"]}
            if resource["etag"]:
                headers["ETag"] = etag
            if resource["last_modified"]:
                headers["Last-Modified"] = LAST_MODIFIED
            if resource["etag"] and self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", headers, length=False)
            if not resource["etag"] and resource["last_modified"] and self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                return self._send(304, b"", headers, length=False)
            self._send(200, body, headers)

    return Handler


def _serve(host: str, site: Site, special: dict) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, 0), _handler(site, special))
    server.daemon_threads = True
    server.block_on_close = False  # a slow handler still asleep must not hold the test up
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _slow(handler, hit) -> None:
    time.sleep(2.5)
    handler._send(200, b"%PDF-1.4 too late", {"Content-Type": "application/pdf"})


def _stream(handler, content_type: str, chunks, pause: float = 0.0) -> None:
    """A 200 with no Content-Length, its body written chunk by chunk (flushed and ``pause`` s apart when
    ``pause``); the path counts as completed only if every chunk was written (the client read it all)."""
    with handler.server.site.lock:
        handler.server.site.log.append({"path": handler.path, "headers": dict(handler.headers), "status": 200})
    try:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.end_headers()
        for chunk in chunks:
            handler.wfile.write(chunk)
            if pause:
                handler.wfile.flush()
                time.sleep(pause)
        handler.server.site.completed.add(handler.path)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _trickle(handler, hit) -> None:
    """Headers at once, then a byte every 0.1 s: each read is quick, the whole is not."""
    _stream(handler, "text/plain", [b"x"] * 40, pause=0.1)


def _huge(handler, hit) -> None:
    """A PDF of 30 MB with no Content-Length: only reading tells its size (more than socket buffers hold, so
    the server can tell whether the client read it all)."""
    _stream(handler, "application/pdf", [b"%PDF-1.4\n", *[b"0" * 65536] * 480])


def _busy(handler, hit) -> None:
    if hit == 1:
        return handler._send(429, b"slow down", {"Content-Type": "text/plain", "Retry-After": "0"})
    body = SEEDS["Staffordshire"].read_bytes()
    handler._send(200, body, {"Content-Type": "text/plain; charset=utf-8", "ETag": '"busy-v1"'})


@pytest.fixture(scope="module")
def pdf_bytes(tmp_path_factory):
    """The Suffolk seed response drawn as a real PDF (tables as ruled tables)."""
    text = ingest(io.read_source(SEEDS["Suffolk"])).text
    return render_seed_pdf(text, tmp_path_factory.mktemp("pdf") / "suffolk.pdf").read_bytes()


@pytest.fixture()
def site(pdf_bytes):
    """Two loopback hosts: the PCC site on 127.0.0.1 and an 'elsewhere' host on 127.0.0.2."""
    main_site, other = Site(), Site()
    other_server = _serve("127.0.0.2", other, {})
    other_base = f"http://127.0.0.2:{other_server.server_address[1]}"
    other.add("/elsewhere.pdf", b"%PDF-1.4 elsewhere", "application/pdf")

    redirects = {
        "/moved.txt": lambda h, hit: h._send(301, b"", {"Location": "/docs/cleveland.txt"}),
        "/away.pdf": lambda h, hit: h._send(302, b"", {"Location": f"{other_base}/elsewhere.pdf"}),
        "/slow.pdf": _slow, "/trickle.txt": _trickle, "/huge.pdf": _huge, "/busy.txt": _busy,
    }
    server = _serve("127.0.0.1", main_site, redirects)
    server.site = main_site
    base = f"http://127.0.0.1:{server.server_address[1]}"
    index = f"""<!DOCTYPE html><html><head><title>HMICFRS inspection responses</title></head><body>
<header><a href="/">Home</a> <a href="/news/">News</a></header>
<nav><a href="/about/">About the Commissioner</a></nav>
<main><h1>Responses to HMICFRS inspections</h1><ul>
<li><a href="gwent-response.txt">Response to the activism and impartiality inspection (text)</a></li>
<li><a href="{base}/docs/suffolk.pdf">Response (PDF)</a></li>
<li><a href="/docs/form.docx#section-2">Response form (Word)</a></li>
<li><a href="/pages/statement.html">Statement (web page)</a></li>
<li><a href="/private/draft.pdf">Draft</a></li>
<li><a href="{other_base}/elsewhere.pdf">HMICFRS report</a></li>
<li><a href="/missing.pdf">Old response</a></li>
<li><a href="/slow.pdf">Slow response</a></li>
<li><a href="/trickle.txt">Trickling response</a></li>
<li><a href="/moved.txt">Moved response</a></li>
<li><a href="/away.pdf">Response hosted elsewhere</a></li>
<li><a href="/busy.txt">Busy response</a></li>
<li><a href="/huge.pdf">Very large response</a></li>
<li><a href="/fake.pdf">Response behind a sign-in page</a></li>
<li><a href="/logo.png">Logo</a></li>
<li><a href="mailto:office@pcc.example">Email us</a> <a href="tel:+441234567890">Call</a>
    <a href="javascript:void(0)">Menu</a> <a href="#top">Top</a></li>
<li><a href="/contact-us">Contact us</a> <a href="/cookie-policy">Cookies</a> <a href="/a11y">Accessibility</a></li>
</ul></main><footer><a href="/privacy-notice">Privacy</a></footer></body></html>"""
    main_site.add("/responses/", index.encode(), "text/html; charset=utf-8", etag=False, last_modified=False)
    main_site.add("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain", etag=False, last_modified=False)
    main_site.add("/responses/gwent-response.txt", SEEDS["Gwent"].read_bytes(), "text/plain; charset=utf-8",
                  last_modified=False)
    main_site.add("/docs/suffolk.pdf", pdf_bytes, "application/pdf")
    main_site.add("/docs/form.docx", minimal_docx("Response form"),
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document", etag=False)
    main_site.add("/docs/cleveland.txt", SEEDS["Cleveland"].read_bytes(), "text/plain")
    main_site.add("/pages/statement.html", b"<!DOCTYPE html><html><body><p>The force has completed the review."
                  b'</p><a href="/deeper.pdf">More</a></body></html>', "text/html")
    main_site.add("/private/draft.pdf", b"%PDF-1.4 draft", "application/pdf")
    main_site.add("/fake.pdf", b"<!DOCTYPE html><html><body>Please sign in</body></html>", "application/pdf")
    main_site.add("/deeper.pdf", b"%PDF-1.4 deeper", "application/pdf")
    yield {"site": main_site, "other": other, "base": base, "other_base": other_base, "index": f"{base}/responses/",
           "routes": redirects}
    for s in (server, other_server):
        s.shutdown()
        s.server_close()


FAST = ["--delay", "0", "--timeout", "1", "--max-mb", "0.3", "--retries", "2"]


def run_collect(*args: str) -> int:
    return main(["collect", *args])


def sources(out: Path) -> pd.DataFrame:
    return io.read_csv(out / "sources.csv")


def by_url(frame: pd.DataFrame, base: str) -> dict[str, dict]:
    return {row["url"].removeprefix(base): row for row in frame.to_dict("records")}


# --- the whole run -----------------------------------------------------------------------------------------------

def test_collect_saves_the_responses_and_records_each_in_sources_csv(site, tmp_path, capsys):
    out = tmp_path / "collected"
    code = run_collect(site["index"], "--out", str(out), *FAST)
    captured = capsys.readouterr()
    assert code == 1  # some links failed; everything else collected

    frame = sources(out)
    assert list(frame.columns) == list(SOURCES_COLUMNS)
    rows = by_url(frame, site["base"])
    kept = {u: r for u, r in rows.items() if r["status"] == "new"}
    assert set(kept) == {"/responses/gwent-response.txt", "/docs/suffolk.pdf", "/docs/form.docx",
                         "/pages/statement.html", "/moved.txt", "/busy.txt"}
    served = {"/responses/gwent-response.txt": SEEDS["Gwent"], "/moved.txt": SEEDS["Cleveland"],
              "/busy.txt": SEEDS["Staffordshire"]}
    for url, seed in served.items():
        assert (out / kept[url]["file"]).read_bytes() == seed.read_bytes()
    # names come from the bytes: sha256 + the suffix of what the bytes are
    suffixes = {"/responses/gwent-response.txt": ".txt", "/docs/suffolk.pdf": ".pdf", "/docs/form.docx": ".docx",
                "/pages/statement.html": ".html"}
    for url, suffix in suffixes.items():
        data = (out / kept[url]["file"]).read_bytes()
        assert kept[url]["file"] == hashlib.sha256(data).hexdigest() + suffix == kept[url]["sha256"] + suffix
    assert kept["/docs/suffolk.pdf"]["etag"] and kept["/docs/suffolk.pdf"]["last_modified"] == LAST_MODIFIED
    assert kept["/docs/suffolk.pdf"]["content_type"] == "application/pdf"
    assert kept["/moved.txt"]["reason"] == f"redirected to {site['base']}/docs/cleveland.txt"
    assert sorted(p.name for p in out.iterdir()) == sorted([r["file"] for r in kept.values()] + ["sources.csv"])

    failed = {u: r["reason"].split()[0] for u, r in rows.items() if r["status"] == "failed"}
    assert failed == {"/missing.pdf": "E507", "/slow.pdf": "E506", "/trickle.txt": "E506", "/away.pdf": "E510",
                      "/huge.pdf": "E513", "/fake.pdf": "E514"}
    assert rows["/missing.pdf"]["reason"] == "E507 HTTP 404 Not Found"
    # the client hung up: it stopped reading at the cap and at the time limit, not at the end
    assert not site["site"].completed & {"/huge.pdf", "/trickle.txt"}
    # one line per failure on stderr, no traceback
    errors = captured.err.strip().splitlines()
    assert len(errors) == 6 and all(": E5" in line for line in errors) and "Traceback" not in captured.err

    asked = site["site"].paths()
    assert "/private/draft.pdf" not in asked  # robots.txt forbids /private/
    assert site["other"].log == []  # off-site link and off-host redirect: nothing asked of the other host
    assert not asked & {"/news/", "/about/", "/", "/contact-us", "/cookie-policy", "/a11y", "/privacy-notice",
                        "/logo.png", "/deeper.pdf"}
    assert not any(p.startswith("#") or "mailto" in p for p in asked)
    assert site["site"].requests_for("/docs/form.docx")[0]["path"] == "/docs/form.docx"  # fragment dropped
    assert [r["status"] for r in site["site"].requests_for("/busy.txt")] == [429, 200]
    assert all(r["headers"]["User-Agent"].startswith("inspection-scorecards/") for r in site["site"].log)
    assert "index " + site["index"] + ": 13 links followed" in captured.out


def test_second_run_asks_only_conditionally_and_downloads_nothing_unchanged(site, tmp_path):
    out = tmp_path / "collected"
    run_collect(site["index"], "--out", str(out), *FAST)
    files = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != "sources.csv"}
    first = by_url(sources(out), site["base"])
    log = site["site"].log
    log.clear()

    assert run_collect(site["index"], "--out", str(out), *FAST) == 1
    documents = ["/responses/gwent-response.txt", "/docs/suffolk.pdf", "/docs/form.docx", "/pages/statement.html",
                 "/docs/cleveland.txt"]
    for path in documents:
        (request,) = site["site"].requests_for(path)
        assert "If-None-Match" in request["headers"] or "If-Modified-Since" in request["headers"], path
        assert request["status"] == 304, path
    assert site["site"].requests_for("/docs/form.docx")[0]["headers"]["If-Modified-Since"] == LAST_MODIFIED
    # nothing written: the same files, untouched
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != "sources.csv"} == files
    second = by_url(sources(out), site["base"])
    for url in ("/responses/gwent-response.txt", "/docs/suffolk.pdf", "/docs/form.docx", "/pages/statement.html"):
        assert second[url]["status"] == "unchanged" and second[url]["reason"] == "304 not modified"
        assert second[url]["file"] == first[url]["file"] and second[url]["sha256"] == first[url]["sha256"]
    # a server without validators sends the bytes again: recognised as the same, nothing written
    assert second["/busy.txt"]["status"] == "unchanged"

    # the Gwent response changes: saved beside the old one, which keeps its row and file
    site["site"].resources["/responses/gwent-response.txt"]["body"] = SEEDS["Gwent"].read_bytes() + b"\nUpdated.\n"
    assert run_collect(site["index"], "--out", str(out), *FAST) == 1
    rows = sources(out)
    gwent = rows[rows["url"] == site["base"] + "/responses/gwent-response.txt"].to_dict("records")
    assert [r["status"] for r in gwent] == ["unchanged", "changed"]
    old, new = gwent
    assert old["file"] == first["/responses/gwent-response.txt"]["file"] and (out / old["file"]).exists()
    assert (out / new["file"]).read_bytes().endswith(b"Updated.\n") and new["reason"] == f"replaces {old['file']}"
    # failures are tried again each run and only this run's are listed
    assert (rows["status"] == "failed").sum() == 6


def test_allow_host_follows_a_redirect_to_another_host(site, tmp_path):
    out = tmp_path / "collected"
    run_collect(f"{site['base']}/away.pdf", "--out", str(out), *FAST, "--allow-host", "127.0.0.2")
    (row,) = sources(out).to_dict("records")
    assert row["status"] == "new" and row["reason"] == f"redirected to {site['other_base']}/elsewhere.pdf"
    assert (out / row["file"]).read_bytes() == b"%PDF-1.4 elsewhere"
    assert [r["path"] for r in site["other"].log] == ["/robots.txt", "/elsewhere.pdf"]


def test_depth_zero_keeps_an_html_page_given_and_follows_nothing(site, tmp_path):
    out = tmp_path / "collected"
    assert run_collect(site["index"], "--out", str(out), *FAST, "--depth", "0") == 0
    (row,) = sources(out).to_dict("records")
    assert row["file"].endswith(".html") and row["status"] == "new"
    assert site["site"].paths() == {"/robots.txt", "/responses/"}


def test_sources_list_names_index_pages_and_their_force(site, tmp_path):
    listed = tmp_path / "sites.csv"
    listed.write_text(f"force,url,note\nGwent Police,{site['index']},\n"
                      f"Suffolk Constabulary,{site['base']}/docs/suffolk.pdf,a PDF where an index page should be\n"
                      f"Nowhere,not a url,\n", encoding="utf-8")
    out = tmp_path / "collected"
    assert run_collect("--sources", str(listed), "--out", str(out), *FAST) == 1
    rows = sources(out)
    kept = rows[rows["status"] == "new"]
    assert set(kept["force"]) == {"Gwent Police"}  # every document reached from the Gwent page
    failed = rows[rows["status"] == "failed"].set_index("url")
    assert failed.loc[f"{site['base']}/docs/suffolk.pdf", "reason"] == "E515 index page is not HTML: the bytes are a PDF"
    assert failed.loc["not a url", "reason"].startswith("E501")


# --- the researcher's loop: collect, then score ------------------------------------------------------------------

def test_score_on_the_collected_folder_names_the_url_of_each_rows_evidence(site, tmp_path):
    out, scored = tmp_path / "collected", tmp_path / "scorecards"
    run_collect(site["index"], "--out", str(out), *FAST)
    code = main(["score", str(out), "--out", str(scored), "--cache", str(tmp_path / "cache"), "--as-of", "2025-06-01",
                 "--reviews", "", "--jobs", "1"])
    assert code == 1  # the Word form and the one-line web page are not scoreable responses; the rest are
    card = io.read_csv(scored / "scorecard.csv")
    assert list(card.columns).index("url") == list(card.columns).index("sha256") + 1
    urls = dict(zip(card["force"], card["url"]))
    assert urls["Gwent Police"] == site["base"] + "/responses/gwent-response.txt"
    assert urls["Suffolk Constabulary"] == site["base"] + "/docs/suffolk.pdf"
    assert urls["Cleveland Police"] == site["base"] + "/moved.txt"
    assert urls["Staffordshire Police"] == site["base"] + "/busy.txt"
    assert (card.groupby("force")["url"].nunique() == 1).all()
    passages = io.read_csv(scored / "passages.csv")
    assert set(passages["url"]) == set(urls.values())
    errors = io.read_csv(scored / "errors.csv")
    assert "sources.csv" not in " ".join(errors["source"])  # provenance is read, not scored
    report = (scored / "report.html").read_text(encoding="utf-8")
    suffolk = card[(card["force"] == "Suffolk Constabulary") & (card["page"] != "")].iloc[0]
    assert f'href="{site["base"]}/docs/suffolk.pdf#page={suffolk["page"]}"' in report
    assert f'href="{site["base"]}/responses/gwent-response.txt"' in report


# --- politeness, retries and failures, through collect() with the run's clock and sleep recorded ------------------

def settings(**options):
    """Collect settings: the shipped configuration's limits, short waits for a test, then ``options``."""
    options = {**CONFIG.collect.settings_options(), "delay": 0.0, "timeout": 1.0, "retries": 2, **options}
    return load_settings(io.read_package_data("collect.toml"), "test", **options)


def memory_store() -> tuple[dict, Store]:
    files: dict[str, bytes] = {}
    return files, Store(has=files.__contains__, read=files.__getitem__, put=files.__setitem__)


def test_requests_to_one_host_wait_the_delay_and_429_waits_its_retry_after(site):
    sleeps: list[float] = []
    files, store = memory_store()
    result = collect([Seed(site["base"] + "/responses/gwent-response.txt"), Seed(site["base"] + "/busy.txt")], (),
                     store, settings(delay=5.0), sleep=sleeps.append)
    assert result.counts == {"new": 2}
    # robots.txt, gwent, busy (429), busy (200): every request after the first waits ~5 s; the 429's Retry-After: 0 too
    assert result.requests == 4
    assert len([s for s in sleeps if 4.5 < s <= 5.0]) == 3 and 0 in sleeps


def test_retry_after_longer_than_the_run_waits_is_a_failure(site):
    site["routes"]["/down.txt"] = lambda h, hit: h._send(503, b"", {"Retry-After": "3600"})
    files, store = memory_store()
    result = collect([Seed(site["base"] + "/down.txt")], (), store, settings(), sleep=lambda s: None)
    (row,) = result.failed
    assert row.reason == "E516 asked to retry after 3600 s, over the 120 s this run waits: not retried"
    assert files == {} and len(site["site"].requests_for("/down.txt")) == 1


def test_5xx_is_retried_with_backoff_then_reported(site):
    site["routes"]["/down.txt"] = lambda h, hit: h._send(503, b"", {})
    sleeps: list[float] = []
    _, store = memory_store()
    result = collect([Seed(site["base"] + "/down.txt")], (), store, settings(backoff=2.0, retries=3),
                     sleep=sleeps.append)
    assert result.failed[0].reason == "E507 HTTP 503 Service Unavailable after 3 retries"
    assert len(site["site"].requests_for("/down.txt")) == 4 and sleeps == [2.0, 4.0, 8.0]


def test_robots_crawl_delay_is_honoured_when_longer_than_the_delay(site):
    site["site"].resources["/robots.txt"]["body"] = b"User-agent: inspection-scorecards\nCrawl-delay: 7\nDisallow:\n"
    sleeps: list[float] = []
    _, store = memory_store()
    collect([Seed(site["base"] + "/docs/cleveland.txt"), Seed(site["base"] + "/busy.txt")], (), store,
            settings(delay=1.0), sleep=sleeps.append)
    # robots.txt, cleveland, busy (429), busy (200): the three after the first each wait ~7 s, not the 1 s delay
    assert len([s for s in sleeps if 6.5 < s <= 7.0]) == 3 and not [s for s in sleeps if 0 < s <= 6.5]


def test_unreadable_robots_txt_means_nothing_is_fetched_from_that_host(site):
    site["routes"]["/robots.txt"] = lambda h, hit: h._send(500, b"", {})
    _, store = memory_store()
    result = collect([Seed(site["base"] + "/docs/cleveland.txt")], (), store, settings(retries=0), sleep=lambda s: None)
    assert result.failed[0].reason.startswith("E509 robots.txt of 127.0.0.1:") and "HTTP 500" in result.failed[0].reason
    assert site["site"].paths() == {"/robots.txt"}


def test_a_page_given_that_robots_txt_forbids_is_a_failure(site):
    _, store = memory_store()
    result = collect([Seed(site["base"] + "/private/draft.pdf")], (), store, settings())
    assert result.failed[0].reason.startswith("E508 forbidden by http://127.0.0.1:")
    assert "/private/draft.pdf" not in site["site"].paths()


def test_dns_failure_and_refused_connection_are_rows(monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):  # the .invalid TLD never resolves (RFC 6761); answered here, not asked of DNS
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    _, store = memory_store()
    result = collect([Seed("http://no-such-pcc.invalid/responses/"), Seed(f"http://127.0.0.1:{closed_port}/x.pdf")],
                     (), store, settings())
    reasons = [r.reason for r in result.failed]
    assert reasons[0] == "E509 robots.txt of no-such-pcc.invalid could not be read (E504 host not found (DNS): " \
                         "no-such-pcc.invalid): nothing requested from that host"
    assert reasons[1].startswith(f"E509 robots.txt of 127.0.0.1:{closed_port} could not be read (E505 could not "
                                 f"connect to 127.0.0.1: connection refused)")


def test_fetcher_maps_dns_failure_to_e504(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(socket.gaierror(-2, "unknown")))
    fetcher = Fetcher(settings(), new_session(settings()))
    with pytest.raises(PipelineError) as caught:
        fetcher._send("http://pcc.invalid/robots.txt", {})
    assert caught.value.code == "E504" and caught.value.message == "host not found (DNS): pcc.invalid"


def test_file_names_from_a_hostile_sources_csv_are_never_opened(site):
    opened: list[str] = []
    store = Store(has=lambda name: opened.append(name) or True, read=lambda name: b"", put=lambda name, data: None)
    hostile = SourceRow(url=site["base"] + "/docs/cleveland.txt", file="../../etc/passwd", sha256="0" * 64,
                        etag='"x"', status="new")
    result = collect([Seed(hostile.url)], [hostile], store, settings())
    assert "../../etc/passwd" not in opened
    assert "If-None-Match" not in site["site"].requests_for("/docs/cleveland.txt")[0]["headers"]
    assert result.counts == {"changed": 1}  # other bytes than the row claimed: a new version beside it


# --- the pieces --------------------------------------------------------------------------------------------------

def test_sniff_types_content_by_its_bytes():
    assert sniff(b"%PDF-1.7\n...") == "pdf"
    assert sniff(b"\r\n\r\n%PDF-1.4") == "pdf"  # junk before the header, as readers allow
    assert sniff(minimal_docx("x")) == "docx"
    plain_zip = BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("a.txt", "a")
    assert sniff(plain_zip.getvalue()) == "a ZIP archive"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "a PNG image"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1...").startswith("an old Office file")
    assert sniff(b"\xef\xbb\xbf<!DOCTYPE html><html>") == "html"
    assert sniff(b"  <!-- generated -->\n<html lang=en>") == "html"
    assert sniff(SEEDS["Gwent"].read_bytes()) == "text"
    assert sniff("Response to recommendation 9".encode("utf-16")) == "text"
    assert sniff(bytes(range(256)) * 10) == "binary data"
    assert sniff(b"") == "empty (0 bytes)"


def test_extract_links_resolves_and_drops_what_is_no_link_to_a_document():
    page = b"""<html><head><base href="https://pcc.example/docs/"></head><body>
    <nav><a href="/menu">Menu</a></nav><div role="navigation"><a href="/menu2">Menu</a></div>
    <a href="a.pdf#page=2">A</a> <a href="https://pcc.example/docs/a.pdf">A again</a>
    <a href="../b.html">B</a> <a href="mailto:x@y">mail</a> <a href="JavaScript:go()">js</a>
    <a href="#top">top</a> <a href="">empty</a> <area href="c.docx"></body></html>"""
    rules = settings().links
    links, dropped = extract_links(page, "https://pcc.example/responses/", rules)
    assert [(link.url, link.text) for link in links] == [
        ("https://pcc.example/docs/a.pdf", "a"), ("https://pcc.example/b.html", "b"),
        ("https://pcc.example/docs/c.docx", "")]
    assert dropped == {"mailto link": 1, "javascript link": 1, "anchor in the page": 2}


def test_normalise_url():
    assert normalise_url("HTTPS://WWW.Pcc.Example:443/a b?x=1#frag") == "https://www.pcc.example/a b?x=1"
    assert normalise_url("http://user:pw@pcc.example:8080") == "http://pcc.example:8080/"
    for bad in ("ftp://pcc.example/a.pdf", "pcc.example/a.pdf", "http://", "http://pcc.example:99999/", "mailto:a@b"):
        assert normalise_url(bad) is None, bad


def test_retry_after_in_seconds_or_as_a_date():
    from datetime import datetime, timezone

    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Wed, 01 Jan 2025 12:00:30 GMT", now) == 30
    assert retry_after_seconds("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_sources_csv_round_trip_keeps_extra_columns():
    text = ("url,file,sha256,inspection,publisher\n"
            "https://pcc.example/a.pdf,a.pdf,ab12,activism-impartiality-2024,PCC for Example\n")
    rows = parse_sources(text, "sources.csv")
    assert rows[0].url == "https://pcc.example/a.pdf" and rows[0].status == ""
    assert rows[0].extra == (("inspection", "activism-impartiality-2024"), ("publisher", "PCC for Example"))
    again = format_sources(rows)
    assert again.splitlines()[0] == ",".join(SOURCES_COLUMNS) + ",inspection,publisher"
    assert parse_sources(again, "again") == rows


@pytest.mark.parametrize("text, detail", [
    ("file,sha256\na.pdf,ab\n", "it needs a url column"),
    ("url,file\nhttps://a/b,b.pdf,extra\n", "line 2 has more cells than the header"),
])
def test_a_bad_sources_csv_is_e503(text, detail):
    with pytest.raises(PipelineError) as caught:
        parse_sources(text, "x/sources.csv")
    assert caught.value.code == "E503" and detail in caught.value.message and "x/sources.csv" in caught.value.message


def test_url_index_finds_a_file_by_path_or_by_sha256(tmp_path):
    rows = (SourceRow(url="https://b.example/a.pdf", file="a.pdf", sha256="AA"),
            SourceRow(url="https://a.example/a.pdf", file="copy.pdf", sha256="aa"),
            SourceRow(url="https://x/failed", status="failed"))
    index = url_index([(str(tmp_path), rows)])
    assert index.url(str(tmp_path / "a.pdf"), "zz") == "https://b.example/a.pdf"
    assert index.url("elsewhere/renamed.pdf", "aa") == "https://a.example/a.pdf"  # first of the URLs with those bytes
    assert index.url("other.pdf", "bb") == ""


# --- the command line --------------------------------------------------------------------------------------------

def test_cli_usage_errors_exit_2_with_one_line(tmp_path, capsys):
    assert run_collect("ftp://pcc.example/a.pdf", "--out", str(tmp_path / "o")) == 2
    assert capsys.readouterr().err.strip() == "error: E501 not an http(s) URL: 'ftp://pcc.example/a.pdf'"
    assert run_collect("--out", str(tmp_path / "o")) == 2
    assert capsys.readouterr().err.startswith("error: E450 python -m pipeline collect: collect needs a URL")
    listed = tmp_path / "list.csv"
    listed.write_text("force,page\nGwent Police,https://x\n", encoding="utf-8")
    assert run_collect("--sources", str(listed), "--out", str(tmp_path / "o")) == 2
    assert "E502" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cli_refuses_a_corrupt_sources_csv_and_leaves_it_as_it_was(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "sources.csv").write_text("not,a,sources\nfile\n", encoding="utf-8")
    assert run_collect("http://127.0.0.1:9/", "--out", str(out)) == 2
    assert "E503" in capsys.readouterr().err
    assert (out / "sources.csv").read_text(encoding="utf-8") == "not,a,sources\nfile\n"


def test_cli_an_unwritable_output_folder_is_one_line_and_exit_2(site, tmp_path, capsys):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    assert run_collect(site["base"] + "/docs/cleveland.txt", "--out", str(not_a_folder), *FAST) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: E517 cannot write to the output folder {not_a_folder}: ") and err.count("\n") == 1


def test_cli_takes_its_limits_from_the_configuration_and_the_flags_over_it(site, tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text("[collect]\ndelay = 0.0\ntimeout = 1.0\nmax_mb = 0.000001\n", encoding="utf-8")
    url = site["base"] + "/docs/cleveland.txt"
    assert run_collect(url, "--out", str(tmp_path / "capped"), "--config", str(mine)) == 1
    assert sources(tmp_path / "capped")["reason"].str.startswith("E513").tolist() == [True]
    assert run_collect(url, "--out", str(tmp_path / "flagged"), "--config", str(mine), "--max-mb", "0.3") == 0
    assert sources(tmp_path / "flagged")["status"].tolist() == ["new"]


def test_score_skips_sources_csv_as_an_input_and_reports_a_bad_one(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("text", encoding="utf-8")
    (folder / "sources.csv").write_text("no url here\n", encoding="utf-8")
    assert io.discover_inputs([folder]) == [folder / "a.txt"]
    tables, problems = io.read_source_tables([folder])
    assert tables == [] and [p.code for p in problems] == ["E503"]


# --- the shipped list of PCC pages -------------------------------------------------------------------------------

RESERVED = {"City of London", "Cumbria", "Devon and Cornwall", "Durham", "Dyfed-Powys", "Gloucestershire", "Kent",
            "Lancashire", "Leicestershire", "Merseyside", "Norfolk", "North Yorkshire", "Northumbria",
            "Nottinghamshire", "Thames Valley", "West Mercia", "West Midlands"}


def test_shipped_sources_list_names_every_force_once_and_marks_the_reserved():
    text = (ROOT / "corpus" / "sources.csv").read_text(encoding="utf-8")
    seeds = parse_seed_list(text, "corpus/sources.csv")
    forces = {f.name: f for f in io.load_forces()}
    assert sorted(s.force for s in seeds) == sorted(forces)
    assert all(normalise_url(s.url) for s in seeds)
    notes = {row["force"]: row["note"] for row in pd.read_csv(ROOT / "corpus" / "sources.csv", dtype=str,
                                                              keep_default_na=False).to_dict("records")}
    for name, force in forces.items():
        assert ("reserved: evaluation only" in notes[name]) == (force.short_name in RESERVED), name
