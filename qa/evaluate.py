"""`qa eval`: ingest a dataset into a cached index, ask every question through `ask()`, measure."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from tqdm import tqdm

from qa.errors import ConfigError
from qa.metrics import contains_answer, median_or_zero, percentile, retrieval_metrics, word_count
from qa.settings import Settings
from qa.words import STOPWORDS

RETRIEVAL_KEYS = ("hit@1", "hit@5", "hit@10", "mrr@10", "recall@10")
SAMPLE_FLOOR = 300  # with --limit: other articles kept as distractors, at least this many


@dataclass(frozen=True)
class Question:
    """One evaluation question."""

    id: str
    question: str
    answers: list[str]
    answerable: bool
    evidence: set[str]
    kind: str
    asked_on: str | None = None


def read_questions(dataset: Path, limit: int | None) -> list[Question]:
    """The dataset's questions, the first `limit` of them; ConfigError names a bad line."""
    path = dataset / "questions.jsonl"
    if not path.is_file():
        raise ConfigError(f"{dataset} has no questions.jsonl: see ../shared/eval/README.md")
    qs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            qs.append(
                Question(
                    str(r["id"]),
                    str(r["question"]),
                    list(r.get("answers") or []),
                    bool(r["answerable"]),
                    set(r.get("evidence") or []),
                    r.get("kind", ""),
                    asked_day(r),
                )
            )
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}, line {n}: not JSON ({exc.msg})") from None
        except (KeyError, TypeError) as exc:
            what = f"no {exc.args[0]!r} field" if isinstance(exc, KeyError) else "not an object"
            raise ConfigError(
                f"{path}, line {n}: {what} (each line is {{id, question, answers, answerable, "
                "evidence, kind})"
            ) from None
    if not qs:
        raise ConfigError(
            f"{path} holds no questions: one JSON object a line, see ../shared/eval/README.md"
        )
    return qs[:limit] if limit else qs


def asked_day(row: dict[str, Any]) -> str | None:
    """A question row's `asked_on` as YYYY-MM-DD (None when absent); ConfigError names a bad one."""
    value = row.get("asked_on")
    if not value:
        return None
    day = str(value).strip().replace("/", "-")[:10]
    try:
        return date.fromisoformat(day).isoformat()
    except ValueError:
        raise ConfigError(
            f"Question {row.get('id')!r}: asked_on must look like 2022-06-17 or 2022/06/17, not {value!r}."
        ) from None


def iter_records(dataset: Path) -> Iterator[dict[str, Any]]:
    """Article records of the dataset, streamed; ConfigError names a bad file or line."""
    path = dataset / "articles.jsonl.gz"
    shape = "each line is {id, title, url, source, published, text}"
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}, line {n}: not JSON ({exc.msg})") from None
                if not isinstance(record, dict) or "id" not in record or "text" not in record:
                    raise ConfigError(f"{path}, line {n}: needs an id and a text ({shape})")
                yield record
    except (gzip.BadGzipFile, EOFError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not a readable gzip of JSON lines ({exc})") from None


def select_articles(
    dataset: Path, questions: list[Question], limited: bool, floor: int = SAMPLE_FLOOR
) -> set[str] | None:
    """With --limit: the evidence articles plus a fixed pseudo-random sample of the rest; else None (all)."""
    if not limited:
        return None
    needed = set().union(*(q.evidence for q in questions)) if questions else set()
    others = sorted(
        (hashlib.sha1(r["id"].encode()).hexdigest(), r["id"])
        for r in iter_records(dataset)
        if r["id"] not in needed
    )
    take = max(floor, 3 * len(needed))
    if take >= len(others):  # every article: the same index as a run without --limit
        return None
    return needed | {aid for _, aid in others[:take]}


def off_topic_questions(other: Path, dataset: Path) -> list[Question]:
    """Another set's questions, as unanswerable ones: what a user asks of a corpus lacking the topic.

    The other set should share no topic with this one (SQuAD's Wikipedia questions asked of
    news articles), or some of its questions are answerable after all.
    """
    if not (other / "questions.jsonl").exists():
        raise ConfigError(f"--off-topic {other} must be a dataset folder holding questions.jsonl")
    if other.resolve() == dataset.resolve():
        raise ConfigError("--off-topic must name another dataset than the one evaluated")
    return [
        Question(
            id=f"off-topic:{q.id}",
            question=q.question,
            answers=q.answers,
            answerable=False,
            evidence=set(),
            kind="off-topic",
        )
        for q in read_questions(other, None)
    ]


_TYPO_WORD = re.compile(r"(?<![\w'’-])[a-z]{5,}(?![\w'’-])")
_KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours(letter: str) -> str:
    """The letters beside one on a QWERTY keyboard's row."""
    for row in _KEYS:
        i = row.find(letter)
        if i >= 0:
            return row[max(i - 1, 0) : i] + row[i + 1 : i + 2]
    return letter


def misspelled(question: str, seed: str) -> str:
    """The question with one lower-case content word of 5+ letters mistyped, fixed by `seed`.

    The typo is a dropped, doubled or swapped letter, or a key beside the right one, never in
    the first letter. Names (capitalised) are left alone: `qa.spelling` does not change them.
    A question with no such word is returned as it is.
    """
    words = [m for m in _TYPO_WORD.finditer(question) if m.group() not in STOPWORDS]
    if not words:
        return question
    rng = random.Random(hashlib.sha1(seed.encode()).hexdigest())
    m = rng.choice(words)
    w = m.group()
    i = rng.randrange(1, len(w) - 1)
    kind = rng.choice(("drop", "double", "swap", "key"))
    if kind == "drop":
        typo = w[:i] + w[i + 1 :]
    elif kind == "double":
        typo = w[: i + 1] + w[i:]
    elif kind == "swap" and w[i] != w[i + 1]:
        typo = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    else:
        typo = w[:i] + rng.choice(_neighbours(w[i])) + w[i + 1 :]
    return question[: m.start()] + typo + question[m.end() :]


def holdout_split(questions: list[Question], fraction: float) -> tuple[list[Question], set[str]]:
    """Make a fixed share of answerable questions unanswerable by holding out their evidence articles.

    Answerable questions whose evidence was held out for another question are dropped: they are
    neither answerable any more nor a fair unanswerable one. Returns (questions, held-out article ids).
    """
    if fraction <= 0:
        return questions, set()
    answerable = sorted(
        (q for q in questions if q.answerable),
        key=lambda q: hashlib.sha1(q.id.encode()).hexdigest(),
    )
    held = {q.id for q in answerable[: round(fraction * len(answerable))]}
    dropped = set().union(*(q.evidence for q in answerable if q.id in held)) if held else set()
    out = []
    for q in questions:
        if q.id in held:
            out.append(replace(q, answerable=False, kind="holdout"))
        elif not (q.answerable and q.evidence & dropped):
            out.append(q)
    return out, dropped


def cache_key(
    dataset: Path, selection: set[str] | None, settings: Settings, extra: str = ""
) -> str:
    """Key of a cached index: dataset content, selected articles and the index settings."""
    h = hashlib.sha256()
    h.update(hashlib.sha256((dataset / "articles.jsonl.gz").read_bytes()).digest())
    h.update(json.dumps(sorted(selection) if selection is not None else "all").encode())
    # torch and ONNX fp32 give the same MiniLM vectors (cosine > 0.999): they share an index
    embedder = {"local": "minilm", "onnx": "minilm", "onnx-int8": "minilm-int8"}.get(
        settings.embed, f"openai:{settings.openai_embed_model}"
    )
    h.update(f"{settings.chunk_size}/{settings.chunk_overlap}/{embedder}/v2/{extra}".encode())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    """Where eval indexes are cached (QA_EVAL_CACHE, default .qa-eval-cache)."""
    return Path(os.environ.get("QA_EVAL_CACHE", ".qa-eval-cache"))


def holdout_index(
    built: Settings, stats: dict[str, Any], dropped: set[str]
) -> tuple[Settings, dict[str, Any]]:
    """A cached copy of a built index without the held-out articles (deleting beats re-embedding)."""
    from index.revision import bump_revision, rebuild_lexical
    from index.store import PassageStore

    digest = hashlib.sha256(json.dumps(sorted(dropped)).encode()).hexdigest()[:12]
    target = built.index_dir.with_name(f"{built.index_dir.name}-holdout-{digest}")
    settings = built.model_copy(update={"index_dir": target})
    marker = target / "done.json"
    # the ingest figures are the full index's (its passages over its seconds): a copy embeds nothing
    embedded = stats.get("embedded", stats["chunks"])
    if marker.exists():
        return settings, {"embedded": embedded, **json.loads(marker.read_text()), "cached": True}
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(built.index_dir, target)
    (target / "done.json").unlink()
    store = PassageStore(settings)
    store.delete_articles(sorted(dropped))
    rebuild_lexical(store, settings, bump_revision(store))
    held = {
        **stats,
        "chunks": store.count(),
        "articles": len(store.manifest()),
        "embedded": embedded,
    }
    held.pop("cached", None)
    marker.write_text(json.dumps(held))
    return settings, {**held, "cached": True}


def build_index(
    dataset: Path, selection: set[str] | None, base: Settings, embed_model: Any, progress: bool
) -> tuple[Settings, dict[str, Any]]:
    """Ingest the (selected) articles into a cached index; a second run reuses it."""
    from index.chunk import make_splitter
    from index.embed import word_piece_tokenizer
    from index.ingest import ingest
    from index.records import article_from_record
    from index.store import PassageStore

    target = cache_root() / cache_key(dataset, selection, base)
    settings = base.model_copy(
        update={"index_dir": target, "collection": "eval", "chroma_url": None}
    )
    marker = target / "done.json"
    if marker.exists():
        return settings, {**json.loads(marker.read_text()), "cached": True}
    records = (r for r in iter_records(dataset) if selection is None or r["id"] in selection)
    items = (article_from_record(r, str(dataset), None) for r in records)
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, word_piece_tokenizer())
    store = PassageStore(settings)
    report = ingest(items, store, embed_model, splitter, settings, progress=progress)
    stats = {
        "ingest_s": round(report.seconds, 2),
        "chunks": store.count(),
        "embedded": store.count(),
        "articles": report.added + report.unchanged,
    }
    marker.write_text(json.dumps(stats))
    return settings, stats


def vanilla_runs(
    dataset: Path,
    selection: set[str] | None,
    questions: list[Question],
    embed_model: Any,
    progress: bool,
) -> list[list[str]]:
    """Plain LlamaIndex: VectorStoreIndex.from_documents (default parser), top 10, same embedder."""
    from llama_index.core import Document, StorageContext, VectorStoreIndex, load_index_from_storage

    target = cache_root() / ("vanilla-" + cache_key(dataset, selection, Settings(), "vanilla"))
    if (target / "docstore.json").exists():
        index = load_index_from_storage(
            StorageContext.from_defaults(persist_dir=str(target)), embed_model=embed_model
        )
    else:
        docs = [
            Document(
                text=r["text"],
                metadata={"article_id": r["id"]},
                excluded_embed_metadata_keys=["article_id"],
                excluded_llm_metadata_keys=["article_id"],
            )
            for r in iter_records(dataset)
            if selection is None or r["id"] in selection
        ]
        index = VectorStoreIndex.from_documents(
            docs, embed_model=embed_model, show_progress=progress
        )
        index.storage_context.persist(persist_dir=str(target))
    retriever = index.as_retriever(similarity_top_k=10)
    return [
        [n.node.metadata["article_id"] for n in retriever.retrieve(q.question)]
        for q in questions
        if q.answerable
    ]


def run_questions(
    engine: Any, questions: list[Question], progress: bool, as_asked: bool = True
) -> list[dict[str, Any]]:
    """Ask every question through the real ask() (as of its `asked_on` day), and record what retrieval ranked."""
    from qa.api import ask, search_filters

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
        passages, _ = engine.retrieve(engine.spelled(q.question), top_k=10, filters=filters)
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
    from qa.api import Engine

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
    embed_model = build_embed_model(base)
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
