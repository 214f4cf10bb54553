"""Articles loaded and chunked by a background thread while the embedder works."""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

# Articles loaded and chunked ahead of the embedder by a background thread: up to this many
# passages (and at least one more ingest batch) wait.
PREFETCH = 512
T = TypeVar("T")


def prefetched(
    items: Iterable[T], capacity: int = PREFETCH, weight: Callable[[T], int] = lambda _: 1
) -> Iterator[T]:
    """The items, produced by a background thread while the consumer works on earlier ones.

    The producer stays at most `capacity` (summed `weight` of the items waiting) ahead, so memory
    stays bounded; an item is let in whenever less than that waits, however heavy. Loading and
    chunking (Python) then run while the embedder (native code, no GIL) works. Errors in the
    producer are re-raised here; a consumer that stops early stops the producer.
    """
    waiting: deque[tuple[T, int]] = deque()
    ready = threading.Condition()
    state: dict[str, Any] = {"load": 0, "done": False, "error": None, "stop": False}

    def produce() -> None:
        try:
            for item in items:
                w = max(weight(item), 0)
                with ready:
                    while state["load"] >= capacity and not state["stop"]:
                        ready.wait(0.1)
                    if state["stop"]:
                        return
                    waiting.append((item, w))
                    state["load"] += w
                    ready.notify_all()
        except BaseException as exc:  # handed to the consumer, raised there
            state["error"] = exc
        finally:
            with ready:
                state["done"] = True
                ready.notify_all()

    # The producer runs in the caller's context (contextvars): wrappers such as Gradio's
    # progress.tqdm find their request through it, as they would in the caller's thread.
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(produce,), name="ingest-prefetch", daemon=True
    )
    thread.start()
    try:
        while True:
            with ready:
                while not waiting and not state["done"]:
                    ready.wait(0.1)
                if not waiting:
                    if state["error"] is not None:
                        raise state["error"]
                    return
                item, w = waiting.popleft()
                state["load"] -= w
                ready.notify_all()
            yield item
    finally:
        with ready:
            state["stop"] = True
            ready.notify_all()
        thread.join(timeout=5)
