"""Where articles come from (files, folders, web addresses) and which indexed paths lie under them."""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterable, Iterator
from pathlib import Path

from index.article import Article
from qa.errors import LoadError


def resolved(path: str) -> str:
    """A file's path made absolute (from the folder run in); web addresses as they are.

    Articles are stored with absolute paths; ones stored before were relative to where that
    ingest ran, which this resolves against the current folder as before.
    """
    return path if not path or is_web_address(path) else os.path.abspath(path)


def is_web_address(path: str) -> bool:
    """Whether a path given to ingest is a web address (fetched) rather than a file or folder."""
    return path.strip().lower().startswith(("http://", "https://"))


def within_paths(paths: Iterable[str]) -> Callable[[str], bool]:
    """Whether an indexed article's path lies under one of the given files or folders.

    A web article counts as under them when a web address is among them (a feed's entries have
    their own addresses); an upload or an article added by the API lies under none.
    """
    given = [str(p) for p in paths]
    web = any(is_web_address(p) for p in given)
    # a path that is gone (a moved folder, an unmounted drive) scopes nothing: its articles stay;
    # nor does an empty one (an unset "$DIR"), which Path would read as the current folder
    roots = [Path(p).resolve() for p in given if p and not is_web_address(p) and Path(p).exists()]

    def within(path: str) -> bool:
        if is_web_address(path):
            return web
        if not path:
            return False
        target = Path(path).resolve()
        return any(target == root or root in target.parents for root in roots)

    return within


def lies_under(path: str, folders: Container[str]) -> bool:
    """Whether an absolute path is one of `folders` (absolute too) or lies inside one of them."""
    while path not in folders:
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
    return True


def load_sources(paths: Iterable[str], max_bytes: int) -> Iterator[Article | LoadError]:
    """The articles of files and folders, then of web addresses (a page or an RSS/Atom feed).

    The web's are fetched first, all of them, before any file is read: the caller starts this
    before taking the index's write lock, so a slow site holds up no other writer.
    """
    from index.load import load_paths

    given = [str(p) for p in paths]
    fetched = list(fetch_sources([p for p in given if is_web_address(p)], max_bytes))
    yield from load_paths([p for p in given if not is_web_address(p)], max_bytes=max_bytes)
    yield from fetched


def fetch_sources(urls: Iterable[str], max_bytes: int) -> Iterator[Article | LoadError]:
    """The articles of web addresses (a page, or a feed's entries), an error for each failure."""
    from index.fetch import fetch_url

    for url in dict.fromkeys(p.strip() for p in urls):
        try:
            yield from fetch_url(url, max_bytes=max_bytes)
        except Exception as exc:  # a reader's failure costs its address, not the whole ingest
            yield LoadError(url, f"could not load it ({type(exc).__name__}: {exc})")
