"""The ingest prefetch thread: order kept, bounded look-ahead, errors raised, early stop."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Iterator

import pytest

from index.prefetch import prefetched


def test_items_arrive_in_order() -> None:
    assert list(prefetched(range(500), capacity=4)) == list(range(500))


def test_producer_runs_at_most_capacity_ahead() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for i in range(100):
            produced.append(i)
            yield i

    stream = prefetched(items(), capacity=3)
    assert next(stream) == 0
    time.sleep(0.3)  # give the producer time to run ahead
    # one item consumed, three queued, one more waiting to be put
    assert len(produced) <= 1 + 3 + 1
    stream.close()


def test_producer_error_is_raised_in_the_consumer() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("broken file")

    stream = prefetched(items())
    assert next(stream) == 1
    with pytest.raises(ValueError, match="broken file"):
        next(stream)


def test_consumer_stopping_early_stops_the_producer() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for i in range(10_000):
            produced.append(i)
            yield i

    for i in prefetched(items(), capacity=2):
        if i == 5:
            break
    before = len(produced)
    time.sleep(0.3)
    assert len(produced) == before < 20
    assert not any(t.name == "ingest-prefetch" and t.is_alive() for t in threading.enumerate())


def test_capacity_counts_item_weights_and_lets_a_heavy_item_in() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for w in [1, 1, 10, 1, 1, 1]:
            produced.append(w)
            yield w

    stream = prefetched(items(), capacity=5, weight=lambda w: w)
    assert next(stream) == 1
    deadline = time.monotonic() + 10  # a busy machine may be slow to run the producer
    while len(produced) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # ...and it must then stop there
    # waiting: 1 + 10 (let in while less than 5 waited); the next one waits for room
    assert produced == [1, 1, 10, 1]
    assert list(stream) == [1, 10, 1, 1, 1]


REQUEST: contextvars.ContextVar[str] = contextvars.ContextVar("request", default="none")


def test_producer_sees_the_callers_context_variables() -> None:
    # Gradio's progress.tqdm finds its request through a context variable
    def items() -> Iterator[str]:
        yield REQUEST.get()

    token = REQUEST.set("upload-7")
    try:
        assert list(prefetched(items())) == ["upload-7"]
    finally:
        REQUEST.reset(token)
