"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused, then re-ranked by sentence."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores.types import (
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
)
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from index.lexical import LexicalIndex
from index.store import PassageStore
from qa.citations import Passage
from qa.fusion import reciprocal_rank_fusion, relative_score_fusion
from qa.mentions import mentioned_days, mentioned_sources
from qa.recency import last_day_seen, recency_prior, to_day
from qa.rerank import TermWeights, key_sentences, rerank, sentence_coverage
from qa.vectors import EmbedTexts, cosine


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to a date range (YYYYMMDD ints, 0 = open) and a set of sources.

    `as_of` is the day the question is asked (0 = today): articles dated after it (with a
    day's slack) are left out, and the newer an article is on that day, the more it weighs.
    """

    since: int = 0
    until: int = 0
    sources: frozenset[str] = frozenset()
    as_of: int = 0

    def to_metadata_filters(self, newest: int = 0) -> MetadataFilters | None:
        """The same restriction as llama-index metadata filters for the vector store.

        `newest` also caps the publication day (undated passages, day 0, pass).
        """
        items: list[MetadataFilter] = []
        if newest:
            items.append(
                MetadataFilter(key="published_day", value=newest, operator=FilterOperator.LTE)
            )
        if self.since:
            items.append(
                MetadataFilter(key="published_day", value=self.since, operator=FilterOperator.GTE)
            )
        if self.until:
            items.append(
                MetadataFilter(key="published_day", value=self.until, operator=FilterOperator.LTE)
            )
            items.append(MetadataFilter(key="published_day", value=0, operator=FilterOperator.GT))
        if self.sources:
            items.append(
                MetadataFilter(key="source", value=sorted(self.sources), operator=FilterOperator.IN)
            )
        return MetadataFilters(filters=items, condition=FilterCondition.AND) if items else None  # type: ignore[arg-type]

    def newest(self) -> int:
        """The latest publication day `as_of` lets in (0 = any); undated articles stay in."""
        return last_day_seen(self.as_of) if self.as_of else 0

    def narrowed(self, since: int, until: int, sources: frozenset[str]) -> Filters:
        """The same question day with another date range and set of sources."""
        return Filters(since, until, sources, self.as_of)


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
        term_weights: TermWeights | None = None,
        rerank_depth: int = 20,
        rerank_alpha: float = 0.5,
        known_sources: frozenset[str] = frozenset(),
        source_weight: float = 1.0,
        sentence_weight: float = 1.0,
        sentence_vectors: EmbedTexts | None = None,
        sentences_per_passage: int = 1,
        sentence_depth: int = 10,
        repeat_penalty: float = 0.5,
        fusion: Literal["rrf", "relative"] = "relative",
        recency_weight: float = 0.0,
        recency_half_life: float = 30.0,
    ) -> None:
        super().__init__()
        self.store, self.lexical, self.embed_model = store, lexical, embed_model
        self.top_k, self.candidates, self.lexical_weight = top_k, candidates, lexical_weight
        self.filters = filters or Filters()
        self.term_weights = term_weights
        self.rerank_depth, self.rerank_alpha = rerank_depth, rerank_alpha
        self.known_sources, self.source_weight = known_sources, source_weight
        self.sentence_weight, self.sentences_per_passage = sentence_weight, sentences_per_passage
        self.sentence_depth = sentence_depth
        self.repeat_penalty = repeat_penalty
        if fusion not in ("rrf", "relative"):
            raise ValueError(f"fusion must be 'rrf' or 'relative', not {fusion!r} (QA_FUSION)")
        self.fusion = fusion
        self.recency_weight, self.recency_half_life = recency_weight, recency_half_life
        self.sentence_vectors = sentence_vectors or embed_model.get_text_embedding_batch
        self.last_query_embedding: list[float] | None = None

    def _dense(
        self, embedding: list[float], filters: Filters | None = None
    ) -> tuple[list[str], dict[str, Any], dict[str, float]]:
        f = filters or self.filters
        newest = f.newest()
        # Chroma pre-filters slowly when most of the index passes (20x at 57k passages), so the
        # question day's cap is applied afterwards, on twice the candidates; only when that
        # leaves too few (most of the nearest passages are later) does Chroma filter itself.
        wanted = self.candidates * (2 if newest else 1)
        result = self.store.vector_store.query(
            VectorStoreQuery(
                query_embedding=embedding,
                similarity_top_k=wanted,
                filters=f.to_metadata_filters(),
            )
        )
        nodes = {
            n.node_id: n for n in result.nodes or [] if not newest or published_day_of(n) <= newest
        }
        if newest and len(nodes) < self.candidates and len(result.nodes or []) >= wanted:
            result = self.store.vector_store.query(
                VectorStoreQuery(
                    query_embedding=embedding,
                    similarity_top_k=self.candidates,
                    filters=f.to_metadata_filters(newest),
                )
            )
            nodes = {n.node_id: n for n in result.nodes or []}
        # llama-index's Chroma store reports exp(-cosine distance); recover the cosine similarity
        cosine = {
            i: 1.0 + math.log(max(s, 1e-9))
            for i, s in zip(result.ids or [], result.similarities or [], strict=False)
            if i in nodes
        }
        return list(nodes)[: self.candidates], nodes, cosine

    def _lexical(self, text: str, filters: Filters | None = None) -> list[tuple[str, float]]:
        if self.lexical is None:
            return []
        f = filters or self.filters
        return self.lexical.search(
            text, self.candidates, f.since, f.until, set(f.sources), f.newest()
        )

    def _fuse(
        self, rankings: list[list[tuple[str, float]]], weights: list[float]
    ) -> list[tuple[str, float]]:
        """Fuse (id, score) rankings by rank (RRF) or by min-max scaled score ("relative")."""
        if self.fusion == "relative":
            return relative_score_fusion(rankings, weights)
        return reciprocal_rank_fusion([[pid for pid, _ in r] for r in rankings], weights)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        question = query_bundle.query_str
        embedding = query_bundle.embedding or self.embed_model.get_query_embedding(question)
        self.last_query_embedding = embedding
        dense_ids, dense_nodes, dense_cos = self._dense(embedding)
        rankings = [[(i, dense_cos.get(i, 0.0)) for i in dense_ids], self._lexical(question)]
        weights = [1.0, self.lexical_weight]
        # A question naming sources ("according to The Verge and TechCrunch") searches each one.
        for source in mentioned_sources(question, self.known_sources) if self.source_weight else []:
            narrowed = self.filters.narrowed(
                self.filters.since, self.filters.until, frozenset({source})
            )
            if self.filters.sources and source not in self.filters.sources:
                continue
            ids, nodes, cos = self._dense(embedding, narrowed)
            dense_nodes.update({k: v for k, v in nodes.items() if k not in dense_nodes})
            rankings += [[(i, cos.get(i, 0.0)) for i in ids], self._lexical(question, narrowed)]
            weights += [self.source_weight, self.source_weight * self.lexical_weight]
        # ... and a question naming a date ("reported on October 31, 2023") searches that day.
        for day in mentioned_days(question) if self.source_weight else []:
            if (self.filters.since and day < self.filters.since) or (
                self.filters.until and day > self.filters.until
            ):
                continue
            narrowed = self.filters.narrowed(day, day, self.filters.sources)
            ids, nodes, cos = self._dense(embedding, narrowed)
            dense_nodes.update({k: v for k, v in nodes.items() if k not in dense_nodes})
            rankings += [[(i, cos.get(i, 0.0)) for i in ids], self._lexical(question, narrowed)]
            weights += [self.source_weight, self.source_weight * self.lexical_weight]
        fused = self._fuse(rankings, weights)[: max(self.top_k, self.rerank_depth)]
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
        if self.term_weights is not None and (self.rerank_alpha or self.sentence_weight) and out:
            out = self._rerank(question, embedding, out)
        return out[: self.top_k]

    def _rerank(
        self, question: str, embedding: list[float], hits: list[NodeWithScore]
    ) -> list[NodeWithScore]:
        """Order by fused score + coverage of the best sentence + its similarity to the question.

        A cascade: every hit is scored by fused score + coverage (cheap); only the best
        `sentence_depth` of those have their key sentences embedded (MiniLM: the costly part),
        and they are ordered by the full score ahead of the rest. In both stages a passage
        loses `repeat_penalty` for each passage of its article placed above it.
        """
        assert self.term_weights is not None
        pairs = [(h.node.get_content(), str(h.node.metadata.get("title", ""))) for h in hits]
        per_passage = sentence_coverage(question, pairs, self.term_weights)
        coverage = [max((c for c, _ in sents), default=0.0) for sents in per_passage]
        for hit, c in zip(hits, coverage, strict=True):
            hit.node.metadata["coverage"] = c
        groups = [str(h.node.metadata.get("article_id", "")) for h in hits]
        prior = recency_prior(
            [published_day_of(h.node) for h in hits],
            self.filters.as_of or to_day(date.today()),
            self.recency_weight,
            self.recency_half_life,
        )
        order = rerank(
            [h.score or 0.0 for h in hits],
            coverage,
            self.rerank_alpha,
            groups=groups,
            repeat_penalty=self.repeat_penalty,
            prior=prior,
        )
        if not self.sentence_weight or self.sentence_depth <= 0:
            return [hits[i] for i in order]
        head, tail = order[: self.sentence_depth], order[self.sentence_depth :]
        keys = [key_sentences(per_passage[i], self.sentences_per_passage) for i in head]
        flat = [t for ks in keys for t in ks]
        sims = cosine(self.sentence_vectors(flat), embedding)
        similarity, pos = [], 0
        for ks in keys:
            similarity.append(float(sims[pos : pos + len(ks)].max()) if ks else 0.0)
            pos += len(ks)
        head_order = rerank(
            [hits[i].score or 0.0 for i in head],
            [coverage[i] for i in head],
            self.rerank_alpha,
            similarity,
            self.sentence_weight,
            top=max((h.score or 0.0 for h in hits), default=1.0),
            groups=[groups[i] for i in head],
            repeat_penalty=self.repeat_penalty,
            prior=[prior[i] for i in head],
        )
        return [hits[head[j]] for j in head_order] + [hits[i] for i in tail]


def published_day_of(node: Any) -> int:
    """A retrieved node's publication day as YYYYMMDD (0 when undated), from its metadata."""
    return int(node.metadata.get("published_day", 0) or 0)


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
