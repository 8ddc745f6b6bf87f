"""PCC web pages for tests: a normalised seed wrapped in the site chrome of the page shapes PCC sites use.

:func:`wrap_seed_html` renders a seed's lines as HTML (headings for
"Recommendation N" lines, paragraphs, tables for `` | `` rows) inside one of
four shapes: a WordPress page, a ModernGov committee item page (mgAi.aspx),
a gov.uk-style page and a page saved from a browser (plain ``<div>``s,
scripts left in). Every shape carries the chrome that must never become a
passage: a cookie notice (:data:`COOKIE_NOTICE`), navigation and
breadcrumbs, a "related documents" or "latest news" aside whose items name
recommendations (:data:`NEWS_ITEM`), and a footer. The wording is written
for these tests.
"""

from __future__ import annotations

import re
from html import escape

SHAPES = ("wordpress", "moderngov", "govuk", "saved")
CELL = " | "
COOKIE_NOTICE = ("We use cookies to make this website work and to understand how you use it. We have completed a "
                 "review of the cookies we set and we will continue to ask for your consent before any optional "
                 "cookie is used. You can accept all cookies, reject optional cookies or change your settings at any "
                 "time; we will remember your choice for twelve months.")
NEWS_ITEM = ("Commissioner welcomes custody report: the force has completed recommendation 10 and recommendation 12 "
             "and has already delivered recommendation 22 in full")
RELATED = "Response to recommendation 9 of the 2023 PEEL inspection (PDF, 120 KB)"
_LABEL = re.compile(r"^(?:Recommendation|Argymhelliad) \d+$")


def _content(seed_text: str) -> str:
    out: list[str] = []
    rows: list[str] = []

    def flush() -> None:
        if rows:
            body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row.split(CELL)) + "</tr>" for row in rows)
            out.append(f'<table class="response-table"><tbody>{body}</tbody></table>')
            rows.clear()

    for line in seed_text.split("\n"):
        if CELL in line:
            rows.append(line if not line.startswith("| ") else CELL + line[2:])
            continue
        flush()
        if not line.strip():
            continue
        if _LABEL.match(line):
            out.append(f"<h3>{escape(line)}</h3>")
        elif line.startswith("- "):
            out.append(f"<ul><li>{escape(line[2:])}</li></ul>")
        else:
            out.append(f"<p>{escape(line)}</p>")
    flush()
    return "\n".join(out)


def wrap_seed_html(seed_text: str, shape: str, title: str) -> bytes:
    """The seed as a web page of ``shape`` (one of :data:`SHAPES`) titled ``title``; UTF-8 bytes."""
    content = _content(seed_text)
    t = escape(title)
    if shape == "wordpress":
        page = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8"><title>{t} &#8211; Office of the Police and \
Crime Commissioner</title>
<link rel="stylesheet" href="/wp-content/themes/pcc/style.css"><script>window.dataLayer=window.dataLayer||[];</script></head>
<body class="page-template-default page page-id-4512">
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cookie-revoke-hidden cn-position-bottom"><div \
class="cookie-notice-container"><span id="cn-notice-text" class="cn-text-container">{COOKIE_NOTICE}</span><span \
id="cn-notice-buttons"><a href="#" class="cn-set-cookie cn-button">Accept all</a><a href="#" class="cn-button">Reject \
optional</a></span></div></div>
<div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="/">Police and Crime \
Commissioner</a></p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu"><li><a href="/">Home</a></li><li><a \
href="/about/">About</a></li><li><a href="/hmicfrs/">HMICFRS responses</a></li><li><a href="/contact/">Contact</a></li></ul>\
</nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-4512" class="post-4512 page type-page status-publish hentry"><header class="entry-header"><h1 \
class="entry-title">{t}</h1></header>
<div class="entry-content">
{content}
</div></article></main></div>
<aside id="secondary" class="widget-area"><section id="recent-posts-2" class="widget widget_recent_entries"><h2 \
class="widget-title">Latest news</h2><ul><li><a href="/news/custody/">{NEWS_ITEM}</a></li><li><a href="/news/budget/">Budget \
consultation opens</a></li></ul></section>
<section class="widget widget_text"><h2 class="widget-title">Related documents</h2><div class="textwidget"><p><a \
href="/doc.pdf">{RELATED}</a></p></div></section></aside></div>
<footer id="colophon" class="site-footer"><div class="site-info">&copy; 2024 Office of the Police and Crime Commissioner. \
All rights reserved. <a href="/privacy/">Privacy</a> <a href="/accessibility/">Accessibility statement</a></div></footer></div>
<script>document.getElementById('cookie-notice').className='';</script></body></html>"""
    elif shape == "moderngov":
        page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" \
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta http-equiv="Content-Type" content="text/html; \
charset=utf-8" /><title>Agenda item - {t}</title>
<script type="text/javascript" src="jquery-ui/js/jquery-3.5.1.min.js"></script></head>
<body><div id="mgCookieBanner" class="mgCookieBanner"><p>{COOKIE_NOTICE}</p><input type="button" value="Accept" /></div>
<div id="mgHeader"><div class="mgHeaderLogo"><a href="/">Police and Crime Panel</a></div><div class="mgSearch">\
<label>Search</label></div></div>
<div id="mgBreadCrumbs" class="mgBreadCrumbs"><ul><li><a href="ieDocHome.aspx">Home</a></li><li><a \
href="ieListMeetings.aspx?CId=150">Police and Crime Panel</a></li><li><a href="ieListDocuments.aspx?MId=2024">Meeting</a>\
</li><li>Agenda item</li></ul></div>
<div id="modgov"><div class="mgLeftCol"><div class="mgLinks"><ul><li><a href="mgCalendarMonthView.aspx">Calendar</a></li><li>\
<a href="mgListCommittees.aspx">Committees</a></li><li><a href="mgMemberIndex.aspx">Councillors</a></li></ul></div></div>
<div class="mgContent"><h1 class="mgMainTitleTxt">Agenda item</h1><h2 class="mgSubTitleTxt">{t}</h2>
<div class="mgAiTitleTxt"><p>Meeting: Police and Crime Panel - 5 December 2024</p></div>
<div class="mgWordPara">
{content}
</div>
<div class="mgSideBar" id="mgSideBar"><h2 class="mgSectionTitle">Supporting documents</h2><ul class="mgActionList"><li><a \
href="documents/s1.pdf">{RELATED}</a></li><li><a href="documents/s2.pdf">{NEWS_ITEM}</a></li></ul></div>
</div></div>
<div id="mgFooter" class="mgFooter"><p>Police and Crime Panel, County Hall. Contact the democratic services team. <a \
href="/privacy">Privacy notice</a></p></div>
</body></html>"""
    elif shape == "govuk":
        page = f"""<!DOCTYPE html><html lang="en" class="govuk-template"><head><meta charset="utf-8"><title>{t} - \
GOV.UK</title></head>
<body class="govuk-template__body"><script>document.body.className += ' js-enabled';</script>
<div id="global-cookie-message" class="gem-c-cookie-banner govuk-clearfix" data-module="cookie-banner" role="region" \
aria-label="Cookies on GOV.UK"><div class="govuk-cookie-banner"><h2 class="govuk-cookie-banner__heading">Cookies on \
GOV.UK</h2><div class="govuk-cookie-banner__content"><p>{COOKIE_NOTICE}</p></div><button class="govuk-button">Accept \
additional cookies</button></div></div>
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<header class="govuk-header" role="banner"><div class="govuk-header__container"><a href="/" \
class="govuk-header__link">GOV.UK</a><nav class="govuk-header__navigation"><ul><li><a href="/browse">Services</a></li><li><a \
href="/government">Departments</a></li></ul></nav></div></header>
<div class="govuk-width-container"><div class="govuk-breadcrumbs"><ol class="govuk-breadcrumbs__list"><li \
class="govuk-breadcrumbs__list-item"><a href="/">Home</a></li><li class="govuk-breadcrumbs__list-item"><a \
href="/crime-justice-and-law">Crime, justice and law</a></li></ol></div>
<main class="govuk-main-wrapper" id="main-content" role="main"><div class="govuk-grid-row"><div \
class="govuk-grid-column-two-thirds"><span class="govuk-caption-xl">Correspondence</span><h1 class="govuk-heading-xl">{t}</h1>
<p class="gem-c-lead-paragraph">Published 16 December 2024</p>
<div class="govuk-govspeak">
{content}
</div></div>
<div class="govuk-grid-column-one-third"><aside class="gem-c-related-navigation" role="complementary"><h2 \
class="gem-c-related-navigation__main-heading">Related content</h2><ul><li><a href="/a">{RELATED}</a></li><li><a \
href="/b">{NEWS_ITEM}</a></li></ul></aside></div></div></main></div>
<footer class="govuk-footer" role="contentinfo"><div class="govuk-footer__meta"><a href="/help">Help</a> <a \
href="/help/privacy-notice">Privacy</a> All content is available under the Open Government Licence v3.0, except where \
otherwise stated</div></footer>
</body></html>"""
    elif shape == "saved":
        page = f"""<html><head><meta charset="utf-8"><title>{t}</title>
<script>!function(e,t){{var n=t.createElement("script");n.async=1;n.src="https://example.invalid/tag.js";}}(window,document);\
</script>
<script type="application/ld+json">{{"@type":"WebPage","name":"{t}","description":"The force has completed recommendation \
16"}}</script>
<style>.top{{display:flex}} .consent{{position:fixed;bottom:0}}</style></head>
<body><div class="top"><div class="logo"><a href="/"><img src="logo.png" alt="Police and Crime Commissioner"></a></div>
<div class="links"><a href="/">Home</a> <a href="/about">About us</a> <a href="/news">News</a> <a \
href="/publications">Publications</a> <a href="/contact">Contact</a></div></div>
<div class="consent" id="consent"><div>{COOKIE_NOTICE}</div><div><span onclick="accept()">Accept</span> <span \
onclick="reject()">Reject</span></div></div>
<div class="trail"><a href="/">Home</a> &gt; <a href="/publications">Publications</a> &gt; <span>{t}</span></div>
<div class="wrapper"><div class="col-main"><div class="page-title">{t}</div>
{content}
</div>
<div class="col-side"><div class="box"><div class="box-title">Latest news</div><div class="box-item"><a \
href="/news/1">{NEWS_ITEM}</a></div><div class="box-item"><a href="/news/2">Have your say on the police budget</a></div></div>
<div class="box"><div class="box-title">Related documents</div><div class="box-item"><a href="/d/1.pdf">{RELATED}</a></div>\
</div></div></div>
<div class="bottom"><div>Office of the Police and Crime Commissioner &middot; <a href="/privacy">Privacy</a> &middot; <a \
href="/accessibility">Accessibility</a> &middot; &copy; 2024</div></div>
<script>function accept(){{document.cookie="c=1";document.getElementById("consent").remove();}}</script>
<noscript><img src="https://example.invalid/pixel.gif" alt=""></noscript></body></html>"""
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return page.encode("utf-8")
