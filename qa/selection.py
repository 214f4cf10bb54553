"""Which of the ordered candidate sentences an answer quotes: the best, and close runners-up."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer_types import asks_for_person, has_type, question_type
from qa.candidates import Scored, cut_short
from qa.names import names, names_new_person

# the kinds of answer besides a person that a sentence is checked for (qa.answer_types)
ASKED_KINDS = frozenset(["number", "date", "reason"])


def choose(
    scored: Sequence[Scored],
    max_sentences: int = 2,
    keep_ratio: float = 0.85,
    max_words: int = 60,
    keep_gap: float | None = None,
    question: str = "",
    titles: Sequence[str] = (),
    named_in: str = "",
) -> list[Scored]:
    """The best sentence, plus close runners-up while the answer stays within `max_words`.

    A runner-up is close when its score is `keep_ratio` of the best's or, for sentences the
    model ordered, when its logit is at most `keep_gap` below the best's. A headline without
    the date or number that `question` asks for ("When ...?", "How many ...?") adds nothing:
    it is passed over, and when it came first, the first close sentence that is not such a
    headline leads instead. With the passages' `titles`, a runner-up that names none of the
    question's names, in itself or its headline, is passed over when the best one does: "Who
    is Mack Rutherford trying to beat?" gains nothing from a sentence on Aaron Judge. The names
    are `named_in`'s when given: a follow-up's, rewritten with the names it refers to.
    """
    if not scored:
        return []
    qtype = question_type(question) if question else "other"

    def typeless_headline(s: Scored) -> bool:
        return (
            s.candidate.headline
            and qtype in ("date", "number")
            and not has_type(s.candidate.text, qtype, question)
        )

    def far(best: Scored, s: Scored) -> bool:
        if keep_gap is not None and s.order is not None and best.order is not None:
            return best.key - s.key > keep_gap
        return s.score < keep_ratio * best.score

    wanted = (
        {w.lower() for n in names(named_in or question) for w in n.split()} if titles else set()
    )

    def named(s: Scored) -> bool:
        """Whether the sentence, or its headline, holds a word of the question's names."""
        said = f"{s.candidate.text} {titles[s.candidate.passage]}".lower()
        return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", said) for w in wanted)

    best = scored[0]
    if typeless_headline(best):
        rest = [s for s in scored[1:] if not typeless_headline(s)]
        if rest and not far(best, rest[0]):
            best = rest[0]
    chosen = [best]
    words = len(best.candidate.text.split())
    for s in scored[1:]:
        if s is best:
            continue
        if len(chosen) >= max_sentences or far(best, s):
            break
        if typeless_headline(s) or (wanted and named(best) and not named(s)):
            continue  # ... nor a sentence about other things than the question names
        size = len(s.candidate.text.split())
        if words + size <= max_words and not any(restates(s, c) for c in chosen):
            chosen.append(s)
            words += size
    if len(chosen) == 1 and best.candidate.headline and titles:
        chosen += with_the_story(best, scored, titles, max_words - words)
    return with_asked_kind(chosen, scored, question, max_words)


def restates(s: Scored, chosen: Scored) -> bool:
    """Whether a sentence says nothing a chosen one does not: all its words are the other's.

    A markdown heading under its article's headline ("Fed raises key rate" after "Fed raises
    key rate by a quarter point"), or a sentence of two overlapping passages.
    """
    words = set(re.findall(r"\w+", s.candidate.text.lower()))
    return words <= set(re.findall(r"\w+", chosen.candidate.text.lower()))


def with_the_story(
    headline: Scored, scored: Sequence[Scored], titles: Sequence[str], room: int
) -> list[Scored]:
    """For a headline the source cut short ("…stay in power 'until…"), its story's best sentence.

    A cut headline alone leaves the answer in mid-phrase; the sentence the model ranks
    highest under the same headline says the rest.
    """
    title = titles[headline.candidate.passage]
    if not cut_short(title):
        return []
    story = [
        s
        for s in scored
        if not s.candidate.headline
        and titles[s.candidate.passage] == title
        and len(s.candidate.text.split()) <= room
    ]
    return story[:1]


ASKED_GAP = 3.0  # how far below the best a sentence holding what is asked for may be

# a sentence saying the fact was not told: "The company did not disclose a price."
_UNTOLD = re.compile(
    r"\b(?:did not|didn't|would not|wouldn't|could not|declined to|refused to)\s+"
    r"(?:say|disclose|give|name|identify|specify|reveal|confirm)\b"
    r"|\bnot\s+(?:yet\s+)?(?:been\s+)?(?:disclosed|revealed|released|made public)\b"
    r"|\bundisclosed\b"
    r"|\bnot (?:immediately|yet) (?:known|clear|available)\b",
    re.IGNORECASE,
)


def untold(sentence: str) -> bool:
    """Whether a sentence says that something was not disclosed or is not known."""
    return bool(_UNTOLD.search(sentence))


def with_asked_kind(
    chosen: list[Scored], scored: Sequence[Scored], question: str, max_words: int
) -> list[Scored]:
    """For "Who ...?" (or "How many", "When", "Why"), a sentence holding the answer's kind as the second.

    When the chosen sentences name no one new (hold no number, date or cause the question
    lacks), the best sentence within `ASKED_GAP` that does, or that says it was not told
    ("... did not disclose a price"), joins the first. It takes the place of a headline
    holding none (which mostly restates the story), not of a sentence.
    """
    if not question or chosen[0].order is None:
        return chosen
    qtype = "person" if asks_for_person(question) else question_type(question)
    if qtype == "person":

        def holds(text: str) -> bool:
            return names_new_person(text, question)
    elif qtype in ASKED_KINDS:

        def holds(text: str) -> bool:
            return has_type(text, qtype, question)
    else:
        return chosen
    second = chosen[1].candidate if len(chosen) > 1 else None
    if second and (not second.headline or has_type(second.text, qtype, question)):
        return chosen
    if any(holds(c.candidate.text) or untold(c.candidate.text) for c in chosen):
        return chosen
    best = chosen[0]
    for s in scored:
        if s.order is None or best.key - s.key > ASKED_GAP:
            break
        text = s.candidate.text
        if s is best or s.candidate.headline or not (holds(text) or untold(text)):
            continue
        if len(best.candidate.text.split()) + len(s.candidate.text.split()) <= max_words:
            return [best, s]
    return chosen
