"""Embedding backends side by side: torch, ONNX fp32, ONNX int8 on real news passages.

    .venv/bin/python bench/embed.py ../shared/eval/news-dev --passages 400 --queries 60

throughput = chunks/s embedding the first N passages of the dataset (as ingest embeds them,
             title included) in their article order, batches of QA_EMBED_BATCH_SIZE; ONNX with
             and without length bucketing (torch's sentence-transformers always sorts by length);
query      = p50/p95 ms for one question, and for a batch of 12 sentences of the passages (what
             the extractive answerer embeds per question), backends interleaved per round so a
             busy machine slows them alike;
agreement  = cosine of each backend's passage vectors to torch's (min and mean).
Wall and CPU seconds are both printed: on a shared CPU the CPU figures are the steadier ones.
The ONNX models are exported once into --models-dir. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llama_index.core.schema import MetadataMode  # noqa: E402

from index.chunk import chunk_article, make_splitter  # noqa: E402
from index.embed import build_embed_model, model_path, word_piece_tokenizer  # noqa: E402
from index.onnx_embed import OnnxEmbedding  # noqa: E402
from index.records import article_from_record  # noqa: E402
from qa.sentences import sentence_spans  # noqa: E402
from qa.settings import Settings  # noqa: E402

Embed = Callable[[list[str]], list[list[float]]]


def read_passages(dataset: Path, limit: int, settings: Settings) -> list[str]:
    """The first `limit` passages of the dataset's articles, as the embedder sees them."""
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer())
    passages: list[str] = []
    with gzip.open(dataset / "articles.jsonl.gz", "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            article = article_from_record(json.loads(line), str(dataset), n)
            nodes = chunk_article(article, splitter)
            passages += [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]
            if len(passages) >= limit:
                return passages[:limit]
    return passages


def sentence_batches(passages: Sequence[str], count: int, size: int = 12) -> list[list[str]]:
    """`count` batches of `size` consecutive sentences taken from the passages."""
    sentences = [text[a:b] for text in passages for a, b in sentence_spans(text)]
    return [sentences[i * size : (i + 1) * size] for i in range(count)]


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def percentiles_ms(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(float(np.percentile(values, 50)) * 1000, 1),
        "p95": round(float(np.percentile(values, 95)) * 1000, 1),
    }


def build_backends(settings: Settings, threads: Sequence[int]) -> dict[str, Any]:
    """Every backend under test, named; ONNX with each thread count, bucketed or not."""
    import torch

    torch.set_num_threads(max(threads))
    tokenizer = str(Path(model_path()) / "tokenizer.json")
    backends: dict[str, Any] = {
        "torch": build_embed_model(settings.model_copy(update={"embed": "local"}))
    }
    for kind in ("onnx", "onnx-int8"):
        exported = build_embed_model(settings.model_copy(update={"embed": kind}))  # exports once
        for n in threads:
            for bucket in (True, False):
                backends[f"{kind} threads={n}{'' if bucket else ' unbucketed'}"] = OnnxEmbedding(
                    exported.model_path,
                    tokenizer,
                    threads=n,
                    bucket=bucket,
                    embed_batch_size=settings.embed_batch_size,
                )
    return backends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="a folder with articles.jsonl.gz")
    parser.add_argument("--passages", type=int, default=400)
    parser.add_argument("--queries", type=int, default=60, help="questions and sentence batches")
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[1, 2], help="ONNX intra-op threads"
    )
    parser.add_argument("--models-dir", type=Path, default=Path("/tmp/qa-bench-embed"))
    args = parser.parse_args()

    settings = Settings(index_dir=args.models_dir)
    passages = read_passages(args.dataset, args.passages, settings)
    questions = [
        json.loads(line)["question"]
        for line in (args.dataset / "questions.jsonl").read_text().splitlines()[: args.queries]
    ]
    batches = sentence_batches(passages, args.queries)
    backends = build_backends(settings, args.threads)
    for model in backends.values():
        model.get_text_embedding_batch(batches[0])  # warm up

    report: dict[str, Any] = {"passages": len(passages), "batch_size": settings.embed_batch_size}
    vectors: dict[str, np.ndarray] = {}
    for name, model in backends.items():
        out: list[list[float]] = []
        wall, cpu = timed(lambda m=model, o=out: o.extend(m.get_text_embedding_batch(passages)))
        vectors[name] = np.array(out)
        report[name] = {
            "chunks_per_s": round(len(passages) / wall, 1),
            "chunks_per_cpu_s": round(len(passages) / cpu, 1),
        }
    single: dict[str, list[float]] = {name: [] for name in backends}
    twelve: dict[str, list[float]] = {name: [] for name in backends}
    twelve_cpu: dict[str, list[float]] = {name: [] for name in backends}
    for question, batch in zip(questions, batches, strict=False):
        for name, model in backends.items():
            single[name].append(timed(lambda m=model, q=question: m.get_query_embedding(q))[0])
            wall, cpu = timed(lambda m=model, b=batch: m.get_text_embedding_batch(b))
            twelve[name].append(wall)
            twelve_cpu[name].append(cpu)
    for name in backends:
        similarity = np.sum(vectors[name] * vectors["torch"], axis=1)
        report[name].update(
            {
                "query_ms": percentiles_ms(single[name]),
                "sentences12_ms": percentiles_ms(twelve[name]),
                "sentences12_cpu_ms": percentiles_ms(twelve_cpu[name]),
                "cosine_to_torch": {
                    "min": round(float(similarity.min()), 5),
                    "mean": round(float(similarity.mean()), 5),
                },
            }
        )
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
