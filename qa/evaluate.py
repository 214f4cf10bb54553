"""`qa eval`: ingest a dataset into a cached index, ask every question through `ask()`, measure."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from qa.errors import ConfigError
from qa.eval_data import (
    Question,
    holdout_split,
    iter_records,
    off_topic_questions,
    read_questions,
    select_articles,
)
from qa.eval_index import build_index, cache_root, holdout_index, vanilla_runs
from qa.eval_report import format_table, summarize
from qa.eval_typos import misspelled
from qa.metrics import contains_answer, retrieval_metrics, word_count
from qa.settings import Settings


def run_questions(
    engine: Any, questions: list[Question], progress: bool, as_asked: bool = True
) -> list[dict[str, Any]]:
    """Ask every question through the real ask() (as of its `asked_on` day), and record what retrieval ranked."""
    from qa.api import ask
    from qa.filters import search_filters

    rows = []
    if questions:  # untimed: the first ask loads models and caches ("index already loaded")
        first = questions[0]
        ask(first.question, as_of=first.asked_on if as_asked else None, engine=engine)
    for q in tqdm(
        questions, desc="questions", disable=not progress, file=sys.stderr, dynamic_ncols=True
    ):
        as_of = q.asked_on if as_asked else None
        started = time.perf_counter()
        answer = ask(q.question, as_of=as_of, engine=engine)
        latency = (time.perf_counter() - started) * 1000
        filters = search_filters(None, None, None, as_of)
        passages, _ = engine.retrieve(engine.index.spelled(q.question), top_k=10, filters=filters)
        rows.append(
            {
                "id": q.id,
                "kind": q.kind,
                "answerable": q.answerable,
                "answered": answer.answered,
                "confidence": answer.confidence,
                "correct": q.answerable and contains_answer(answer.text, q.answers),
                "words": word_count(answer.text),
                "cited": [c.article_id for c in answer.citations],
                "ranked": [p.article_id for p in passages],
                "evidence": sorted(q.evidence),
                "ms": round(latency, 1),
                "text": answer.text,
            }
        )
    return rows


def run_eval(
    dataset_dir: str,
    limit: int | None = None,
    json_out: str | None = None,
    baseline: str | None = None,
    progress: bool = True,
    settings: Settings | None = None,
    holdout: float = 0.0,
    as_asked: bool = True,
    off_topic: str | None = None,
    typos: bool = False,
) -> dict[str, Any]:
    """Run the whole evaluation and print the table; write `--json` and per-question details."""
    from index.embed import build_embed_model
    from qa.engine import Engine

    dataset = Path(dataset_dir)
    if not dataset.is_dir():
        raise ConfigError(
            f"{dataset} is not a folder: give a dataset folder such as ../shared/eval/squad2-dev"
        )
    if json_out and Path(json_out).is_dir():
        raise ConfigError(
            f"--json {json_out} is a folder: give a file name, such as {Path(json_out) / 'eval.json'}"
        )
    if not (dataset / "articles.jsonl.gz").exists() or not (dataset / "questions.jsonl").exists():
        raise ConfigError(
            f"{dataset} must hold articles.jsonl.gz and questions.jsonl (see ../shared/eval/README.md)"
        )
    if not 0.0 <= holdout < 1.0:
        raise ConfigError(
            f"--holdout takes a share of the questions, from 0 to below 1 (e.g. 0.3), not {holdout}."
        )
    base = settings or Settings()
    questions = read_questions(dataset, limit)
    strays = off_topic_questions(Path(off_topic), dataset)[:limit] if off_topic else []
    known = {str(r.get("id")) for r in iter_records(dataset)}
    unknown = sorted({e for q in questions for e in q.evidence} - known)
    if unknown:
        print(
            f"warning: {len(unknown)} evidence ids name no article of the dataset (such as "
            f"{', '.join(map(repr, unknown[:3]))}): they can never be retrieved",
            file=sys.stderr,
        )
    selection = select_articles(dataset, questions, limit is not None)
    if selection is not None:
        print(
            f"--limit {limit}: {len(questions)} questions over {len(selection)} articles (their evidence + a fixed sample of the rest)",
            file=sys.stderr,
        )
    elif limit is not None:
        print(
            f"--limit {limit}: {len(questions)} questions over all {len(known)} articles",
            file=sys.stderr,
        )
    questions, dropped = holdout_split(questions, holdout)
    if typos:
        typed = [replace(q, question=misspelled(q.question, q.id)) for q in questions]
        changed = sum(t.question != q.question for t, q in zip(typed, questions, strict=True))
        questions = typed
        print(
            f"--typos: {changed} of {len(questions)} questions have one word mistyped",
            file=sys.stderr,
        )
    # the ONNX export lives with the eval cache, not in a .qa-index of the folder run from
    embed_model = build_embed_model(base.model_copy(update={"index_dir": cache_root()}))
    settings, stats = build_index(dataset, selection, base, embed_model, progress)
    if dropped:
        settings, stats = holdout_index(settings, stats, dropped)
        held = sum(q.kind == "holdout" for q in questions)
        print(
            f"--holdout {holdout}: {held} answerable questions made unanswerable by removing their {len(dropped)} evidence articles; {len(questions)} questions left",
            file=sys.stderr,
        )
    if strays:
        questions += strays
        print(
            f"--off-topic {off_topic}: its {len(strays)} questions asked too, as unanswerable",
            file=sys.stderr,
        )
    engine = Engine(settings, embed_model=embed_model)
    dated = sum(q.asked_on is not None for q in questions)
    if dated:
        how = "asked as of that day" if as_asked else "ignored (--ignore-asked-on)"
        carry = "question carries" if dated == 1 else "questions carry"
        print(f"{dated} {carry} the day they were asked (asked_on): {how}", file=sys.stderr)
    rows = run_questions(engine, questions, progress, as_asked)
    metrics = summarize(rows, stats)
    if baseline == "vanilla":
        evid = [set(q.evidence) for q in questions if q.answerable]
        runs = vanilla_runs(dataset, selection, questions, embed_model, progress)
        for row, ranked in zip([r for r in rows if r["answerable"]], runs, strict=True):
            row["vanilla_ranked"] = ranked
        metrics["baseline"] = {
            k: round(v, 4) for k, v in retrieval_metrics(list(zip(runs, evid, strict=True))).items()
        }
    print(format_table(metrics))
    if stats.get("cached"):
        print(
            "ingest_s and ingest_chunks_per_s are from when the cached index was built: nothing "
            "was embedded in this run",
            file=sys.stderr,
        )
    if dropped:
        held_rows = [r for r in rows if r["kind"] == "holdout"]
        refused = sum(not r["answered"] for r in held_rows) / (len(held_rows) or 1)
        print(f"refusal_accuracy on held-out questions: {refused:.4f} ({len(held_rows)})")
    if strays:
        stray_rows = [r for r in rows if r["kind"] == "off-topic"]
        refused = sum(not r["answered"] for r in stray_rows) / len(stray_rows)
        print(f"refusal_accuracy on off-topic questions: {refused:.4f} ({len(stray_rows)})")
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(metrics, indent=2))
        details = Path(json_out).with_suffix(".questions.jsonl")
        details.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return metrics
