"""Errors that carry their remedy; the UI and CLI translate them for users."""

from __future__ import annotations


class QAError(Exception):
    """Base of every error article-qa raises on purpose."""


class NoIndexError(QAError):
    """The index holds no articles yet."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"No articles indexed yet in {where}: run `qa ingest PATH` with your articles "
            "(the project's sample is seeds/), or set QA_INDEX_DIR to the index you made."
        )


class LoadError(QAError):
    """One file or line could not be turned into an article."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path, self.reason, self.line = path, reason, line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class Skipped(LoadError):
    """A file or folder left out on purpose: another kind of file, a link, an index folder."""


class ConfigError(QAError):
    """A setting is missing or contradicts another."""


class LLMError(QAError):
    """The configured LLM endpoint failed; the message never contains the API key."""


class IndexBusyError(QAError):
    """Another process is writing to the index."""


class IndexUnreachableError(QAError):
    """The index's store, a Chroma server, cannot be reached."""


UNREACHABLE = (
    "The index cannot be reached ({kind}): if it lives on a Chroma server (QA_CHROMA_URL), "
    "check that the server runs and is reachable."
)


def is_unreachable(exc: BaseException) -> bool:
    """Whether an error means the Chroma server could not be reached (connection refused, ...)."""
    kind = type(exc)
    if isinstance(exc, ConnectionError) or (
        kind.__module__.startswith(("httpx", "httpcore")) and "Connect" in kind.__name__
    ):
        return True
    return "Could not connect to a Chroma server" in str(exc)
