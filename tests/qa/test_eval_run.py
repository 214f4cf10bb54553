"""One small end-to-end `qa eval` run on a tiny hand-written dataset (tests/data/evalset)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DATASET = Path(__file__).resolve().parents[1] / "data" / "evalset"
KEYS = {
    "n_questions",
    "n_answerable",
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
    "ingest_s",
    "ingest_chunks_per_s",
    "baseline",
}


@pytest.mark.slow
def test_eval_writes_exactly_the_keys_with_plausible_figures(
    tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from qa.cli import main

    monkeypatch.setenv("QA_EVAL_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    out = tmp_path / "eval.json"
    assert main(["eval", str(DATASET), "--json", str(out), "--baseline", "vanilla"]) == 0
    assert not list((tmp_path / "cwd").iterdir())  # everything it keeps is in QA_EVAL_CACHE
    metrics = json.loads(out.read_text())
    assert set(metrics) == KEYS
    assert (metrics["n_questions"], metrics["n_answerable"], metrics["n_unanswerable"]) == (6, 4, 2)
    assert metrics["chunks"] >= 6
    assert metrics["hit@1"] == 1.0 and metrics["mrr@10"] == 1.0
    assert metrics["answer_recall"] >= 0.75 and metrics["citation_precision"] >= 0.75
    assert metrics["refusal_accuracy"] == 1.0 and metrics["false_refusal_rate"] == 0.0
    assert 0 < metrics["ask_p50_ms"] <= metrics["ask_p95_ms"]
    assert set(metrics["baseline"]) == {"hit@1", "hit@5", "hit@10", "mrr@10", "recall@10"}
    table = capsys.readouterr().out
    assert "hit@1" in table and "vanilla" in table
    details = [
        json.loads(line) for line in out.with_suffix(".questions.jsonl").read_text().splitlines()
    ]
    assert len(details) == 6 and all("vanilla_ranked" in d for d in details if d["answerable"])

    # A second run reuses the cached index: no embedding work, same figures.
    assert main(["eval", str(DATASET), "--json", str(out)]) == 0
    again = json.loads(out.read_text())
    assert again["ingest_s"] == metrics["ingest_s"] and again["hit@1"] == metrics["hit@1"]


def test_limit_keeps_evidence_and_a_fixed_sample(tmp_path: Path) -> None:
    import gzip

    from qa.eval_data import read_questions, select_articles

    with gzip.open(tmp_path / "articles.jsonl.gz", "wt") as fh:
        fh.writelines(json.dumps({"id": f"a{i}", "text": f"Text {i}."}) + "\n" for i in range(20))
    (tmp_path / "questions.jsonl").write_text(
        "".join(
            json.dumps({"id": f"q{i}", "question": "?", "answerable": True, "evidence": [f"a{i}"]})
            + "\n"
            for i in (3, 7)
        )
    )
    questions = read_questions(tmp_path, None)
    chosen = select_articles(tmp_path, questions, limited=True, floor=1)
    assert chosen is not None and len(chosen) == 8 and {"a3", "a7"} <= chosen
    assert chosen == select_articles(tmp_path, questions, limited=True, floor=1)
    # a sample that would take every article is the whole set (one cached index for both)
    assert select_articles(tmp_path, questions, limited=True) is None
    assert select_articles(DATASET, read_questions(DATASET, 2), limited=True) is None


def test_bad_datasets_and_outputs_are_named_in_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import gzip

    from qa.cli import main

    def error(*args: str) -> str:
        assert main(["eval", *args]) != 0
        return capsys.readouterr().err.strip()

    assert error(str(tmp_path / "nope")).endswith(
        "is not a folder: give a dataset folder such as ../shared/eval/squad2-dev"
    )
    assert "is a folder: give a file name" in error(str(DATASET), "--json", str(tmp_path))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "questions.jsonl").write_text("")
    (bad / "articles.jsonl.gz").write_bytes(b"not gzip")
    assert "questions.jsonl holds no questions" in error(str(bad))
    (bad / "questions.jsonl").write_text('{"id": "q", "question": "Who?", "answerable": true}\n')
    assert "articles.jsonl.gz is not a readable gzip of JSON lines" in error(str(bad))
    with gzip.open(bad / "articles.jsonl.gz", "wt") as fh:
        fh.write('{"id": "a1", "text": "Ann won."}\n{"title": "no id"}\n')
    said = error(str(bad))
    assert "articles.jsonl.gz, line 2: needs an id and a text" in said and "\n" not in said


def test_holdout_turns_questions_unanswerable_by_removing_their_evidence() -> None:
    from qa.eval_data import holdout_split, read_questions

    questions = read_questions(DATASET, None)
    same, none = holdout_split(questions, 0.0)
    assert same == questions and none == set()
    split, dropped = holdout_split(questions, 0.5)
    held = [q for q in split if q.kind == "holdout"]
    assert len(held) == 2 and all(not q.answerable for q in held)
    assert dropped == set().union(*(q.evidence for q in held))
    # what stays answerable still has its evidence; the choice is fixed
    assert all(not (q.evidence & dropped) for q in split if q.answerable)
    assert holdout_split(questions, 0.5) == (split, dropped)


@pytest.mark.slow
def test_eval_holdout_refuses_without_the_evidence(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from qa.cli import main

    monkeypatch.setenv("QA_EVAL_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "eval.json"
    assert main(["eval", str(DATASET), "--json", str(out), "--holdout", "0.5"]) == 0
    metrics = json.loads(out.read_text())
    assert (metrics["n_answerable"], metrics["n_unanswerable"]) == (2, 4)
    details = [json.loads(x) for x in out.with_suffix(".questions.jsonl").read_text().splitlines()]
    held = [d for d in details if d["kind"] == "holdout"]
    assert len(held) == 2
    # the held-out evidence is gone from the index: no held-out question can cite it
    assert not any(set(d["cited"]) & set(d["evidence"]) for d in held)
    assert "held-out questions" in capsys.readouterr().out
    # its ingest speed is the full index's, which was built first (fewer passages, same seconds)
    full = tmp_path / "full.json"
    assert main(["eval", str(DATASET), "--json", str(full)]) == 0
    built = json.loads(full.read_text())
    assert metrics["chunks"] < built["chunks"] and metrics["ingest_s"] == built["ingest_s"]
    assert metrics["ingest_chunks_per_s"] == built["ingest_chunks_per_s"]
    again = tmp_path / "again.json"  # ... and stays so when the held-out copy is reused
    assert main(["eval", str(DATASET), "--json", str(again), "--holdout", "0.5"]) == 0
    assert json.loads(again.read_text())["ingest_chunks_per_s"] == built["ingest_chunks_per_s"]


@pytest.mark.slow
def test_eval_off_topic_asks_another_set_s_questions_as_unanswerable(
    tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from qa.cli import main

    other = tmp_path / "quiz"
    other.mkdir()
    asked = ["How many legs does a spider have?", "Who invented the telephone?"]
    (other / "questions.jsonl").write_text(
        "".join(
            json.dumps({"id": f"g{i}", "question": q, "answers": ["x"], "answerable": True}) + "\n"
            for i, q in enumerate(asked)
        )
    )
    monkeypatch.setenv("QA_EVAL_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "eval.json"
    assert main(["eval", str(DATASET), "--json", str(out), "--off-topic", str(other)]) == 0
    metrics = json.loads(out.read_text())
    assert (metrics["n_answerable"], metrics["n_unanswerable"]) == (4, 4)
    details = [json.loads(x) for x in out.with_suffix(".questions.jsonl").read_text().splitlines()]
    strays = [d for d in details if d["kind"] == "off-topic"]
    assert [d["id"] for d in strays] == ["off-topic:g0", "off-topic:g1"]
    assert not any(d["answerable"] or d["answered"] for d in strays)  # the corpus lacks them
    assert "refusal_accuracy on off-topic questions: 1.0000 (2)" in capsys.readouterr().out
    # --limit takes the first N of the other set's questions too
    assert (
        main(["eval", str(DATASET), "--json", str(out), "--off-topic", str(other), "--limit", "1"])
        == 0
    )
    assert "refusal_accuracy on off-topic questions: 1.0000 (1)" in capsys.readouterr().out


@pytest.mark.slow
def test_eval_typos_misspells_a_word_of_each_question(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from qa.cli import main

    monkeypatch.setenv("QA_EVAL_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "eval.json"
    assert main(["eval", str(DATASET), "--json", str(out), "--typos"]) == 0
    assert "--typos: 6 of 6 questions have one word mistyped" in capsys.readouterr().err
    metrics = json.loads(out.read_text())
    assert metrics["hit@1"] == 1.0 and metrics["answer_recall"] >= 0.75
    assert metrics["refusal_accuracy"] == 1.0 and metrics["false_refusal_rate"] == 0.0


def test_off_topic_must_be_another_dataset(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from qa.cli import main

    assert main(["eval", str(DATASET), "--off-topic", str(DATASET)]) != 0
    assert "another dataset" in capsys.readouterr().err
    assert main(["eval", str(DATASET), "--off-topic", str(tmp_path)]) != 0
    assert "must be a dataset folder holding questions.jsonl" in capsys.readouterr().err


def test_holdout_outside_zero_to_one_is_a_clear_error(capsys) -> None:  # type: ignore[no-untyped-def]
    from qa.cli import main

    assert main(["eval", str(DATASET), "--holdout", "1.5"]) != 0
    assert "--holdout takes a share" in capsys.readouterr().err


def test_a_bad_questions_line_is_named_with_its_number(tmp_path: Path) -> None:
    from qa.errors import ConfigError
    from qa.eval_data import read_questions

    good = '{"id": "q1", "question": "Who?", "answers": ["Ann"], "answerable": true}'
    for bad, said in [
        ("not json", "line 2: not JSON (Expecting value)"),
        ('{"id": "q2", "question": "Why?"}', "line 2: no 'answerable' field"),
        ("[1]", "line 2: not an object"),
    ]:
        (tmp_path / "questions.jsonl").write_text(f"{good}\n{bad}\n")
        with pytest.raises(ConfigError, match=re.escape(said)):
            read_questions(tmp_path, None)
    (tmp_path / "questions.jsonl").write_text(good + "\n")
    assert [q.id for q in read_questions(tmp_path, None)] == ["q1"]
