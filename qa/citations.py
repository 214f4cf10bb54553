"""Answers and their citations as data, and the parsing of `[n]` markers."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


# How every refusal opens (the chat marks such answers "Not in the articles")
REFUSED = "The articles don't say."


@dataclass(frozen=True)
class Passage:
    """A retrieved passage: text, where it sits in its article, and the article's metadata."""

    id: str
    article_id: str
    title: str
    url: str
    published: str
    source: str
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Citation:
    """Source `[n]` of an answer: the passage and the spans (within it) the answer rests on."""

    n: int
    article_id: str
    title: str
    url: str
    published: str
    passage: str
    start: int
    end: int
    score: float
    source: str = ""
    highlights: tuple[tuple[int, int], ...] = ()
    headline: bool = False  # the answer quotes this article's headline

    @classmethod
    def from_passage(
        cls,
        n: int,
        passage: Passage,
        highlights: tuple[tuple[int, int], ...] = (),
        headline: bool = False,
    ) -> Citation:
        """Cite a passage as source n."""
        return cls(
            n=n,
            article_id=passage.article_id,
            title=passage.title,
            url=passage.url,
            published=passage.published,
            passage=passage.text,
            start=passage.start,
            end=passage.end,
            score=round(passage.score, 4),
            source=passage.source,
            highlights=highlights,
            headline=headline,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (`qa ask --json`)."""
        data = asdict(self)
        data["highlights"] = [list(h) for h in self.highlights]
        return data


@dataclass(frozen=True)
class Answer:
    """An answer with inline `[n]` markers; `answered` is False when the articles don't hold it."""

    text: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    question: str = ""
    notice: str = ""
    confidence: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (`qa ask --json`)."""
        return {
            "text": self.text,
            "answered": self.answered,
            "citations": [c.as_dict() for c in self.citations],
            "question": self.question,
            "notice": self.notice,
            "confidence": round(self.confidence, 4),
        }


def marker_numbers(text: str) -> list[int]:
    """Every number cited in `text` by `[n]` or `[n, m]`, in order of first appearance."""
    seen: list[int] = []
    for match in _MARKER.finditer(text):
        for part in match.group(1).split(","):
            n = int(part)
            if n not in seen:
                seen.append(n)
    return seen


def renumber_markers(text: str, valid: set[int]) -> tuple[str, list[int]]:
    """Drop markers naming no valid source and renumber the rest 1..k by first use.

    Returns the new text and the original numbers in their new order, e.g.
    "A [3]. B [9][1]." with valid {1, 3} -> ("A [1]. B [2].", [3, 1]).
    """
    order = [n for n in marker_numbers(text) if n in valid]
    new_number = {old: i for i, old in enumerate(order, 1)}
    pieces: list[str] = []
    literal, last = "", 0
    for match in _MARKER.finditer(text):
        literal += text[last : match.start()]
        last = match.end()
        kept = [new_number[int(p)] for p in match.group(1).split(",") if int(p) in new_number]
        if kept:
            pieces += [_drop_markers(literal), "".join(f"[{n}]" for n in dict.fromkeys(kept))]
            literal = ""
    pieces.append(_drop_markers(literal + text[last:]))
    cleaned = "".join(pieces)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip(), order


def _drop_markers(text: str) -> str:
    """Remove markers that dropping one between their halves made ("[1[9]]" -> "", not "[1]")."""
    while (stripped := _MARKER.sub("", text)) != text:
        text = stripped
    return text


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Split an answer into sentences with the marker numbers each one carries."""
    out: list[tuple[str, list[int]]] = []
    for chunk in re.split(r"(?<=[.!?\]])\s+(?=[A-Z0-9\"“(])", text.strip()):
        if chunk.strip():
            out.append((_MARKER.sub("", chunk).strip(), marker_numbers(chunk)))
    return out
