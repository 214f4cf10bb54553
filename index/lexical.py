"""BM25 index over the stored passages (bm25s), kept in step with Chroma by a revision tag."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

STOPWORDS = "en"


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed tokens (the same for passages and queries)."""
    import bm25s

    out = bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=_stemmer(), return_ids=False, show_progress=False)
    return [list(toks) for toks in out]


@dataclass
class LexicalIndex:
    """A bm25s retriever plus the passage id, day and source of each row."""

    ids: list[str] = field(default_factory=list)
    days: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sources: list[str] = field(default_factory=list)
    revision: str = ""
    retriever: object | None = None

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, int, str]], revision: str) -> LexicalIndex:
        """Index (passage id, text, day, source) rows."""
        import bm25s

        ids, texts, days, sources = [], [], [], []
        for pid, text, day, source in rows:
            ids.append(pid)
            texts.append(text)
            days.append(day)
            sources.append(source)
        retriever = None
        if ids:
            retriever = bm25s.BM25()
            retriever.index(tokenize(texts), show_progress=False)
        return cls(ids, np.asarray(days, dtype=np.int64), sources, revision, retriever)

    def save(self, directory: Path) -> None:
        """Write to `directory` atomically (a crash leaves the old copy or the new one)."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.retriever is not None:
            self.retriever.save(str(tmp / "bm25"))  # type: ignore[attr-defined]
        (tmp / "rows.json").write_text(json.dumps({"ids": self.ids, "sources": self.sources, "revision": self.revision}))
        np.save(tmp / "days.npy", self.days)
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The saved index, or None when there is none (or it is unreadable)."""
        import bm25s

        try:
            rows = json.loads((directory / "rows.json").read_text())
            days = np.load(directory / "days.npy")
            retriever = bm25s.BM25.load(str(directory / "bm25"), mmap=True) if rows["ids"] else None
        except (OSError, ValueError, KeyError):
            return None
        return cls(rows["ids"], days, rows["sources"], rows["revision"], retriever)

    def search(
        self, query: str, k: int, since: int = 0, until: int = 0, sources: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (passage id, BM25 score), optionally within a day range and set of sources."""
        if self.retriever is None or not self.ids:
            return []
        tokens = tokenize([query])
        if not tokens[0]:
            return []
        mask = None
        if since or until or sources:
            keep = np.ones(len(self.ids), dtype=bool)
            if since:
                keep &= self.days >= since
            if until:
                keep &= (self.days <= until) & (self.days > 0)
            if sources:
                keep &= np.fromiter((s in sources for s in self.sources), dtype=bool, count=len(self.sources))
            if not keep.any():
                return []
            mask = keep.astype(np.float32)
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve(  # type: ignore[attr-defined]
            tokens, k=k, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=False) if s > 0]
