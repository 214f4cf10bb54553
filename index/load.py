"""Load articles from files and folders: txt, md, html, json, jsonl(.gz)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import LoadError

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl", ".jsonl.gz", ".json.gz"}

# Lines that newsletters and CMSs append to articles; never article text.
_BOILERPLATE = re.compile(
    r"^\s*(sign up (to|for)\b|by submitting this form|subscribe (to|now|for)\b|"
    r"(click|tap) here to|all rights reserved|advertisement\s*$|share (this|on)\b|"
    r"follow us on\b|read more:?\s*$|related:?\s*$|copyright ©|©\s*\d{4})",
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

    @property
    def content_hash(self) -> str:
        """Hash of everything that ends up in the index; unchanged hash means no re-embedding."""
        parts = [self.text, self.title, self.url, self.source, self.published]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


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
    """Decode file bytes: BOMs first, then UTF-8, then a detected legacy encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if b"\x00" in data[:8192]:
        raise LoadError(path, "looks like a binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Western news sites' legacy encoding first: detectors guess badly on short texts.
    try:
        text = data.decode("cp1252")
        if not any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
            return text
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError(path, "not valid UTF-8 and no other text encoding fits; re-save it as UTF-8")
    return str(best)


def title_from_text(text: str, fallback: str) -> str:
    """First line of the text when it is short enough to be a headline."""
    first = text.strip().splitlines()[0].strip("# ").strip() if text.strip() else ""
    return first if 0 < len(first) <= 120 else fallback


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


def article_from_html(html: str, article_id: str, path: str, url: str = "") -> Article:
    """Extract an article's main text and metadata from HTML (menus and scripts dropped)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url or None, with_metadata=True, favor_recall=True)
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    if not text.strip():
        text = trafilatura.html2txt(html) or ""
    text = strip_boilerplate(text)
    if not text:
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


def article_from_record(record: object, path: str, line: int | None) -> Article:
    """Build an article from one `{id,title,url,source,published,text}` JSON record."""
    if not isinstance(record, dict):
        raise LoadError(path, "expected a JSON object per article", line)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LoadError(path, 'the record has no "text" field with article text', line)
    rid = record.get("id")
    article_id = str(rid) if rid not in (None, "") else f"{path}#{line or 0}"
    return Article(
        id=article_id,
        text=strip_boilerplate(text),
        title=str(record.get("title") or ""),
        url=str(record.get("url") or ""),
        source=str(record.get("source") or ""),
        published=str(record.get("published") or ""),
        path=path,
    )


def iter_json_file(data: bytes, path: str) -> Iterator[Article | LoadError]:
    """Articles of a .json (object or list) or .jsonl file; bad lines become errors."""
    text = decode_bytes(data, path)
    if path.endswith((".json", ".json.gz")):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            yield LoadError(path, f"invalid JSON ({exc.msg} at line {exc.lineno})")
            return
        for i, rec in enumerate(records if isinstance(records, list) else [records], 1):
            try:
                yield article_from_record(rec, path, i if isinstance(records, list) else None)
            except LoadError as err:
                yield err
        return
    for lineno, raw in enumerate(io.StringIO(text), 1):
        if not raw.strip():
            continue
        try:
            yield article_from_record(json.loads(raw), path, lineno)
        except json.JSONDecodeError as exc:
            yield LoadError(path, f"invalid JSON ({exc.msg})", lineno)
        except LoadError as err:
            yield err


def suffix_of(path: Path) -> str:
    """Lower-case suffix, with `.gz` kept as part of it (`.jsonl.gz`)."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        return "".join(suffixes)
    return suffixes[-1] if suffixes else ""


def load_file(path: Path, article_id: str, max_bytes: int) -> Iterator[Article | LoadError]:
    """Yield the articles of one file, or errors saying why not."""
    name = str(path)
    suffix = suffix_of(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield LoadError(name, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB cap (QA_MAX_FILE_MB)")
            return
        if size == 0:
            yield LoadError(name, "file is empty")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield LoadError(name, f"cannot read file ({exc.strerror or exc})")
        return
    try:
        if suffix.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:
                raise LoadError(name, f"not a readable gzip file ({exc})") from None
        if suffix in JSON_SUFFIXES:
            yield from iter_json_file(data, name)
        elif suffix in HTML_SUFFIXES:
            yield article_from_html(decode_bytes(data, name), article_id, name)
        elif suffix in TEXT_SUFFIXES:
            yield article_from_text(decode_bytes(data, name), article_id, name, suffix != ".txt")
        else:
            yield LoadError(name, f"unsupported file type {suffix or '(none)'}: use .txt, .md, .html, .json or .jsonl")
    except LoadError as err:
        yield err


def iter_files(root: Path) -> Iterator[Path | LoadError]:
    """Supported files under a folder, sorted, not following symlinked folders (no loops)."""
    supported = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
    for dirpath, dirnames, filenames in os.walk(root, onerror=None, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fname in sorted(filenames):
            p = Path(dirpath) / fname
            if fname.startswith("."):
                continue
            if suffix_of(p) in supported:
                yield p
            elif not p.is_symlink():
                yield LoadError(str(p), f"skipped: unsupported file type {suffix_of(p) or '(none)'}")


def load_paths(paths: Iterable[str | Path], max_bytes: int = 20_000_000) -> Iterator[Article | LoadError]:
    """Yield every article under the given files and folders, and an error for each failure."""
    for given in paths:
        root = Path(given)
        if not root.exists():
            yield LoadError(str(given), "no such file or folder")
            continue
        base = root if root.is_dir() else root.parent
        files = iter_files(root) if root.is_dir() else iter([root])
        for item in files:
            if isinstance(item, LoadError):
                yield item
                continue
            rel = item.relative_to(base).as_posix()
            article_id = f"{base.resolve().name}/{rel}"
            yield from load_file(item, article_id, max_bytes)
