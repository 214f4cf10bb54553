"""The page's search settings, checked and turned into `Engine.stream` keyword arguments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from qa.errors import ConfigError


def parse_filters(
    top_k: float | None,
    since: str | None,
    until: str | None,
    sources: Sequence[str] | None,
    as_of: str | None = None,
) -> dict[str, Any]:
    """The search settings as `Engine.stream` keyword arguments; ConfigError says what to fix."""
    days = {}
    for name, value in (("since", since), ("until", until), ("as of", as_of)):
        value = (value or "").strip()
        try:
            days[name] = date.fromisoformat(value).isoformat() if value else None
        except ValueError:
            raise ConfigError(
                f"The '{name}' date must look like 2020-11-17 (YYYY-MM-DD), not {value!r}."
            ) from None
    days["as_of"] = days.pop("as of")
    if days["since"] and days["until"] and days["since"] > days["until"]:
        raise ConfigError("The 'since' date is after the 'until' date: swap them or clear one.")
    return {"top_k": int(top_k) if top_k else None, "sources": list(sources or []) or None, **days}
