"""Requests for the news itself ("What's the latest?"): a digest of the newest articles' ledes."""

from __future__ import annotations

import re

from index.chunk import published_day
from index.store import PassageStore
from qa.answer import refusal
from qa.citations import Answer, Passage
from qa.digest import digest_answer
from qa.intents import asks_for_latest
from qa.loaded_index import LoadedIndex
from qa.mentions import mentioned_sources
from qa.recency import stale_reason, to_date
from qa.retrieve import Filters
from qa.search import stored_passages


def latest_news(
    index: LoadedIndex, question: str, standalone: str, filters: Filters, gist: bool = False
) -> Answer | None:
    """The newest articles, for a request for the news itself (or, with `gist`, for the gist of them all); None for other questions."""
    named = mentioned_sources(standalone, index.sources)  # "the latest news from Reuters"
    unnamed = standalone
    for source in named:
        unnamed = re.sub(re.escape(source), " ", unnamed, flags=re.IGNORECASE)
    if not (gist or asks_for_latest(unnamed)):
        return None
    if named and not filters.sources:
        filters = filters.narrowed(filters.since, filters.until, frozenset(named))
    ledes = newest_ledes(index.store, filters)
    if not ledes:
        dated = "No article in the index carries a date, so none can be called the latest"
        if filters.since or filters.until or filters.sources:
            dated = "No dated article matches the date and source filters"
        elif filters.as_of:
            dated = f"No dated article had been published by {to_date(filters.as_of)}"
        return refusal(question, reason=f"{dated}: ask about a subject instead.")
    stale = stale_reason(
        standalone,
        [published_day(p.published) for p in ledes],
        filters.as_of,
        index.settings.stale_days,
        newest_of="the newest article",
    )
    return refusal(question, reason=stale) if stale else digest_answer(question, ledes)


def newest_ledes(store: PassageStore, filters: Filters, count: int = 3) -> list[Passage]:
    """The opening passages of the newest dated articles the filters let in."""
    newest = filters.as_of  # not a day later, as searches allow for time zones
    dated = []
    for e in store.manifest().values():
        day = published_day(e.published)
        if not day or (filters.sources and e.source not in filters.sources):
            continue
        if (filters.since and day < filters.since) or (filters.until and day > filters.until):
            continue
        if newest and day > newest:
            continue
        dated.append((day, e.title, e.id))
    return stored_passages(store, [f"{a}::0" for _, _, a in sorted(dated, reverse=True)[:count]])
