"""Split articles into passages that fit the embedder, keeping each passage's character span."""

from __future__ import annotations

from collections.abc import Callable

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import MetadataMode, TextNode

from index.article import Article, text_hash
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
    "text_hash",
)


def published_day(published: str) -> int:
    """Date as a sortable integer YYYYMMDD (0 when unknown), for range filters in Chroma."""
    day, _ = normalize_published(published)
    return int(day.replace("-", "")) if day else 0


def to_document(article: Article, title: str | None = None) -> Document:
    """The llama-index Document for an article, with flat metadata Chroma can store.

    `title` replaces the article's own in the passages (one cut to fit them).
    """
    metadata = {
        "article_id": article.id,
        "title": article.title if title is None else title,
        "url": article.url,
        "source": article.source,
        "published": article.published,
        "published_day": published_day(article.published),
        "path": article.path,
        "content_hash": article.content_hash,
        "text_hash": text_hash(article.text),  # finds a copy stored under another title
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


def title_budget(chunk_size: int) -> int:
    """The most word pieces of a chunk its "title: ..." line may take.

    A third of the chunk, and never so much that the text has under the 50 word pieces below
    which llama-index prints a warning (on stdout, into `qa ingest --json`).
    """
    return max(min(chunk_size // 3, chunk_size - 50), 1)


def fitted_title(title: str, budget: int, count: Callable[[str], int]) -> str:
    """The title, cut with "…" (at a word where it can be) so "title: ..." counts `budget` or less.

    Every passage carries its title; a page title of thirty menu items would leave its
    passages no room for text (llama-index refuses a title longer than the chunk).
    """
    if count(f"title: {title}") <= budget:
        return title

    def cut(n: int) -> str:
        head = title[:n]
        if title[n : n + 1].strip() and head[-1:].strip() and len(head.split()) > 1:
            head = head.rsplit(maxsplit=1)[0]  # in a word: cut before it
        return head.rstrip() + "…"

    fits, over = 0, len(title)  # cut(fits) fits, cut(over) does not: bisect between
    while over - fits > 1:
        middle = (fits + over) // 2
        fits, over = (middle, over) if count(f"title: {cut(middle)}") <= budget else (fits, middle)
    return cut(fits) if fits else ""


def chunk_article(article: Article, splitter: SentenceSplitter) -> list[TextNode]:
    """Passages of one article, each with its char span and stable id `<article>::<n>`."""

    def count(text: str) -> int:  # the splitter's own count, as it measures the title
        return len(splitter._tokenizer(text))

    title = fitted_title(article.title, title_budget(splitter.chunk_size), count)
    doc = to_document(article, title)
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
