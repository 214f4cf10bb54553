"""HTML pages as articles: the main text (trafilatura) in blocks, menus and scripts dropped."""

from __future__ import annotations

import re
from pathlib import Path

from index.article import Article
from index.text import strip_boilerplate
from qa.errors import LoadError


def blocks(extracted: str) -> str:
    """Text extracted from HTML with each line (heading, paragraph, list item) a paragraph."""
    # the blank line keeps a heading out of the sentence below it ("Bakery wins award" over
    # "The Golden Crust bakery won...")
    return re.sub(r"[ \t]*\n\s*", "\n\n", extracted.strip())


def text_outside_menus(html: str) -> str:
    """The page's text outside navigation (nav, header, menu) and scripts, parsed as trafilatura does."""
    import lxml.etree
    import lxml.html
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:  # a fragment ("<p>Short note.</p>"), which trafilatura will not load
        try:
            tree = lxml.html.fragment_fromstring(html, create_parent="div")
        except (lxml.etree.ParserError, ValueError):
            return ""
    drop = "//nav|//header|//menu|//script|//style|//noscript|//template|//head"
    for elem in tree.xpath(f"{drop}|//*[@role='navigation' or @role='banner']"):
        elem.drop_tree()
    return " ".join(str(tree.text_content()).split())


def article_from_html(html: str, article_id: str, path: str, url: str = "") -> Article:
    """Extract an article's main text and metadata from HTML (menus and scripts dropped)."""
    import trafilatura

    # a fragment ("<article>…</article>", a lone <p>) is read as the body of a page: trafilatura
    # finds no text in one that is not wrapped
    page = (
        html
        if re.search(r"<(html|head|body|title)\b", html, re.I)
        else f"<html><body>{html}</body></html>"
    )
    doc = trafilatura.bare_extraction(page, url=url or None, with_metadata=True, favor_recall=True)
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    if not text.strip():
        text = trafilatura.html2txt(page) or ""
    text = blocks(strip_boilerplate(text))
    if text and len(text) < 500 and not (re.search(r"\w", text) and text_outside_menus(html)):
        text = ""  # a short text that all lies in menus ("Home | News"), or has no word: none
    if not text:
        if re.search(r"<title\b", html, re.I) and not re.search(r"</title\s*>", html, re.I):
            raise LoadError(
                path,
                "no readable article text: its <title> is never closed, so the page is all title",
            )
        raise LoadError(path, "no readable article text found in this HTML page")

    def meta(name: str) -> str:
        return str(getattr(doc, name, None) or "") if doc is not None else ""

    return Article(
        id=article_id,
        text=text,
        title=meta("title") or Path(path).stem,
        url=url or meta("url"),
        source=meta("sitename") or meta("hostname"),
        published=meta("date"),
        path=path,
    )
