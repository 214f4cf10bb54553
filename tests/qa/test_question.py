"""Typed questions cleaned before the search: markup removed, a long message's question found."""

from __future__ import annotations

from qa import ask
from qa.question import LONG_QUESTION, question_and_context, without_markup


def test_markup_and_entities_are_removed() -> None:
    assert without_markup("<p>Who <b>won</b> &amp; where?</p>") == "Who won & where?"
    assert without_markup('<a href="x">Where</a> were they?') == "Where were they?"
    # comparisons are not tags
    assert without_markup("Is 3 < 4 and 5 > 2?") == "Is 3 < 4 and 5 > 2?"
    assert without_markup("Was x<y and z>w?") == "Was x<y and z>w?"
    assert without_markup("Who won?<BR/>") == "Who won?"


def test_a_short_question_is_kept_whole() -> None:
    question = "Hi! My friend asked me this. Where were the rockets fired from? Thanks!"
    assert question_and_context(question) == (question, "")


def test_a_long_message_is_split_into_its_questions_and_their_context() -> None:
    preamble = "I have been reading about the embassy attacks in Baghdad for a while now. " * 6
    question = f"{preamble}Where were the rockets fired from? And how many were hurt? Thanks."
    assert len(question) > LONG_QUESTION
    asked, context = question_and_context(question)
    assert asked == "Where were the rockets fired from? And how many were hurt?"
    assert context == preamble.strip()


def test_a_question_after_a_pasted_text_may_open_with_any_word() -> None:
    pasted = "The city council met on Tuesday to discuss the new budget for the parks. " * 5
    asked, context = question_and_context(f"{pasted}Anyway, where was the ticket sold?")
    assert asked == "Anyway, where was the ticket sold?" and context == pasted.strip()


def test_a_long_message_with_no_question_mark_is_kept_whole() -> None:
    message = "Tell me about the rockets fired at the embassy in Baghdad. " * 8
    assert question_and_context(message) == (message, "")


def test_one_long_question_split_at_an_abbreviation_is_kept_whole() -> None:
    question = (
        "Between the report from The Verge on November 7, 2023, portraying Google as the "
        "protagonist in the Epic v. Google trial, and the TechCrunch article on December 15, "
        "2023, citing a class action antitrust suit against Google, was there consistency in "
        "how Google was portrayed in relation to antitrust matters over those five weeks?"
    )
    assert len(question) > LONG_QUESTION
    assert question_and_context(question) == (question, "")


def test_a_long_preamble_does_not_drown_the_question(seed_engine) -> None:  # type: ignore[no-untyped-def]
    preamble = "I keep hearing different stories from friends and family about this. " * 40
    answer = ask(f"{preamble}Where were the rockets fired from?", engine=seed_engine)
    assert answer.answered and "al-Amin al-Thaniyah" in answer.text
    assert answer.question == "Where were the rockets fired from?"
    assert answer.notice == "Searched for “Where were the rockets fired from?”."


def test_a_pronoun_in_a_long_message_refers_to_its_context(seed_engine) -> None:  # type: ignore[no-untyped-def]
    preamble = "My cousin works near the US Embassy in Baghdad and heard the rockets. " * 5
    answer = ask(f"{preamble}Where were they fired from?", engine=seed_engine)
    assert answer.answered and "al-Amin al-Thaniyah" in answer.text
    assert answer.question.startswith("Where were they fired from? (")
    assert "rockets" in answer.question


def test_a_question_in_html_tags_is_answered(seed_engine) -> None:  # type: ignore[no-untyped-def]
    answer = ask("<p>Where were the <b>rockets</b> fired from?</p>", engine=seed_engine)
    assert answer.answered and "al-Amin al-Thaniyah" in answer.text
    assert answer.question == "Where were the rockets fired from?"
