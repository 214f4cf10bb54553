"""Retrieval, answer and refusal metrics for `qa eval` (pure functions over plain data)."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from statistics import median

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans({c: " " for c in string.punctuation + "“”‘’—–…"})


def normalize(text: str) -> str:
    """Lower-case, strip accents' compatibility forms, punctuation and articles, squeeze spaces."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """Whether any gold answer appears (as whole words) in the text, after normalisation."""
    hay = f" {normalize(text)} "
    return any(f" {normalize(a)} " in hay for a in answers if normalize(a))


def dedupe(article_ids: Sequence[str]) -> list[str]:
    """Article ids in rank order, each once (several passages may share an article)."""
    return list(dict.fromkeys(article_ids))


def hit_at(ranked: Sequence[str], evidence: set[str], k: int) -> float:
    """1.0 when a passage in the top k comes from an evidence article."""
    return float(any(a in evidence for a in ranked[:k]))


def reciprocal_rank(ranked: Sequence[str], evidence: set[str], k: int = 10) -> float:
    """1/rank of the first passage from an evidence article within the top k, else 0."""
    for rank, a in enumerate(ranked[:k], 1):
        if a in evidence:
            return 1.0 / rank
    return 0.0


def recall_at(ranked: Sequence[str], evidence: set[str], k: int) -> float:
    """Share of the evidence articles found among the top k passages."""
    return len(evidence & set(ranked[:k])) / len(evidence) if evidence else 0.0


def retrieval_metrics(runs: Sequence[tuple[Sequence[str], set[str]]]) -> dict[str, float]:
    """hit@1/5/10, mrr@10 and recall@10 averaged over (ranked passage article ids, evidence) runs."""
    n = len(runs) or 1
    return {
        "hit@1": sum(hit_at(r, e, 1) for r, e in runs) / n,
        "hit@5": sum(hit_at(r, e, 5) for r, e in runs) / n,
        "hit@10": sum(hit_at(r, e, 10) for r, e in runs) / n,
        "mrr@10": sum(reciprocal_rank(r, e, 10) for r, e in runs) / n,
        "recall@10": sum(recall_at(r, e, 10) for r, e in runs) / n,
    }


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def word_count(text: str) -> int:
    """Words of an answer, ignoring [n] markers."""
    return sum(1 for w in re.sub(r"\[\d+\]", " ", text).split() if any(ch.isalnum() for ch in w))


def median_or_zero(values: Sequence[float]) -> float:
    """Median, 0 for no values."""
    return float(median(values)) if values else 0.0
