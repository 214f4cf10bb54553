"""A question's date and source filters: checked, spelt as the index spells them, said back."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from qa.answer import said_list
from qa.errors import ConfigError
from qa.mentions import source_key
from qa.recency import last_day_seen, to_date, to_day
from qa.retrieve import Filters


def day_number(value: str | date | None) -> int:
    """A date (ISO string or date) as YYYYMMDD, 0 for None."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and re.fullmatch(r"\d{4}/\d{2}/\d{2}", value.strip()):
        value = value.strip().replace("/", "-")  # "2022/06/01", as articles may date themselves
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):  # the shape is right, the day is not
            raise ConfigError(f"{value!r} is no date ({exc}): give a real day.") from None
        raise ConfigError(f"Dates must look like 2020-11-17 (YYYY-MM-DD), not {value!r}.") from None
    return to_day(d)


def search_filters(
    since: str | date | None,
    until: str | date | None,
    sources: Sequence[str] | None,
    as_of: str | date | None = None,
) -> Filters:
    """The filters of a question, asked on `as_of` (None = today), as YYYYMMDD day numbers."""
    first, last = day_number(since), day_number(until)
    if first and last and first > last:
        raise ConfigError(
            f"The date range is backwards: since {to_date(first)} is after until {to_date(last)}."
        )
    named = [sources] if isinstance(sources, str) else list(sources or ())
    return Filters(first, last, frozenset(s.strip() for s in named if s.strip()), day_number(as_of))


def canonical_sources(
    sources: str | Sequence[str] | None, known: frozenset[str]
) -> list[str] | None:
    """The sources asked for, spelt as the index spells them ("the verge" -> "The Verge").

    A name or address the index spells otherwise is matched by `source_key`: "CNN" or
    "https://www.cnn.com/" finds cnn.com (and CNN, where both are there).
    """
    if not sources:
        return None
    by_folded = {k.casefold(): k for k in known}
    by_key: dict[str, list[str]] = {}
    for k in sorted(known):
        by_key.setdefault(source_key(k), []).append(k)
    named = [sources] if isinstance(sources, str) else sources
    out: list[str] = []
    for s in (s.strip() for s in named):
        exact = by_folded.get(s.casefold())
        for k in by_key.get(source_key(s) or s, []) or [exact or s]:
            if k not in out:
                out.append(k)
    return out


def filters_said(filters: Filters) -> str:
    """The date and source filters as people read them ("within the filters (source: CNN)")."""
    parts = []
    if filters.sources:
        label = "source" if len(filters.sources) == 1 else "sources"
        parts.append(f"{label}: {', '.join(sorted(filters.sources))}")
    if filters.since:
        parts.append(f"since {to_date(filters.since)}")
    if filters.until:
        parts.append(f"until {to_date(filters.until)}")
    if filters.as_of:  # articles published after that day are left out
        parts.append(f"asked as of {to_date(filters.as_of)}")
    return f"within the filters ({'; '.join(parts)})" if parts else ""


def unknown_sources(unknown: Sequence[str], known_sources: frozenset[str]) -> str:
    """That no article comes from the sources asked for, and which sources there are."""
    shown = sorted(known_sources)
    more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
    return (
        f"No article is from {said_list(unknown)}. The sources are {', '.join(shown[:10])}{more}."
    )


def filtered_out(filters: Filters, known_sources: frozenset[str]) -> str:
    """Why a search under `filters` found no passage ('' when nothing was filtered out)."""
    unknown = sorted(filters.sources - known_sources)
    if known_sources and unknown and len(unknown) == len(filters.sources):
        return unknown_sources(unknown, known_sources)
    if filters.as_of and filters.since > last_day_seen(filters.as_of):
        return (
            f"The date range starts on {to_date(filters.since)}, after "
            f"{to_date(filters.as_of)}, the day the question is asked as of: nothing published "
            "then could be known. Move one of the two."
        )
    if filters.as_of and not (filters.since or filters.until or filters.sources):
        return (
            f"No article had been published by {to_date(filters.as_of)}, the day the question "
            "is asked as of: choose a later day, or none for today."
        )
    if filters.since or filters.until or filters.sources:
        return "No article matches the date and source filters: widen or clear them."
    return ""
