"""The figures of `qa eval`: per-question rows summed up into metrics, and the table printed."""

from __future__ import annotations

from typing import Any

from qa.metrics import median_or_zero, percentile, retrieval_metrics

RETRIEVAL_KEYS = ("hit@1", "hit@5", "hit@10", "mrr@10", "recall@10")


def summarize(rows: list[dict[str, Any]], stats: dict[str, Any]) -> dict[str, Any]:
    """The metrics of `qa eval --json` from per-question rows and ingest stats."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    cited = [(a, set(r["evidence"])) for r in answerable for a in r["cited"]]
    latencies = [r["ms"] for r in rows]
    out: dict[str, Any] = {
        "n_questions": len(rows),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "chunks": stats["chunks"],
    }
    out.update(
        {
            k: round(v, 4)
            for k, v in retrieval_metrics(
                [(r["ranked"], set(r["evidence"])) for r in answerable]
            ).items()
        }
    )
    out["answer_recall"] = share(sum(r["correct"] for r in answerable), len(answerable))
    out["answer_words_median"] = median_or_zero([r["words"] for r in rows if r["answered"]])
    out["citation_precision"] = share(sum(a in ev for a, ev in cited), len(cited))
    out["refusal_accuracy"] = share(sum(not r["answered"] for r in unanswerable), len(unanswerable))
    out["false_refusal_rate"] = share(sum(not r["answered"] for r in answerable), len(answerable))
    out["ask_p50_ms"] = round(percentile(latencies, 50), 1)
    out["ask_p95_ms"] = round(percentile(latencies, 95), 1)
    out["ingest_s"] = stats["ingest_s"]
    out["ingest_chunks_per_s"] = (
        round(stats.get("embedded", stats["chunks"]) / stats["ingest_s"], 1)
        if stats["ingest_s"]
        else 0.0
    )
    return out


def share(part: int, whole: int) -> float | None:
    """part / whole to 4 places; None (no such questions: "–" in the table) when whole is 0."""
    return round(part / whole, 4) if whole else None


def format_table(metrics: dict[str, Any]) -> str:
    """The metrics as an aligned two- (or four-) column table."""
    base = metrics.get("baseline") or {}
    lines = [f"{'metric':22} {'ours':>10}" + (f" {'vanilla':>10} {'ratio':>7}" if base else "")]
    for key, value in metrics.items():
        if key == "baseline":
            continue
        line = f"{key:22} {'–' if value is None else value:>10}"
        if key in base:
            ratio = value / base[key] if base[key] else float("inf")
            line += f" {base[key]:>10} {ratio:>7.2f}"
        lines.append(line)
    return "\n".join(lines)
