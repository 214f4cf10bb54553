"""article-qa: ask questions about news articles and get answers that cite their passages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qa.citations import Answer, Citation

if TYPE_CHECKING:
    from qa.api import ask

__all__ = ["Answer", "Citation", "ask"]


def __getattr__(name: str) -> Any:
    # `ask` pulls in the index stack (torch, Chroma); import it on first use, which also
    # lets index/ import qa.errors and qa.settings without a cycle.
    if name == "ask":
        from qa.api import ask

        return ask
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
