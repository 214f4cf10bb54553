"""Markdown report with plots from `qa eval --json` outputs: `python bench/report.py OUT.json... --out reports/`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from qa.metrics import hit_at, percentile  # noqa: E402


def load(path: Path) -> tuple[dict, list[dict]]:
    """Metrics and per-question rows of one eval run."""
    details = path.with_suffix(".questions.jsonl")
    rows = (
        [json.loads(line) for line in details.read_text().splitlines()] if details.exists() else []
    )
    return json.loads(path.read_text()), rows


def hit_curve(rows: list[dict], key: str) -> list[float]:
    """hit@k for k = 1..10 over answerable rows."""
    ans = [r for r in rows if r["answerable"] and key in r]
    return [
        sum(hit_at(r[key], set(r["evidence"]), k) for r in ans) / (len(ans) or 1)
        for k in range(1, 11)
    ]


def tradeoff(rows: list[dict]) -> tuple[list[float], list[float], list[float]]:
    """(thresholds, false refusal rate, refusal accuracy) as the refusal threshold moves."""
    ans = [r["confidence"] for r in rows if r["answerable"]]
    una = [r["confidence"] for r in rows if not r["answerable"]]
    # every value a question has is a threshold where the curve can move (any scale)
    ts = sorted(set(ans + una)) + [max(ans + una, default=0.0) + 1e-9]
    frr = [sum(c < t for c in ans) / (len(ans) or 1) for t in ts]
    acc = [sum(c < t for c in una) / (len(una) or 1) for t in ts]
    return ts, frr, acc


def main() -> None:
    """Write reports/eval.md and its PNG plots."""
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("reports"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    runs = {p.stem: load(p) for p in args.runs if p.exists()}
    lines = [
        "# article-qa evaluation",
        "",
        "Produced by `make eval` (`qa eval DATASET --baseline vanilla --json ...`).",
        "",
    ]

    keys = [
        "n_questions",
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
        lines.append(f"| {k} | " + " | ".join(cells) + " |")

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
        ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "hit_at_k.png", dpi=110)
    lines += ["", "## Retrieval: hit@k against vanilla LlamaIndex", "", "![hit@k](hit_at_k.png)"]

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name, (_, rows) in runs.items():
        if any(not r["answerable"] for r in rows):
            _, frr, acc = tradeoff(rows)
            ax.plot(frr, acc, marker=".", label=name)
    ax.axvline(0.10, color="grey", linestyle="--", linewidth=1)
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

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, (_, rows) in runs.items():
        ms = [r["ms"] for r in rows]
        ax.hist(
            ms,
            bins=30,
            alpha=0.5,
            label=f"{name} (p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms)",
        )
    ax.set(xlabel="ask() latency, ms", ylabel="questions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "latency.png", dpi=110)
    lines += ["", "## Latency of ask() (index loaded)", "", "![latency](latency.png)", ""]
    (args.out / "eval.md").write_text("\n".join(lines))
    print(f"wrote {args.out / 'eval.md'}")


if __name__ == "__main__":
    main()
