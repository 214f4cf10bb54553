"""Embeddings from an OpenAI(-compatible) embeddings API, in batches."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import openai
from pydantic import PrivateAttr

from index.embed import TextsEmbedding
from qa.errors import ConfigError
from qa.llm import endpoint_name
from qa.settings import Settings

TIMEOUT_S = 60.0


def describe_embed_failure(exc: openai.OpenAIError, endpoint: str, model: str) -> ConfigError:
    """A user-facing error for a failed embeddings request, built from its kind, never its text."""
    if isinstance(exc, openai.APITimeoutError):
        what = f"did not answer within {TIMEOUT_S:g} s (check the server's load)"
    elif isinstance(exc, openai.APIConnectionError):
        what = "is unreachable (check OPENAI_BASE_URL and that the server is running)"
    elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        what = f"rejected the API key (HTTP {exc.status_code}; check OPENAI_API_KEY)"
    elif isinstance(exc, openai.NotFoundError):
        what = f"does not serve the model {model!r} (HTTP 404; check QA_OPENAI_EMBED_MODEL)"
    elif isinstance(exc, openai.APIStatusError):
        what = f"failed with HTTP {exc.status_code}"
    else:
        what = f"sent a malformed response ({type(exc).__name__})"
    return ConfigError(
        f"The embeddings endpoint at {endpoint} {what}; or set QA_EMBED=onnx for the bundled model."
    )


class OpenAIEmbeddingAPI(TextsEmbedding):
    """An embedder calling `client.embeddings.create` for each batch of texts."""

    _client: Any = PrivateAttr()

    def __init__(self, client: openai.OpenAI, model: str, **kwargs: Any) -> None:
        super().__init__(model_name=f"openai:{model}", **kwargs)
        self._client = client

    @classmethod
    def class_name(cls) -> str:
        return "OpenAIEmbeddingAPI"

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIEmbeddingAPI:
        """QA_OPENAI_EMBED_MODEL at OPENAI_BASE_URL (else OpenAI), key OPENAI_API_KEY."""
        api_key = os.environ.get("OPENAI_API_KEY")
        base_url = os.environ.get("OPENAI_BASE_URL") or None
        if not api_key and not base_url:
            raise ConfigError(
                "QA_EMBED=openai needs OPENAI_API_KEY (for api.openai.com) or OPENAI_BASE_URL "
                "(for a local server), or set QA_EMBED=onnx for the bundled model."
            )
        client = openai.OpenAI(
            api_key=api_key or "unused", base_url=base_url, timeout=TIMEOUT_S, max_retries=2
        )
        return cls(client, settings.openai_embed_model, embed_batch_size=settings.embed_batch_size)

    @property
    def api_model(self) -> str:
        """The model name sent to the API."""
        return self.model_name.removeprefix("openai:")

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One request for `texts`; vectors in input order."""
        # the API rejects empty strings
        inputs = [t if t.strip() else " " for t in texts]
        try:
            reply = self._client.embeddings.create(model=self.api_model, input=inputs)
            rows = sorted(reply.data, key=lambda d: d.index)
            vectors = [list(map(float, d.embedding)) for d in rows]
        except openai.OpenAIError as exc:
            endpoint = endpoint_name(str(self._client.base_url))
            raise describe_embed_failure(exc, endpoint, self.api_model) from exc
        if len(vectors) != len(inputs):
            raise ConfigError(
                f"The embeddings endpoint returned {len(vectors)} vectors for {len(inputs)} texts; "
                "check OPENAI_BASE_URL points at an OpenAI-compatible server."
            )
        return vectors
