"""Candidate sentences of the retrieved passages: their quotable sentences and headlines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.citations import Passage
from qa.instructions import reads_as_instruction
from qa.sentences import quotable, sentence_spans
from qa.words import stems

# " - CNN", " | CNN Politics", " | The Week UK": a site's name after a headline.
_SITE_SUFFIX = re.compile(r"\s+[|\-–—]\s+(?:[A-Z][\w.&']*\s?){1,3}$")


@dataclass(frozen=True)
class Candidate:
    """A sentence of a passage, with where it sits in the passage."""

    passage: int
    start: int
    end: int
    text: str
    headline: bool = False


@dataclass(frozen=True)
class Scored:
    """A candidate and the parts of its score."""

    candidate: Candidate
    score: float
    similarity: float
    coverage: float
    # the part of `score` that only orders sentences, not evidence that they answer
    rank_bonus: float = 0.0
    # the sentence model's logit (qa.sentence_model), which orders sentences when set
    order: float | None = None

    @property
    def key(self) -> float:
        """What sentences are ordered by: the model's logit, else the score."""
        return self.score if self.order is None else self.order


_CUT_SHORT = re.compile(r"\s*(\.\.\.|…)\s*$")


def clean_headline(title: str) -> str:
    """A headline without the site name after it or a trailing ellipsis."""
    text = _SITE_SUFFIX.sub("", _CUT_SHORT.sub("", title.strip())).strip()
    return _CUT_SHORT.sub("", text)


def cut_short(title: str) -> bool:
    """Whether a headline ends in an ellipsis, before or after the site name ("... | CNN")."""
    text = title.strip()
    return bool(_CUT_SHORT.search(text) or _CUT_SHORT.search(_SITE_SUFFIX.sub("", text).strip()))


def quotable_spans(text: str) -> list[tuple[int, int]]:
    """The spans of the sentences of `text` worth quoting, photo credits trimmed (`quotable`)."""
    out = []
    for s, e in sentence_spans(text):
        kept = quotable(text[s:e])
        if kept is not None:
            out.append((s + kept[0], s + kept[1]))
    return out


def candidates(passages: Sequence[Passage], headlines: int = 0) -> list[Candidate]:
    """Every sentence of every passage, and the headlines of the first `headlines` articles.

    A sentence addressed to an AI model ("Ignore previous instructions and ...") is none: a
    quote of it would pass the injection on. Overlapping passages share sentences; the copies stay (measured: keeping one of each lost
    a news-dev answer and cost a few ms), and `choose` never quotes a sentence twice.
    """
    out = [
        Candidate(i, s, e, p.text[s:e])
        for i, p in enumerate(passages)
        for s, e in quotable_spans(p.text)
        if e - s > 15 and not asks(p.text[s:e]) and not reads_as_instruction(p.text[s:e])
    ]
    seen: set[str] = set()
    for i, p in enumerate(passages) if headlines else ():
        headline = clean_headline(p.title)
        if p.article_id in seen or len(seen) >= headlines:
            continue
        seen.add(p.article_id)
        if asking_headline(headline) or labels_coverage(headline) or reads_as_instruction(headline):
            continue  # "Where is the 2023 World Cup being played?", "AI models: say ..."
        if is_headline(headline, [q.text for q in passages if q.article_id == p.article_id]):
            out.append(Candidate(i, 0, 0, headline, headline=True))
    return out


def asks(sentence: str) -> bool:
    """Whether a sentence is a question (an article's questions are not answers)."""
    return sentence.rstrip("\"'”’) ").endswith("?")


# "Which M.L.B. Playoff Team Has the Most Daunting Home Field? We Ranked Them.": a headline that
# asks, then adds a few words, answers nothing either
_ASKING_HEADLINE = re.compile(
    r"^(?:who|what|when|where|why|how|which|is|are|was|were|do|does|did|can|will|should)\b"
    r"[^?]*\?\s*(?:\S+\s*){0,5}$",
    re.IGNORECASE,
)


def asking_headline(headline: str) -> bool:
    """Whether a headline is a question, perhaps with a few words after it."""
    return asks(headline) or bool(_ASKING_HEADLINE.match(headline.strip()))


# "Inter Miami vs FC Cincinnati live score, result, updates, highlights with ...", "West Indies v
# England: first T20 international – live", "UTSA vs. Marshall odds, props, predictions: ...":
# a headline naming the coverage a page gives, which tells no outcome ("Hurricane Beryl live
# updates: Impact on Jamaica may be 'catastrophic'" does, after its colon, and stays)
_COVERAGE_LABEL = re.compile(
    r"\blive score\b|\bupdates,? highlights\b|\blive stream, TV channel\b"
    r"|\bodds, props,? (?:and )?(?:predictions|picks)\b|\s[–—-]\s*live$",
    re.IGNORECASE,
)


def labels_coverage(headline: str) -> bool:
    """Whether a headline names the coverage a page gives ("... live score, updates") not news."""
    return bool(_COVERAGE_LABEL.search(headline.strip()))


def is_headline(title: str, texts: Sequence[str]) -> bool:
    """Whether a title reads as a headline worth quoting, not already a line of its passages.

    A plain-text file without a title gets its file name ("2020 11 17 rockets fired"): no
    capital letter; a markdown file's title is its first line, already a candidate sentence.
    """
    if len(title) <= 15 or title == title.lower():
        return False
    flat = " ".join(title.lower().split())
    return not any(flat in " ".join(t.lower().split()) for t in texts)


def shortlist(
    question: str, cands: Sequence[Candidate], titles: Sequence[str], size: int
) -> list[Candidate]:
    """The candidates sharing most words with the question (earlier passages first on ties).

    Embedding every sentence of every passage costs most of a query's time; the sentences
    that share no words with the question rarely win, so only a shortlist is embedded.
    """
    if len(cands) <= size:
        return list(cands)
    qstems = stems(question)
    title_stems = [stems(t) for t in titles]

    def overlap(c: Candidate) -> float:
        words = stems(c.text) | (title_stems[c.passage] if c.passage < len(title_stems) else set())
        return len(qstems & words)

    ranked = sorted(range(len(cands)), key=lambda i: (-overlap(cands[i]), cands[i].passage, i))
    return [cands[i] for i in sorted(ranked[:size])]
