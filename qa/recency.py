"""When a question is asked: newer articles weigh more, and articles from after that day are out."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, timedelta

# A question about the days just before it is asked ("this week", "recently"; not "latest",
# which asks for the newest there is, however old).
_NOW = re.compile(
    r"\b(this (week|weekend|month)|last week|today|tonight|yesterday|recent(ly)?)\b", re.IGNORECASE
)


def to_date(day: int) -> date | None:
    """A YYYYMMDD number as a date (None for 0 or an impossible day)."""
    try:
        return date(day // 10000, day // 100 % 100, day % 100) if day else None
    except ValueError:
        return None


def to_day(d: date) -> int:
    """A date as a YYYYMMDD number."""
    return d.year * 10000 + d.month * 100 + d.day


def last_day_seen(as_of: int, slack_days: int = 1) -> int:
    """The newest publication day an article asked about `as_of` can have (time zones: a day's slack)."""
    d = to_date(as_of)
    if not d:
        return 0
    return to_day(
        d + timedelta(days=slack_days) if date.max - d > timedelta(days=slack_days) else date.max
    )


def recency_prior(
    published: Sequence[int], as_of: int, weight: float, half_life_days: float
) -> list[float]:
    """`weight` halved every `half_life_days` of an article's age on `as_of`; 0 for undated articles."""
    asked = to_date(as_of)
    if asked is None or not weight or half_life_days <= 0:
        return [0.0] * len(published)
    out = []
    for day in published:
        d = to_date(day)
        age = max((asked - d).days, 0) if d else None
        out.append(0.0 if age is None else weight * math.exp(-math.log(2) * age / half_life_days))
    return out


def asks_about_now(question: str) -> bool:
    """Whether the question asks about the days just before it is asked ("... this week?")."""
    return bool(_NOW.search(question))


def stale_reason(
    question: str,
    published: Sequence[int],
    as_of: int,
    max_age_days: int,
    newest_of: str = "the newest article found on it",
) -> str:
    """Why articles can't answer a question about the days before `as_of`: all are older ('' if not).

    Only for a question that asks about now, and only when every article is dated (an undated
    one might be recent); `max_age_days` 0 turns the check off.
    """
    asked = to_date(as_of)
    days = [to_date(day) for day in published]
    if not max_age_days or asked is None or not days or not asks_about_now(question):
        return ""
    if any(d is None for d in days):
        return ""
    newest = max(d for d in days if d is not None)
    age = (asked - newest).days
    if age <= max_age_days:
        return ""
    return (
        f"The question asks about recent news, but {newest_of} is from "
        f"{newest.isoformat()}, {age} days before {asked.isoformat()}, the day it is asked "
        "(ask it as of an earlier day to read older news as recent)."
    )
