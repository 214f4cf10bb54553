"""Pure parts of retrieval: rank fusion, re-ranking by sentence coverage, mentions of sources and dates."""

from __future__ import annotations

import numpy as np
import pytest

from qa.errors import ConfigError
from qa.filters import canonical_sources, day_number, filtered_out, search_filters
from qa.fusion import reciprocal_rank_fusion
from qa.mentions import mentioned_days, mentioned_sources
from qa.rerank import TermWeights, best_sentence_coverage, key_sentences, rerank, sentence_coverage
from qa.retrieve import Filters
from qa.vectors import SentenceVectors


def test_rrf_rewards_agreement_and_respects_weights() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "b", "x"]], k=1)
    assert {pid for pid, _ in fused[:2]} == {"b", "c"}
    assert dict(fused)["b"] == 1 / 3 + 1 / 3
    heavy = reciprocal_rank_fusion([["a"], ["z"]], weights=[1.0, 3.0])
    assert heavy[0][0] == "z"


def test_coverage_weighs_rare_terms_and_needs_one_sentence() -> None:
    weights = TermWeights({"embassi": 0, "rocket": 1, "said": 2}, np.array([1, 2, 900]), 1000)
    assert weights.idf("embassi") > weights.idf("rocket") > weights.idf("said")
    q = {"embassi", "rocket", "said"}
    together = best_sentence_coverage(q, [{"embassi", "rocket"}], set(), weights)
    apart = best_sentence_coverage(q, [{"embassi"}, {"rocket"}], set(), weights)
    assert together > apart > 0
    assert best_sentence_coverage(q, [{"said"}], {"embassi", "rocket"}, weights) == 1.0


def test_rerank_mixes_fused_score_and_coverage() -> None:
    assert rerank([1.0, 0.9, 0.5], [0.0, 0.0, 1.0], alpha=0.0) == [0, 1, 2]
    assert rerank([1.0, 0.9, 0.5], [0.0, 0.0, 1.0], alpha=1.0) == [2, 0, 1]
    # the similarity of the best sentence to the question can outweigh a small fused lead
    assert rerank([1.0, 0.9], [0.5, 0.5], 1.0, similarity=[0.2, 0.6], beta=1.0) == [1, 0]
    assert rerank([1.0, 0.9], [0.5, 0.5], 1.0, similarity=[0.2, 0.6], beta=0.0) == [0, 1]


def test_repeat_penalty_lets_other_articles_in() -> None:
    fused, coverage, groups = [1.0, 0.95, 0.9, 0.5], [0.0] * 4, ["a", "a", "b", "a"]
    assert rerank(fused, coverage, 0.0, groups=groups) == [0, 1, 2, 3]
    # the second passage of "a" drops below "b"'s only passage, and a third drops further
    assert rerank(fused, coverage, 0.0, groups=groups, repeat_penalty=0.3) == [0, 2, 1, 3]
    # a small penalty only breaks near-ties
    assert rerank(fused, coverage, 0.0, groups=groups, repeat_penalty=0.01) == [0, 1, 2, 3]
    # every article's best first, then the repeats in score order
    assert rerank([0.4, 1.0, 0.9], [0.0] * 3, 0.0, groups=["b", "a", "a"], repeat_penalty=1.0) == [
        1,
        0,
        2,
    ]


def test_key_sentences_are_those_covering_the_question() -> None:
    weights = TermWeights({}, np.zeros(0), 10)
    passages = [
        ("The weather was fine. The embassy was hit by a rocket on Monday. Nobody was hurt.", ""),
        ("Rockets again.", "Embassy attack"),
    ]
    per_passage = sentence_coverage("Which embassy was hit by a rocket?", passages, weights)
    assert [len(s) for s in per_passage] == [3, 1]
    assert key_sentences(per_passage[0], 1) == ["The embassy was hit by a rocket on Monday."]
    assert key_sentences(per_passage[0], 2)[1] == "The weather was fine."  # ties keep text order
    untitled = sentence_coverage(
        "Which embassy was hit by a rocket?", [("Rockets again.", "")], weights
    )
    assert per_passage[1][0][0] > untitled[0][0][0] > 0  # the title counts with each sentence


def test_sentence_vectors_embed_each_text_once_and_stay_bounded() -> None:
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(texts)
        return [[float(len(t)), 1.0] for t in texts]

    vectors = SentenceVectors(embed, capacity=2)
    assert vectors(["ab", "abc", "ab"]) == [[2.0, 1.0], [3.0, 1.0], [2.0, 1.0]]
    assert vectors(["abc"]) == [[3.0, 1.0]]
    assert calls == [["ab", "abc"]]
    vectors(["x"])  # evicts the least recently used ("ab")
    vectors(["ab"])
    assert calls[-1] == ["ab"]


def test_mentions_of_sources_and_dates() -> None:
    known = frozenset({"The Verge", "TechCrunch", "The Age", "cnn.com"})
    q = "Does 'The Verge' agree with TechCrunch, as reported on October 31, 2023 and 2023-12-15?"
    assert mentioned_sources(q, known) == ["TechCrunch", "The Verge"]
    assert mentioned_sources("What is the average age of voters?", known) == []
    # a source known by its address, named in the question as people write it
    by_address = frozenset({"cnn.com", "usatoday.com", "time.com"})
    assert mentioned_sources("What did USA Today and CNN's team report?", by_address) == [
        "usatoday.com",
        "cnn.com",
    ]
    assert mentioned_sources("What time is the debate?", by_address) == []
    assert mentioned_sources("Time magazine named whom?", by_address) == []  # a first word
    assert mentioned_days(q) == [20231031, 20231215]
    assert mentioned_days("In October 2023, or on Feb. 30th, 2024, or Feb. 29th, 2024") == [
        20240229
    ]


def test_sentence_rerank_embeds_only_the_best_sentence_depth_passages() -> None:
    from llama_index.core.schema import NodeWithScore, TextNode

    from qa.retrieve import HybridRetriever

    embedded: list[str] = []

    def embed(texts: list[str]) -> list[list[float]]:
        embedded.extend(texts)
        # a sentence naming the embassy points the question's way
        return [[1.0, 0.0] if "embassy" in t else [0.0, 1.0] for t in texts]

    texts = [f"Passage {i} says nothing much." for i in range(6)]
    texts[2] = "The embassy was hit by a rocket."
    texts[5] = "Another embassy was hit by a rocket."  # outside the depth: never embedded
    hits = [
        NodeWithScore(node=TextNode(text=t, id_=str(i)), score=1.0 - 0.01 * i)
        for i, t in enumerate(texts)
    ]
    retriever = HybridRetriever(
        None,  # type: ignore[arg-type]  # _rerank reads neither store, lexical nor embedder
        None,
        None,  # type: ignore[arg-type]
        term_weights=TermWeights({}, np.zeros(0), 10),
        rerank_alpha=0.0,
        sentence_weight=1.0,
        sentence_vectors=embed,
        sentence_depth=3,
    )
    order = [h.node.node_id for h in retriever._rerank("Which embassy?", [1.0, 0.0], hits)]
    assert len(embedded) == 3 and not any("Another" in t for t in embedded)
    assert order == ["2", "0", "1", "3", "4", "5"]  # the head re-ordered, the tail as fused
    assert all(h.node.metadata["coverage"] >= 0.0 for h in hits)


def test_relative_fusion_scales_each_ranking_and_respects_weights() -> None:
    from qa.fusion import relative_score_fusion

    dense = [("a", 0.9), ("b", 0.5), ("c", 0.1)]
    lexical = [("c", 30.0), ("b", 20.0)]
    fused = dict(relative_score_fusion([dense, lexical]))
    # a: 1 + 0; b: 0.5 + 0; c: 0 + 1 -> a and c tie on top, b below
    assert fused == {"a": 1.0, "b": 0.5, "c": 1.0}
    # a score gap counts, not just the rank: a close second stays close
    close = dict(relative_score_fusion([[("x", 0.80), ("y", 0.79), ("z", 0.1)]]))
    assert close["y"] > 0.98 and close["z"] == 0.0
    heavy = relative_score_fusion([[("a", 1.0)], [("z", 5.0)]], weights=[1.0, 3.0])
    assert heavy[0] == ("z", 3.0) and relative_score_fusion([[], []]) == []


def test_an_unknown_fusion_is_refused_with_the_setting_to_fix() -> None:
    import pytest

    from qa.retrieve import HybridRetriever

    with pytest.raises(ValueError, match="QA_FUSION"):
        HybridRetriever(None, None, None, fusion="borda")  # type: ignore[arg-type]


def test_cosine_is_per_row_and_safe_for_a_zero_vector() -> None:
    from qa.vectors import cosine

    sims = cosine([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], [3.0, 0.0])
    assert sims.tolist() == pytest.approx([1.0, 0.0, 0.0])


def test_dates_are_days_and_a_bad_one_says_how_to_write_it() -> None:
    assert day_number("2020-11-17") == 20201117 and day_number(None) == 0
    with pytest.raises(ConfigError, match=r"'2020-13-01' is no date \(month must be in 1..12\)"):
        day_number("2020-13-01")
    with pytest.raises(ConfigError, match=r"YYYY-MM-DD\), not '13/11/2020'"):
        day_number("13/11/2020")


def test_filters_take_sources_in_any_case_and_refuse_a_backwards_range() -> None:
    known = frozenset({"CNN", "The Verge"})
    assert canonical_sources(["the verge ", "cnn", "Nope"], known) == ["The Verge", "CNN", "Nope"]
    assert canonical_sources("the verge", known) == ["The Verge"]  # one name, not its letters
    assert canonical_sources(None, known) is None
    # a name for an address, an address for a name: one key ("CNN" and "cnn.com" both kept)
    assert canonical_sources(["https://www.theverge.com/", "USA Today"], known) == [
        "The Verge",
        "USA Today",
    ]
    both = frozenset({"CNN", "cnn.com", "usatoday.com"})
    assert canonical_sources(["cnn", "USA Today"], both) == ["CNN", "cnn.com", "usatoday.com"]
    assert canonical_sources(["CNN Politics"], both) == ["CNN Politics"]  # not a prefix
    assert search_filters(None, None, "CNN").sources == frozenset({"CNN"})
    with pytest.raises(ConfigError, match="backwards: since 2021-05-01 is after until 2021-04-01"):
        search_filters("2021-05-01", "2021-04-01", None)


def test_an_empty_search_says_which_filter_left_nothing() -> None:
    known = frozenset({"CNN", "The Verge"})
    assert filtered_out(Filters(sources=frozenset({"Nope"})), known) == (
        "No article is from Nope. The sources are CNN, The Verge."
    )
    assert "date and source filters" in filtered_out(Filters(since=20300101), known)
    assert "date and source filters" in filtered_out(Filters(sources=frozenset({"CNN"})), known)
    assert filtered_out(Filters(), known) == ""
    assert "published by 2020-11-01" in filtered_out(Filters(as_of=20201101), known)
    # a range starting after the day asked as of: that, not the filters' width, is why
    late = filtered_out(Filters(since=20230901, as_of=20230815), known)
    assert late.startswith("The date range starts on 2023-09-01, after 2023-08-15")
    assert day_number("2022/06/01") == 20220601  # as articles may write it


def test_recency_prior_halves_every_half_life_and_ignores_undated_articles() -> None:
    from qa.recency import last_day_seen, recency_prior, to_date

    lifts = recency_prior([20220617, 20220518, 0, 20220620, 20220230], 20220617, 0.4, 30.0)
    assert lifts[0] == pytest.approx(0.4)
    assert lifts[1] == pytest.approx(0.2)  # 30 days old: half
    assert lifts[2] == 0.0 and lifts[4] == 0.0  # undated, and a day that does not exist
    assert lifts[3] == pytest.approx(0.4)  # a day "after" the question (time zones): not more
    assert recency_prior([20220617], 20220617, 0.0, 30.0) == [0.0]
    assert recency_prior([20220617], 0, 0.4, 30.0) == [0.0]
    assert last_day_seen(20220630) == 20220701 and last_day_seen(20231231) == 20240101
    assert last_day_seen(99991231) == 99991231  # the last day there is: no overflow
    assert to_date(20240229) is not None and to_date(20230229) is None


def test_a_prior_lifts_the_newer_of_two_close_passages() -> None:
    assert rerank([1.0, 0.98], [0.5, 0.5], 0.5) == [0, 1]
    assert rerank([1.0, 0.98], [0.5, 0.5], 0.5, prior=[0.0, 0.3]) == [1, 0]


def test_a_question_about_this_week_is_refused_when_every_article_is_older() -> None:
    from qa.recency import asks_about_now, stale_reason

    assert asks_about_now("Which company recently sued?") and asks_about_now("... this week?")
    assert not asks_about_now("What is the latest on the fares?")  # the newest there is
    week = "What did the council decide this week?"
    reason = stale_reason(week, [20220301, 20220101], 20220415, 30)
    assert "newest article found on it is from 2022-03-01, 45 days before 2022-04-15" in reason
    assert stale_reason(week, [20220401, 20220101], 20220415, 30) == ""  # one is recent
    assert stale_reason(week, [20220301, 0], 20220415, 30) == ""  # an undated one may be
    assert stale_reason("What did the council decide?", [20220301], 20220415, 30) == ""
    assert stale_reason(week, [20220301], 20220415, 0) == ""  # off
