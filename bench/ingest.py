"""Ingest benchmark: the embedder alone vs the whole pipeline on the same chunks, and peak memory.

    .venv/bin/python bench/ingest.py ../shared/eval/scale-reuters/articles.jsonl.gz --limit 1000
    .venv/bin/python bench/ingest.py ../shared/eval/news-dev/articles.jsonl.gz --limit 100

raw      = the model alone embedding every chunk of the first N articles (sorted by length, the
           best batching it can get), after they were loaded and chunked;
pipeline = `index.ingest.ingest` from the file into a fresh temp index: load -> chunk -> embed
           -> Chroma -> BM25, articles streamed (never the whole corpus in memory).
Peak RSS is sampled from /proc during each phase. Prints one JSON object per dataset; on a shared
CPU compare `pipeline_vs_raw_cpu` (CPU seconds, steady under contention) with the wall ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.article import Article  # noqa: E402
from index.chunk import chunk_article, make_splitter  # noqa: E402
from index.embed import build_embed_model, word_piece_tokenizer  # noqa: E402
from index.ingest import ingest  # noqa: E402
from index.load import load_paths  # noqa: E402
from index.store import PassageStore  # noqa: E402
from qa.errors import LoadError  # noqa: E402
from qa.settings import Settings  # noqa: E402


class PeakRSS:
    """Highest resident set size of this process while the block runs, sampled every 20 ms."""

    def __enter__(self) -> PeakRSS:
        self.start_mb = self.peak_mb = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_mb = max(self.peak_mb, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, rss_mb())


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1e6


def first_articles(path: str, limit: int | None) -> Iterator[Article | LoadError]:
    """The file's items, stopping after `limit` articles (errors pass through)."""
    count = 0
    for item in load_paths([path]):
        if isinstance(item, Article):
            if limit is not None and count >= limit:
                return
            count += 1
        yield item


def raw_phase(path: str, limit: int | None, settings: Settings, model: Any) -> dict[str, Any]:
    """Load and chunk, then time the model alone on every chunk."""
    from llama_index.core.schema import MetadataMode

    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer())
    with PeakRSS() as rss:
        started = time.perf_counter()
        texts = [
            node.get_content(metadata_mode=MetadataMode.EMBED)
            for item in first_articles(path, limit)
            if isinstance(item, Article)
            for node in chunk_article(item, splitter)
        ]
        chunk_s = time.perf_counter() - started
        texts.sort(key=len, reverse=True)
        started, cpu = time.perf_counter(), time.process_time()
        model.get_text_embedding_batch(texts)
        embed_s, embed_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "chunks": len(texts),
        "avg_chunk_chars": round(sum(map(len, texts)) / max(len(texts), 1)),
        "load_chunk_s": round(chunk_s, 2),
        "raw_embed_s": round(embed_s, 2),
        "raw_chunks_per_s": round(len(texts) / embed_s, 2),
        "raw_cpu_s": round(embed_cpu, 2),
        "raw_peak_rss_mb": round(rss.peak_mb),
    }


def pipeline_phase(path: str, limit: int | None, settings: Settings, model: Any) -> dict[str, Any]:
    """The whole ingest into a fresh temp index."""
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer())
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        run = settings.model_copy(update={"index_dir": Path(tmp)})
        with PeakRSS() as rss:
            started, cpu = time.perf_counter(), time.process_time()
            store = PassageStore(run)
            items = first_articles(path, limit)
            report = ingest(items, store, model, splitter, run, progress=False)
            seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        stored = store.count()
    return {
        "articles": report.added,
        "failed": len(report.failed),
        "pipeline_chunks": report.chunks,
        "stored": stored,
        "pipeline_s": round(seconds, 2),
        "pipeline_chunks_per_s": round(report.chunks / seconds, 2),
        "pipeline_cpu_s": round(cpu_s, 2),
        "pipeline_start_rss_mb": round(rss.start_mb),
        "pipeline_peak_rss_mb": round(rss.peak_mb),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", help="articles files (.jsonl.gz) or folders")
    parser.add_argument("--limit", type=int, default=None, help="first N articles of each")
    parser.add_argument("--embed-batch", type=int, default=None, help="QA_EMBED_BATCH_SIZE")
    parser.add_argument("--ingest-batch", type=int, default=None, help="QA_INGEST_BATCH")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="pipeline+raw rounds; medians of the ratios"
    )
    args = parser.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    updates = {"embed_batch_size": args.embed_batch, "ingest_batch": args.ingest_batch}
    settings = Settings().model_copy(update={k: v for k, v in updates.items() if v})
    model = build_embed_model(settings)
    model.get_text_embedding_batch(["warm up the model"] * 4)
    # The first split imports nltk (~2.7 s, once per process): warm it as the model is warmed,
    # so neither phase pays a start-up cost.
    warm = make_splitter(settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer())
    warm.split_text("Warm up the sentence splitter. It loads nltk on first use.")
    for path in args.paths:
        # Rounds alternate the two phases, so drift in the machine's speed hits both alike.
        rounds = []
        for _ in range(args.rounds):
            pipeline = pipeline_phase(path, args.limit, settings, model)
            raw = raw_phase(path, args.limit, settings, model)
            rounds.append(
                {
                    **raw,
                    **pipeline,
                    "pipeline_vs_raw": round(
                        pipeline["pipeline_chunks_per_s"] / raw["raw_chunks_per_s"], 3
                    ),
                    # CPU seconds are steadier than wall time on a shared machine.
                    "pipeline_vs_raw_cpu": round(raw["raw_cpu_s"] / pipeline["pipeline_cpu_s"], 3),
                }
            )
        result = {
            "dataset": path,
            "limit": args.limit,
            "torch_threads": torch.get_num_threads(),
            "embed_batch": settings.embed_batch_size,
            "ingest_batch": settings.ingest_batch,
            **rounds[-1],
        }
        if len(rounds) > 1:
            for key in ("pipeline_vs_raw", "pipeline_vs_raw_cpu"):
                result[f"{key}_rounds"] = [r[key] for r in rounds]
                result[f"{key}_median"] = statistics.median(r[key] for r in rounds)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
