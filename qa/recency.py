"""When a question is asked: newer articles weigh more, and articles from after that day are out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta


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
    return to_day(d + timedelta(days=slack_days)) if d else 0


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
