"""What a question names that narrows the search: sources ("according to TechCrunch") and dates."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

# ".com", ".co.uk", ".org.au": an address's ending, which a source's name lacks
_DOMAIN_END = re.compile(
    r"\.(?:com|org|net|news|co|info|io|us|uk|au|ca|de|fr|in|ie|nz)(?:\.[a-z]{2})?$"
)


@lru_cache(maxsize=65536)  # every known source's key, for every question asked
def source_key(source: str) -> str:
    """A source's name or web address as one key: "https://www.CNN.com/", "CNN" -> "cnn".

    "USA Today" and "usatoday.com" share one ("usatoday"); so do "The Verge" and "theverge.com".
    """
    s = re.sub(r"^[a-z][a-z0-9+.-]*://", "", source.strip().lower())
    s = re.sub(r"^www\d?\.", "", s)
    host = s.split("/", 1)[0]
    if "." in host and " " not in host:  # an address: its host, less the domain's ending
        s = _DOMAIN_END.sub("", host)
    s = re.sub(r"[^a-z0-9]+", "", s)
    return s[3:] if s.startswith("the") and len(s) > 6 else s


def mentioned_sources(question: str, known: frozenset[str]) -> list[str]:
    """Known source names the question mentions ("as reported by TechCrunch"), longest first.

    A source known by its address is found by its name, written capitalised ("according to
    USA Today" finds usatoday.com; "what time is it" does not find time.com).
    """
    q = f" {re.sub(r'[^a-z0-9]+', ' ', question.lower())} "
    found: list[str] = []
    names: list[str] = []
    for source in sorted(known, key=len, reverse=True):
        name = _plain(source)
        # "The Age" must not also match inside a longer name already found ("The Agency Post")
        if len(name) >= 3 and f" {name} " in q and not any(f" {name} " in f" {n} " for n in names):
            found.append(source)
            names.append(name)
    named_keys = {source_key(s) for s in found}
    keys = _capitalised_runs(question)
    for source in sorted(known - set(found), key=len, reverse=True):
        key = source_key(source)
        if len(key) >= 3 and key in keys and key not in named_keys:
            found.append(source)
    return found


@lru_cache(maxsize=65536)
def _plain(source: str) -> str:
    """A source's name in lower-case words ("The Verge" -> "the verge")."""
    return re.sub(r"[^a-z0-9]+", " ", source.lower()).strip()


def _capitalised_runs(question: str) -> set[str]:
    """The keys of runs of up to four capitalised words ("USA Today", "The Verge", "CNN's")."""
    words = [
        (m.start(), re.sub(r"'s$", "", m.group(0)))
        for m in re.finditer(r"[A-Za-z0-9][A-Za-z0-9.&]*(?:'s)?", question)
    ]
    keys: set[str] = set()
    for i in range(len(words)):
        for j in range(i + 1, min(i + 5, len(words) + 1)):
            run = [w for _, w in words[i:j]]
            if not all(w[0].isupper() or w[0].isdigit() for w in run):
                break
            # a question's first word is capitalised anyway: alone, only in capitals ("CNN")
            if words[i][0] == 0 and len(run) == 1 and not run[0].isupper():
                continue
            keys.add(source_key(" ".join(run)))
    return keys


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
