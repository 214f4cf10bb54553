"""The public entry point: `ask()` over the index, through one Engine per settings."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date

from qa.citations import Answer
from qa.engine import Engine, History
from qa.settings import Settings

_engines: dict[Settings, Engine] = {}
_engines_lock = threading.Lock()


def default_engine(settings: Settings | None = None) -> Engine:
    """One Engine per settings, created on first use (loading the model takes seconds)."""
    settings = settings or Settings()
    with _engines_lock:
        if settings not in _engines:
            _engines[settings] = Engine(settings)
        return _engines[settings]


def ask(
    question: str,
    *,
    history: History | None = None,
    top_k: int | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    sources: Sequence[str] | None = None,
    as_of: str | date | None = None,
    engine: Engine | None = None,
) -> Answer:
    """Answer `question` from the indexed articles (index at QA_INDEX_DIR), with `[n]` citations.

    `as_of` is the day the question is asked (default today): newer articles weigh more. With
    an explicit day, articles published after it are left out, and a question about recent
    news ("this week") whose articles are all over QA_STALE_DAYS older is refused, saying so.
    """
    return (engine or default_engine()).ask(question, history, top_k, since, until, sources, as_of)
