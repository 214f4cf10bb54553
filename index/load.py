"""Load articles from files and folders: txt, md, html, json, jsonl(.gz)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from qa.errors import LoadError

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl", ".jsonl.gz", ".json.gz"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}  # an RSS or Atom feed saved to a file

# Lines that newsletters and CMSs append to articles; never article text.
_BOILERPLATE = re.compile(
    r"^\s*(sign up (to|for)\b|by submitting this form|subscribe (to|now|for)\b|"
    r"(click|tap) here to|all rights reserved|advertisement\s*$|share (this|on)\b|"
    r"follow us on\b|read more:?\s*$|related:?\s*$|copyright\s*(©|\(c\))|"
    r"copyright\s+\d{4}\b|(©|\(c\))\s*\d{4})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Article:
    """One article: its text and what is known about it."""

    id: str
    text: str
    title: str = ""
    url: str = ""
    source: str = ""
    published: str = ""
    path: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    line: int | None = None  # the line of a .jsonl file it came from
    warning: str = ""  # what the user should know about how it was read (not indexed)

    @property
    def content_hash(self) -> str:
        """Hash of everything that ends up in the index; unchanged hash means no re-embedding."""
        parts = [self.text, self.title, self.url, self.source, self.published]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def text_hash(text: str) -> str:
    """A short hash of an article's text alone."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def strip_boilerplate(text: str) -> str:
    """Drop newsletter/CMS lines (sign-up prompts, copyright) and trailing blank lines."""
    kept = [ln for ln in text.splitlines() if not (len(ln) < 200 and _BOILERPLATE.match(ln))]
    return "\n".join(kept).strip()


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split `---`-fenced `key: value` front matter from the body."""
    if not text.startswith("---"):
        return {}, text
    lines = text.splitlines(keepends=True)
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            meta = {}
            for ln in lines[1:i]:
                key, sep, value = ln.partition(":")
                if sep:
                    meta[key.strip().lower()] = value.strip().strip("\"'")
            return meta, "".join(lines[i + 1 :])
    return {}, text


def decode_bytes(data: bytes, path: str) -> str:
    """Decode file bytes: BOMs first, then UTF-8, then a legacy encoding; refuse binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif b"\x00" in data[:8192]:
        raise LoadError(path, "looks like a binary file (contains NUL bytes), not text")
    else:
        text = _decode_unmarked(data, path)
    if _looks_binary(text):
        raise LoadError(path, "looks like a binary file (mostly control bytes), not text")
    # a few stray NULs (padding, a bad copy) in a long text: text, stored without them
    return text.replace("\x00", "")


def _decode_unmarked(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Western news sites' legacy encoding first: detectors guess badly on short texts. Western
    # text is mostly ASCII; a text of mostly high bytes (Chinese in GBK, Russian in cp1251)
    # would decode to cp1252 mojibake, so it goes to the detector.
    high = sum(b >= 0x80 for b in data)
    try:
        text = data.decode("cp1252")
        if high <= len(data) * 0.3 and not any(
            ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text
        ):
            return text
    except UnicodeDecodeError:
        pass
    # Mostly ASCII with stray bytes: damaged UTF-8; keep the text, mark the damage with U+FFFD.
    # (Detectors guess wildly on such input; they are for texts in a legacy non-Latin encoding.)
    if high <= len(data) * 0.3:
        return data.decode("utf-8", errors="replace")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError(path, "not UTF-8 and no other text encoding fits; re-save it as UTF-8")
    return str(best)


def _looks_binary(text: str) -> bool:
    """Control characters (over 1%) or mostly U+FFFD, in the start or the whole: not text."""
    for sample in (text[:20000], text):
        control = len(sample) - len(sample.translate(_CONTROL))
        if control > len(sample) * 0.01 or sample.count("\ufffd") > len(sample) * 0.25:
            return True
    return False


# the control characters that text does not hold, deleted by str.translate
_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\r\n\f\v")


def title_from_text(text: str, fallback: str) -> str:
    """First line of the text when it is short enough to be a headline."""
    first = text.strip().splitlines()[0].strip("# ").strip() if text.strip() else ""
    # "---" of front matter never closed, "***" of a rule: no words, no headline
    return first if 0 < len(first) <= 120 and re.search(r"\w", first) else fallback


def article_from_text(text: str, article_id: str, path: str, is_markdown: bool = False) -> Article:
    """Build an article from plain text or markdown with optional front matter."""
    meta, body = split_front_matter(text)
    body = strip_boilerplate(body)
    if not body:
        raise LoadError(path, "no article text (the file is empty or only boilerplate)")
    stem = Path(path).stem.replace("_", " ").replace("-", " ")
    title = meta.pop("title", "") or (title_from_text(body, stem) if is_markdown else stem)
    return Article(
        id=meta.pop("id", "") or article_id,
        text=body,
        title=title,
        url=meta.pop("url", ""),
        source=meta.pop("source", ""),
        published=meta.pop("published", "") or meta.pop("date", ""),
        path=path,
        extra=meta,
    )


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

    doc = trafilatura.bare_extraction(html, url=url or None, with_metadata=True, favor_recall=True)
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    if not text.strip():
        text = trafilatura.html2txt(html) or ""
    text = blocks(strip_boilerplate(text))
    if text and len(text) < 500 and not text_outside_menus(html):
        text = ""  # a short text that all lies in menus ("Home | News"): no article
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


def article_from_record(record: object, path: str, line: int | None, file_id: str = "") -> Article:
    """Build an article from one `{id,title,url,source,published,text}` JSON record."""
    if not isinstance(record, dict):
        raise LoadError(path, "expected a JSON object per article", line)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LoadError(path, 'no article text (the record\'s "text" is missing or empty)', line)
    body = strip_boilerplate(text.replace("\x00", ""))  # "\u0000" escapes: never stored
    if not body:
        raise LoadError(path, "the record's text is only boilerplate", line)
    rid = record.get("id")
    if rid is not None and not isinstance(rid, str | int):
        raise LoadError(path, f'the record\'s "id" must be text or a number, not {kind(rid)}', line)
    article_id = str(rid) if rid not in (None, "") else f"{file_id or path}#{line or 0}"

    def field_text(name: str) -> str:  # a field of another kind ({"a": 1} for a title): left out
        value = record.get(name)
        if not isinstance(value, str | int | float) or value == "":
            return ""
        return str(value).replace("\x00", "")

    return Article(
        id=article_id,
        text=body,
        title=field_text("title"),
        url=field_text("url"),
        source=field_text("source"),
        published=field_text("published"),
        path=path,
        line=line,
    )


def kind(value: object) -> str:
    """A JSON value's kind, as users know it."""
    return {dict: "an object", list: "a list", bool: "true/false"}.get(type(value), "that")


def json_problem(exc: json.JSONDecodeError, line: bool = True) -> str:
    """What the JSON parser found wrong, and where ("Expecting value at line 2, column 9")."""
    where = f"line {exc.lineno}, column {exc.colno}" if line else f"column {exc.colno}"
    return f"{exc.msg.removesuffix(' at').strip()} at {where}"


def iter_json_file(data: bytes, path: str, file_id: str = "") -> Iterator[Article | LoadError]:
    """Articles of a .json file (an object or a list of them); bad records become errors."""
    try:
        records = json.loads(decode_bytes(data, path))
    except LoadError as err:
        yield err
        return
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and exc.lineno > 1 and exc.colno == 1:  # JSON Lines in a .json
            yield from iter_jsonl(io.BytesIO(data), path, len(data), file_id)
            return
        yield LoadError(path, f"invalid JSON ({json_problem(exc)})")
        return
    except RecursionError:
        yield LoadError(path, "invalid JSON (nested too deeply)")
        return
    for i, rec in enumerate(records if isinstance(records, list) else [records], 1):
        try:
            yield article_from_record(rec, path, i if isinstance(records, list) else None, file_id)
        except LoadError as err:
            yield err


class ByteLines(Protocol):
    """A binary stream read by lines: an open file or a GzipFile."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


def json_line(raw: bytes, path: str, lineno: int, file_id: str) -> Article | LoadError | None:
    """The article of one .jsonl line, an error saying why not, or None for a blank line."""
    if not raw.strip():
        return None
    try:
        return article_from_record(json.loads(decode_bytes(raw, path)), path, lineno, file_id)
    except json.JSONDecodeError as exc:
        return LoadError(path, f"invalid JSON ({json_problem(exc, line=False)})", lineno)
    except RecursionError:
        return LoadError(path, "invalid JSON (nested too deeply)", lineno)
    except LoadError as err:
        return err if err.line is not None else LoadError(path, err.reason, lineno)


def iter_jsonl(
    stream: ByteLines, path: str, max_bytes: int, file_id: str = ""
) -> Iterator[Article | LoadError]:
    """Articles of a .jsonl stream, a line at a time; a line over `max_bytes` is refused unread."""
    peek = getattr(stream, "peek", None)
    head = peek(2)[:2] if peek is not None else b""
    if head in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 lines can't be split on b"\n": decode whole
        data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            yield LoadError(path, f"UTF-16 file over the {cap(max_bytes)}; re-save it as UTF-8")
            return
        try:
            lines = decode_bytes(data, path).splitlines()
        except LoadError as err:
            yield err
            return
        for lineno, text in enumerate(lines, 1):
            item = json_line(text.encode(), path, lineno, file_id)
            if item is not None:
                yield item
        return
    lineno = 0
    unread: list[LoadError] | None = []  # the first lines, while none of them is JSON
    while raw := stream.readline(max_bytes + 1):
        lineno += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            yield LoadError(path, f"line is over the {cap(max_bytes)}; skipped", lineno)
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(1 << 20)
            continue
        item = json_line(raw, path, lineno, file_id)
        if unread is not None and isinstance(item, LoadError) and item.reason.startswith(_NOT_JSON):
            unread.append(item)
            if len(unread) == NOT_JSONL_AFTER:  # a JSON document, or no JSON at all
                first = unread[0].reason
                hint = (
                    "; one JSON document (an array, or an object over several lines) belongs "
                    "in a .json file"
                    if first.startswith("invalid JSON")
                    else ""
                )
                yield LoadError(
                    path, f"not JSON Lines: its first {NOT_JSONL_AFTER} lines fail ({first}){hint}"
                )
                return
            continue
        if item is not None:
            yield from unread or ()
            unread = None
            yield item
    yield from unread or ()


NOT_JSONL_AFTER = 5  # a .jsonl file whose first lines are all invalid JSON is no JSON Lines
_NOT_JSON = ("invalid JSON", "looks like a binary", "not UTF-8")  # a line's, not a record's


def cap(max_bytes: int) -> str:
    """The size cap as users set it."""
    return f"{max_bytes / 1e6:g} MB cap (QA_MAX_FILE_MB)"


def suffix_of(path: Path) -> str:
    """Lower-case suffix, with `.gz` kept as part of it (`.jsonl.gz`)."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        return "".join(suffixes)
    return suffixes[-1] if suffixes else ""


def load_file(path: Path, article_id: str, max_bytes: int) -> Iterator[Article | LoadError]:
    """Yield the articles of one file, or errors saying why not; never reads past `max_bytes`."""
    name = str(path)
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
        kinds = ".txt, .md, .html, .json, .jsonl or an .rss/.atom/.xml feed"
        yield LoadError(name, f"unsupported file type {suffix or '(none)'}: use {kinds}")
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
            from index.fetch import feed_file_articles  # fetch imports this module

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


def linked_within(path: Path, top: Path) -> str:
    """The target of a symlinked file if it is a file under `top` (as a relative path), else ''."""
    if not path.is_symlink():
        return ""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a loop: loading it says so
        return ""
    return (
        target.relative_to(top).as_posix()
        if target.is_relative_to(top) and target.is_file()
        else ""
    )


def is_index_folder(folder: Path) -> bool:
    """Whether a folder holds a Chroma index (ours, `QA_INDEX_DIR`, or any other)."""
    # os.path.isfile: False for a folder it may not look into (Path.is_file raises there)
    return any(
        os.path.isfile(folder / name) for name in ("chroma.sqlite3", "chroma/chroma.sqlite3")
    )


def iter_files(root: Path) -> Iterator[Path | LoadError]:
    """Supported files under a folder, sorted, not following symlinked folders (no loops).

    A symlinked file whose target is also under the folder is skipped: the target is indexed.
    """
    supported = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | FEED_SUFFIXES
    top = root.resolve()
    unreadable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append, followlinks=False):
        while unreadable:
            exc = unreadable.pop(0)
            yield LoadError(str(exc.filename), f"cannot read folder ({exc.strerror or exc})")
        linked = [d for d in dirnames if (Path(dirpath) / d).is_symlink()]
        for d in sorted(linked):
            yield LoadError(
                str(Path(dirpath) / d), "skipped: symbolic link to a folder (not followed)"
            )
        indexes = [d for d in dirnames if is_index_folder(Path(dirpath) / d)]
        for d in sorted(indexes):
            yield LoadError(str(Path(dirpath) / d), "skipped: an index folder, not articles")
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in linked and d not in indexes
        )
        for fname in sorted(filenames):
            p = Path(dirpath) / fname
            if fname.startswith("."):
                continue
            target = linked_within(p, top)
            if target:
                yield LoadError(str(p), f"skipped: symbolic link to {target}, indexed as itself")
            elif suffix_of(p) in supported:
                yield p
            elif not p.is_symlink():
                kind = suffix_of(p) or "(none)"
                yield LoadError(str(p), f"skipped: unsupported file type {kind}")
    for exc in unreadable:
        yield LoadError(str(exc.filename), f"cannot read folder ({exc.strerror or exc})")


def load_paths(
    paths: Iterable[str | Path], max_bytes: int = 20_000_000
) -> Iterator[Article | LoadError]:
    """Yield every article under the given files and folders, and an error for each failure."""
    done: set[Path] = set()
    for given in paths:
        root = Path(given)
        try:
            root.stat()
        except OSError as exc:
            reason = "no such file or folder"
            if root.is_symlink():
                reason = f"cannot read ({exc.strerror})"
            elif "://" in str(given):  # "htp://...", "ftp://...": meant as a web address
                reason += "; only http:// and https:// web addresses are fetched"
            yield LoadError(str(given), reason)
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
            article_id = f"{base.resolve().name}/{rel}"
            where = os.path.abspath(item)  # stored: a prune run from another folder finds it
            try:
                for loaded in load_file(item, article_id, max_bytes):
                    yield replace(loaded, path=where) if isinstance(loaded, Article) else loaded
            except Exception as exc:  # a reader's failure costs its file, not the whole ingest
                yield LoadError(str(item), f"could not load it ({type(exc).__name__}: {exc})")
