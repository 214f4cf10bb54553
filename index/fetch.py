"""Fetch articles from the web: one page, or the entries of an RSS/Atom feed."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlparse

import httpx

from index.article import Article
from index.dates import normalize_published
from index.encoding import decode_bytes
from index.html import article_from_html, blocks
from index.text import strip_boilerplate
from qa.errors import LoadError

USER_AGENT = "article-qa/0.1 (fetches the articles its user asked for)"
FEED_TYPES = ("rss", "atom", "rdf", "/xml", "+xml")
# Whole-page budget: the client's timeout is per read, so a server dripping a byte at a time
# would otherwise hold an ingest (or an API worker) for as long as it likes.
DOWNLOAD_DEADLINE_S = 30.0
# Content types worth naming when refused: what a link to them usually is.
MEDIA_KINDS = {
    "application/pdf": "a PDF",
    "image/": "an image",
    "audio/": "audio",
    "video/": "a video",
}


def make_client(timeout: float = 10.0) -> httpx.Client:
    """An HTTP client with timeouts and a bounded number of redirects."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        max_redirects=5,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
        },
    )


def check_url(url: str) -> str:
    """The URL stripped, or a LoadError when it is not an http(s) URL."""
    url = url.strip()
    try:
        parsed = urlparse(url)
        host = parsed.hostname  # raises for a bad port or an unclosed IPv6 bracket
        parsed.port  # noqa: B018
    except ValueError as exc:
        raise LoadError(url, f"not a valid web address ({exc})") from None
    if parsed.scheme not in ("http", "https") or not host:
        hint = "give a URL starting with http:// or https://"
        bare_file = "/" not in url and re.search(r"\.(html?|txt|md|jsonl?|xml|rss|atom|pdf)$", url)
        if not parsed.scheme and not bare_file and re.match(r"[\w-]+(\.[\w-]+)+(:\d+)?(/|$)", url):
            hint = f"did you mean http://{url} ?"  # "127.0.0.1:8765/story.html", "example.com/a"
        raise LoadError(url or "(empty)", f"not a web address: {hint}")
    return url


def fetch_bytes(client: httpx.Client, url: str, max_bytes: int) -> tuple[bytes, str, str]:
    """Body (at most `max_bytes`, after decompression), content type and final URL of a GET."""
    # checked between reads: the whole page takes at most the deadline plus one read timeout
    deadline = time.monotonic() + DOWNLOAD_DEADLINE_S
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise LoadError(
                    url, f"the server answered HTTP {response.status_code}; check the address"
                )
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise LoadError(
                    url,
                    f"the page is {declared / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB cap",
                )
            chunks, total = [], 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise LoadError(url, f"the page is over the {max_bytes / 1e6:.0f} MB cap")
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise LoadError(url, too_slow())
            content_type = response.headers.get("content-type", "").lower()
            return b"".join(chunks), content_type, str(response.url)
    except httpx.TimeoutException:
        raise LoadError(
            url, "the server did not answer in time; check the address or try again later"
        ) from None
    except httpx.ConnectError as exc:
        raise LoadError(url, unreachable(url, exc)) from None
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        raise LoadError(url, f"could not fetch it ({type(exc).__name__}: {exc})") from None


def unreachable(url: str, exc: Exception) -> str:
    """Why a connection failed, in words: no such host (or no network), or nothing listening."""
    host = urlparse(url).hostname or url
    cause = str(exc)
    if (
        "Name or service not known" in cause
        or "nodename nor servname" in cause
        or ("getaddrinfo" in cause or "Temporary failure in name resolution" in cause)
    ):
        return (
            f"could not find the host {host} (no network here, or a mistyped address): "
            "check the address and the connection, or save the page and ingest the file"
        )
    if "refused" in cause.lower():
        return f"nothing answered at {host} (connection refused): check the address and port"
    return f"could not connect to {host} ({cause}): check the address and the connection"


def too_slow() -> str:
    """The reason given for a page that took longer than the deadline to download."""
    return (
        f"took longer than {DOWNLOAD_DEADLINE_S:g} s to download: the server sends it too slowly;"
        " try again later, or save the page and ingest the file"
    )


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """Whether a response is an RSS/Atom feed (by its type, else by its first tags)."""
    media = content_type.split(";")[0].strip()
    if media in ("text/html", "application/xhtml+xml"):
        return False
    head = body[:2048].lower()
    if b"<html" in head:
        return False
    return any(t in media for t in FEED_TYPES) or any(
        t in head for t in (b"<rss", b"<feed", b"<rdf:rdf")
    )


def text_of(body: bytes, content_type: str, url: str) -> str:
    """Decode a response body, honouring the declared charset."""
    charset = content_type.partition("charset=")[2].split(";")[0].strip().strip("\"'")
    if charset:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(body, url)


def unreadable_type(content_type: str) -> str | None:
    """Why a page of this content type is not read (a PDF, an image, ...), or None to read it."""
    media = content_type.split(";")[0].strip()
    if not media or media == "text/plain" or any(t in media for t in ("html", "xml")):
        return None
    kind = MEDIA_KINDS.get(media) or MEDIA_KINDS.get(media.split("/")[0] + "/")
    return (
        f"{kind + ', ' if kind else ''}not a web page or feed (content type {media}): only HTML"
        " pages, RSS/Atom feeds and plain text are read; save the article's text to a .txt file"
        " and ingest that"
    )


def page_article(body: bytes, content_type: str, url: str) -> Article:
    """An article from an HTML (or plain text) page."""
    if reason := unreadable_type(content_type):  # before decoding: a PDF is not "binary text"
        raise LoadError(url, reason)
    text = text_of(body, content_type, url)
    if content_type.startswith("text/plain"):
        text = strip_boilerplate(text)
        if not text:
            raise LoadError(url, "the page has no text")
        return Article(
            id=url, text=text, title=urlparse(url).path.rsplit("/", 1)[-1] or url, url=url, path=url
        )
    article = article_from_html(text, url, url, url=url)
    if _LISTING.match(article.title):
        raise LoadError(url, "a server's list of files, not an article: give a page's address")
    return article


# what web servers title a folder's file list (Python's http.server, Apache, nginx)
_LISTING = re.compile(r"^(?:Directory listing for|Index of) /", re.IGNORECASE)


def entry_date(entry: Any) -> str:
    """An entry's publication (else update) date: YYYY-MM-DD, else as written, or ''.

    One feedparser cannot read goes on as written: the ingest reads it, or warns it is no date.
    """
    written = ""
    for key in ("published", "updated"):  # `in` first: feedparser warns on reading one not there
        if f"{key}_parsed" in entry and entry[f"{key}_parsed"]:
            return time.strftime("%Y-%m-%d", entry[f"{key}_parsed"])
        written = written or (str(entry[key] or "") if key in entry else "")
    return written


def entry_text(entry: Any) -> str:
    """The text an entry carries itself (full content, else summary), without markup."""
    import trafilatura

    parts = [c.get("value", "") for c in entry.get("content") or []] or [entry.get("summary", "")]
    html = "\n".join(p for p in parts if p)
    if not html.strip():
        return ""
    # html2txt wants a whole document: a bare fragment parses as "not valid HTML".
    return blocks(
        strip_boilerplate(trafilatura.html2txt(f"<html><body>{html}</body></html>") or "")
    )


def feed_file_articles(body: bytes, path: str) -> Iterator[Article | LoadError]:
    """The articles of an RSS/Atom feed saved to a file: each entry's own text (nothing fetched)."""
    import feedparser

    feed = feedparser.parse(body)
    if not feed.entries:
        reason = f" ({feed.bozo_exception})" if feed.get("bozo") else ""
        yield LoadError(path, f"not an RSS or Atom feed with entries{reason}")
        return
    feed_title = str(feed.feed.get("title") or "")
    for n, entry in enumerate(feed.entries, 1):
        link = str(entry.get("link") or "")
        article_id = link or str(entry.get("id") or "")
        title = str(entry.get("title") or "")
        named = f"entry {n} ({title})" if title else f"entry {n}"
        if not article_id:
            yield LoadError(path, f"{named} has neither a link nor an id")
            continue
        text = entry_text(entry)
        if not text:
            yield LoadError(path, f"{named} carries no text (its page is not fetched from a file)")
            continue
        yield Article(
            id=article_id,
            text=text,
            title=title or article_id,
            url=link,
            source=feed_title,
            published=entry_date(entry),
            path=path,
        )


def entry_article(
    entry: Any, feed_title: str, client: httpx.Client, max_bytes: int, feed_url: str = ""
) -> Article:
    """An article for one feed entry: its linked page, else the text the entry carries."""
    link = str(entry.get("link") or "")
    article_id = link or str(entry.get("id") or "")
    if not article_id:
        title = str(entry.get("title") or "")
        named = f"an entry ({title})" if title else "an entry"
        raise LoadError(feed_url or feed_title or "feed", f"{named} has neither a link nor an id")
    page: Article | None = None
    reason = "the entry has no link"
    if link.startswith(("http://", "https://")):
        try:
            body, content_type, final_url = fetch_bytes(client, link, max_bytes)
            page = page_article(body, content_type, final_url)
        except LoadError as err:
            reason = err.reason
    text = page.text if page else entry_text(entry)
    if not text:
        raise LoadError(
            link or article_id, f"no article text ({reason}, and the feed entry has no text)"
        )
    fell_back = page is None and link.startswith(("http://", "https://"))
    published = entry_date(entry)
    if page and page.published and not normalize_published(published)[0]:
        published = page.published  # the page's own date, over one the entry writes unreadably
    return Article(
        id=article_id,
        text=text,
        title=str(entry.get("title") or (page.title if page else "") or article_id),
        url=link,
        source=feed_title or (page.source if page else ""),
        published=published,
        path=link or article_id,
        warning=f"indexed from the feed's summary only: {reason}" if fell_back else "",
    )


def feed_articles(
    body: bytes, url: str, client: httpx.Client, max_bytes: int, max_entries: int
) -> Iterator[Article | LoadError]:
    """The articles of a feed's entries (each entry's page fetched), errors for the rest."""
    import feedparser

    feed = feedparser.parse(body)
    if not feed.entries:
        reason = f" ({feed.bozo_exception})" if feed.get("bozo") else ""
        yield LoadError(url, f"the feed has no entries{reason}")
        return
    feed_title = str(feed.feed.get("title") or urlparse(url).hostname or "")
    entries = feed.entries[:max_entries]
    # a longer feed is cut, and the last entry read says so: nothing is left out unsaid
    cut = (
        f"the feed at {url} lists {len(feed.entries)} entries; only the first {max_entries} "
        "are read"
        if len(feed.entries) > max_entries
        else ""
    )
    for i, entry in enumerate(entries, 1):
        try:
            article = entry_article(entry, feed_title, client, max_bytes, url)
        except LoadError as err:
            if cut and i == len(entries):
                err = LoadError(err.path, f"{err.reason}; {cut}")
            yield err
            continue
        if cut and i == len(entries):
            article = replace(article, warning="; ".join(filter(None, [article.warning, cut])))
        yield article


def fetch_url(
    url: str,
    client: httpx.Client | None = None,
    max_bytes: int = 5_000_000,
    max_entries: int = 50,
) -> Iterator[Article | LoadError]:
    """Articles behind a URL: the page itself, or up to `max_entries` entries of a feed."""
    try:
        url = check_url(url)
    except LoadError as err:
        yield err
        return
    own = client is None
    http = client or make_client()
    try:
        try:
            body, content_type, final_url = fetch_bytes(http, url, max_bytes)
            if not looks_like_feed(content_type, body):
                yield page_article(body, content_type, final_url)
                return
        except LoadError as err:
            yield err
            return
        yield from feed_articles(body, final_url, http, max_bytes, max_entries)
    finally:
        if own:
            http.close()
