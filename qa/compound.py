"""Two questions in one ("What did X bid, and what did Y take over?"): split, answered apart, merged."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from qa.answer import quoted_before, shortened
from qa.citations import Answer, Citation

_OPENS_QUESTION = re.compile(
    r"\W*(?:what|how|who|whom|whose|when|where|which|why|did|does|do|is|are|was|were|has|have|"
    r"had|will|would|can|could|should)\b",
    re.IGNORECASE,
)
_AUXILIARY = r"(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should|much|many)"
# ", and what Canadian publishers did Harcourt take over?": a question word, at most three words,
# an auxiliary and more words. "who", "which" and "whose" after "and" mostly open a relative
# clause ("..., and who is also accused of fraud"), so they do not split.
_SECOND = re.compile(
    rf",?\s+and\s+(?=(?:what|how|when|where|why)\s+(?:[\w'’-]+\s+){{0,3}}?{_AUXILIARY}\s+\S+\s+\S)",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """The questions a question asks: two when it joins two with ", and what/how/when...", else one."""
    q = " ".join(question.split())
    if not _OPENS_QUESTION.match(q):
        return [q]
    joins = list(_SECOND.finditer(q))
    if len(joins) != 1:
        return [q]
    first, second = q[: joins[0].start()].strip(" ,"), q[joins[0].end() :].strip()
    if len(first.split()) < 3:
        return [q]
    return [f"{first.rstrip('?')}?", second[:1].upper() + second[1:]]


_MARKER = re.compile(r"\[(\d+)\]")
_PIECE_END = re.compile(r"(?<=\[\d\])\s+|(?<=\[\d\d\])\s+")  # after a sentence's [n]


def renumbered(text: str, numbers: dict[int, int]) -> str:
    """The text with each "[n]" written "[numbers[n]]"."""
    return _MARKER.sub(lambda m: f"[{numbers.get(int(m.group(1)), int(m.group(1)))}]", text)


def merged(question: str, parts: Sequence[str], answers: Sequence[Answer]) -> Answer:
    """One answer from the answers to a question's parts, cited [1], [2]... across both.

    A source cited by both parts keeps one number, and a sentence a part quotes again is
    left out; a part the articles do not answer is said in the notice. When no part is
    answered, the first part's refusal stands for the question.
    """
    answered = [(p, a) for p, a in zip(parts, answers, strict=True) if a.answered]
    if not answered:
        return replace(answers[0], question=question)
    citations: list[Citation] = []
    texts: list[str] = []
    for _, answer in answered:
        numbers: dict[int, int] = {}
        for c in answer.citations:
            same = next(
                (k for k in citations if (k.article_id, k.start) == (c.article_id, c.start)), None
            )
            if same is None:
                citations.append(replace(c, n=len(citations) + 1))
                numbers[c.n] = len(citations)
            else:
                spans = tuple(sorted(set(same.highlights) | set(c.highlights)))
                joined = replace(same, highlights=spans, headline=same.headline or c.headline)
                citations[same.n - 1] = joined
                numbers[c.n] = same.n
        said = " ".join(texts)
        pieces = _PIECE_END.split(renumbered(answer.text, numbers))
        texts.append(" ".join(p for p in pieces if not quoted_before(p, said)))
    text = "\n".join(t for t in texts if t.strip())
    # sources only a left-out sentence cited are dropped, the rest numbered 1, 2...
    used = list(dict.fromkeys(int(n) for n in _MARKER.findall(text)))
    kept = {old: new for new, old in enumerate(used, start=1)}
    unanswered = [p for p, a in zip(parts, answers, strict=True) if not a.answered]
    notices = [a.notice for _, a in answered if a.notice]
    notices += [f"No passage answers “{shortened(p)}”" for p in unanswered]
    return Answer(
        text=renumbered(text, kept),
        answered=True,
        citations=[replace(citations[old - 1], n=new) for old, new in kept.items()],
        question=question,
        notice=" ".join(dict.fromkeys(notices)),
        confidence=min(a.confidence for _, a in answered),
    )
