"""What an ingest did: added, updated, unchanged, removed, failed, skipped; its interruption."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from qa.errors import LoadError


@dataclass
class IngestReport:
    """What an ingest did; `as_dict()` is the `qa ingest --json` shape."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    # articles indexed with something left out, saying what (an unreadable date)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # what a folder holds besides articles, left out on purpose (a .png, a link, an index)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        data = asdict(self)
        data.pop("seconds")
        return data

    @property
    def changed(self) -> bool:
        """Whether the index differs from before."""
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """One line for people."""
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, "
            f"{self.chunks} passage{'s' * (self.chunks != 1)} embedded, {len(self.failed)} failed"
            + (
                f", {len(self.warnings)} warning{'s' * (len(self.warnings) > 1)}"
                if self.warnings
                else ""
            )
            + (f", {len(self.skipped)} skipped" if self.skipped else "")
            + f" in {self.seconds:.1f}s"
        )


def failure(err: LoadError) -> dict[str, Any]:
    """A failed file (or line) as reported in the summary."""
    out: dict[str, Any] = {"path": err.path, "error": err.reason}
    if err.line is not None:
        out["line"] = err.line
    return out


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C during an ingest, with the report of what was stored before it."""

    def __init__(self, report: IngestReport) -> None:
        super().__init__()
        self.report = report
