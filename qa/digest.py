"""Answers that quote articles in order, not by their best sentences: a gist, "more", the latest news."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from qa.answer import refusal
from qa.answer_text import compose
from qa.candidates import Candidate, Scored, candidates, clean_headline, is_headline, quotable_spans
from qa.citations import Answer, Passage


def overview_answer(question: str, lede: Passage, max_words: int = 60) -> Answer:
    """The gist of an article: its headline and first sentences (within `max_words`), cited."""
    spans = [(s, e) for s, e in quotable_spans(lede.text) if e - s > 15]
    chosen: list[tuple[int, int]] = []
    words = 0
    for s, e in spans:
        size = len(lede.text[s:e].split())
        if chosen and words + size > max_words:
            break
        chosen.append((s, e))
        words += size
    parts = [c for c in candidates([lede], headlines=1) if c.headline]
    parts += [Candidate(0, s, e, lede.text[s:e]) for s, e in chosen]
    if not parts:
        return refusal(question)
    return compose(question, [lede], [Scored(c, 1.0, 1.0, 1.0) for c in parts], confidence=1.0)


def more_answer(
    question: str, article: Sequence[Passage], said: str, max_words: int = 60
) -> Answer:
    """More of one article ("Tell me more"): its headline and sentences the chat has not quoted yet."""
    flat = " ".join(re.sub(r"\[[^\]\d][^\]]*\]", "", said).split())  # "[Sam] Bankman-Fried"
    parts: list[Candidate] = []
    if article and clean_headline(article[0].title) not in flat:
        parts += [c for c in candidates(article[:1], headlines=1) if c.headline]
    seen: set[str] = set()
    words = 0
    for i, p in enumerate(article):
        for s, e in quotable_spans(p.text):
            text = " ".join(p.text[s:e].split())
            if e - s <= 15 or text in seen or text in flat:
                continue
            seen.add(text)
            size = len(text.split())
            if words and words + size > max_words:
                break
            parts.append(Candidate(i, s, e, p.text[s:e]))
            words += size
        if words >= max_words:
            break
    if not any(not c.headline for c in parts):  # all of it was quoted: say so, quote its opening
        whole = overview_answer(question, article[0], max_words)
        return replace(whole, notice="That is the whole article: it says nothing more.")
    return compose(question, article, [Scored(c, 1.0, 1.0, 1.0) for c in parts], confidence=1.0)


def digest_answer(question: str, ledes: Sequence[Passage], opening: int = 12) -> Answer:
    """The newest articles at a glance, dated and cited: headlines, and the newest one's opening."""
    parts: list[Candidate] = []
    for i, lede in enumerate(ledes):
        headline = clean_headline(lede.title)
        titled = is_headline(headline, [lede.text])
        if titled:
            parts.append(Candidate(i, 0, 0, headline, headline=True))
        if titled and i:
            continue
        words = 0
        for s, e in quotable_spans(lede.text):
            if e - s <= 15:  # a dateline or a heading's stub
                continue
            parts.append(Candidate(i, s, e, lede.text[s:e]))
            words += len(lede.text[s:e].split())
            if titled or words >= opening:
                break
    if not parts:
        return refusal(question)
    scored = [Scored(c, 1.0, 1.0, 1.0) for c in parts]
    return compose(question, ledes, scored, confidence=1.0, lines=True)
