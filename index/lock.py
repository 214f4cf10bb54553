"""One writer at a time per index, across processes: a lock file in the index folder.

Two processes writing one embedded Chroma at once (a `qa ingest` while the server adds an
article) can corrupt it for good; readers need no lock. In one process the writers already
take turns, and they take this lock too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from qa.errors import IndexBusyError
from qa.settings import Settings

LOCK_NAME = ".write.lock"


@contextmanager
def write_lock(
    settings: Settings, timeout: float | None = None, waiting: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the index's write lock; wait up to `timeout` s (None: as long as it takes).

    `waiting()` is called once if another process holds it; IndexBusyError after `timeout`.
    """
    from filelock import FileLock, Timeout

    settings.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.index_dir / LOCK_NAME), is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if waiting is not None:
            waiting()
        try:
            lock.acquire(timeout=-1 if timeout is None else timeout)
        except Timeout:
            raise IndexBusyError(
                f"Another process is writing to the index in {settings.index_dir} (an ingest or "
                "a delete): try again when it has finished."
            ) from None
    try:
        yield
    finally:
        lock.release()
