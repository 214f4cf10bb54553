"""Re-rank fused passages by their best sentence: coverage of the question's rare words, and meaning."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.lexical import LexicalIndex, tokenize
from qa.sentences import sentence_spans


@dataclass(frozen=True)
class TermWeights:
    """Inverse document frequency of the lexical index's terms."""

    vocab: dict[str, int]
    doc_freq: np.ndarray
    n_docs: int

    @classmethod
    def from_lexical(cls, lexical: LexicalIndex | None) -> TermWeights:
        """IDF table read from a bm25s index (document frequency = postings per term)."""
        retriever = getattr(lexical, "retriever", None)
        if lexical is None or retriever is None:
            return cls({}, np.zeros(0), 0)
        indptr = np.asarray(retriever.scores["indptr"])
        return cls(
            dict(retriever.vocab_dict),
            np.diff(indptr),
            int(retriever.scores.get("num_docs", len(lexical.ids))),
        )

    def passages(self) -> dict[str, int]:
        """How many passages hold each term."""
        n = len(self.doc_freq)
        return {t: int(self.doc_freq[i]) for t, i in self.vocab.items() if i < n and t}

    def share(self, term: str) -> float:
        """The share of passages that hold the term (0 for a term the index lacks)."""
        i = self.vocab.get(term)
        if i is None or i >= len(self.doc_freq) or not self.n_docs:
            return 0.0
        return float(self.doc_freq[i]) / self.n_docs

    def idf(self, term: str) -> float:
        """BM25's idf; unseen terms weigh as if they appeared once."""
        i = self.vocab.get(term)
        df = float(self.doc_freq[i]) if i is not None and i < len(self.doc_freq) else 1.0
        return math.log(1.0 + (max(self.n_docs, 1) - df + 0.5) / (df + 0.5))


def best_sentence_coverage(
    question_terms: set[str], sentences: Sequence[set[str]], title: set[str], weights: TermWeights
) -> float:
    """Largest idf-weighted share of the question's terms found in one sentence (plus the title)."""
    if not question_terms:
        return 0.0
    total = sum(weights.idf(t) for t in question_terms)
    best = 0.0
    for terms in sentences or [set()]:
        covered = question_terms & (terms | title)
        best = max(best, sum(weights.idf(t) for t in covered) / total)
    return best


def sentence_coverage(
    question: str, passages: Sequence[tuple[str, str]], weights: TermWeights
) -> list[list[tuple[float, str]]]:
    """For each (text, title) passage: (idf-weighted coverage of the question, sentence) per sentence."""
    spans = [sentence_spans(text) or [(0, len(text))] for text, _ in passages]
    flat = [text[s:e] for (text, _), sp in zip(passages, spans, strict=True) for s, e in sp]
    tokens = tokenize([question] + [title for _, title in passages] + flat)
    q_terms, rest = set(tokens[0]), tokens[1:]
    titles, sentence_tokens = rest[: len(passages)], rest[len(passages) :]
    out, pos = [], 0
    for i, sp in enumerate(spans):
        title = set(titles[i])
        out.append(
            [
                (best_sentence_coverage(q_terms, [set(t)], title, weights), flat[pos + j])
                for j, t in enumerate(sentence_tokens[pos : pos + len(sp)])
            ]
        )
        pos += len(sp)
    return out


def coverage_scores(
    question: str, passages: Sequence[tuple[str, str]], weights: TermWeights
) -> list[float]:
    """Best-sentence coverage of the question for each (text, title) passage."""
    return [
        max((c for c, _ in sentences), default=0.0)
        for sentences in sentence_coverage(question, passages, weights)
    ]


def key_sentences(sentences: Sequence[tuple[float, str]], per_passage: int) -> list[str]:
    """The passage's sentences that cover most of the question (first ones on ties)."""
    order = sorted(range(len(sentences)), key=lambda i: (-sentences[i][0], i))
    return [sentences[i][1] for i in order[:per_passage]]


def rerank(
    fused: Sequence[float],
    coverage: Sequence[float],
    alpha: float,
    similarity: Sequence[float] | None = None,
    beta: float = 0.0,
    top: float | None = None,
    groups: Sequence[str] | None = None,
    repeat_penalty: float = 0.0,
    prior: Sequence[float] | None = None,
) -> list[int]:
    """Order (indices) by fused score scaled to `top` (default: the best one), + alpha x coverage + beta x similarity + prior.

    With `groups` (each hit's article) and a `repeat_penalty`, a hit loses that much for every
    hit of its group already placed above it, so other articles get a look in.
    """
    top = top or max(fused, default=1.0) or 1.0
    sims = similarity if similarity is not None else [0.0] * len(fused)
    lift = prior if prior is not None else [0.0] * len(fused)
    combined = [
        f / top + alpha * c + beta * s + p
        for f, c, s, p in zip(fused, coverage, sims, lift, strict=True)
    ]
    order = sorted(range(len(combined)), key=lambda i: -combined[i])
    if not repeat_penalty or groups is None:
        return order
    placed: dict[str, int] = {}
    out: list[int] = []
    left = order
    while left:
        best = max(left, key=lambda i: combined[i] - repeat_penalty * placed.get(groups[i], 0))
        out.append(best)
        placed[groups[best]] = placed.get(groups[best], 0) + 1
        left = [i for i in left if i != best]
    return out
