"""The eval metrics on hand-made cases."""

from __future__ import annotations

from qa.metrics import (
    contains_answer,
    hit_at,
    normalize,
    percentile,
    recall_at,
    reciprocal_rank,
    retrieval_metrics,
    word_count,
)


def test_hit_at_rank_three_gives_mrr_one_third() -> None:
    ranked = ["x", "y", "gold", "z"]
    assert reciprocal_rank(ranked, {"gold"}) == 1 / 3
    assert hit_at(ranked, {"gold"}, 1) == 0.0 and hit_at(ranked, {"gold"}, 5) == 1.0
    assert reciprocal_rank(ranked, {"none"}) == 0.0
    assert reciprocal_rank(["a"] * 10 + ["gold"], {"gold"}, 10) == 0.0


def test_recall_needs_every_evidence_article() -> None:
    assert recall_at(["a", "b", "c"], {"a", "c", "d", "e"}, 10) == 0.5
    assert recall_at(["a"] * 10 + ["b"], {"a", "b"}, 10) == 0.5


def test_normalisation_of_case_punctuation_and_articles() -> None:
    assert normalize("The Tony Awards!") == "tony awards"
    assert contains_answer("It was won by the Tony-Awards show [1].", ["The Tony Awards"])
    assert contains_answer("In 1994, rates rose.", ["1994"])
    assert not contains_answer("In 19945 rates rose.", ["1994"])
    assert not contains_answer("anything", ["", "   "])


def test_averages_and_percentiles() -> None:
    m = retrieval_metrics([(["g", "x"], {"g"}), (["x", "g"], {"g"})])
    assert m["hit@1"] == 0.5 and m["mrr@10"] == 0.75 and m["recall@10"] == 1.0
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([], 95) == 0.0
    assert word_count("Five civilians were wounded [1] [2].") == 4


def test_a_set_without_unanswerable_questions_has_no_refusal_accuracy() -> None:
    from qa.eval_report import format_table, summarize

    row = {
        "answerable": True,
        "answered": True,
        "correct": True,
        "words": 12,
        "cited": ["a"],
        "ranked": ["b", "a"],
        "evidence": ["a"],
        "ms": 50.0,
    }
    metrics = summarize([row, {**row, "correct": False}], {"chunks": 4, "ingest_s": 2.0})
    assert metrics["refusal_accuracy"] is None and metrics["n_unanswerable"] == 0
    assert metrics["answer_recall"] == 0.5 and metrics["false_refusal_rate"] == 0.0
    assert metrics["mrr@10"] == 0.5 and metrics["citation_precision"] == 1.0
    assert "refusal_accuracy                –" in format_table(metrics)
