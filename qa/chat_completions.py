"""OpenAI chat completions over an Engine's stream: messages in, cited answer or SSE chunks out."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any

from qa.citations import Answer
from qa.errors import QAError
from qa.http_models import MAX_QUESTION, ChatMessage, RequestError

log = logging.getLogger("qa.http")


def message_text(message: ChatMessage) -> str:
    """A message's text (text parts joined; images and the like ignored)."""
    if isinstance(message.content, str):
        return message.content
    return "\n".join(p.text or "" for p in message.content or [] if p.type == "text")


def split_conversation(messages: Sequence[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message as the question, earlier user/assistant turns as (q, a) history."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise RequestError(400, "The last message must be the user's question (role 'user').")
    history: list[tuple[str, str]] = []
    asked: str | None = None
    for m in turns[:-1]:
        if m.role == "user":
            asked = message_text(m)
        elif asked is not None:
            history.append((asked, message_text(m)))
            asked = None
    question = message_text(turns[-1])
    if not question.strip() or len(question) > MAX_QUESTION:
        raise RequestError(400, f"The question must be 1 to {MAX_QUESTION} characters of text.")
    return question, history


def completion(answer: Answer, head: dict[str, Any]) -> dict[str, Any]:
    """A `chat.completion` holding the answer, with its `citations` beside the choices."""
    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": answer.text},
        "finish_reason": "stop",
    }
    return {
        **head,
        "object": "chat.completion",
        "choices": [choice],
        "citations": [c.as_dict() for c in answer.citations],
        "answered": answer.answered,
        "notice": answer.notice,  # e.g. the LLM was unreachable: the extractive answer instead
    }


def sse(data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def completion_events(items: Iterator[str | Answer], head: dict[str, Any]) -> Iterator[str]:
    """`chat.completion.chunk` events: the checked answer's text, `citations`, then `[DONE]`."""
    # A model's raw text is held back: its citations are checked once it is whole, and a client
    # cannot take back text it has already shown.
    chunk = {**head, "object": "chat.completion.chunk"}

    def delta(d: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**chunk, "choices": [{"index": 0, "delta": d, "finish_reason": finish}]}

    yield sse(delta({"role": "assistant", "content": ""}))
    final = None
    try:
        for item in items:
            if isinstance(item, Answer):
                final = item
                break
    except QAError as exc:  # the headers are sent: the error travels as an event
        yield sse({"error": {"message": str(exc), "type": "server_error"}})
    except Exception as exc:
        log.exception("error while streaming an answer")
        message = f"Internal error ({type(exc).__name__}); the server log has the details."
        yield sse({"error": {"message": message, "type": "server_error"}})
    if final is not None:
        if final.text:
            yield sse(delta({"content": final.text}))
        citations = [c.as_dict() for c in final.citations]
        yield sse(
            {
                **delta({}, "stop"),
                "citations": citations,
                "answered": final.answered,
                "notice": final.notice,
            }
        )
    yield "data: [DONE]\n\n"
