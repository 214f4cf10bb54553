"""Places: the kind a question asks for, and the places of that kind a sentence names."""

from __future__ import annotations

import pytest

from qa.names import with_full_names
from qa.places import asked_kind, gazetteer, named_places, names_new_place, team_names


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("In which state did the incident occur?", "state"),
        ("Which US state passed the law?", "state"),
        ("Voters in which two states approved it?", "state"),
        ("What European country hosted the summit?", "country"),
        ("Which nation won the World Cup?", "country"),
        ("Which countries signed the accord?", "country"),
        ("Which major city is trying to manage an outbreak?", "city"),
        ("What town flooded?", "city"),
        # not a question about a place of these kinds
        ("What is the state of the economy?", ""),
        ("Which state-run company was sold?", ""),
        ("Which NFL team won?", ""),
        ("Who is the secretary of state?", ""),
    ],
)
def test_asked_kind(question: str, kind: str) -> None:
    assert asked_kind(question) == kind


def test_named_places_takes_the_longest_name_and_drops_possessives() -> None:
    names = gazetteer()["state"] | gazetteer()["country"] | gazetteer()["city"]
    text = "Police in New York City and Florida said South Korea's envoy left."
    assert named_places(text, names) == ["New York City", "Florida", "South Korea"]
    # "York" (England) is part of "New York City", not a place of its own here
    assert "York" not in named_places(text, names)


def test_the_gazetteer_holds_each_kind_and_only_large_cities() -> None:
    places = gazetteer()
    assert {"Maine", "Tennessee", "Florida"} <= places["state"] and len(places["state"]) == 51
    assert {"Iran", "Canada", "New Zealand", "China"} <= places["country"]
    assert {"Chicago", "Paris", "Toronto"} <= places["city"]
    assert "Lewes" not in places["city"]  # a town of 17,000


def test_names_new_place_needs_a_place_of_the_asked_kind_the_question_lacks() -> None:
    question = "Which state passed a law restricting care for minors, like Florida did?"
    assert names_new_place("The law was passed in Tennessee last year.", "state", question)
    assert not names_new_place("Florida passed one in 2023.", "state", question)
    assert not names_new_place("The law was passed in Canada.", "state", question)
    assert not names_new_place("The law was passed in Tennessee.", "", question)


def test_a_team_named_by_its_name_alone_gets_the_place_its_article_gives() -> None:
    texts = [
        "The Milwaukee Bucks beat the Kansas City Chiefs' neighbours, the Boston Celtics.",
        "The Bucks are the first team in the NBA to reach 50 wins.",
        "The New York Jets lost; fighter jets flew over. The Texas Senate met.",
        "The Los Angeles Rams were once the Cleveland Rams.",
    ]
    known = team_names(texts)
    assert known == {
        "Bucks": "Milwaukee Bucks",
        "Chiefs": "Kansas City Chiefs",
        "Celtics": "Boston Celtics",
    }  # "jets" is also a word; "Senate" no plural; "Rams" of two places
    said = with_full_names("The Bucks are the first team in the NBA.", known)
    assert said == "The [Milwaukee] Bucks are the first team in the NBA."
    assert with_full_names("The Chiefs won.", known) == "The [Kansas City] Chiefs won."
    assert with_full_names("Chiefs QB Mahomes", known) == "[Kansas City] Chiefs QB Mahomes"
    # named in full already: left alone
    assert with_full_names("The Milwaukee Bucks won.", known) == "The Milwaukee Bucks won."
