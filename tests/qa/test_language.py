"""Telling a question's language from word frequencies (qa/language.py), on made-up lists."""

from __future__ import annotations

import math

from qa.language import MARGIN, likeliest, log_probabilities, question_language

ENGLISH = {"the": 600, "where": 100, "were": 100, "fired": 20, "rockets": 10}
OTHERS = {"es": log_probabilities({"los": 500, "de": 700, "donde": 80, "cohetes": 5})}


def never(word: str) -> bool:
    return False


def test_log_probabilities_are_shares_of_the_most_frequent_words() -> None:
    shares = log_probabilities({"a": 3, "b": 1, "c": 0}, size=2)
    assert shares == {"a": math.log(0.75), "b": math.log(0.25)}


def test_the_likelier_language_wins_only_by_the_margin() -> None:
    assert likeliest(["donde", "los", "cohetes"], ENGLISH, OTHERS, never) == "Spanish"
    assert likeliest(["where", "were", "the", "rockets"], ENGLISH, OTHERS, never) == ""
    # one Spanish word among English ones is not enough
    assert likeliest(["where", "were", "los", "rockets", "fired"], ENGLISH, OTHERS, never) == ""
    # a word the index holds counts as English: "cohetes" in a Spanish-speaking index
    assert likeliest(["cohetes"], ENGLISH, OTHERS, lambda w: True) == ""
    assert MARGIN > 0 and likeliest([], ENGLISH, OTHERS, never) == ""


def test_another_script_needs_no_list_and_a_lone_foreign_word_among_english_is_english() -> None:
    assert question_language(["откуда", "ракеты"], ["откуда", "ракеты"], ENGLISH, never) == (
        "another language"
    )
    assert question_language(["is", "the", "中国"], ["中国"], ENGLISH, never) == ""
    assert question_language(["where", "cohetes"], ["cohetes"], ENGLISH, never) == ""
