"""Load articles from files and folders: txt, md, html, json, jsonl(.gz)."""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from index.article import Article
from index.encoding import decode_bytes
from index.files import (
    FEED_SUFFIXES,
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    KINDS_SAID,
    TEXT_SUFFIXES,
    iter_files,
    path_text,
    suffix_of,
)
from index.html import article_from_html
from index.records import cap, iter_json_file, iter_jsonl
from index.text import article_from_text
from qa.errors import LoadError


def load_file(path: Path, article_id: str, max_bytes: int) -> Iterator[Article | LoadError]:
    """Yield the articles of one file, or errors saying why not; never reads past `max_bytes`."""
    name = path_text(path)
    suffix = suffix_of(path)
    try:
        info = path.stat()
    except OSError as exc:
        yield LoadError(name, f"cannot read file ({exc.strerror or exc})")
        return
    if not stat.S_ISREG(info.st_mode):
        yield LoadError(name, "not a regular file (a pipe, device or socket); skipped")
        return
    if info.st_size == 0:
        yield LoadError(name, "file is empty")
        return
    streamed = suffix in (".jsonl", ".jsonl.gz")  # read a line at a time: the cap applies per line
    if info.st_size > max_bytes and not streamed:
        yield LoadError(name, f"file is {info.st_size / 1e6:.1f} MB, over the {cap(max_bytes)}")
        return
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | FEED_SUFFIXES:
        yield LoadError(name, f"unsupported file type {suffix or '(none)'}: use {KINDS_SAID}")
        return
    loaded = 0  # articles yielded before a gzip file turned out to be cut short
    try:
        with gzip.open(path, "rb") if suffix.endswith(".gz") else path.open("rb") as stream:
            if streamed:
                for item in _or_empty(iter_jsonl(stream, name, max_bytes, article_id), name):
                    loaded += isinstance(item, Article)
                    yield item
                return
            data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            yield LoadError(name, f"uncompressed size is over the {cap(max_bytes)}")
        elif suffix in JSON_SUFFIXES:
            yield from _or_empty(iter_json_file(data, name, article_id), name)
        elif suffix in HTML_SUFFIXES:
            yield article_from_html(decode_bytes(data, name), article_id, name)
        elif suffix in FEED_SUFFIXES:
            from index.fetch import feed_file_articles  # imported on use: only feeds need httpx

            yield from feed_file_articles(data, name)
        else:
            yield article_from_text(decode_bytes(data, name), article_id, name, suffix != ".txt")
    except LoadError as err:
        yield err
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        if loaded:
            yield LoadError(
                name,
                f"the gzip file is cut short ({exc}): only its first {loaded} articles were read",
            )
        else:
            yield LoadError(name, f"not a readable gzip file ({exc})")
    except OSError as exc:
        yield LoadError(name, f"cannot read file ({exc.strerror or exc})")
    except (ValueError, TypeError, RecursionError) as exc:  # a parser choking on hostile input
        yield LoadError(name, f"could not parse the file ({type(exc).__name__}: {exc})")


def _or_empty(items: Iterator[Article | LoadError], path: str) -> Iterator[Article | LoadError]:
    """Pass the items through; a file that held nothing at all is reported too."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        yield LoadError(path, "no articles in this file (only blank lines or an empty list)")


def load_paths(
    paths: Iterable[str | Path], max_bytes: int = 20_000_000
) -> Iterator[Article | LoadError]:
    """Yield every article under the given files and folders, and an error for each failure."""
    done: set[Path] = set()
    for given in paths:
        if not str(given):  # an unset variable ("$DIR"): Path("") would be the current folder
            yield LoadError("", "an empty path: give a file, folder or http(s):// address")
            continue
        root = Path(given)
        try:
            root.stat()
        except OSError as exc:
            reason = "no such file or folder"
            if root.is_symlink():
                reason = f"cannot read ({exc.strerror})"
            elif "://" in str(given):  # "htp://...", "ftp://...": meant as a web address
                reason += "; only http:// and https:// web addresses are fetched"
            yield LoadError(path_text(given), reason)
            continue
        if root.resolve() in done:  # the same path given twice
            continue
        done.add(root.resolve())
        base = root if root.is_dir() else root.parent
        files = iter_files(root) if root.is_dir() else iter([root])
        for item in files:
            if isinstance(item, LoadError):
                yield item
                continue
            rel = item.relative_to(base).as_posix()
            article_id = path_text(f"{base.resolve().name}/{rel}")
            where = path_text(os.path.abspath(item))  # stored: a prune from elsewhere finds it
            try:
                for loaded in load_file(item, article_id, max_bytes):
                    yield replace(loaded, path=where) if isinstance(loaded, Article) else loaded
            except Exception as exc:  # a reader's failure costs its file, not the whole ingest
                yield LoadError(path_text(item), f"could not load it ({type(exc).__name__}: {exc})")
