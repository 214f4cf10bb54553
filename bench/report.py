"""Markdown report with plots from `qa eval --json` outputs: `python bench/report.py OUT.json... --out reports/`."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from qa.metrics import hit_at, percentile  # noqa: E402
from qa.settings import Settings  # noqa: E402


def load(path: Path) -> tuple[dict, list[dict]]:
    """Metrics and per-question rows of one eval run."""
    details = path.with_suffix(".questions.jsonl")
    rows = (
        [json.loads(line) for line in details.read_text().splitlines()] if details.exists() else []
    )
    return json.loads(path.read_text()), rows


def column(name: str, metrics: dict, rows: list[dict]) -> str:
    """A run's column title: its file name, questions and passages."""
    return (
        f"{name} ({metrics.get('n_questions', len(rows))} q, {metrics.get('chunks', 0):,} passages)"
    )


def hit_curve(rows: list[dict], key: str) -> list[float]:
    """hit@k for k = 1..10 over answerable rows."""
    ans = [r for r in rows if r["answerable"] and key in r]
    return [
        sum(hit_at(r[key], set(r["evidence"]), k) for r in ans) / (len(ans) or 1)
        for k in range(1, 11)
    ]


def tradeoff(rows: list[dict], threshold: float) -> tuple[list[float], list[float], list[float]]:
    """(thresholds, false refusal rate, refusal accuracy) as the refusal threshold moves.

    A question refused at `threshold` (the run's) with a confidence at or above it was refused
    by another check (off-topic, similarity floor, a name no article mentions, stale news): it
    stays refused wherever the threshold moves, so the curve passes through the run's figures.
    """

    def refused(r: dict, t: float) -> bool:
        other = not r.get("answered", True) and r["confidence"] >= threshold
        return other or r["confidence"] < t

    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    # every value a question has is a threshold where the curve can move (any scale)
    values = sorted({r["confidence"] for r in rows} | {threshold})
    ts = [*values, max(values, default=0.0) + 1e-9]
    frr = [sum(refused(r, t) for r in ans) / (len(ans) or 1) for t in ts]
    acc = [sum(refused(r, t) for r in una) / (len(una) or 1) for t in ts]
    return ts, frr, acc


def main() -> None:
    """Write reports/eval.md and its PNG plots."""
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("reports"))
    args = parser.parse_args()
    missing = [str(p) for p in args.runs if not p.is_file()]
    if missing:
        sys.exit(
            f"error: no eval run at {', '.join(missing)}: write it with `qa eval DATASET --json FILE`"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    loaded = [(p.stem, load(p)) for p in args.runs]
    runs = {column(stem, *run): run for stem, run in loaded}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        "# article-qa evaluation",
        "",
        f"Produced by `make eval` (`qa eval DATASET --baseline vanilla --json ...`) on "
        f"{date.today()}{f' at commit {commit}' if commit else ''}. A column named `-firstN` ran "
        "the set's first N questions only, over their evidence and a fixed sample of the other "
        "articles: a smaller corpus than the whole set's, so its figures are not the set's.",
        "",
    ]

    keys = [
        "n_questions",
        "n_unanswerable",
        "chunks",
        "hit@1",
        "hit@5",
        "hit@10",
        "mrr@10",
        "recall@10",
        "answer_recall",
        "answer_words_median",
        "citation_precision",
        "refusal_accuracy",
        "false_refusal_rate",
        "ask_p50_ms",
        "ask_p95_ms",
        "ingest_chunks_per_s",
    ]
    lines += ["| metric | " + " | ".join(runs) + " |", "|---|" + "---|" * len(runs)]
    for k in keys:
        cells = []
        for metrics, _ in runs.values():
            base = (metrics.get("baseline") or {}).get(k)
            cells.append(
                ("–" if metrics.get(k, "") is None else f"{metrics.get(k, '')}")
                + (f" (vanilla {base})" if base is not None else "")
            )
        label = f"{k} (when the index was built)" if k == "ingest_chunks_per_s" else k
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "\u2013: the set has no such questions (no unanswerable ones: no refusal accuracy).",
    ]

    fig, axes = plt.subplots(1, len(runs), figsize=(5 * len(runs), 4), squeeze=False)
    for ax, (name, (_, rows)) in zip(axes[0], runs.items(), strict=True):
        ax.plot(range(1, 11), hit_curve(rows, "ranked"), marker="o", label="article-qa (hybrid)")
        if any("vanilla_ranked" in r for r in rows):
            ax.plot(
                range(1, 11),
                hit_curve(rows, "vanilla_ranked"),
                marker="s",
                label="vanilla LlamaIndex",
            )
        ax.set(title=name, xlabel="k", ylabel="hit@k", ylim=(0, 1.02))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")  # the curves climb to the top right
    fig.tight_layout()
    fig.savefig(args.out / "hit_at_k.png", dpi=110)
    lines += ["", "## Retrieval: hit@k against vanilla LlamaIndex", "", "![hit@k](hit_at_k.png)"]

    fig, ax = plt.subplots(figsize=(6, 4.5))
    skipped = []
    for name, (metrics, rows) in runs.items():
        if not any(not r["answerable"] for r in rows):
            skipped.append(name)
            continue
        _, frr, acc = tradeoff(rows, Settings().min_score)
        (line,) = ax.plot(frr, acc, marker=".", label=name)
        ax.plot(
            [metrics["false_refusal_rate"]],
            [metrics["refusal_accuracy"]],
            marker="*",
            markersize=14,
            color=line.get_color(),
            linestyle="none",
        )
    ax.plot([], [], marker="*", color="grey", linestyle="none", label="the default threshold")
    ax.axvline(0.10, color="grey", linestyle="--", linewidth=1, label="false refusals 0.10")
    ax.set(
        xlabel="false refusal rate (answerable refused)",
        ylabel="refusal accuracy (unanswerable refused)",
        xlim=(0, 1),
        ylim=(0, 1.02),
    )
    ax.set_title("Refusal trade-off as QA_MIN_SCORE moves")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "refusal_tradeoff.png", dpi=110)
    lines += [
        "",
        "## Refusals: the trade-off as the threshold moves",
        "",
        "![refusal trade-off](refusal_tradeoff.png)",
    ]
    if skipped:
        lines += ["", f"Not plotted (no unanswerable questions): {', '.join(skipped)}."]

    fig, ax = plt.subplots(figsize=(7, 4))
    every = [r["ms"] for _, rows in runs.values() for r in rows] or [1.0]
    bins = np.geomspace(max(min(every), 1.0), max(every) * 1.01, 40)
    for name, (_, rows) in runs.items():
        ms = [r["ms"] for r in rows]
        ax.hist(
            ms,
            bins=bins,
            histtype="step",
            linewidth=1.5,
            label=f"{name}: p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms",
        )
    ax.set_xscale("log")
    ax.set(xlabel="ask() latency, ms (log scale)", ylabel="questions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(top=ax.get_ylim()[1] * 1.35)  # room above the bars for the legend
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(args.out / "latency.png", dpi=110)
    lines += [
        "",
        "## Latency of ask() (index loaded, one untimed question first)",
        "",
        "![latency](latency.png)",
        "",
    ]
    (args.out / "eval.md").write_text("\n".join(lines))
    print(f"wrote {args.out / 'eval.md'}")


if __name__ == "__main__":
    main()
