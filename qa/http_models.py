"""Request and response shapes of the HTTP API (they make its OpenAPI document)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qa.settings import MAX_TOP_K

MAX_QUESTION = 4000
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class RequestError(Exception):
    """A request the API refuses: its HTTP status and a message saying what to send instead."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class ErrorDetail(BaseModel):
    message: str
    type: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


def as_sent(value: Any) -> str:
    """A request value as the client wrote it in JSON (`true`, `"5"`), for error messages."""
    return json.dumps(value, ensure_ascii=False, default=str)[:100]


class SearchOptions(BaseModel):
    top_k: int | None = Field(None, ge=1, le=MAX_TOP_K, description="Passages to consider.")
    since: date | None = Field(None, description="Only articles published on or after this day.")
    until: date | None = Field(None, description="Only articles published on or before this day.")
    sources: list[str] | None = Field(
        None, max_length=50, description="Only these sources (one name or a list, any case)."
    )
    as_of: date | None = Field(
        None,
        description="The day the question is asked (default today): later articles are left out, newer ones weigh more.",
    )

    @field_validator("sources", mode="before")
    @classmethod
    def one_source(cls, value: Any) -> Any:
        """A single source name stands for a list of one."""
        return [value] if isinstance(value, str) else value

    @field_validator("top_k", mode="before")
    @classmethod
    def whole_number(cls, value: Any) -> Any:
        """A JSON number only: "5" and true are refused, not read as 5 and 1."""
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise ValueError(
            f"send a whole number from 1 to {MAX_TOP_K}, without quotes (not {as_sent(value)})"
        )

    @field_validator("since", "until", "as_of", mode="before")
    @classmethod
    def day_only(cls, value: Any) -> Any:
        """A day as YYYY-MM-DD text: a number (epoch seconds) or a time of day is refused."""
        plain_date = isinstance(value, date) and not isinstance(value, datetime)
        if value is None or plain_date or (isinstance(value, str) and DAY.fullmatch(value)):
            return value
        raise ValueError(f"send the day as YYYY-MM-DD, e.g. 2024-03-07 (not {as_sent(value)})")

    @model_validator(mode="after")
    def forward_range(self) -> SearchOptions:
        """`since` must not come after `until`."""
        if self.since and self.until and self.since > self.until:
            raise ValueError(
                f"the date range is backwards: since {self.since} is after until {self.until}"
            )
        return self


class AskRequest(SearchOptions):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    history: list[tuple[str, str]] = Field(
        default_factory=list, max_length=100, description="Earlier (question, answer) turns."
    )

    @field_validator("question")
    @classmethod
    def not_blank(cls, value: str) -> str:
        """A question of only spaces is refused like an empty one (as the chat endpoint does)."""
        if not value.strip():
            raise ValueError("ask a question about the articles; this one is blank")
        return value


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = Field(
        False, description="Send a last chunk with `usage` and no choices before [DONE]."
    )


class ChatRequest(SearchOptions):
    """OpenAI's request shape; sampling parameters (temperature, max_tokens, ...) are ignored."""

    model_config = ConfigDict(extra="ignore")
    model: str = Field("", description="Any name: the configured answerer replies.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=400)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int | None = Field(None, description="Only 1: one answer per request.")
    response_format: dict[str, Any] | None = Field(
        None, description='Only {"type": "text"}: the answer is prose with [n] markers.'
    )
    tools: list[dict[str, Any]] | None = Field(None, description="Accepted, never called.")
    tool_choice: str | dict[str, Any] | None = Field(
        None, description='Only "auto" or "none": no tool is ever called.'
    )
    function_call: str | dict[str, Any] | None = Field(
        None, description='Only "auto" or "none" (the legacy form of `tool_choice`).'
    )


class CitationOut(BaseModel):
    """Source `[n]` of an answer, as `qa ask --json` prints it."""

    model_config = ConfigDict(extra="allow")
    n: int
    article_id: str
    title: str
    url: str
    published: str = Field(description="YYYY-MM-DD, or empty when unknown.")
    passage: str = Field(description="`text[start:end]` of the article.")
    start: int
    end: int
    score: float = Field(description="The passage's retrieval score.")
    source: str
    highlights: list[tuple[int, int]] = Field(
        description="The [start, end] spans within the passage that the answer quotes."
    )
    headline: bool = Field(description="Whether the answer quotes the article's headline.")


class AnswerOut(BaseModel):
    """The `qa ask --json` shape."""

    model_config = ConfigDict(extra="allow")
    text: str = Field(description="The answer, with [n] markers naming its citations.")
    answered: bool = Field(description="False when the articles don't hold the answer.")
    citations: list[CitationOut]
    question: str = Field(description="What was searched: a follow-up rewritten, typos fixed.")
    notice: str = Field(description="What changed, e.g. the LLM fallback; empty when nothing.")
    confidence: float = Field(description="The refusal model's 0-1 score.")


class UsageOut(BaseModel):
    """OpenAI's `usage`, counted in words: the answerer has no tokenizer."""

    model_config = ConfigDict(extra="allow")
    prompt_tokens: int = Field(description="Words in the question.")
    completion_tokens: int = Field(description="Words in the answer.")
    total_tokens: int


class MessageOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["assistant"]
    content: str


class ChoiceOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    index: int
    message: MessageOut
    finish_reason: str


class ChatCompletionOut(BaseModel):
    """OpenAI's chat completion, plus the answer's `citations`, `answered` and `notice`."""

    model_config = ConfigDict(extra="allow")
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChoiceOut]
    usage: UsageOut
    citations: list[CitationOut]
    answered: bool = Field(description="False when the articles don't hold the answer.")
    notice: str = Field(description="Why the reply is not the LLM's, say; empty when nothing.")


class ModelOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(description="`extractive`, or the configured LLM's name.")
    object: Literal["model"]
    created: int
    owned_by: str


class ModelListOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    object: Literal["list"]
    data: list[ModelOut]


class HealthOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: Literal["ok", "empty"]
    passages: int = Field(description="Passages indexed.")
    answerer: str = Field(description="`extractive`, or the configured LLM's name.")


class ArticleOut(BaseModel):
    """One indexed article, as `qa articles --json` lists it."""

    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    published: str
    source: str
    chunks: int = Field(description="Its passages.")


class IngestIssue(BaseModel):
    """A failure or warning of an ingest."""

    model_config = ConfigDict(extra="allow")
    path: str = Field(description="`text`, `jsonl`, or the address fetched.")
    error: str = Field(description="What went wrong, and how to fix it.")
    line: int | None = Field(None, description="The line of `jsonl`, for a JSON line.")
    article: str | None = Field(None, description="A warning's article id.")


class IngestOut(BaseModel):
    """The `qa ingest --json` report, plus the `ids` stored."""

    model_config = ConfigDict(extra="allow")
    added: int
    updated: int
    unchanged: int
    removed: int
    chunks: int = Field(description="Passages embedded.")
    failed: list[IngestIssue]
    warnings: list[IngestIssue]
    skipped: list[IngestIssue] = Field(
        default_factory=list, description="Files of a folder left out on purpose."
    )
    ids: list[str] = Field(description="The articles stored.")


class DeletedOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    deleted: str = Field(description="The article id.")
    passages: int = Field(description="Passages removed.")


class ArticleIn(BaseModel):
    """Exactly one of `text`, `jsonl`, or a `url` alone (the page is then fetched)."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, description="The article's plain text.")
    jsonl: str | None = Field(
        None, description='One article per line: {"id","title","url","source","published","text"}.'
    )
    url: str = Field("", max_length=2048, description="The article's address.")
    title: str = Field("", max_length=1000)
    published: str = Field("", max_length=64, description="Publication date, ISO 8601.")
    source: str = Field("", max_length=200)
    id: str | None = Field(
        None, min_length=1, max_length=500, description="Default: the url, else a hash."
    )
