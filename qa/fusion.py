"""Fusion of several rankings of passage ids: by rank (RRF) or by min-max scaled score."""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = 60
) -> list[tuple[str, float]]:
    """Fuse rankings: each id scores sum(weight / (k + rank)), best first; ties keep first-seen order."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, pid in enumerate(ranking, 1):
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def relative_score_fusion(
    rankings: Sequence[Sequence[tuple[str, float]]], weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse scored rankings: each score min-max scaled to [0, 1] within its ranking, weighted, summed."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        if not ranking:
            continue
        lo = min(s for _, s in ranking)
        hi = max(s for _, s in ranking)
        for pid, s in ranking:
            scaled = (s - lo) / (hi - lo) if hi > lo else 1.0
            scores[pid] = scores.get(pid, 0.0) + weight * scaled
    return sorted(scores.items(), key=lambda item: -item[1])
