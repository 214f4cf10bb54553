"""What a follow-up carries: whole names and numbers, and the articles that name them."""

from __future__ import annotations

from qa.followup import carried_names, naming_articles, standalone_question

SHEINBAUM = (
    "Who is Claudia Sheinbaum?",
    "Mexico's next president will either be former Mexico City Mayor Claudia Sheinbaum or "
    "Sen. Xóchitl Gálvez. [1]",
)


def test_she_carries_the_person_asked_about_once() -> None:
    asked = standalone_question("Is she favored to win?", [SHEINBAUM])
    assert asked == "Is she favored to win? (Claudia Sheinbaum)"
    again = standalone_question("What has she promised?", [SHEINBAUM, (asked, "She leads. [1]")])
    assert again.count("Sheinbaum") == 1 and again.count("Claudia") == 1


def test_pieces_of_a_number_are_not_carried() -> None:
    history = [("Who won the $1.73 billion Powerball jackpot in 2023?", "A player won. [1]")]
    asked = standalone_question("Where was the ticket sold?", history)
    assert asked == "Where was the ticket sold? (won billion Powerball jackpot 2023)"


def test_only_articles_naming_what_was_carried_answer_a_follow_up() -> None:
    carried = carried_names("Is she favored to win? (Claudia Sheinbaum favored)")
    assert carried == ["Claudia", "Sheinbaum"]
    texts = [
        ("mexico", "Mexico votes. Sheinbaum is leading in the polls."),
        ("mexico", "She has promised to follow AMLO's policies."),  # same article: kept
        ("massachusetts", "Should Healey win, she will be heavily favored."),
        ("names", "The Sheinbaums' neighbours"),  # not the name as a word
    ]
    assert naming_articles(carried, texts) == {"mexico"}
    assert carried_names("Who won the Super Bowl?") == []
    assert naming_articles([], texts) == set()
