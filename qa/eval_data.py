"""The `qa eval` dataset: its questions and article records read, sampled and held out."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from qa.errors import ConfigError

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
