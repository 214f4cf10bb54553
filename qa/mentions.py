"""What a question names that narrows the search: sources ("according to TechCrunch") and dates."""

from __future__ import annotations

import re
from datetime import date


def mentioned_sources(question: str, known: frozenset[str]) -> list[str]:
    """Known source names the question mentions ("as reported by TechCrunch"), longest first."""
    q = f" {re.sub(r'[^a-z0-9]+', ' ', question.lower())} "
    found: list[str] = []
    names: list[str] = []
    for source in sorted(known, key=len, reverse=True):
        name = re.sub(r"[^a-z0-9]+", " ", source.lower()).strip()
        # "The Age" must not also match inside a longer name already found ("The Agency Post")
        if len(name) >= 3 and f" {name} " in q and not any(f" {name} " in f" {n} " for n in names):
            found.append(source)
            names.append(name)
    return found


_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DAY = re.compile(
    r"\b("
    + "|".join(m[:3] for m in _MONTHS)
    + r")[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b",
    re.IGNORECASE,
)


def mentioned_days(question: str) -> list[int]:
    """Full dates the question names ("October 31, 2023", "2023-10-31") as YYYYMMDD."""
    days = []
    for m in _DAY.finditer(question):
        if m.group(1):
            month = [x[:3] for x in _MONTHS].index(m.group(1).lower()[:3]) + 1
            day, year = int(m.group(2)), int(m.group(3))
        else:
            year, month, day = int(m.group(4)), int(m.group(5)), int(m.group(6))
        try:
            date(year, month, day)
        except ValueError:
            continue
        days.append(year * 10000 + month * 100 + day)
    return list(dict.fromkeys(days))
