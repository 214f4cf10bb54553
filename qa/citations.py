"""Answers and their citations as data, and the parsing of `[n]` markers."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from qa.sentences import closes_abbreviation

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


# A reasoning model's thinking (Qwen3, DeepSeek-R1 distills): never part of the answer.
_REASONING_TAGS = ("think", "thinking", "reasoning")
_REASONING = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.IGNORECASE | re.DOTALL)
_REASONING_OPEN = re.compile(r"<(?:think|thinking|reasoning)>", re.IGNORECASE)
_REASONING_CLOSE = re.compile(r"</(?:think|thinking|reasoning)>", re.IGNORECASE)
_PARTIAL_TAGS = tuple(f"<{slash}{tag}>" for tag in _REASONING_TAGS for slash in ("", "/"))

# "Sources:", "**References:**" or "## Citations" on a line of its own ends the answer proper.
_SOURCES_LIST = re.compile(
    r"(?:^|\n)[ \t>#*_]*(?:sources?|references?|citations?)\b[*_]*[ \t]*(?::|\n|$)[\s\S]*$",
    re.IGNORECASE,
)
# Code and table rows are no prose a passage could back: "```python\nprint(...) [1]\n```",
# "| Wexley Maritime Trust [1] | 3 million dollars [1] |".
_CODE = re.compile(r"^[ \t]*```.*?(?:^[ \t]*```[^\n]*$|\Z)", re.DOTALL | re.MULTILINE)
_TABLE_ROW = re.compile(r"^[ \t]*\|.*$", re.MULTILINE)
# a sentence's end: "." "!" "?" ":" or "…", then closing quotes or brackets
_ENDED = re.compile(r"[.!?:…][\"'”’)\]]*$")
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.DOTALL)
_BULLET = re.compile(r"^[ \t]*(?:[-*•‣◦]|\d{1,2}[.)]|#{1,6})[ \t]+")
_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")
# before a new sentence: a capital, a digit, a quote or bracket, a tag or an inline bullet
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\]])\s+(?=[A-Z0-9\"“(<*•-])")

# "According to passage 1,", "(Passage 2)", "in passage [3]", "Passage 1 says that": the model
# naming a passage by number. Its number becomes a marker (so it is checked and renumbered).
_NUMBERS = r"\[?\d{1,3}\]?(?:\s*(?:,|&|and)\s*\[?\d{1,3}\]?)*"
_PASSAGE_REFERENCE = re.compile(
    r"\b(?:according\s+to|as\s+(?:stated|said|mentioned|noted|reported|described|shown)\s+in|"
    rf"based\s+on|per|from|in)\s+(?:the\s+)?passages?\s+(?P<after>{_NUMBERS})\s*,?"
    rf"|[(\[]\s*(?:see\s+)?passages?\s+(?P<bracketed>{_NUMBERS})\s*[)\]]"
    rf"|(?:\bthe\s+|^\s*)passages?\s+(?P<says>{_NUMBERS})\s*(?::|\s(?:says|states|mentions|"
    r"reports|notes|explains|shows|confirms|indicates)(?:\s+that)?\b)",
    re.IGNORECASE,
)


def without_reasoning(text: str, partial: bool = False) -> str:
    """The model's text without its <think>…</think> reasoning; `partial`: it is still streaming.

    An unclosed block hides the rest of the text. A lone closing tag (the chat template opened the
    block) ends the reasoning, which is dropped, except while streaming: it was shown already.
    While streaming, a trailing "<thi" is held back too, as it may yet open a block.
    """
    tail = text[text.rfind("<") :] if partial and "<" in text else ""
    if tail and any(tag.startswith(tail.lower()) for tag in _PARTIAL_TAGS):
        text = text[: -len(tail)]
    # while streaming, a block leaves a break: "<th" + "<think>…</think>" + "ink>" must not
    # become an opening tag that hides what the draft has shown
    text = _REASONING.sub("\n\n" if partial else "", text)
    opened = _REASONING_OPEN.search(text)
    if opened:
        text = text[: opened.start()]
    # a lone closing tag: the reasoning before it goes, unless the draft has shown it already
    text = _REASONING_CLOSE.sub("\n\n", text) if partial else _REASONING_CLOSE.split(text)[-1]
    return text.lstrip()


def _passage_markers(match: re.Match[str]) -> str:
    numbers = next(group for group in match.groups() if group is not None)
    return " " + "".join(f"[{n}]" for n in re.findall(r"\d+", numbers)) + " "


def _claim(chunk: str) -> tuple[str, list[int]]:
    """One piece of an answer as (sentence without markers, tags or passage names, its numbers)."""
    named = _PASSAGE_REFERENCE.sub(_passage_markers, _BULLET.sub("", chunk))
    sentence = " ".join(_TAG.sub("", _drop_markers(named)).split())  # "[2[1]]" leaves no "[2]"
    sentence = re.sub(r"(?<=[.!?])\s+\.$", "", sentence)  # "Baghdad. [1]." -> "Baghdad."
    sentence = re.sub(r"[\s,;]+(?=[.!?]*$)", "", sentence)  # "fired from X, ." -> "fired from X."
    if sentence[:1].islower() and named.lstrip().startswith("["):  # "According to passage 1, the"
        sentence = sentence[0].upper() + sentence[1:]
    if any(c.isalnum() for c in sentence) and not _ENDED.search(sentence):
        sentence += "."  # a list item: joined to the others, it ends as a sentence
    return sentence, marker_numbers(named)


def answer_pieces(text: str) -> list[str]:
    """An answer's sentences and list items, without reasoning, emphasis, code, tables or sources."""
    text = _SOURCES_LIST.sub("", without_reasoning(text.strip()))
    text = _TABLE_ROW.sub("", _CODE.sub("", text))
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    return [
        chunk
        for line in text.splitlines()
        for chunk in split_sentences(_BULLET.sub("", line).strip())
        if chunk.strip()
    ]


def split_sentences(line: str) -> list[str]:
    """A line of an answer cut into sentences, never after "U.S.", "Nov.", "Dr." or an initial."""
    pieces, start = [], 0
    for match in _SENTENCE_BREAK.finditer(line):
        before = line[max(start, match.start() - 12) : match.start()]
        if closes_abbreviation(before, line, match.end()):  # as the passages' own splitter
            continue
        pieces.append(line[start : match.start()])
        start = match.end()
    return [*pieces, line[start:]]


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Split an answer into sentences with the marker numbers each one carries.

    A piece without a word (a stray tag, a list number, a marker on its own line) lends its
    numbers to the sentence before it; an uncited lead-in ending in ":" ("Here they are:") goes.
    """
    out: list[tuple[str, list[int]]] = []
    for chunk in answer_pieces(text):
        sentence, numbers = _claim(chunk)
        if not any(c.isalpha() for c in sentence):
            if out:
                out[-1] = (out[-1][0], list(dict.fromkeys(out[-1][1] + numbers)))
            continue
        if sentence.endswith(":") and not numbers:
            continue
        out.append((sentence, numbers))
    return out
