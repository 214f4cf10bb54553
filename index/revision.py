"""The collection's revision tag: marking Chroma changed, and the BM25 index rebuilt to match."""

from __future__ import annotations

import uuid

from index.lexical import LexicalIndex
from index.store import REVISION_KEY, WRITING, PassageStore
from qa.settings import Settings


def current_revision(store: PassageStore) -> str:
    """The revision tag of the collection (changes with every write), read fresh from Chroma."""
    return store.revision()


def bump_revision(store: PassageStore, prefix: str = "") -> str:
    """Mark the collection as changed, so every lexical index built before is stale."""
    revision = prefix + uuid.uuid4().hex
    old = store.collection.metadata or {}
    metadata = {k: v for k, v in old.items() if not k.startswith("hnsw:")}
    metadata[REVISION_KEY] = revision
    store.collection.modify(metadata=metadata)
    store.written_revision = store.seen_revision = revision
    return revision


def rebuild_lexical(
    store: PassageStore, settings: Settings, revision: str | None = None
) -> LexicalIndex:
    """Build the BM25 index from what Chroma holds and save it under the index dir.

    Not saved while a write is under way (a WRITING revision): it holds part of that write,
    and an ingest killed then would leave it trusted until the next one.
    """
    revision = revision if revision is not None else current_revision(store)
    rows = (
        (
            pid,
            f"{meta.get('title', '')}\n{meta.get('source', '')}\n{doc or ''}",
            int(meta.get("published_day", 0) or 0),
            str(meta.get("source", "")),
        )
        for pid, meta, doc in store.iter_records(["documents", "metadatas"])
    )
    lexical = LexicalIndex.build(rows, revision)
    if not revision.startswith(WRITING):
        lexical.save(settings.lexical_dir)
    return lexical
