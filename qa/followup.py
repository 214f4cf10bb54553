"""Turn a follow-up question into a standalone one (the deterministic rule; an LLM may do better)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer import REFUSED
from qa.sentences import asks_for_latest, content_words, names, topic_words

_REFERS = (
    r"\b(it|its|they|them|their|this|that|these|those|he|she|him|her|his|there|the attack|"
    r"the event|the incident)\b"
)
_FOLLOWUP = re.compile(
    r"^\s*(and|but|also|what about|how about|so|then)\b|" + _REFERS, re.IGNORECASE
)
_POINTS_BACK = re.compile(_REFERS, re.IGNORECASE)


def is_followup(question: str) -> bool:
    """Whether the question leans on an earlier one: opens with 'and', has a pronoun, or names nothing."""
    if _FOLLOWUP.search(question):
        return True
    # short and naming nothing: "How many died?", not "Who is the president of France?"
    names = any(w[:1].isupper() for w in question.split()[1:])
    return len(content_words(question)) <= 2 and not names


def names_said(question: str, previous: str, answer: str) -> bool:
    """Whether the question names what the answer to `previous` told, not what `previous` named.

    "What did Turkey demand?" follows "Which countries did NATO invite?" answered with "...
    after Turkey dropped its objections"; "Who won the Stanley Cup in 2021?" after "Who won
    the Stanley Cup?" asks afresh.
    """

    def said(name: str, text: str) -> bool:
        return bool(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text))

    # the answer's own brackets hold words it added: "[Joe] Biden", "KFC [Kentucky Fried Chicken]"
    answer = re.sub(r"\[([^\]\d][^\]]*)\]", r"\1", answer)
    return any(said(n, answer) and not said(n, previous) for n in names(question))


def standalone_question(question: str, history: Sequence[tuple[str, str]] | None) -> str:
    """Carry the previous question's keywords into a follow-up; return other questions unchanged.

    "And how many were wounded?" after "Where were the rockets fired from?" becomes
    "And how many were wounded? (rockets fired)". A question about a name the last answer
    gave ("What did Turkey demand?" after an answer saying Turkey dropped its objections to
    NATO's new members) follows up on it too.
    """
    if not history:
        return question
    # "And what's the latest news?" asks afresh; "What's the latest news about it?" does not
    if asks_for_latest(question) and not _POINTS_BACK.search(question):
        return question
    # the last question that was answered: a refused one is not what "it" refers to
    answered = [(q, a) for q, a in history if not a.startswith(REFUSED)]
    previous, said = answered[-1] if answered else (history[-1][0], "")
    if not (is_followup(question) or names_said(question, previous, said)):
        return question
    own = set(content_words(question))
    # "news", "latest", "summary" name no subject: after "What's the latest news?" nothing carries
    carried = [w for w in dict.fromkeys(topic_words(previous)) if w not in own]
    if not carried:
        return question
    return f"{question.strip()} ({' '.join(carried)})"
