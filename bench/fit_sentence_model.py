"""Fit the sentence model's weights (qa/sentence_model.py) on eval sets, and cross-validate it.

    .venv/bin/python bench/fit_sentence_model.py ../shared/eval/news-dev ../shared/eval/squad2-dev \
        ../shared/eval/multihop-dev [--folds 5] [--l2 1.0] [--top-k 5] [--shortlist 8]

For every answerable question it retrieves and scores candidate sentences exactly as `ask()`
does (same index cache as `qa eval`, so a second run embeds nothing), labels a sentence 1 when
it holds a gold answer (the `qa eval` comparison), and fits a softmax over each question's
candidates. It prints, per set, how often the first and the first two sentences hold a gold
answer under the current score and under the model (k-fold, folds by question), and the
weights fitted on all the sets, to paste into qa/sentence_model.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qa.answer as answer  # noqa: E402
from index.embed import build_embed_model  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.eval_data import read_questions  # noqa: E402
from qa.eval_index import build_index  # noqa: E402
from qa.filters import search_filters  # noqa: E402
from qa.metrics import normalize  # noqa: E402
from qa.retrieve import to_passage  # noqa: E402
from qa.scores import model_features, scored_candidates  # noqa: E402
from qa.search import search  # noqa: E402
from qa.sentence_model import FEATURES, WEIGHTS  # noqa: E402
from qa.settings import Settings  # noqa: E402


def holds(text: str, answers: list[str]) -> bool:
    """Whether a sentence holds a gold answer (whole words, after normalising)."""
    padded = f" {normalize(text)} "
    return any(f" {normalize(a)} " in padded for a in answers if normalize(a))


def collect(dataset: Path, top_k: int) -> dict[str, Any]:
    """Features, labels, question ids and current scores of every answerable question's candidates."""
    base = Settings()
    embed_model = build_embed_model(base)
    settings, _ = build_index(dataset, None, base, embed_model, progress=True)
    engine = Engine(settings, embed_model=embed_model)
    xs, ys, groups, old = [], [], [], []
    for i, q in enumerate(read_questions(dataset, None)):
        if not q.answerable:
            continue
        hits, vector = search(
            engine.index, q.question, top_k, search_filters(None, None, None, q.asked_on)
        )
        passages = [to_passage(h) for h in hits]
        scored = scored_candidates(
            q.question, passages, vector, engine.index.sentence_vectors, answer.SHORTLIST
        )
        if not scored:
            continue
        xs.append(model_features(q.question, scored, passages, engine.index.term_weights))
        ys += [holds(s.candidate.text, list(q.answers)) for s in scored]
        groups += [i] * len(scored)
        old += [s.score for s in scored]
    return {
        "X": np.vstack(xs),
        "Y": np.array(ys, dtype=bool),
        "G": np.array(groups),
        "old": np.array(old),
    }


def by_group(groups: np.ndarray) -> list[np.ndarray]:
    """Row indices of each question."""
    out: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        out.setdefault(int(g), []).append(i)
    return [np.array(v) for v in out.values()]


def loss(
    w: np.ndarray, x: np.ndarray, y: np.ndarray, rows: list[np.ndarray], l2: float
) -> tuple[float, np.ndarray]:
    """-log P(a gold sentence) under a softmax over each question's candidates, + L2; and its gradient."""
    z = x @ w
    total, grad = l2 * float(w @ w), 2 * l2 * w
    for ix in rows:
        gold = y[ix]
        if not gold.any():
            continue
        e = np.exp(z[ix] - z[ix].max())
        p = e / e.sum()
        pg = p * gold
        total -= float(np.log(pg.sum()))
        grad += p @ x[ix] - (pg / pg.sum()) @ x[ix]
    return total, grad


def fit(x: np.ndarray, y: np.ndarray, groups: np.ndarray, l2: float) -> np.ndarray:
    """Weights on the raw features (fitted on standardised ones)."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mu) / sd
    result = minimize(
        loss, np.zeros(x.shape[1]), args=(z, y, by_group(groups), l2), jac=True, method="L-BFGS-B"
    )
    return np.asarray(result.x / sd)


def top_share(scores: np.ndarray, y: np.ndarray, groups: np.ndarray, k: int) -> float:
    """Share of questions whose `k` best-scored candidates hold a gold answer."""
    rows = by_group(groups)
    hit = sum(bool(y[ix[np.argsort(-scores[ix], kind="stable")][:k]].any()) for ix in rows)
    return hit / max(len(rows), 1)


def main() -> None:
    """Collect, cross-validate, fit on all, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--top-k", type=int, default=Settings().top_k)
    parser.add_argument("--shortlist", type=int, default=answer.SHORTLIST)
    args = parser.parse_args()
    answer.SHORTLIST = args.shortlist
    sets = {d.name: collect(d, args.top_k) for d in args.datasets}
    rng = np.random.default_rng(0)
    for j, d in enumerate(sets.values()):
        ids = rng.permutation(np.unique(d["G"]))
        fold = {int(g): n % args.folds for n, g in enumerate(ids)}
        d["fold"] = np.array([fold[int(g)] for g in d["G"]])
        d["G"] = d["G"] + 1_000_000 * j  # question ids unique across sets
        d["cv"] = np.zeros(len(d["Y"]))
    for k in range(args.folds):
        train = [{n: d[n][d["fold"] != k] for n in ("X", "Y", "G")} for d in sets.values()]
        w = fit(*(np.concatenate([t[n] for t in train]) for n in ("X", "Y", "G")), args.l2)
        for d in sets.values():
            test = d["fold"] == k
            d["cv"][test] = d["X"][test] @ w
    print(
        f"{'set':<14} {'questions':>9}  shortlist score top-1 / top-2   "
        "current weights top-1 / top-2   refitted top-1 / top-2 (cv)"
    )
    for name, d in sets.items():
        n = len(by_group(d["G"]))
        old, now, cv = (
            [top_share(scores, d["Y"], d["G"], k) for k in (1, 2)]
            for scores in (d["old"], d["X"] @ WEIGHTS, d["cv"])
        )
        print(
            f"{name:<14} {n:>9}  {old[0]:.3f} / {old[1]:.3f}                      "
            f"{now[0]:.3f} / {now[1]:.3f}                    {cv[0]:.3f} / {cv[1]:.3f}"
        )
    w = fit(*(np.concatenate([d[n] for d in sets.values()]) for n in ("X", "Y", "G")), args.l2)
    print("WEIGHTS = np.array([")
    for name, value in zip(FEATURES, w, strict=True):
        print(f"    {value:+.4f},  # {name}")
    print("])")


if __name__ == "__main__":
    main()
