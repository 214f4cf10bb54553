"""Turn a follow-up question into a standalone one (the deterministic rule; an LLM may do better)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer import REFUSED
from qa.sentences import content_words

_FOLLOWUP = re.compile(
    r"^\s*(and|but|also|what about|how about|so|then)\b|\b(it|its|they|them|their|this|that|these|those|he|she|"
    r"him|her|his|there|the attack|the event|the incident)\b",
    re.IGNORECASE,
)


def is_followup(question: str) -> bool:
    """Whether the question leans on an earlier one: opens with 'and', has a pronoun, or names nothing."""
    if _FOLLOWUP.search(question):
        return True
    # short and naming nothing: "How many died?", not "Who is the president of France?"
    names = any(w[:1].isupper() for w in question.split()[1:])
    return len(content_words(question)) <= 2 and not names


def standalone_question(question: str, history: Sequence[tuple[str, str]] | None) -> str:
    """Carry the previous question's keywords into a follow-up; return other questions unchanged.

    "And how many were wounded?" after "Where were the rockets fired from?" becomes
    "And how many were wounded? (rockets fired)".
    """
    if not history or not is_followup(question):
        return question
    # the last question that was answered: a refused one is not what "it" refers to
    answered = [q for q, a in history if not a.startswith(REFUSED)]
    previous = answered[-1] if answered else history[-1][0]
    own = set(content_words(question))
    carried = [w for w in dict.fromkeys(content_words(previous)) if w not in own]
    if not carried:
        return question
    return f"{question.strip()} ({' '.join(carried)})"
