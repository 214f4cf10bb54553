"""Two questions in one: split apart, answered apart, merged with one numbering of sources."""

from __future__ import annotations

from qa.citations import Answer, Citation
from qa.compound import merged, question_parts


def test_two_questions_joined_by_and_are_split() -> None:
    asked = "What bid did Harcourt make for Harper and Row, and what publishers did it take over?"
    assert question_parts(asked) == [
        "What bid did Harcourt make for Harper and Row?",
        "What publishers did it take over?",
    ]
    asked = "How many Chevrolets did dealers order, and how did GM's May car output change?"
    assert question_parts(asked)[1] == "How did GM's May car output change?"


def test_one_question_with_an_and_is_left_whole() -> None:
    one = [
        "The US and which other country launched joint military drills this week?",
        "Who faced difficulties at FTX, and who is also accused of fraud for personal gain?",
        "Who won and when?",
        "What is the capital, and where is it?",  # "it": no question of its own
        "Tell me about the strike, and what did the union say about the deal?",
    ]
    assert all(question_parts(q) == [q] for q in one)


def _citation(n: int, article: str, start: int, spans: tuple[tuple[int, int], ...]) -> Citation:
    return Citation(
        n, article, f"Title {article}", "", "", "text", start, start + 10, 1.0, "", spans
    )


def test_merged_answers_number_their_sources_once() -> None:
    first = Answer(
        "Fired from al-Amin. [1] Hit the embassy. [2]",
        True,
        [_citation(1, "a", 0, ((0, 5),)), _citation(2, "b", 0, ((1, 3),))],
        confidence=0.9,
    )
    second = Answer(
        "Five were wounded. [1] Says b. [2]",
        True,
        [_citation(1, "c", 0, ((2, 4),)), _citation(2, "b", 0, ((5, 8),))],
        notice="Searched since 2020-01-01.",
        confidence=0.7,
    )
    answer = merged("Q1, and q2?", ["Q1?", "Q2?"], [first, second])
    assert (
        answer.text
        == "Fired from al-Amin. [1] Hit the embassy. [2]\nFive were wounded. [3] Says b. [2]"
    )
    assert [(c.n, c.article_id) for c in answer.citations] == [(1, "a"), (2, "b"), (3, "c")]
    assert answer.citations[1].highlights == ((1, 3), (5, 8))  # both parts' spans in one source
    assert answer.answered and answer.confidence == 0.7
    assert answer.notice == "Searched since 2020-01-01." and answer.question == "Q1, and q2?"


def test_a_part_the_articles_do_not_answer_is_said_and_none_answered_is_a_refusal() -> None:
    yes = Answer("Fired from al-Amin. [1]", True, [_citation(1, "a", 0, ((0, 5),))], confidence=1)
    no = Answer("The articles don't say.", False, question="Who won?")
    answer = merged("Q, and who won?", ["Where?", "Who won?"], [yes, no])
    assert answer.answered and answer.text == "Fired from al-Amin. [1]"
    assert answer.notice == "No passage answers “Who won?”"
    refused = merged("Q, and who won?", ["Where?", "Who won?"], [no, no])
    assert not refused.answered and refused.question == "Q, and who won?"


def test_a_sentence_a_later_part_quotes_again_is_left_out_with_its_source() -> None:
    began = Answer(
        "April 7: The strike began on Feb. 27 and has ended. [1]",
        True,
        [_citation(1, "a", 0, ((0, 9),))],
        confidence=1,
    )
    ended = Answer(
        "April 7: The strike began on Feb. 27 and has ended. [1] Cocoa is up. [2]",
        True,
        [_citation(1, "a", 0, ((0, 9),)), _citation(2, "z", 0, ((3, 4),))],
        confidence=1,
    )
    answer = merged("When did it begin and when did it end?", ["Begin?", "End?"], [began, ended])
    assert (
        answer.text == "April 7: The strike began on Feb. 27 and has ended. [1]\nCocoa is up. [2]"
    )
    only = Answer(
        "April 7: The strike began on Feb. 27 and has ended. [1]",
        True,
        [_citation(1, "b", 5, ((0, 9),))],
        confidence=1,
    )
    # all of the later part said before (from another passage): its text and source are left out
    answer = merged("When did it begin and when did it end?", ["Begin?", "End?"], [began, only])
    assert answer.text == began.text and [c.article_id for c in answer.citations] == ["a"]
