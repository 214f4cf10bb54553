"""Reading a model's raw answer (pure): reasoning, lists, stray markup, passage names, failures."""

from __future__ import annotations

import httpx
import openai
import pytest

from qa.citations import cited_sentences, without_reasoning
from qa.llm import AnswerTooSlow, NotAStream, describe_failure, endpoint_name
from qa.settings import Settings

RIGHT = "The rockets were fired from the al-Amin al-Thaniyah neighborhood, east of Baghdad"


def test_reasoning_blocks_are_not_part_of_the_answer() -> None:
    text = f"<think>\nThe user asks where. Passage 2 says Iran [2].\n</think>\n\n{RIGHT} [1]."
    assert without_reasoning(text) == f"{RIGHT} [1]."
    assert cited_sentences(text) == [(f"{RIGHT}.", [1])]
    # the chat template opened the block: only its closing tag is in the output
    assert without_reasoning(f"Hmm, Iran? [2]</think>{RIGHT} [1].") == f"{RIGHT} [1]."
    # cut off while thinking: no answer at all
    assert without_reasoning("<think>The rockets were fired from Iran [2].") == ""


def test_a_streaming_draft_shows_nothing_of_unclosed_reasoning() -> None:
    assert without_reasoning("<think>The user asks", partial=True) == ""
    assert without_reasoning("<thi", partial=True) == ""  # it may yet open a block
    assert without_reasoning("Baghdad <", partial=True) == "Baghdad "
    assert without_reasoning("<think>x</think>\n\nBagh", partial=True) == "Bagh"
    assert without_reasoning("a <b> c", partial=True) == "a <b> c"  # no tag of ours


def test_bullets_and_lines_are_sentences_and_a_source_list_is_dropped() -> None:
    text = (
        "Here is what the passages say:\n"
        "- The embassy was hit by **rockets** [1].\n"
        "- Five civilians were wounded [2].\n"
        "* One child was killed [2]\n\n"
        "Sources:\n[1] Rockets fired at U.S. Embassy in Baghdad\n[2] VOA"
    )
    assert cited_sentences(text) == [
        ("The embassy was hit by rockets.", [1]),
        ("Five civilians were wounded.", [2]),
        ("One child was killed.", [2]),  # joined to the others, it ends as a sentence
    ]
    assert cited_sentences(f"{RIGHT} [1].\n\n**References:** [1], [2]") == [(f"{RIGHT}.", [1])]
    assert cited_sentences("1. The embassy was hit [1]. 2. Five were wounded [2].") == [
        ("The embassy was hit.", [1]),
        ("Five were wounded.", [2]),
    ]


def test_abbreviations_and_initials_end_no_sentence() -> None:
    us = "Two officials said the rockets hit 2,000 feet from the U.S. Embassy [1]."
    assert cited_sentences(us) == [(f"{us[:-5]}.", [1])]
    assert cited_sentences("Dr. Smith said the museum opened [1].") == [
        ("Dr. Smith said the museum opened.", [1])
    ]
    text = "Shells were fired on Tuesday night, Nov. 17 [1]. John F. Kennedy was not there [2]."
    assert cited_sentences(text) == [
        ("Shells were fired on Tuesday night, Nov. 17.", [1]),
        ("John F. Kennedy was not there.", [2]),
    ]
    # a marker after the full stop still ends the sentence it follows
    assert cited_sentences("It hit the U.S. [1] Then it hit Baghdad. [2]") == [
        ("It hit the U.S.", [1]),
        ("Then it hit Baghdad.", [2]),
    ]


def test_code_and_table_rows_are_no_claims() -> None:
    table = "| Funder | Cost |\n|---|---|\n| Wexley Maritime Trust [1] | 3 million dollars [1] |"
    assert cited_sentences(table) == []
    code = '```python\nprint("museum funded by Wexley Maritime Trust") [1]\n```\nIt opened [1].'
    assert cited_sentences(code) == [("It opened.", [1])]
    assert cited_sentences("```\nThe Acme Crypto Fund paid [1]") == []  # never closed


def test_stray_markup_is_no_claim_and_a_lone_marker_cites_the_line_before() -> None:
    junk = f'{RIGHT} [1]. <true> [1]. <passage id="1"> [1]'
    assert cited_sentences(junk) == [(f"{RIGHT}.", [1])]
    assert cited_sentences(f"{RIGHT}.\n[1]") == [(f"{RIGHT}.", [1])]
    assert cited_sentences("The <b>embassy</b> was hit [1].") == [("The embassy was hit.", [1])]


@pytest.mark.parametrize(
    "text",
    [
        f"According to Passage 1, the {RIGHT[4:]} [1].",
        f"{RIGHT} (Passage 1).",
        f"{RIGHT}, as stated in passage [1].",
        f"Passage 1 says that the {RIGHT[4:]}.",
        f"Passage 1: {RIGHT}.",
    ],
    ids=["according to", "in brackets", "as stated in", "says that", "as a label"],
)
def test_a_passage_named_by_number_becomes_its_marker(text: str) -> None:
    # markers are renumbered, so "passage 1" in the text could end up naming source [2]
    assert cited_sentences(text) == [(f"{RIGHT}.", [1])]


def test_passages_named_together_are_each_cited() -> None:
    assert cited_sentences("Five were wounded (passages 2 and 3).") == [
        ("Five were wounded.", [2, 3])
    ]


def test_endpoint_name_drops_credentials_even_without_a_scheme() -> None:
    assert endpoint_name("user:pw@localhost:11434/v1/") == "localhost:11434/v1"
    assert endpoint_name("http://user:pw@127.0.0.1:8080/v1/?key=1") == "http://127.0.0.1:8080/v1"


def test_failures_say_how_to_fix_them() -> None:
    request = httpx.Request("POST", "http://h/chat/completions")
    not_found = openai.NotFoundError("no", response=httpx.Response(404, request=request), body=None)
    assert (
        "check QA_LLM_MODEL, or that OPENAI_BASE_URL ends in /v1 (e.g. http://localhost:11434/v1)"
        in str(describe_failure(not_found, "http://h", "m", 3))
    )
    no_scheme = openai.APIConnectionError(request=request)
    no_scheme.__cause__ = httpx.UnsupportedProtocol("missing http://")
    assert str(describe_failure(no_scheme, "localhost:11434/v1", "m", 3)) == (
        "The LLM endpoint at localhost:11434/v1 is not an http:// or https:// URL (set "
        "OPENAI_BASE_URL to e.g. http://localhost:11434/v1); showing the extractive answer."
    )
    html = str(describe_failure(NotAStream("text/html"), "http://h", "m", 3))
    assert "not an OpenAI-compatible streaming response (text/html;" in html
    slow = str(describe_failure(AnswerTooSlow(9.0), "http://h", "m", 3))
    assert "did not finish its answer within 9 s (3 times QA_LLM_TIMEOUT;" in slow


def test_failures_are_named_by_their_kind() -> None:
    dropped = describe_failure(httpx.RemoteProtocolError("peer closed"), "http://h/v1", "m", 3)
    assert str(dropped) == (
        "The LLM endpoint at http://h/v1 dropped the connection mid-answer "
        "(RemoteProtocolError); showing the extractive answer."
    )
    assert "malformed response (ValueError)" in str(describe_failure(ValueError(), "e", "m", 3))


def test_an_empty_setting_counts_as_unset(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QA_LLM", "")
    assert Settings().llm == "extractive"
