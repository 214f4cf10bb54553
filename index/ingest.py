"""The ingest pipeline: load -> chunk -> embed -> store (Chroma + BM25), skipping unchanged ones."""

from __future__ import annotations

import contextvars
import itertools
import os
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import MetadataMode, TextNode
from tqdm import tqdm

from index.chunk import chunk_article
from index.dates import normalize_published
from index.embed import embedder_id
from index.lexical import LexicalIndex
from index.load import Article, text_hash
from index.lock import write_lock
from index.store import REVISION_KEY, WRITING, ArticleEntry, PassageStore
from qa.errors import LoadError
from qa.settings import Settings

# An ingest sets a WRITING revision when it starts writing: any BM25 index built before, or
# meanwhile (tagged with it), is known stale, so a crashed ingest can't leave BM25 and Chroma
# apart: the next ingest rebuilds it. Set once per ingest, so a serving app rebuilds once.
# Articles loaded and chunked ahead of the embedder by a background thread: up to this many
# passages (and at least one more ingest batch) wait.
PREFETCH = 512
T = TypeVar("T")


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
            + f" in {self.seconds:.1f}s"
        )


def failure(err: LoadError) -> dict[str, Any]:
    """A failed file (or line) as reported in the summary."""
    out: dict[str, Any] = {"path": err.path, "error": err.reason}
    if err.line is not None:
        out["line"] = err.line
    return out


def embed_nodes(nodes: list[TextNode], embed_model: BaseEmbedding) -> None:
    """Embed passages (title included), longest first so batches pad little."""
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vectors = embed_model.get_text_embedding_batch([texts[i] for i in order])
    for i, vec in zip(order, vectors, strict=True):
        nodes[i].embedding = vec


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


def dated(
    items: Iterable[Article | LoadError], warnings: list[dict[str, Any]]
) -> Iterator[Article | LoadError]:
    """The items with each article's date as YYYY-MM-DD; an unreadable date is left out, with a warning."""
    for item in items:
        if isinstance(item, Article) and item.published:
            day, problem = normalize_published(item.published)
            if problem:
                note = LoadError(item.path, f"{problem}; indexed without a date", item.line)
                warnings.append({**failure(note), "article": item.id})
            if day != item.published:
                item = replace(item, published=day)
        yield item


def prepare(
    items: Iterable[Article | LoadError],
    manifest: dict[str, ArticleEntry],
    splitter: SentenceSplitter,
) -> Iterator[tuple[Article | LoadError, list[TextNode] | None]]:
    """Each item with its passages; None for errors and for articles stored unchanged."""
    for item in items:
        if isinstance(item, LoadError):
            yield item, None
            continue
        entry = manifest.get(item.id)
        unchanged = entry is not None and entry.complete and entry.content_hash == item.content_hash
        yield item, None if unchanged else chunk_article(item, splitter)


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
    store.written_revision = revision
    return revision


def rebuild_lexical(
    store: PassageStore, settings: Settings, revision: str | None = None
) -> LexicalIndex:
    """Build the BM25 index from what Chroma holds and save it under the index dir."""
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
    lexical.save(settings.lexical_dir)
    return lexical


def ingest(
    items: Iterable[Article | LoadError],
    store: PassageStore,
    embed_model: BaseEmbedding | None,
    splitter: SentenceSplitter,
    settings: Settings,
    prune: bool = False,
    progress: bool = True,
    batch_chunks: int | None = None,
    prune_scope: Callable[[str], bool] | None = None,
    lock_timeout: float | None = None,
    waiting: Callable[[], None] | None = None,
) -> IngestReport:
    """Index new and changed articles, skip unchanged ones, optionally prune absent ones.

    `embed_model=None` loads the bundled model only once something needs embedding.
    `prune_scope(path)` says which indexed articles a prune may remove (default: all).
    It holds the index's write lock (`index.lock`), waiting `lock_timeout` s for another
    process's write to end (None: as long as it takes; `waiting()` is called if it must wait).
    """
    report = IngestReport()
    with write_lock(settings, lock_timeout, waiting):
        try:
            return _ingest(
                report,
                items,
                store,
                embed_model,
                splitter,
                settings,
                prune,
                progress,
                batch_chunks,
                prune_scope,
            )
        except KeyboardInterrupt:  # what was stored before it stays: say how much
            raise IngestInterrupted(report) from None


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C during an ingest, with the report of what was stored before it."""

    def __init__(self, report: IngestReport) -> None:
        super().__init__()
        self.report = report


def _ingest(
    report: IngestReport,
    items: Iterable[Article | LoadError],
    store: PassageStore,
    embed_model: BaseEmbedding | None,
    splitter: SentenceSplitter,
    settings: Settings,
    prune: bool,
    progress: bool,
    batch_chunks: int | None,
    prune_scope: Callable[[str], bool] | None,
) -> IngestReport:
    """`ingest`, under the write lock."""
    started = time.perf_counter()
    batch_chunks = batch_chunks or settings.ingest_batch
    manifest = store.manifest()
    seen: dict[str, str] = {}  # the hash of each article's text, by id
    texts = {e.content_hash: e.id for e in manifest.values()}  # which article holds each text
    failed_paths: set[str] = set()
    pending: list[tuple[Article, list[TextNode]]] = []
    bar = tqdm(
        desc="ingest",
        unit=" articles",
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
        delay=1.0,  # shown only for an ingest that takes a while: no bar over a quick one
    )

    writing = False

    def mark_writing() -> None:
        nonlocal writing
        if not writing:
            bump_revision(store, WRITING)
            writing = True

    def write(batch: list[tuple[Article, list[TextNode]]]) -> None:
        stale = [a.id for a, _ in batch if a.id in manifest]
        mark_writing()
        store.delete_articles(stale)
        store.add([n for _, chunk_nodes in batch for n in chunk_nodes])
        for article, chunk_nodes in batch:
            if article.id in manifest:
                report.updated += 1
            else:
                report.added += 1
            report.chunks += len(chunk_nodes)
        bar.set_postfix(passages=report.chunks, refresh=False)

    # One writer thread stores a batch in Chroma while the next one is embedded; at most one
    # write is in flight, and its error stops the ingest at the next step.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write")
    in_flight: list[Future[None]] = []
    checked: list[bool] = []

    def wait_for_write() -> None:
        while in_flight:
            in_flight.pop().result()

    def flush() -> None:
        nonlocal embed_model
        if not pending:
            return
        if embed_model is None:
            from index.embed import build_embed_model

            embed_model = build_embed_model(settings)
        batch = list(pending)
        pending.clear()
        nodes = [n for _, chunk_nodes in batch for n in chunk_nodes]
        embed_nodes(nodes, embed_model)
        wait_for_write()
        if not checked:  # before the first write, here: a wrong embedder stops the ingest now
            store.check_embedder(embedder_id(embed_model, len(nodes[0].embedding or [])), True)
            checked.append(True)
        in_flight.append(writer.submit(write, batch))

    ahead = prefetched(
        prepare(dated(items, report.warnings), manifest, splitter),
        capacity=max(PREFETCH, 2 * batch_chunks),
        weight=lambda pair: len(pair[1] or ()) or 1,
    )
    try:
        for item, chunks in ahead:
            if isinstance(item, LoadError):
                report.failed.append(failure(item))
                failed_paths.add(resolved(item.path))
                continue
            bar.update(1)
            if item.id in seen:
                # the same text again (a record repeated, a page given directly and in its
                # feed) loses nothing: a warning; other text under the id is lost: a failure
                same = seen[item.id] == text_hash(item.text)
                why = "same text as the first; skipped" if same else "other text; kept the first"
                duplicate = LoadError(
                    item.path, f"duplicate article id {item.id!r} ({why})", item.line
                )
                if same:
                    report.warnings.append({**failure(duplicate), "article": item.id})
                else:
                    report.failed.append(failure(duplicate))
                continue
            seen[item.id] = text_hash(item.text)
            if item.warning:
                note = LoadError(item.path, item.warning, item.line)
                report.warnings.append({**failure(note), "article": item.id})
            if chunks is None:
                report.unchanged += 1
                continue
            twin = texts.setdefault(item.content_hash, item.id)
            if twin != item.id and item.id not in manifest:  # a copy, or a parent folder's id
                note = LoadError(
                    item.path,
                    f"same text as the article {twin!r}; indexed again under this id: "
                    "delete one of them if it is a copy",
                    item.line,
                )
                report.warnings.append({**failure(note), "article": item.id})
            pending.append((item, chunks))
            if sum(len(n) for _, n in pending) >= batch_chunks:
                flush()
        flush()
        wait_for_write()
    finally:
        writer.shutdown(wait=True)  # an interrupted ingest still finishes the write in flight
        bar.close()

    if prune:
        # Articles whose file failed to load this time are kept: pruning never loses data. A feed
        # that could not be fetched names none of its entries, so then no web article is pruned.
        web_failed = any(is_web_address(p) for p in failed_paths)
        gone = [
            a
            for a, e in manifest.items()
            if a not in seen
            and (prune_scope is None or prune_scope(e.path))
            and resolved(e.path) not in failed_paths
            and not (web_failed and is_web_address(e.path))
        ]
        if gone:
            mark_writing()
            store.delete_articles(gone)
        report.removed = len(gone)

    revision = current_revision(store)
    if report.changed or revision.startswith(WRITING) or _saved_revision(settings) != revision:
        rebuild_lexical(store, settings, bump_revision(store))
    report.seconds = time.perf_counter() - started
    return report


def delete(
    store: PassageStore,
    settings: Settings,
    article_ids: list[str],
    lock_timeout: float | None = None,
) -> None:
    """Remove articles from Chroma and the lexical index, under the write lock."""
    with write_lock(settings, lock_timeout):
        store.delete_articles(article_ids)
        rebuild_lexical(store, settings, bump_revision(store))


def _saved_revision(settings: Settings) -> str:
    saved = LexicalIndex.load(settings.lexical_dir)
    return saved.revision if saved else ""


def resolved(path: str) -> str:
    """A file's path made absolute (from the folder run in); web addresses as they are.

    Articles are stored with absolute paths; ones stored before were relative to where that
    ingest ran, which this resolves against the current folder as before.
    """
    return path if not path or is_web_address(path) else os.path.abspath(path)


def is_web_address(path: str) -> bool:
    """Whether a path given to ingest is a web address (fetched) rather than a file or folder."""
    return path.strip().lower().startswith(("http://", "https://"))


def within_paths(paths: Iterable[str]) -> Callable[[str], bool]:
    """Whether an indexed article's path lies under one of the given files or folders.

    A web article counts as under them when a web address is among them (a feed's entries have
    their own addresses); an upload or an article added by the API lies under none.
    """
    given = [str(p) for p in paths]
    web = any(is_web_address(p) for p in given)
    # a path that is gone (a moved folder, an unmounted drive) scopes nothing: its articles stay
    roots = [Path(p).resolve() for p in given if not is_web_address(p) and Path(p).exists()]

    def within(path: str) -> bool:
        if is_web_address(path):
            return web
        if not path:
            return False
        target = Path(path).resolve()
        return any(target == root or root in target.parents for root in roots)

    return within


def load_sources(paths: Iterable[str], max_bytes: int) -> Iterator[Article | LoadError]:
    """The articles of files and folders, then of web addresses (a page or an RSS/Atom feed).

    The web's are fetched first, all of them, before any file is read: the caller starts this
    before taking the index's write lock, so a slow site holds up no other writer.
    """
    from index.load import load_paths

    given = [str(p) for p in paths]
    fetched = list(fetch_sources([p for p in given if is_web_address(p)], max_bytes))
    yield from load_paths([p for p in given if not is_web_address(p)], max_bytes=max_bytes)
    yield from fetched


def fetch_sources(urls: Iterable[str], max_bytes: int) -> Iterator[Article | LoadError]:
    """The articles of web addresses (a page, or a feed's entries), an error for each failure."""
    from index.fetch import fetch_url

    for url in dict.fromkeys(p.strip() for p in urls):
        try:
            yield from fetch_url(url, max_bytes=max_bytes)
        except Exception as exc:  # a reader's failure costs its address, not the whole ingest
            yield LoadError(url, f"could not load it ({type(exc).__name__}: {exc})")


def ingest_paths(
    paths: Iterable[str],
    settings: Settings,
    store: PassageStore | None = None,
    embed_model: BaseEmbedding | None = None,
    prune: bool = False,
    progress: bool = True,
    lock_timeout: float | None = None,
    waiting: Callable[[], None] | None = None,
) -> IngestReport:
    """Load, chunk, embed and store the articles under `paths` (files, folders or web addresses)."""
    from index.chunk import make_splitter
    from index.embed import word_piece_tokenizer

    store = store or PassageStore(settings)
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer())
    paths = [str(p) for p in paths]
    items = load_sources(paths, max_bytes=int(settings.max_file_mb * 1_000_000))
    next_item = next(items, None)  # the web's pages fetched now, before the write lock
    items = itertools.chain([] if next_item is None else [next_item], items)
    return ingest(
        items,
        store,
        embed_model,
        splitter,
        settings,
        prune=prune,
        progress=progress,
        prune_scope=within_paths(paths),
        lock_timeout=lock_timeout,
        waiting=waiting,
    )
