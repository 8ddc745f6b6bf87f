"""Collect: responses from PCC websites into a folder, with the provenance of every file.

In: seed URLs (a response document, or an index page such as a PCC's
"HMICFRS inspection responses" page), the rows of the folder's previous
``sources.csv`` and :class:`CollectSettings`. Out: the documents, handed to a
:class:`Store` (the CLI's, writing through :mod:`pipeline.io`) under
content-addressed names (``<sha256>.pdf``), and the rows of the new
``sources.csv`` (:data:`SOURCES_COLUMNS`). This module opens no file.

Polite by default: robots.txt is obeyed (:mod:`urllib.robotparser`), every
request names the project in its User-Agent, two requests to one host are at
least ``delay`` seconds apart (the site's Crawl-delay when longer), 429 and
5xx answers are retried with exponential backoff honouring Retry-After, and
each response has a time limit and a size cap.

Incremental: the ETag and Last-Modified of every document are kept in
``sources.csv`` and sent back as If-None-Match / If-Modified-Since, so an
unchanged document is not downloaded again and a 304 writes nothing. A changed
document has another sha256, hence another name: it is saved beside the old
one and gets a row of its own (``changed``), the old row staying.

Safe with hostile sites: names never come from the URL (no ``../`` can leave
the folder); a redirect to another host is followed only when allowed; content
is typed by its bytes (magic numbers), not by its declared Content-Type; a body
is streamed and dropped past the size cap or the time limit.

Every failure (DNS, refused, time-out, HTTP error, not a document, over the
cap, ...) becomes a row with a coded reason from :mod:`pipeline.errors`,
never a stop.
"""

from __future__ import annotations

import csv
import hashlib
import re
import time
import tomllib
import zipfile
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from io import BytesIO, StringIO
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from pipeline.errors import PipelineError

#: The provenance file in a collected folder.
SOURCES_FILE = "sources.csv"

#: Columns of ``sources.csv``, in order (a richer file's extra columns follow, kept as they were).
SOURCES_COLUMNS = ("url", "file", "sha256", "content_type", "fetched_at", "last_modified", "etag", "status",
                   "reason", "force")

#: ``status`` of a row: first download; same bytes as before; new bytes (a row beside the old); not collected.
STATUSES = ("new", "unchanged", "changed", "failed")

#: Kinds of document kept, and the suffix each is saved under (the suffix picks ingest's reader).
DOCUMENT_SUFFIXES: Mapping[str, str] = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt"}

#: Declared types that promise a document: an HTML page served under one is an error or sign-in page.
_DOCUMENT_TYPES = frozenset({
    "application/pdf", "application/x-pdf", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
})

MAX_REDIRECTS = 5         # as RFC 9309 asks of robots.txt fetches, and browsers allow far more
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: RFC 9309 section 2.5: a crawler must parse at least the first 500 KiB of robots.txt.
ROBOTS_MAX_BYTES = 500 * 1024
_CHUNK = 64 * 1024

#: Names this module gives files: anything else in a sources.csv is never opened by collect.
_OWN_FILE = re.compile(r"[0-9a-f]{64}\.(?:pdf|docx|html|txt)")


# --- records ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceRow:
    """One row of ``sources.csv``: a document version collected from a URL, or a URL that failed.

    ``file`` is relative to the folder holding ``sources.csv`` (empty for a
    failure); ``fetched_at`` is the last time (UTC, ISO 8601) the URL was
    found to serve these bytes; ``extra`` keeps the columns of a richer
    ``sources.csv`` (e.g. the team corpus's inspection or publisher) in order.
    """

    url: str
    file: str = ""
    sha256: str = ""
    content_type: str = ""
    fetched_at: str = ""
    last_modified: str = ""
    etag: str = ""
    status: str = ""
    reason: str = ""
    force: str = ""
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Seed:
    """A URL to start from: a document, or an index page linking documents.

    ``index`` is True for the rows of a ``--sources`` list, which name index
    pages: such a URL must answer with HTML. ``force`` is written on the rows
    of every document reached from it.
    """

    url: str
    force: str = ""
    index: bool = False


@dataclass(frozen=True)
class LinkRules:
    """Which links of an index page are followed (``[links]`` of ``pipeline/data/collect.toml``)."""

    skip_schemes: frozenset[str]
    skip_containers: tuple[str, ...]
    skip_roles: frozenset[str]
    skip_segments: frozenset[str]
    skip_texts: frozenset[str]
    skip_suffixes: tuple[str, ...]


@dataclass(frozen=True)
class CollectSettings:
    """Everything a run needs besides its seeds. Times in seconds, sizes in bytes.

    The limits come from the ``[collect]`` table of the configuration
    (``pipeline/data/config.toml``, :meth:`pipeline.config.CollectConfig.settings_options`):
    ``delay`` between two requests to one host, ``timeout`` for one response
    (connection to last byte), ``max_bytes`` above which a response is dropped,
    ``retries`` after a 429 or 5xx, ``backoff`` before the first retry without a
    Retry-After (doubling each time), ``max_wait`` the longest Retry-After or
    Crawl-delay honoured, ``depth`` the levels of links followed from a seed page.
    """

    user_agent: str
    robots_agent: str
    links: LinkRules
    delay: float
    timeout: float
    max_bytes: int
    retries: int
    backoff: float
    max_wait: float
    depth: int
    allow_hosts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Store:
    """Where documents go: the folder holding ``sources.csv``, seen through three functions of a file name."""

    has: Callable[[str], bool]
    read: Callable[[str], bytes]
    put: Callable[[str, bytes], None]


@dataclass(frozen=True)
class CollectResult:
    """What a run did.

    ``rows`` is the whole new ``sources.csv``: every document version kept
    from earlier runs and this run's rows (earlier failures are dropped: each
    run tries them again). ``failed`` are this run's failures (also in
    ``rows``); ``indexes`` the index pages read with the number of links
    followed from each; ``skipped`` the links not followed, counted by reason;
    ``counts`` this run's rows by status; ``requests`` the HTTP requests sent
    (robots.txt and retries included).
    """

    rows: tuple[SourceRow, ...]
    failed: tuple[SourceRow, ...]
    indexes: tuple[tuple[str, int], ...]
    skipped: Mapping[str, int]
    counts: Mapping[str, int]
    requests: int


@dataclass(frozen=True)
class Link:
    """A link of a page: absolute URL without fragment, and its text (white space collapsed, lower case)."""

    url: str
    text: str


# --- settings and the two CSV formats ------------------------------------------------------------------------------

def load_settings(toml_text: str, version: str, **options: Any) -> CollectSettings:
    """Settings from the text of ``collect.toml`` and the run's options (fields of :class:`CollectSettings`).

    Raises ``ValueError`` naming a missing field.
    """
    data = tomllib.loads(toml_text)
    try:
        links = data["links"]
        rules = LinkRules(
            skip_schemes=frozenset(s.lower() for s in links["skip_schemes"]),
            skip_containers=tuple(links["skip_containers"]),
            skip_roles=frozenset(links["skip_roles"]),
            skip_segments=frozenset(s.lower() for s in links["skip_segments"]),
            skip_texts=frozenset(s.lower() for s in links["skip_texts"]),
            skip_suffixes=tuple(s.lower() for s in links["skip_suffixes"]),
        )
        agent = data["user_agent"].format(version=version)
        robots_agent = data["robots_agent"]
    except KeyError as exc:
        raise ValueError(f"collect.toml: missing field {exc}") from None
    hosts = frozenset(_site(h) for h in options.pop("allow_hosts", ()) or ())
    return CollectSettings(user_agent=agent, robots_agent=robots_agent, links=rules, allow_hosts=hosts, **options)


def _csv_rows(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and (line, row) pairs of a CSV text; a spreadsheet's byte-order mark is dropped."""
    reader = csv.DictReader(StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = []
    for row in reader:
        rows.append((reader.line_num, row))
    return header, rows


def parse_sources(text: str, origin: str) -> tuple[SourceRow, ...]:
    """The rows of a ``sources.csv`` (ours, or a richer one with more columns).

    Needs a ``url`` column and a ``file`` or ``sha256`` column; every other
    column is optional, and unknown columns are kept in ``extra``. Raises
    ``PipelineError(E503)`` naming ``origin`` and the problem.
    """
    try:
        header, rows = _csv_rows(text)
    except csv.Error as exc:
        raise PipelineError("E503", path=origin, detail=f"not CSV ({exc})") from None
    if "url" not in header or not {"file", "sha256"} & set(header):
        raise PipelineError("E503", path=origin, detail="it needs a url column and a file or sha256 column")
    out = []
    for line, row in rows:
        if None in row:
            raise PipelineError("E503", path=origin, detail=f"line {line} has more cells than the header")
        known = {c: (row.get(c) or "").strip() for c in SOURCES_COLUMNS}
        extra = tuple((k, row[k] or "") for k in header if k not in SOURCES_COLUMNS)
        out.append(SourceRow(**known, extra=extra))
    return tuple(out)


def format_sources(rows: Iterable[SourceRow]) -> str:
    """The text of ``sources.csv`` for ``rows``: :data:`SOURCES_COLUMNS`, then any extra columns in first-seen order."""
    rows = list(rows)
    extra: list[str] = []
    for row in rows:
        extra.extend(k for k, _ in row.extra if k not in extra)
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*SOURCES_COLUMNS, *extra])
    for row in rows:
        more = dict(row.extra)
        writer.writerow([getattr(row, c) for c in SOURCES_COLUMNS] + [more.get(k, "") for k in extra])
    return buffer.getvalue()


def parse_seed_list(text: str, origin: str) -> tuple[Seed, ...]:
    """The index pages of a ``--sources`` CSV: a ``url`` column, ``force`` optional, any other column ignored.

    A row with an empty url is skipped (a note without a page). Raises
    ``PipelineError(E502)`` when the CSV cannot be read or has no ``url``.
    """
    try:
        header, rows = _csv_rows(text)
    except csv.Error as exc:
        raise PipelineError("E502", path=origin, detail=f"not CSV ({exc})") from None
    if "url" not in header:
        raise PipelineError("E502", path=origin, detail="no url column (expected force,url[,note])")
    return tuple(Seed(url=(row.get("url") or "").strip(), force=(row.get("force") or "").strip(), index=True)
                 for _, row in rows if (row.get("url") or "").strip())


# --- URLs ----------------------------------------------------------------------------------------------------------

def normalise_url(url: str) -> str | None:
    """``url`` as it is requested and keyed; None when it is not an http(s) URL with a host.

    Normalised: http(s) only, host in lower case, no default port, no fragment, no user name or password.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def _site(host_or_url: str) -> str:
    """The site a host or URL belongs to: host name in lower case, without a leading ``www.``, port ignored."""
    host = urlsplit(host_or_url).hostname if "//" in host_or_url else host_or_url.split(":")[0]
    host = (host or "").lower().strip(".")
    return host[4:] if host.startswith("www.") else host


def _server(url: str) -> str:
    """Scheme and host:port: one robots.txt and one politeness clock each."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _allowed_site(url: str, origin: str, settings: CollectSettings) -> bool:
    site = _site(url)
    return site == _site(origin) or site in settings.allow_hosts


# --- bytes ---------------------------------------------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc or .xls): save it "
                                                                   "as .docx or PDF"),
    (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF file"), (b"ID3", "an MP3 file"),
)
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE | re.DOTALL)
_HTML_ANY = re.compile(rb"<(?:html|head|body|title|meta|div|p|table|a)[\s>/]", re.IGNORECASE)


def sniff(data: bytes) -> str:
    """What ``data`` is, by its bytes: ``"pdf"``, ``"docx"``, ``"html"``, ``"text"``, else a description.

    Magic numbers: ``%PDF-`` in the first 1024 bytes (where the PDF reference
    lets readers find it); a ZIP holding ``word/document.xml`` (ECMA-376,
    Office Open XML); HTML by its opening tags; text when the first 64 KB hold
    no NUL byte (UTF-16 with a byte-order mark aside) and almost no control
    characters. The declared Content-Type is never consulted.
    """
    if not data:
        return "empty (0 bytes)"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, EOFError):
            return "a damaged ZIP archive"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names or "ppt/presentation.xml" in names:
            return "an Excel or PowerPoint file"
        return "a ZIP archive"
    for magic, description in _MAGIC:
        if data.startswith(magic):
            return description
    if data[:4] in (b"RIFF",) and data[8:12] == b"WEBP":
        return "a WebP image"
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[2:].decode("utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be", "replace").encode()
    head = head.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in head:
        return "binary data"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(head) / 100:
        return "binary data"
    if _HTML_START.match(head) or (head.lstrip().startswith(b"<") and _HTML_ANY.search(head[:4096])):
        return "html"
    return "text"


def _describe(kind: str) -> str:
    return {"pdf": "a PDF", "docx": "a Word document", "html": "an HTML page", "text": "plain text"}.get(kind, kind)


def extract_links(data: bytes, page_url: str, rules: LinkRules) -> tuple[tuple[Link, ...], Counter]:
    """The links of an HTML page worth a request, in page order, and the links dropped, counted by reason.

    Relative links are resolved against the page (or its ``<base href>``);
    fragments are dropped; links inside site navigation (``nav``, ``header``,
    ``footer``, ARIA navigation roles), links of a skipped scheme (mailto,
    tel, javascript, ...) and anchors within the page are dropped. Parsed
    with BeautifulSoup over lxml, as :mod:`pipeline.ingest` reads HTML.
    """
    from bs4 import BeautifulSoup, Tag

    dropped: Counter = Counter()
    soup = BeautifulSoup(data, "lxml")
    base_tag = soup.find("base", href=True)
    base = urljoin(page_url, str(base_tag["href"]).strip()) if isinstance(base_tag, Tag) else page_url
    for tag in soup.find_all(list(rules.skip_containers)):
        tag.decompose()
    for tag in soup.find_all(True, attrs={"role": True}):
        if not getattr(tag, "decomposed", False) and str(tag.get("role", "")).lower() in rules.skip_roles:
            tag.decompose()
    page = urldefrag(page_url)[0]
    links: list[Link] = []
    seen: set[str] = set()
    for anchor in soup.find_all(["a", "area"], href=True):
        href = str(anchor["href"]).strip()  # href is single-valued (bs4 splits only class, rel and the like)
        scheme = href.split(":", 1)[0].lower() if ":" in href.split("/", 1)[0] else ""
        if scheme in rules.skip_schemes:
            dropped[f"{scheme} link"] += 1
            continue
        if not href or href.startswith("#"):
            dropped["anchor in the page"] += 1
            continue
        url = urldefrag(urljoin(base, href))[0]
        if url == page:
            dropped["anchor in the page"] += 1
            continue
        if url in seen:
            continue
        seen.add(url)
        links.append(Link(url=url, text=" ".join(anchor.get_text(" ").split()).lower()))
    return tuple(links), dropped


def _link_skip_reason(link: Link, page_url: str, settings: CollectSettings) -> str | None:
    """Why ``link`` is not followed from ``page_url`` (None: follow it)."""
    url = normalise_url(link.url)
    if url is None:
        return "not an http(s) link"
    if not _allowed_site(url, page_url, settings):
        return "off-site"
    path = urlsplit(url).path.lower()
    rules = settings.links
    if path.endswith(rules.skip_suffixes):
        return "not a document (by its suffix)"
    segments = {s.rsplit(".", 1)[0] for s in path.split("/") if s}
    if segments & rules.skip_segments or link.text in rules.skip_texts:
        return "not a response (contact, cookies, ...)"
    return None


# --- HTTP ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fetched:
    """A response read to its end.

    The URL after redirects, 200 (or another 2xx) or 304, headers (looked up without regard to
    case, as HTTP names are), body.
    """

    url: str
    status: int
    headers: Mapping[str, str]
    data: bytes


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks for; None when absent or unreadable.

    The header is delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        chain.append(item)
        stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None),
                      *[a for a in getattr(item, "args", ()) if isinstance(a, BaseException)]])
    return chain


def _connection_error(exc: BaseException, url: str, timeout: float) -> PipelineError:
    """The coded error for a failed connection: DNS (E504), time-out (E506) or refused / reset / TLS (E505)."""
    import socket
    import ssl

    from urllib3.exceptions import NameResolutionError, ReadTimeoutError

    host = urlsplit(url).hostname or url
    chain = _exception_chain(exc)

    def seen(*types: type) -> bool:
        return any(isinstance(e, types) for e in chain)

    if seen(socket.gaierror, NameResolutionError):
        return PipelineError("E504", host=host)
    if seen(socket.timeout, ReadTimeoutError):
        return PipelineError("E506", seconds=timeout)
    if seen(ConnectionRefusedError):
        return PipelineError("E505", host=host, detail="connection refused")
    if seen(ConnectionResetError):
        return PipelineError("E505", host=host, detail="connection reset")
    if seen(ssl.SSLError):
        return PipelineError("E505", host=host, detail="TLS certificate or handshake failed")
    return PipelineError("E505", host=host, detail=type(exc).__name__)


def new_session(settings: CollectSettings) -> Any:
    """A requests session sending the project's User-Agent, with no retries or redirects of its own.

    Ours count against the politeness delay and are checked hop by hop.
    """
    import requests

    session = requests.Session()
    session.headers.update({"User-Agent": settings.user_agent, "Accept": "text/html,application/pdf,"
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain;q=0.9,"
                            "*/*;q=0.5"})
    session.trust_env = False  # no proxy or .netrc credentials picked up from the environment
    return session


class Fetcher:
    """Requests with politeness: robots.txt, one clock per server, retries, redirects checked hop by hop, caps.

    ``clock`` (monotonic seconds) and ``sleep`` are the run's, so a test can
    see every wait without waiting. Raises :class:`PipelineError` for every
    failure; :attr:`requests` counts what was sent.
    """

    def __init__(self, settings: CollectSettings, session: Any, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, now: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.session = session
        self.clock = clock
        self.sleep = sleep
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.requests = 0
        self._last: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | PipelineError] = {}

    # politeness
    def _wait_turn(self, url: str) -> None:
        server = _server(url)
        delay = self.settings.delay
        robots = self._robots.get(server)
        if isinstance(robots, RobotFileParser):
            crawl_delay = robots.crawl_delay(self.settings.robots_agent)
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), self.settings.max_wait))
        last = self._last.get(server)
        if last is not None:
            remaining = last + delay - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last[server] = self.clock()

    def _send(self, url: str, headers: Mapping[str, str]) -> Any:
        import requests

        self._wait_turn(url)
        self.requests += 1
        try:
            return self.session.get(url, headers=dict(headers), stream=True, allow_redirects=False,
                                    timeout=(self.settings.timeout, self.settings.timeout))
        except requests.exceptions.Timeout:
            raise PipelineError("E506", seconds=self.settings.timeout) from None
        except requests.exceptions.RequestException as exc:
            raise _connection_error(exc, url, self.settings.timeout) from None

    def _send_with_retries(self, url: str, headers: Mapping[str, str]) -> Any:
        """The response to GET ``url``, after up to ``retries`` further attempts on 429 and 5xx."""
        for attempt in range(self.settings.retries + 1):
            response = self._send(url, headers)
            if response.status_code not in RETRY_STATUSES or attempt == self.settings.retries:
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"), self.now())
            response.close()
            if wait is None:
                wait = self.settings.backoff * 2 ** attempt
            if wait > self.settings.max_wait:
                raise PipelineError("E516", seconds=wait, limit=self.settings.max_wait)
            self.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns on its last attempt

    def _read(self, url: str, response: Any, limit: int, truncate: bool = False) -> bytes:
        """The body of ``response``, streamed.

        Past ``limit`` bytes E513 (or, with ``truncate``, the first ``limit`` bytes), past the time limit E506.
        """
        import requests
        from urllib3.exceptions import HTTPError as Urllib3Error

        started = self.clock()
        try:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit and not truncate:
                raise PipelineError("E513", limit=_size(limit))
            body = bytearray()
            while True:
                # read1: whatever has arrived, so a trickling server cannot hold one read past the time limit
                chunk = response.raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    break
                body += chunk
                if len(body) > limit:
                    if truncate:
                        return bytes(body[:limit])
                    raise PipelineError("E513", limit=_size(limit))
                if self.clock() - started > self.settings.timeout:
                    raise PipelineError("E506", seconds=self.settings.timeout)
            return bytes(body)
        except (requests.exceptions.RequestException, Urllib3Error, OSError) as exc:
            raise _connection_error(exc, url, self.settings.timeout) from None
        finally:
            response.close()

    # robots.txt
    def _robots_for(self, url: str) -> RobotFileParser:
        server = _server(url)
        if server not in self._robots:
            self._robots[server] = self._load_robots(server)
        robots = self._robots[server]
        if isinstance(robots, PipelineError):
            raise robots
        return robots

    def _load_robots(self, server: str) -> RobotFileParser | PipelineError:
        """The robots.txt rules of ``server``, or the error that forbids every request to it.

        RFC 9309: 2xx is parsed; 4xx means no rules (but 401/403 forbid all, as urllib.robotparser has it);
        5xx or no answer means everything is forbidden for this run.
        """
        host = urlsplit(server).netloc
        parser = RobotFileParser(server + "/robots.txt")
        url = server + "/robots.txt"
        try:
            for _ in range(MAX_REDIRECTS + 1):
                response = self._send_with_retries(url, {})
                if response.status_code in REDIRECT_STATUSES and response.headers.get("Location"):
                    response.close()
                    url = normalise_url(urljoin(url, response.headers["Location"])) or ""
                    if not url:
                        return PipelineError("E509", host=host, detail="redirected to a non-http URL")
                    continue
                break
            else:
                return PipelineError("E509", host=host, detail="too many redirects")
            status = response.status_code
            if status in (401, 403):
                response.close()
                return PipelineError("E509", host=host, detail=f"HTTP {status}: the site refuses crawlers")
            if 400 <= status < 500:
                response.close()
                parser.parse([])  # no robots.txt: no rules
                return parser
            if status >= 300:
                response.close()
                return PipelineError("E509", host=host, detail=f"HTTP {status}")
            body = self._read(url, response, ROBOTS_MAX_BYTES, truncate=True)
        except PipelineError as error:
            return PipelineError("E509", host=host, detail=f"{error.code} {error.message}")
        parser.parse(body.decode("utf-8", "replace").splitlines())
        return parser

    def allowed_by_robots(self, url: str) -> bool:
        """Whether robots.txt of ``url``'s server lets this project fetch it (raises E509 when unreadable)."""
        return self._robots_for(url).can_fetch(self.settings.robots_agent, url)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Fetched:
        """GET ``url`` (normalised), following redirects within its site (or to an allowed host).

        Each hop is checked against robots.txt. Returns a 2xx or 304 read to its end; raises
        :class:`PipelineError`.
        """
        headers = dict(headers or {})
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if not self.allowed_by_robots(current):
                raise PipelineError("E508", host=_server(current))
            response = self._send_with_retries(current, headers)
            status = response.status_code
            if status in REDIRECT_STATUSES:
                location = response.headers.get("Location", "").strip()
                response.close()
                target = normalise_url(urljoin(current, location)) if location else None
                if target is None:
                    raise PipelineError("E512", detail=f"to '{location[:200]}'" if location else "no Location header")
                if not _allowed_site(target, url, self.settings):
                    raise PipelineError("E510", host=urlsplit(target).hostname)
                current = target
                continue
            if status == 304:
                response.close()
                return Fetched(current, 304, response.headers, b"")
            if not 200 <= status < 300:
                response.close()
                retried = f" after {self.settings.retries} retries" if status in RETRY_STATUSES and self.settings.retries else ""
                raise PipelineError("E507", status=status, detail=f" {response.reason or ''}".rstrip() + retried)
            data = self._read(current, response, self.settings.max_bytes)
            return Fetched(current, status, response.headers, data)
        raise PipelineError("E511", limit=MAX_REDIRECTS)


def _size(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB" if limit >= 100_000 else f"{limit} bytes"


# --- the crawl -----------------------------------------------------------------------------------------------------

REASON_NOT_MODIFIED = "304 not modified"
REASON_SAME_BYTES = "same bytes as before"
REASON_RESTORED = "same bytes as before; the missing file was saved again"


def _utc(now: datetime) -> str:
    return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _content_type(headers: Mapping[str, str]) -> str:
    return headers.get("Content-Type", "").split(";")[0].strip().lower()


def conditional_headers(row: SourceRow | None, store: Store) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for the URL of ``row``, when its file is still in the store."""
    if row is None or not _OWN_FILE.fullmatch(row.file) or not store.has(row.file):
        return {}
    headers = {}
    if row.etag:
        headers["If-None-Match"] = row.etag
    if row.last_modified:
        headers["If-Modified-Since"] = row.last_modified
    return headers


@dataclass
class _Crawl:
    """The mutable state of one run (kept inside :func:`collect`; nothing outlives the call)."""

    store: Store
    now: Callable[[], datetime]
    rows: list[SourceRow] = field(default_factory=list)
    latest: dict[str, int] = field(default_factory=dict)  # url -> index in rows of its latest version
    failed: list[SourceRow] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def previous(self, url: str) -> SourceRow | None:
        index = self.latest.get(url)
        return None if index is None else self.rows[index]

    def fail(self, url: str, force: str, error: PipelineError) -> None:
        self.counts["failed"] += 1
        self.failed.append(SourceRow(url=url, fetched_at=_utc(self.now()), status="failed",
                                     reason=f"{error.code} {error.message}", force=force))

    def keep(self, url: str, force: str, fetched: Fetched, kind: str) -> None:
        """Save a document's bytes (unless the store has them) and write its row: new, changed or unchanged."""
        data = fetched.data
        sha = hashlib.sha256(data).hexdigest()
        name = sha + DOCUMENT_SUFFIXES[kind]
        missing = not self.store.has(name)
        if missing:
            self.store.put(name, data)
        previous = self.previous(url)
        redirect = f"redirected to {fetched.url}" if fetched.url != url else ""
        row = SourceRow(url=url, file=name, sha256=sha, content_type=_content_type(fetched.headers),
                        fetched_at=_utc(self.now()), last_modified=fetched.headers.get("Last-Modified", ""),
                        etag=fetched.headers.get("ETag", ""), force=force or (previous.force if previous else ""),
                        extra=previous.extra if previous else ())
        if previous is not None and previous.sha256 == sha:
            status, reason = "unchanged", REASON_RESTORED if missing else REASON_SAME_BYTES
            self.rows[self.latest[url]] = replace(row, status=status, reason=_join(reason, redirect))
        else:
            status = "changed" if previous is not None else "new"
            reason = f"replaces {previous.file}" if previous is not None else ""
            self.rows.append(replace(row, status=status, reason=_join(reason, redirect)))
            self.latest[url] = len(self.rows) - 1
        self.counts[status] += 1

    def not_modified(self, url: str, force: str, fetched: Fetched) -> SourceRow:
        """A 304: the row is confirmed, with the validators the server sent if new ones; returns the row."""
        previous = self.previous(url)
        if previous is None:  # callers check first: a 304 is kept only for a URL with a previous row
            raise ValueError(f"{url}: a 304 without a previous row")
        row = replace(previous, status="unchanged", reason=REASON_NOT_MODIFIED, fetched_at=_utc(self.now()),
                      etag=fetched.headers.get("ETag", previous.etag),
                      last_modified=fetched.headers.get("Last-Modified", previous.last_modified),
                      force=force or previous.force)
        self.rows[self.latest[url]] = row
        self.counts["unchanged"] += 1
        return row


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _follow(data: bytes, page_url: str, settings: CollectSettings, seen: set[str], skipped: Counter) -> list[str]:
    """The links of the HTML page ``data`` to request next (not seen before), counting the others in ``skipped``."""
    links, dropped = extract_links(data, page_url, settings.links)
    skipped.update(dropped)
    followed = []
    for link in links:
        reason = _link_skip_reason(link, page_url, settings)
        if reason:
            skipped[reason] += 1
            continue
        target = normalise_url(link.url)
        if target is not None and target not in seen:
            seen.add(target)
            followed.append(target)
    return followed


def _refusal(fetched: Fetched, kind: str, listed_index: bool) -> PipelineError | None:
    """Why the bytes of ``fetched`` are not kept (None: they are a document or a page to read)."""
    declared = _content_type(fetched.headers)
    if listed_index and kind != "html":
        return PipelineError("E515", detail=f"the bytes are {_describe(kind)}")
    if kind not in DOCUMENT_SUFFIXES:
        return PipelineError("E514", detail=f"the bytes are {kind}" + (f" (declared {declared})" if declared else ""))
    if kind == "html" and declared in _DOCUMENT_TYPES:
        return PipelineError("E514", detail=f"declared {declared} but the bytes are an HTML page (an error or "
                                            f"sign-in page?)")
    return None


def collect(seeds: Sequence[Seed], previous: Sequence[SourceRow], store: Store, settings: CollectSettings, *,
            session: Any = None, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
            now: Callable[[], datetime] | None = None) -> CollectResult:
    """Collect the documents at and linked from ``seeds`` into ``store``; returns the new ``sources.csv`` rows.

    Each seed is fetched; an HTML seed that links to pages or documents of its
    site is an index page (not kept itself), and its links are followed
    breadth-first up to ``settings.depth`` levels (a followed HTML page is a
    document, and is read for links too while the depth allows). Links off the
    seed's site (unless in ``settings.allow_hosts``), of a skipped scheme,
    suffix or name (``pipeline/data/collect.toml``), and those robots.txt
    forbids are counted in ``skipped``, not requested. A URL already kept is
    requested with its validators. Rows of ``previous`` not requested again
    stay as they were; its failures are dropped (a run tries them again).
    Failures become rows, never exceptions. ``session`` defaults to
    :func:`new_session`; ``clock``, ``sleep`` and ``now`` to the real ones.
    """
    now = now or (lambda: datetime.now(timezone.utc))
    own_session = session is None
    fetcher = Fetcher(settings, new_session(settings) if own_session else session, clock, sleep, now)
    try:
        return _crawl(seeds, previous, store, settings, fetcher, now)
    finally:
        if own_session:
            fetcher.session.close()


def _crawl(seeds: Sequence[Seed], previous: Sequence[SourceRow], store: Store, settings: CollectSettings,
           fetcher: Fetcher, now: Callable[[], datetime]) -> CollectResult:
    """The body of :func:`collect`, with its fetcher."""
    crawl = _Crawl(store, now)
    for row in previous:
        if row.status != "failed":
            crawl.rows.append(row)
            crawl.latest[row.url] = len(crawl.rows) - 1
    indexes: list[tuple[str, int]] = []
    skipped: Counter = Counter()
    queue: deque[tuple[str, int, str, bool]] = deque()
    seen: set[str] = set()
    for seed in seeds:
        url = normalise_url(seed.url)
        if url is None:
            crawl.fail(seed.url, seed.force, PipelineError("E501", url=seed.url))
        elif url not in seen:
            seen.add(url)
            queue.append((url, 0, seed.force, seed.index))

    while queue:
        url, depth, force, listed_index = queue.popleft()
        try:
            fetched = fetcher.fetch(url, conditional_headers(crawl.previous(url), store))
        except PipelineError as error:
            if error.code == "E508" and depth > 0:
                skipped["forbidden by robots.txt"] += 1
            else:
                crawl.fail(url, force, error)
            continue
        readable = depth < settings.depth
        if fetched.status == 304 and crawl.previous(url) is not None:
            row = crawl.not_modified(url, force, fetched)
            # an unchanged page may still lead to changed documents: read its kept copy for links
            if readable and row.file.endswith(".html"):
                try:
                    kept = store.read(row.file)
                except (PipelineError, OSError):  # gone since it was checked: its links wait for the next run
                    kept = b""
                for target in _follow(kept, fetched.url, settings, seen, skipped) if kept else ():
                    queue.append((target, depth + 1, row.force, False))
            continue
        kind = sniff(fetched.data)
        refusal = _refusal(fetched, kind, listed_index)
        if refusal is not None:
            crawl.fail(url, force, refusal)
            continue
        followed = _follow(fetched.data, fetched.url, settings, seen, skipped) if kind == "html" and readable else []
        queue.extend((target, depth + 1, force, False) for target in followed)
        if listed_index or (depth == 0 and followed):
            indexes.append((url, len(followed)))
        else:
            crawl.keep(url, force, fetched, kind)
    return CollectResult(rows=tuple(crawl.rows) + tuple(crawl.failed), failed=tuple(crawl.failed),
                         indexes=tuple(indexes), skipped=dict(skipped), counts=dict(crawl.counts),
                         requests=fetcher.requests)


# --- provenance for score --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UrlIndex:
    """The URL each collected file came from, by its path and by its sha256 (from every ``sources.csv`` read).

    Paths are absolute and normalised (:func:`os.path.abspath`), so a file
    is found however the command line named it; the sha256 finds a copy
    moved or renamed since. Where several URLs served the same bytes, the
    first in sorted order is given, so the answer does not depend on reading order.
    """

    by_path: Mapping[str, str]
    by_sha256: Mapping[str, str]

    def url(self, path: str, sha256: str) -> str:
        """The URL of the file at ``path`` with ``sha256`` ("" when neither is known)."""
        import os

        return self.by_path.get(os.path.abspath(path)) or self.by_sha256.get(sha256, "")


def url_index(tables: Iterable[tuple[str, Sequence[SourceRow]]]) -> UrlIndex:
    """A :class:`UrlIndex` from ``(folder holding sources.csv, its rows)`` pairs.

    Failed rows and rows without a URL are ignored.
    """
    import os

    by_path: dict[str, set[str]] = {}
    by_sha: dict[str, set[str]] = {}
    for folder, rows in tables:
        for row in rows:
            if not row.url or row.status == "failed":
                continue
            if row.file:
                by_path.setdefault(os.path.abspath(os.path.join(folder, row.file)), set()).add(row.url)
            if row.sha256:
                by_sha.setdefault(row.sha256.lower(), set()).add(row.url)
    return UrlIndex({k: min(v) for k, v in by_path.items()}, {k: min(v) for k, v in by_sha.items()})
