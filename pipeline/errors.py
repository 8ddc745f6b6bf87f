"""Every expected failure, with a code and one message template.

Stages raise :class:`PipelineError`; the CLI turns it into one line on stderr
and a row in ``errors.csv``. Nothing else prints a traceback for an expected
failure. Codes are stable: researchers filter ``errors.csv`` by them.
"""

from __future__ import annotations

from pipeline.types import Problem

#: code -> message template; ``{...}`` fields come from the raising site.
MESSAGES: dict[str, str] = {
    # input files
    "E101": "empty file (0 bytes)",
    "E102": "unsupported file type '{suffix}': expected .pdf, .docx, .html, .htm, .mht, .txt or .md",
    "E103": "not a readable PDF: {detail}",
    "E104": "PDF is encrypted: remove the password and score it again",
    "E105": "no text layer: OCR needed (the PDF holds only images)",
    "E106": "not text: the bytes decode to no readable text ({detail})",
    "E107": "too many pages: {pages} pages, over the limit of {limit}",
    "E108": "took too long: stopped after {seconds} s (limit per document)",
    "E109": "file not found or unreadable: {detail}",
    # input formats (E110-E129); those with a page are page-level: the rest of the document is scored
    "E110": "page {page}: text in a font with no Unicode map ({glyphs} glyphs unreadable) and OCR could not read it: "
            "the answers there are missing, not silent",
    "E111": "page {page}: could not be read past a malformed object ({detail}); the rest of that page is missing",
    "E112": "page {page}: over {limit} glyphs; only the first {limit} were read (the rest of the page is missing)",
    "E113": "page {page}: read by OCR with confidence {confidence:.2f}, below the floor of {floor:.2f}: check this page by eye",
    "E114": "text in a font with no Unicode map on every page that holds text (pages {pages}), and OCR could not read it",
    "E115": "old binary Word document (.doc): open it in Word or LibreOffice and save it as .docx or PDF",
    "E116": "OpenDocument text (.odt): open it in LibreOffice or Word and save it as .docx or PDF",
    "E117": "not a readable Word document: {detail}",
    "E118": "Word document refused for safety: {detail}",
    "E119": "ran out of memory: over {megabytes} MB while reading the document (limit per document)",
    "E123": "not a readable web page: {detail}",
    "E122": "page {page}: over {limit} glyphs; {skipped} glyphs of text {size} pt or smaller (under half the size of the "
            "text read: a background pattern or fine print) were not read",
    "E129": "too long: {characters:,} characters of text, over the limit of {limit:,} (limits.max_characters)",
    # a note, not a failure: the document was read by its bytes and scored (see NOTES)
    "E120": "named {suffix} but its bytes are {actual}: read as {reader} (rename it {extension})",
    "E121": "Rich Text Format (RTF) document{named}: open it in Word or LibreOffice and save it as .docx or PDF",
    # identification
    "E201": "answers no known inspection: {detail}",
    "E202": "force could not be identified and is not in the manifest",
    "E203": "not a response to {inspection}: dated {found}, before the report was published on {published}",
    "E204": "manifest names unknown {what} '{value}'",
    "E205": "coverage needs provenance: {path} not found "
            "(pass --sources FILE, a sources.csv or meta.jsonl with file, url, force, doc_kind)",
    # the process working on a document died (the out-of-memory killer, a crash), also when run again alone
    "E218": "could not be processed: the worker process was {how} while working on it, twice (the second time "
            "alone); the other documents are scored",
    # a document's failure no stage foresaw (a bug, or an input beyond what a library takes): that document only
    "E219": "could not be processed: {stage} failed with {kind}: {detail}{where}; a failure this program did not "
            "foresee: please report it (the other documents are scored)",
    # models
    "E301": "model file {path} refused: {detail}",
    "E302": "model file {path} is missing: run `make train`",
    "E319": "{path} line {line}: force '{force}' is reserved ({reserved}): its responses are kept for an independent "
            "evaluation, never trained on, evaluated on or reviewed into the annotations; {action}",
    # a note of the scorecard (no failure): reviews of a scored file that apply to nothing now
    "E318": "{count} reviewed label(s) in {path} match no passage of this file scored now ({items}): {reason}; they "
            "are not applied (reviews are keyed by the file's sha256 and offsets: export it and review it again)",
    "E303": "evaluate --embeddings needs the optional sentence-embedding packages: pip install -e '.[embeddings]'",
    # usage and configuration
    "E401": "manifest {path} is invalid: {detail}",
    "E402": "no input files found under {paths}",
    "E403": "register {path} is invalid: {detail}",
    "E404": "annotations {path} line {line}: {detail}",
    "E405": "input {path} line {line}: {detail}",
    "E406": "review file {path} line {line}: {detail}",
    "E407": "cannot use the Dask scheduler at {address}: {detail}",
    "E408": "{path} holds files but is not a scorecards cache (no CACHEDIR.TAG of ours): nothing deleted",
    "E409": "input {path} not found: nothing scored, nothing written",
    # the notebook (python -m pipeline notebook; E420-E429)
    "E420": "running the notebook needs Jupyter's kernel and runner (ipykernel, nbclient, nbformat; {missing} is "
            "missing): pip install -e '.[notebook]', or run `make notebook`, which installs them",
    "E421": "the notebook stopped at code cell {cell} of {count}: {detail}",
    "E422": "--inspection '{value}' is not in {path}: its inspections are {known}",
    # usage of the flags and named files (E440-E449): checked before any work, nothing written. E440 is every value
    # a flag or argument refuses (a type or choice argparse checks, or a configuration range: then {why} names it)
    "E440": "{flag} {value}: must be {wanted}{why}",
    "E441": "--inspections {path} is not a folder of registers: {detail}",
    "E442": "--manifest {path} cannot be read: {detail}",
    "E443": "no document could be scored ({problems}, listed in {errors}): the previous outputs in {path} are kept",
    "E444": "interrupted: nothing written",
    "E445": "interrupted while writing the outputs: {written} replaced, the others in {path} kept as they were",
    "E446": "interrupted: the command did not finish (each file it wrote was written whole)",
    # a note of the scorecard (no failure): a scored document that would otherwise leave no row in any table
    "E448": "cannot use {path}: {detail} (a file or folder this command reads or writes)",
    # a note of the scorecard (no failure): one document given twice is counted once
    "E449": "the same bytes (sha256) as {original}, and the same force's response to the same inspection: one "
            "document, counted once, as that file (the first by name not named like a copy, such as '... (1)' or "
            "'Copy of ...'; else the first by name); no row of the other "
            "tables comes from this file",
    "E447": "scored as {force}'s response to {inspection}, but it gave no passage and {chosen} (the most recent "
            "response, by date then file name) is the one scored: nothing of this document is in the scorecard",
    # the command line itself (E450-E459): an argument argparse cannot place (an unknown flag, a missing argument)
    "E450": "{command}: {detail}; `{command} --help` lists its arguments",
    # configuration (pipeline/data/config.toml, --config FILE): each names the file and the key
    "E430": "configuration {path}: unknown key '{key}' (known: {known})",
    "E431": "configuration {path}: '{key}' must be {expected}, got {got}",
    "E432": "configuration {path}: '{key}' is {value}, must be {wanted}",
    "E433": "configuration {path} cannot be read: {detail}",
    "E434": "configuration {path}: '{key}' is missing",
    # register extraction (python -m pipeline register extract)
    "E410": "{path}: cannot extract a register: {detail}",
    "E411": "{path}: {item} is worded differently on page {first} and page {second}: "
            "check the report (a register holds its exact wording)",
    "E412": "{path}: no {what} printed in the report: give {flag}",
    "E413": "{path}: {item}: {detail}",
    "E414": "the register extracted from {path} fails the register checks, nothing written: {detail}",
    "E416": "{path}: not an inspectorate report but {what} (its first lines say '{text}'): extract the "
            "register from the HMICFRS report itself",
    "E415": "--force '{value}' is not a force of pipeline/data/forces.csv (use its name or short name, e.g. 'Surrey')",
    # collect (websites -> files + sources.csv): on the command line E501-E503 and E517 stop the run (exit 2);
    # E501 for a row of a --sources list, and E504-E516, are failed rows of sources.csv
    "E501": "not an http(s) URL: '{url}'",
    "E502": "sources list {path} is invalid: {detail}",
    "E503": "{path} is not a sources.csv this project can read: {detail}",
    "E504": "host not found (DNS): {host}",
    "E505": "could not connect to {host}: {detail}",
    "E506": "timed out after {seconds:g} s",
    "E507": "HTTP {status}{detail}",
    "E508": "forbidden by {host}/robots.txt",
    "E509": "robots.txt of {host} could not be read ({detail}): nothing requested from that host",
    "E510": "redirected to another host, {host}: not followed (allow it with --allow-host {host})",
    "E511": "too many redirects (over {limit})",
    "E512": "bad redirect: {detail}",
    "E513": "larger than the size cap of {limit}: dropped",
    "E514": "not a response document: {detail}",
    "E515": "index page is not HTML: {detail}",
    "E516": "asked to retry after {seconds:g} s, over the {limit:g} s this run waits: not retried",
    "E517": "cannot write to the output folder {path}: {detail}",
}


#: Codes of notes on a document that was scored in full (a row of ``errors.csv`` without a page that is no failure).
NOTES: frozenset[str] = frozenset({"E120", "E318"})
#: Codes of a note on a scored file whose reviews (``--reviews``) match none of its passages now.
UNMATCHED_REVIEWS: frozenset[str] = frozenset({"E318"})
#: Page-level codes whose page was scored without (part of) its text; the other page-level code (E113) was read, by
#: OCR below the confidence floor.
PAGE_MISSING: frozenset[str] = frozenset({"E110", "E111", "E112", "E122"})
#: Codes of a document that was scored but left out of the scorecard for another response of its force (a row of
#: ``errors.csv`` without a page, so that every input document is accounted for).
SUPERSEDED: frozenset[str] = frozenset({"E447"})
#: Codes of an input file whose bytes are another input's (the same sha256): the document is counted once, under the
#: other file's name, and this row names the copy.
DUPLICATES: frozenset[str] = frozenset({"E449"})


#: What E416 calls a document ``register extract`` refuses, by the ``[response]`` rule of ``register.toml`` it met.
NOT_A_REPORT: dict[str, str] = {"response": "a response to one", "paper": "a panel's or committee's paper about one"}


class PipelineError(Exception):
    """An expected failure: a code from :data:`MESSAGES` plus the details its template needs."""

    def __init__(self, code: str, **details: object) -> None:
        if code not in MESSAGES:
            raise KeyError(f"unknown error code {code}")
        self.code = code
        self.details = details
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The filled-in message, without the code."""
        return MESSAGES[self.code].format(**self.details)

    def problem(self, source: str, sha256: str = "") -> Problem:
        """This error as a :class:`Problem` row for the run report."""
        return Problem(source=source, code=self.code, message=self.message, sha256=sha256)


def format_problem(problem: Problem) -> str:
    """One line for the terminal: ``file: CODE message``."""
    return f"{problem.source}: {problem.code} {problem.message}"
