"""Fit the refusal model's weights (qa/refusal_model.py) on eval sets, and cross-validate it.

    .venv/bin/python bench/fit_refusal_model.py ../shared/eval/news-dev ../shared/eval/squad2-dev \
        ../shared/eval/multihop-dev --l2 0.01 --answerable-only squad2-dev news-dev \
        --max-frr 0.05 [--folds 5] [--holdout 0.3] [--save F.npz | --load F.npz]

fitted WEIGHTS and BIAS in qa/refusal_model.py; adding

        --foreign squad2-dev@news-dev squad2-dev@multihop-dev news-dev@squad2-dev \
        multihop-dev@squad2-dev news-dev@multihop-dev --foreign-weight 0.8 \
        --drop log_question_words --max-frr 0.07

fitted OFF_TOPIC_WEIGHTS and OFF_TOPIC_BIAS. `--foreign A@B` asks set A's questions of set B's
index as off-topic ones (unanswerable): what a user asks of a corpus that lacks the topic. Pair
sets that share no topic (multihop-dev's 2023 news is also in news-dev's). `--drop` zeroes a
feature: the dev sets' questions are longer than a chat's, and their length would decide.

For every question it retrieves, scores and orders candidate sentences exactly as `ask()` does
(same index cache as `qa eval`, so a second run embeds nothing) and computes the refusal
features. A set with no unanswerable question (news-dev) gets some the way `qa eval --holdout`
makes them: the evidence articles of a fixed share of its questions are deleted from a copy of
the index. A logistic model (answerable = 1; each set weighs the same, and within a set both
classes do) is fitted and cross-validated (folds by question). It prints, per set, the AUC and
the share refused of unanswerable / answerable questions at thresholds of the current rule and
of the model, the one threshold of each that keeps every set's false refusals within --max-frr,
and the weights fitted on all the sets, to paste into qa/refusal_model.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qa.answer as answer  # noqa: E402
from index.embed import build_embed_model  # noqa: E402
from qa.answer_text import compose  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.eval_data import Question, holdout_split, off_topic_questions, read_questions  # noqa: E402
from qa.eval_index import build_index, holdout_index  # noqa: E402
from qa.filters import search_filters  # noqa: E402
from qa.metrics import contains_answer  # noqa: E402
from qa.question_checks import unmentioned_names  # noqa: E402
from qa.refusal_model import FEATURES  # noqa: E402
from qa.retrieve import to_passage  # noqa: E402
from qa.search import search, support, top_cosine  # noqa: E402
from qa.selection import choose  # noqa: E402
from qa.settings import Settings  # noqa: E402


def collect(
    dataset: Path, holdout: float, foreign: dict[str, list[Question]] | None = None
) -> dict[str, dict[str, Any]]:
    """Refusal features, labels and the current rule's values of every question of a set.

    With `foreign`, other sets' questions (as `qa eval --off-topic` makes them: unanswerable)
    are also asked of this set's index ("squad2-dev@news-dev"): off-topic questions, the kind
    a user asks of a corpus that lacks the topic. One whose passages hold one of its gold
    answers is left out: it may be answered.
    """
    base = Settings()
    embed_model = build_embed_model(base)
    questions = read_questions(dataset, None)
    dropped: set[str] = set()
    if all(q.answerable for q in questions):
        questions, dropped = holdout_split(questions, holdout)
    settings, stats = build_index(dataset, None, base, embed_model, progress=True)
    if dropped:
        settings, stats = holdout_index(settings, stats, dropped)
    engine = Engine(settings, embed_model=embed_model)
    own = ask_all(engine, questions)
    own.pop("held")
    out = {dataset.name: own}
    for name, asked in (foreign or {}).items():
        d = ask_all(engine, asked, gold=[list(q.answers) for q in asked])
        keep = ~d.pop("held")
        out[f"{name}@{dataset.name}"] = {k: v[keep] for k, v in d.items()}
    return out


def ask_all(
    engine: Engine, questions: list[Question], gold: list[list[str]] | None = None
) -> dict[str, Any]:
    """The refusal features of each question as `ask()` computes them; with `gold`, whether the passages hold one."""
    xs, ys, conf, right, named, held = [], [], [], [], [], []
    for i, q in enumerate(questions):
        absent = bool(unmentioned_names(engine.index, q.question))
        hits, vector = search(
            engine.index, q.question, None, search_filters(None, None, None, q.asked_on)
        )
        passages = [to_passage(h) for h in hits]
        held.append(
            gold is not None
            and any(a.lower() in p.text.lower() for p in passages for a in gold[i] if len(a) > 3)
        )
        judged = (
            answer.judge(
                q.question,
                passages,
                vector,
                engine.index.sentence_vectors,
                support=support(q.question, hits, passages, engine.index.term_weights),
                term_weights=engine.index.term_weights,
                top_cosine=top_cosine(hits),
            )
            if passages
            else None
        )
        if judged is None:
            xs.append(np.zeros(len(FEATURES)))
            conf.append(-1.0)
            right.append(False)
        else:
            xs.append(judged.signals)
            conf.append(judged.rule_score)
            text = compose(
                q.question, passages, choose(judged.ordered, keep_gap=answer.KEEP_GAP)
            ).text
            right.append(q.answerable and contains_answer(text, list(q.answers)))
        ys.append(q.answerable)
        named.append(absent)
    return {
        "X": np.vstack(xs),
        "Y": np.array(ys, dtype=bool),
        "conf": np.array(conf),
        "right": np.array(right, dtype=bool),
        "named": np.array(named, dtype=bool),
        "held": np.array(held, dtype=bool),
    }


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weights and bias on the raw features of a weighted, L2-penalised logistic regression.

    It is fitted on standardised features; scikit-learn's C = 1 / (2 * l2) makes its objective
    sum(weight * log loss) + l2 * |w|^2, the bias unpenalised.
    """
    mu, sd = x.mean(0), x.std(0) + 1e-9
    model = LogisticRegression(C=1.0 / (2.0 * l2), max_iter=5000)
    model.fit((x - mu) / sd, y.astype(int), sample_weight=weight)
    w = model.coef_[0] / sd
    return w, float(model.intercept_[0] - w @ mu)


def auc(score: np.ndarray, y: np.ndarray) -> float:
    """Probability that an answerable question scores above an unanswerable one."""
    if y.all() or not y.any():
        return float("nan")
    return float(roc_auc_score(y, score))


def rates(d: dict[str, Any], score: np.ndarray, t: float) -> tuple[float, float, float]:
    """(unanswerable refused, answerable refused, answer recall) when refusing below `t`."""
    refused = (score < t) | d["named"]
    y = d["Y"]
    una = float(refused[~y].mean()) if (~y).any() else float("nan")
    frr = float(refused[y].mean()) if y.any() else float("nan")
    recall = float((d["right"] & ~refused)[y].mean()) if y.any() else float("nan")
    return una, frr, recall


def best_threshold(sets: dict[str, dict[str, Any]], key: str, max_frr: float) -> float:
    """The highest threshold on `key` keeping every set's false refusals within `max_frr`."""
    values = np.unique(np.concatenate([d[key] for d in sets.values()]))
    best = float(values.min()) - 1.0
    for t in values:
        if all(rates(d, d[key], float(t))[1] <= max_frr for d in sets.values() if d["Y"].any()):
            best = float(t)
    return best


def main() -> None:
    """Collect, cross-validate, fit on all, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=0.01)
    parser.add_argument("--holdout", type=float, default=0.3)
    parser.add_argument("--max-frr", type=float, default=0.05)
    parser.add_argument(
        "--rule-threshold", type=float, default=0.70, help="the hand-weighted rule's old threshold"
    )
    parser.add_argument("--save", type=Path, help="also write the collected features (.npz)")
    parser.add_argument("--load", type=Path, help="fit on features saved by --save instead")
    parser.add_argument(
        "--answerable-only",
        nargs="*",
        default=[],
        help="sets whose unanswerable questions are left out of the fit (still reported)",
    )
    parser.add_argument(
        "--foreign",
        nargs="*",
        default=[],
        metavar="FROM@TO",
        help="also ask set FROM's questions of set TO's index, as off-topic (unanswerable)",
    )
    parser.add_argument(
        "--foreign-weight",
        type=float,
        default=1.0,
        help="weight of the off-topic sets together, as a share of one set's",
    )
    parser.add_argument(
        "--drop", nargs="*", default=[], choices=FEATURES, help="features to leave out (zeroed)"
    )
    args = parser.parse_args()
    if args.load:
        saved = np.load(args.load)
        sets: dict[str, dict[str, Any]] = {}
        for key in saved.files:
            name, part = key.split("/")
            sets.setdefault(name, {})[part] = saved[key]
    else:
        pairs = [p.split("@") for p in args.foreign]
        by_name = {d.name: d for d in args.datasets}
        sets = {}
        for d in args.datasets:
            foreign = {a: off_topic_questions(by_name[a], d) for a, b in pairs if b == d.name}
            sets.update(collect(d, args.holdout, foreign))
    for name in args.drop:
        for d in sets.values():
            d["X"] = d["X"].copy()
            d["X"][:, FEATURES.index(name)] = 0.0
    if args.save:
        np.savez(args.save, **{f"{n}/{k}": v for n, d in sets.items() for k, v in d.items()})
    rng = np.random.default_rng(0)
    for d in sets.values():
        n, y = len(d["Y"]), d["Y"]
        d["fold"] = rng.permutation(n) % args.folds
        d["weight"] = np.where(y, 0.5 / max(y.sum(), 1), 0.5 / max((~y).sum(), 1))
        if y.all():
            d["weight"] = np.full(n, 1.0 / n)
        d["cv"] = np.zeros(n)
    for name, d in sets.items():
        if "@" in name:  # off-topic questions: together they weigh `--foreign-weight` of a set
            d["weight"] *= (
                args.foreign_weight
                * sum("@" not in n for n in sets)
                / max(1, sum("@" in n for n in sets))
            )
    for name in args.answerable_only:
        y = sets[name]["Y"]
        sets[name]["weight"] = np.where(y, 1.0 / max(y.sum(), 1), 0.0)
    for k in range(args.folds):
        parts = [{n: d[n][d["fold"] != k] for n in ("X", "Y", "weight")} for d in sets.values()]
        w, b = fit(*(np.concatenate([p[n] for p in parts]) for n in ("X", "Y", "weight")), args.l2)
        for d in sets.values():
            test = d["fold"] == k
            d["cv"][test] = d["X"][test] @ w + b
    t_rule = best_threshold(sets, "conf", args.max_frr)
    t_model = best_threshold(sets, "cv", args.max_frr)
    print(
        f"refused unanswerable / answerable, answer recall; thresholds keeping every set's false refusals <= {args.max_frr}"
    )
    print(
        f"{'set':<14} {'q':>4} {'una':>4}  {'AUC rule/model':>15}  {'rule @' + format(args.rule_threshold, '.2f'):>20}  {'rule @' + format(t_rule, '.3f'):>20}  {'model @' + format(t_model, '.3f'):>20}"
    )
    for name, d in sets.items():
        cells = [
            rates(d, d["conf"], args.rule_threshold),
            rates(d, d["conf"], t_rule),
            rates(d, d["cv"], t_model),
        ]
        print(
            f"{name:<14} {len(d['Y']):>4} {int((~d['Y']).sum()):>4}  "
            f"{auc(d['conf'], d['Y']):.3f} / {auc(d['cv'], d['Y']):.3f}  "
            + "  ".join(f"{u:.3f} / {f:.3f}, {r:.3f}" for u, f, r in cells)
        )
    print("\ntrade-off of the model (cross-validated logit threshold: per set una / frr)")
    for t in np.linspace(t_model - 1.5, t_model + 1.5, 7):
        row = "  ".join(
            f"{n}: {rates(d, d['cv'], t)[0]:.3f}/{rates(d, d['cv'], t)[1]:.3f}"
            for n, d in sets.items()
        )
        print(f"  {t:+.2f}  {row}")
    every = {n: np.concatenate([d[n] for d in sets.values()]) for n in ("X", "Y", "weight")}
    w, b = fit(every["X"], every["Y"], every["weight"], args.l2)
    print("\nWEIGHTS = np.array(\n    [")
    for name, v in zip(FEATURES, w, strict=True):
        print(f"        {v:+.4f},  # {name}")
    print(f"    ]\n)\nBIAS = {b:+.4f}")


if __name__ == "__main__":
    main()
