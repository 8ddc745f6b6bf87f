"""HMICFRS-style reports drawn for the register extraction tests, from a register (an Inspection).

Each helper takes the :class:`~pipeline.types.Inspection` the report should
yield and writes a report in one of the layouts HMICFRS publishes, so a test
can check that ``register extract`` gives the same items back word for word:

* :func:`draw_thematic_pdf` -- a national thematic: a cover with the title and
  the publication date, a summary repeating every recommendation, chapters of
  body text with each item in a shaded box ("Recommendation 4",
  "Area for improvement 1", "Cause of concern 1"), long enough that boxes
  break across pages, and on every page a running header (the short title)
  and a page number.
* :func:`draw_peel_pdf` -- a force's PEEL report: graded sections, unnumbered
  "Cause of concern" boxes each followed by a "Recommendations" box (a lead
  ending in a colon, then bullets with no punctuation of their own), and
  unnumbered "Area for improvement" boxes; the causes repeated in a summary.
* :func:`write_publication_html` -- the report's web page (gov.uk/HMICFRS-like):
  site header, navigation, breadcrumbs and footer around a ``<main>`` with
  the title, "Published on:", and each item in a callout.

The synthetic registers :data:`PEEL_REGISTER` and :data:`HTML_REGISTER` are
invented wording (no real report's), naming non-reserved forces only.
"""

from __future__ import annotations

import re
from datetime import date
from html import escape as html_escape
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pipeline.types import Finding, Inspection, Recommendation
from tests.pdf_fixtures import font_name

LABELS = {"recommendation": "Recommendation", "cause_of_concern": "Cause of concern",
          "area_for_improvement": "Area for improvement"}

#: Body text between boxes: invented, long enough to push boxes across page breaks.
FILLER = ("We examined how the service meets the demand it faces and spoke to officers, staff and leaders "
          "in the forces we visited. We reviewed documents and case files, and we held focus groups. "
          "What we found varied from force to force, and in several places it was not good enough.")


def display_pieces(text: str) -> list[tuple[str, bool]]:
    """How a register text is laid out in a box: ``(line, is_bullet)`` pairs.

    A lead ending in a colon followed by "; "-separated items becomes the lead
    and one bullet per item, each keeping its ";" (and a following "and"/"or"),
    as HMICFRS prints them; a sentence after the last item is its own
    paragraph. Joining the lines with spaces gives ``text`` back.
    """
    match = re.match(r"^(.*?:) (.*; .*)$", text)
    if not match:
        return [(text, False)]
    lead, rest = match.groups()
    tail = ""
    last_semicolon = rest.rfind("; ")
    end = rest.find(". ", last_semicolon)
    if end != -1:
        rest, tail = rest[:end + 1], rest[end + 2:]
    items = rest.split("; ")
    bullets = []
    for k, item in enumerate(items):
        if k < len(items) - 1:
            following = items[k + 1]
            joint = re.match(r"^(and|or) ", following)
            if joint:
                items[k + 1] = following[len(joint.group(0)):]
                bullets.append(f"{item}; {joint.group(1)}")
            else:
                bullets.append(f"{item};")
        else:
            bullets.append(item)
    pieces = [(lead, False)] + [(b, True) for b in bullets]
    if tail:
        pieces.append((tail, False))
    return pieces


def _styles() -> dict[str, ParagraphStyle]:
    font = font_name()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=13, spaceAfter=7)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=24, spaceAfter=18),
        "h1": ParagraphStyle("h1", parent=body, fontSize=15, leading=19, spaceBefore=10, spaceAfter=9),
        "label": ParagraphStyle("label", parent=body, fontSize=11, leading=14),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=4),
    }


def _para(text: str, style: ParagraphStyle, bullet: bool = False) -> Paragraph:
    # the bullet glyph inline, as word processors export it (reportlab's bulletText is drawn apart and lost)
    return Paragraph(("\u2022 " if bullet else "") + escape(text), style)


def _box(label: str, pieces: Sequence[tuple[str, bool]], width: float, styles: dict) -> Table:
    """A shaded, ruled box whose rows (label, lines, bullets) may split across a page break, as in the reports."""
    rows = [[_para(label, styles["label"])]]
    rows += [[_para(text, styles["bullet"] if bullet else styles["body"], bullet)] for text, bullet in pieces]
    table = Table(rows, colWidths=[width])
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#1d3f6e")),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#e8eef7")),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
    ]))
    return table


def _build(path: Path, story: list, running_header: str) -> Path:
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2.5 * cm, rightMargin=2.5 * cm,
                            topMargin=2.5 * cm, bottomMargin=2.5 * cm)

    def furniture(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(font_name(), 8)
        canvas.drawString(2.5 * cm, A4[1] - 1.5 * cm, running_header)
        canvas.drawRightString(A4[0] - 2.5 * cm, 1.2 * cm, str(document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return path


def _width() -> float:
    return A4[0] - 5 * cm


def _published_line(day: date) -> str:
    return f"Published: {day.day} {day:%B %Y}"


def _filler(n: int, styles: dict) -> list:
    return [_para(FILLER, styles["body"]) for _ in range(n)]


def draw_thematic_pdf(inspection: Inspection, path: str | Path, *, running_header: str | None = None) -> Path:
    """A national thematic report of ``inspection`` (see the module docstring); returns the path."""
    styles, width = _styles(), _width()
    story: list = [_para(inspection.title, styles["title"]), _para(_published_line(inspection.published), styles["body"]),
                   PageBreak(), _para("Contents", styles["h1"]), _para("Summary 2", styles["body"]),
                   _para("Findings 4", styles["body"]), PageBreak(),
                   _para("Summary", styles["h1"])] + _filler(2, styles)
    story.append(_para("Recommendations", styles["h1"]))
    for rec in inspection.recommendations:
        story.append(_para(f"Recommendation {rec.number}", styles["label"]))
        story += [_para(text, styles["bullet"] if bullet else styles["body"], bullet)
                  for text, bullet in display_pieces(rec.text)]
    story.append(PageBreak())
    causes = {c.number: c for c in inspection.causes_of_concern}
    boxed: set[str] = set()
    for k, rec in enumerate(inspection.recommendations):
        story.append(_para(f"Finding {k + 1}", styles["h1"]))
        story += _filler(1 + k % 3, styles)
        if rec.cause_of_concern is not None and rec.cause_of_concern not in boxed:
            cause = causes[rec.cause_of_concern]
            story.append(_box(f"Cause of concern {cause.number}", display_pieces(cause.text), width, styles))
            story.append(Spacer(1, 4))
            boxed.add(cause.number)
        story.append(_box(f"Recommendation {rec.number}", display_pieces(rec.text), width, styles))
        story.append(Spacer(1, 8))
    for cause in inspection.causes_of_concern:
        if cause.number not in boxed:
            story += _filler(1, styles) + [_box(f"Cause of concern {cause.number}", display_pieces(cause.text), width, styles)]
    for afi in inspection.areas_for_improvement:
        story += _filler(2, styles) + [_box(f"Area for improvement {afi.number}", display_pieces(afi.text), width, styles),
                                       Spacer(1, 8)]
    story += [_para("Conclusion", styles["h1"])] + _filler(2, styles)
    return _build(Path(path), story, running_header or inspection.title)


# --- a force's PEEL report ------------------------------------------------------

PEEL_FORCE = "Surrey"
PEEL_REGISTER = Inspection(
    id="peel-2025-surrey-example",
    title="PEEL 2025: An inspection of Surrey Police",
    published=date(2025, 6, 12),
    aliases=("PEEL 2025: An inspection of Surrey Police",),
    force=PEEL_FORCE,
    causes_of_concern=(
        Finding("cause_of_concern", "1", "The force does not answer emergency and non-emergency calls quickly "
                                         "enough, and it does not always identify the vulnerability of callers."),
        Finding("cause_of_concern", "2", "The force is not doing enough to make sure that investigations are "
                                         "supervised and that victims are kept informed."),
    ),
    recommendations=(
        Recommendation("1", "Within three months, the force should: make sure it has enough call handlers to answer "
                            "calls within national standards; use a structured triage tool for every call; "
                            "record the vulnerability of every caller",
                       "forces", "the force", None, "Within three months", "1"),
        Recommendation("2", "Within six months, the force should: make sure supervisors review every open "
                            "investigation each month; tell victims of the progress of their case",
                       "forces", "the force", None, "Within six months", "2"),
    ),
    areas_for_improvement=(
        Finding("area_for_improvement", "1", "The force should make sure it records equality data when it uses "
                                             "stop and search powers."),
        Finding("area_for_improvement", "2", "The force should improve how it shares what it learns from "
                                             "complaints with its workforce. It should check that the learning "
                                             "is understood."),
        Finding("area_for_improvement", "3", "The force should make sure that its plans for the workforce match "
                                             "the demand it expects."),
    ),
)


def draw_peel_pdf(inspection: Inspection, path: str | Path, force_name: str) -> Path:
    """A force's PEEL report of ``inspection`` (see the module docstring); returns the path.

    Recommendations are drawn as a lead and bullets without punctuation: the
    register's "; " between them is what extraction must put back.
    """
    styles, width = _styles(), _width()

    def peel_pieces(text: str) -> list[tuple[str, bool]]:
        lead, rest = text.split(": ", 1)
        items = re.split(r"; (?:and )?", rest)
        return [(lead + ":", False)] + [(item, True) for item in items]

    story: list = [_para("PEEL 2025", styles["body"]), _para(inspection.title, styles["title"]),
                   _para(f"Police effectiveness, efficiency and legitimacy of {force_name}", styles["body"]),
                   _para(_published_line(inspection.published), styles["body"]), PageBreak(),
                   _para("Overall summary", styles["h1"])] + _filler(1, styles)
    story.append(_para("Causes of concern", styles["h1"]))
    for cause in inspection.causes_of_concern:
        story.append(_box("Cause of concern", [(cause.text, False)], width, styles))
        story.append(Spacer(1, 6))
    story.append(PageBreak())
    grades = ["Responding to the public: Inadequate", "Investigating crime: Requires improvement",
              "Police powers and public treatment: Adequate", "Good use of resources: Good"]
    afis = list(inspection.areas_for_improvement)
    for k, grade in enumerate(grades):
        story.append(_para(grade, styles["h1"]))
        story += _filler(2, styles)
        if k < len(inspection.causes_of_concern):
            cause = inspection.causes_of_concern[k]
            story.append(_box("Cause of concern", [(cause.text, False)], width, styles))
            story.append(Spacer(1, 4))
            for rec in inspection.cause_recommendations(cause.number):
                story.append(_box("Recommendations", peel_pieces(rec.text), width, styles))
            story.append(Spacer(1, 6))
        if k >= 1 and afis:
            afi = afis.pop(0)
            # a second sentence is a paragraph of its own in the box
            pieces = [(sentence, False) for sentence in re.split(r"(?<=\.) ", afi.text, maxsplit=1)]
            story += _filler(1, styles) + [_box("Area for improvement", pieces, width, styles), Spacer(1, 6)]
        story += _filler(1, styles)
    return _build(Path(path), story, f"PEEL 2025: {force_name}")


# --- an HMICFRS publication page ------------------------------------------------

HTML_REGISTER = Inspection(
    id="example-custody-2025",
    title="An inspection of the police response to people held in custody",
    published=date(2025, 2, 4),
    aliases=("An inspection of the police response to people held in custody",),
    causes_of_concern=(
        Finding("cause_of_concern", "1", "Too many forces do not check the welfare of detained people often enough."),
    ),
    recommendations=(
        Recommendation("1", "By 30 September 2025, chief constables should make sure every custody record shows "
                            "when each welfare check was made.",
                       "forces", "chief constables", date(2025, 9, 30), "", "1"),
        Recommendation("2", "By 31 December 2025, the College of Policing, in consultation with the National Police "
                            "Chiefs' Council, should update its guidance on the care of detained children. Forces "
                            "should then train custody staff in the updated guidance.",
                       "national", "College of Policing; forces", date(2025, 12, 31)),
        Recommendation("3", "Immediately, forces should stop holding children in cells overnight when other "
                            "accommodation is available.", "forces", "forces", None, "Immediately"),
    ),
    areas_for_improvement=(
        Finding("area_for_improvement", "1", "Forces should improve how they record the use of force in custody."),
    ),
)


def write_publication_html(inspection: Inspection, path: str | Path) -> Path:
    """The report's HMICFRS-like web page (see the module docstring); returns the path."""
    def callout(label: str, text: str) -> str:
        body = []
        bullets: list[str] = []
        for line, bullet in display_pieces(text):
            if bullet:
                bullets.append(f"<li>{html_escape(line)}</li>")
            else:
                if bullets:
                    body.append(f"<ul>{''.join(bullets)}</ul>")
                    bullets = []
                body.append(f"<p>{html_escape(line)}</p>")
        if bullets:
            body.append(f"<ul>{''.join(bullets)}</ul>")
        return f'<div class="callout callout--box"><h3 class="callout__title">{html_escape(label)}</h3>{"".join(body)}</div>'

    causes = {c.number: c for c in inspection.causes_of_concern}
    sections = []
    shown: set[str] = set()
    for rec in inspection.recommendations:
        parts = [f"<p>{html_escape(FILLER)}</p>"]
        if rec.cause_of_concern and rec.cause_of_concern not in shown:
            parts.append(callout(f"Cause of concern {rec.cause_of_concern}", causes[rec.cause_of_concern].text))
            shown.add(rec.cause_of_concern)
        parts.append(callout(f"Recommendation {rec.number}", rec.text))
        sections.append("".join(parts))
    for afi in inspection.areas_for_improvement:
        sections.append(f"<p>{html_escape(FILLER)}</p>" + callout(f"Area for improvement {afi.number}", afi.text))
    summary = "".join(f"<li><strong>Recommendation {r.number}</strong> {html_escape(r.text)}</li>"
                      for r in inspection.recommendations)
    page = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{html_escape(inspection.title)} - HMICFRS</title>
<script>window.dataLayer = [];</script><style>.callout{{border:1px solid #1d3f6e}}</style></head>
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<header class="site-header"><div class="logo">HMICFRS</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/publications/">Publications</a></li>
<li><a href="/our-work/">Our work</a></li></ul></nav></header>
<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li>
<li><a href="/publications/">Publications</a></li></ol></nav>
<main id="main-content">
<article>
<h1>{html_escape(inspection.title)}</h1>
<p class="publication-meta">Published on: {inspection.published.day} {inspection.published:%B %Y}</p>
<h2>Summary</h2>
<p>{html_escape(FILLER)}</p>
<h2>Our recommendations in brief</h2>
<ol class="summary-list">{summary}</ol>
<h2>Findings</h2>
{''.join(sections)}
<h2>Conclusion</h2><p>{html_escape(FILLER)}</p>
</article>
</main>
<footer class="site-footer"><p>&copy; Crown copyright</p><ul><li><a href="/cookies/">Cookies</a></li></ul></footer>
</body></html>
"""
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
