"""BM25 index over the stored passages (bm25s), kept in step with Chroma by a revision tag."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

STOPWORDS = "en"
POINTER = "CURRENT"
# Versions no longer current are removed once this old: a reader that has just read CURRENT
# still finds the files it names (mmap keeps open files alive anyway).
KEEP_OLD_S = 120.0


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def stem_words(words: list[str]) -> list[str]:
    """The stems of lower-case words, as `tokenize` stems them."""
    return list(_stemmer().stemWords(words))


_SURFACE_WORD = re.compile(r"[^\W\d_]{2,}")


def surface_forms(texts: Iterable[str]) -> dict[str, str]:
    """Stem -> the lower-case word that most often stands for it, where the two differ."""
    words = Counter(w for t in texts for w in _SURFACE_WORD.findall(t.lower()))
    ranked = sorted(words, key=lambda w: -words[w])
    best: dict[str, str] = {}
    for word, stem in zip(ranked, stem_words(ranked), strict=True):
        best.setdefault(stem, word)
    return {stem: word for stem, word in best.items() if stem != word}


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed tokens (the same for passages and queries)."""
    import bm25s

    out = bm25s.tokenize(
        texts, stopwords=STOPWORDS, stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return [list(toks) for toks in out]


@dataclass
class LexicalIndex:
    """A bm25s retriever plus the passage id, day and source of each row."""

    ids: list[str] = field(default_factory=list)
    days: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sources: list[str] = field(default_factory=list)
    revision: str = ""
    retriever: object | None = None
    # the commonest way the passages write a term, where it is not the term itself
    # ("zelenski" -> "zelensky"): what a correction or suggestion shows (qa.spelling)
    surface: dict[str, str] = field(default_factory=dict)

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
        days_array = np.asarray(days, dtype=np.int64)
        return cls(ids, days_array, sources, revision, retriever, surface_forms(texts))

    def save(self, directory: Path) -> None:
        """Write a new version under `directory` and point `CURRENT` at it, atomically.

        Readers and other writers never see a half-written index: a version is complete before
        its name is written to `CURRENT` (file rename is atomic), and a crash at any point leaves
        the previous version in place.
        """
        directory.mkdir(parents=True, exist_ok=True)
        name = f"v-{uuid.uuid4().hex}"
        tmp = directory / f"{name}.tmp"
        tmp.mkdir()
        if self.retriever is not None:
            self.retriever.save(str(tmp / "bm25"))  # type: ignore[attr-defined]
        rows = {"ids": self.ids, "sources": self.sources, "revision": self.revision}
        (tmp / "rows.json").write_text(json.dumps(rows))
        (tmp / "surface.json").write_text(json.dumps(self.surface))
        np.save(tmp / "days.npy", self.days)
        _synced(tmp)  # on disk before CURRENT names it: a power loss leaves no empty file named
        os.replace(tmp, directory / name)
        pointer = directory / f"{POINTER}.{name}.tmp"
        pointer.write_text(name)
        os.replace(pointer, directory / POINTER)
        _remove_old_versions(directory)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The saved index, or None when there is none (or it is unreadable)."""
        import bm25s

        try:
            version = directory / (directory / POINTER).read_text().strip()
            rows = json.loads((version / "rows.json").read_text())
            days = np.load(version / "days.npy")
            bm25 = bm25s.BM25.load(str(version / "bm25"), mmap=True) if rows["ids"] else None
        # a file cut short (a power loss before it reached the disk: EOFError) or otherwise
        # damaged: None, and the index is rebuilt from Chroma
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            return None
        if len(days) != len(rows["ids"]):
            return None
        try:  # written since 2026-12-04: an older index shows the terms themselves
            surface = json.loads((version / "surface.json").read_text())
        except (OSError, ValueError):
            surface = {}
        return cls(rows["ids"], days, rows["sources"], rows["revision"], bm25, surface)

    def search(
        self,
        query: str,
        k: int,
        since: int = 0,
        until: int = 0,
        sources: set[str] | None = None,
        newest: int = 0,
    ) -> list[tuple[str, float]]:
        """Top-k (passage id, BM25 score), optionally within a day range and set of sources.

        `until` keeps dated articles only; `newest` drops those dated after it but keeps undated ones.
        """
        if self.retriever is None or not self.ids:
            return []
        tokens = tokenize([query])
        if not tokens[0]:
            return []
        mask = None
        if since or until or sources or newest:
            keep = np.ones(len(self.ids), dtype=bool)
            if since:
                keep &= self.days >= since
            if until:
                keep &= (self.days <= until) & (self.days > 0)
            if newest:
                keep &= self.days <= newest
            if sources:
                keep &= np.fromiter(
                    (s in sources for s in self.sources), dtype=bool, count=len(self.sources)
                )
            if not keep.any():
                return []
            mask = keep.astype(np.float32)
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve(  # type: ignore[attr-defined]
            tokens, k=k, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [
            (self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=False) if s > 0
        ]


def _remove_old_versions(directory: Path) -> None:
    """Delete versions (and temp dirs of crashed saves) that are neither current nor recent."""
    try:
        current = (directory / POINTER).read_text().strip()
    except OSError:
        return
    cutoff = time.time() - KEEP_OLD_S
    for entry in directory.iterdir():
        if entry.name == current or entry.name == POINTER:
            continue
        try:
            if entry.stat().st_mtime > cutoff:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
        except OSError:
            continue


def _synced(folder: Path) -> None:
    """Flush every file under a folder to disk (fsync), as a rename is only atomic for names."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
