"""The article record: one article's text and what is known about it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


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
