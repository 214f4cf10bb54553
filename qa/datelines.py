"""When an answer's quotes were reported: the dates written before them, and when to write them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.chunk import published_day
from qa.answer_types import question_type

TIME_SENSITIVE = re.compile(
    r"\b(latest|current|currently|now|recent|recently|today|this (week|month|year)|still|new)\b",
    re.IGNORECASE,
)


def date_phrase(published: str) -> str:
    """'Nov. 17, 2020' for a published date, '' when unknown."""
    day = published_day(published)
    if not day:
        return ""
    months = [
        "Jan.",
        "Feb.",
        "March",
        "April",
        "May",
        "June",
        "July",
        "Aug.",
        "Sept.",
        "Oct.",
        "Nov.",
        "Dec.",
    ]
    return f"{months[day // 100 % 100 - 1]} {day % 100}, {day // 10000}"


def datelines(dates: Sequence[str], time_sensitive: bool) -> list[str]:
    """The date to write before each sentence ('' for none), given each sentence's article date.

    Time-sensitive questions, and answers drawn from articles of different dates, say when:
    each sentence whose date differs from the one said before it gets its own dateline
    ("Nov. 17, 2020: Five were hurt. [1] Nov. 18, 2020: Six were hurt. [2]"), so no sentence
    reads as if from another day's report.
    """
    known = [d for d in dates if d]
    if not known or not (time_sensitive or len(set(known)) > 1):
        return ["" for _ in dates]
    out, said = [], ""
    for d in dates:
        out.append(d if d and d != said else "")
        said = d or said
    return out


_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")


def says_when(question: str, quoted: Sequence[str], found_days: int = 1) -> bool:
    """Whether to date the quotes: a time-sensitive question, or a "when" one they give no year.

    Also a "how many / how much" question answered from articles of `found_days` different
    days: a count or a price reported on one day may have changed by the next.
    """
    if TIME_SENSITIVE.search(question):
        return True
    if found_days > 1 and question_type(question) == "number":
        return True
    return question_type(question) == "date" and not any(_YEAR.search(q) for q in quoted)
