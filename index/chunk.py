"""Split articles into passages that fit the embedder, keeping each passage's character span."""

from __future__ import annotations

from collections.abc import Callable

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import MetadataMode, TextNode

from index.article import Article
from index.dates import normalize_published

# Only the title travels with the passage into the embedding and the LLM prompt.
EMBEDDED_METADATA = ("title",)
METADATA_KEYS = (
    "article_id",
    "title",
    "url",
    "source",
    "published",
    "published_day",
    "path",
    "content_hash",
)


def published_day(published: str) -> int:
    """Date as a sortable integer YYYYMMDD (0 when unknown), for range filters in Chroma."""
    day, _ = normalize_published(published)
    return int(day.replace("-", "")) if day else 0


def to_document(article: Article) -> Document:
    """The llama-index Document for an article, with flat metadata Chroma can store."""
    metadata = {
        "article_id": article.id,
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "published": article.published,
        "published_day": published_day(article.published),
        "path": article.path,
        "content_hash": article.content_hash,
    }
    hidden = [k for k in METADATA_KEYS if k not in EMBEDDED_METADATA]
    return Document(
        text=article.text,
        id_=article.id,
        metadata=metadata,
        excluded_embed_metadata_keys=hidden + ["n_chunks", "chunk"],
        excluded_llm_metadata_keys=hidden + ["n_chunks", "chunk"],
    )


def make_splitter(
    chunk_size: int, chunk_overlap: int, tokenizer: Callable[[str], list]
) -> SentenceSplitter:
    """Sentence-aware splitter counting in the embedder's own word pieces."""
    return SentenceSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        tokenizer=tokenizer,
        paragraph_separator="\n\n",
        include_prev_next_rel=False,
    )


def chunk_article(article: Article, splitter: SentenceSplitter) -> list[TextNode]:
    """Passages of one article, each with its char span and stable id `<article>::<n>`."""
    doc = to_document(article)
    nodes = splitter.get_nodes_from_documents([doc])
    out: list[TextNode] = []
    for i, node in enumerate(nodes):
        assert isinstance(node, TextNode)  # SentenceSplitter makes text nodes
        text = node.get_content(metadata_mode=MetadataMode.NONE)
        start = node.start_char_idx
        if start is None or article.text[start : start + len(text)] != text:
            start = article.text.find(text)
        node.id_ = f"{article.id}::{i}"
        node.start_char_idx = max(start, 0)
        node.end_char_idx = node.start_char_idx + len(text)
        node.metadata["chunk"] = i
        node.metadata["n_chunks"] = len(nodes)
        node.relationships = {}
        out.append(node)
    return out
