"""Searching a loaded index: hybrid retrieval's hits, their support, and stored passages."""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from index.store import PassageStore
from qa.citations import Passage
from qa.errors import NoIndexError
from qa.loaded_index import LoadedIndex
from qa.rerank import TermWeights, sentence_coverage
from qa.retrieve import Filters, HybridRetriever, to_passage


def search(
    index: LoadedIndex, question: str, top_k: int | None = None, filters: Filters | None = None
) -> tuple[list[NodeWithScore], list[float]]:
    """The top hits (nodes with fused scores and re-rank coverage) and the question's embedding."""
    settings = index.settings
    if not index.has_passages():
        raise NoIndexError(settings.chroma_url or str(settings.index_dir.resolve()))
    index.check_embedder()
    retriever = HybridRetriever(
        index.store,
        index.lexical(),
        index.embed_model,
        top_k=top_k or settings.top_k,
        filters=filters,
        term_weights=index.term_weights,
        rerank_alpha=settings.rerank_weight,
        known_sources=index.sources,
        source_weight=settings.source_weight,
        sentence_weight=settings.sentence_weight,
        sentence_vectors=index.sentence_vectors,
        sentence_depth=settings.sentence_depth,
        repeat_penalty=settings.repeat_penalty,
        fusion=settings.fusion,
        recency_weight=settings.recency_weight,
        recency_half_life=settings.recency_half_life,
    )
    hits = retriever.retrieve(QueryBundle(question))
    return hits, retriever.last_query_embedding or []


def support(
    question: str,
    hits: Sequence[NodeWithScore],
    passages: Sequence[Passage],
    term_weights: TermWeights | None,
) -> float:
    """The best idf-weighted coverage of the question by a passage sentence (from the re-rank)."""
    known = [h.node.metadata.get("coverage") for h in hits]
    if known and all(c is not None for c in known):
        return max(float(c) for c in known if c is not None)
    if term_weights is None:
        return 0.0
    per_passage = sentence_coverage(question, [(p.text, p.title) for p in passages], term_weights)
    return max((c for sents in per_passage for c, _ in sents), default=0.0)


def top_cosine(hits: Sequence[NodeWithScore]) -> float:
    """The highest dense (MiniLM) cosine of the hits to the question, 0 when none was ranked by it."""
    return max((float(h.node.metadata.get("dense_cosine") or 0.0) for h in hits), default=0.0)


def stored_passages(store: PassageStore, ids: Sequence[str]) -> list[Passage]:
    """The stored passages of these ids, in their order (missing ones left out)."""
    found = store.get_passages(list(ids))
    return [
        to_passage(NodeWithScore(node=metadata_dict_to_node(meta, text=text), score=0.0))
        for text, meta in (found[pid] for pid in ids if pid in found)
    ]


def article_passages(store: PassageStore, top: Passage, count: int = 50) -> list[Passage]:
    """The first `count` passages of the top passage's article, in order."""
    return stored_passages(store, [f"{top.article_id}::{i}" for i in range(count)]) or [top]


def lede(store: PassageStore, top: Passage, passages: Sequence[Passage]) -> Passage:
    """The first passage of the top passage's article (from the hits, else from the store)."""
    for p in passages:
        if p.article_id == top.article_id and p.start == 0:
            return p
    return next(iter(stored_passages(store, [f"{top.article_id}::0"])), top)
