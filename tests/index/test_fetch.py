"""Fetching pages and feeds from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from index.article import Article
from index.fetch import fetch_url, looks_like_feed, make_client
from qa.errors import LoadError

PAGE = """<html><head><title>Harbor bridge reopens</title>
<meta property="og:site_name" content="Port Gazette"><meta name="date" content="2021-03-04"></head>
<body><nav>Home | World | Sport</nav><article><h1>Harbor bridge reopens</h1>
<p>The harbor bridge reopened on Thursday after eight months of repairs to its steel cables.</p>
<p>Engineers replaced forty cables and repainted the towers, the city said in a statement.</p>
</article><script>window.bad = 1</script><footer>Copyright 2021</footer></body></html>"""

SECOND = """<html><head><title>Orchard harvest</title></head><body><article>
<p>The apple harvest in the valley doubled this year thanks to a mild spring and late rains.</p>
<p>Growers hired two hundred seasonal pickers to bring the fruit in before the frost.</p>
</article></body></html>"""


def rss(base: str) -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Valley News</title>
<item><title>Bridge back open</title><link>{base}/bridge</link>
<pubDate>Thu, 04 Mar 2021 10:00:00 GMT</pubDate></item>
<item><title>Harvest doubles</title><link>{base}/orchard</link>
<pubDate>Fri, 05 Mar 2021 09:00:00 GMT</pubDate></item>
<item><title>Gone story</title><link>{base}/missing</link>
<description>&lt;p&gt;The summary says the mayor
&lt;b&gt;resigned&lt;/b&gt; on Friday.&lt;/p&gt;</description></item>
<item><title>Empty story</title><link>{base}/missing2</link></item>
</channel></rss>"""


def atom(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom Wire</title><id>urn:wire</id><updated>2021-03-06T00:00:00Z</updated>
<entry><title>Orchard in Atom</title><id>urn:1</id><link href="{base}/orchard"/>
<updated>2021-03-06T08:00:00Z</updated></entry></feed>"""


class Routes(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes, float]] = {}
    asked = threading.Event()  # set by every request

    def do_GET(self) -> None:  # noqa: N802
        self.asked.set()
        status, headers, body, delay = self.routes.get(
            self.path, (404, {"Content-Type": "text/html"}, b"nope", 0)
        )
        if delay:
            time.sleep(delay)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        # the fetcher hangs up on purpose on a page over its size limit, or on a timeout
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    """A local web server; tests fill `Routes.routes` (path -> status, headers, body, delay)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Routes)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    html = {"Content-Type": "text/html; charset=utf-8"}
    Routes.routes = {
        "/bridge": (200, html, PAGE.encode(), 0),
        "/orchard": (200, html, SECOND.encode(), 0),
        "/feed.xml": (200, {"Content-Type": "application/rss+xml"}, rss(base).encode(), 0),
        "/atom": (200, {"Content-Type": "text/plain"}, atom(base).encode(), 0),
        "/big": (
            200,
            {"Content-Type": "text/html", "Content-Length": str(3_000_000)},
            b"x" * 3_000_000,
            0,
        ),
        "/big-undeclared": (200, {"Content-Type": "text/html"}, b"<p>" + b"y" * 3_000_000, 0),
        "/slow": (200, {"Content-Type": "text/html"}, PAGE.encode(), 2.0),
        "/pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 ...", 0),
        "/files/": (
            200,
            {"Content-Type": "text/html"},
            b"<html><head><title>Directory listing for /files/</title></head><body>"
            b"<h1>Directory listing for /files/</h1><ul><li><a href='a.html'>a.html</a></li>"
            b"<li><a href='b.html'>b.html</a></li></ul></body></html>",
            0,
        ),
        "/moved": (301, {"Location": "/bridge"}, b"", 0),
    }
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_page_becomes_one_article_without_menus_or_scripts(site: str) -> None:
    [article] = list(fetch_url(f"{site}/moved"))
    assert isinstance(article, Article)
    assert article.id == article.url == f"{site}/bridge"
    assert article.title == "Harbor bridge reopens"
    assert "forty cables" in article.text
    assert "window.bad" not in article.text and "Home | World" not in article.text


def test_rss_feed_fetches_each_entry_page_and_falls_back_to_the_summary(site: str) -> None:
    items = list(fetch_url(f"{site}/feed.xml"))
    articles = [i for i in items if isinstance(i, Article)]
    errors = [i for i in items if isinstance(i, LoadError)]
    assert [a.title for a in articles] == ["Bridge back open", "Harvest doubles", "Gone story"]
    assert {a.source for a in articles} == {"Valley News"}
    assert [a.published for a in articles[:2]] == ["2021-03-04", "2021-03-05"]
    assert "forty cables" in articles[0].text and "apple harvest" in articles[1].text
    assert articles[2].text == "The summary says the mayor resigned on Friday."
    assert articles[2].id == f"{site}/missing"
    [err] = errors
    assert err.path == f"{site}/missing2" and "HTTP 404" in err.reason


def test_a_feed_past_the_entry_cap_says_so_on_its_last_entry_read(site: str) -> None:
    items = list(fetch_url(f"{site}/feed.xml", max_entries=2))
    assert [i.title for i in items if isinstance(i, Article)] == [
        "Bridge back open",
        "Harvest doubles",
    ]
    first, last = items
    assert isinstance(first, Article) and first.warning == ""
    assert isinstance(last, Article) and last.warning == (
        f"the feed at {site}/feed.xml lists 4 entries; only the first 2 are read"
    )
    # an entry that fails as the last one read carries the note in its reason
    [*_, failed] = list(fetch_url(f"{site}/feed.xml", max_entries=4))
    assert isinstance(failed, LoadError) and "only the first" not in failed.reason
    [*_, failed] = list(fetch_url(f"{site}/feed.xml", max_entries=3))
    assert isinstance(failed, Article) and "summary only" in failed.warning
    assert failed.warning.endswith("lists 4 entries; only the first 3 are read")


def test_atom_feed_is_recognised_by_its_tags(site: str) -> None:
    [article] = list(fetch_url(f"{site}/atom"))
    assert isinstance(article, Article)
    assert (article.title, article.source, article.published) == (
        "Orchard in Atom",
        "Atom Wire",
        "2021-03-06",
    )


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/big", "over the 1 MB cap"),
        ("/big-undeclared", "over the 1 MB cap"),
        ("/nothing", "HTTP 404"),
        ("/pdf", "not a web page or feed (content type application/pdf)"),
        ("/files/", "a server's list of files, not an article"),
    ],
)
def test_failures_are_load_errors_with_a_reason(site: str, path: str, reason: str) -> None:
    [err] = list(fetch_url(f"{site}{path}", max_bytes=1_000_000))
    assert isinstance(err, LoadError) and reason in err.reason


def test_timeout_is_reported_not_waited_out(site: str) -> None:
    with make_client(timeout=0.3) as client:
        started = time.perf_counter()
        [err] = list(fetch_url(f"{site}/slow", client=client))
    assert isinstance(err, LoadError) and "did not answer in time" in err.reason
    assert time.perf_counter() - started < 1.5


@pytest.mark.parametrize(
    "url", ["", "ftp://example.com/a", "javascript:alert(1)", "file:///etc/passwd", "example.com"]
)
def test_only_web_addresses_are_fetched(url: str) -> None:
    [err] = list(fetch_url(url))
    assert isinstance(err, LoadError) and "http://" in err.reason


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://example.com:99999/a", "https://exa mple.com/"]
)
def test_a_malformed_web_address_is_a_load_error(url: str) -> None:
    [err] = list(fetch_url(url))
    assert isinstance(err, LoadError) and err.path == url


def test_an_address_without_its_scheme_gets_a_hint() -> None:
    [err] = list(fetch_url("127.0.0.1:8765/story.html"))
    assert err.reason == "not a web address: did you mean http://127.0.0.1:8765/story.html ?"
    [file_name] = list(fetch_url("story.html"))  # a file's name is no address to guess
    assert "http://" in file_name.reason and "did you mean" not in file_name.reason


def test_a_malformed_address_costs_only_itself(
    site: str, settings, embed_model, articles_dir
) -> None:  # type: ignore[no-untyped-def]
    report, _ = ingested(
        [str(articles_dir), "http://[::1", f"{site}/bridge"], settings, embed_model
    )
    assert report.added == 5 + 1  # the folder's five articles and the page
    [bad] = report.failed
    assert bad["path"] == "http://[::1" and "not a valid web address" in bad["error"]


def test_a_slow_page_is_fetched_before_the_write_lock_is_taken(
    site: str, settings, embed_model
) -> None:  # type: ignore[no-untyped-def]
    from index.lock import write_lock

    done: list[object] = []
    ingest = threading.Thread(
        target=lambda: done.append(ingested([f"{site}/slow"], settings, embed_model))
    )
    Routes.asked.clear()
    ingest.start()
    assert Routes.asked.wait(timeout=30)  # the page takes 2 s: another writer gets the lock now
    with write_lock(settings, timeout=0.5):
        assert not done
    ingest.join(timeout=60)
    [(report, by_title)] = done
    assert report.added == 1 and "Harbor bridge reopens" in by_title


def test_a_feed_entry_without_a_link_is_reported_under_the_feeds_address(site: str) -> None:
    Routes.routes["/nolink.xml"] = (
        200,
        {"Content-Type": "application/rss+xml"},
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>'
        b"<item><title>Lost item</title><description>No link.</description></item>"
        b"</channel></rss>",
        0,
    )
    [err] = list(fetch_url(f"{site}/nolink.xml"))
    assert isinstance(err, LoadError) and err.path == f"{site}/nolink.xml"
    assert err.reason == "an entry (Lost item) has neither a link nor an id"


def test_unreachable_host_is_a_load_error() -> None:
    [err] = list(fetch_url("http://127.0.0.1:9/nothing-listens-here"))
    assert isinstance(err, LoadError)
    assert (
        err.reason
        == "nothing answered at 127.0.0.1 (connection refused): check the address and port"
    )
    # no network (or no such host): said in words, with what to do instead
    [err] = list(fetch_url("http://no-such-host.invalid/story.html"))
    assert isinstance(err, LoadError) and err.reason.startswith(
        "could not find the host no-such-host.invalid (no network here, or a mistyped address)"
    )


def test_looks_like_feed() -> None:
    assert looks_like_feed("application/rss+xml", b"")
    assert looks_like_feed("text/xml", b"<?xml version='1.0'?><rss>")
    assert looks_like_feed("", b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>")
    assert not looks_like_feed("text/html; charset=utf-8", b"<rss>")
    assert not looks_like_feed("application/xml", b"<?xml version='1.0'?><html><body>")
    assert not looks_like_feed("text/plain", b"just text")


@pytest.mark.slow
def test_feed_ingests_and_refetch_is_unchanged(site: str, settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    from index.chunk import make_splitter
    from index.embed import word_piece_tokenizer
    from index.ingest import ingest
    from index.store import PassageStore

    store = PassageStore(settings)
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer())
    first = ingest(
        fetch_url(f"{site}/feed.xml"), store, embed_model, splitter, settings, progress=False
    )
    assert (first.added, len(first.failed)) == (3, 1)
    [summary_only] = first.warnings  # the page of "Gone story" answered 404
    assert summary_only["path"] == f"{site}/missing" and "summary only" in summary_only["error"]
    assert "HTTP 404" in summary_only["error"]
    again = ingest(
        fetch_url(f"{site}/feed.xml"), store, embed_model, splitter, settings, progress=False
    )
    assert (again.added, again.unchanged) == (0, 3)
    assert {e.title for e in store.manifest().values()} == {
        "Bridge back open",
        "Harvest doubles",
        "Gone story",
    }


def ingested(paths: list[str], settings, embed_model, prune: bool = False):  # type: ignore[no-untyped-def]
    """`ingest_paths` into the test's index: the report, and the indexed articles by title."""
    from index.ingest import ingest_paths
    from index.store import PassageStore

    store = PassageStore(settings)
    report = ingest_paths(paths, settings, store, embed_model, prune=prune, progress=False)
    return report, {e.title: e for e in store.manifest().values()}


@pytest.mark.slow
def test_ingest_paths_takes_web_addresses_beside_folders(
    site: str,
    settings,
    embed_model,
    articles_dir,  # type: ignore[no-untyped-def]
) -> None:
    # the feed twice, and one of its pages again by itself
    paths = [f"{site}/feed.xml", str(articles_dir), f" {site}/feed.xml ", f"{site}/bridge"]
    report, by_title = ingested(paths, settings, embed_model)
    assert report.added == 5 + 3  # the folder's five articles, the feed's three
    assert [f["path"] for f in report.failed] == [f"{site}/missing2"]  # the page is no failure
    again = [w for w in report.warnings if w["article"] == f"{site}/bridge"]
    assert len(again) == 1 and "same text as the first; skipped" in again[0]["error"]
    assert by_title["Bridge back open"].path == f"{site}/bridge"
    assert by_title["Harvest doubles"].published == "2021-03-05"


@pytest.mark.slow
def test_prune_keeps_web_articles_when_a_feed_cannot_be_fetched(
    site: str,
    settings,
    embed_model,
    articles_dir,  # type: ignore[no-untyped-def]
) -> None:
    feed = f"{site}/atom"
    ingested([str(articles_dir), feed], settings, embed_model)
    Routes.routes["/atom"] = (503, {"Content-Type": "text/html"}, b"down", 0)
    kept, by_title = ingested([str(articles_dir), feed], settings, embed_model, prune=True)
    assert kept.removed == 0 and "HTTP 503" in kept.failed[0]["error"]
    assert "Orchard in Atom" in by_title

    pruned, by_title = ingested([str(articles_dir)], settings, embed_model, prune=True)
    assert pruned.removed == 0  # a folder's prune leaves what came from the web alone
    assert "Orchard in Atom" in by_title
