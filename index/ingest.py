"""The ingest pipeline: load -> chunk -> embed -> store (Chroma + BM25), skipping unchanged ones."""

from __future__ import annotations

import contextlib
import itertools
import sys
import time
from collections.abc import Callable, Container, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import MetadataMode, TextNode
from tqdm import tqdm

from index.article import Article, text_hash
from index.chunk import chunk_article
from index.dates import normalize_published
from index.embed import embedder_id
from index.lexical import LexicalIndex
from index.lock import write_lock
from index.prefetch import PREFETCH, prefetched
from index.report import IngestInterrupted, IngestReport, failure
from index.revision import bump_revision, current_revision, rebuild_lexical
from index.sources import is_web_address, lies_under, load_sources, resolved, within_paths
from index.store import WRITING, ArticleEntry, PassageStore
from qa.errors import LoadError, Skipped
from qa.settings import Settings

# An ingest sets a WRITING revision when it starts writing: any BM25 index built before, or
# meanwhile (tagged with it), is known stale, so a crashed ingest can't leave BM25 and Chroma
# apart: the next ingest rebuilds it. Set once per ingest; a BM25 index built under it is never
# saved, and a serving app rebuilds its own when Chroma's passage count moves (`LoadedIndex`).


def embed_nodes(nodes: list[TextNode], embed_model: BaseEmbedding) -> None:
    """Embed passages (title included), longest first so batches pad little."""
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vectors = embed_model.get_text_embedding_batch([texts[i] for i in order])
    for i, vec in zip(order, vectors, strict=True):
        nodes[i].embedding = vec


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
        try:
            entry = manifest.get(item.id)
            unchanged = (
                entry is not None and entry.complete and entry.content_hash == item.content_hash
            )
            chunks = None if unchanged else chunk_article(item, splitter)
        except ValueError as exc:  # an article that can't be split costs itself, not the ingest
            yield LoadError(item.path, f"could not split it into passages ({exc})", item.line), None
            continue
        yield item, chunks


@dataclass(frozen=True)
class Copy:
    """An article new to the index whose text another article (`twin`) holds."""

    article: Article
    twin: str


def copy_warnings(
    copies: Iterable[Copy], seen: dict[str, str], removed: Container[str]
) -> list[dict[str, Any]]:
    """A warning for each copy whose twin still holds its text after the run.

    A twin removed by the run's prune (a renamed file) or given other text in it (a record
    moved down a line of a file without ids) is no copy to delete.
    """
    warnings = []
    for copy in copies:
        text = seen[copy.article.id]
        if copy.twin in removed or seen.get(copy.twin, text) != text:
            continue
        note = LoadError(
            copy.article.path,
            f"same text as the article {copy.twin!r}; indexed again under this id: "
            "delete one of them if it is a copy",
            copy.article.line,
        )
        warnings.append({**failure(note), "article": copy.article.id})
    return warnings


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
        store.catch_up()
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
        except Exception as exc:  # a store gone mid-way (a Chroma server stopped): the same
            with contextlib.suppress(AttributeError):  # an exception that takes no attributes
                exc.report = report  # type: ignore[attr-defined]
            raise


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
    # which article holds each text: by its text's hash (stored before there was one: by content)
    texts = {e.text_hash or e.content_hash: e.id for e in manifest.values()}
    copies: list[Copy] = []  # said once the run's own updates and prune are known
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
                (report.skipped if isinstance(item, Skipped) else report.failed).append(
                    failure(item)
                )
                if item.path:  # an empty path given names no file: it protects none
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
            twin = texts.get(seen[item.id]) or texts.get(item.content_hash, item.id)
            texts.setdefault(seen[item.id], item.id)
            if twin != item.id and item.id not in manifest:  # a copy, or a parent folder's id
                copies.append(Copy(item, twin))
            pending.append((item, chunks))
            if sum(len(n) for _, n in pending) >= batch_chunks:
                flush()
        flush()
        wait_for_write()
    finally:
        writer.shutdown(wait=True)  # an interrupted ingest still finishes the write in flight
        bar.close()

    gone: list[str] = []
    if prune:
        # Articles whose file failed to load this time are kept, and all those under a folder
        # that could not be read: pruning never loses data. A feed that could not be fetched
        # names none of its entries, so then no web article is pruned.
        web_failed = any(is_web_address(p) for p in failed_paths)
        gone = [
            a
            for a, e in manifest.items()
            if a not in seen
            and (prune_scope is None or prune_scope(e.path))
            and not lies_under(resolved(e.path), failed_paths)
            and not (web_failed and is_web_address(e.path))
        ]
        if gone:
            mark_writing()
            store.delete_articles(gone)
        report.removed = len(gone)
    report.warnings += copy_warnings(copies, seen, set(gone))

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
    waiting: Callable[[], None] | None = None,
) -> None:
    """Remove articles from Chroma and the lexical index, under the write lock (`ingest`'s waiting)."""
    with write_lock(settings, lock_timeout, waiting):
        store.catch_up()
        store.delete_articles(article_ids)
        rebuild_lexical(store, settings, bump_revision(store))


def _saved_revision(settings: Settings) -> str:
    saved = LexicalIndex.load(settings.lexical_dir)
    return saved.revision if saved else ""


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
