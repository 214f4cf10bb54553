"""Errors that carry their remedy; the UI and CLI translate them for users."""

from __future__ import annotations


class QAError(Exception):
    """Base of every error article-qa raises on purpose."""


class NoIndexError(QAError):
    """The index holds no articles yet."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"No articles indexed yet in {where}: run `qa ingest seeds/` (or a folder of your own)."
        )


class LoadError(QAError):
    """One file or line could not be turned into an article."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path, self.reason, self.line = path, reason, line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class ConfigError(QAError):
    """A setting is missing or contradicts another."""


class LLMError(QAError):
    """The configured LLM endpoint failed; the message never contains the API key."""
