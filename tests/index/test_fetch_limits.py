"""Limits of a web fetch, against a real HTTP server on 127.0.0.1: a whole-page deadline, and
content types that are named rather than decoded."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import index.fetch
from index.fetch import fetch_url, make_client
from qa.errors import LoadError

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x00\x00"
TRICKLE_SECONDS = 20.0  # how long /trickle would go on: far past the patched deadline


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/trickle":
            return self.trickle()
        content_type, body = {
            "/report.pdf": ("application/pdf", PDF),
            "/photo.png": ("image/png", PNG),
        }[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def trickle(self) -> None:
        """A small page, one byte every 50 ms: each read is quick, the whole page is not."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        # the fetcher hangs up when its deadline passes
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(b"<html><body><p>")
            stop = time.monotonic() + TRICKLE_SECONDS
            while time.monotonic() < stop:
                self.wfile.write(b"a")
                self.wfile.flush()
                time.sleep(0.05)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_trickling_page_gives_up_at_the_whole_page_deadline(
    site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index.fetch, "DOWNLOAD_DEADLINE_S", 2.0)
    with make_client(timeout=1.0) as client:  # every single read is well within this
        started = time.monotonic()
        [err] = list(fetch_url(f"{site}/trickle", client=client))
        elapsed = time.monotonic() - started
    assert isinstance(err, LoadError) and err.path == f"{site}/trickle"
    assert err.reason.startswith("took longer than 2 s to download:")
    # the deadline, plus at most one read; far short of the 20 s the page would take
    assert 2.0 <= elapsed < 8.0


@pytest.mark.parametrize(
    ("path", "kind", "media"),
    [("/report.pdf", "a PDF", "application/pdf"), ("/photo.png", "an image", "image/png")],
)
def test_a_pdf_or_image_is_named_not_called_binary(
    site: str, path: str, kind: str, media: str
) -> None:
    [err] = list(fetch_url(f"{site}{path}"))
    assert isinstance(err, LoadError)
    assert err.reason.startswith(f"{kind}, not a web page or feed (content type {media}):")
    assert "only HTML pages, RSS/Atom feeds and plain text are read" in err.reason
    assert "binary" not in err.reason
