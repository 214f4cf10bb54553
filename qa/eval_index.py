"""The indexes `qa eval` caches: ours, a copy without held-out articles, plain LlamaIndex's."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from qa.eval_data import Question, iter_records
from qa.settings import Settings


def cache_key(
    dataset: Path, selection: set[str] | None, settings: Settings, extra: str = ""
) -> str:
    """Key of a cached index: dataset content, selected articles and the index settings."""
    h = hashlib.sha256()
    h.update(hashlib.sha256((dataset / "articles.jsonl.gz").read_bytes()).digest())
    h.update(json.dumps(sorted(selection) if selection is not None else "all").encode())
    # torch and ONNX fp32 give the same MiniLM vectors (cosine > 0.999): they share an index
    embedder = {"local": "minilm", "onnx": "minilm", "onnx-int8": "minilm-int8"}.get(
        settings.embed, f"openai:{settings.openai_embed_model}"
    )
    h.update(f"{settings.chunk_size}/{settings.chunk_overlap}/{embedder}/v2/{extra}".encode())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    """Where eval indexes are cached (QA_EVAL_CACHE, default .qa-eval-cache)."""
    return Path(os.environ.get("QA_EVAL_CACHE", ".qa-eval-cache"))


def holdout_index(
    built: Settings, stats: dict[str, Any], dropped: set[str]
) -> tuple[Settings, dict[str, Any]]:
    """A cached copy of a built index without the held-out articles (deleting beats re-embedding)."""
    from index.revision import bump_revision, rebuild_lexical
    from index.store import PassageStore

    digest = hashlib.sha256(json.dumps(sorted(dropped)).encode()).hexdigest()[:12]
    target = built.index_dir.with_name(f"{built.index_dir.name}-holdout-{digest}")
    settings = built.model_copy(update={"index_dir": target})
    marker = target / "done.json"
    # the ingest figures are the full index's (its passages over its seconds): a copy embeds nothing
    embedded = stats.get("embedded", stats["chunks"])
    if marker.exists():
        return settings, {"embedded": embedded, **json.loads(marker.read_text()), "cached": True}
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(built.index_dir, target)
    (target / "done.json").unlink()
    store = PassageStore(settings)
    store.delete_articles(sorted(dropped))
    rebuild_lexical(store, settings, bump_revision(store))
    held = {
        **stats,
        "chunks": store.count(),
        "articles": len(store.manifest()),
        "embedded": embedded,
    }
    held.pop("cached", None)
    marker.write_text(json.dumps(held))
    return settings, {**held, "cached": True}


def build_index(
    dataset: Path, selection: set[str] | None, base: Settings, embed_model: Any, progress: bool
) -> tuple[Settings, dict[str, Any]]:
    """Ingest the (selected) articles into a cached index; a second run reuses it."""
    from index.chunk import make_splitter
    from index.embed import word_piece_tokenizer
    from index.ingest import ingest
    from index.records import article_from_record
    from index.store import PassageStore

    target = cache_root() / cache_key(dataset, selection, base)
    settings = base.model_copy(
        update={"index_dir": target, "collection": "eval", "chroma_url": None}
    )
    marker = target / "done.json"
    if marker.exists():
        return settings, {**json.loads(marker.read_text()), "cached": True}
    records = (r for r in iter_records(dataset) if selection is None or r["id"] in selection)
    items = (article_from_record(r, str(dataset), None) for r in records)
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer())
    store = PassageStore(settings)
    report = ingest(items, store, embed_model, splitter, settings, progress=progress)
    stats = {
        "ingest_s": round(report.seconds, 2),
        "chunks": store.count(),
        "embedded": store.count(),
        "articles": report.added + report.unchanged,
    }
    marker.write_text(json.dumps(stats))
    return settings, stats


def vanilla_runs(
    dataset: Path,
    selection: set[str] | None,
    questions: list[Question],
    embed_model: Any,
    progress: bool,
) -> list[list[str]]:
    """Plain LlamaIndex: VectorStoreIndex.from_documents (default parser), top 10, same embedder."""
    from llama_index.core import Document, StorageContext, VectorStoreIndex, load_index_from_storage

    target = cache_root() / ("vanilla-" + cache_key(dataset, selection, Settings(), "vanilla"))
    if (target / "docstore.json").exists():
        index = load_index_from_storage(
            StorageContext.from_defaults(persist_dir=str(target)), embed_model=embed_model
        )
    else:
        docs = [
            Document(
                text=r["text"],
                metadata={"article_id": r["id"]},
                excluded_embed_metadata_keys=["article_id"],
                excluded_llm_metadata_keys=["article_id"],
            )
            for r in iter_records(dataset)
            if selection is None or r["id"] in selection
        ]
        index = VectorStoreIndex.from_documents(
            docs, embed_model=embed_model, show_progress=progress
        )
        index.storage_context.persist(persist_dir=str(target))
    retriever = index.as_retriever(similarity_top_k=10)
    return [
        [n.node.metadata["article_id"] for n in retriever.retrieve(q.question)]
        for q in questions
        if q.answerable
    ]
