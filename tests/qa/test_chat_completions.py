"""The OpenAI shapes and API helpers as pure functions: no model, no server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from qa.chat_completions import (
    completion,
    completion_events,
    split_conversation,
    unsupported,
    usage,
)
from qa.citations import Answer, Citation
from qa.errors import ConfigError, LLMError, LoadError, NoIndexError, QAError
from qa.http_api import article_records
from qa.http_errors import invalid_part, qa_message, qa_status
from qa.http_models import ArticleIn, AskRequest, ChatMessage, ChatRequest, RequestError

CITE = Citation(1, "a", "T", "", "2020-01-01", "p", 0, 1, 0.5)


def payloads(events: list[str]) -> list[dict]:  # type: ignore[type-arg]
    assert events[-1] == "data: [DONE]\n\n"
    return [json.loads(e.removeprefix("data: ")) for e in events[:-1]]


def test_conversation_split_pairs_user_and_assistant_turns() -> None:
    messages = [
        ChatMessage(role="system", content="be brief"),
        ChatMessage(role="user", content="q1"),
        ChatMessage(role="assistant", content="a1"),
        ChatMessage(role="user", content="unanswered"),
        ChatMessage(role="user", content=[{"type": "text", "text": "q2"}, {"type": "image_url"}]),
    ]
    assert split_conversation(messages) == ("q2", [("q1", "a1")])
    with pytest.raises(RequestError, match="last message"):
        split_conversation(messages[:3])
    with pytest.raises(RequestError, match="1 to 4000"):
        split_conversation([ChatMessage(role="user", content="x" * 4001)])


def test_completion_carries_citations_beside_the_choices() -> None:
    body = completion(Answer("Yes [1]", True, [CITE]), {"id": "c", "created": 1, "model": "m"})
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "Yes [1]"}
    assert body["object"] == "chat.completion" and body["citations"] == [CITE.as_dict()]
    fallback = Answer("Yes [1]", True, [CITE], notice="The LLM endpoint ... is unreachable")
    assert "unreachable" in completion(fallback, {})["notice"]
    events = payloads(list(completion_events(iter([fallback]), {})))
    assert "unreachable" in events[-1]["notice"]  # a client can tell it was not the LLM


def test_events_carry_the_checked_text_then_citations_then_done() -> None:
    # the raw model text ("Hello ") is never sent: only the checked answer's text
    items = iter(["Hello ", "from Tehran [3]", Answer("Hello there [1]", True, [CITE])])
    events = payloads(list(completion_events(items, {"id": "x"})))
    assert [e["choices"][0]["delta"].get("content") for e in events] == [
        "",
        "Hello there [1]",
        None,
    ]
    assert (
        events[-1]["citations"][0]["n"] == 1 and events[-1]["choices"][0]["finish_reason"] == "stop"
    )
    assert all("citations" not in e for e in events[:-1])
    refused = Answer("The articles don't say.", False, notice="not backed")
    last = payloads(list(completion_events(iter(["Tehran [1]", refused]), {})))
    assert "".join(e["choices"][0]["delta"].get("content") or "" for e in last) == refused.text


def test_an_error_mid_stream_becomes_an_error_event() -> None:
    def failing() -> Iterator[str | Answer]:
        yield "partial "
        raise LLMError("The LLM endpoint at http://x is unreachable")

    events = payloads(list(completion_events(failing(), {})))
    assert events[-1] == {
        "error": {"message": "The LLM endpoint at http://x is unreachable", "type": "server_error"}
    }


def test_engine_errors_map_to_http_statuses() -> None:
    assert qa_status(NoIndexError("here")) == 503
    assert qa_status(ConfigError("x")) == qa_status(LLMError("x")) == 503
    assert qa_status(LoadError("p", "bad")) == qa_status(QAError("x")) == 400


def test_article_ids_come_from_the_content_not_the_temp_file() -> None:
    text, ids = article_records(ArticleIn(text="Body.", title="T", url="https://x.org/a"))
    assert ids == [(1, "https://x.org/a")] and json.loads(text)["title"] == "T"
    same = article_records(ArticleIn(text="Body.", title="T"))[1]
    assert same == article_records(ArticleIn(text="Body.", title="T"))[1] and same[0][1].startswith(
        "api/"
    )
    jsonl, ids = article_records(
        ArticleIn(jsonl='{"text": "a"}\n{broken\n{"id": "k", "text": "b"}')
    )
    assert [n for n, _ in ids] == [1, 3] and ids[1][1] == "k"
    assert jsonl.splitlines()[1] == "{broken"  # left for the loader to report with its line


def test_an_unreachable_chroma_server_is_told_from_other_failures() -> None:
    import httpx

    from qa.errors import IndexUnreachableError, is_unreachable

    assert is_unreachable(httpx.ConnectError("refused"))
    assert is_unreachable(ConnectionRefusedError())
    assert is_unreachable(
        ValueError("Could not connect to a Chroma server. Are you sure it is running?")
    )
    assert not is_unreachable(ValueError("bad value")) and not is_unreachable(KeyError("x"))
    assert qa_status(IndexUnreachableError("down")) == 503


def chat(**options: object) -> ChatRequest:
    """A one-question chat request with `options` as a client would send them."""
    return ChatRequest.model_validate({"messages": [{"role": "user", "content": "q"}], **options})


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"n": 2}, "`n` = 2"),
        ({"response_format": {"type": "json_object"}}, '`response_format` "json_object"'),
        (
            {"response_format": {"type": "json_schema", "json_schema": {}}},
            '`response_format` "json_schema"',
        ),
        ({"tools": [{"type": "function"}], "tool_choice": "required"}, '`tool_choice` "required"'),
        (
            {"tool_choice": {"type": "function", "function": {"name": "f"}}},
            '`tool_choice` {"type": "function"',
        ),
        ({"function_call": {"name": "f"}}, "`function_call`"),
    ],
)
def test_what_the_api_cannot_do_is_named(options: dict[str, object], named: str) -> None:
    reason = unsupported(chat(**options))
    assert reason is not None and reason.startswith(named) and "not supported" in reason


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"n": 1, "response_format": {"type": "text"}},
        {"tools": [{"type": "function"}], "tool_choice": "auto"},
        {"tool_choice": "none", "function_call": "auto"},
        {"temperature": 0.2, "max_tokens": 5, "top_p": 1, "stop": ["x"], "logprobs": True},
        {"user": "u", "seed": 3, "stream_options": {"include_usage": True}},
    ],
)
def test_options_that_change_nothing_are_accepted(options: dict[str, object]) -> None:
    assert unsupported(chat(**options)) is None


def test_usage_counts_words_of_the_question_and_the_answer() -> None:
    assert usage("How many  were hurt?", "Five [1]") == {
        "prompt_tokens": 4,
        "completion_tokens": 2,
        "total_tokens": 6,
    }
    body = completion(Answer("Yes, five [1]", True, [CITE]), {}, "How many?")
    assert body["usage"] == {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5}


def test_usage_is_streamed_last_with_no_choices_when_asked_for() -> None:
    answer = Answer("Yes, five [1]", True, [CITE])
    events = payloads(list(completion_events(iter([answer]), {"id": "x"}, "How many?", True)))
    assert events[-1] == {
        "id": "x",
        "object": "chat.completion.chunk",
        "choices": [],
        "usage": {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5},
    }
    assert events[-2]["choices"][0]["finish_reason"] == "stop"
    plain = payloads(list(completion_events(iter([answer]), {}, "How many?")))
    assert all("usage" not in e for e in plain)


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("top_k", "5", 'top_k: send a whole number from 1 to 100, without quotes (not "5")'),
        ("top_k", True, "not true"),
        ("top_k", 5.0, "not 5.0"),
        ("since", 0, "since: send the day as YYYY-MM-DD, e.g. 2024-03-07 (not 0)"),
        ("until", "2020-01-01T00:00:00", 'not "2020-01-01T00:00:00"'),
        ("as_of", "2020-1-1", 'not "2020-1-1"'),
    ],
)
def test_numbers_and_days_are_not_guessed(field: str, value: object, said: str) -> None:
    with pytest.raises(ValidationError) as raised:
        AskRequest.model_validate({"question": "q", field: value})
    assert said in invalid_part(dict(raised.value.errors()[0]))  # type: ignore[arg-type]
    ok = AskRequest.model_validate({"question": "q", "top_k": 5, "since": "2020-01-01"})
    assert ok.top_k == 5 and str(ok.since) == "2020-01-01"


def test_bad_json_is_said_as_such_with_where_it_broke() -> None:
    error = {"type": "json_invalid", "loc": ("body", 17), "msg": "JSON decode error"}
    assert invalid_part(error) == "the body is not valid JSON (at character 17)"
    error["ctx"] = {"error": "Expecting value"}
    assert invalid_part(error) == "the body is not valid JSON (at character 17: Expecting value)"


def test_an_empty_index_tells_an_api_caller_to_post_articles() -> None:
    message = qa_message(NoIndexError("/data/index"))
    assert "qa ingest" in message and message.endswith(", or send articles to POST /api/articles.")
    assert qa_message(LLMError("down")) == "down"
