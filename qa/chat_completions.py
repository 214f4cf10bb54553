"""OpenAI chat completions over an Engine's stream: messages in, cited answer or SSE chunks out."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any

from qa.citations import Answer
from qa.errors import QAError
from qa.http_models import MAX_QUESTION, ChatMessage, ChatRequest, RequestError, as_sent

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


def unsupported(request: ChatRequest) -> str | None:
    """Why the API cannot do what the request asks (and what to send instead), or None."""
    if request.n not in (None, 1):
        return (
            f"`n` = {request.n} is not supported: one answer per request; send 1 or leave it out."
        )
    kind = (request.response_format or {}).get("type", "text")
    if kind != "text":
        return (
            f"`response_format` {as_sent(kind)} is not supported: answers are prose with [n] "
            'markers (the sources are in `citations`); send {"type": "text"} or leave it out.'
        )
    for name in ("tool_choice", "function_call"):
        choice = getattr(request, name)
        if choice not in (None, "auto", "none"):
            return (
                f"`{name}` {as_sent(choice)} is not supported: no tool or function is ever called "
                '(answers come from the indexed articles); send "auto" or "none", or leave it out.'
            )
    return None


def usage(question: str, answer_text: str) -> dict[str, int]:
    """OpenAI's `usage` for clients that read it, in words, not tokens (no tokenizer here)."""
    prompt, reply = len(question.split()), len(answer_text.split())
    return {"prompt_tokens": prompt, "completion_tokens": reply, "total_tokens": prompt + reply}


def completion(answer: Answer, head: dict[str, Any], question: str = "") -> dict[str, Any]:
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
        "usage": usage(question, answer.text),
        "citations": [c.as_dict() for c in answer.citations],
        "answered": answer.answered,
        "notice": answer.notice,  # e.g. the LLM was unreachable: the extractive answer instead
    }


def sse(data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def completion_events(
    items: Iterator[str | Answer],
    head: dict[str, Any],
    question: str = "",
    include_usage: bool = False,
) -> Iterator[str]:
    """`chat.completion.chunk` events: the checked text, `citations`, [`usage`], `[DONE]`."""
    # with include_usage, a chunk with `usage` and no choices comes before [DONE], as OpenAI's
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
        if include_usage:
            yield sse({**chunk, "choices": [], "usage": usage(question, final.text)})
    yield "data: [DONE]\n\n"
