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
    assert carried == ["Sheinbaum"]  # not "Claudia": a first name finds other people
    assert carried_names("Who is he? (Steve Barclay health secretary)") == ["Barclay"]
    assert carried_names("Who? (Aaron Rodgers Packers)") == ["Rodgers", "Packers"]
    texts = [
        ("mexico", "Mexico votes. Sheinbaum is leading in the polls."),
        ("mexico", "She has promised to follow AMLO's policies."),  # same article: kept
        ("massachusetts", "Should Healey win, she will be heavily favored."),
        ("names", "The Sheinbaums' neighbours"),  # not the name as a word
    ]
    assert naming_articles(carried, texts) == {"mexico"}
    assert carried_names("Who won the Super Bowl?") == []
    assert naming_articles([], texts) == set()


def test_a_follow_up_answered_afresh_is_not_carried_on() -> None:
    powerball = ("Who won the Powerball jackpot?", "A player in California won the jackpot. [1]")
    # the engine asked "what about ohtani?" afresh (the Powerball story never names him) and
    # its answer is about Ohtani alone: the next question carries Ohtani, not the Powerball
    ohtani = ("what about ohtani?", "“Ohtani's Dodgers contract has $680 million deferred” [1]")
    asked = standalone_question("how much is his contract worth?", [powerball, ohtani])
    assert asked == "how much is his contract worth? (ohtani)"


def test_words_carried_twice_fade_to_names_and_a_new_day_replaces_the_old() -> None:
    history = [
        ("How tall is Simone Biles?", "Simone Biles is 4 feet 8 inches tall. [1]"),
        ("What did she win at the Olympics?", "Biles won gold in the all-around. [1]"),
        ("What about on floor?", "Simone Biles wins silver on floor. [1]"),
    ]
    asked = standalone_question("who beat her?", history)
    assert "tall" not in asked and "Biles" in asked and "floor" in asked
    fed = [("What did the Fed do in 2022?", "The Fed raised rates seven times in 2022. [1]")]
    assert standalone_question("And in 2023?", fed) == "And in 2023? (Fed)"


def test_short_acknowledgements_are_small_talk() -> None:
    from qa.small_talk import small_talk

    for said in ("ok cool", "ok thanks", "got it", "great, thanks!", "perfect, thank you so much"):
        assert small_talk(said), said
    for asked in ("ok what about the Fed?", "Thanks, who won?", "interesting, why?"):
        assert small_talk(asked) is None, asked


def test_a_correction_naming_something_asks_afresh() -> None:
    history = [("Who is Graham Steele?", "Graham Steele is an assistant secretary. [1]")]
    corrected = "No, I meant the Fed. What did it do in November 2023?"
    assert standalone_question(corrected, history) == corrected
    assert standalone_question("What did he do in November 2023?", history).endswith(
        "(Graham Steele)"
    )


def test_a_follow_up_whose_topic_is_all_carried_passes_it_on_whole() -> None:
    history = [
        ("Who chewed off the man's ear?", "A man accused of chewing off the ear was charged. [1]"),
        ("What did he say?", "He said he thought the victim was a threat. [1]"),
    ]
    asked = standalone_question("Where did it happen?", history)
    assert "chewed" in asked and "ear" in asked


def test_the_company_points_back() -> None:
    history = [("What caused the Microsoft outage?", "A faulty CrowdStrike update did. [1]")]
    asked = standalone_question("Who is the CEO of the company?", history)
    assert asked == "Who is the CEO of the company? (caused Microsoft outage)"
