"""The text of an extractive answer: the chosen sentences quoted, dated and cited with [n]."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.candidates import Scored, cut_short
from qa.citations import Answer, Citation, Passage
from qa.datelines import date_phrase, datelines, says_when
from qa.names import acronyms, full_names, with_acronyms, with_full_names
from qa.places import team_names

# Write "[Mikhail] Gorbachev" where a quoted sentence names by last name alone someone its
# article's passages or headline name in full (news-dev 0.462 -> 0.474, multihop 0.237 -> 0.274).
FULL_NAMES = True
# Write "SBF [Sam Bankman-Fried]" where a quoted sentence or headline uses an acronym of
# three or more letters that the retrieved passages spell out as one name.
ACRONYMS = True


def quoted_texts(answer: Answer) -> list[str]:
    """The sentences and headlines an answer quotes from its sources."""
    texts = [c.title for c in answer.citations if c.headline]
    return texts + [c.passage[s:e] for c in answer.citations for s, e in c.highlights]


def article_names(passages: Sequence[Passage]) -> dict[str, dict[str, str]]:
    """Per article, the first names (and teams' places) its passages and headline give to names."""
    texts: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for p in passages:
        texts.setdefault(p.article_id, []).append(p.text)
        titles[p.article_id] = p.title
    every = [p.text for p in passages]
    return {
        article: {
            **team_names([titles[article], *t], every),
            **full_names(t, [titles[article]], every),
        }
        for article, t in texts.items()
    }


_OWN_MARKER = re.compile(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")


def own_markers_dropped(sentence: str) -> str:
    """A quoted sentence without its article's own footnote markers ("...in 1905.[2]").

    In the answer, "[n]" is a citation: an article's "[2]" would read as (and link to) source 2.
    """
    return _OWN_MARKER.sub("", sentence)


def compose(
    question: str,
    passages: Sequence[Passage],
    chosen: Sequence[Scored],
    confidence: float = 0.0,
    lines: bool = False,
) -> Answer:
    """Answer text with a `[n]` after each sentence, and the matching citations."""
    numbers: dict[int, int] = {}
    highlights: dict[int, list[tuple[int, int]]] = {}
    quoted: set[int] = set()  # passages whose article's headline the answer quotes
    parts: list[str] = []
    dates = [date_phrase(passages[s.candidate.passage].published) for s in chosen]
    found_days = len({p.published[:10] for p in passages if p.published})
    dated = datelines(dates, says_when(question, [s.candidate.text for s in chosen], found_days))
    known = article_names(passages) if FULL_NAMES else {}
    spelled = acronyms([t for p in passages for t in (p.title, p.text)]) if ACRONYMS else {}
    for s, dateline in zip(chosen, dated, strict=True):
        p = s.candidate.passage
        if lines and parts and p not in numbers:  # one line per article
            parts.append("\n")
        numbers.setdefault(p, len(numbers) + 1)
        highlights.setdefault(p, [])
        if dateline:
            parts.append(f"{dateline}:")
        if s.candidate.headline:
            quoted.add(p)
            cut = "…" if cut_short(passages[p].title) else ""  # the source's own ellipsis
            headline = with_acronyms(own_markers_dropped(s.candidate.text), spelled)
            parts.append(f"“{headline}{cut}” [{numbers[p]}]")
        else:
            highlights[p].append((s.candidate.start, s.candidate.end))
            text = own_markers_dropped(s.candidate.text)
            text = with_full_names(text, known.get(passages[p].article_id, {}))
            text = with_acronyms(text, spelled)
            parts.append(f"{text} [{numbers[p]}]")
    citations = [
        Citation.from_passage(n, passages[p], tuple(sorted(highlights[p])), p in quoted)
        for p, n in sorted(numbers.items(), key=lambda kv: kv[1])
    ]
    return Answer(
        text=" ".join(parts).replace(" \n ", "\n"),
        answered=True,
        citations=citations,
        question=question,
        confidence=confidence,
    )
