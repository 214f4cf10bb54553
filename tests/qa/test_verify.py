"""Citation verification of generated answers, with the real bundled embedder."""

from __future__ import annotations

import pytest

from qa.citations import Passage, marker_numbers
from qa.prompts import NO_ANSWER
from qa.verify import check_citations, key_terms, lexical_support, says_no_answer, verify_answer

TITLE = "Rockets fired at U.S. Embassy in Baghdad"
WHERE = (
    "Several shells were fired Tuesday night at the U.S. Embassy in Baghdad, Iraq. According to an "
    "army statement, quoted by VOA News, the rockets were fired from the al-Amin al-Thaniyah "
    "neighborhood, east of Baghdad. The embassy is located in the Green Zone."
)
WOUNDED = (
    "The number of projectiles has not yet been confirmed, but the attack killed at least one "
    "child and wounded five other civilians. No immediate responsibility has yet been attributed."
)
TROOPS = "The Trump administration announced that it was withdrawing 500 of its soldiers from Iraq."
RIGHT_WHERE = "The rockets were fired from the al-Amin al-Thaniyah neighborhood, east of Baghdad."
RIGHT_WOUNDED = "The attack wounded five civilians and killed a child."


def passage(text: str, n: int) -> Passage:
    return Passage(
        f"p{n}", "seed", TITLE, "", "2020-11-17", "VOA", text, 100 * n, 100 * n + len(text), 0.5
    )


PASSAGES = [passage(WHERE, 1), passage(WOUNDED, 2), passage(TROOPS, 3)]


@pytest.fixture(scope="module")
def embed(embed_model):  # type: ignore[no-untyped-def]
    return embed_model.get_text_embedding_batch


def test_no_answer_phrasings_are_recognised() -> None:
    assert says_no_answer(NO_ANSWER)
    assert says_no_answer("The articles don't say who won the World Cup.")
    assert says_no_answer("I cannot answer this from the passages.")
    assert not says_no_answer(RIGHT_WHERE)
    assert not says_no_answer("No injuries were reported at the embassy.")


def test_key_terms_are_numbers_and_names() -> None:
    assert key_terms("Five civilians were hurt near Baghdad's Green Zone on 17 Nov.") == {
        "5",
        "baghdad",
        "green",
        "zone",
        "17",
        "nov",
    }
    assert key_terms("Rockets hit the embassy.") == set()


def test_lexical_support_counts_content_words_and_missing_names() -> None:
    overlap, missing = lexical_support("The rockets were fired from Iran.", WHERE)
    assert overlap == pytest.approx(2 / 3) and missing == ("iran",)
    assert lexical_support(RIGHT_WHERE, WHERE) == (1.0, ())


@pytest.mark.slow
def test_support_scores_the_right_passage_above_the_others(embed) -> None:  # type: ignore[no-untyped-def]
    [supports] = check_citations([(RIGHT_WHERE, [1, 2, 3])], PASSAGES, embed)
    assert supports[1].holds() and not supports[2].holds() and not supports[3].holds()
    assert supports[1].similarity > 0.8 > supports[2].similarity
    start, end = supports[1].span
    assert WHERE[start:end].startswith("According to an army statement")


@pytest.mark.slow
def test_supported_citations_are_kept_and_renumbered(embed) -> None:  # type: ignore[no-untyped-def]
    answer = verify_answer("How many were wounded?", f"{RIGHT_WOUNDED} [2]", PASSAGES, embed)
    assert answer.answered and answer.notice == ""
    assert answer.text == f"{RIGHT_WOUNDED} [1]"
    [citation] = answer.citations
    assert (citation.n, citation.start, citation.passage) == (1, 200, WOUNDED)
    [(start, end)] = citation.highlights
    assert "wounded five other civilians" in WOUNDED[start:end]
    assert 0.5 < answer.confidence <= 1.0


@pytest.mark.slow
def test_unsupported_and_unknown_citations_are_removed(embed) -> None:  # type: ignore[no-untyped-def]
    text = f"{RIGHT_WHERE} [1][3][7] {RIGHT_WOUNDED} [2] Paris is the capital of France [1]."
    answer = verify_answer("What happened?", text, PASSAGES, embed)
    assert answer.answered
    assert answer.text == f"{RIGHT_WHERE} [1] {RIGHT_WOUNDED} [2]"
    assert [c.passage for c in answer.citations] == [WHERE, WOUNDED]
    assert marker_numbers(answer.text) == [c.n for c in answer.citations]
    assert answer.notice == "Removed 1 sentence(s) that the cited passages do not support."


@pytest.mark.slow
def test_answer_with_no_supported_citation_is_a_refusal(embed) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The rockets were fired from Iran [1]. Ten civilians were wounded [2]. France won in 2018."
    )
    answer = verify_answer("Where were the rockets fired from?", text, PASSAGES, embed)
    assert not answer.answered and answer.citations == []
    assert "cited no passage that supports it" in answer.notice


@pytest.mark.slow
def test_unsupported_answer_is_shown_flagged_when_allowed(embed) -> None:  # type: ignore[no-untyped-def]
    text = "The rockets were fired from Iran [1]. A second wave followed [9]."
    answer = verify_answer("Where?", text, PASSAGES, embed, allow_unsupported=True)
    assert answer.answered and answer.citations == []
    assert answer.text == "The rockets were fired from Iran. A second wave followed."
    assert answer.notice.startswith("Unsupported:")
    partly = verify_answer(
        "Where?", f"{RIGHT_WHERE} [1] It was Iran [1].", PASSAGES, embed, allow_unsupported=True
    )
    assert partly.answered and partly.text == f"{RIGHT_WHERE} [1] It was Iran."
    assert partly.notice.startswith("Unsupported: 1 sentence(s)")


def test_model_saying_the_passages_lack_the_answer_is_a_refusal() -> None:
    def no_embedding(texts: list[str]) -> list[list[float]]:
        raise AssertionError("a refusal needs no embedding")

    for text in (
        NO_ANSWER,
        f"{NO_ANSWER} [1]",
        "The passages do not mention the World Cup winner.",
    ):
        answer = verify_answer(
            "Who won the 2018 World Cup?", text, PASSAGES, no_embedding, allow_unsupported=True
        )
        assert not answer.answered and answer.citations == [] and answer.notice == ""


BUCKS = (
    "The Milwaukee Bucks became the first NBA team to reach 50 wins this season. They beat the "
    "Denver Nuggets 112-104 on Sunday night. Giannis Antetokounmpo led the way with 35 points. "
    "Coach Mike Budenholzer praised the defense. Next up is a road trip that ends in Boston "
    "against the Celtics."
)


@pytest.mark.slow
def test_a_name_moved_onto_another_deed_or_an_added_not_is_unsupported(embed) -> None:  # type: ignore[no-untyped-def]
    passages = [passage(BUCKS, 1)]
    claims = {
        "The Milwaukee Bucks were the first team to reach 50 wins this season.": True,
        "The Bucks beat the Denver Nuggets to be first to 50 wins.": True,  # the next sentence
        "The Boston Celtics were the first team to reach 50 wins this season.": False,
        "The Bucks were not the first team to reach 50 wins this season.": False,
    }
    supports = check_citations([(c, [1]) for c in claims], passages, embed)
    assert [s[1].holds() for s in supports] == list(claims.values())
    assert supports[2][1].missing == ("boston", "celtics")
    assert supports[3][1].missing == ("not",)
