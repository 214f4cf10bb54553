"""A bounded cache of sentence vectors: re-ranking and answering embed the same sentences."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

EmbedTexts = Callable[[list[str]], list[list[float]]]


def cosine(vectors: Any, query: Any) -> np.ndarray:
    """Cosine similarity of each row of `vectors` to `query` (0 for a zero vector)."""
    m = np.asarray(vectors, dtype=np.float32)
    q = np.asarray(query, dtype=np.float32)
    return np.asarray(m @ q / (np.linalg.norm(m, axis=1) * np.linalg.norm(q) + 1e-9))


class SentenceVectors:
    """Embeds texts through `embed_texts`, remembering the last `capacity` of them."""

    def __init__(self, embed_texts: EmbedTexts, capacity: int = 2048) -> None:
        self.embed_texts, self.capacity = embed_texts, capacity
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every vector (benchmarks time questions as if never seen)."""
        with self._lock:
            self._cache.clear()

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of the texts, in order; only the ones not seen recently are embedded."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fresh = dict(zip(missing, self.embed_texts(missing), strict=True)) if missing else {}
        with self._lock:
            out = []
            for t in texts:
                vector = fresh.get(t) or self._cache.get(t)
                if vector is None:  # evicted by another thread meanwhile
                    vector = self.embed_texts([t])[0]
                self._cache[t] = vector
                self._cache.move_to_end(t)
                out.append(vector)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
            return out
