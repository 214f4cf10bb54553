"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores.utils import metadata_dict_to_node
from llama_index.core.vector_stores.types import (
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
)

from index.lexical import LexicalIndex
from index.store import PassageStore
from qa.citations import Passage
from qa.fusion import reciprocal_rank_fusion


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to a date range (YYYYMMDD ints, 0 = open) and a set of sources."""

    since: int = 0
    until: int = 0
    sources: frozenset[str] = frozenset()

    def to_metadata_filters(self) -> MetadataFilters | None:
        """The same restriction as llama-index metadata filters for the vector store."""
        items: list[MetadataFilter] = []
        if self.since:
            items.append(MetadataFilter(key="published_day", value=self.since, operator=FilterOperator.GTE))
        if self.until:
            items.append(MetadataFilter(key="published_day", value=self.until, operator=FilterOperator.LTE))
            items.append(MetadataFilter(key="published_day", value=0, operator=FilterOperator.GT))
        if self.sources:
            items.append(MetadataFilter(key="source", value=sorted(self.sources), operator=FilterOperator.IN))
        return MetadataFilters(filters=items, condition=FilterCondition.AND) if items else None  # type: ignore[arg-type]


class HybridRetriever(BaseRetriever):
    """Fuses Chroma's dense ranking with BM25's; node scores are the fused scores."""

    def __init__(
        self,
        store: PassageStore,
        lexical: LexicalIndex | None,
        embed_model: BaseEmbedding,
        top_k: int = 10,
        candidates: int = 30,
        lexical_weight: float = 1.0,
        filters: Filters | None = None,
    ) -> None:
        super().__init__()
        self.store, self.lexical, self.embed_model = store, lexical, embed_model
        self.top_k, self.candidates, self.lexical_weight = top_k, candidates, lexical_weight
        self.filters = filters or Filters()
        self.last_query_embedding: list[float] | None = None

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        embedding = query_bundle.embedding or self.embed_model.get_query_embedding(query_bundle.query_str)
        self.last_query_embedding = embedding
        dense = self.store.vector_store.query(
            VectorStoreQuery(
                query_embedding=embedding,
                similarity_top_k=self.candidates,
                filters=self.filters.to_metadata_filters(),
            )
        )
        dense_nodes = {n.node_id: n for n in dense.nodes or []}
        # llama-index's Chroma store reports exp(-cosine distance); recover the cosine similarity
        dense_cos = {i: 1.0 + math.log(max(s, 1e-9)) for i, s in zip(dense.ids or [], dense.similarities or [], strict=False)}
        lexical_hits: list[tuple[str, float]] = []
        if self.lexical is not None:
            f = self.filters
            lexical_hits = self.lexical.search(query_bundle.query_str, self.candidates, f.since, f.until, set(f.sources))
        fused = reciprocal_rank_fusion(
            [list(dense_nodes), [pid for pid, _ in lexical_hits]], [1.0, self.lexical_weight]
        )[: self.top_k]
        missing = [pid for pid, _ in fused if pid not in dense_nodes]
        fetched = self.store.get_passages(missing)
        out: list[NodeWithScore] = []
        for pid, score in fused:
            node: Any = dense_nodes.get(pid)
            if node is None:
                if pid not in fetched:
                    continue  # deleted since the lexical index was built
                text, meta = fetched[pid]
                node = metadata_dict_to_node(meta, text=text)
            node.metadata["dense_cosine"] = dense_cos.get(pid)
            out.append(NodeWithScore(node=node, score=score))
        return out


def to_passage(hit: NodeWithScore) -> Passage:
    """A retrieved node as a Passage (text, span, article metadata)."""
    meta = hit.node.metadata
    text = hit.node.get_content()
    start = getattr(hit.node, "start_char_idx", None) or 0
    return Passage(
        id=hit.node.node_id,
        article_id=str(meta.get("article_id", "")),
        title=str(meta.get("title", "")),
        url=str(meta.get("url", "")),
        published=str(meta.get("published", "")),
        source=str(meta.get("source", "")),
        text=text,
        start=int(start),
        end=int(start) + len(text),
        score=float(hit.score or 0.0),
    )
