"""Query benchmark: `ask()` latency (extractive default) on a large index, index loaded once.

    # build (incremental: re-running with a larger --articles only embeds the new ones)
    .venv/bin/python bench/query.py --index-dir /tmp/qa-bench-query --articles 19043
    # optionally pad to a target size with copies of the stored passages (jittered vectors)
    .venv/bin/python bench/query.py --index-dir /tmp/qa-bench-query --pad-to 100000

Builds (or reuses) an index of the first N articles of a corpus (default scale-reuters, read from
../shared, never copied), then times a fixed set of questions through `Engine.ask` several rounds
and prints p50/p95 for the whole answer and for retrieval alone, the cold start (loading the BM25
index from disk, not rebuilding it) and the passage count, honestly split into real and padded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.embed import build_embed_model  # noqa: E402
from index.ingest import ingest_paths  # noqa: E402
from index.revision import bump_revision, rebuild_lexical  # noqa: E402
from index.store import PassageStore  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.settings import Settings  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "scale-reuters" / "articles.jsonl.gz"
PAD_MARK = "#pad"
QUESTIONS = [
    "How did rainfall affect the Bahia cocoa crop?",
    "What did OPEC decide about crude oil production?",
    "Why did the Bundesbank change interest rates?",
    "How much wheat did the Soviet Union buy from the United States?",
    "What was the U.S. trade deficit with Japan?",
    "Which company announced a takeover bid and at what price per share?",
    "What happened to the dollar against the yen?",
    "How did coffee prices react to the ICO talks?",
    "What did the Federal Reserve do in the money market?",
    "Why did sugar exports from Brazil fall?",
    "What were the quarterly earnings of the bank?",
    "Who was named chief executive of the company?",
    "How much gold did the central bank sell?",
    "What did the finance ministers agree at the Paris meeting?",
    "Which ports were closed by the strike?",
    "What is the outlook for soybean planting this spring?",
    "How did the Iran-Iraq war affect shipping in the Gulf?",
    "What did the Treasury say about the budget deficit?",
    "Why did copper prices rise?",
    "What is the weather on Mars today?",  # nothing holds this: the refusal path counts too
]


def build(settings: Settings, corpus: str, articles: int, model: Any) -> dict[str, Any]:
    """Ingest the first `articles` articles (only those not stored yet are embedded)."""
    import gzip
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "subset.jsonl"
        with gzip.open(corpus, "rt") as src, subset.open("w") as out:
            for n, line in enumerate(src):
                if n >= articles:
                    break
                out.write(line)
        report = ingest_paths([str(subset)], settings, embed_model=model, progress=True)
    return {"build_s": round(report.seconds, 1), **report.as_dict(), "failed": len(report.failed)}


def pad(settings: Settings, target: int, seed: int = 0) -> dict[str, Any]:
    """Copy stored passages under new ids, with slightly jittered vectors, until `target`."""
    import numpy as np

    store = PassageStore(settings)
    real = [
        (pid, meta, doc, emb)
        for pid, meta, doc, emb in iter_with_embeddings(store)
        if PAD_MARK not in str(meta.get("article_id", ""))
    ]
    rng = np.random.default_rng(seed)
    copy, started = 0, time.perf_counter()
    while store.count() < target:
        copy += 1
        for i in range(0, len(real), 2000):
            rows = real[i : i + 2000]
            vectors = np.asarray([r[3] for r in rows], dtype=np.float32)
            vectors += rng.normal(0, 0.02, vectors.shape).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            metas = [{**r[1], "article_id": f"{r[1]['article_id']}{PAD_MARK}{copy}"} for r in rows]
            store.collection.upsert(
                ids=[f"{m['article_id']}::{m.get('chunk', 0)}" for m in metas],
                embeddings=vectors.tolist(),
                metadatas=metas,
                documents=[r[2] for r in rows],
            )
    rebuild_lexical(store, settings, bump_revision(store))
    return {"pad_s": round(time.perf_counter() - started, 1), "copies": copy}


def iter_with_embeddings(store: PassageStore, page: int = 2000):  # type: ignore[no-untyped-def]
    """Every stored passage with its embedding, a page at a time."""
    offset = 0
    while True:
        got = store.collection.get(
            include=["metadatas", "documents", "embeddings"], limit=page, offset=offset
        )
        if not got["ids"]:
            return
        yield from zip(
            got["ids"], got["metadatas"], got["documents"], got["embeddings"], strict=True
        )
        offset += len(got["ids"])


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)


def measure(settings: Settings, model: Any, rounds: int) -> dict[str, Any]:
    """Cold start, then ask/retrieve latency over `rounds` passes of the questions."""
    started = time.perf_counter()
    engine = Engine(settings, embed_model=model)
    lexical = engine.index.lexical()
    cold_s = time.perf_counter() - started
    engine.ask(QUESTIONS[0])  # first-call costs (caches, lazy imports) are not per-query costs
    ask_s, retrieve_s, answered = [], [], 0
    for _ in range(rounds):
        for question in QUESTIONS:
            # each timing starts with no sentence vectors cached, as for a question never seen
            engine.index.sentence_vectors.clear()
            t = time.perf_counter()
            answer = engine.ask(question)
            ask_s.append(time.perf_counter() - t)
            answered += answer.answered
            engine.index.sentence_vectors.clear()
            t = time.perf_counter()
            engine.retrieve(question)
            retrieve_s.append(time.perf_counter() - t)
    ids = [pid for pid, _, _ in engine.store.iter_records(["metadatas"])]
    padded = sum(PAD_MARK in pid for pid in ids)
    return {
        "passages": len(ids),
        "real_passages": len(ids) - padded,
        "padded_passages": padded,
        "bm25_rows": len(lexical.ids),
        "cold_start_s": round(cold_s, 2),
        "queries": len(ask_s),
        "answered": answered,
        "ask_p50_ms": percentile(ask_s, 0.5),
        "ask_p95_ms": percentile(ask_s, 0.95),
        "ask_mean_ms": round(1000 * statistics.mean(ask_s), 1),
        "retrieve_p50_ms": percentile(retrieve_s, 0.5),
        "retrieve_p95_ms": percentile(retrieve_s, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, default=Path("/tmp/qa-bench-query"))
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="articles .jsonl.gz")
    parser.add_argument("--articles", type=int, default=0, help="ingest the first N first")
    parser.add_argument("--pad-to", type=int, default=0, help="pad with copies to N passages")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    args = parser.parse_args()

    settings = Settings(index_dir=args.index_dir, collection="bench")
    model = build_embed_model(settings)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    result: dict[str, Any] = {"index_dir": str(args.index_dir)}
    if args.articles:
        result["build"] = build(settings, args.corpus, args.articles, model)
    if args.pad_to:
        result["pad"] = pad(settings, args.pad_to)
    result.update(measure(settings, model, args.rounds))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
