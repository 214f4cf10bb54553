"""Request and response shapes of the HTTP API (they make its OpenAPI document)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_QUESTION = 4000


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


class SearchOptions(BaseModel):
    top_k: int | None = Field(None, ge=1, le=50, description="Passages to consider.")
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


class ChatRequest(SearchOptions):
    """OpenAI's request shape; parameters that do not apply (temperature, n, ...) are ignored."""

    model_config = ConfigDict(extra="ignore")
    model: str = Field("", description="Any name: the configured answerer replies.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=400)
    stream: bool = False


class CitationOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    n: int
    article_id: str
    title: str
    url: str
    published: str
    passage: str
    start: int
    end: int


class AnswerOut(BaseModel):
    """The `qa ask --json` shape."""

    model_config = ConfigDict(extra="allow")
    text: str
    answered: bool
    citations: list[CitationOut]


class ChatCompletionOut(BaseModel):
    """OpenAI's chat completion, plus the answer's `citations`."""

    model_config = ConfigDict(extra="allow")
    id: str
    object: str
    created: int
    model: str
    choices: list[dict[str, Any]]
    citations: list[CitationOut]


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
