"""Chroma storage of passages, and the per-article manifest derived from it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings
from llama_index.core.schema import BaseNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from qa.errors import ConfigError, IndexUnreachableError, is_unreachable
from qa.settings import Settings

PAGE = 5000
EMBEDDER_KEY = "qa_embedder"
# Collections written before the embedder was recorded were all built with the bundled MiniLM.
LEGACY_EMBEDDER = "all-MiniLM-L6-v2/384"
# The collection's revision tag, changed by every write (index.revision.bump_revision); while a
# write is under way it starts with WRITING.
REVISION_KEY = "qa_revision"
WRITING = "writing-"


@dataclass
class ArticleEntry:
    """What the index holds for one article."""

    id: str
    title: str
    published: str
    source: str
    url: str
    path: str
    content_hash: str
    chunks: int
    expected_chunks: int
    text_hash: str = ""  # of its text alone; "" for articles stored before it was kept

    @property
    def complete(self) -> bool:
        """True when every chunk the article was split into is stored (no interrupted write)."""
        return self.chunks == self.expected_chunks

    def as_dict(self) -> dict[str, Any]:
        """The public listing shape of `qa articles --json`."""
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published,
            "source": self.source,
            "chunks": self.chunks,
        }


def open_client(settings: Settings) -> Any:
    """An embedded PersistentClient, or an HttpClient when QA_CHROMA_URL is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise ConfigError(
                f"QA_CHROMA_URL={settings.chroma_url!r} is not a URL like http://127.0.0.1:8000"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            if not is_unreachable(exc):
                raise
            raise IndexUnreachableError(
                f"The Chroma server at {settings.chroma_url} (QA_CHROMA_URL) is unreachable: "
                "start it (`chroma run --path DIR --port PORT`), or unset QA_CHROMA_URL to use "
                "the embedded index."
            ) from None
    check_index_dir(settings)
    try:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"The index folder {settings.index_dir} (QA_INDEX_DIR) cannot be created "
            f"({exc.strerror or exc}): point QA_INDEX_DIR at a folder you can write to."
        ) from None
    try:
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        if "malformed" in str(exc) or "not a database" in str(exc):
            raise ConfigError(
                f"The index in {settings.index_dir} (QA_INDEX_DIR) is damaged ({settings.chroma_dir}"
                "/chroma.sqlite3 cannot be read): move the folder aside and run `qa ingest` on "
                "your articles again to rebuild it."
            ) from None
        if "readonly database" not in str(exc):
            raise
        raise ConfigError(
            f"The index in {settings.index_dir} (QA_INDEX_DIR) is read-only, and Chroma writes "
            "even to read it: make it writable, or copy it to a writable folder and point "
            "QA_INDEX_DIR there."
        ) from None


def check_index_dir(settings: Settings) -> None:
    """A ConfigError when QA_INDEX_DIR names a file, not a folder."""
    if settings.index_dir.exists() and not settings.index_dir.is_dir():
        raise ConfigError(
            f"QA_INDEX_DIR={settings.index_dir} is a file, not a folder: point it at a folder "
            "(a new one is created)."
        )


class PassageStore:
    """The Chroma collection of passages, through llama-index's ChromaVectorStore."""

    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.settings = settings
        # the last revision this process wrote (index.revision.bump_revision): any other is news
        self.written_revision = ""
        # the last manifest read, by (revision, passage count)
        self._manifest: tuple[tuple[str, int], dict[str, ArticleEntry]] | None = None
        self._max_batch: int | None = None
        self._open(client if client is not None else open_client(settings))

    def _open(self, client: Any) -> None:
        self.client = client
        # embedding_function=None: we always pass embeddings, Chroma must never fetch a model.
        self.collection = self.client.get_or_create_collection(
            self.settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self.vector_store = ChromaVectorStore(chroma_collection=self.collection)
        # the revision this store's vectors are as of: what it opened on, or last wrote
        self.seen_revision = str((self.collection.metadata or {}).get(REVISION_KEY, ""))

    def reopen(self) -> None:
        """Open the embedded store afresh, so that vectors another process added are searched.

        An embedded Chroma keeps its vector index in memory: it sees another process's new
        rows in SQLite (counts, metadata) but not their vectors. Chroma shares one "system" per
        path in a process; forgetting it makes the next client load the index from disk.
        Queries already running finish on the old one. A Chroma server needs none of this.
        """
        if self.settings.chroma_url:
            return
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(str(self.settings.chroma_dir), None)
        self._open(open_client(self.settings))

    def catch_up(self) -> None:
        """Reopen an embedded store another process wrote to since: a write needs its vectors.

        Chroma writes its whole in-memory vector index back to disk: one loaded before another
        process's ingest would drop that ingest's vectors. Called under the write lock.
        """
        if not self.settings.chroma_url and self.revision() != self.seen_revision:
            self.reopen()

    def count(self) -> int:
        """Number of passages stored."""
        return int(self.collection.count())

    def iter_records(self, include: list[str]) -> Iterator[tuple[str, dict[str, Any], str | None]]:
        """Every (id, metadata, document) in the collection, a page at a time."""
        offset = 0
        while True:
            page = self.collection.get(include=include, limit=PAGE, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            metas = page.get("metadatas") or [{}] * len(ids)
            docs = page.get("documents") or [None] * len(ids)
            yield from zip(ids, metas, docs, strict=False)
            offset += len(ids)

    def revision(self) -> str:
        """The collection's revision tag (changes with every write), read fresh from Chroma."""
        # `collection.metadata` is a snapshot taken when the store was opened; ask the client again
        # so a long-running server notices what another process ingested.
        fresh = self.client.get_collection(self.settings.collection, embedding_function=None)
        return str((fresh.metadata or {}).get(REVISION_KEY, ""))

    def manifest(self) -> dict[str, ArticleEntry]:
        """One entry per stored article, built from the passages' metadata.

        Reading every passage's metadata takes seconds at 50k passages (6.3 s for news-dev's
        57k), so the entries are kept while the collection's revision and passage count stay
        the same (every ingest or delete changes the revision); never while a write is under
        way, nor for a collection without a revision.
        """
        key = (self.revision(), self.count())
        if self._manifest is not None and self._manifest[0] == key:
            return {k: replace(v) for k, v in self._manifest[1].items()}
        entries = self._read_manifest()
        if key[0] and not key[0].startswith(WRITING):
            self._manifest = (key, {k: replace(v) for k, v in entries.items()})
        return entries

    def _read_manifest(self) -> dict[str, ArticleEntry]:
        entries: dict[str, ArticleEntry] = {}
        for _, meta, _ in self.iter_records(["metadatas"]):
            aid = str(meta.get("article_id", ""))
            entry = entries.get(aid)
            if entry is None:
                entries[aid] = ArticleEntry(
                    id=aid,
                    title=str(meta.get("title", "")),
                    published=str(meta.get("published", "")),
                    source=str(meta.get("source", "")),
                    url=str(meta.get("url", "")),
                    path=str(meta.get("path", "")),
                    content_hash=str(meta.get("content_hash", "")),
                    text_hash=str(meta.get("text_hash", "")),
                    chunks=1,
                    expected_chunks=int(meta.get("n_chunks", 0)),
                )
            else:
                entry.chunks += 1
                if meta.get("content_hash") != entry.content_hash:
                    entry.expected_chunks = -1  # chunks of two versions: treat as incomplete
        return entries

    def add(self, nodes: Sequence[BaseNode]) -> None:
        """Store embedded passages; Chroma's add skips ids it has, so delete old versions first.

        Chroma refuses a call of more than its maximum batch (5,461 rows embedded, a few MB of
        text in one article at the default chunk size), so they go in calls of at most that.
        """
        if not nodes:
            return
        self._manifest = None
        step = self.max_batch()
        for i in range(0, len(nodes), step):
            self.vector_store.add(list(nodes[i : i + step]))

    def max_batch(self) -> int:
        """The most rows Chroma takes in one call (asked once)."""
        if self._max_batch is None:
            try:
                self._max_batch = max(1, int(self.client.get_max_batch_size()))
            except Exception:  # an older server without the call: Chroma's long-standing floor
                self._max_batch = 5000
        return self._max_batch

    def delete_articles(self, article_ids: list[str]) -> None:
        """Remove every passage of these articles."""
        self._manifest = None
        for i in range(0, len(article_ids), 500):
            batch = article_ids[i : i + 500]
            self.collection.delete(where={"article_id": {"$in": batch}})

    def get_passages(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of the given passage ids."""
        if not ids:
            return {}
        page = self.collection.get(ids=ids, include=["documents", "metadatas"])
        return {
            i: (d or "", m or {})
            for i, d, m in zip(page["ids"], page["documents"], page["metadatas"], strict=False)
        }

    def check_embedder(self, embedder: str, record: bool) -> None:
        """Refuse an embedder other than the one that built the collection; `record` it when empty."""
        fresh = self.client.get_collection(self.settings.collection, embedding_function=None)
        metadata = dict(fresh.metadata or {})
        if self.count() == 0:
            if record and metadata.get(EMBEDDER_KEY) != embedder:
                metadata = {k: v for k, v in metadata.items() if not k.startswith("hnsw:")}
                self.collection.modify(metadata={**metadata, EMBEDDER_KEY: embedder})
            return
        built_with = str(metadata.get(EMBEDDER_KEY) or LEGACY_EMBEDDER)
        if built_with != embedder:
            raise ConfigError(
                f"Collection {self.settings.collection!r} was built with the embedder {built_with}, "
                f"but QA_EMBED={self.settings.embed} gives {embedder}: set QA_EMBED back to the "
                "embedder that built it, or ingest into a new collection (QA_COLLECTION=another)."
            )
