"""The generative answerer: streams a cited answer from an OpenAI-compatible API, verifies it."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import httpx
import openai
from openai.types.chat import ChatCompletionMessageParam

from qa.citations import Answer, Passage, without_reasoning
from qa.errors import ConfigError, LLMError
from qa.prompts import Message, answer_messages, rewrite_messages
from qa.settings import Settings
from qa.verify import EmbedTexts, cited_sentences, says_no_answer, verify_answer

log = logging.getLogger(__name__)

# One retry of a blip (a refused or dropped connection, an HTTP 5xx), so a dead endpoint falls
# back to the extractive answer quickly. A timeout is not retried: QA_LLM_TIMEOUT is the wait.
MAX_RETRIES = 1
# after a failure the endpoint is left alone this long: each question would otherwise wait out
# the timeout (again for a follow-up's rewrite) before its fallback
RESTING_S = 30.0
REWRITE_MAX_TOKENS = 64
# A whole answer may take this many times QA_LLM_TIMEOUT: the timeout is per read, so an endpoint
# sending a token every few seconds would otherwise hold a question for as long as it streams.
DEADLINE_FACTOR = 3.0
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class AnswerTooSlow(Exception):
    """The endpoint kept streaming past the deadline for a whole answer."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


class NotAStream(Exception):
    """HTTP 200, but the body is no OpenAI server-sent event stream (a web page, say)."""

    def __init__(self, content_type: str) -> None:
        super().__init__(content_type)
        self.content_type = content_type


def endpoint_name(base_url: str) -> str:
    """The endpoint's url without credentials or query, safe to show and log."""
    has_scheme = bool(_SCHEME.match(base_url))  # "localhost:11434/v1" lacks one: a host, still
    parts = urlsplit(base_url if has_scheme else f"//{base_url}")
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # "host:abc"
        port = None
    netloc = f"{host}:{port}" if port else host
    name = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    return name if has_scheme else name.removeprefix("//")


def describe_failure(
    exc: BaseException,
    endpoint: str,
    model: str,
    timeout: float,
    then: str = "showing the extractive answer",
) -> LLMError:
    """A user-facing error for a failed request; built from the error's kind, never its text."""
    return LLMError(
        f"The LLM endpoint at {endpoint} {failure_reason(exc, endpoint, model, timeout)}; {then}."
    )


def failure_reason(exc: BaseException, endpoint: str, model: str, timeout: float) -> str:
    """What went wrong with a request and what to do ("is unreachable (check ...)")."""
    if isinstance(exc, httpx.UnsupportedProtocol) or isinstance(
        exc.__cause__, httpx.UnsupportedProtocol
    ):
        example = "http://" + _SCHEME.sub("", endpoint)
        what = f"is not an http:// or https:// URL (set OPENAI_BASE_URL to e.g. {example})"
    elif isinstance(exc, AnswerTooSlow):
        what = (
            f"did not finish its answer within {exc.seconds:g} s ({DEADLINE_FACTOR:g} times "
            "QA_LLM_TIMEOUT; it streams too slowly: lower QA_LLM_MAX_TOKENS, raise QA_LLM_TIMEOUT "
            "or use a faster model)"
        )
    elif isinstance(exc, NotAStream):
        what = (
            "replied with something that is not an OpenAI-compatible streaming response "
            f"({exc.content_type or 'no content type'}; check that OPENAI_BASE_URL is the API's "
            "address, e.g. http://localhost:11434/v1)"
        )
    elif isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        what = (
            f"did not answer within {timeout:g} s (raise QA_LLM_TIMEOUT or check the server's load)"
        )
    elif isinstance(exc, openai.APIConnectionError | httpx.ConnectError):
        what = "is unreachable (check OPENAI_BASE_URL and that the server is running)"
    elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        what = f"rejected the API key (HTTP {exc.status_code}; check OPENAI_API_KEY)"
    elif isinstance(exc, openai.NotFoundError):
        what = (
            f"does not serve the model {model!r} (HTTP 404; check QA_LLM_MODEL, or that "
            "OPENAI_BASE_URL ends in /v1 (e.g. http://localhost:11434/v1))"
        )
    elif isinstance(exc, openai.BadRequestError):
        what = (
            "rejected the request (HTTP 400; the prompt may be too long for the server's "
            "context: lower QA_TOP_K, or raise the server's context size)"
        )
    elif isinstance(exc, openai.RateLimitError):
        what = (
            "is rate-limiting requests (HTTP 429; wait a minute and ask again, or check the "
            "account's quota)"
        )
    elif isinstance(exc, openai.APIStatusError):
        what = f"failed with HTTP {exc.status_code}"
    elif type(exc) is openai.APIError:  # an {"error": ...} event in the stream
        what = "reported an error mid-answer (the server's log says why)"
    elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        what = f"dropped the connection mid-answer ({type(exc).__name__})"
    else:
        what = f"sent a malformed response ({type(exc).__name__})"
    return what


class OpenAIAnswerer:
    """Answers from passages through an OpenAI-compatible chat API, with verified citations."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        embed_texts: EmbedTexts,
        max_tokens: int = 512,
        allow_unsupported: bool = False,
        deadline: float | None = None,
    ) -> None:
        self.client = client
        self.model = model
        self.embed_texts = embed_texts
        self.max_tokens = max_tokens
        self.allow_unsupported = allow_unsupported
        # seconds a whole answer may take (default: DEADLINE_FACTOR times the read timeout)
        self.deadline = DEADLINE_FACTOR * self._timeout() if deadline is None else deadline
        self.endpoint = endpoint_name(str(client.base_url))
        self._failed_at = 0.0  # time.monotonic() of the last failure (0: none)
        self._failed = ""  # what it was

    @classmethod
    def from_settings(cls, settings: Settings, embed_model: Any = None) -> OpenAIAnswerer:
        """An answerer for QA_LLM_MODEL at OPENAI_BASE_URL (else OpenAI), key OPENAI_API_KEY."""
        api_key = os.environ.get("OPENAI_API_KEY")
        base_url = os.environ.get("OPENAI_BASE_URL") or None
        if not api_key and not base_url:
            raise ConfigError(
                "QA_LLM=openai needs OPENAI_API_KEY (for api.openai.com) or OPENAI_BASE_URL "
                "(for a local server such as llama.cpp, vLLM or Ollama), or unset QA_LLM."
            )
        # local servers usually take any key, but the client insists on one
        client = openai.OpenAI(
            api_key=api_key or "unused",
            base_url=base_url,
            timeout=settings.llm_timeout,
            max_retries=0,  # the client would retry a timeout too: `_open` retries
        )
        if embed_model is None:
            from index.embed import build_embed_model

            embed_model = build_embed_model(settings)
        return cls(
            client,
            settings.llm_model,
            embed_model.get_text_embedding_batch,
            max_tokens=settings.llm_max_tokens,
            allow_unsupported=settings.llm_allow_unsupported,
        )

    def _timeout(self) -> float:
        """The client's read timeout in seconds (0: none)."""
        timeout = self.client.timeout
        seconds = timeout.read if isinstance(timeout, httpx.Timeout) else timeout
        return float(seconds or 0)

    def _failure(self, exc: BaseException, then: str = "showing the extractive answer") -> LLMError:
        error = describe_failure(exc, self.endpoint, self.model, self._timeout(), then)
        log.warning("%s", error)
        # for the answers that follow, which do not ask it again for a while
        self._failed_at = time.monotonic()
        self._failed = failure_reason(exc, self.endpoint, self.model, self._timeout())
        return error

    def resting(self) -> str:
        """The last failure, while the endpoint is left alone after it ('' once it may be tried)."""
        if not self._failed_at:
            return ""
        left = RESTING_S - (time.monotonic() - self._failed_at)
        if left <= 0:
            return ""
        # said as the last request's failure: this question did not wait for it
        return (
            f"The LLM endpoint at {self.endpoint} is left alone for {left:.0f} s after its last "
            f"request failed: it {self._failed}; showing the extractive answer."
        )

    def _open(self, messages: list[Message], max_tokens: int) -> Any:
        """The streamed completion, retried `MAX_RETRIES` times after a blip (not a timeout)."""
        for attempt in range(MAX_RETRIES + 1):
            try:
                return self.client.chat.completions.create(
                    model=self.model,
                    messages=cast(list[ChatCompletionMessageParam], messages),
                    stream=True,
                    temperature=0,
                    max_tokens=max_tokens,
                )
            except openai.APITimeoutError:
                raise
            except (openai.APIConnectionError, openai.InternalServerError):
                if attempt == MAX_RETRIES:
                    raise
        raise AssertionError("unreachable")

    def _chunks(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """The streamed text, cut off with AnswerTooSlow once `deadline` seconds have passed."""
        started = time.monotonic()
        stream = self._open(messages, max_tokens)
        events = 0
        # SSE comments (": keep-alive") reach no loop below, so a timer hangs up at the deadline
        # too; the blocked read then ends at the next byte that comes, or at the read timeout
        expired = threading.Event()

        def hang_up() -> None:
            expired.set()
            stream.close()

        watchdog = threading.Timer(self.deadline, hang_up)
        watchdog.daemon = True
        if self.deadline:
            watchdog.start()
        try:
            with stream:
                for chunk in stream:
                    events += 1
                    if self.deadline and time.monotonic() - started > self.deadline:
                        raise AnswerTooSlow(self.deadline)
                    for choice in getattr(chunk, "choices", None) or []:
                        delta = getattr(choice.delta, "content", None)
                        if delta:
                            yield delta
        except Exception as exc:
            if expired.is_set():
                raise AnswerTooSlow(self.deadline) from exc
            raise
        finally:
            watchdog.cancel()
        if expired.is_set():
            raise AnswerTooSlow(self.deadline)
        response = getattr(stream, "response", None)
        content_type = response.headers.get("content-type", "") if response else ""
        if not events and not content_type.startswith("text/event-stream"):
            raise NotAStream(content_type.split(";")[0].strip())

    def stream_answer(
        self, question: str, passages: Sequence[Passage], fallback: Callable[[], Answer]
    ) -> Iterator[str | Answer]:
        """Yield the model's text as it streams, then the verified Answer (or the fallback)."""
        resting = self.resting()
        if resting:
            yield _with_notice(fallback(), resting)
            return
        raw, shown = "", ""
        try:
            for delta in self._chunks(answer_messages(question, passages), self.max_tokens):
                raw += delta
                # the draft leaves out the model's <think> reasoning, even while it is unclosed
                visible = without_reasoning(raw, partial=True)
                if len(visible) > len(shown) and visible.startswith(shown):
                    yield visible[len(shown) :]
                    shown = visible
        except Exception as exc:  # the endpoint is outside our control: every failure falls back
            error = self._failure(exc)
            yield _with_notice(fallback(), str(error))
            return
        text = without_reasoning(raw).strip()
        if not text:
            what = (
                "returned only its reasoning (<think>), no answer (raise QA_LLM_MAX_TOKENS)"
                if raw.strip()
                else "returned an empty answer"
            )
            error = LLMError(
                f"The LLM endpoint at {self.endpoint} {what}; showing the extractive answer."
            )
            log.warning("%s", error)
            yield _with_notice(fallback(), str(error))
            return
        uncited = not any(numbers for _, numbers in cited_sentences(text))
        if uncited and not says_no_answer(text) and not self.allow_unsupported:
            # a model that ignores the [n] format (small local ones do) has not refused: its
            # answer cannot be checked, so it is a failure of the endpoint, like an error
            yield _with_notice(
                fallback(),
                "The model answered without citing a passage ([n]), so its answer cannot be "
                "checked; showing the extractive answer.",
            )
            return
        checked = verify_answer(
            question, text, passages, self.embed_texts, allow_unsupported=self.allow_unsupported
        )
        # the final Answer replaces the draft shown: the extractive one, when it answers instead
        yield checked if checked.answered else quoted_instead(checked, fallback)

    def rewrite_question(self, question: str, history: Sequence[tuple[str, str]]) -> str | None:
        """The follow-up `question` as a standalone one, or None when the model fails or rambles."""
        if self.resting():
            return None
        try:
            text = without_reasoning(
                "".join(self._chunks(rewrite_messages(question, history), REWRITE_MAX_TOKENS))
            ).strip()
        except Exception as exc:  # the caller falls back to the deterministic rewrite
            self._failure(exc, then="rewriting the follow-up by rule instead")
            return None
        text = text.strip().strip('"“”').strip()
        # a small model often answers instead of rewriting: keep only a one-line question
        if not text.endswith("?") or "\n" in text or len(text) > 3 * len(question) + 80:
            return None
        return text


def quoted_instead(refused: Answer, fallback: Callable[[], Answer]) -> Answer:
    """The extractive answer in place of the model's refusal, or that refusal when it refuses too.

    The passages were retrieved for the question, so a model that found nothing in them, or
    cited none that backs it, may have missed what they say.
    """
    quoted = fallback()
    if not quoted.answered:
        return refused
    model = (  # verification's refusal says why; the model's own says nothing
        "The model's answer could not be checked against the passages"
        if refused.notice
        else "The model found no answer in the passages"
    )
    return _with_notice(quoted, f"{model}, so this answer quotes them.")


def _with_notice(answer: Answer, notice: str) -> Answer:
    return dataclasses.replace(answer, notice=" ".join(filter(None, [notice, answer.notice])))
