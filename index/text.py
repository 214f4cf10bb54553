"""Plain-text and markdown articles: front matter, headline, and boilerplate lines dropped."""

from __future__ import annotations

import re
from pathlib import Path

from index.article import Article
from qa.errors import LoadError

# Lines that newsletters and CMSs append to articles; never article text.
_BOILERPLATE = re.compile(
    r"^\s*(sign up (to|for)\b|by submitting this form|subscribe (to|now|for)\b|"
    r"(click|tap) here to|all rights reserved|advertisement\s*$|share (this|on)\b|"
    r"follow us on\b|read more:?\s*$|related:?\s*$|copyright\s*(©|\(c\))|"
    r"copyright\s+\d{4}\b|(©|\(c\))\s*\d{4})",
    re.IGNORECASE,
)


# half of a UTF-16 pair: a JSON "\ud83d" escape of an emoji cut in two, or a byte of a name or
# question that is not UTF-8 (Python's surrogateescape); neither Chroma nor the embedder takes one
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """Text that can be stored: NULs dropped, each lone surrogate made U+FFFD."""
    return LONE_SURROGATE.sub("\ufffd", text.replace("\x00", ""))


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
